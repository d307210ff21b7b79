//! Queries on `webhook_endpoints`, `webhook_deliveries` and `webhook_attempts`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{webhook_attempts, webhook_deliveries, webhook_endpoints};
use super::text::Spelled;
use crate::domain::ids::{AreaId, OutboxEventId, UserId, WebhookDeliveryId, WebhookEndpointId};
use crate::domain::webhook::{DeliveryStatus, EndpointStatus};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointRow {
    #[diesel(deserialize_as = Spelled<WebhookEndpointId>, serialize_as = String)]
    pub id: WebhookEndpointId,
    #[diesel(deserialize_as = Spelled<AreaId>, serialize_as = String)]
    pub area_id: AreaId,
    pub url: String,
    pub description: String,
    /// JSON array of event types.
    pub events: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<NaiveDateTime>,
    #[diesel(deserialize_as = Spelled<EndpointStatus>, serialize_as = String)]
    pub status: EndpointStatus,
    pub failing_since: Option<NaiveDateTime>,
    pub disabled_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = Spelled<UserId>, serialize_as = String)]
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl EndpointRow {
    pub fn event_types(&self) -> Result<Vec<String>, AppError> {
        serde_json::from_str(&self.events).map_err(|e| AppError::internal(e.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    #[diesel(deserialize_as = Spelled<WebhookDeliveryId>, serialize_as = String)]
    pub id: WebhookDeliveryId,
    #[diesel(deserialize_as = Spelled<WebhookEndpointId>, serialize_as = String)]
    pub endpoint_id: WebhookEndpointId,
    #[diesel(deserialize_as = Spelled<OutboxEventId>, serialize_as = String)]
    pub event_id: OutboxEventId,
    pub event_type: String,
    pub body: String,
    #[diesel(deserialize_as = Spelled<DeliveryStatus>, serialize_as = String)]
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub lease_owner: Option<String>,
    pub lease_until: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl DeliveryRow {
    /// A new delivery of `event` to `endpoint`, due at once.
    pub fn pending(
        endpoint: WebhookEndpointId,
        event: OutboxEventId,
        event_type: &str,
        body: String,
        now: NaiveDateTime,
    ) -> Self {
        DeliveryRow {
            id: WebhookDeliveryId::new(),
            endpoint_id: endpoint,
            event_id: event,
            event_type: event_type.to_owned(),
            body,
            status: DeliveryStatus::Pending,
            attempts: 0,
            next_attempt_at: Some(now),
            lease_owner: None,
            lease_until: None,
            delivered_at: None,
            created_at: now,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts)]
pub struct AttemptRow {
    #[diesel(deserialize_as = Spelled<WebhookDeliveryId>, serialize_as = String)]
    pub delivery_id: WebhookDeliveryId,
    pub attempt: i32,
    pub attempted_at: NaiveDateTime,
    pub response_status: Option<i32>,
    pub error: Option<String>,
    pub latency_ms: i64,
}

pub fn insert_endpoint(conn: &mut DbConnection, row: &EndpointRow) -> Result<(), AppError> {
    diesel::insert_into(webhook_endpoints::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn find_endpoint(
    conn: &mut DbConnection,
    id: WebhookEndpointId,
) -> Result<Option<EndpointRow>, AppError> {
    Ok(webhook_endpoints::table
        .find(id.to_string())
        .select(EndpointRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Endpoints not deleted, of `area` (all areas when none), oldest first.
pub fn endpoints(
    conn: &mut DbConnection,
    area: Option<AreaId>,
) -> Result<Vec<EndpointRow>, AppError> {
    let mut query = webhook_endpoints::table
        .filter(webhook_endpoints::status.ne(EndpointStatus::Deleted.as_str()))
        .select(EndpointRow::as_select())
        .into_boxed();
    if let Some(area) = area {
        query = query.filter(webhook_endpoints::area_id.eq(area.to_string()));
    }
    Ok(query
        .order((
            webhook_endpoints::created_at.asc(),
            webhook_endpoints::id.asc(),
        ))
        .load(conn)?)
}

/// The enabled endpoints of `area`: those an event of the area may go to.
pub fn enabled_in(conn: &mut DbConnection, area: AreaId) -> Result<Vec<EndpointRow>, AppError> {
    Ok(webhook_endpoints::table
        .filter(webhook_endpoints::area_id.eq(area.to_string()))
        .filter(webhook_endpoints::status.eq(EndpointStatus::Enabled.as_str()))
        .select(EndpointRow::as_select())
        .load(conn)?)
}

/// Writes the endpoint's mutable fields.
pub fn update_endpoint(conn: &mut DbConnection, row: &EndpointRow) -> Result<(), AppError> {
    diesel::update(webhook_endpoints::table.find(row.id.to_string()))
        .set((
            webhook_endpoints::secret.eq(&row.secret),
            webhook_endpoints::previous_secret.eq(&row.previous_secret),
            webhook_endpoints::previous_secret_until.eq(row.previous_secret_until),
            webhook_endpoints::status.eq(row.status.as_str()),
            webhook_endpoints::failing_since.eq(row.failing_since),
            webhook_endpoints::disabled_at.eq(row.disabled_at),
            webhook_endpoints::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Holds the endpoint's row until the transaction ends (PostgreSQL), so that instances
/// counting its deliveries in flight take turns; SQLite has one writer anyway.
pub fn lock_endpoint(conn: &mut DbConnection, id: WebhookEndpointId) -> Result<(), AppError> {
    match conn {
        #[cfg(feature = "postgres")]
        DbConnection::Postgres(pg) => {
            webhook_endpoints::table
                .find(id.to_string())
                .select(webhook_endpoints::id)
                .for_update()
                .get_result::<String>(pg)
                .optional()?;
        }
        #[cfg(feature = "sqlite")]
        DbConnection::Sqlite(_) => {
            let _ = id;
        }
    }
    Ok(())
}

pub fn insert_delivery(conn: &mut DbConnection, row: &DeliveryRow) -> Result<(), AppError> {
    diesel::insert_into(webhook_deliveries::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn find_delivery(
    conn: &mut DbConnection,
    id: WebhookDeliveryId,
) -> Result<Option<DeliveryRow>, AppError> {
    Ok(webhook_deliveries::table
        .find(id.to_string())
        .select(DeliveryRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// An endpoint's deliveries, newest first, after the cursor `(created_at, id)`.
pub fn deliveries_of(
    conn: &mut DbConnection,
    endpoint: WebhookEndpointId,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<DeliveryRow>, AppError> {
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint.to_string()))
        .select(DeliveryRow::as_select())
        .into_boxed();
    if let Some((at, id)) = before {
        query = query.filter(
            webhook_deliveries::created_at
                .lt(at)
                .or(webhook_deliveries::created_at
                    .eq(at)
                    .and(webhook_deliveries::id.lt(id))),
        );
    }
    Ok(query
        .order((
            webhook_deliveries::created_at.desc(),
            webhook_deliveries::id.desc(),
        ))
        .limit(limit)
        .load(conn)?)
}

pub fn attempts_of(
    conn: &mut DbConnection,
    deliveries: &[WebhookDeliveryId],
) -> Result<Vec<AttemptRow>, AppError> {
    let ids: Vec<String> = deliveries.iter().map(ToString::to_string).collect();
    Ok(webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(ids))
        .select(AttemptRow::as_select())
        .order((
            webhook_attempts::delivery_id.asc(),
            webhook_attempts::attempt.asc(),
        ))
        .load(conn)?)
}

/// Endpoints with a delivery due at `now` that nobody holds.
pub fn endpoints_with_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> Result<Vec<WebhookEndpointId>, AppError> {
    let ids: Vec<String> = webhook_deliveries::table
        .inner_join(
            webhook_endpoints::table.on(webhook_endpoints::id.eq(webhook_deliveries::endpoint_id)),
        )
        .filter(webhook_endpoints::status.eq(EndpointStatus::Enabled.as_str()))
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(
            webhook_deliveries::lease_until
                .is_null()
                .or(webhook_deliveries::lease_until.lt(now)),
        )
        .select(webhook_deliveries::endpoint_id)
        .distinct()
        .load(conn)?;
    ids.iter()
        .map(|id| {
            id.parse()
                .map_err(|_| AppError::internal("webhook_deliveries: bad endpoint id"))
        })
        .collect()
}

/// Deliveries of `endpoint` held by a live lease at `now`: in flight somewhere.
pub fn in_flight(
    conn: &mut DbConnection,
    endpoint: WebhookEndpointId,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint.to_string()))
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .filter(webhook_deliveries::lease_until.ge(now))
        .count()
        .get_result(conn)?)
}

/// Up to `limit` due deliveries of `endpoint` nobody holds, oldest event first (so that an
/// aggregate's events leave in their order as far as the receiver keeps up).
pub fn due_of(
    conn: &mut DbConnection,
    endpoint: WebhookEndpointId,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<DeliveryRow>, AppError> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint.to_string()))
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(
            webhook_deliveries::lease_until
                .is_null()
                .or(webhook_deliveries::lease_until.lt(now)),
        )
        .select(DeliveryRow::as_select())
        .order((
            webhook_deliveries::created_at.asc(),
            webhook_deliveries::id.asc(),
        ))
        .limit(limit)
        .load(conn)?)
}

/// Takes a delivery for `owner` until `until` if nobody holds it: true when taken.
pub fn lease(
    conn: &mut DbConnection,
    id: WebhookDeliveryId,
    owner: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> Result<bool, AppError> {
    let changed = diesel::update(
        webhook_deliveries::table
            .find(id.to_string())
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
            .filter(
                webhook_deliveries::lease_until
                    .is_null()
                    .or(webhook_deliveries::lease_until.lt(now)),
            ),
    )
    .set((
        webhook_deliveries::lease_owner.eq(owner),
        webhook_deliveries::lease_until.eq(until),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Writes a delivery's state after an attempt or a retry, releasing any lease.
pub fn set_delivery_state(conn: &mut DbConnection, row: &DeliveryRow) -> Result<(), AppError> {
    diesel::update(webhook_deliveries::table.find(row.id.to_string()))
        .set((
            webhook_deliveries::status.eq(row.status.as_str()),
            webhook_deliveries::attempts.eq(row.attempts),
            webhook_deliveries::next_attempt_at.eq(row.next_attempt_at),
            webhook_deliveries::lease_owner.eq(None::<String>),
            webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::delivered_at.eq(row.delivered_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Gives back the leases `owner` holds (an instance shutting down).
pub fn release_leases(conn: &mut DbConnection, owner: &str) -> Result<usize, AppError> {
    Ok(
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::lease_owner.eq(owner)))
            .set((
                webhook_deliveries::lease_owner.eq(None::<String>),
                webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?,
    )
}

pub fn insert_attempt(conn: &mut DbConnection, row: &AttemptRow) -> Result<(), AppError> {
    diesel::insert_into(webhook_attempts::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// Retention: delivered deliveries (and their attempts) delivered before `before`.
pub fn delete_delivered_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> Result<usize, AppError> {
    let old = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Delivered.as_str()))
        .filter(webhook_deliveries::delivered_at.lt(before))
        .select(webhook_deliveries::id);
    diesel::delete(webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(old)))
        .execute(conn)?;
    Ok(diesel::delete(
        webhook_deliveries::table
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Delivered.as_str()))
            .filter(webhook_deliveries::delivered_at.lt(before)),
    )
    .execute(conn)?)
}
