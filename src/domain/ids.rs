//! Ids that say what they name. An `Id<K>` is a UUID tagged with the kind of thing it names,
//! so a run's id cannot be passed where a hub's is expected. On the wire and in the database
//! it is the UUID's hyphenated text; `db/text.rs` maps every kind to TEXT with one impl.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

/// The kinds of thing an id can name; empty enums, only ever type parameters.
pub mod kind {
    pub enum Area {}
    pub enum Hub {}
    pub enum Neighbourhood {}
    pub enum Resident {}
    pub enum Request {}
    pub enum Item {}
    pub enum Plan {}
    pub enum Run {}
    pub enum User {}
    pub enum PostTrip {}
    pub enum RefreshToken {}
    pub enum TokenFamily {}
    pub enum GuardianLink {}
    pub enum LinkCode {}
    pub enum Audit {}
    pub enum OutboxEvent {}
    /// Whoever carries a run: a volunteer (their user id) or a post trip (its id).
    pub enum Carrier {}
    /// One change of hands, its id made by the phone that recorded it.
    pub enum Handover {}
    /// Someone who may receive or collect a resident's goods for them.
    pub enum Proxy {}
    /// A watch-over case.
    pub enum Escalation {}
    /// A coordinator's webhook endpoint.
    pub enum WebhookEndpoint {}
    /// One event to one endpoint; its id is the delivery's `webhook-id`.
    pub enum WebhookDelivery {}
    /// One entry of a person's in-app feed.
    pub enum Notification {}
}

pub type AreaId = Id<kind::Area>;
pub type HubId = Id<kind::Hub>;
pub type NeighbourhoodId = Id<kind::Neighbourhood>;
pub type ResidentId = Id<kind::Resident>;
pub type RequestId = Id<kind::Request>;
pub type ItemId = Id<kind::Item>;
pub type PlanId = Id<kind::Plan>;
pub type RunId = Id<kind::Run>;
pub type UserId = Id<kind::User>;
pub type PostTripId = Id<kind::PostTrip>;
pub type RefreshTokenId = Id<kind::RefreshToken>;
pub type TokenFamilyId = Id<kind::TokenFamily>;
pub type GuardianLinkId = Id<kind::GuardianLink>;
pub type LinkCodeId = Id<kind::LinkCode>;
pub type AuditId = Id<kind::Audit>;
pub type OutboxEventId = Id<kind::OutboxEvent>;
pub type CarrierId = Id<kind::Carrier>;
pub type HandoverId = Id<kind::Handover>;
pub type ProxyId = Id<kind::Proxy>;
pub type EscalationId = Id<kind::Escalation>;
pub type WebhookEndpointId = Id<kind::WebhookEndpoint>;
pub type WebhookDeliveryId = Id<kind::WebhookDelivery>;
pub type NotificationId = Id<kind::Notification>;

/// A UUID naming one `K`.
pub struct Id<K> {
    uuid: Uuid,
    // `fn() -> K`: the id owns no `K`, so it is Send, Sync and Copy whatever `K` is.
    kind: PhantomData<fn() -> K>,
}

impl<K> Id<K> {
    /// A fresh id: a UUIDv7 (RFC 9562), its milliseconds first and 74 random bits after.
    /// Ids made one after another sort together, so each insert touches the last page of
    /// every index on them rather than a random one (fewer pages written per commit, on
    /// both backends); the time they show is no more than the rows' own `created_at`.
    pub fn new() -> Self {
        Self::from_uuid(Uuid::now_v7())
    }

    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self {
            uuid,
            kind: PhantomData,
        }
    }

    pub const fn uuid(self) -> Uuid {
        self.uuid
    }

    /// The same UUID read as naming another kind: for the few places where one thing's id is
    /// by design another's (a volunteer's carrier id is their user id).
    pub const fn cast<L>(self) -> Id<L> {
        Id::from_uuid(self.uuid)
    }
}

impl<K> Default for Id<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K> Clone for Id<K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K> Copy for Id<K> {}

impl<K> PartialEq for Id<K> {
    fn eq(&self, other: &Self) -> bool {
        self.uuid == other.uuid
    }
}

impl<K> Eq for Id<K> {}

impl<K> PartialOrd for Id<K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<K> Ord for Id<K> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.uuid.cmp(&other.uuid)
    }
}

impl<K> Hash for Id<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.uuid.hash(state);
    }
}

impl<K> fmt::Debug for Id<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.uuid, f)
    }
}

impl<K> fmt::Display for Id<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.uuid.hyphenated(), f)
    }
}

/// Not a UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MalformedId;

impl fmt::Display for MalformedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a UUID")
    }
}

impl<K> FromStr for Id<K> {
    type Err = MalformedId;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(raw)
            .map(Self::from_uuid)
            .map_err(|_| MalformedId)
    }
}

impl<K> From<Uuid> for Id<K> {
    fn from(uuid: Uuid) -> Self {
        Self::from_uuid(uuid)
    }
}

impl<K> Serialize for Id<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de, K> Deserialize<'de> for Id<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        raw.parse().map_err(|_| {
            serde::de::Error::invalid_value(serde::de::Unexpected::Str(&raw), &"a UUID")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_reads_back_what_it_wrote() {
        let id = RunId::new();
        let text = id.to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(text.parse::<RunId>(), Ok(id));
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        assert_eq!(serde_json::from_str::<RunId>(&json).unwrap(), id);
    }

    #[test]
    fn text_that_is_not_a_uuid_is_refused() {
        assert_eq!("run-1".parse::<RunId>(), Err(MalformedId));
        assert!(serde_json::from_str::<HubId>("\"\"").is_err());
        assert!(serde_json::from_str::<HubId>("42").is_err());
    }
}
