//! `yui seed-demo`: a demo of eastern Nara City (Tsukigase, Yagyu, Sugawa) with hubs,
//! neighbourhoods, residents, volunteers, post trips, a coordinator, a family member and the
//! next open delivery date's requests. Every step finds what an earlier run made before it
//! makes anything, so running it twice duplicates nothing.

use chrono::Days;
use serde_json::json;

use crate::db;
use crate::domain::account::{Role, User, UserStatus};
use crate::domain::area::{Area, Location, OpeningHours, Storage};
use crate::domain::ids::AreaId;
use crate::error::AppError;
use crate::services::Services;
use crate::services::accounts::{Caller, NewAccount};
use crate::services::audit::Audit;
use crate::services::carriers::{Availability, NewPostTrip, Vehicle, VolunteerProfile};
use crate::services::district::{NewArea, NewHub};
use crate::services::neighbourhoods::NeighbourhoodInput;
use crate::services::requests::{ItemInput, NewRequest};
use crate::services::residents::{Consent, NewGuardianLink, NewResident};

pub const AREA_NAME: &str = "Nara East";
pub const COORDINATOR_EMAIL: &str = "coordinator@nara-east.example.jp";
pub const FAMILY_EMAIL: &str = "family@nara-east.example.jp";
/// Demo passwords, printed by the command: this data is for trying Yui out, never production.
pub const COORDINATOR_PASSWORD: &str = "tsukigase-coordinator-demo";
pub const FAMILY_PASSWORD: &str = "tsukigase-family-demo";
pub const VOLUNTEER_PASSWORD: &str = "tsukigase-volunteer-demo";
const VOLUNTEERS: usize = 8;
/// The names the demo volunteers chose to show families.
const VOLUNTEER_NAMES: [&str; 8] = ["美咲", "健一", "さくら", "大輔", "花子", "翔", "ゆみ", "誠"];
const RESIDENTS_PER_HUB: usize = 20;

/// The hubs at (approximately) their real places, each with a square neighbourhood around it.
const HUBS: [(&str, &str, f64, f64); 3] = [
    (
        "月ヶ瀬ワーケーションルーム (Tsukigase workation room)",
        "community_room",
        34.7155,
        136.0330,
    ),
    (
        "旧柳生中学校 (former Yagyu junior high school)",
        "school",
        34.6640,
        135.9610,
    ),
    (
        "須川郵便局 (Sugawa post office)",
        "post_office",
        34.7290,
        135.9420,
    ),
];
const NEIGHBOURHOOD_HALF_SIDE: f64 = 0.02;

/// What the run found or made, for the printout.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub area_id: AreaId,
    pub delivery_date: String,
    pub hubs: usize,
    pub residents: usize,
    pub volunteers: usize,
    pub post_trips: usize,
    pub requests_for_date: usize,
}

/// A small deterministic generator, so that every run places the same residents.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        f64::from(u32::try_from(self.0 >> 40).unwrap_or(0)) / f64::from(1u32 << 24)
    }
}

async fn account(
    services: &Services,
    email: &str,
    password: &str,
    role: Role,
    area: Option<AreaId>,
    name: &str,
) -> Result<User, AppError> {
    let email_owned = email.to_owned();
    let existing = services
        .db
        .run("demo.find_user", move |conn| {
            db::users::find_by_email(conn, &email_owned)
        })
        .await?;
    if let Some((user, _)) = existing {
        return Ok(user);
    }
    services
        .accounts
        .create_by_staff(NewAccount {
            email: email.to_owned(),
            password: password.to_owned(),
            display_name: name.to_owned(),
            locale: "ja".to_owned(),
            role: role.as_str().to_owned(),
            area_id: area,
        })
        .await
}

async fn area(services: &Services) -> Result<Area, AppError> {
    let existing = services
        .db
        .run("demo.find_area", |conn| {
            db::areas::find_by_name(conn, AREA_NAME)
        })
        .await?;
    match existing {
        Some(row) => row.into_area(),
        None => {
            let mut input = NewArea::named(AREA_NAME);
            // The Coop's depot in Nara city, where the orders are packed.
            input.depot = Some(Location {
                lat: 34.6851,
                lon: 135.8048,
            });
            services
                .district
                .create_area(Audit::anonymous(None), input)
                .await
        }
    }
}

