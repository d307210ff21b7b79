//! Accounts: registration, accounts made by staff, approval, deactivation, and the check that
//! turns a verified token into a caller on every request.

use chrono::NaiveDateTime;

use std::net::IpAddr;

use super::audit::Audit;
pub use super::caller::Caller;
use super::passwords::PasswordHasher;
use super::throttle::AddressThrottle;
use super::tokens::VerifiedToken;
use super::unit_of_work;
use crate::db::{self, Db};
use crate::domain::account::{self, Email, Locale, Role, User, UserFilter, UserScope, UserStatus};
use crate::domain::clock::Clock;
use crate::domain::ids::{AreaId, UserId};
use crate::error::AppError;

/// A new account, as given by the person or by staff. No `Debug`: it holds a password.
#[derive(Clone)]
pub struct NewAccount {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub locale: String,
    pub role: String,
    pub area_id: Option<AreaId>,
}

#[derive(Clone)]
pub struct Accounts {
    db: Db,
    clock: Clock,
    passwords: PasswordHasher,
    /// Every registration costs an argon2 hash: bounded per address like sign-ins.
    registrations: AddressThrottle,
}

impl Accounts {
    pub fn new(
        db: Db,
        clock: Clock,
        passwords: PasswordHasher,
        registrations_per_minute: u32,
    ) -> Self {
        Accounts {
            db,
            clock,
            passwords,
            registrations: AddressThrottle::new(registrations_per_minute, "too-many-registrations"),
        }
    }

    /// Self-registration: families and volunteers only; volunteers wait for approval.
    pub async fn register(&self, input: NewAccount, client: IpAddr) -> Result<User, AppError> {
        self.registrations.check(client)?;
        let role: Role = input.role.parse()?;
        if !role.self_registrable() {
            return Err(AppError::invalid("role", "invalid-role-not-registrable"));
        }
        self.create(input, role, role.initial_status(false), None)
            .await
    }

    /// An account made by an admin (over the API) or by the operator (CLI): any role, active.
    pub async fn create_by_staff(&self, input: NewAccount) -> Result<User, AppError> {
        let role: Role = input.role.parse()?;
        self.create(input, role, role.initial_status(true), None)
            .await
    }

    /// An account made by a signed-in staff member: admins any role anywhere; coordinators the
    /// hub keepers and post carriers of their own area (their area when none is named).
    pub async fn create_for_area(
        &self,
        actor: &Caller,
        mut input: NewAccount,
    ) -> Result<User, AppError> {
        let role: Role = input.role.parse()?;
        if !actor.role.may_create(role) {
            return Err(AppError::Forbidden("forbidden-create-role".into()));
        }
        if actor.role == Role::Coordinator {
            let own = actor.area()?;
            if input.area_id.is_some_and(|area| area != own) {
                return Err(AppError::Forbidden("forbidden-create-role".into()));
            }
            input.area_id = Some(own);
        }
        // An admin of an area making a field account without naming one: their own area.
        if input.area_id.is_none() && matches!(role, Role::HubKeeper | Role::Carrier) {
            input.area_id = actor.area_id;
        }
        let audit = Audit::by(actor, actor.area_id);
        self.create(input, role, role.initial_status(true), Some(audit))
            .await
    }

    /// Makes the account; one made by a signed-in staff member is on their audit trail.
    async fn create(
        &self,
        input: NewAccount,
        role: Role,
        status: UserStatus,
        audit: Option<Audit>,
    ) -> Result<User, AppError> {
        let email = Email::parse(&input.email)?;
        account::check_password_policy(&input.password)?;
        let display_name = account::check_display_name(&input.display_name)?;
        let locale: Locale = input.locale.parse()?;
        let user = User {
            id: UserId::new(),
            email: email.as_str().to_owned(),
            display_name,
            role,
            status,
            locale,
            failed_logins: 0,
            locked_until: None,
            created_at: self.clock.now_naive(),
            area_id: input.area_id,
        };
        let hash = self.passwords.hash(input.password).await?;
        let row = db::users::UserRow::new(&user, hash);
        let (id, area, now) = (user.id, user.area_id, user.created_at);
        self.db
            .transaction("users.insert", move |conn| {
                db::users::insert(conn, &row)?;
                match audit {
                    Some(audit) => audit
                        .in_area_of(area)
                        .record(conn, now, "create", "user", id),
                    None => Ok(()),
                }
            })
            .await?;
        tracing::info!(user_id = %user.id, role = %user.role, "account created");
        Ok(user)
    }

