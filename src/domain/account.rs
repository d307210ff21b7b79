//! Accounts: who a user is to Yui, and the rules for what they may register as.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::{DomainError, Message};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Family,
    Volunteer,
    Carrier,
    HubKeeper,
    Coordinator,
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Family,
        Role::Volunteer,
        Role::Carrier,
        Role::HubKeeper,
        Role::Coordinator,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Family => "family",
            Role::Volunteer => "volunteer",
            Role::Carrier => "carrier",
            Role::HubKeeper => "hub_keeper",
            Role::Coordinator => "coordinator",
            Role::Admin => "admin",
        }
    }

    /// Roles anyone may take by registering; the rest are made by an admin or the CLI.
    pub fn self_registrable(self) -> bool {
        matches!(self, Role::Family | Role::Volunteer)
    }

    /// The status a new account of this role starts in. Volunteers carry food to elderly
    /// people's homes: a coordinator vets them first.
    pub fn initial_status(self, made_by_staff: bool) -> UserStatus {
        match self {
            Role::Volunteer if !made_by_staff => UserStatus::Pending,
            _ => UserStatus::Active,
        }
    }

    pub fn is_staff(self) -> bool {
        matches!(self, Role::Coordinator | Role::Admin)
    }

    /// Whether `self` may make accounts of role `target`: admins any role, coordinators the
    /// hub keepers and post carriers who work with them (in their own area, checked by the
    /// service).
    pub fn may_create(self, target: Role) -> bool {
        match self {
            Role::Admin => true,
            Role::Coordinator => matches!(target, Role::HubKeeper | Role::Carrier),
            _ => false,
        }
    }

    /// Whether `self` may deactivate an account of role `target`: admins anyone, coordinators
    /// the field roles but not other staff.
    pub fn may_deactivate(self, target: Role) -> bool {
        match self {
            Role::Admin => true,
            Role::Coordinator => !target.is_staff(),
            _ => false,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                DomainError::invalid(
                    "role",
                    Message::new("invalid-one-of").arg(
                        "values",
                        "family, volunteer, carrier, hub_keeper, coordinator, admin",
                    ),
                )
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Pending,
    Active,
    Deactivated,
}

impl UserStatus {
    pub const ALL: [UserStatus; 3] = [
        UserStatus::Pending,
        UserStatus::Active,
        UserStatus::Deactivated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Pending => "pending",
            UserStatus::Active => "active",
            UserStatus::Deactivated => "deactivated",
        }
    }

    /// A pending volunteer may sign in (to see that they wait), a deactivated user may not.
    pub fn may_sign_in(self) -> bool {
        !matches!(self, UserStatus::Deactivated)
    }

    /// The transition of an approval, or why there is none.
    pub fn approve(self) -> Result<UserStatus, DomainError> {
        match self {
            UserStatus::Pending => Ok(UserStatus::Active),
            other => Err(DomainError::Conflict(
                Message::new("conflict-account-not-pending").arg("status", other.as_str()),
            )),
        }
    }

    pub fn deactivate(self) -> Result<UserStatus, DomainError> {
        match self {
            UserStatus::Deactivated => Err(DomainError::Conflict(Message::new(
                "conflict-account-deactivated",
            ))),
            _ => Ok(UserStatus::Deactivated),
        }
    }
}

impl FromStr for UserStatus {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        match s {
            "pending" => Ok(UserStatus::Pending),
            "active" => Ok(UserStatus::Active),
            "deactivated" => Ok(UserStatus::Deactivated),
            _ => Err(DomainError::invalid(
                "status",
                Message::new("invalid-one-of").arg("values", "pending, active, deactivated"),
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    Ja,
    En,
}

impl Locale {
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Ja => "ja",
            Locale::En => "en",
        }
    }
}

impl FromStr for Locale {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        match s {
            "ja" => Ok(Locale::Ja),
            "en" => Ok(Locale::En),
            _ => Err(DomainError::invalid(
                "locale",
                Message::new("invalid-one-of").arg("values", "ja, en"),
            )),
        }
    }
}

/// An email address, trimmed and lower-cased so that one person has one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let email = raw.trim().to_lowercase();
        // RFC 5322's dot-atom on both sides (letters of any script allowed, as SMTPUTF8 does);
        // the domain's labels are letters, digits and inner hyphens.
        let atom = |c: char| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
        let dotted = |part: &str, allowed: &dyn Fn(char) -> bool| {
            !part.is_empty()
                && part
                    .split('.')
                    .all(|p| !p.is_empty() && p.chars().all(allowed))
        };
        let label = |l: &str| l.chars().count() <= 63 && !l.starts_with('-') && !l.ends_with('-');
        let valid = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                dotted(local, &atom)
                    && domain.contains('.')
                    && dotted(domain, &|c: char| c.is_alphanumeric() || c == '-')
                    && domain.split('.').all(label)
            });
        if valid {
            Ok(Email(email))
        } else {
            Err(DomainError::invalid("email", "invalid-email"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 1024;

/// Length is counted in characters, not bytes: any Unicode is welcome, and a Japanese
/// passphrase of twelve characters is as good as twelve Latin letters.
pub fn check_password_policy(password: &str) -> Result<(), DomainError> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(DomainError::invalid(
            "password",
            Message::new("invalid-too-short").arg("min", PASSWORD_MIN_CHARS),
        ));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(DomainError::invalid(
            "password",
            Message::new("invalid-too-long").arg("max", PASSWORD_MAX_CHARS),
        ));
    }
    Ok(())
}

pub fn check_display_name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > 100 || name.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            "display_name",
            Message::new("invalid-length").arg("min", 1).arg("max", 100),
        ));
    }
    Ok(name.to_owned())
}