/// The first delivery date whose ordering is still open.
fn next_open_date(
    area: &Area,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<chrono::NaiveDate, AppError> {
    let mut date = now.with_timezone(&area.time_zone).date_naive();
    for _ in 0..30 {
        if area.cutoff.is_open(date, area.time_zone, now)? {
            return Ok(date);
        }
        date = date
            .checked_add_days(Days::new(1))
            .ok_or_else(|| AppError::internal("date overflow"))?;
    }
    Err(AppError::internal("no open delivery date within 30 days"))
}

pub async fn seed(services: &Services) -> Result<DemoSummary, AppError> {
    let area = area(services).await?;
    let coordinator = account(
        services,
        COORDINATOR_EMAIL,
        COORDINATOR_PASSWORD,
        Role::Coordinator,
        Some(area.id),
        "奈良東 コーディネーター",
    )
    .await?;
    let staff = Caller {
        user_id: coordinator.id,
        role: Role::Coordinator,
        status: UserStatus::Active,
        area_id: Some(area.id),
        locale: crate::domain::account::Locale::Ja,
    };
    let family = account(
        services,
        FAMILY_EMAIL,
        FAMILY_PASSWORD,
        Role::Family,
        None,
        "山田 太郎",
    )
    .await?;

    let mut hubs = services.district.hubs(&staff).await?;
    for (name, kind, lat, lon) in HUBS {
        if hubs.iter().any(|h| h.name == name) {
            continue;
        }
        let hub = services
            .district
            .create_hub(
                &staff,
                NewHub {
                    name: name.into(),
                    kind: kind.into(),
                    location: Location { lat, lon },
                    storage: Storage {
                        ambient: 40,
                        chilled: 16,
                        frozen: 8,
                    },
                    opening_hours: (0..7)
                        .map(|weekday| OpeningHours {
                            weekday,
                            open: "10:00".into(),
                            close: "16:00".into(),
                        })
                        .collect(),
                },
            )
            .await?;
        hubs.push(hub);
    }

    let neighbourhoods = services.neighbourhoods.list(&staff).await?;
    for (i, (name, _, lat, lon)) in HUBS.iter().enumerate() {
        let label = format!("地区 {}", name.split(' ').next().unwrap_or(name));
        if neighbourhoods.iter().any(|n| n.name == label) {
            continue;
        }
        let h = NEIGHBOURHOOD_HALF_SIDE;
        let ring = json!([
            [lon - h, lat - h],
            [lon + h, lat - h],
            [lon + h, lat + h],
            [lon - h, lat + h],
            [lon - h, lat - h]
        ]);
        services
            .neighbourhoods
            .save(
                &staff,
                None,
                NeighbourhoodInput {
                    name: label.into(),
                    boundary: json!({"type": "Polygon", "coordinates": [ring]}),
                    default_hub_id: hubs
                        .iter()
                        .find(|hub| hub.name == HUBS[i].0)
                        .map(|hub| hub.id),
                },
            )
            .await?;
    }

    let mut residents = services.residents.list(&staff, false, None, 1000).await?;
    let mut random = Lcg(20_231_126);
    for (i, (_, _, lat, lon)) in HUBS.iter().enumerate() {
        for n in 0..RESIDENTS_PER_HUB {
            let name = format!("住民 {}-{:02}", i + 1, n + 1);
            let (dx, dy) = (random.next(), random.next());
            if residents.iter().any(|r| r.name == name) {
                continue;
            }
            let h = NEIGHBOURHOOD_HALF_SIDE * 0.9;
            let care = n % 5 == 0;
            let resident = services
                .residents
                .create(
                    &staff,
                    NewResident {
                        name: name.into(),
                        phone: format!("0742-9{i}-{n:04}").into(),
                        address: format!("奈良市 デモ地区 {}-{}", i + 1, n + 1).into(),
                        location: Some(Location {
                            lat: lat - h + 2.0 * h * dy,
                            lon: lon - h + 2.0 * h * dx,
                        }),
                        fulfilment: if n % 3 == 0 {
                            "hub_pickup"
                        } else {
                            "home_delivery"
                        }
                        .into(),
                        care_notes: care.then(|| "足が悪く、玄関まで届けてほしい".into()),
                        consent: care.then(|| Consent {
                            given_by: "本人".into(),
                            basis: "written".into(),
                            text_version: "demo-2026".into(),
                        }),
                    },
                )
                .await?;
            residents.push(resident);
        }
    }
    if let Some(parent) = residents.iter().min_by(|a, b| a.name.cmp(&b.name)) {
        let link = services
            .residents
            .link_guardian(
                &staff,
                parent.id,
                NewGuardianLink {
                    user_id: family.id,
                    relation: "son".into(),
                    consent: Consent {
                        given_by: parent.name.as_str().into(),
                        basis: "written".into(),
                        text_version: "demo-2026".into(),
                    },
                },
            )
            .await;
        match link {
            Ok(_) | Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }

    for v in 0..VOLUNTEERS {
        let volunteer = account(
            services,
            &format!("volunteer{}@nara-east.example.jp", v + 1),
            VOLUNTEER_PASSWORD,
            Role::Volunteer,
            Some(area.id),
            &format!("ボランティア {}", v + 1),
        )
        .await?;
        let (_, _, lat, lon) = HUBS[v % HUBS.len()];
        services
            .carriers
            .put_profile(
                &staff,
                volunteer.id,
                VolunteerProfile {
                    public_name: VOLUNTEER_NAMES[v % VOLUNTEER_NAMES.len()].into(),
                    home: Location {
                        lat: lat + 0.005,
                        lon: lon - 0.005,
                    },
                    vehicle: [
                        Vehicle::Car,
                        Vehicle::KeiTruck,
                        Vehicle::Bicycle,
                        Vehicle::Walk,
                    ][v % 4],
                    capacity_litres: [120, 300, 40, 20][v % 4],
                    cold_box: v % 2 == 0,
                    max_distance_km: [15.0, 20.0, 6.0, 2.0][v % 4],
                    // Every day, so that the demo can be planned whenever it is seeded.
                    availability: (0..7)
                        .map(|weekday| Availability {
                            weekday,
                            start: "10:00".into(),
                            end: "16:00".into(),
                        })
                        .collect(),
                },
            )
            .await?;
    }

    let trips = services.carriers.trips(&staff).await?;
    for (name, departure, served) in [
        ("奈良東 午前便", "09:30", [0usize, 1]),
        ("奈良東 午後便", "13:30", [2, 0]),
    ] {
        if trips.iter().any(|t| t.name == name) {
            continue;
        }
        services
            .carriers
            .create_trip(
                &staff,
                NewPostTrip {
                    name: name.into(),
                    origin: Location {
                        lat: 34.6843,
                        lon: 135.8270,
                    },
                    weekdays: (0..7).collect(),
                    departure: departure.into(),
                    hub_ids: served
                        .iter()
                        .map(|&i| hubs.iter().find(|h| h.name == HUBS[i].0).map(|h| h.id))
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| AppError::internal("demo hub missing"))?,
                    spare_capacity: Storage {
                        ambient: 200,
                        chilled: 60,
                        frozen: 20,
                    },
                },
            )
            .await?;
    }

    // The same resident gets the same basket on every run: a rerun replays, never conflicts.
    residents.sort_by(|a, b| a.name.cmp(&b.name));
    let date = next_open_date(&area, services.clock.now())?;
    let date_text = date.format("%Y-%m-%d").to_string();
    let basket = [
        ("米", 5.0, "kg", "ambient", "none"),
        ("豆腐", 2.0, "丁", "chilled", "similar"),
        ("牛乳", 1.0, "本", "chilled", "similar"),
        ("冷凍うどん", 3.0, "玉", "frozen", "ask"),
        ("りんご", 4.0, "個", "ambient", "similar"),
    ];
    for (n, resident) in residents.iter().enumerate() {
        let items = basket
            .iter()
            .cycle()
            .skip(n % basket.len())
            .take(1 + n % 4)
            .map(
                |(name, quantity, unit, temperature, substitution)| ItemInput {
                    name: (*name).into(),
                    quantity: *quantity,
                    unit: (*unit).into(),
                    temperature: (*temperature).into(),
                    substitution: (*substitution).into(),
                },
            )
            .collect();
        services
            .requests
            .create(
                &staff,
                Some(format!("seed-demo-{date_text}-{}", resident.id)),
                NewRequest {
                    resident_id: resident.id,
                    delivery_date: date_text.as_str().into(),
                    fulfilment: if n % 3 == 0 {
                        "hub_pickup"
                    } else {
                        "home_delivery"
                    }
                    .into(),
                    notes: None,
                    items,
                },
            )
            .await?;
    }
    let filter = db::requests::RequestFilter {
        delivery_date: Some(date_text.clone()),
        ..Default::default()
    };
    let requests_for_date = services
        .requests
        .list(&staff, filter, None, 1000)
        .await?
        .len();
    Ok(DemoSummary {
        area_id: area.id,
        delivery_date: date_text,
        hubs: hubs.len(),
        residents: residents.len(),
        volunteers: VOLUNTEERS,
        post_trips: services.carriers.trips(&staff).await?.len(),
        requests_for_date,
    })
}
