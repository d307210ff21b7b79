//! Queries on `neighbourhoods`, and the residents' neighbourhood column they drive.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use uuid::Uuid;

use super::DbConnection;
use super::schema::{neighbourhoods, residents};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = neighbourhoods)]
pub struct NeighbourhoodRow {
    pub id: String,
    pub area_id: String,
    pub name: String,
    pub boundary: String,
    pub default_hub_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &NeighbourhoodRow) -> Result<(), AppError> {
    diesel::insert_into(neighbourhoods::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn update(conn: &mut DbConnection, row: &NeighbourhoodRow) -> Result<(), AppError> {
    diesel::update(neighbourhoods::table.find(&row.id))
        .set((
            neighbourhoods::name.eq(&row.name),
            neighbourhoods::boundary.eq(&row.boundary),
            neighbourhoods::default_hub_id.eq(&row.default_hub_id),
            neighbourhoods::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: Uuid) -> Result<Option<NeighbourhoodRow>, AppError> {
    Ok(neighbourhoods::table
        .find(id.to_string())
        .select(NeighbourhoodRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every neighbourhood of `area`, oldest first (the order that breaks ties on shared edges).
pub fn of_area(conn: &mut DbConnection, area: Uuid) -> Result<Vec<NeighbourhoodRow>, AppError> {
    Ok(neighbourhoods::table
        .filter(neighbourhoods::area_id.eq(area.to_string()))
        .select(NeighbourhoodRow::as_select())
        .order((neighbourhoods::created_at.asc(), neighbourhoods::id.asc()))
        .load(conn)?)
}

/// A resident with a location, and the neighbourhood it is placed in now.
pub struct LocatedResident {
    pub id: String,
    pub lon: f64,
    pub lat: f64,
    pub neighbourhood_id: Option<String>,
}

type LocationColumns = (String, Option<f64>, Option<f64>, Option<String>);

/// `area`'s residents that have a location.
pub fn located_residents(
    conn: &mut DbConnection,
    area: Uuid,
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
                id,
                lon: lon?,
                lat: lat?,
                neighbourhood_id,
            })
        })
        .collect())
}

pub fn set_resident_neighbourhood(
    conn: &mut DbConnection,
    resident: &str,
    neighbourhood: Option<String>,
) -> Result<(), AppError> {
    diesel::update(residents::table.find(resident))
        .set(residents::neighbourhood_id.eq(neighbourhood))
        .execute(conn)?;
    Ok(())
}

/// Serialises writers of `area`'s neighbourhoods, so that two concurrent saves cannot both pass
/// the overlap check. PostgreSQL locks the area's row; on SQLite, `BEGIN IMMEDIATE` and the
/// process's writer queue already let one writer in at a time.
pub fn lock_area(conn: &mut DbConnection, area: Uuid) -> Result<(), AppError> {
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
