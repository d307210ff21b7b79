//! Queries on `users`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::users;
use super::text::{NullableText, Spelled};
use crate::domain::account::{Role, User, UserFilter, UserScope, UserStatus};
use crate::domain::ids::{AreaId, RefreshTokenId, UserId};
use crate::error::AppError;

#[derive(Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    #[diesel(deserialize_as = Spelled<UserId>, serialize_as = String)]
    pub id: UserId,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: String,
    pub status: String,
    pub locale: String,
    pub failed_logins: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    #[diesel(deserialize_as = Spelled<Option<AreaId>>, serialize_as = NullableText)]
    pub area_id: Option<AreaId>,
}

impl UserRow {
    pub fn new(user: &User, password_hash: String) -> Self {
        UserRow {
            id: user.id,
            email: user.email.clone(),
            password_hash,
            display_name: user.display_name.clone(),
            role: user.role.as_str().to_owned(),
            status: user.status.as_str().to_owned(),
            locale: user.locale.as_str().to_owned(),
            failed_logins: 0,
            locked_until: None,
            created_at: user.created_at,
            updated_at: user.created_at,
            area_id: user.area_id,
        }
    }

    pub fn into_user(self) -> Result<(User, String), AppError> {
        let corrupt = |what: &str| AppError::internal(format!("users row {}: bad {what}", self.id));
        let user = User {
            id: self.id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            role: self.role.parse().map_err(|_| corrupt("role"))?,
            status: self.status.parse().map_err(|_| corrupt("status"))?,
            locale: self.locale.parse().map_err(|_| corrupt("locale"))?,
            failed_logins: u32::try_from(self.failed_logins).unwrap_or(0),
            locked_until: self.locked_until,
            created_at: self.created_at,
            area_id: self.area_id,
        };
        Ok((user, self.password_hash))
    }
}

pub fn insert(conn: &mut DbConnection, row: &UserRow) -> Result<(), AppError> {
    match diesel::insert_into(users::table)
        .values(row.clone())
        .execute(conn)
    {
        Ok(_) => Ok(()),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(AppError::conflict("conflict-email-taken")),
        Err(e) => Err(e.into()),
    }
}

pub fn find(conn: &mut DbConnection, id: UserId) -> Result<Option<(User, String)>, AppError> {
    users::table
        .find(id.to_string())
        .select(UserRow::as_select())
        .get_result(conn)
        .optional()?
        .map(UserRow::into_user)
        .transpose()
}

/// The account `id` and whether its sign-in `session` is live (exists, is its own, not
/// revoked): what every authenticated request needs, in one query.
pub fn find_with_session(
    conn: &mut DbConnection,
    id: UserId,
    session: RefreshTokenId,
) -> Result<Option<(User, bool)>, AppError> {
    use super::schema::refresh_tokens;
    let found: Option<(UserRow, Option<String>, Option<NaiveDateTime>)> = users::table
        .left_join(
            refresh_tokens::table.on(refresh_tokens::id
                .eq(session.to_string())
                .and(refresh_tokens::user_id.eq(users::id))),
        )
        .filter(users::id.eq(id.to_string()))
        .select((
            UserRow::as_select(),
            refresh_tokens::id.nullable(),
            refresh_tokens::revoked_at.nullable(),
        ))
        .get_result(conn)
        .optional()?;
    found
        .map(|(row, session, revoked)| {
            let (user, _) = row.into_user()?;
            Ok((user, session.is_some() && revoked.is_none()))
        })
        .transpose()
}

pub fn find_by_email(
    conn: &mut DbConnection,
    email: &str,
) -> Result<Option<(User, String)>, AppError> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .get_result(conn)
        .optional()?
        .map(UserRow::into_user)
        .transpose()
}

