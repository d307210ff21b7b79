//! Queries on `areas` and `hubs`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{areas, hub_keepers, hubs};
use super::text::Spelled;
use crate::domain::ids::{AreaId, HubId, UserId};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = areas)]
pub struct AreaRow {
    #[diesel(deserialize_as = Spelled<AreaId>, serialize_as = String)]
    pub id: AreaId,
    pub name: String,
    pub time_zone: String,
    pub cutoff_time: String,
    pub cutoff_days_before: i32,
    pub depot_lat: Option<f64>,
    pub depot_lon: Option<f64>,
    pub co2_kg_per_km: f64,
    pub circuity_factor: f64,
    pub created_at: NaiveDateTime,
    /// JSON `DaySettings`; none is the defaults.
    pub day_settings: Option<String>,
    pub settings_version: i32,
}

pub fn insert(conn: &mut DbConnection, row: &AreaRow) -> Result<(), AppError> {
    match diesel::insert_into(areas::table)
        .values(row.clone())
        .execute(conn)
    {
        Ok(_) => Ok(()),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(AppError::conflict("conflict-area-name-taken")),
        Err(e) => Err(e.into()),
    }
}

pub fn find(conn: &mut DbConnection, id: AreaId) -> Result<Option<AreaRow>, AppError> {
    Ok(areas::table
        .find(id.to_string())
        .select(AreaRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn find_by_name(conn: &mut DbConnection, name: &str) -> Result<Option<AreaRow>, AppError> {
    Ok(areas::table
        .filter(areas::name.eq(name))
        .select(AreaRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn list(conn: &mut DbConnection) -> Result<Vec<AreaRow>, AppError> {
    Ok(areas::table
        .select(AreaRow::as_select())
        .order((areas::name.asc(), areas::id.asc()))
        .load(conn)?)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = hubs)]
pub struct HubRow {
    #[diesel(deserialize_as = Spelled<HubId>, serialize_as = String)]
    pub id: HubId,
    #[diesel(deserialize_as = Spelled<AreaId>, serialize_as = String)]
    pub area_id: AreaId,
    pub name: String,
    pub kind: String,
    pub lat: f64,
    pub lon: f64,
    pub storage_ambient: i32,
    pub storage_chilled: i32,
    pub storage_frozen: i32,
    pub opening_hours: String,
    pub created_at: NaiveDateTime,
}

pub fn insert_hub(conn: &mut DbConnection, row: &HubRow) -> Result<(), AppError> {
    diesel::insert_into(hubs::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn find_hub(conn: &mut DbConnection, id: HubId) -> Result<Option<HubRow>, AppError> {
    Ok(hubs::table
        .find(id.to_string())
        .select(HubRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn hubs_of(conn: &mut DbConnection, area_id: AreaId) -> Result<Vec<HubRow>, AppError> {
    Ok(hubs::table
        .filter(hubs::area_id.eq(area_id.to_string()))
        .select(HubRow::as_select())
        .order((hubs::name.asc(), hubs::id.asc()))
        .load(conn)?)
}

impl AreaRow {
    pub fn into_area(self) -> Result<crate::domain::area::Area, AppError> {
        use crate::domain::area::{Area, CutoffRule, Location, parse_time_zone};
        let corrupt = |what: &str| AppError::internal(format!("areas row {}: bad {what}", self.id));
        Ok(Area {
            id: self.id,
            name: self.name.clone(),
            time_zone: parse_time_zone(&self.time_zone).map_err(|_| corrupt("time_zone"))?,
            cutoff: CutoffRule::parse(&self.cutoff_time, i64::from(self.cutoff_days_before))
                .map_err(|_| corrupt("cutoff"))?,
            depot: match (self.depot_lat, self.depot_lon) {
                (Some(lat), Some(lon)) => Some(Location { lat, lon }),
                _ => None,
            },
            co2_kg_per_km: self.co2_kg_per_km,
            circuity_factor: self.circuity_factor,
        })
    }

    /// The area's delivery-day settings (the defaults until a coordinator sets them).
    pub fn day_settings(&self) -> Result<crate::domain::watch_over::DaySettings, AppError> {
        match &self.day_settings {
            None => Ok(crate::domain::watch_over::DaySettings::default()),
            Some(json) => serde_json::from_str(json).map_err(|e| {
                AppError::internal(format!("areas row {}: bad day_settings: {e}", self.id))
            }),
        }
    }
}

/// Links a hub keeper to a hub; linking twice is a no-op.
pub fn add_keeper(
    conn: &mut DbConnection,
    hub: HubId,
    user: UserId,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let exists: i64 = hub_keepers::table
        .filter(hub_keepers::hub_id.eq(hub.to_string()))
        .filter(hub_keepers::user_id.eq(user.to_string()))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(hub_keepers::table)
            .values((
                hub_keepers::hub_id.eq(hub.to_string()),
                hub_keepers::user_id.eq(user.to_string()),
                hub_keepers::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn keepers_of(conn: &mut DbConnection, hub: HubId) -> Result<Vec<UserId>, AppError> {
    Ok(hub_keepers::table
        .filter(hub_keepers::hub_id.eq(hub))
        .select(hub_keepers::user_id)
        .order(hub_keepers::user_id.asc())
        .load::<Spelled<UserId>>(conn)?
        .into_iter()
        .map(|id| id.0)
        .collect())
}

/// Writes the area's rules (cutoff, depot, factors) and delivery-day settings from `row`
/// if its settings are still at `version`; whether they were.
pub fn set_settings(
    conn: &mut DbConnection,
    row: &AreaRow,
    version: i32,
) -> Result<bool, AppError> {
    let changed = diesel::update(
        areas::table
            .find(row.id.to_string())
            .filter(areas::settings_version.eq(version)),
    )
    .set((
        areas::cutoff_time.eq(&row.cutoff_time),
        areas::cutoff_days_before.eq(row.cutoff_days_before),
        areas::depot_lat.eq(row.depot_lat),
        areas::depot_lon.eq(row.depot_lon),
        areas::co2_kg_per_km.eq(row.co2_kg_per_km),
        areas::circuity_factor.eq(row.circuity_factor),
        areas::day_settings.eq(row.day_settings.as_deref()),
        areas::settings_version.eq(version + 1),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// The hubs `user` keeps.
pub fn hubs_of_keeper(conn: &mut DbConnection, user: UserId) -> Result<Vec<HubId>, AppError> {
    Ok(hub_keepers::table
        .filter(hub_keepers::user_id.eq(user))
        .select(hub_keepers::hub_id)
        .load::<Spelled<HubId>>(conn)?
        .into_iter()
        .map(|id| id.0)
        .collect())
}
