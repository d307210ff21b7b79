//! Proxies: the people who may receive or collect a resident's groceries for them, added by
//! the resident's family or a coordinator with the resident's consent on record. Only a
//! registered proxy can be the `proxy` recipient of a handover.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::audit::Audit;
use super::caller::Caller;
use super::residents::{Consent, check_phone, visible_resident};
use super::unit_of_work;
use crate::db::proxies::ProxyRow;
use crate::db::{self, Db, DbConnection};
use crate::domain::area::check_name;
use crate::domain::clock::Clock;
use crate::domain::ids::{ProxyId, ResidentId};
use crate::domain::text::Line;
use crate::domain::time::wire_naive;
use crate::error::AppError;

pub const PROXY: &str = "proxy";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NewProxy {
    pub name: Line,
    pub relation: Line,
    #[serde(default)]
    pub phone: Option<Line>,
    pub consent: Consent,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProxyView {
    pub id: ProxyId,
    pub resident_id: ResidentId,
    pub name: String,
    pub relation: String,
    pub phone: Option<String>,
    pub consent: ConsentView,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsentView {
    pub given_by: String,
    pub basis: String,
    pub text_version: String,
}

fn view(row: ProxyRow) -> ProxyView {
    ProxyView {
        id: row.id,
        resident_id: row.resident_id,
        name: row.name,
        relation: row.relation,
        phone: row.phone,
        consent: ConsentView {
            given_by: row.consent_given_by,
            basis: row.consent_basis,
            text_version: row.consent_text_version,
        },
        created_at: wire_naive(row.created_at),
    }
}

/// Whether `proxy` may receive for `resident` now: registered for them and not removed.
pub fn is_proxy_of(
    conn: &mut DbConnection,
    proxy: ProxyId,
    resident: ResidentId,
) -> Result<bool, AppError> {
    Ok(db::proxies::find(conn, proxy)?
        .is_some_and(|p| p.resident_id == resident && p.removed_at.is_none()))
}

#[derive(Clone)]
pub struct Proxies {
    db: Db,
    clock: Clock,
}

impl Proxies {
    pub fn new(db: Db, clock: Clock) -> Self {
        Proxies { db, clock }
    }

    pub async fn add(
        &self,
        caller: &Caller,
        resident: ResidentId,
        input: NewProxy,
    ) -> Result<ProxyView, AppError> {
        let name = check_name("name", &input.name, 100)?;
        let relation = check_name("relation", &input.relation, 50)?;
        let phone = input.phone.as_deref().map(check_phone).transpose()?;
        input.consent.check("consent")?;
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(&self.db, &self.clock, "proxies.add", audit, move |uow| {
            let resident = visible_resident(uow.conn, &caller, resident)?;
            let now: NaiveDateTime = uow.now();
            let row = ProxyRow {
                id: ProxyId::new(),
                resident_id: resident.id,
                area_id: resident.area()?,
                name,
                relation,
                phone,
                consent_given_by: input.consent.given_by.to_string(),
                consent_basis: input.consent.basis.to_string(),
                consent_text_version: input.consent.text_version.to_string(),
                created_by: caller.user_id,
                created_at: now,
                removed_at: None,
            };
            db::proxies::insert(uow.conn, &row)?;
            uow.in_area(row.area_id);
            uow.audit("add_proxy", "resident", resident.id)?;
            Ok(view(row))
        })
        .await
    }

    /// The resident's proxies, to their family and the area's staff (a staff read of the
    /// names and phones is audited).
    pub async fn list(
        &self,
        caller: &Caller,
        resident: ResidentId,
    ) -> Result<Vec<ProxyView>, AppError> {
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(&self.db, &self.clock, "proxies.list", audit, move |uow| {
            let resident = visible_resident(uow.conn, &caller, resident)?;
            let rows = db::proxies::of_resident(uow.conn, resident.id)?;
            if caller.role.is_staff() && !rows.is_empty() {
                uow.in_area(resident.area()?);
                uow.audit("read_proxies", "resident", resident.id)?;
            }
            Ok(rows.into_iter().map(view).collect())
        })
        .await
    }

    pub async fn remove(
        &self,
        caller: &Caller,
        resident: ResidentId,
        proxy: ProxyId,
    ) -> Result<(), AppError> {
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(&self.db, &self.clock, "proxies.remove", audit, move |uow| {
            let resident = visible_resident(uow.conn, &caller, resident)?;
            let row = db::proxies::find(uow.conn, proxy)?
                .filter(|p| p.resident_id == resident.id && p.removed_at.is_none())
                .ok_or(AppError::NotFound)?;
            let now = uow.now();
            if !db::proxies::remove(uow.conn, row.id, now)? {
                return Err(AppError::NotFound);
            }
            uow.in_area(row.area_id);
            uow.audit("remove_proxy", "resident", resident.id)?;
            Ok(())
        })
        .await
    }
}