pub fn set_status(
    conn: &mut DbConnection,
    id: UserId,
    status: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::update(users::table.find(id.to_string()))
        .set((users::status.eq(status), users::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

pub fn set_area(conn: &mut DbConnection, id: UserId, area: Option<AreaId>) -> Result<(), AppError> {
    diesel::update(users::table.find(id.to_string()))
        .set(users::area_id.eq(area.map(|a| a.to_string())))
        .execute(conn)?;
    Ok(())
}

/// Counts one failed sign-in in the database itself (so that attempts racing each other all
/// count) and returns the count now stored.
pub fn count_login_failure(conn: &mut DbConnection, id: UserId) -> Result<u32, AppError> {
    diesel::update(users::table.find(id.to_string()))
        .set(users::failed_logins.eq(users::failed_logins + 1))
        .execute(conn)?;
    let failed: i32 = users::table
        .find(id.to_string())
        .select(users::failed_logins)
        .get_result(conn)?;
    Ok(u32::try_from(failed).unwrap_or(0))
}

pub fn set_login_failures(
    conn: &mut DbConnection,
    id: UserId,
    failed_logins: u32,
    locked_until: Option<NaiveDateTime>,
) -> Result<(), AppError> {
    diesel::update(users::table.find(id.to_string()))
        .set((
            users::failed_logins.eq(i32::try_from(failed_logins).unwrap_or(i32::MAX)),
            users::locked_until.eq(locked_until),
        ))
        .execute(conn)?;
    Ok(())
}

/// A page in (created_at, id) order, starting after `after`.
pub fn list(
    conn: &mut DbConnection,
    filter: &UserFilter,
    after: Option<(NaiveDateTime, UserId)>,
    limit: i64,
) -> Result<Vec<User>, AppError> {
    let mut query = users::table.select(UserRow::as_select()).into_boxed();
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(users::status.eq(status.as_str()));
    }
    if let UserScope::Area(area) = filter.scope {
        let waiting = users::area_id
            .is_null()
            .and(users::role.eq(Role::Volunteer.as_str()))
            .and(users::status.eq(UserStatus::Pending.as_str()));
        query = match area {
            Some(area) => query.filter(users::area_id.eq(area.to_string()).or(waiting)),
            None => query.filter(waiting),
        };
    }
    if let Some((created_at, id)) = after {
        query = query.filter(
            users::created_at.gt(created_at).or(users::created_at
                .eq(created_at)
                .and(users::id.gt(id.to_string()))),
        );
    }
    query
        .order((users::created_at.asc(), users::id.asc()))
        .limit(limit)
        .load(conn)?
        .into_iter()
        .map(|row| row.into_user().map(|(user, _)| user))
        .collect()
}

/// The people who work in `area` (every role and status), and the volunteers who registered
/// without naming an area and wait for approval (approving them gives them the approver's),
/// by name.
pub fn of_area(conn: &mut DbConnection, area: AreaId) -> Result<Vec<User>, AppError> {
    users::table
        .filter(
            users::area_id.eq(area.to_string()).or(users::area_id
                .is_null()
                .and(users::role.eq(Role::Volunteer.as_str()))
                .and(users::status.eq(UserStatus::Pending.as_str()))),
        )
        .select(UserRow::as_select())
        .order((users::display_name.asc(), users::id.asc()))
        .load(conn)?
        .into_iter()
        .map(|row| row.into_user().map(|(user, _)| user))
        .collect()
}

/// The active coordinators who work in `area`: those told of its exceptions.
pub fn coordinators_of(conn: &mut DbConnection, area: AreaId) -> Result<Vec<UserId>, AppError> {
    use crate::domain::account::{Role, UserStatus};
    let ids: Vec<String> = users::table
        .filter(users::area_id.eq(area.to_string()))
        .filter(users::role.eq(Role::Coordinator.as_str()))
        .filter(users::status.eq(UserStatus::Active.as_str()))
        .select(users::id)
        .order(users::id.asc())
        .load(conn)?;
    ids.iter()
        .map(|id| id.parse().map_err(|_| AppError::internal("users: bad id")))
        .collect()
}
