//! Residents and the family members linked to them.

mod views;

use serde::{Deserialize, Serialize};

use super::audit::Audit;
use super::caller::Caller;
use super::neighbourhoods::area_index;
use super::unit_of_work::{self, UnitOfWork};
use crate::clients::geocoder::{Geocoder, Provider};
use crate::db::link_codes::LinkCodeRow;
use crate::db::residents::{GuardianLinkRow, ResidentRow};
use crate::db::{self, Db, DbConnection};
use crate::domain::account::Role;
use crate::domain::area::{Location, check_name};
use crate::domain::clock::Clock;
use crate::domain::error::Message;
use crate::domain::ids::{AreaId, GuardianLinkId, NeighbourhoodId, ResidentId, UserId};
use crate::domain::request::Fulfilment;
use crate::domain::resident::{self, GuardianLinkStatus, LinkCommand, LocationStatus};
use crate::error::AppError;
pub use views::{
    Consent, GuardianLinkView, LinkCodeView, NewGuardianLink, NewResident, ResidentChanges,
    ResidentView,
};

pub(crate) fn check_phone(raw: &str) -> Result<String, AppError> {
    let phone = check_name("phone", raw, 30)?;
    if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'))
    {
        return Err(AppError::invalid("phone", "invalid-phone"));
    }
    Ok(phone)
}

/// The resident `id` if `caller` may see it: staff of its area, or a linked family member.
/// Anything else is 404, so that ids of other families' parents reveal nothing.
pub fn visible_resident(
    conn: &mut DbConnection,
    caller: &Caller,
    id: ResidentId,
) -> Result<ResidentRow, AppError> {
    let resident = db::residents::find(conn, id)?.ok_or(AppError::NotFound)?;
    if may_see(conn, caller, &resident)? {
        Ok(resident)
    } else {
        Err(AppError::NotFound)
    }
}

/// Staff of the resident's area, or a linked family member.
pub(crate) fn may_see(
    conn: &mut DbConnection,
    caller: &Caller,
    resident: &ResidentRow,
) -> Result<bool, AppError> {
    Ok(match caller.role {
        Role::Coordinator | Role::Admin => caller.works_in(resident.area_id),
        Role::Family => db::residents::is_guardian(conn, resident.id, caller.user_id)?,
        _ => false,
    })
}

#[derive(Clone)]
pub struct Residents {
    db: Db,
    clock: Clock,
    /// Link codes are short: guesses are bounded per address.
    link_code_attempts: super::throttle::AddressThrottle,
    geocoder: Geocoder,
}

impl Residents {
    pub fn new(db: Db, clock: Clock, geocoder: Geocoder) -> Self {
        Residents {
            db,
            clock,
            link_code_attempts: super::throttle::AddressThrottle::new(
                LINK_CODE_ATTEMPTS_PER_MINUTE,
                "too-many-link-codes",
            ),
            geocoder,
        }
    }

    /// The address's location from the cache or the geocoder; `None` when neither knows it
    /// (or the geocoder fails, which is logged without the address).
    async fn geocode(&self, address: &str) -> Result<Option<Location>, AppError> {
        let provider = self.geocoder.provider();
        if provider == Provider::Off {
            return Ok(None);
        }
        let key = address.to_owned();
        let cached = self
            .db
            .run("geocode.cached", move |conn| {
                db::geocode::cached(conn, provider.as_str(), &key)
            })
            .await?;
        if cached.is_some() {
            return Ok(cached);
        }
        match self.geocoder.locate(address).await {
            Ok(Some(location)) => {
                let key = address.to_owned();
                let now = self.clock.now_naive();
                // The cache is an optimisation: failing to fill it (say, a concurrent save of
                // the same address) must not fail the resident.
                let remembered = self
                    .db
                    .transaction("geocode.remember", move |conn| {
                        db::geocode::remember(conn, provider.as_str(), &key, location, now)
                    })
                    .await;
                if let Err(error) = remembered {
                    tracing::warn!(error = %error, "geocoder answer not cached");
                }
                Ok(Some(location))
            }
            Ok(None) => Ok(None),
            Err(error) => {
                tracing::warn!(provider = provider.as_str(), error = %error, "geocoding failed; the resident needs review");
                Ok(None)
            }
        }
    }

