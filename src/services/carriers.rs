//! Carriers: volunteers' profiles (what they can carry, when, how far) and post trips (the
//! vans' scheduled runs with spare capacity per temperature class).

use crate::domain::text::Line;
use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

use super::audit::Audit;
use super::caller::Caller;
use crate::db::carriers::{PostTripRow, VolunteerProfileRow};
use crate::db::{self, Db};
use crate::domain::account::Role;
use crate::domain::area::{Location, Storage, check_name};
use crate::domain::clock::Clock;
use crate::domain::ids::{AreaId, HubId, PostTripId, UserId};
use crate::error::AppError;

pub use crate::domain::carrier::Vehicle;

/// A weekly window: weekday 0 (Monday) to 6, local "HH:MM" to "HH:MM".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    pub weekday: u8,
    pub start: Line,
    pub end: Line,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolunteerProfile {
    /// What families are told to call the volunteer: a given name or a short name they
    /// choose (never their full name unless they choose it).
    pub public_name: Line,
    pub home: Location,
    pub vehicle: Vehicle,
    pub capacity_litres: u32,
    pub cold_box: bool,
    pub max_distance_km: f64,
    pub availability: Vec<Availability>,
}

fn hhmm(field: &str, raw: &str) -> Result<NaiveTime, AppError> {
    NaiveTime::parse_from_str(raw, "%H:%M").map_err(|_| AppError::invalid(field, "invalid-hhmm"))
}

