//! Accounts: registration, accounts made by staff, approval, deactivation, and the check that
//! turns a verified token into a caller on every request.

use chrono::NaiveDateTime;
use uuid::Uuid;

use std::net::IpAddr;

use super::audit::Audit;
use super::passwords::PasswordHasher;
use super::throttle::AddressThrottle;
use super::tokens::VerifiedToken;
use crate::db::{self, Db};
use crate::domain::account::{self, Email, Locale, Role, User, UserFilter, UserStatus};
use crate::domain::time;
use crate::error::AppError;

/// A new account, as given by the person or by staff. No `Debug`: it holds a password.
#[derive(Clone)]
pub struct NewAccount {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub locale: String,
    pub role: String,
    pub area_id: Option<Uuid>,
}

/// Who is calling, as every authenticated request sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: Uuid,
    pub role: Role,
    pub status: UserStatus,
    pub area_id: Option<Uuid>,
}

impl Caller {
    /// The area a coordinator (or an admin with an area) works in.
    pub fn area(&self) -> Result<Uuid, AppError> {
        self.area_id.ok_or_else(|| {
            AppError::Conflict("your account belongs to no area; an admin assigns one".into())
        })
    }

    /// Whether this caller may see and change objects of `area`: admins everywhere, staff and
    /// field roles in their own area.
    pub fn works_in(&self, area: Uuid) -> bool {
        self.role == Role::Admin || self.area_id == Some(area)
    }
}

#[derive(Clone)]
pub struct Accounts {
    db: Db,
    passwords: PasswordHasher,
    /// Every registration costs an argon2 hash: bounded per address like sign-ins.
    registrations: AddressThrottle,
}

impl Accounts {
    pub fn new(db: Db, passwords: PasswordHasher, registrations_per_minute: u32) -> Self {
        Accounts {
            db,
            passwords,
            registrations: AddressThrottle::new(
                registrations_per_minute,
                "too many registrations from this address; wait and try again",
            ),
        }
    }

    /// Self-registration: families and volunteers only; volunteers wait for approval.
    pub async fn register(&self, input: NewAccount, client: IpAddr) -> Result<User, AppError> {
        self.registrations.check(client)?;
        let role: Role = input.role.parse()?;
        if !role.self_registrable() {
            return Err(AppError::invalid(
                "role",
                "only family and volunteer accounts can be registered; staff accounts are made by an admin",
            ));
        }
        self.create(input, role, role.initial_status(false)).await
    }

    /// An account made by an admin (over the API) or by the operator (CLI): any role, active.
    pub async fn create_by_staff(&self, input: NewAccount) -> Result<User, AppError> {
        let role: Role = input.role.parse()?;
        self.create(input, role, role.initial_status(true)).await
    }

    async fn create(
        &self,
        input: NewAccount,
        role: Role,
        status: UserStatus,
    ) -> Result<User, AppError> {
        let email = Email::parse(&input.email)?;
        account::check_password_policy(&input.password)?;
        let display_name = account::check_display_name(&input.display_name)?;
        let locale: Locale = input.locale.parse()?;
        let user = User {
            id: Uuid::new_v4(),
            email: email.as_str().to_owned(),
            display_name,
            role,
            status,
            locale,
            failed_logins: 0,
            locked_until: None,
            created_at: time::now(),
            area_id: input.area_id,
        };
        let hash = self.passwords.hash(input.password).await?;
        let row = db::users::UserRow::new(&user, hash);
        self.db
            .transaction("users.insert", move |conn| db::users::insert(conn, &row))
            .await?;
        tracing::info!(user_id = %user.id, role = %user.role, "account created");
        Ok(user)
    }

    pub async fn get(&self, id: Uuid) -> Result<User, AppError> {
        self.db
            .run("users.find", move |conn| db::users::find(conn, id))
            .await?
            .map(|(user, _)| user)
            .ok_or(AppError::NotFound)
    }

    /// The caller behind a verified token, read afresh on every request so that a
    /// deactivation, a sign-out or a revoked session cuts access at once.
    pub async fn authenticate(&self, token: VerifiedToken) -> Result<Caller, AppError> {
        let (user, session_live) = self
            .db
            .run("users.authenticate", move |conn| {
                let user = db::users::find(conn, token.user_id)?.map(|(user, _)| user);
                let session = db::refresh_tokens::find(conn, &token.session_id.to_string())?;
                let live = session.is_some_and(|s| {
                    s.revoked_at.is_none() && s.user_id == token.user_id.to_string()
                });
                Ok((user, live))
            })
            .await?;
        match user {
            Some(user) if user.status.may_sign_in() && session_live => Ok(Caller {
                user_id: user.id,
                role: user.role,
                status: user.status,
                area_id: user.area_id,
            }),
            Some(user) if user.status.may_sign_in() => Err(AppError::Unauthenticated(
                "the session has ended; sign in again",
            )),
            _ => Err(AppError::Unauthenticated("the account is not active")),
        }
    }

    /// Approves a pending volunteer, who joins the approver's area if they have none yet.
    pub async fn approve(&self, actor: &Caller, id: Uuid) -> Result<User, AppError> {
        let actor_area = actor.area_id;
        let audit = Audit::by(actor, actor_area);
        self.db
            .transaction("users.approve", move |conn| {
                let (mut user, _) = db::users::find(conn, id)?.ok_or(AppError::NotFound)?;
                user.status = user.status.approve()?;
                db::users::set_status(conn, id, user.status.as_str(), time::now())?;
                if user.area_id.is_none() && actor_area.is_some() {
                    user.area_id = actor_area;
                    db::users::set_area(conn, id, actor_area)?;
                }
                audit.record(conn, "approve", "user", id)?;
                Ok(user)
            })
            .await
            .inspect(|user| tracing::info!(user_id = %user.id, "account approved"))
    }

    pub async fn deactivate(&self, actor: &Caller, id: Uuid) -> Result<User, AppError> {
        if actor.user_id == id {
            return Err(AppError::Conflict(
                "you cannot deactivate your own account".into(),
            ));
        }
        let actor_role = actor.role;
        self.db
            .transaction("users.deactivate", move |conn| {
                let (mut user, _) = db::users::find(conn, id)?.ok_or(AppError::NotFound)?;
                if !actor_role.may_deactivate(user.role) {
                    return Err(AppError::Forbidden(
                        "only an admin can deactivate staff accounts",
                    ));
                }
                user.status = user.status.deactivate()?;
                let now = time::now();
                db::users::set_status(conn, id, user.status.as_str(), now)?;
                db::refresh_tokens::revoke_all_of_user(conn, id, now)?;
                Ok(user)
            })
            .await
            .inspect(|user| tracing::info!(user_id = %user.id, "account deactivated"))
    }

    /// One page of accounts, and the key to continue after it.
    pub async fn list(
        &self,
        filter: UserFilter,
        after: Option<(NaiveDateTime, Uuid)>,
        limit: i64,
    ) -> Result<Vec<User>, AppError> {
        self.db
            .run("users.list", move |conn| {
                db::users::list(conn, &filter, after, limit)
            })
            .await
    }
}
