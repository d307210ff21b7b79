//! The geocoder's answers, cached.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::geocode_cache;
use crate::domain::area::Location;
use crate::error::AppError;

pub fn cached(
    conn: &mut DbConnection,
    provider: &str,
    address: &str,
) -> Result<Option<Location>, AppError> {
    Ok(geocode_cache::table
        .find((provider, address))
        .select((geocode_cache::lat, geocode_cache::lon))
        .first::<(f64, f64)>(conn)
        .optional()?
        .map(|(lat, lon)| Location { lat, lon }))
}

/// Keeps an answer; a concurrent writer of the same answer is fine.
pub fn remember(
    conn: &mut DbConnection,
    provider: &str,
    address: &str,
    location: Location,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    if cached(conn, provider, address)?.is_some() {
        return Ok(());
    }
    diesel::insert_into(geocode_cache::table)
        .values((
            geocode_cache::provider.eq(provider),
            geocode_cache::address.eq(address),
            geocode_cache::lat.eq(location.lat),
            geocode_cache::lon.eq(location.lon),
            geocode_cache::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Retention: answers cached before `before` (an address is asked again when next needed).
pub fn delete_before(
    conn: &mut DbConnection,
    before: chrono::NaiveDateTime,
) -> Result<usize, AppError> {
    Ok(
        diesel::delete(geocode_cache::table.filter(geocode_cache::created_at.lt(before)))
            .execute(conn)?,
    )
}
