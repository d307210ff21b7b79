//! Areas (the tenant), their cutoff rule, and locations.

use super::text::Line;
use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::error::{DomainError, Message};

/// A point as the API speaks it: `{lat, lon}` in WGS 84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
}

impl Location {
    pub fn validate(self, field: &str) -> Result<Self, DomainError> {
        if !(-90.0..=90.0).contains(&self.lat) || !self.lat.is_finite() {
            return Err(DomainError::invalid(field, "invalid-latitude"));
        }
        if !(-180.0..=180.0).contains(&self.lon) || !self.lon.is_finite() {
            return Err(DomainError::invalid(field, "invalid-longitude"));
        }
        Ok(self)
    }
}

/// Requests for date D close at `time` local on D minus `days_before` (16:00 the day before
/// by default, as in the Nara pilot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CutoffRule {
    pub time: NaiveTime,
    pub days_before: u32,
}

impl Default for CutoffRule {
    fn default() -> Self {
        CutoffRule {
            time: NaiveTime::from_hms_opt(16, 0, 0).unwrap_or_default(),
            days_before: 1,
        }
    }
}

impl CutoffRule {
    /// The instant ordering for `delivery_date` closes, in UTC.
    pub fn cutoff(&self, delivery_date: NaiveDate, zone: Tz) -> Result<DateTime<Utc>, DomainError> {
        let day = delivery_date
            .checked_sub_days(Days::new(u64::from(self.days_before)))
            .ok_or_else(|| DomainError::invalid("delivery_date", "invalid-date-out-of-range"))?;
        let local = day.and_time(self.time);
        // A local time skipped by a daylight-saving jump takes the earliest valid instant.
        zone.from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                zone.from_local_datetime(&(local + chrono::Duration::hours(1)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| DomainError::invalid("delivery_date", "invalid-no-cutoff"))
    }

    /// Whether ordering for `delivery_date` is still open at `now`.
    pub fn is_open(
        &self,
        delivery_date: NaiveDate,
        zone: Tz,
        now: DateTime<Utc>,
    ) -> Result<bool, DomainError> {
        Ok(now < self.cutoff(delivery_date, zone)?)
    }

    pub fn parse(time: &str, days_before: i64) -> Result<Self, DomainError> {
        let time = NaiveTime::parse_from_str(time, "%H:%M")
            .map_err(|_| DomainError::invalid("cutoff_time", "invalid-hhmm"))?;
        let days_before = u32::try_from(days_before)
            .ok()
            .filter(|d| *d <= 14)
            .ok_or_else(|| {
                DomainError::invalid(
                    "cutoff_days_before",
                    Message::new("invalid-range").arg("min", 0).arg("max", 14),
                )
            })?;
        Ok(CutoffRule { time, days_before })
    }
}

/// The UTC instant `seconds` after local midnight of `date` (the planner counts a day in
/// seconds after its local midnight).
pub fn local_seconds(
    date: NaiveDate,
    zone: Tz,
    seconds: i64,
) -> Result<DateTime<Utc>, DomainError> {
    let midnight = zone
        .from_local_datetime(&date.and_time(NaiveTime::MIN))
        .earliest()
        .ok_or_else(|| DomainError::Internal("no local midnight".into()))?;
    Ok(midnight.with_timezone(&Utc) + chrono::Duration::seconds(seconds))
}

/// Seconds after midnight of a local "HH:MM".
pub fn seconds_of_hhmm(field: &str, raw: &str) -> Result<i64, DomainError> {
    let time = NaiveTime::parse_from_str(raw, "%H:%M")
        .map_err(|_| DomainError::invalid(field, "invalid-hhmm"))?;
    Ok(i64::from(chrono::Timelike::num_seconds_from_midnight(
        &time,
    )))
}

pub fn parse_time_zone(name: &str) -> Result<Tz, DomainError> {
    name.parse::<Tz>()
        .map_err(|_| DomainError::invalid("time_zone", "invalid-time-zone"))
}

pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, DomainError> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| DomainError::invalid(field, "invalid-date"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokyo() -> Tz {
        parse_time_zone("Asia/Tokyo").unwrap()
    }

    #[test]
    fn the_default_cutoff_is_16_00_tokyo_the_day_before() {
        let rule = CutoffRule::default();
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        // 16:00 JST on 30 November is 07:00 UTC, across the month end.
        let cutoff = rule.cutoff(date, tokyo()).unwrap();
        assert_eq!(cutoff.to_rfc3339(), "2026-11-30T07:00:00+00:00");
        let second = chrono::Duration::seconds(1);
        assert!(rule.is_open(date, tokyo(), cutoff - second).unwrap());
        assert!(!rule.is_open(date, tokyo(), cutoff).unwrap());
        assert!(!rule.is_open(date, tokyo(), cutoff + second).unwrap());
    }

    #[test]
    fn a_gap_in_local_time_takes_the_next_valid_instant() {
        // 02:30 does not exist in New York on 8 March 2026.
        let rule = CutoffRule::parse("02:30", 0).unwrap();
        let zone: Tz = "America/New_York".parse().unwrap();
        let cutoff = rule
            .cutoff(NaiveDate::from_ymd_opt(2026, 3, 8).unwrap(), zone)
            .unwrap();
        assert_eq!(cutoff.to_rfc3339(), "2026-03-08T07:30:00+00:00");
    }

    #[test]
    fn bad_rules_and_zones_are_refused() {
        assert!(CutoffRule::parse("25:00", 1).is_err());
        assert!(CutoffRule::parse("16:00", -1).is_err());
        assert!(parse_time_zone("Asia/Nara").is_err());
        assert!(
            Location {
                lat: 91.0,
                lon: 0.0
            }
            .validate("location")
            .is_err()
        );
        assert!(
            Location {
                lat: 34.7,
                lon: f64::NAN
            }
            .validate("location")
            .is_err()
        );
    }
}

/// An area as the rest of Yui sees it.
#[derive(Debug, Clone)]
pub struct Area {
    pub id: crate::domain::ids::AreaId,
    pub name: String,
    pub time_zone: Tz,
    pub cutoff: CutoffRule,
    pub depot: Option<Location>,
    pub co2_kg_per_km: f64,
    pub circuity_factor: f64,
}

/// Defaults for impact figures: CO2 of a Japanese petrol passenger car per km, and how much
/// longer mountain roads are than the straight line.
pub const DEFAULT_CO2_KG_PER_KM: f64 = 0.13;
pub const DEFAULT_CIRCUITY_FACTOR: f64 = 1.4;

pub fn check_name(field: &str, raw: &str, max: usize) -> Result<String, DomainError> {
    let name = raw.trim();
    let length = name.chars().count();
    if length == 0 || length > max || name.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            field,
            Message::new("invalid-length").arg("min", 1).arg("max", max),
        ));
    }
    Ok(name.to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HubKind {
    PostOffice,
    CommunityRoom,
    School,
    Other,
}

impl HubKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HubKind::PostOffice => "post_office",
            HubKind::CommunityRoom => "community_room",
            HubKind::School => "school",
            HubKind::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        match raw {
            "post_office" => Ok(HubKind::PostOffice),
            "community_room" => Ok(HubKind::CommunityRoom),
            "school" => Ok(HubKind::School),
            "other" => Ok(HubKind::Other),
            _ => Err(DomainError::invalid(
                "kind",
                Message::new("invalid-one-of")
                    .arg("values", "post_office, community_room, school, other"),
            )),
        }
    }
}

/// Storage slots per temperature class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    pub ambient: u32,
    pub chilled: u32,
    pub frozen: u32,
}

/// One opening window on a weekday (0 = Monday … 6 = Sunday), local time "HH:MM".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningHours {
    pub weekday: u8,
    pub open: Line,
    pub close: Line,
}

pub fn check_opening_hours(hours: &[OpeningHours]) -> Result<(), DomainError> {
    if hours.len() > 28 {
        return Err(DomainError::invalid(
            "opening_hours",
            Message::new("invalid-too-many").arg("max", 28),
        ));
    }
    for (i, window) in hours.iter().enumerate() {
        let field = format!("opening_hours[{i}]");
        if window.weekday > 6 {
            return Err(DomainError::invalid(field, "invalid-weekday"));
        }
        let open = NaiveTime::parse_from_str(&window.open, "%H:%M");
        let close = NaiveTime::parse_from_str(&window.close, "%H:%M");
        match (open, close) {
            (Ok(open), Ok(close)) if open < close => {}
            _ => {
                return Err(DomainError::invalid(field, "invalid-opening-window"));
            }
        }
    }
    Ok(())
}