    pub async fn get(&self, id: UserId) -> Result<User, AppError> {
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
                Ok(
                    match db::users::find_with_session(conn, token.user_id, token.session_id)? {
                        Some((user, live)) => (Some(user), live),
                        None => (None, false),
                    },
                )
            })
            .await?;
        match user {
            Some(user) if user.status.may_sign_in() && session_live => Ok(Caller {
                user_id: user.id,
                role: user.role,
                status: user.status,
                area_id: user.area_id,
                locale: user.locale,
            }),
            Some(user) if user.status.may_sign_in() => Err(AppError::Unauthenticated(
                "unauthenticated-session-ended".into(),
            )),
            _ => Err(AppError::Unauthenticated("unauthenticated-inactive".into())),
        }
    }

    /// Approves a pending volunteer, who joins the approver's area if they have none yet.
    pub async fn approve(&self, actor: &Caller, id: UserId) -> Result<User, AppError> {
        let actor_area = actor.area_id;
        let audit = Audit::by(actor, actor_area);
        let actor = actor.clone();
        unit_of_work::write(&self.db, &self.clock, "users.approve", audit, move |uow| {
            let mut user = account_in_reach(uow.conn, &actor, id)?;
            user.status = user.status.approve()?;
            db::users::set_status(uow.conn, id, user.status.as_str(), uow.now())?;
            if user.area_id.is_none() && actor_area.is_some() {
                user.area_id = actor_area;
                db::users::set_area(uow.conn, id, actor_area)?;
            }
            uow.audit("approve", "user", id)?;
            Ok(user)
        })
        .await
        .inspect(|user| tracing::info!(user_id = %user.id, "account approved"))
    }

    /// Stops an account: it can no longer sign in, and its sign-ins end at once. On record.
    pub async fn deactivate(&self, actor: &Caller, id: UserId) -> Result<User, AppError> {
        if actor.user_id == id {
            return Err(AppError::conflict("conflict-deactivate-self"));
        }
        let audit = Audit::by(actor, actor.area_id);
        let actor = actor.clone();
        unit_of_work::write(
            &self.db,
            &self.clock,
            "users.deactivate",
            audit,
            move |uow| {
                let mut user = account_in_reach(uow.conn, &actor, id)?;
                if !actor.role.may_deactivate(user.role) {
                    return Err(AppError::Forbidden("forbidden-deactivate-staff".into()));
                }
                user.status = user.status.deactivate()?;
                db::users::set_status(uow.conn, id, user.status.as_str(), uow.now())?;
                db::refresh_tokens::revoke_all_of_user(uow.conn, id, uow.now())?;
                if let Some(area) = user.area_id {
                    uow.in_area(area);
                }
                uow.audit("deactivate", "user", id)?;
                Ok(user)
            },
        )
        .await
        .inspect(|user| tracing::info!(user_id = %user.id, "account deactivated"))
    }

    /// The active volunteers and post carriers of the caller's area: who a run may be
    /// offered to.
    pub async fn carriers_of_area(&self, caller: &Caller) -> Result<Vec<User>, AppError> {
        if !caller.role.is_staff() {
            return Err(AppError::NotFound);
        }
        let area = caller.area()?;
        self.db
            .run("users.carriers_of_area", move |conn| {
                let mut carriers = Vec::new();
                for role in [Role::Volunteer, Role::Carrier] {
                    let filter = UserFilter {
                        role: Some(role),
                        status: Some(UserStatus::Active),
                        scope: UserScope::Area(Some(area)),
                    };
                    carriers.extend(
                        db::users::list(conn, &filter, None, 10_000)?
                            .into_iter()
                            .filter(|user| user.area_id == Some(area)),
                    );
                }
                Ok(carriers)
            })
            .await
    }

    /// Staff: everyone who works in the caller's area, and the volunteers waiting for an
    /// approver with no area yet; by name. No one else may list them.
    pub async fn of_area(&self, caller: &Caller) -> Result<Vec<User>, AppError> {
        if !caller.role.is_staff() {
            return Err(AppError::NotFound);
        }
        let area = caller.area()?;
        self.db
            .run("users.of_area", move |conn| db::users::of_area(conn, area))
            .await
    }

    /// One page of the accounts `caller` may list, and the key to continue after it: an
    /// admin without an area everyone's; other staff those of their own area and the
    /// volunteers waiting for an approver.
    pub async fn list(
        &self,
        caller: &Caller,
        mut filter: UserFilter,
        after: Option<(NaiveDateTime, UserId)>,
        limit: i64,
    ) -> Result<Vec<User>, AppError> {
        if !caller.role.is_staff() {
            return Err(AppError::NotFound);
        }
        filter.scope = match (caller.role, caller.area_id) {
            (Role::Admin, None) => UserScope::Everyone,
            (_, area) => UserScope::Area(area),
        };
        self.db
            .run("users.list", move |conn| {
                db::users::list(conn, &filter, after, limit)
            })
            .await
    }
}

/// The account `id` if `actor` may act on it: one of an area the actor works in, or one with
/// no area yet (a volunteer who registered without naming one, a family account). Another
/// area's account is not found, as if it did not exist.
fn account_in_reach(
    conn: &mut db::DbConnection,
    actor: &Caller,
    id: UserId,
) -> Result<User, AppError> {
    let (user, _) = db::users::find(conn, id)?.ok_or(AppError::NotFound)?;
    match user.area_id {
        Some(area) if !actor.works_in(area) => Err(AppError::NotFound),
        _ => Ok(user),
    }
}

/// The account `user` as one of `role` working in `area`, for a link that needs it (a hub's
/// keeper, a post trip's carrier): 422 when there is no such account, it is stopped, it has
/// another role or it works in another area (`other_area`, the message that says so); an account with no
/// area yet joins this one.
pub(crate) fn join_area(
    conn: &mut db::DbConnection,
    user: UserId,
    role: Role,
    area: AreaId,
    other_area: &'static str,
) -> Result<(), AppError> {
    let (account, _) = db::users::find(conn, user)?
        .ok_or_else(|| AppError::invalid("user_id", "invalid-no-account"))?;
    if account.status == UserStatus::Deactivated {
        return Err(AppError::invalid("user_id", "invalid-account-stopped"));
    }
    if account.role != role {
        return Err(AppError::invalid(
            "user_id",
            crate::domain::error::Message::new("invalid-account-role").arg("role", role.as_str()),
        ));
    }
    match account.area_id {
        None => db::users::set_area(conn, user, Some(area)),
        Some(theirs) if theirs != area => Err(AppError::invalid("user_id", other_area)),
        Some(_) => Ok(()),
    }
}
