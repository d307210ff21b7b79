//! Queries on `handovers` and `handover_requests`: the custody of each request, one row per
//! change of hands; and on `handover_codes`, the code a family says at the door.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{handover_codes, handover_images, handover_requests, handovers};
use super::text::{NullableText, Spelled};
use crate::domain::handover::{FailureReason, HandoverKind, ProofMethod, RecipientKind};
use crate::domain::ids::{AreaId, HandoverId, HubId, RequestId, RunId, UserId};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = handovers)]
pub struct HandoverRow {
    #[diesel(deserialize_as = Spelled<HandoverId>, serialize_as = String)]
    pub id: HandoverId,
    #[diesel(deserialize_as = Spelled<AreaId>, serialize_as = String)]
    pub area_id: AreaId,
    #[diesel(deserialize_as = Spelled<HandoverKind>, serialize_as = String)]
    pub kind: HandoverKind,
    pub occurred_at: NaiveDateTime,
    pub received_at: NaiveDateTime,
    #[diesel(deserialize_as = Spelled<UserId>, serialize_as = String)]
    pub recorded_by: UserId,
    #[diesel(deserialize_as = Spelled<Option<RunId>>, serialize_as = NullableText)]
    pub run_id: Option<RunId>,
    #[diesel(deserialize_as = Spelled<Option<HubId>>, serialize_as = NullableText)]
    pub hub_id: Option<HubId>,
    /// JSON `Crates`.
    pub crates: Option<String>,
    pub expected_crates: Option<String>,
    #[diesel(deserialize_as = Spelled<Option<RecipientKind>>, serialize_as = NullableText)]
    pub recipient_kind: Option<RecipientKind>,
    pub recipient_proxy_id: Option<String>,
    pub recipient_name: Option<String>,
    #[diesel(deserialize_as = Spelled<Option<ProofMethod>>, serialize_as = NullableText)]
    pub proof_method: Option<ProofMethod>,
    #[diesel(deserialize_as = Spelled<Option<FailureReason>>, serialize_as = NullableText)]
    pub reason: Option<FailureReason>,
    pub note: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub body_hash: String,
}

pub fn find(conn: &mut DbConnection, id: HandoverId) -> Result<Option<HandoverRow>, AppError> {
    Ok(handovers::table
        .find(id)
        .select(HandoverRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// The handover and the requests it moved, in the order sent.
pub fn insert(
    conn: &mut DbConnection,
    row: &HandoverRow,
    requests: &[RequestId],
) -> Result<(), AppError> {
    diesel::insert_into(handovers::table)
        .values(row.clone())
        .execute(conn)?;
    // One statement a row: the multi-backend connection has no batch insert.
    for request in requests {
        diesel::insert_into(handover_requests::table)
            .values((
                handover_requests::request_id.eq(request.to_string()),
                handover_requests::handover_id.eq(row.id.to_string()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The requests a handover moved.
pub fn requests_of(conn: &mut DbConnection, id: HandoverId) -> Result<Vec<RequestId>, AppError> {
    Ok(handover_requests::table
        .filter(handover_requests::handover_id.eq(id))
        .select(handover_requests::request_id)
        .order(handover_requests::request_id.asc())
        .load::<Spelled<RequestId>>(conn)?
        .into_iter()
        .map(|id| id.0)
        .collect())
}

/// A page of `area`'s handovers that happened from `from` to before `until`, in the order
/// they happened, after `after` (occurred_at, id).
pub fn of_area(
    conn: &mut DbConnection,
    area: AreaId,
    (from, until): (NaiveDateTime, NaiveDateTime),
    after: Option<(NaiveDateTime, HandoverId)>,
    limit: i64,
) -> Result<Vec<HandoverRow>, AppError> {
    let mut query = handovers::table
        .filter(handovers::area_id.eq(area.to_string()))
        .filter(handovers::occurred_at.ge(from))
        .filter(handovers::occurred_at.lt(until))
        .select(HandoverRow::as_select())
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            handovers::occurred_at.gt(at).or(handovers::occurred_at
                .eq(at)
                .and(handovers::id.gt(id.to_string()))),
        );
    }
    Ok(query
        .order((handovers::occurred_at.asc(), handovers::id.asc()))
        .limit(limit)
        .load(conn)?)
}

/// A request's handovers in the order they happened (then as received).
pub fn custody_of(
    conn: &mut DbConnection,
    request: RequestId,
) -> Result<Vec<HandoverRow>, AppError> {
    Ok(handovers::table
        .inner_join(handover_requests::table.on(handover_requests::handover_id.eq(handovers::id)))
        .filter(handover_requests::request_id.eq(request))
        .select(HandoverRow::as_select())
        .order((
            handovers::occurred_at.asc(),
            handovers::received_at.asc(),
            handovers::id.asc(),
        ))
        .load(conn)?)
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = handover_codes)]
pub struct HandoverCodeRow {
    #[diesel(deserialize_as = Spelled<RequestId>, serialize_as = String)]
    pub request_id: RequestId,
    pub code: String,
    pub failures: i32,
    pub updated_at: NaiveDateTime,
}

pub fn code_of(
    conn: &mut DbConnection,
    request: RequestId,
) -> Result<Option<HandoverCodeRow>, AppError> {
    Ok(handover_codes::table
        .find(request)
        .select(HandoverCodeRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// The codes of several requests, by request.
pub fn codes_of(
    conn: &mut DbConnection,
    requests: &[RequestId],
) -> Result<std::collections::HashMap<RequestId, String>, AppError> {
    let mut found = std::collections::HashMap::new();
    for ids in requests.chunks(500) {
        for row in handover_codes::table
            .filter(handover_codes::request_id.eq_any(super::text::texts(ids)))
            .select(HandoverCodeRow::as_select())
            .load(conn)?
        {
            found.insert(row.request_id, row.code);
        }
    }
    Ok(found)
}

/// Gives `request` its code unless it has one (planning again keeps the code the family knows).
pub fn ensure_code(conn: &mut DbConnection, row: &HandoverCodeRow) -> Result<(), AppError> {
    if code_of(conn, row.request_id)?.is_none() {
        diesel::insert_into(handover_codes::table)
            .values(row.clone())
            .execute(conn)?;
    }
    Ok(())
}

pub fn set_failures(
    conn: &mut DbConnection,
    request: RequestId,
    failures: i32,
    at: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::update(handover_codes::table.find(request))
        .set((
            handover_codes::failures.eq(failures),
            handover_codes::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A signature or photo of a handover, kept until `delete_after`.
pub fn insert_image(
    conn: &mut DbConnection,
    handover: HandoverId,
    content_type: &str,
    image_base64: &str,
    delete_after: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::insert_into(handover_images::table)
        .values((
            handover_images::handover_id.eq(handover.to_string()),
            handover_images::content_type.eq(content_type),
            handover_images::image_base64.eq(image_base64),
            handover_images::delete_after.eq(delete_after),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether the handover has an image kept.
pub fn has_image(conn: &mut DbConnection, handover: HandoverId) -> Result<bool, AppError> {
    Ok(handover_images::table
        .find(handover)
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// A handover's image: its type and base64.
pub fn image_of(
    conn: &mut DbConnection,
    handover: HandoverId,
) -> Result<Option<(String, String)>, AppError> {
    Ok(handover_images::table
        .find(handover)
        .select((handover_images::content_type, handover_images::image_base64))
        .get_result(conn)
        .optional()?)
}

/// Deletes the images kept until before `now`.
pub fn delete_images_before(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    Ok(
        diesel::delete(handover_images::table.filter(handover_images::delete_after.le(now)))
            .execute(conn)?,
    )
}
