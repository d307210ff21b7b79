//! Residents and their families: search, create, correct and place a resident; the family
//! links asked for, completed with the consent on record; link codes to print; the people
//! who may take deliveries for a resident (proxies), with their consent.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::page::{self, Page, Section, Settings, csrf_input, t, t_with};
use super::session::ConsoleVisit;
use crate::domain::area::Location;
use crate::domain::ids::{ProxyId, ResidentId, UserId};
use crate::domain::request::Fulfilment;
use crate::domain::text::{Line, Note, TextEnum};
use crate::error::AppError;
use crate::services::Services;
use crate::services::caller::Caller;
use crate::services::proxies::NewProxy;
use crate::services::residents::{
    Consent, GuardianLinkView, NewGuardianLink, NewResident, ResidentChanges, ResidentView,
};

/// The most residents one list shows (a district has a few hundred to two thousand).
const MAX_LISTED: usize = 300;

#[derive(Deserialize)]
pub struct ResidentsQuery {
    /// Part of a name.
    q: Option<String>,
    /// Only those a coordinator must place on the map.
    review: Option<String>,
}

fn fulfilment_options(selected: Option<Fulfilment>) -> Markup {
    html! {
        @for value in Fulfilment::ALL {
            option value=(value.as_str()) selected[selected == Some(*value)] {
                (t(&format!("console-fulfilment-{}", value.as_str())))
            }
        }
    }
}

/// The fields of a consent record, as a coordinator notes it from the conversation
/// (`required` unless what it covers is itself optional).
fn consent_fields(prefix: &str, required: bool) -> Markup {
    html! {
        fieldset.consent {
            legend { (t("console-residents-consent")) }
            label for={ (prefix) "given_by" } { (t("console-residents-consent-given-by")) }
            input id={ (prefix) "given_by" } name="given_by" maxlength="200" required[required];
            label for={ (prefix) "basis" } { (t("console-residents-consent-basis")) }
            input id={ (prefix) "basis" } name="basis" maxlength="200" required[required];
            label for={ (prefix) "text_version" } { (t("console-residents-consent-version")) }
            input id={ (prefix) "text_version" } name="text_version" maxlength="200" required[required];
        }
    }
}

fn link_requests(visit: &ConsoleVisit, asked: &[(GuardianLinkView, String, String)]) -> Markup {
    html! {
        h2 #link-requests { (t("console-residents-link-requests")) " (" (asked.len()) ")" }
        @if asked.is_empty() {
            p { (t("console-none-yet")) }
        }
        @for (link, resident, family) in asked {
            section.card.wide data-link=(link.id) {
                h3 { (t_with("console-residents-link-asked", &[
                    ("family", family.clone()),
                    ("resident", resident.clone()),
                    ("relation", link.relation.clone()),
                ])) }
                form.account method="post" action={ "/console/residents/" (link.resident_id) "/guardians" } {
                    (csrf_input(visit))
                    input type="hidden" name="user_id" value=(link.user_id);
                    input type="hidden" name="relation" value=(link.relation);
                    (consent_fields(&format!("link-{}-", link.id), true))
                    button.primary type="submit" { (t("console-residents-link-complete")) }
                }
            }
        }
    }
}

fn new_resident_form(visit: &ConsoleVisit) -> Markup {
    html! {
        h2 #new-resident { (t("console-residents-new")) }
        form.account.new-resident method="post" action="/console/residents" {
            (csrf_input(visit))
            label for="name" { (t("console-name")) }
            input #name name="name" maxlength="100" required;
            label for="phone" { (t("console-exports-phone")) }
            input #phone name="phone" type="tel" maxlength="30" required;
            label for="address" { (t("console-exports-address")) }
            input #address name="address" maxlength="300" required;
            label for="fulfilment" { (t("console-requests-fulfilment")) }
            select #fulfilment name="fulfilment" { (fulfilment_options(None)) }
            p.muted { (t("console-residents-location-how")) }
            label for="lat" { (t("console-exports-lat")) }
            input #lat name="lat" type="number" step="any" min="-90" max="90";
            label for="lon" { (t("console-exports-lon")) }
            input #lon name="lon" type="number" step="any" min="-180" max="180";
            label for="care_notes" { (t("console-residents-care-notes")) }
            textarea #care_notes name="care_notes" rows="3" maxlength="2000" {}
            p.muted { (t("console-residents-care-notes-how")) }
            (consent_fields("care-", false))
            button.primary type="submit" { (t("console-residents-create")) }
        }
    }
}

