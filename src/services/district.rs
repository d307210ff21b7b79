//! The district a coordinator sets up: areas and hubs.

use crate::domain::text::Line;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::audit::Audit;
use super::caller::Caller;
use super::precondition::parse_if_match;
use super::unit_of_work;
use crate::db::areas::{AreaRow, HubRow};
use crate::db::{self, Db, DbConnection};
use crate::domain::area::{
    self, Area, CutoffRule, DEFAULT_CIRCUITY_FACTOR, DEFAULT_CO2_KG_PER_KM, HubKind, Location,
    OpeningHours, Storage,
};
use crate::domain::clock::Clock;
use crate::domain::ids::{AreaId, HubId, UserId};
use crate::domain::watch_over::{ColdChain, Step, WatchOver, WelfareContact};
use crate::error::AppError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewArea {
    pub name: Line,
    #[serde(default = "default_time_zone")]
    pub time_zone: Line,
    #[serde(default = "default_cutoff_time")]
    pub cutoff_time: Line,
    #[serde(default = "default_cutoff_days_before")]
    pub cutoff_days_before: i64,
    pub depot: Option<Location>,
    pub co2_kg_per_km: Option<f64>,
    pub circuity_factor: Option<f64>,
}

fn default_time_zone() -> Line {
    "Asia/Tokyo".into()
}
fn default_cutoff_time() -> Line {
    "16:00".into()
}
fn default_cutoff_days_before() -> i64 {
    1
}

impl NewArea {
    /// An area with every default: what `yui admin create-user --area NAME` makes.
    pub fn named(name: &str) -> Self {
        NewArea {
            name: name.into(),
            time_zone: default_time_zone(),
            cutoff_time: default_cutoff_time(),
            cutoff_days_before: default_cutoff_days_before(),
            depot: None,
            co2_kg_per_km: None,
            circuity_factor: None,
        }
    }
}

/// An area as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AreaView {
    pub id: AreaId,
    pub name: String,
    pub time_zone: String,
    pub cutoff_time: String,
    pub cutoff_days_before: u32,
    pub depot: Option<Location>,
    pub co2_kg_per_km: f64,
    pub circuity_factor: f64,
}