impl VolunteerProfile {
    fn check(&mut self) -> Result<(), AppError> {
        self.public_name = check_name("public_name", &self.public_name, 20)?.into();
        self.home.validate("home")?;
        if !(1..=2000).contains(&self.capacity_litres) {
            return Err(AppError::invalid(
                "capacity_litres",
                crate::domain::error::Message::new("invalid-range")
                    .arg("min", 1)
                    .arg("max", 2000),
            ));
        }
        if !(self.max_distance_km.is_finite()
            && self.max_distance_km > 0.0
            && self.max_distance_km <= 200.0)
        {
            return Err(AppError::invalid(
                "max_distance_km",
                crate::domain::error::Message::new("invalid-positive").arg("max", 200),
            ));
        }
        if self.availability.len() > 28 {
            return Err(AppError::invalid(
                "availability",
                crate::domain::error::Message::new("invalid-too-many").arg("max", 28),
            ));
        }
        for (i, window) in self.availability.iter().enumerate() {
            let field = format!("availability[{i}]");
            if window.weekday > 6 || hhmm(&field, &window.start)? >= hhmm(&field, &window.end)? {
                return Err(AppError::invalid(field, "invalid-availability-window"));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPostTrip {
    pub name: Line,
    pub origin: Location,
    pub weekdays: Vec<u8>,
    pub departure: Line,
    pub hub_ids: Vec<HubId>,
    pub spare_capacity: Storage,
}

#[derive(Debug, Clone, Serialize)]
pub struct PostTripView {
    pub id: PostTripId,
    pub area_id: AreaId,
    pub name: String,
    pub origin: Location,
    pub weekdays: Vec<u8>,
    pub departure: String,
    pub hub_ids: Vec<HubId>,
    pub spare_capacity: Storage,
}

impl PostTripRow {
    fn view(&self) -> Result<PostTripView, AppError> {
        let corrupt =
            |what: &str| AppError::internal(format!("post_trips row {}: bad {what}", self.id));
        let slots = |v: i32| u32::try_from(v).unwrap_or(0);
        Ok(PostTripView {
            id: self.id,
            area_id: self.area_id,
            name: self.name.clone(),
            origin: Location {
                lat: self.origin_lat,
                lon: self.origin_lon,
            },
            weekdays: serde_json::from_str(&self.weekdays).map_err(|_| corrupt("weekdays"))?,
            departure: self.departure.clone(),
            hub_ids: serde_json::from_str(&self.hub_ids).map_err(|_| corrupt("hub_ids"))?,
            spare_capacity: Storage {
                ambient: slots(self.spare_ambient),
                chilled: slots(self.spare_chilled),
                frozen: slots(self.spare_frozen),
            },
        })
    }
}

fn json<T: Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::internal(e.to_string()))
}

#[derive(Clone)]
pub struct Carriers {
    db: Db,
    clock: Clock,
}

impl Carriers {
    pub fn new(db: Db, clock: Clock) -> Self {
        Carriers { db, clock }
    }

    /// A volunteer writes their own profile; staff write those of their area's volunteers.
    /// Anyone else's (or a non-volunteer's) is 404.
    pub async fn put_profile(
        &self,
        caller: &Caller,
        user: UserId,
        mut profile: VolunteerProfile,
    ) -> Result<VolunteerProfile, AppError> {
        let now = self.clock.now_naive();
        profile.check()?;
        let row = VolunteerProfileRow {
            user_id: user,
            home_lat: profile.home.lat,
            home_lon: profile.home.lon,
            vehicle: profile.vehicle,
            public_name: profile.public_name.to_string(),
            capacity_litres: i32::try_from(profile.capacity_litres).unwrap_or(i32::MAX),
            cold_box: profile.cold_box,
            max_distance_km: profile.max_distance_km,
            availability: json(&profile.availability)?,
            updated_at: now,
        };
        let audit = Audit::by(caller, None);
        let caller = caller.clone();
        self.db
            .transaction("volunteers.put_profile", move |conn| {
                let (volunteer, _) = db::users::find(conn, user)?.ok_or(AppError::NotFound)?;
                // Post carriers who take last-mile runs keep the same profile.
                let allowed = matches!(volunteer.role, Role::Volunteer | Role::Carrier)
                    && (caller.user_id == user
                        || (caller.role.is_staff()
                            && volunteer.area_id.is_some_and(|a| caller.works_in(a))));
                if !allowed {
                    return Err(AppError::NotFound);
                }
                db::carriers::put_profile(conn, &row)?;
                audit.clone().in_area_of(volunteer.area_id).record(
                    conn,
                    now,
                    "put_profile",
                    "volunteer",
                    user,
                )?;
                Ok(profile)
            })
            .await
    }

    pub async fn profile(
        &self,
        caller: &Caller,
        user: UserId,
    ) -> Result<VolunteerProfile, AppError> {
        let caller = caller.clone();
        self.db
            .run("volunteers.profile", move |conn| {
                let (volunteer, _) = db::users::find(conn, user)?.ok_or(AppError::NotFound)?;
                let allowed = caller.user_id == user
                    || (caller.role.is_staff()
                        && volunteer.area_id.is_some_and(|a| caller.works_in(a)));
                let row = db::carriers::find_profile(conn, user)?
                    .filter(|_| allowed)
                    .ok_or(AppError::NotFound)?;
                let corrupt = |what: &str| {
                    AppError::internal(format!("volunteer_profiles {user}: bad {what}"))
                };
                Ok(VolunteerProfile {
                    public_name: row.public_name.into(),
                    home: Location {
                        lat: row.home_lat,
                        lon: row.home_lon,
                    },
                    vehicle: row.vehicle,
                    capacity_litres: u32::try_from(row.capacity_litres).unwrap_or(0),
                    cold_box: row.cold_box,
                    max_distance_km: row.max_distance_km,
                    availability: serde_json::from_str(&row.availability)
                        .map_err(|_| corrupt("availability"))?,
                })
            })
            .await
    }

    pub async fn create_trip(
        &self,
        caller: &Caller,
        input: NewPostTrip,
    ) -> Result<PostTripView, AppError> {
        let now = self.clock.now_naive();
        let area = caller.area()?;
        let name = check_name("name", &input.name, 100)?;
        let origin = input.origin.validate("origin")?;
        if input.weekdays.is_empty() || input.weekdays.iter().any(|d| *d > 6) {
            return Err(AppError::invalid("weekdays", "invalid-weekdays"));
        }
        hhmm("departure", &input.departure)?;
        if input.hub_ids.is_empty() {
            return Err(AppError::invalid("hub_ids", "invalid-trip-no-hub"));
        }
        let slots = |v: u32| {
            i32::try_from(v).map_err(|_| AppError::invalid("spare_capacity", "invalid-too-large"))
        };
        let row = PostTripRow {
            id: PostTripId::new(),
            area_id: area,
            name,
            origin_lat: origin.lat,
            origin_lon: origin.lon,
            weekdays: json(&input.weekdays)?,
            departure: input.departure.to_string(),
            hub_ids: json(&input.hub_ids)?,
            spare_ambient: slots(input.spare_capacity.ambient)?,
            spare_chilled: slots(input.spare_capacity.chilled)?,
            spare_frozen: slots(input.spare_capacity.frozen)?,
            created_at: now,
        };
        let audit = Audit::by(caller, Some(area));
        self.db
            .transaction("post_trips.create", move |conn| {
                for hub in &input.hub_ids {
                    if db::areas::find_hub(conn, *hub)?.is_none_or(|h| h.area_id != area) {
                        return Err(AppError::invalid("hub_ids", "invalid-hub-other-area"));
                    }
                }
                db::carriers::insert_trip(conn, &row)?;
                let view = row.view()?;
                audit.record(conn, now, "create", "post_trip", view.id)?;
                Ok(view)
            })
            .await
    }

    pub async fn trip(&self, caller: &Caller, id: PostTripId) -> Result<PostTripView, AppError> {
        let caller = caller.clone();
        self.db
            .run("post_trips.find", move |conn| {
                let trip = db::carriers::find_trip(conn, id)?
                    .ok_or(AppError::NotFound)?
                    .view()?;
                if caller.works_in(trip.area_id) {
                    Ok(trip)
                } else {
                    Err(AppError::NotFound)
                }
            })
            .await
    }

    pub async fn trips(&self, caller: &Caller) -> Result<Vec<PostTripView>, AppError> {
        let area = caller.area()?;
        self.db
            .run("post_trips.list", move |conn| {
                db::carriers::trips_of(conn, area)?
                    .iter()
                    .map(PostTripRow::view)
                    .collect()
            })
            .await
    }

    /// Links a carrier account (role `carrier`, of the trip's area or none yet) to drive post
    /// trip `id`: it sees the trip's runs and records its loads. Linking again changes nothing.
    pub async fn link_trip_carrier(
        &self,
        caller: &Caller,
        id: PostTripId,
        user: UserId,
    ) -> Result<TripCarriersView, AppError> {
        let now = self.clock.now_naive();
        let audit = Audit::by(caller, caller.area_id);
        let staff = caller.clone();
        self.db
            .transaction("post_trips.link_carrier", move |conn| {
                let trip = db::carriers::find_trip(conn, id)?.ok_or(AppError::NotFound)?;
                if !staff.works_in(trip.area_id) {
                    return Err(AppError::NotFound);
                }
                super::accounts::join_area(
                    conn,
                    user,
                    Role::Carrier,
                    trip.area_id,
                    "invalid-carrier-other-area",
                )?;
                db::carriers::link_trip_carrier(conn, id, user, now)?;
                audit.clone().in_area(trip.area_id).record(
                    conn,
                    now,
                    "link_carrier",
                    "post_trip",
                    id,
                )?;
                Ok(TripCarriersView {
                    post_trip_id: id,
                    carrier_ids: db::carriers::trip_carriers(conn, id)?,
                })
            })
            .await
    }

    pub async fn trip_carriers(
        &self,
        caller: &Caller,
        id: PostTripId,
    ) -> Result<TripCarriersView, AppError> {
        let staff = caller.clone();
        self.db
            .run("post_trips.carriers", move |conn| {
                let trip = db::carriers::find_trip(conn, id)?.ok_or(AppError::NotFound)?;
                if !staff.works_in(trip.area_id) {
                    return Err(AppError::NotFound);
                }
                Ok(TripCarriersView {
                    post_trip_id: id,
                    carrier_ids: db::carriers::trip_carriers(conn, id)?,
                })
            })
            .await
    }

    pub async fn unlink_trip_carrier(
        &self,
        caller: &Caller,
        id: PostTripId,
        user: UserId,
    ) -> Result<(), AppError> {
        let now = self.clock.now_naive();
        let audit = Audit::by(caller, caller.area_id);
        let staff = caller.clone();
        self.db
            .transaction("post_trips.unlink_carrier", move |conn| {
                let trip = db::carriers::find_trip(conn, id)?.ok_or(AppError::NotFound)?;
                if !staff.works_in(trip.area_id)
                    || !db::carriers::unlink_trip_carrier(conn, id, user)?
                {
                    return Err(AppError::NotFound);
                }
                audit.clone().in_area(trip.area_id).record(
                    conn,
                    now,
                    "unlink_carrier",
                    "post_trip",
                    id,
                )
            })
            .await
    }
}

/// Who drives a post trip.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TripCarriersView {
    pub post_trip_id: PostTripId,
    pub carrier_ids: Vec<UserId>,
}
