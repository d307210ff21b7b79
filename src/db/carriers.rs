//! Queries on `volunteer_profiles` and `post_trips`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{post_trips, volunteer_profiles};
use super::text::Spelled;
use crate::domain::ids::{AreaId, PostTripId, UserId};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = volunteer_profiles)]
pub struct VolunteerProfileRow {
    #[diesel(deserialize_as = Spelled<UserId>, serialize_as = String)]
    pub user_id: UserId,
    pub home_lat: f64,
    pub home_lon: f64,
    #[diesel(deserialize_as = Spelled<crate::domain::carrier::Vehicle>, serialize_as = String)]
    pub vehicle: crate::domain::carrier::Vehicle,
    pub capacity_litres: i32,
    pub cold_box: bool,
    pub max_distance_km: f64,
    pub availability: String,
    pub updated_at: NaiveDateTime,
    /// What families are told to call the volunteer.
    pub public_name: String,
}

/// Writes the profile of `row.user_id`, replacing any earlier one.
pub fn put_profile(conn: &mut DbConnection, row: &VolunteerProfileRow) -> Result<(), AppError> {
    diesel::delete(volunteer_profiles::table.find(&row.user_id)).execute(conn)?;
    diesel::insert_into(volunteer_profiles::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn find_profile(
    conn: &mut DbConnection,
    user: UserId,
) -> Result<Option<VolunteerProfileRow>, AppError> {
    Ok(volunteer_profiles::table
        .find(user.to_string())
        .select(VolunteerProfileRow::as_select())
        .get_result(conn)
        .optional()?)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = post_trips)]
pub struct PostTripRow {
    #[diesel(deserialize_as = Spelled<PostTripId>, serialize_as = String)]
    pub id: PostTripId,
    #[diesel(deserialize_as = Spelled<AreaId>, serialize_as = String)]
    pub area_id: AreaId,
    pub name: String,
    pub origin_lat: f64,
    pub origin_lon: f64,
    pub weekdays: String,
    pub departure: String,
    pub hub_ids: String,
    pub spare_ambient: i32,
    pub spare_chilled: i32,
    pub spare_frozen: i32,
    pub created_at: NaiveDateTime,
}

pub fn insert_trip(conn: &mut DbConnection, row: &PostTripRow) -> Result<(), AppError> {
    diesel::insert_into(post_trips::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn trips_of(conn: &mut DbConnection, area: AreaId) -> Result<Vec<PostTripRow>, AppError> {
    Ok(post_trips::table
        .filter(post_trips::area_id.eq(area.to_string()))
        .select(PostTripRow::as_select())
        .order((post_trips::name.asc(), post_trips::id.asc()))
        .load(conn)?)
}

pub fn find_trip(conn: &mut DbConnection, id: PostTripId) -> Result<Option<PostTripRow>, AppError> {
    Ok(post_trips::table
        .find(id.to_string())
        .select(PostTripRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Whether `user` is linked to drive `trip`.
pub fn is_trip_carrier(
    conn: &mut DbConnection,
    trip: PostTripId,
    user: crate::domain::ids::UserId,
) -> Result<bool, AppError> {
    use super::schema::post_trip_carriers;
    Ok(post_trip_carriers::table
        .find((trip.to_string(), user.to_string()))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Links `user` to drive `trip` (again: nothing changes).
pub fn link_trip_carrier(
    conn: &mut DbConnection,
    trip: PostTripId,
    user: crate::domain::ids::UserId,
    at: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    use super::schema::post_trip_carriers;
    if is_trip_carrier(conn, trip, user)? {
        return Ok(());
    }
    diesel::insert_into(post_trip_carriers::table)
        .values((
            post_trip_carriers::post_trip_id.eq(trip.to_string()),
            post_trip_carriers::user_id.eq(user.to_string()),
            post_trip_carriers::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// False if the link was not there.
pub fn unlink_trip_carrier(
    conn: &mut DbConnection,
    trip: PostTripId,
    user: crate::domain::ids::UserId,
) -> Result<bool, AppError> {
    use super::schema::post_trip_carriers;
    Ok(
        diesel::delete(post_trip_carriers::table.find((trip.to_string(), user.to_string())))
            .execute(conn)?
            == 1,
    )
}

/// The carriers linked to `trip`, by user id.
pub fn trip_carriers(
    conn: &mut DbConnection,
    trip: PostTripId,
) -> Result<Vec<crate::domain::ids::UserId>, AppError> {
    use super::schema::post_trip_carriers;
    Ok(post_trip_carriers::table
        .filter(post_trip_carriers::post_trip_id.eq(trip))
        .select(post_trip_carriers::user_id)
        .order(post_trip_carriers::user_id.asc())
        .load::<super::text::Spelled<crate::domain::ids::UserId>>(conn)?
        .into_iter()
        .map(|id| id.0)
        .collect())
}

/// The post trips `user` is linked to drive.
pub fn trips_of_carrier(
    conn: &mut DbConnection,
    user: crate::domain::ids::UserId,
) -> Result<Vec<PostTripId>, AppError> {
    use super::schema::post_trip_carriers;
    Ok(post_trip_carriers::table
        .filter(post_trip_carriers::user_id.eq(user))
        .select(post_trip_carriers::post_trip_id)
        .load::<super::text::Spelled<PostTripId>>(conn)?
        .into_iter()
        .map(|id| id.0)
        .collect())
}
