//! The audit trail: one row per write, in the write's own transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::audit_log;
use super::text::{NullableText, Spelled};
use crate::domain::ids::{AreaId, AuditId, UserId};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    #[diesel(deserialize_as = Spelled<AuditId>, serialize_as = String)]
    pub id: AuditId,
    #[diesel(deserialize_as = Spelled<Option<AreaId>>, serialize_as = NullableText)]
    pub area_id: Option<AreaId>,
    #[diesel(deserialize_as = Spelled<Option<UserId>>, serialize_as = NullableText)]
    pub actor_id: Option<UserId>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub request_id: Option<String>,
    pub at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &AuditRow) -> Result<(), AppError> {
    diesel::insert_into(audit_log::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// Filters of the coordinators' audit view.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor_id: Option<String>,
}

/// A page of `area`'s audit rows, newest first, after `before` (at, id).
pub fn list(
    conn: &mut DbConnection,
    area: AreaId,
    filter: &AuditFilter,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<AuditRow>, AppError> {
    let mut query = audit_log::table
        .filter(audit_log::area_id.eq(area.to_string()))
        .select(AuditRow::as_select())
        .into_boxed();
    if let Some(entity) = &filter.entity {
        query = query.filter(audit_log::entity.eq(entity.clone()));
    }
    if let Some(entity_id) = &filter.entity_id {
        query = query.filter(audit_log::entity_id.eq(entity_id.clone()));
    }
    if let Some(actor_id) = &filter.actor_id {
        query = query.filter(audit_log::actor_id.eq(actor_id.clone()));
    }
    if let Some((at, id)) = before {
        query = query.filter(
            audit_log::at
                .lt(at)
                .or(audit_log::at.eq(at).and(audit_log::id.lt(id))),
        );
    }
    Ok(query
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(limit)
        .load(conn)?)
}
