//! The one mapping of the domain's TEXT values (the enums of `domain::text::TextEnum` and
//! the ids of `domain::ids`) to TEXT columns: a row field of such a type reads through
//! `Spelled` and writes as its spelling; a nullable one reads through `Spelled<Option<_>>`
//! and writes through `NullableText`.
//!
//! ```ignore
//! #[diesel(deserialize_as = Spelled<RunStatus>, serialize_as = String)]
//! pub status: RunStatus,
//! #[diesel(deserialize_as = Spelled<Option<HubId>>, serialize_as = NullableText)]
//! pub default_hub_id: Option<HubId>,
//! ```

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::expression::AsExpression;
use diesel::sql_types::{Nullable, Text};

use crate::domain::ids::Id;
use crate::domain::text::TextEnum;

/// What can be read back from its TEXT spelling.
pub trait FromText: Sized {
    fn from_text(raw: &str) -> Result<Self, String>;
}

impl<T: TextEnum> FromText for T {
    fn from_text(raw: &str) -> Result<Self, String> {
        T::parse(raw).map_err(|_| format!("{raw:?} is not a {}", T::FIELD))
    }
}

impl<K> FromText for Id<K> {
    fn from_text(raw: &str) -> Result<Self, String> {
        raw.parse().map_err(|_| format!("{raw:?} is not an id"))
    }
}

/// A TEXT column read as the value it spells; an unknown spelling is a corrupt row.
pub struct Spelled<T>(pub T);

impl<T, DB> Queryable<Text, DB> for Spelled<T>
where
    T: FromText,
    DB: Backend,
    String: FromSql<Text, DB>,
{
    type Row = String;

    fn build(raw: String) -> deserialize::Result<Self> {
        T::from_text(&raw).map(Spelled).map_err(Into::into)
    }
}

impl<T, DB> Queryable<Nullable<Text>, DB> for Spelled<Option<T>>
where
    T: FromText,
    DB: Backend,
    Option<String>: FromSql<Nullable<Text>, DB>,
{
    type Row = Option<String>;

    fn build(raw: Option<String>) -> deserialize::Result<Self> {
        raw.map(|raw| T::from_text(&raw))
            .transpose()
            .map(Spelled)
            .map_err(Into::into)
    }
}

impl<T> From<Spelled<Option<T>>> for Option<T> {
    fn from(spelled: Spelled<Option<T>>) -> Self {
        spelled.0
    }
}

/// A nullable TEXT value as written: `None` is NULL.
pub struct NullableText(pub Option<String>);

impl<T: Into<String>> From<Option<T>> for NullableText {
    fn from(value: Option<T>) -> Self {
        Self(value.map(Into::into))
    }
}

impl AsExpression<Nullable<Text>> for NullableText {
    type Expression = <Option<String> as AsExpression<Nullable<Text>>>::Expression;

    fn as_expression(self) -> Self::Expression {
        AsExpression::<Nullable<Text>>::as_expression(self.0)
    }
}

impl<K> From<Spelled<Id<K>>> for Id<K> {
    fn from(spelled: Spelled<Id<K>>) -> Self {
        spelled.0
    }
}

// An id in a query (`.find(id)`, `.eq(id)`, `.eq_any(ids)`) binds as its text.
impl<K> AsExpression<Text> for Id<K> {
    type Expression = <String as AsExpression<Text>>::Expression;

    fn as_expression(self) -> Self::Expression {
        AsExpression::<Text>::as_expression(self.to_string())
    }
}

impl<K> AsExpression<Text> for &Id<K> {
    type Expression = <String as AsExpression<Text>>::Expression;

    fn as_expression(self) -> Self::Expression {
        AsExpression::<Text>::as_expression(self.to_string())
    }
}

impl<K> AsExpression<Nullable<Text>> for Id<K> {
    type Expression = <String as AsExpression<Nullable<Text>>>::Expression;

    fn as_expression(self) -> Self::Expression {
        AsExpression::<Nullable<Text>>::as_expression(self.to_string())
    }
}

impl<K> AsExpression<Nullable<Text>> for &Id<K> {
    type Expression = <String as AsExpression<Nullable<Text>>>::Expression;

    fn as_expression(self) -> Self::Expression {
        AsExpression::<Nullable<Text>>::as_expression(self.to_string())
    }
}

impl<K> From<Id<K>> for String {
    fn from(id: Id<K>) -> Self {
        id.to_string()
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
    crate::domain::handover::HandoverKind,
    crate::domain::handover::FailureReason,
    crate::domain::handover::RecipientKind,
    crate::domain::handover::ProofMethod,
    crate::domain::watch_over::StepTo,
    crate::domain::watch_over::EscalationCause,
    crate::domain::watch_over::EscalationStatus,
    crate::domain::watch_over::EscalationOutcome,
    crate::domain::webhook::EndpointStatus,
    crate::domain::webhook::DeliveryStatus,
);

/// Ids as the texts an `eq_any` binds (diesel binds a list only of types it knows).
pub fn texts<K>(ids: &[Id<K>]) -> Vec<String> {
    ids.iter().map(ToString::to_string).collect()
}