    pub async fn create(
        &self,
        caller: &Caller,
        input: NewResident,
    ) -> Result<ResidentView, AppError> {
        let area_id = caller.area()?;
        let name = check_name("name", &input.name, 100)?;
        let phone = check_phone(&input.phone)?;
        let address = check_name("address", &input.address, 300)?;
        let fulfilment = Fulfilment::parse(&input.fulfilment)?;
        let given = input.location.map(|l| l.validate("location")).transpose()?;
        let care_notes = input
            .care_notes
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        if care_notes
            .as_ref()
            .is_some_and(|n| n.chars().count() > 2000)
        {
            return Err(AppError::invalid(
                "care_notes",
                crate::domain::error::Message::new("invalid-too-long").arg("max", 2000),
            ));
        }
        let consent = match (&care_notes, input.consent) {
            (Some(_), None) => {
                return Err(AppError::invalid("consent", "invalid-consent-needed"));
            }
            (_, Some(consent)) => {
                consent.check("consent")?;
                Some(consent)
            }
            (None, None) => None,
        };
        let (location, location_status) = match given {
            Some(location) => (Some(location), LocationStatus::Given),
            None => match self.geocode(&address).await? {
                Some(location) => (Some(location), LocationStatus::Geocoded),
                // A coordinator places the resident by hand.
                None => (None, LocationStatus::NeedsReview),
            },
        };
        let now = self.clock.now_naive();
        let row = ResidentRow {
            id: ResidentId::new(),
            area_id,
            name,
            phone,
            address,
            lat: location.map(|l| l.lat),
            lon: location.map(|l| l.lon),
            location_status,
            neighbourhood_id: None,
            fulfilment,
            care_notes,
            care_consent_given_by: consent.as_ref().map(|c| c.given_by.to_string()),
            care_consent_basis: consent.as_ref().map(|c| c.basis.to_string()),
            care_consent_text_version: consent.as_ref().map(|c| c.text_version.to_string()),
            care_consented_at: consent.as_ref().map(|_| now),
            created_at: now,
            updated_at: now,
        };
        let audit = Audit::by(caller, Some(area_id));
        self.db
            .transaction("residents.create", move |conn| {
                let mut row = row;
                if let (Some(lon), Some(lat)) = (row.lon, row.lat) {
                    row.neighbourhood_id = area_index(conn, area_id)?.locate(lon, lat);
                }
                db::residents::insert(conn, &row)?;
                let view = row.view(true, true)?;
                audit.record(conn, now, "create", "resident", view.id)?;
                Ok(view)
            })
            .await
    }

    /// One resident, with phone and address. Staff also see the care notes; their reads are
    /// audited.
    pub async fn get(&self, caller: &Caller, id: ResidentId) -> Result<ResidentView, AppError> {
        let now = self.clock.now_naive();
        let audit = Audit::by(caller, None);
        let caller = caller.clone();
        self.db
            .transaction("residents.get", move |conn| {
                let resident = visible_resident(conn, &caller, id)?;
                let staff = caller.role.is_staff();
                // Contact details and care notes: every staff read is on record.
                if staff {
                    let action = if resident.care_notes.is_some() {
                        "read_care_notes"
                    } else {
                        "read_contact"
                    };
                    audit
                        .clone()
                        .in_area(resident.area()?)
                        .record(conn, now, action, "resident", id)?;
                }
                resident.view(true, staff)
            })
            .await
    }