/// An account as the rest of Yui sees it; the password hash stays in the `db` layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: crate::domain::ids::UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub status: UserStatus,
    pub locale: Locale,
    pub failed_logins: u32,
    pub locked_until: Option<chrono::NaiveDateTime>,
    pub created_at: chrono::NaiveDateTime,
    /// The area a coordinator, volunteer, carrier or hub keeper works in.
    pub area_id: Option<crate::domain::ids::AreaId>,
}

/// Which accounts a coordinator's list shows.
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
    pub scope: UserScope,
}

/// Whose accounts a list may name.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum UserScope {
    /// Everyone's (an admin without an area, the operator).
    #[default]
    Everyone,
    /// Those who work in the area (none: no area of one's own), and the volunteers who
    /// registered without naming one and wait for an approver.
    Area(Option<crate::domain::ids::AreaId>),
}

/// What a failed sign-in does to the account: count it, and lock the account for
/// `lock_for` once `threshold` failures have run in a row.
pub fn after_failed_login(
    failed_before: u32,
    threshold: u32,
    now: chrono::NaiveDateTime,
    lock_for: chrono::Duration,
) -> (u32, Option<chrono::NaiveDateTime>) {
    let failed = failed_before.saturating_add(1);
    if failed >= threshold {
        (0, Some(now + lock_for))
    } else {
        (failed, None)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_threshold_failure_locks_and_restarts_the_count() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
            .and_then(|d| d.and_hms_opt(7, 0, 0))
            .unwrap();
        let lock = chrono::Duration::minutes(15);
        assert_eq!(after_failed_login(0, 5, now, lock), (1, None));
        assert_eq!(after_failed_login(3, 5, now, lock), (4, None));
        assert_eq!(after_failed_login(4, 5, now, lock), (0, Some(now + lock)));
    }

    use super::*;

    #[test]
    fn password_length_counts_characters_not_bytes() {
        assert!(check_password_policy("短すぎる").is_err());
        // Twelve kanji are 36 bytes and twelve characters: accepted.
        assert!(check_password_policy("結結結結結結結結結結結結").is_ok());
        assert!(check_password_policy(&"a".repeat(11)).is_err());
        assert!(check_password_policy(&"a".repeat(12)).is_ok());
        assert!(check_password_policy(&"a".repeat(1024)).is_ok());
        assert!(check_password_policy(&"a".repeat(1025)).is_err());
    }

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Hanako@Example.JP ").map(|e| e.0).ok(),
            Some("hanako@example.jp".to_owned())
        );
        for bad in [
            "",
            "no-at-sign",
            "@example.jp",
            "a@b",
            "a b@example.jp",
            "a@.jp",
            "a@x@y.jp",
            "0@0.org*",
            "a@b..jp",
            "a@-b.jp",
            ".a@b.jp",
            "a..b@c.jp",
            "a(b)@c.jp",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
        for good in [
            "o'brien+yui@example.co.jp",
            "はなこ@例え.jp",
            "a.b-c@x-y.example",
        ] {
            assert!(Email::parse(good).is_ok(), "{good} refused");
        }
    }

    #[test]
    fn only_family_and_volunteer_register_themselves() {
        let open: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.self_registrable())
            .collect();
        assert_eq!(open, vec![Role::Family, Role::Volunteer]);
        assert_eq!(Role::Volunteer.initial_status(false), UserStatus::Pending);
        assert_eq!(Role::Volunteer.initial_status(true), UserStatus::Active);
        assert_eq!(Role::Family.initial_status(false), UserStatus::Active);
    }

    #[test]
    fn approval_and_deactivation_transitions() {
        assert_eq!(UserStatus::Pending.approve().ok(), Some(UserStatus::Active));
        assert!(UserStatus::Active.approve().is_err());
        assert!(UserStatus::Deactivated.approve().is_err());
        assert!(UserStatus::Deactivated.deactivate().is_err());
        assert!(Role::Coordinator.may_deactivate(Role::Volunteer));
        assert!(!Role::Coordinator.may_deactivate(Role::Admin));
        assert!(!Role::Family.may_deactivate(Role::Family));
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().ok(), Some(role));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
