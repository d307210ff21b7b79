//! The in-app feed: what the dispatcher wrote for the signed-in person, each entry's title
//! and body from the catalogue in the reader's language, with the ids to open; read one or
//! all. A person sees only their own entries.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use serde_json::{Map, Value};

use super::caller::Caller;
use crate::db::notifications::NotificationRow;
use crate::db::{self, Db};
use crate::domain::account::Locale;
use crate::domain::clock::Clock;
use crate::domain::ids::NotificationId;
use crate::domain::time::wire_naive;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotificationView {
    pub id: NotificationId,
    pub event_type: String,
    pub title: String,
    pub body: String,
    /// The ids to open (`request_id`, `resident_id`, `run_id`, `escalation_id`, ...).
    pub subject: Map<String, Value>,
    pub read_at: Option<String>,
    pub created_at: String,
}

/// A delivery date as the reader reads it: 12月4日(金) in Japanese, Fri 4 Dec in English.
fn spoken_date(raw: &str, locale: Locale) -> String {
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(date) => crate::i18n::short_date(date, locale),
        Err(_) => raw.to_owned(),
    }
}

fn view(row: &NotificationRow, locale: Locale) -> Result<NotificationView, AppError> {
    let corrupt = |e: serde_json::Error| AppError::internal(format!("notification: {e}"));
    let stored: Map<String, Value> = serde_json::from_str(&row.args).map_err(corrupt)?;
    let args: Vec<(String, String)> = stored
        .iter()
        .map(|(name, value)| {
            let text = match value {
                Value::String(s) if name == "date" => spoken_date(s, locale),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (name.clone(), text)
        })
        .collect();
    Ok(NotificationView {
        id: row.id,
        event_type: row.event_type.clone(),
        title: crate::i18n::lookup(locale, &format!("{}-title", row.message), &args),
        body: crate::i18n::lookup(locale, &format!("{}-body", row.message), &args),
        subject: serde_json::from_str(&row.subject).map_err(corrupt)?,
        read_at: row.read_at.map(wire_naive),
        created_at: wire_naive(row.created_at),
    })
}

#[derive(Clone)]
pub struct Notifications {
    db: Db,
    clock: Clock,
}

impl Notifications {
    pub fn new(db: Db, clock: Clock) -> Self {
        Notifications { db, clock }
    }

    /// The caller's entries, newest first, before `(created_at, id)`, in `locale`; each with
    /// the time its cursor is made of.
    pub async fn list(
        &self,
        caller: &Caller,
        unread_only: bool,
        before: Option<(NaiveDateTime, String)>,
        limit: i64,
        locale: Locale,
    ) -> Result<Vec<(NaiveDateTime, NotificationView)>, AppError> {
        let user = caller.user_id;
        self.db
            .run("notifications.list", move |conn| {
                db::notifications::of_user(conn, user, unread_only, before, limit)?
                    .iter()
                    .map(|row| Ok((row.created_at, view(row, locale)?)))
                    .collect()
            })
            .await
    }

    /// Marks one of the caller's entries read (again: no change); another's is 404.
    pub async fn read(
        &self,
        caller: &Caller,
        id: NotificationId,
        locale: Locale,
    ) -> Result<NotificationView, AppError> {
        let user = caller.user_id;
        let now = self.clock.now_naive();
        self.db
            .transaction("notifications.read", move |conn| {
                db::notifications::mark_read(conn, user, id, now)?;
                let row = db::notifications::find(conn, id)?
                    .filter(|row| row.user_id == user)
                    .ok_or(AppError::NotFound)?;
                view(&row, locale)
            })
            .await
    }

    /// Marks every unread entry of the caller read; returns how many.
    pub async fn read_all(&self, caller: &Caller) -> Result<usize, AppError> {
        let user = caller.user_id;
        let now = self.clock.now_naive();
        self.db
            .transaction("notifications.read_all", move |conn| {
                db::notifications::mark_all_read(conn, user, now)
            })
            .await
    }

    pub async fn unread_count(&self, caller: &Caller) -> Result<i64, AppError> {
        let user = caller.user_id;
        self.db
            .run("notifications.unread", move |conn| {
                db::notifications::unread_count(conn, user)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_has_a_title_and_a_body_in_both_languages() {
        let args = [
            ("date".to_owned(), "12月4日(金)".to_owned()),
            ("cause".to_owned(), "no_answer".to_owned()),
            ("outcome".to_owned(), "resident_safe".to_owned()),
            ("count".to_owned(), "3".to_owned()),
        ];
        for key in crate::domain::notification::MESSAGES {
            for locale in [Locale::Ja, Locale::En] {
                for part in ["title", "body"] {
                    let name = format!("{key}-{part}");
                    let text = crate::i18n::lookup(locale, &name, &args);
                    assert_ne!(text, name, "{name} missing in {locale:?}");
                    assert!(!text.contains('{'), "{name}: {text}");
                }
            }
        }
    }

    #[test]
    fn dates_read_as_people_read_them() {
        assert_eq!(spoken_date("2026-12-04", Locale::Ja), "12月4日(金)");
        assert_eq!(spoken_date("2026-12-04", Locale::En), "Fri 4 Dec");
        assert_eq!(spoken_date("soon", Locale::En), "soon");
    }
}
