//! Residents: where their location came from, and the guardian links of their families.

use crate::text_enum;

text_enum! {
    /// How a resident's location was found.
    pub enum LocationStatus ("location_status") {
        /// Given by a coordinator (or in the create).
        Given => "given",
        Geocoded => "geocoded",
        /// Not found: a coordinator places the resident by hand.
        NeedsReview => "needs_review",
    }
}

text_enum! {
    /// A family member's link to a resident: asked for by the family, made active by a
    /// coordinator with the consent on record.
    pub enum GuardianLinkStatus ("status") {
        Requested => "requested",
        Active => "active",
    }
}