async fn residents(
    services: &Services,
    settings: &Settings,
    visit: &ConsoleVisit,
    caller: &Caller,
    query: &ResidentsQuery,
) -> Result<HttpResponse, AppError> {
    let wanted = query.q.as_deref().map(str::trim).unwrap_or_default();
    let review = query.review.as_deref() == Some("1");
    let all = services
        .residents
        .list(caller, review, None, 100_000)
        .await?;
    let names: HashMap<ResidentId, String> = all.iter().map(|r| (r.id, r.name.clone())).collect();
    let needle = wanted.to_lowercase();
    let found: Vec<&ResidentView> = all
        .iter()
        .filter(|r| needle.is_empty() || r.name.to_lowercase().contains(&needle))
        .collect();
    let neighbourhoods: HashMap<String, String> = services
        .neighbourhoods
        .list(caller)
        .await?
        .into_iter()
        .map(|n| (n.id.to_string(), n.name))
        .collect();
    let mut asked = Vec::new();
    for link in services.residents.requested_links(caller).await? {
        let family = services.accounts.get(link.user_id).await?.display_name;
        let resident = match names.get(&link.resident_id) {
            Some(name) => name.clone(),
            None => services.residents.name(caller, link.resident_id).await?,
        };
        asked.push((link, resident, family));
    }
    let title = t("console-residents-title");
    let main = html! {
        h1 { (title) }
        form.filters.no-print method="get" action="/console/residents" role="search" {
            label for="q" { (t("console-residents-search")) }
            input #q name="q" type="search" value=(wanted) maxlength="100";
            label.check {
                input type="checkbox" name="review" value="1" checked[review];
                " " (t("console-residents-review-only"))
            }
            " "
            button type="submit" { (t("console-map-show")) }
        }
        p.muted { (t_with("console-residents-count", &[("count", found.len().to_string())])) }
        @if found.is_empty() {
            p { (t("console-residents-none")) }
        } @else {
            table.residents {
                thead { tr {
                    th scope="col" { (t("console-name")) }
                    th scope="col" { (t("console-impact-neighbourhood")) }
                    th scope="col" { (t("console-requests-fulfilment")) }
                    th scope="col" { (t("console-exports-location-status")) }
                } }
                tbody {
                    @for resident in found.iter().take(MAX_LISTED) {
                        tr data-resident=(resident.id) {
                            td { a href={ "/console/residents/" (resident.id) } { (resident.name) } }
                            td { (resident.neighbourhood_id.and_then(|n| neighbourhoods.get(&n.to_string())).map_or("—", String::as_str)) }
                            td { (t(&format!("console-fulfilment-{}", resident.fulfilment.as_str()))) }
                            td { (t(&format!("console-location-{}", resident.location_status.as_str()))) }
                        }
                    }
                }
            }
            @if found.len() > MAX_LISTED {
                p.muted { (t_with("console-residents-more", &[("count", MAX_LISTED.to_string())])) }
            }
        }
        (link_requests(visit, &asked))
        (new_resident_form(visit))
    };
    Ok(page::render(
        settings,
        Page {
            section: Some(Section::Residents),
            title,
            visit,
            here: "/console/residents".to_owned(),
            scripts: &[],
            styles: &[],
        },
        main,
    ))
}

/// `GET /console/residents?q=&review=`
pub async fn list(
    services: web::Data<Services>,
    settings: Settings,
    visit: ConsoleVisit,
    caller: Caller,
    query: web::Query<ResidentsQuery>,
) -> HttpResponse {
    page::answer(residents(&services, &settings, &visit, &caller, &query).await)
}

fn consent_text(consent: &Consent) -> String {
    t_with(
        "console-residents-consent-record",
        &[
            ("given_by", consent.given_by.as_str().to_owned()),
            ("basis", consent.basis.as_str().to_owned()),
            ("version", consent.text_version.as_str().to_owned()),
        ],
    )
}