    /// Staff: a page of the area's residents with their contact details (no care notes), in
    /// id order after `after`, for an export; each resident's contact read is on record.
    pub async fn export_page(
        &self,
        caller: &Caller,
        after: Option<ResidentId>,
        limit: i64,
    ) -> Result<Vec<ResidentView>, AppError> {
        if !caller.role.is_staff() {
            return Err(AppError::NotFound);
        }
        let area = caller.area()?;
        let now = self.clock.now_naive();
        let audit = Audit::by(caller, Some(area));
        self.db
            .transaction("residents.export", move |conn| {
                let after = after.map(|a| a.to_string());
                let rows = db::residents::of_area(conn, area, false, after, limit)?;
                for row in &rows {
                    audit.record(conn, now, "export_contact", "resident", row.id)?;
                }
                rows.iter().map(|r| r.view(true, false)).collect()
            })
            .await
    }

    /// A resident's name as lists show it (no contact details, so not an audited read).
    pub async fn name(&self, caller: &Caller, id: ResidentId) -> Result<String, AppError> {
        let caller = caller.clone();
        self.db
            .run("residents.name", move |conn| {
                Ok(visible_resident(conn, &caller, id)?
                    .view(false, false)?
                    .name)
            })
            .await
    }

    /// A coordinator corrects a resident: contact details, fulfilment, or the location (which
    /// places the resident in a neighbourhood again; how residents left for review get placed).
    pub async fn update(
        &self,
        caller: &Caller,
        id: ResidentId,
        changes: ResidentChanges,
    ) -> Result<ResidentView, AppError> {
        let now = self.clock.now_naive();
        let name = changes
            .name
            .as_deref()
            .map(|n| check_name("name", n, 100))
            .transpose()?;
        let phone = changes.phone.as_deref().map(check_phone).transpose()?;
        let address = changes
            .address
            .as_deref()
            .map(|a| check_name("address", a, 300))
            .transpose()?;
        let fulfilment = changes
            .fulfilment
            .as_deref()
            .map(Fulfilment::parse)
            .transpose()?;
        let location = changes
            .location
            .map(|l| l.validate("location"))
            .transpose()?;
        let audit = Audit::by(caller, None);
        let caller = caller.clone();
        self.db
            .transaction("residents.update", move |conn| {
                let mut row = visible_resident(conn, &caller, id)?;
                let area = row.area()?;
                if let Some(name) = name {
                    row.name = name;
                }
                if let Some(phone) = phone {
                    row.phone = phone;
                }
                if let Some(address) = address {
                    row.address = address;
                }
                if let Some(fulfilment) = fulfilment {
                    row.fulfilment = fulfilment;
                }
                if let Some(location) = location {
                    row.lat = Some(location.lat);
                    row.lon = Some(location.lon);
                    row.location_status = LocationStatus::Given;
                    row.neighbourhood_id =
                        area_index(conn, area)?.locate(location.lon, location.lat);
                }
                row.updated_at = now;
                db::residents::update(conn, &row)?;
                audit
                    .clone()
                    .in_area(area)
                    .record(conn, now, "update", "resident", id)?;
                row.view(true, true)
            })
            .await
    }

    /// Staff: the area's residents (`review`: only those a coordinator must place, with no
    /// location or on no polygon); family: their linked residents. No care notes in lists.
    pub async fn list(
        &self,
        caller: &Caller,
        review: bool,
        after: Option<ResidentId>,
        limit: i64,
    ) -> Result<Vec<ResidentView>, AppError> {
        let caller = caller.clone();
        self.db
            .run("residents.list", move |conn| {
                let after = after.map(|a| a.to_string());
                let rows = match caller.role {
                    Role::Family => db::residents::of_guardian(conn, caller.user_id, after, limit)?,
                    _ => db::residents::of_area(conn, caller.area()?, review, after, limit)?,
                };
                // Staff lists leave out phone and address (read one resident for them, audited);
                // a family member's list is of their own parents.
                let contact = caller.role == Role::Family;
                rows.iter().map(|r| r.view(contact, false)).collect()
            })
            .await
    }

