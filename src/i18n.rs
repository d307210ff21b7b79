//! The message catalogue (`src/locales/{en,ja}/yui.ftl`, Fluent), and the language of the
//! request being served: the best match of `Accept-Language`, else the signed-in user's
//! locale, else English.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

use crate::domain::account::Locale;
use crate::domain::error::Message;

fluent_templates::static_loader! {
    static CATALOGUE = {
        locales: "./src/locales",
        fallback_language: "en",
        // Arguments are user-visible values (field names, limits): no bidi isolation marks.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

fn language(locale: Locale) -> LanguageIdentifier {
    match locale {
        Locale::Ja => langid!("ja"),
        Locale::En => langid!("en"),
    }
}

/// `message` in `locale`; a key missing from the catalogue shows as itself (a test keeps
/// every key present in both languages).
pub fn text(locale: Locale, message: &Message) -> String {
    lookup(locale, message.key, &message.args)
}

/// The catalogue's `key` in `locale` with named arguments.
pub fn lookup<N: AsRef<str>>(locale: Locale, key: &str, args: &[(N, String)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(name, value)| {
            (
                Cow::Owned(name.as_ref().to_owned()),
                FluentValue::from(value.as_str()),
            )
        })
        .collect();
    CATALOGUE
        .try_lookup_with_args(&language(locale), key, &args)
        .unwrap_or_else(|| key.to_owned())
}

const WEEKDAYS_JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];

fn weekday_ja(date: NaiveDate) -> &'static str {
    WEEKDAYS_JA[date.weekday().num_days_from_monday() as usize % 7]
}

/// A day of the week, 0 (Monday) to 6, as a schedule names it: 月曜, Mon.
pub fn weekday(day: u8, locale: Locale) -> String {
    const WEEKDAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let day = usize::from(day) % 7;
    match locale {
        Locale::Ja => format!("{}曜", WEEKDAYS_JA[day]),
        Locale::En => WEEKDAYS_EN[day].to_owned(),
    }
}

/// A date within the coming weeks as people say it: 12月4日(金), Fri 4 Dec.
pub fn short_date(date: NaiveDate, locale: Locale) -> String {
    match locale {
        Locale::Ja => format!("{}月{}日({})", date.month(), date.day(), weekday_ja(date)),
        Locale::En => date.format("%a %-d %b").to_string(),
    }
}

/// A date with its year: 2026年12月3日(木), Thu 3 Dec 2026.
pub fn long_date(date: NaiveDate, locale: Locale) -> String {
    match locale {
        Locale::Ja => format!(
            "{}年{}月{}日({})",
            date.year(),
            date.month(),
            date.day(),
            weekday_ja(date)
        ),
        Locale::En => date.format("%a %-d %b %Y").to_string(),
    }
}

/// A moment in the area's time zone: 2026年12月3日(木) 16:00, Thu 3 Dec 2026, 16:00.
pub fn long_date_time(at: DateTime<Utc>, zone: Tz, locale: Locale) -> String {
    let local = at.with_timezone(&zone);
    let date = long_date(local.date_naive(), locale);
    match locale {
        Locale::Ja => format!("{date} {}", local.format("%H:%M")),
        Locale::En => format!("{date}, {}", local.format("%H:%M")),
    }
}

/// The best of our languages for an `Accept-Language` value; none when it names neither.
pub fn negotiate(accept_language: &str) -> Option<Locale> {
    let mut best: Option<(f32, usize, Locale)> = None;
    for (position, part) in accept_language.split(',').enumerate() {
        let mut pieces = part.split(';');
        let tag = pieces
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let quality = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .filter_map(|q| q.trim().parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        if !(quality > 0.0 && quality <= 1.0) {
            continue;
        }
        let primary = tag.split('-').next().unwrap_or_default();
        let locale = match primary {
            "ja" => Locale::Ja,
            "en" => Locale::En,
            _ => continue,
        };
        // Highest quality wins; on a tie the one named first.
        if best.is_none_or(|(q, p, _)| quality > q || (quality == q && position < p)) {
            best = Some((quality, position, locale));
        }
    }
    best.map(|(_, _, locale)| locale)
}

/// The language of the request being served, as far as it is known yet.
#[derive(Debug)]
pub struct RequestLanguage {
    /// From `Accept-Language`: wins over everything.
    asked: Option<Locale>,
    /// The signed-in user's locale, once the caller is known.
    user: Cell<Option<Locale>>,
}

impl RequestLanguage {
    pub fn new(asked: Option<Locale>) -> Self {
        RequestLanguage {
            asked,
            user: Cell::new(None),
        }
    }

    pub fn locale(&self) -> Locale {
        self.asked.or(self.user.get()).unwrap_or(Locale::En)
    }
}

tokio::task_local! {
    /// Set by the HTTP middleware for each request's task.
    pub static LANGUAGE: RequestLanguage;
}

/// The language to answer the current request in (English outside a request).
pub fn current() -> Locale {
    LANGUAGE
        .try_with(RequestLanguage::locale)
        .unwrap_or(Locale::En)
}

/// Records the signed-in user's locale for the current request.
pub fn signed_in_as(locale: Locale) {
    let _ = LANGUAGE.try_with(|language| language.user.set(Some(locale)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_count_from_monday() {
        assert_eq!(weekday(0, Locale::Ja), "月曜");
        assert_eq!(weekday(3, Locale::Ja), "木曜");
        assert_eq!(weekday(6, Locale::En), "Sun");
    }

    #[test]
    fn accept_language_picks_our_best_language() {
        assert_eq!(negotiate("ja"), Some(Locale::Ja));
        assert_eq!(negotiate("ja-JP,ja;q=0.9,en;q=0.8"), Some(Locale::Ja));
        assert_eq!(negotiate("fr-FR, en-GB;q=0.7, ja;q=0.5"), Some(Locale::En));
        assert_eq!(negotiate("en;q=0.4, ja;q=0.6"), Some(Locale::Ja));
        assert_eq!(negotiate("de, fr"), None);
        assert_eq!(negotiate("ja;q=0"), None);
        assert_eq!(negotiate(""), None);
    }

    #[test]
    fn dates_read_as_people_read_them() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(short_date(date, Locale::Ja), "12月3日(木)");
        assert_eq!(short_date(date, Locale::En), "Thu 3 Dec");
        assert_eq!(long_date(date, Locale::Ja), "2026年12月3日(木)");
        let at = DateTime::parse_from_rfc3339("2026-12-03T07:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        assert_eq!(
            long_date_time(at, tokyo, Locale::Ja),
            "2026年12月3日(木) 16:00"
        );
        assert_eq!(
            long_date_time(at, tokyo, Locale::En),
            "Thu 3 Dec 2026, 16:00"
        );
    }

    #[test]
    fn messages_take_their_arguments() {
        let message = Message::new("invalid-length").arg("min", 1).arg("max", 20);
        assert_eq!(text(Locale::En, &message), "must have 1 to 20 characters");
        assert_eq!(text(Locale::Ja, &message), "1〜20文字で入力してください。");
    }
}