fn edit_form(visit: &ConsoleVisit, resident: &ResidentView) -> Markup {
    html! {
        h2 #edit { (t("console-residents-edit")) }
        form.account method="post" action={ "/console/residents/" (resident.id) } {
            (csrf_input(visit))
            label for="name" { (t("console-name")) }
            input #name name="name" maxlength="100" required value=(resident.name);
            label for="phone" { (t("console-exports-phone")) }
            input #phone name="phone" type="tel" maxlength="30" required value=(resident.phone.as_deref().unwrap_or(""));
            label for="address" { (t("console-exports-address")) }
            input #address name="address" maxlength="300" required value=(resident.address.as_deref().unwrap_or(""));
            label for="fulfilment" { (t("console-requests-fulfilment")) }
            select #fulfilment name="fulfilment" { (fulfilment_options(Some(resident.fulfilment))) }
            p.muted { (t("console-residents-place-how")) }
            label for="lat" { (t("console-exports-lat")) }
            input #lat name="lat" type="number" step="any" min="-90" max="90" value=(resident.location.map(|l| format!("{:.6}", l.lat)).unwrap_or_default());
            label for="lon" { (t("console-exports-lon")) }
            input #lon name="lon" type="number" step="any" min="-180" max="180" value=(resident.location.map(|l| format!("{:.6}", l.lon)).unwrap_or_default());
            button.primary type="submit" { (t("console-residents-save")) }
        }
    }
}

async fn resident_page(
    services: &Services,
    settings: &Settings,
    visit: &ConsoleVisit,
    caller: &Caller,
    id: ResidentId,
) -> Result<HttpResponse, AppError> {
    // Contact details and care notes: this read is on record (the service audits it).
    let resident = services.residents.get(caller, id).await?;
    let links = services.residents.guardian_links(caller, id).await?;
    let mut families = Vec::new();
    for link in &links {
        families.push(services.accounts.get(link.user_id).await?.display_name);
    }
    let proxies = services.proxies.list(caller, id).await?;
    let title = resident.name.clone();
    let main = html! {
        p.no-print { a href="/console/residents" { (t("console-residents-back")) } }
        h1 { (title) }
        dl.facts {
            dt { (t("console-exports-phone")) } dd { (resident.phone.as_deref().unwrap_or("—")) }
            dt { (t("console-exports-address")) } dd { (resident.address.as_deref().unwrap_or("—")) }
            dt { (t("console-requests-fulfilment")) } dd { (t(&format!("console-fulfilment-{}", resident.fulfilment.as_str()))) }
            dt { (t("console-exports-location-status")) } dd { (t(&format!("console-location-{}", resident.location_status.as_str()))) }
            @if let Some(notes) = &resident.care_notes {
                dt { (t("console-residents-care-notes")) } dd { (notes) }
            }
        }
        (edit_form(visit, &resident))
        h2 #families { (t("console-residents-families")) " (" (links.len()) ")" }
        @if links.is_empty() {
            p { (t("console-residents-no-family")) }
        } @else {
            ul {
                @for (link, family) in links.iter().zip(&families) {
                    li data-link=(link.id) {
                        (family) " (" (link.relation) ") · "
                        (t(&format!("console-link-status-{}", link.status.as_str())))
                        @if let Some(consent) = &link.consent {
                            br; span.muted { (consent_text(consent)) }
                        }
                    }
                }
            }
        }
        form.inline.no-print method="post" action={ "/console/residents/" (id) "/link-codes" } {
            (csrf_input(visit))
            button type="submit" { (t("console-residents-link-code")) }
        }
        h2 #proxies { (t("console-residents-proxies")) " (" (proxies.len()) ")" }
        @if proxies.is_empty() {
            p { (t("console-residents-no-proxy")) }
        } @else {
            ul {
                @for proxy in &proxies {
                    li data-proxy=(proxy.id) {
                        (proxy.name) " (" (proxy.relation) ")"
                        @if let Some(phone) = &proxy.phone { " · " (phone) }
                        br;
                        span.muted { (t_with("console-residents-consent-record", &[
                            ("given_by", proxy.consent.given_by.clone()),
                            ("basis", proxy.consent.basis.clone()),
                            ("version", proxy.consent.text_version.clone()),
                        ])) }
                        " "
                        form.inline method="post" action={ "/console/residents/" (id) "/proxies/" (proxy.id) "/remove" } {
                            (csrf_input(visit))
                            button type="submit" { (t("console-people-unlink")) }
                        }
                    }
                }
            }
        }
        h3 { (t("console-residents-add-proxy")) }
        form.account method="post" action={ "/console/residents/" (id) "/proxies" } {
            (csrf_input(visit))
            label for="proxy-name" { (t("console-name")) }
            input #proxy-name name="name" maxlength="100" required;
            label for="proxy-relation" { (t("console-residents-relation")) }
            input #proxy-relation name="relation" maxlength="50" required;
            label for="proxy-phone" { (t("console-exports-phone")) }
            input #proxy-phone name="phone" type="tel" maxlength="30";
            (consent_fields("proxy-", true))
            button.primary type="submit" { (t("console-residents-add-proxy")) }
        }
    };
    Ok(page::render(
        settings,
        Page {
            section: Some(Section::Residents),
            title,
            visit,
            here: format!("/console/residents/{id}"),
            scripts: &[],
            styles: &[],
        },
        main,
    ))
}