    /// A coordinator links a family account to a resident, with the consent on record. A link
    /// the family member asked for is completed; an active one is a conflict.
    pub async fn link_guardian(
        &self,
        caller: &Caller,
        resident_id: ResidentId,
        input: NewGuardianLink,
    ) -> Result<GuardianLinkView, AppError> {
        let relation = check_name("relation", &input.relation, 50)?;
        input.consent.check("consent")?;
        let audit = Audit::by(caller, None);
        let caller = caller.clone();
        unit_of_work::write(
            &self.db,
            &self.clock,
            "residents.link_guardian",
            audit,
            move |uow| {
                let resident = visible_resident(uow.conn, &caller, resident_id)?;
                let (user, _) = db::users::find(uow.conn, input.user_id)?
                    .ok_or_else(|| AppError::invalid("user_id", "invalid-no-account"))?;
                if user.role != Role::Family {
                    return Err(AppError::invalid(
                        "user_id",
                        Message::new("invalid-account-role").arg("role", "family"),
                    ));
                }
                let existing = db::residents::find_link(uow.conn, resident_id, input.user_id)?;
                let step = resident::link_transition(
                    existing.as_ref().map(|l| l.status),
                    LinkCommand::Complete,
                )?;
                let now = uow.now();
                let row = GuardianLinkRow {
                    id: existing.as_ref().map_or_else(GuardianLinkId::new, |l| l.id),
                    resident_id: resident.id,
                    user_id: input.user_id,
                    relation,
                    status: step.next,
                    consent_given_by: Some(input.consent.given_by.to_string()),
                    consent_basis: Some(input.consent.basis.to_string()),
                    consent_text_version: Some(input.consent.text_version.to_string()),
                    consented_at: Some(now),
                    created_at: existing.as_ref().map_or(now, |l| l.created_at),
                };
                if existing.is_some() {
                    db::residents::activate_link(uow.conn, &row)?;
                } else {
                    db::residents::insert_link(uow.conn, &row)?;
                }
                uow.in_area(resident.area()?);
                uow.audit("link_guardian", "resident", resident_id)?;
                uow.events(unit_of_work::GUARDIAN_LINK, row.id, &step.events)?;
                row.view()
            },
        )
        .await
    }

    /// A family member asks to be linked to a resident (whose id the coordinator gave them);
    /// the link waits for a coordinator, who records the consent.
    pub async fn request_link(
        &self,
        caller: &Caller,
        resident_id: ResidentId,
        relation: &str,
    ) -> Result<GuardianLinkView, AppError> {
        let relation = check_name("relation", relation, 50)?;
        let audit = Audit::by(caller, None);
        let caller = caller.clone();
        unit_of_work::write(
            &self.db,
            &self.clock,
            "residents.request_link",
            audit,
            move |uow| ask_for_link(uow, &caller, resident_id, relation),
        )
        .await
    }

    /// A short code for `resident_id` that a coordinator prints or reads out on the phone; the
    /// family asks for their link with it (`request_link_by_code`). Valid 14 days, once.
    pub async fn create_link_code(
        &self,
        caller: &Caller,
        resident_id: ResidentId,
    ) -> Result<LinkCodeView, AppError> {
        let code = resident::link_code_from(&super::tokens::random_bytes());
        let hash = super::tokens::digest(&code);
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(
            &self.db,
            &self.clock,
            "residents.link_code",
            audit,
            move |uow| {
                let resident = visible_resident(uow.conn, &caller, resident_id)?;
                let expires_at = uow.now() + chrono::Duration::days(resident::LINK_CODE_DAYS);
                db::link_codes::insert(
                    uow.conn,
                    &LinkCodeRow {
                        code_hash: hash,
                        resident_id: resident.id,
                        area_id: resident.area_id,
                        created_by: caller.user_id,
                        created_at: uow.now(),
                        expires_at,
                        used_at: None,
                        used_by: None,
                    },
                )?;
                uow.in_area(resident.area()?);
                uow.audit("create_link_code", "resident", resident_id)?;
                Ok(LinkCodeView {
                    code,
                    resident_id,
                    expires_at: crate::domain::time::wire_naive(expires_at),
                })
            },
        )
        .await
    }