impl From<&Area> for AreaView {
    fn from(a: &Area) -> Self {
        AreaView {
            id: a.id,
            name: a.name.clone(),
            time_zone: a.time_zone.name().to_owned(),
            cutoff_time: a.cutoff.time.format("%H:%M").to_string(),
            cutoff_days_before: a.cutoff.days_before,
            depot: a.depot,
            co2_kg_per_km: a.co2_kg_per_km,
            circuity_factor: a.circuity_factor,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewHub {
    pub name: Line,
    pub kind: Line,
    pub location: Location,
    pub storage: Storage,
    #[serde(default)]
    pub opening_hours: Vec<OpeningHours>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HubView {
    pub id: HubId,
    pub area_id: AreaId,
    pub name: String,
    pub kind: HubKind,
    pub location: Location,
    pub storage: Storage,
    pub opening_hours: Vec<OpeningHours>,
    /// The hub keepers' user ids (on single-hub reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keeper_ids: Option<Vec<UserId>>,
}

impl HubRow {
    pub fn view(&self) -> Result<HubView, AppError> {
        let corrupt = |what: &str| AppError::internal(format!("hubs row {}: bad {what}", self.id));
        let slots = |v: i32| u32::try_from(v).unwrap_or(0);
        Ok(HubView {
            id: self.id,
            area_id: self.area_id,
            name: self.name.clone(),
            kind: HubKind::parse(&self.kind).map_err(|_| corrupt("kind"))?,
            location: Location {
                lat: self.lat,
                lon: self.lon,
            },
            storage: Storage {
                ambient: slots(self.storage_ambient),
                chilled: slots(self.storage_chilled),
                frozen: slots(self.storage_frozen),
            },
            opening_hours: serde_json::from_str(&self.opening_hours)
                .map_err(|_| corrupt("opening_hours"))?,
            keeper_ids: None,
        })
    }
}

#[derive(Clone)]
pub struct District {
    db: Db,
    clock: Clock,
}

/// The area `id`, or 404 when it does not exist or the caller does not work in it.
pub fn area_for(conn: &mut DbConnection, caller: &Caller, id: AreaId) -> Result<Area, AppError> {
    if !caller.works_in(id) {
        return Err(AppError::NotFound);
    }
    db::areas::find(conn, id)?
        .ok_or(AppError::NotFound)?
        .into_area()
}

fn check_factor(field: &str, value: Option<f64>, default: f64, max: f64) -> Result<f64, AppError> {
    let value = value.unwrap_or(default);
    if value.is_finite() && value > 0.0 && value <= max {
        Ok(value)
    } else {
        Err(AppError::invalid(
            field,
            crate::domain::error::Message::new("invalid-positive").arg("max", max),
        ))
    }
}

impl District {
    pub fn new(db: Db, clock: Clock) -> Self {
        District { db, clock }
    }

    fn area_row(input: &NewArea, now: NaiveDateTime) -> Result<AreaRow, AppError> {
        let name = area::check_name("name", &input.name, 100)?;
        let zone = area::parse_time_zone(&input.time_zone)?;
        let cutoff = CutoffRule::parse(&input.cutoff_time, input.cutoff_days_before)?;
        let depot = input.depot.map(|d| d.validate("depot")).transpose()?;
        Ok(AreaRow {
            id: AreaId::new(),
            name,
            time_zone: zone.name().to_owned(),
            cutoff_time: cutoff.time.format("%H:%M").to_string(),
            cutoff_days_before: i32::try_from(cutoff.days_before).unwrap_or(1),
            depot_lat: depot.map(|d| d.lat),
            depot_lon: depot.map(|d| d.lon),
            co2_kg_per_km: check_factor(
                "co2_kg_per_km",
                input.co2_kg_per_km,
                DEFAULT_CO2_KG_PER_KM,
                10.0,
            )?,
            circuity_factor: check_factor(
                "circuity_factor",
                input.circuity_factor,
                DEFAULT_CIRCUITY_FACTOR,
                5.0,
            )?,
            created_at: now,
            day_settings: None,
            settings_version: 1,
        })
    }

    pub async fn create_area(&self, audit: Audit, input: NewArea) -> Result<Area, AppError> {
        let now = self.clock.now_naive();
        let row = Self::area_row(&input, now)?;
        self.db
            .transaction("areas.create", move |conn| {
                db::areas::insert(conn, &row)?;
                let area = row.into_area()?;
                audit
                    .in_area(area.id)
                    .record(conn, now, "create", "area", area.id)?;
                Ok(area)
            })
            .await
    }

    /// The area called `name`, made with every default if there is none (for the CLI).
    pub async fn area_named(&self, name: &str) -> Result<Area, AppError> {
        let now = self.clock.now_naive();
        let row = Self::area_row(&NewArea::named(name), now)?;
        self.db
            .transaction("areas.find_or_create", move |conn| {
                if let Some(existing) = db::areas::find_by_name(conn, &row.name)? {
                    return existing.into_area();
                }
                db::areas::insert(conn, &row)?;
                let area = row.into_area()?;
                Audit::anonymous(Some(area.id)).record(conn, now, "create", "area", area.id)?;
                Ok(area)
            })
            .await
    }

    pub async fn area(&self, caller: &Caller, id: AreaId) -> Result<Area, AppError> {
        let caller = caller.clone();
        self.db
            .run("areas.find", move |conn| area_for(conn, &caller, id))
            .await
    }

    /// Admins see every area; everyone else the one they belong to.
    pub async fn areas(&self, caller: &Caller) -> Result<Vec<Area>, AppError> {
        let caller = caller.clone();
        self.db
            .run("areas.list", move |conn| {
                db::areas::list(conn)?
                    .into_iter()
                    .map(AreaRow::into_area)
                    .filter(|a| a.as_ref().map_or(true, |a| caller.works_in(a.id)))
                    .collect()
            })
            .await
    }

    pub async fn create_hub(&self, caller: &Caller, input: NewHub) -> Result<HubView, AppError> {
        let now = self.clock.now_naive();
        let area_id = caller.area()?;
        let name = area::check_name("name", &input.name, 100)?;
        let kind = HubKind::parse(&input.kind)?;
        let location = input.location.validate("location")?;
        area::check_opening_hours(&input.opening_hours)?;
        let slots = |v: u32| {
            i32::try_from(v).map_err(|_| AppError::invalid("storage", "invalid-too-large"))
        };
        let row = HubRow {
            id: HubId::new(),
            area_id,
            name,
            kind: kind.as_str().to_owned(),
            lat: location.lat,
            lon: location.lon,
            storage_ambient: slots(input.storage.ambient)?,
            storage_chilled: slots(input.storage.chilled)?,
            storage_frozen: slots(input.storage.frozen)?,
            opening_hours: serde_json::to_string(&input.opening_hours)
                .map_err(|e| AppError::internal(e.to_string()))?,
            created_at: now,
        };
        let audit = Audit::by(caller, Some(area_id));
        self.db
            .transaction("hubs.create", move |conn| {
                db::areas::insert_hub(conn, &row)?;
                let hub = row.view()?;
                audit.record(conn, now, "create", "hub", hub.id)?;
                Ok(hub)
            })
            .await
    }

    pub async fn hub(&self, caller: &Caller, id: HubId) -> Result<HubView, AppError> {
        let caller = caller.clone();
        self.db
            .run("hubs.find", move |conn| {
                let row = db::areas::find_hub(conn, id)?.ok_or(AppError::NotFound)?;
                let mut hub = row.view()?;
                if !caller.works_in(hub.area_id) {
                    return Err(AppError::NotFound);
                }
                hub.keeper_ids = Some(db::areas::keepers_of(conn, row.id)?);
                Ok(hub)
            })
            .await
    }

    /// Makes `user` (a hub keeper account) a keeper of hub `id`; a keeper without an area
    /// joins the hub's.
    pub async fn add_keeper(
        &self,
        caller: &Caller,
        id: HubId,
        user: UserId,
    ) -> Result<HubView, AppError> {
        let now = self.clock.now_naive();
        let audit = Audit::by(caller, caller.area_id);
        let staff = caller.clone();
        self.db
            .transaction("hubs.add_keeper", move |conn| {
                let hub = db::areas::find_hub(conn, id)?
                    .ok_or(AppError::NotFound)?
                    .view()?;
                if !staff.works_in(hub.area_id) {
                    return Err(AppError::NotFound);
                }
                super::accounts::join_area(
                    conn,
                    user,
                    crate::domain::account::Role::HubKeeper,
                    hub.area_id,
                    "invalid-keeper-other-area",
                )?;
                db::areas::add_keeper(conn, id, user, now)?;
                audit
                    .clone()
                    .in_area(hub.area_id)
                    .record(conn, now, "add_keeper", "hub", id)?;
                Ok(())
            })
            .await?;
        self.hub(caller, id).await
    }

    /// The hubs `caller` looks after: a keeper's own, all of the area for its staff.
    pub async fn hubs_in_charge(&self, caller: &Caller) -> Result<Vec<HubView>, AppError> {
        let area_id = caller.area()?;
        let caller = caller.clone();
        self.db
            .run("hubs.in_charge", move |conn| {
                let kept = if caller.role.is_staff() {
                    None
                } else {
                    Some(db::areas::hubs_of_keeper(conn, caller.user_id)?)
                };
                db::areas::hubs_of(conn, area_id)?
                    .iter()
                    .filter(|hub| kept.as_ref().is_none_or(|ids| ids.contains(&hub.id)))
                    .map(HubRow::view)
                    .collect()
            })
            .await
    }

    pub async fn hubs(&self, caller: &Caller) -> Result<Vec<HubView>, AppError> {
        let area_id = caller.area()?;
        self.db
            .run("hubs.list", move |conn| {
                db::areas::hubs_of(conn, area_id)?
                    .iter()
                    .map(HubRow::view)
                    .collect()
            })
            .await
    }

    /// The area with its delivery-day settings and their version (the ETag of edits).
    pub async fn area_settings(
        &self,
        caller: &Caller,
        id: AreaId,
    ) -> Result<AreaSettingsView, AppError> {
        let caller = caller.clone();
        self.db
            .run("areas.settings", move |conn| {
                settings_view(conn, &caller, id)
            })
            .await
    }

    /// A coordinator of the area changes its delivery-day settings; each part sent replaces
    /// that part whole. Needs `If-Match` with the settings' version.
    pub async fn update_settings(
        &self,
        caller: &Caller,
        id: AreaId,
        if_match: Option<String>,
        changes: SettingsChanges,
    ) -> Result<AreaSettingsView, AppError> {
        let precondition = parse_if_match(if_match)?;
        let caller = caller.clone();
        let audit = Audit::by(&caller, Some(id));
        unit_of_work::write(&self.db, &self.clock, "areas.settings", audit, move |uow| {
            if !(caller.role.is_staff() && caller.works_in(id)) {
                return Err(AppError::NotFound);
            }
            let row = db::areas::find(uow.conn, id)?.ok_or(AppError::NotFound)?;
            let mut settings = row.day_settings()?;
            if let Some(watch_over) = changes.watch_over {
                settings.watch_over = watch_over.checked()?;
            }
            if let Some(cold_chain) = changes.cold_chain {
                settings.cold_chain = cold_chain;
            }
            if let Some(days) = changes.image_retention_days {
                settings.image_retention_days = days;
            }
            settings.check()?;
            let mut rules = row.clone();
            if changes.cutoff_time.is_some() || changes.cutoff_days_before.is_some() {
                let time = changes.cutoff_time.as_deref().unwrap_or(&row.cutoff_time);
                let days = changes
                    .cutoff_days_before
                    .unwrap_or(i64::from(row.cutoff_days_before));
                let cutoff = CutoffRule::parse(time, days)?;
                rules.cutoff_time = cutoff.time.format("%H:%M").to_string();
                rules.cutoff_days_before = i32::try_from(cutoff.days_before).unwrap_or(1);
            }
            if let Some(depot) = changes.depot {
                let depot = depot.validate("depot")?;
                rules.depot_lat = Some(depot.lat);
                rules.depot_lon = Some(depot.lon);
            }
            if changes.co2_kg_per_km.is_some() {
                rules.co2_kg_per_km =
                    check_factor("co2_kg_per_km", changes.co2_kg_per_km, 0.0, 10.0)?;
            }
            if changes.circuity_factor.is_some() {
                rules.circuity_factor =
                    check_factor("circuity_factor", changes.circuity_factor, 0.0, 5.0)?;
            }
            match precondition {
                None => return Err(AppError::PreconditionRequired),
                Some(p) if !p.admits(row.settings_version) => {
                    return Err(AppError::PreconditionFailed);
                }
                Some(_) => {}
            }
            let json =
                serde_json::to_string(&settings).map_err(|e| AppError::internal(e.to_string()))?;
            rules.day_settings = Some(json);
            if !db::areas::set_settings(uow.conn, &rules, row.settings_version)? {
                return Err(AppError::PreconditionFailed);
            }
            uow.audit("update_settings", "area", id)?;
            settings_view(uow.conn, &caller, id)
        })
        .await
    }
}

/// An area as `GET /areas/{id}` shows it: with its delivery-day settings.
#[derive(Debug, Clone, Serialize)]
pub struct AreaSettingsView {
    #[serde(flatten)]
    pub area: AreaView,
    pub watch_over: WatchOver,
    pub cold_chain: ColdChain,
    pub image_retention_days: u32,
    #[serde(skip)]
    pub settings_version: i32,
}

impl AreaSettingsView {
    pub fn etag(&self) -> String {
        format!("\"v{}\"", self.settings_version)
    }
}

fn settings_view(
    conn: &mut DbConnection,
    caller: &Caller,
    id: AreaId,
) -> Result<AreaSettingsView, AppError> {
    if !caller.works_in(id) {
        return Err(AppError::NotFound);
    }
    let row = db::areas::find(conn, id)?.ok_or(AppError::NotFound)?;
    let settings = row.day_settings()?;
    let version = row.settings_version;
    let area = row.into_area()?;
    Ok(AreaSettingsView {
        area: AreaView::from(&area),
        watch_over: settings.watch_over,
        cold_chain: settings.cold_chain,
        image_retention_days: settings.image_retention_days,
        settings_version: version,
    })
}

/// What `PATCH /areas/{id}` may change.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsChanges {
    #[serde(default)]
    pub cutoff_time: Option<Line>,
    #[serde(default)]
    pub cutoff_days_before: Option<i64>,
    #[serde(default)]
    pub depot: Option<Location>,
    #[serde(default)]
    pub co2_kg_per_km: Option<f64>,
    #[serde(default)]
    pub circuity_factor: Option<f64>,
    #[serde(default)]
    pub watch_over: Option<WatchOverInput>,
    #[serde(default)]
    pub cold_chain: Option<ColdChain>,
    #[serde(default)]
    pub image_retention_days: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchOverInput {
    pub steps: Vec<Step>,
    #[serde(default)]
    pub welfare_contact: Option<WelfareContactInput>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WelfareContactInput {
    pub name: Line,
    pub phone: Line,
}

impl WatchOverInput {
    fn checked(self) -> Result<WatchOver, AppError> {
        let welfare_contact = match self.welfare_contact {
            Some(contact) => Some(WelfareContact {
                name: area::check_name("watch_over.welfare_contact.name", &contact.name, 100)?,
                phone: super::residents::check_phone(&contact.phone).map_err(|e| match e {
                    AppError::Invalid { message, .. } => AppError::Invalid {
                        field: "watch_over.welfare_contact.phone".into(),
                        message,
                    },
                    other => other,
                })?,
            }),
            None => None,
        };
        Ok(WatchOver {
            steps: self.steps,
            welfare_contact,
        })
    }
}
