//! The one mapping of the domain's TEXT enums (`domain::text::TextEnum`) to TEXT columns:
//! a row field of such a type reads through `Spelled` and writes as its spelling.
//!
//! ```ignore
//! #[diesel(deserialize_as = Spelled<RunStatus>, serialize_as = String)]
//! pub status: RunStatus,
//! ```

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::sql_types::Text;

use crate::domain::text::TextEnum;

/// A TEXT column read as the enum it spells; an unknown spelling is a corrupt row.
pub struct Spelled<T>(pub T);

impl<T, DB> Queryable<Text, DB> for Spelled<T>
where
    T: TextEnum,
    DB: Backend,
    String: FromSql<Text, DB>,
{
    type Row = String;

    fn build(raw: String) -> deserialize::Result<Self> {
        T::parse(&raw)
            .map(Spelled)
            .map_err(|_| format!("{raw:?} is not a {}", T::FIELD).into())
    }
}

/// Lets each enum be read through `Spelled` and written as its spelling.
macro_rules! spelled {
    ($($ty:ty),+ $(,)?) => {$(
        impl From<Spelled<$ty>> for $ty {
            fn from(spelled: Spelled<$ty>) -> Self {
                spelled.0
            }
        }
        impl From<$ty> for String {
            fn from(value: $ty) -> Self {
                value.as_str().to_owned()
            }
        }
    )+};
}

spelled!(
    crate::domain::request::RequestStatus,
    crate::domain::request::Fulfilment,
    crate::domain::request::Temperature,
    crate::domain::request::Substitution,
    crate::domain::request::ItemOutcome,
    crate::domain::run::RunStatus,
    crate::domain::run::CarrierKind,
    crate::domain::plan::PlanStatus,
    crate::domain::plan::PlanningJobState,
    crate::domain::resident::GuardianLinkStatus,
    crate::domain::resident::LocationStatus,
    crate::domain::carrier::Vehicle,
    crate::domain::idempotency::ClaimState,
);