    /// A family member asks to be linked with a code a coordinator gave them; the link waits
    /// for the coordinator, who records the consent. Unknown, used and expired codes are one
    /// and the same refusal, and guesses from one address are limited.
    pub async fn request_link_by_code(
        &self,
        caller: &Caller,
        link_code: &str,
        relation: &str,
        client: std::net::IpAddr,
    ) -> Result<GuardianLinkView, AppError> {
        self.link_code_attempts.check(client)?;
        let relation = check_name("relation", relation, 50)?;
        let wrong = || AppError::invalid("link_code", "invalid-link-code");
        let code = resident::normalise_link_code(link_code).ok_or_else(wrong)?;
        let hash = super::tokens::digest(&code);
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(
            &self.db,
            &self.clock,
            "residents.request_link",
            audit,
            move |uow| {
                let row = db::link_codes::find(uow.conn, &hash)?.ok_or_else(wrong)?;
                if row.used_at.is_some() || row.expires_at <= uow.now() {
                    return Err(wrong());
                }
                if !db::link_codes::use_once(uow.conn, &hash, caller.user_id, uow.now())? {
                    return Err(wrong());
                }
                ask_for_link(uow, &caller, row.resident_id, relation)
            },
        )
        .await
    }

    /// Staff: the family accounts linked to a resident or asking to be, with the consent
    /// each link was made on.
    pub async fn guardian_links(
        &self,
        caller: &Caller,
        resident_id: ResidentId,
    ) -> Result<Vec<GuardianLinkView>, AppError> {
        if !caller.role.is_staff() {
            return Err(AppError::NotFound);
        }
        let caller = caller.clone();
        self.db
            .run("residents.guardian_links", move |conn| {
                let resident = visible_resident(conn, &caller, resident_id)?;
                db::residents::links_of(conn, resident.id)?
                    .iter()
                    .map(GuardianLinkRow::view)
                    .collect()
            })
            .await
    }

    /// Links asked for in the caller's area, oldest first.
    pub async fn requested_links(
        &self,
        caller: &Caller,
    ) -> Result<Vec<GuardianLinkView>, AppError> {
        let area = caller.area()?;
        self.db
            .run("residents.requested_links", move |conn| {
                db::residents::requested_links(conn, area)?
                    .iter()
                    .map(GuardianLinkRow::view)
                    .collect()
            })
            .await
    }
}

/// The family member `caller` asks to be linked to `resident_id`: a link that waits for a
/// coordinator. A link they have (or asked for) already is 409.
fn ask_for_link(
    uow: &mut UnitOfWork<'_>,
    caller: &Caller,
    resident_id: ResidentId,
    relation: String,
) -> Result<GuardianLinkView, AppError> {
    let resident = db::residents::find(uow.conn, resident_id)?.ok_or(AppError::NotFound)?;
    let existing = db::residents::find_link(uow.conn, resident_id, caller.user_id)?;
    let step = resident::link_transition(existing.map(|l| l.status), LinkCommand::Ask)?;
    let row = GuardianLinkRow {
        id: GuardianLinkId::new(),
        resident_id: resident.id,
        user_id: caller.user_id,
        relation,
        status: step.next,
        consent_given_by: None,
        consent_basis: None,
        consent_text_version: None,
        consented_at: None,
        created_at: uow.now(),
    };
    db::residents::insert_link(uow.conn, &row)?;
    uow.in_area(resident.area()?);
    uow.audit("request_link", "resident", resident_id)?;
    uow.events(unit_of_work::GUARDIAN_LINK, row.id, &step.events)?;
    row.view()
}

/// Link-code guesses allowed per address and minute.
pub const LINK_CODE_ATTEMPTS_PER_MINUTE: u32 = 10;
