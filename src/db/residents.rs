//! Queries on `residents` and `guardian_links`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{guardian_links, residents};
use super::text::{NullableText, Spelled};
use crate::domain::ids::{AreaId, GuardianLinkId, NeighbourhoodId, ResidentId, UserId};
use crate::domain::plan::PlanStatus;
use crate::domain::request::Fulfilment;
use crate::domain::resident::{GuardianLinkStatus, LocationStatus};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = residents)]
pub struct ResidentRow {
    #[diesel(deserialize_as = Spelled<ResidentId>, serialize_as = String)]
    pub id: ResidentId,
    #[diesel(deserialize_as = Spelled<AreaId>, serialize_as = String)]
    pub area_id: AreaId,
    pub name: String,
    pub phone: String,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    #[diesel(deserialize_as = Spelled<LocationStatus>, serialize_as = String)]
    pub location_status: LocationStatus,
    #[diesel(deserialize_as = Spelled<Option<NeighbourhoodId>>, serialize_as = NullableText)]
    pub neighbourhood_id: Option<NeighbourhoodId>,
    #[diesel(deserialize_as = Spelled<Fulfilment>, serialize_as = String)]
    pub fulfilment: Fulfilment,
    pub care_notes: Option<String>,
    pub care_consent_given_by: Option<String>,
    pub care_consent_basis: Option<String>,
    pub care_consent_text_version: Option<String>,
    pub care_consented_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &ResidentRow) -> Result<(), AppError> {
    diesel::insert_into(residents::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// The resident with their area and the status of the area's plan for `date` (if one is
/// stored), in one query: a create reads all three.
pub fn find_for_order(
    conn: &mut DbConnection,
    id: ResidentId,
    date: &str,
) -> Result<Option<(ResidentRow, super::areas::AreaRow, Option<PlanStatus>)>, AppError> {
    use super::schema::{areas, plans};
    let found: Option<(
        ResidentRow,
        super::areas::AreaRow,
        Spelled<Option<PlanStatus>>,
    )> = residents::table
        .inner_join(areas::table)
        .left_join(
            plans::table.on(plans::area_id
                .eq(residents::area_id)
                .and(plans::delivery_date.eq(date))),
        )
        .filter(residents::id.eq(id))
        .select((
            ResidentRow::as_select(),
            super::areas::AreaRow::as_select(),
            plans::status.nullable(),
        ))
        .get_result(conn)
        .optional()?;
    Ok(found.map(|(resident, area, plan)| (resident, area, plan.into())))
}

pub fn find(conn: &mut DbConnection, id: ResidentId) -> Result<Option<ResidentRow>, AppError> {
    Ok(residents::table
        .find(id.to_string())
        .select(ResidentRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// A page of `area`'s residents in id order after `after`.
pub fn of_area(
    conn: &mut DbConnection,
    area: AreaId,
    review: bool,
    after: Option<String>,
    limit: i64,
) -> Result<Vec<ResidentRow>, AppError> {
    let mut query = residents::table
        .filter(residents::area_id.eq(area.to_string()))
        .select(ResidentRow::as_select())
        .into_boxed();
    // Residents on no polygon (or with no location yet): a coordinator places them.
    if review {
        query = query.filter(residents::neighbourhood_id.is_null());
    }
    if let Some(after) = after {
        query = query.filter(residents::id.gt(after));
    }
    Ok(query.order(residents::id.asc()).limit(limit).load(conn)?)
}

/// The residents `user` is an active guardian of, in id order after `after`.
pub fn of_guardian(
    conn: &mut DbConnection,
    user: UserId,
    after: Option<String>,
    limit: i64,
) -> Result<Vec<ResidentRow>, AppError> {
    let mut query = residents::table
        .inner_join(guardian_links::table)
        .filter(guardian_links::user_id.eq(user.to_string()))
        .filter(guardian_links::status.eq(GuardianLinkStatus::Active.as_str()))
        .select(ResidentRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(residents::id.gt(after));
    }
    Ok(query.order(residents::id.asc()).limit(limit).load(conn)?)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = guardian_links)]
pub struct GuardianLinkRow {
    #[diesel(deserialize_as = Spelled<GuardianLinkId>, serialize_as = String)]
    pub id: GuardianLinkId,
    #[diesel(deserialize_as = Spelled<ResidentId>, serialize_as = String)]
    pub resident_id: ResidentId,
    #[diesel(deserialize_as = Spelled<UserId>, serialize_as = String)]
    pub user_id: UserId,
    pub relation: String,
    #[diesel(deserialize_as = Spelled<GuardianLinkStatus>, serialize_as = String)]
    pub status: GuardianLinkStatus,
    pub consent_given_by: Option<String>,
    pub consent_basis: Option<String>,
    pub consent_text_version: Option<String>,
    pub consented_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn insert_link(conn: &mut DbConnection, row: &GuardianLinkRow) -> Result<(), AppError> {
    match diesel::insert_into(guardian_links::table)
        .values(row.clone())
        .execute(conn)
    {
        Ok(_) => Ok(()),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(AppError::conflict("conflict-already-linked")),
        Err(e) => Err(e.into()),
    }
}

/// The accounts linked to `resident` as active guardians.
pub fn guardians_of(
    conn: &mut DbConnection,
    resident: ResidentId,
) -> Result<Vec<UserId>, AppError> {
    let ids: Vec<String> = guardian_links::table
        .filter(guardian_links::resident_id.eq(resident.to_string()))
        .filter(guardian_links::status.eq(GuardianLinkStatus::Active.as_str()))
        .select(guardian_links::user_id)
        .order(guardian_links::user_id.asc())
        .load(conn)?;
    ids.iter()
        .map(|id| {
            id.parse()
                .map_err(|_| AppError::internal("guardian_links: bad user id"))
        })
        .collect()
}

/// Every link of `resident` (asked for, active or ended), oldest first.
pub fn links_of(
    conn: &mut DbConnection,
    resident: ResidentId,
) -> Result<Vec<GuardianLinkRow>, AppError> {
    Ok(guardian_links::table
        .filter(guardian_links::resident_id.eq(resident.to_string()))
        .select(GuardianLinkRow::as_select())
        .order((guardian_links::created_at.asc(), guardian_links::id.asc()))
        .load(conn)?)
}

/// Whether `user` is an active guardian of `resident`.
pub fn is_guardian(
    conn: &mut DbConnection,
    resident: ResidentId,
    user: UserId,
) -> Result<bool, AppError> {
    let count: i64 = guardian_links::table
        .filter(guardian_links::resident_id.eq(resident.to_string()))
        .filter(guardian_links::user_id.eq(user.to_string()))
        .filter(guardian_links::status.eq(GuardianLinkStatus::Active.as_str()))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

pub fn find_link(
    conn: &mut DbConnection,
    resident: ResidentId,
    user: UserId,
) -> Result<Option<GuardianLinkRow>, AppError> {
    Ok(guardian_links::table
        .filter(guardian_links::resident_id.eq(resident.to_string()))
        .filter(guardian_links::user_id.eq(user.to_string()))
        .select(GuardianLinkRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Turns a requested link into an active one, with the consent now on record.
/// Completes a requested link: its status (active), relation and consent.
pub fn activate_link(conn: &mut DbConnection, row: &GuardianLinkRow) -> Result<(), AppError> {
    diesel::update(guardian_links::table.find(&row.id))
        .set((
            guardian_links::relation.eq(&row.relation),
            guardian_links::status.eq(row.status.as_str()),
            guardian_links::consent_given_by.eq(&row.consent_given_by),
            guardian_links::consent_basis.eq(&row.consent_basis),
            guardian_links::consent_text_version.eq(&row.consent_text_version),
            guardian_links::consented_at.eq(row.consented_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Links family members asked for in `area`, waiting for a coordinator.
pub fn requested_links(
    conn: &mut DbConnection,
    area: AreaId,
) -> Result<Vec<GuardianLinkRow>, AppError> {
    Ok(guardian_links::table
        .inner_join(residents::table)
        .filter(residents::area_id.eq(area.to_string()))
        .filter(guardian_links::status.eq(GuardianLinkStatus::Requested.as_str()))
        .select(GuardianLinkRow::as_select())
        .order((guardian_links::created_at.asc(), guardian_links::id.asc()))
        .limit(500)
        .load(conn)?)
}

pub fn update(conn: &mut DbConnection, row: &ResidentRow) -> Result<(), AppError> {
    diesel::update(residents::table.find(&row.id))
        .set((
            residents::name.eq(&row.name),
            residents::phone.eq(&row.phone),
            residents::address.eq(&row.address),
            residents::lat.eq(row.lat),
            residents::lon.eq(row.lon),
            residents::location_status.eq(row.location_status.as_str()),
            residents::neighbourhood_id.eq(row.neighbourhood_id.map(String::from)),
            residents::fulfilment.eq(row.fulfilment.as_str()),
            residents::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}
