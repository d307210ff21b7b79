//! Queries on `neighbourhoods`, and the residents' neighbourhood column they drive.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{neighbourhoods, residents};
use super::text::{NullableText, Spelled};
use crate::domain::ids::{AreaId, HubId, NeighbourhoodId, ResidentId};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = neighbourhoods)]
pub struct NeighbourhoodRow {
    #[diesel(deserialize_as = Spelled<NeighbourhoodId>, serialize_as = String)]
    pub id: NeighbourhoodId,
    #[diesel(deserialize_as = Spelled<AreaId>, serialize_as = String)]
    pub area_id: AreaId,
    pub name: String,
    pub boundary: String,
    #[diesel(deserialize_as = Spelled<Option<HubId>>, serialize_as = NullableText)]
    pub default_hub_id: Option<HubId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &NeighbourhoodRow) -> Result<(), AppError> {
    diesel::insert_into(neighbourhoods::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn update(conn: &mut DbConnection, row: &NeighbourhoodRow) -> Result<(), AppError> {
    diesel::update(neighbourhoods::table.find(&row.id))
        .set((
            neighbourhoods::name.eq(&row.name),
            neighbourhoods::boundary.eq(&row.boundary),
            neighbourhoods::default_hub_id.eq(row.default_hub_id.map(String::from)),
            neighbourhoods::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(
    conn: &mut DbConnection,
    id: NeighbourhoodId,
) -> Result<Option<NeighbourhoodRow>, AppError> {
    Ok(neighbourhoods::table
        .find(id.to_string())
        .select(NeighbourhoodRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Every neighbourhood of `area`, oldest first (the order that breaks ties on shared edges).
pub fn of_area(conn: &mut DbConnection, area: AreaId) -> Result<Vec<NeighbourhoodRow>, AppError> {
    Ok(neighbourhoods::table
        .filter(neighbourhoods::area_id.eq(area.to_string()))
        .select(NeighbourhoodRow::as_select())
        .order((neighbourhoods::created_at.asc(), neighbourhoods::id.asc()))
        .load(conn)?)
}

/// A resident with a location, and the neighbourhood it is placed in now.
pub struct LocatedResident {
    pub id: ResidentId,
    pub lon: f64,
    pub lat: f64,
    pub neighbourhood_id: Option<NeighbourhoodId>,
}

type LocationColumns = (
    Spelled<ResidentId>,
    Option<f64>,
    Option<f64>,
    Spelled<Option<NeighbourhoodId>>,
);

/// `area`'s residents that have a location.
pub fn located_residents(
    conn: &mut DbConnection,
    area: AreaId,
) -> Result<Vec<LocatedResident>, AppError> {
    let rows: Vec<LocationColumns> = residents::table
        .filter(residents::area_id.eq(area.to_string()))
        .filter(residents::lat.is_not_null())
        .select((
            residents::id,
            residents::lon,
            residents::lat,
            residents::neighbourhood_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, lon, lat, neighbourhood_id)| {
            Some(LocatedResident {
                id: id.0,
                lon: lon?,
                lat: lat?,
                neighbourhood_id: neighbourhood_id.0,
            })
        })
        .collect())
}

pub fn set_resident_neighbourhood(
    conn: &mut DbConnection,
    resident: ResidentId,
    neighbourhood: Option<NeighbourhoodId>,
) -> Result<(), AppError> {
    diesel::update(residents::table.find(resident))
        .set(residents::neighbourhood_id.eq(neighbourhood.map(String::from)))
        .execute(conn)?;
    Ok(())
}

/// Serialises writers of `area`'s neighbourhoods, so that two concurrent saves cannot both pass
/// the overlap check. PostgreSQL locks the area's row; on SQLite, `BEGIN IMMEDIATE` and the
/// process's writer queue already let one writer in at a time.
pub fn lock_area(conn: &mut DbConnection, area: AreaId) -> Result<(), AppError> {
    match conn {
        #[cfg(feature = "postgres")]
        DbConnection::Postgres(c) => {
            diesel::sql_query("SELECT id FROM areas WHERE id = $1 FOR UPDATE")
                .bind::<diesel::sql_types::Text, _>(area.to_string())
                .execute(c)?;
            Ok(())
        }
        #[cfg(feature = "sqlite")]
        DbConnection::Sqlite(_) => {
            let _ = area;
            Ok(())
        }
    }
}
