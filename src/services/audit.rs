//! Audit rows: who did what to which object, under which request. Built on the request's task
//! (where the request id is known) and written inside the use case's transaction.

use super::caller::Caller;
use crate::db::{self, DbConnection};
use crate::domain::ids::{AreaId, AuditId, Id, UserId};
use crate::error::AppError;

#[derive(Debug, Clone)]
pub struct Audit {
    actor: Option<UserId>,
    area: Option<AreaId>,
    request_id: Option<String>,
}

impl Audit {
    /// Build it on the request's task (before handing work to the blocking pool): the request
    /// id is read here.
    pub fn by(caller: &Caller, area: Option<AreaId>) -> Self {
        Audit {
            actor: Some(caller.user_id),
            area,
            request_id: crate::telemetry::current_request_id(),
        }
    }

    /// An action with no signed-in actor (registration, the CLI).
    pub fn anonymous(area: Option<AreaId>) -> Self {
        Audit {
            actor: None,
            area,
            request_id: crate::telemetry::current_request_id(),
        }
    }

    pub fn in_area(mut self, area: AreaId) -> Self {
        self.area = Some(area);
        self
    }

    pub fn in_area_of(mut self, area: Option<AreaId>) -> Self {
        self.area = area;
        self
    }

    pub fn actor(&self) -> Option<UserId> {
        self.actor
    }

    pub fn area(&self) -> Option<AreaId> {
        self.area
    }

    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    pub fn record<K>(
        &self,
        conn: &mut DbConnection,
        at: chrono::NaiveDateTime,
        action: &str,
        entity: &str,
        entity_id: Id<K>,
    ) -> Result<(), AppError> {
        db::audit::insert(
            conn,
            &db::audit::AuditRow {
                id: AuditId::new(),
                area_id: self.area,
                actor_id: self.actor,
                action: action.to_owned(),
                entity: entity.to_owned(),
                entity_id: entity_id.to_string(),
                request_id: self.request_id.clone(),
                at,
            },
        )
    }
}

/// Every kind of thing the trail records actions on, as the console's filter offers them.
pub const ENTITIES: [&str; 13] = [
    "request",
    "run",
    "plan",
    "resident",
    "escalation",
    "handover",
    "user",
    "volunteer",
    "hub",
    "area",
    "neighbourhood",
    "post_trip",
    "webhook",
];

/// An audit row as coordinators read it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditView {
    pub id: AuditId,
    pub at: String,
    pub actor_id: Option<UserId>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub request_id: Option<String>,
}

/// A page of the caller's area's audit trail, newest first.
pub async fn list(
    db: &crate::db::Db,
    caller: &Caller,
    filter: db::audit::AuditFilter,
    before: Option<(chrono::NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<AuditView>, AppError> {
    let area = caller.area()?;
    db.run("audit.list", move |conn| {
        Ok(db::audit::list(conn, area, &filter, before, limit)?
            .into_iter()
            .map(|row| AuditView {
                id: row.id,
                at: crate::domain::time::wire_naive(row.at),
                actor_id: row.actor_id,
                action: row.action,
                entity: row.entity,
                entity_id: row.entity_id,
                request_id: row.request_id,
            })
            .collect())
    })
    .await
}