/// `GET /console/residents/{id}`
pub async fn detail(
    services: web::Data<Services>,
    settings: Settings,
    visit: ConsoleVisit,
    caller: Caller,
    id: web::Path<ResidentId>,
) -> HttpResponse {
    page::answer(resident_page(&services, &settings, &visit, &caller, id.into_inner()).await)
}

#[derive(Deserialize)]
pub struct ResidentForm {
    name: Line,
    phone: Line,
    address: Line,
    fulfilment: Line,
    lat: Option<String>,
    lon: Option<String>,
}

/// A new resident's form: the resident, and care notes with the consent they need.
#[derive(Deserialize)]
pub struct NewResidentForm {
    #[serde(flatten)]
    resident: ResidentForm,
    care_notes: Option<Note>,
    given_by: Option<Line>,
    basis: Option<Line>,
    text_version: Option<Line>,
}

impl NewResidentForm {
    /// The care notes when some are written, and the consent when any of it is.
    fn care(&self) -> (Option<Note>, Option<Consent>) {
        let written = |line: &Option<Line>| line.clone().filter(|l| !l.as_str().trim().is_empty());
        let notes = self
            .care_notes
            .clone()
            .filter(|n| !n.as_str().trim().is_empty());
        let consent = match (
            written(&self.given_by),
            written(&self.basis),
            written(&self.text_version),
        ) {
            (None, None, None) => None,
            (given_by, basis, text_version) => Some(Consent {
                given_by: given_by.unwrap_or_default(),
                basis: basis.unwrap_or_default(),
                text_version: text_version.unwrap_or_default(),
            }),
        };
        (notes, consent)
    }
}

impl ResidentForm {
    /// The location typed in: none when both are empty, 422 when only one is or either
    /// does not read as a number.
    fn location(&self) -> Result<Option<Location>, AppError> {
        let given = |raw: &Option<String>| {
            raw.as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
        };
        match (given(&self.lat), given(&self.lon)) {
            (None, None) => Ok(None),
            (Some(lat), Some(lon)) => {
                let lat = lat
                    .parse()
                    .map_err(|_| AppError::invalid("lat", "console-residents-bad-location"))?;
                let lon = lon
                    .parse()
                    .map_err(|_| AppError::invalid("lon", "console-residents-bad-location"))?;
                Ok(Some(Location { lat, lon }.validate("location")?))
            }
            _ => Err(AppError::invalid(
                "location",
                "console-residents-bad-location",
            )),
        }
    }
}

/// `POST /console/residents`: a resident keyed in from a phone call or a paper form.
pub async fn create(
    services: web::Data<Services>,
    caller: Caller,
    body: web::Bytes,
) -> HttpResponse {
    let created = async {
        let form: NewResidentForm = page::read_form(&body)?;
        let (care_notes, consent) = form.care();
        let resident = form.resident;
        let input = NewResident {
            location: resident.location()?,
            name: resident.name,
            phone: resident.phone,
            address: resident.address,
            fulfilment: resident.fulfilment,
            care_notes,
            consent,
        };
        services.residents.create(&caller, input).await
    };
    page::after_form(created.await, |resident| {
        format!("/console/residents/{}", resident.id)
    })
}

