//! Cursor pagination, the same for every list: a limit of 1 to 100, one row more than asked to
//! know whether another page follows, and an opaque cursor naming the last row's sort key.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use serde::Serialize;

use crate::error::AppError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 100;

/// A page of a list; `next_cursor` is null on the last page (and on lists that fit in one).
#[derive(Serialize)]
pub struct Items<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Items<T> {
    pub fn whole(items: Vec<T>) -> Self {
        Items {
            items,
            next_cursor: None,
        }
    }
}

/// The limit asked for (50 when not given); outside 1..=100 it is refused (422), as the spec
/// says, rather than quietly changed.
pub fn limit(requested: Option<i64>) -> Result<i64, AppError> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(AppError::invalid(
            "limit",
            crate::domain::error::Message::new("invalid-range")
                .arg("min", 1)
                .arg("max", MAX_LIMIT),
        )),
    }
}

/// The page out of `rows`, fetched with `limit + 1`.
pub fn page<T>(mut rows: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> String) -> Items<T> {
    let limit = usize::try_from(limit).unwrap_or(0);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = if more {
        rows.last().map(cursor_of)
    } else {
        None
    };
    Items {
        items: rows,
        next_cursor,
    }
}

/// The page out of `(time, item)` rows ordered by (time, id) and fetched with `limit + 1`,
/// the cursor made of the last row's time and `id_of` its item.
pub fn timed_page<T>(
    rows: Vec<(NaiveDateTime, T)>,
    limit: i64,
    id_of: impl Fn(&T) -> String,
) -> Items<T> {
    let page = page(rows, limit, |(at, item)| time_cursor(*at, &id_of(item)));
    Items {
        items: page.items.into_iter().map(|(_, item)| item).collect(),
        next_cursor: page.next_cursor,
    }
}

/// The cursor of a row ordered by (time, id).
pub fn time_cursor(at: NaiveDateTime, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{id}", at.and_utc().timestamp_micros()))
}

pub fn parse_time_cursor(raw: &str) -> Result<(NaiveDateTime, String), AppError> {
    let bad = || AppError::invalid("cursor", "invalid-cursor");
    let text = URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad)?;
    let (micros, id) = text.split_once('|').ok_or_else(bad)?;
    let at = micros
        .parse()
        .ok()
        .and_then(chrono::DateTime::from_timestamp_micros)
        .ok_or_else(bad)?
        .naive_utc();
    Ok((at, id.to_owned()))
}

/// The (time, id) to continue after, from an optional cursor.
pub fn after(cursor: Option<&str>) -> Result<Option<(NaiveDateTime, String)>, AppError> {
    cursor.map(parse_time_cursor).transpose()
}

/// For views that carry their time as RFC 3339 text.
pub fn rfc3339_cursor(at: &str, id: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(at) {
        Ok(t) => time_cursor(t.naive_utc(), id),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_cursors() {
        let page = page((0..6).collect::<Vec<i32>>(), 5, |n| n.to_string());
        assert_eq!(page.items, vec![0, 1, 2, 3, 4]);
        assert_eq!(page.next_cursor.as_deref(), Some("4"));
        assert!(
            super::page(vec![1, 2], 5, |n: &i32| n.to_string())
                .next_cursor
                .is_none()
        );
        assert_eq!(
            (limit(None).ok(), limit(Some(100)).ok()),
            (Some(50), Some(100))
        );
        assert!(limit(Some(0)).is_err() && limit(Some(101)).is_err());
        let at = chrono::DateTime::from_timestamp_micros(1_796_000_000_123_456)
            .unwrap()
            .naive_utc();
        assert_eq!(
            parse_time_cursor(&time_cursor(at, "abc")).ok(),
            Some((at, "abc".to_owned()))
        );
        assert!(parse_time_cursor("bogus").is_err());
    }
}
