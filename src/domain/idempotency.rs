//! Idempotent creates: what a stored key says about the create it belongs to.

use crate::text_enum;

text_enum! {
    pub enum ClaimState ("state") {
        /// Written by older Yuis, which claimed a key before the create's own transaction; a
        /// claim left so belongs to a create that never committed.
        InProgress => "in_progress",
        /// The create committed with its answer.
        Done => "done",
    }
}