/// `POST /console/residents/{id}`: corrections, and a location typed in places the resident.
pub async fn update(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<ResidentId>,
    body: web::Bytes,
) -> HttpResponse {
    let id = id.into_inner();
    let updated = async {
        let form: ResidentForm = page::read_form(&body)?;
        let changes = ResidentChanges {
            location: form.location()?,
            name: Some(form.name),
            phone: Some(form.phone),
            address: Some(form.address),
            fulfilment: Some(form.fulfilment),
        };
        services.residents.update(&caller, id, changes).await
    };
    page::after_form(updated.await, |resident| {
        format!("/console/residents/{}", resident.id)
    })
}

#[derive(Deserialize)]
pub struct ConsentForm {
    given_by: Line,
    basis: Line,
    text_version: Line,
}

impl ConsentForm {
    fn consent(self) -> Consent {
        Consent {
            given_by: self.given_by,
            basis: self.basis,
            text_version: self.text_version,
        }
    }
}

#[derive(Deserialize)]
pub struct LinkForm {
    user_id: UserId,
    relation: Line,
    #[serde(flatten)]
    consent: ConsentForm,
}

/// `POST /console/residents/{id}/guardians`: a family link completed with the consent.
pub async fn link_guardian(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<ResidentId>,
    body: web::Bytes,
) -> HttpResponse {
    let linked = async {
        let form: LinkForm = page::read_form(&body)?;
        let input = NewGuardianLink {
            user_id: form.user_id,
            relation: form.relation,
            consent: form.consent.consent(),
        };
        services
            .residents
            .link_guardian(&caller, id.into_inner(), input)
            .await
    };
    page::after_form(linked.await, |_| {
        "/console/residents#link-requests".to_owned()
    })
}

#[derive(Deserialize)]
pub struct ProxyForm {
    name: Line,
    relation: Line,
    phone: Option<Line>,
    #[serde(flatten)]
    consent: ConsentForm,
}

/// `POST /console/residents/{id}/proxies`: someone who may take deliveries for the resident.
pub async fn add_proxy(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<ResidentId>,
    body: web::Bytes,
) -> HttpResponse {
    let id = id.into_inner();
    let added = async {
        let form: ProxyForm = page::read_form(&body)?;
        let input = NewProxy {
            name: form.name,
            relation: form.relation,
            phone: form.phone.filter(|p| !p.as_str().trim().is_empty()),
            consent: form.consent.consent(),
        };
        services.proxies.add(&caller, id, input).await
    };
    page::after_form(added.await, |_| format!("/console/residents/{id}#proxies"))
}

/// `POST /console/residents/{id}/proxies/{proxy_id}/remove`
pub async fn remove_proxy(
    services: web::Data<Services>,
    caller: Caller,
    path: web::Path<(ResidentId, ProxyId)>,
) -> HttpResponse {
    let (id, proxy) = path.into_inner();
    page::after_form(services.proxies.remove(&caller, id, proxy).await, |()| {
        format!("/console/residents/{id}#proxies")
    })
}

/// `POST /console/residents/{id}/link-codes`: a code to print or read out, shown once (only
/// its digest is kept), with how the family uses it.
pub async fn link_code(
    services: web::Data<Services>,
    settings: Settings,
    visit: ConsoleVisit,
    caller: Caller,
    id: web::Path<ResidentId>,
) -> HttpResponse {
    let id = id.into_inner();
    let made = async {
        let name = services.residents.name(&caller, id).await?;
        let code = services.residents.create_link_code(&caller, id).await?;
        let zone = services
            .district
            .area(&caller, caller.area()?)
            .await?
            .time_zone;
        Ok::<_, AppError>((name, code, zone))
    };
    let (name, code, zone) = match made.await {
        Ok(made) => made,
        Err(error) => return page::failure(&error),
    };
    let title = t("console-residents-link-code-title");
    let main = html! {
        p.no-print { a href={ "/console/residents/" (id) } { (t("console-residents-back-to-one")) } }
        h1 { (title) }
        section.card.wide.link-code {
            p { (t_with("console-residents-link-code-for", &[("resident", name)])) }
            p.figure #link-code { (code.code) }
            p { (t_with("console-residents-link-code-until", &[("until", page::wire_time(&code.expires_at, zone))])) }
            p { (t("console-residents-link-code-how")) }
        }
        p.muted.no-print { (t("console-residents-link-code-once")) }
    };
    page::render(
        &settings,
        Page {
            section: Some(Section::Residents),
            title,
            visit: &visit,
            here: format!("/console/residents/{id}"),
            scripts: &[],
            styles: &[],
        },
        main,
    )
}
