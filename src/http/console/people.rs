//! People: volunteers waiting for approval, volunteers and what they can carry, the post
//! trips and the carriers who drive them, and the hub keepers' and carriers' accounts a
//! coordinator makes for the area.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::page::{self, Page, Section, Settings, csrf_input, t, t_with};
use super::session::ConsoleVisit;
use crate::domain::account::{Role, User, UserStatus};
use crate::domain::ids::{PostTripId, UserId};
use crate::error::AppError;
use crate::i18n;
use crate::services::Services;
use crate::services::accounts::NewAccount;
use crate::services::caller::Caller;
use crate::services::carriers::{Availability, PostTripView, VolunteerProfile};

fn status_label(user: &User) -> String {
    t(&format!("console-user-status-{}", user.status.as_str()))
}

fn approve_form(visit: &ConsoleVisit, user: &User) -> Markup {
    html! {
        form.inline method="post" action={ "/console/users/" (user.id) "/approve" } {
            (csrf_input(visit))
            button.primary type="submit" { (t("console-people-approve")) }
        }
    }
}

fn deactivate_form(visit: &ConsoleVisit, user: &User) -> Markup {
    html! {
        form.inline method="post" action={ "/console/users/" (user.id) "/deactivate" } {
            (csrf_input(visit))
            button type="submit" { (t("console-people-deactivate")) }
        }
    }
}

fn waiting(visit: &ConsoleVisit, people: &[&User]) -> Markup {
    html! {
        h2 #waiting { (t("console-volunteers-waiting")) " (" (people.len()) ")" }
        @if people.is_empty() {
            p { (t("console-none-yet")) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (t("console-name")) }
                    th scope="col" { (t("console-email")) }
                    th scope="col" { (t("console-people-registered")) }
                    th scope="col" { span.visually-hidden { (t("console-actions")) } }
                } }
                tbody {
                    @for user in people {
                        tr data-user=(user.id) {
                            td { (user.display_name) }
                            td { (user.email) }
                            td { (i18n::long_date(user.created_at.date(), i18n::current())) }
                            td { (approve_form(visit, user)) }
                        }
                    }
                }
            }
        }
    }
}

/// The weekly windows grouped by their hours, in the order they first appear: a volunteer
/// free 10:00–16:00 every day reads as one line, not seven.
fn by_hours(windows: &[Availability]) -> Vec<(String, Vec<u8>)> {
    let mut groups: Vec<(String, Vec<u8>)> = Vec::new();
    for window in windows {
        let hours = format!("{}–{}", window.start.as_str(), window.end.as_str());
        match groups.iter_mut().find(|(h, _)| *h == hours) {
            Some((_, days)) => days.push(window.weekday),
            None => groups.push((hours, vec![window.weekday])),
        }
    }
    groups
}

/// What a volunteer can carry and when, as the planner reads it.
fn profile_text(profile: &VolunteerProfile) -> Markup {
    let locale = i18n::current();
    html! {
        (profile.public_name.as_str()) " · "
        (t(&format!("console-vehicle-{}", profile.vehicle.as_str()))) " · "
        (t_with("console-people-capacity", &[
            ("litres", profile.capacity_litres.to_string()),
            ("km", format!("{:.0}", profile.max_distance_km)),
        ]))
        @if profile.cold_box { " · " (t("console-people-cold-box")) }
        @if !profile.availability.is_empty() {
            br;
            @for (i, (hours, days)) in by_hours(&profile.availability).iter().enumerate() {
                @if i > 0 { ", " }
                @for (j, day) in days.iter().enumerate() {
                    @if j > 0 { "・" }
                    (i18n::weekday(*day, locale))
                }
                " " (hours)
            }
        }
    }
}

fn volunteers(
    visit: &ConsoleVisit,
    people: &[&User],
    profiles: &HashMap<UserId, VolunteerProfile>,
) -> Markup {
    html! {
        h2 #volunteers { (t("console-people-volunteers")) " (" (people.len()) ")" }
        @if people.is_empty() {
            p { (t("console-none-yet")) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (t("console-name")) }
                    th scope="col" { (t("console-status")) }
                    th scope="col" { (t("console-people-profile")) }
                    th scope="col" { span.visually-hidden { (t("console-actions")) } }
                } }
                tbody {
                    @for user in people {
                        tr data-user=(user.id) {
                            td { (user.display_name) }
                            td { (status_label(user)) }
                            td {
                                @match profiles.get(&user.id) {
                                    Some(profile) => (profile_text(profile)),
                                    None => span.muted { (t("console-people-no-profile")) },
                                }
                            }
                            td {
                                @if user.status == UserStatus::Active { (deactivate_form(visit, user)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn trip_card(
    visit: &ConsoleVisit,
    trip: &PostTripView,
    linked: &[UserId],
    carriers: &[&User],
    hub_names: &HashMap<String, String>,
) -> Markup {
    let locale = i18n::current();
    let account_of = |id: &UserId| carriers.iter().find(|c| c.id == *id);
    // A stopped account no longer drives: it is shown as stopped, and does not count.
    let driving = linked
        .iter()
        .filter(|id| account_of(id).is_some_and(|c| c.status == UserStatus::Active))
        .count();
    let free: Vec<&&User> = carriers
        .iter()
        .filter(|c| c.status == UserStatus::Active && !linked.contains(&c.id))
        .collect();
    let field = format!("carrier-{}", trip.id);
    html! {
        section.card.wide data-trip=(trip.id) {
            h3 { (trip.name) }
            p {
                @for (i, day) in trip.weekdays.iter().enumerate() {
                    @if i > 0 { "・" }
                    (i18n::weekday(*day, locale))
                }
                " " (trip.departure)
                " · "
                @for (i, hub) in trip.hub_ids.iter().enumerate() {
                    @if i > 0 { ", " }
                    (hub_names.get(&hub.to_string()).map_or("—", String::as_str))
                }
            }
            p.muted {
                (t("console-people-spare")) " "
                (t_with("console-crates", &[
                    ("ambient", trip.spare_capacity.ambient.to_string()),
                    ("chilled", trip.spare_capacity.chilled.to_string()),
                    ("frozen", trip.spare_capacity.frozen.to_string()),
                ]))
            }
            h4 { (t("console-people-trip-carriers")) }
            @if driving == 0 {
                p.error { (t("console-people-trip-no-carrier")) }
            }
            @if !linked.is_empty() {
                ul {
                    @for id in linked {
                        li {
                            @match account_of(id) {
                                Some(carrier) => {
                                    (carrier.display_name)
                                    @if carrier.status != UserStatus::Active {
                                        " (" (status_label(carrier)) ")"
                                    }
                                },
                                None => (id),
                            }
                            " "
                            form.inline method="post" action={ "/console/post-trips/" (trip.id) "/carriers/" (id) "/remove" } {
                                (csrf_input(visit))
                                button type="submit" { (t("console-people-unlink")) }
                            }
                        }
                    }
                }
            }
            @if !free.is_empty() {
                form.inline method="post" action={ "/console/post-trips/" (trip.id) "/carriers" } {
                    (csrf_input(visit))
                    label for=(field) { (t("console-people-link-carrier")) }
                    " "
                    select id=(field) name="user_id" required {
                        @for carrier in &free {
                            option value=(carrier.id) { (carrier.display_name) }
                        }
                    }
                    " "
                    button type="submit" { (t("console-people-link")) }
                }
            }
        }
    }
}

fn field_staff(visit: &ConsoleVisit, people: &[&User]) -> Markup {
    html! {
        h2 #accounts { (t("console-people-accounts")) " (" (people.len()) ")" }
        @if people.is_empty() {
            p { (t("console-none-yet")) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (t("console-name")) }
                    th scope="col" { (t("console-people-role")) }
                    th scope="col" { (t("console-email")) }
                    th scope="col" { (t("console-status")) }
                    th scope="col" { span.visually-hidden { (t("console-actions")) } }
                } }
                tbody {
                    @for user in people {
                        tr data-user=(user.id) {
                            td { (user.display_name) }
                            td { (t(&format!("console-role-{}", user.role.as_str()))) }
                            td { (user.email) }
                            td { (status_label(user)) }
                            td {
                                @if user.status == UserStatus::Active { (deactivate_form(visit, user)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn new_account_form(visit: &ConsoleVisit, caller: &Caller) -> Markup {
    let roles = [Role::HubKeeper, Role::Carrier]
        .into_iter()
        .filter(|role| caller.role.may_create(*role));
    html! {
        h2 #new-account { (t("console-people-new-account")) }
        form.account method="post" action="/console/users" {
            (csrf_input(visit))
            label for="role" { (t("console-people-role")) }
            select #role name="role" required {
                @for role in roles {
                    option value=(role.as_str()) { (t(&format!("console-role-{}", role.as_str()))) }
                }
            }
            label for="display_name" { (t("console-name")) }
            input #display_name name="display_name" maxlength="100" required autocomplete="off";
            label for="email" { (t("console-email")) }
            input #email name="email" type="email" maxlength="254" required autocomplete="off";
            label for="password" { (t("console-people-first-password")) }
            input #password name="password" type="password" minlength="12" maxlength="1024" required autocomplete="new-password";
            p.muted { (t("console-people-first-password-hint")) }
            label for="locale" { (t("console-language")) }
            select #locale name="locale" {
                option value="ja" lang="ja" { "日本語" }
                option value="en" lang="en" { "English" }
            }
            button.primary type="submit" { (t("console-people-create")) }
        }
    }
}

async fn people(
    services: &Services,
    settings: &Settings,
    visit: &ConsoleVisit,
    caller: &Caller,
) -> Result<HttpResponse, AppError> {
    let everyone = services.accounts.of_area(caller).await?;
    let of_role =
        |role: Role| -> Vec<&User> { everyone.iter().filter(|u| u.role == role).collect() };
    let pending: Vec<&User> = of_role(Role::Volunteer)
        .into_iter()
        .filter(|u| u.status == UserStatus::Pending)
        .collect();
    let volunteers_list: Vec<&User> = of_role(Role::Volunteer)
        .into_iter()
        .filter(|u| u.status != UserStatus::Pending)
        .collect();
    let mut profiles = HashMap::new();
    for volunteer in &volunteers_list {
        match services.carriers.profile(caller, volunteer.id).await {
            Ok(profile) => {
                profiles.insert(volunteer.id, profile);
            }
            Err(AppError::NotFound) => {}
            Err(error) => return Err(error),
        }
    }
    let carriers = of_role(Role::Carrier);
    let field_people: Vec<&User> = everyone
        .iter()
        .filter(|u| matches!(u.role, Role::HubKeeper | Role::Carrier))
        .collect();
    let hub_names: HashMap<String, String> = services
        .district
        .hubs(caller)
        .await?
        .into_iter()
        .map(|h| (h.id.to_string(), h.name))
        .collect();
    let trips = services.carriers.trips(caller).await?;
    let mut linked = HashMap::new();
    for trip in &trips {
        let carriers_of = services.carriers.trip_carriers(caller, trip.id).await?;
        linked.insert(trip.id, carriers_of.carrier_ids);
    }
    let title = t("console-people-title");
    let main = html! {
        h1 { (title) }
        (waiting(visit, &pending))
        (volunteers(visit, &volunteers_list, &profiles))
        h2 #post-trips { (t("console-people-post-trips")) " (" (trips.len()) ")" }
        p.muted { (t("console-weekday-note")) }
        @if trips.is_empty() {
            p { (t("console-none-yet")) }
        }
        @for trip in &trips {
            (trip_card(visit, trip, linked.get(&trip.id).map_or(&[][..], Vec::as_slice), &carriers, &hub_names))
        }
        (field_staff(visit, &field_people))
        (new_account_form(visit, caller))
    };
    Ok(page::render(
        settings,
        Page {
            section: Some(Section::People),
            title,
            visit,
            here: "/console/people".to_owned(),
            scripts: &[],
            styles: &[],
        },
        main,
    ))
}

/// `GET /console/people`
pub async fn page(
    services: web::Data<Services>,
    settings: Settings,
    visit: ConsoleVisit,
    caller: Caller,
) -> HttpResponse {
    page::answer(people(&services, &settings, &visit, &caller).await)
}

/// `POST /console/users/{id}/approve`: a volunteer may now be offered runs.
pub async fn approve(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<UserId>,
) -> HttpResponse {
    page::after_form(
        services.accounts.approve(&caller, id.into_inner()).await,
        |_| "/console/people#waiting".to_owned(),
    )
}

/// `POST /console/users/{id}/deactivate`: the account can no longer sign in.
pub async fn deactivate(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<UserId>,
) -> HttpResponse {
    page::after_form(
        services.accounts.deactivate(&caller, id.into_inner()).await,
        |user| match user.role {
            Role::Volunteer => "/console/people#volunteers".to_owned(),
            _ => "/console/people#accounts".to_owned(),
        },
    )
}

#[derive(Deserialize)]
pub struct NewAccountForm {
    role: String,
    display_name: String,
    email: String,
    password: String,
    locale: String,
}

/// `POST /console/users`: a hub keeper's or carrier's account in the coordinator's area.
pub async fn create(
    services: web::Data<Services>,
    caller: Caller,
    body: web::Bytes,
) -> HttpResponse {
    let created = async {
        let form: NewAccountForm = page::read_form(&body)?;
        let input = NewAccount {
            email: form.email,
            password: form.password,
            display_name: form.display_name,
            locale: form.locale,
            role: form.role,
            area_id: None,
        };
        services.accounts.create_for_area(&caller, input).await
    };
    page::after_form(created.await, |_| "/console/people#accounts".to_owned())
}

#[derive(Deserialize)]
pub struct LinkForm {
    user_id: UserId,
}

/// `POST /console/post-trips/{id}/carriers`: a carrier drives the trip.
pub async fn link_carrier(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<PostTripId>,
    body: web::Bytes,
) -> HttpResponse {
    let linked = async {
        let form: LinkForm = page::read_form(&body)?;
        services
            .carriers
            .link_trip_carrier(&caller, id.into_inner(), form.user_id)
            .await
    };
    page::after_form(linked.await, |_| "/console/people#post-trips".to_owned())
}

/// `POST /console/post-trips/{id}/carriers/{user_id}/remove`: the carrier no longer drives it.
pub async fn unlink_carrier(
    services: web::Data<Services>,
    caller: Caller,
    path: web::Path<(PostTripId, UserId)>,
) -> HttpResponse {
    let (trip, user) = path.into_inner();
    page::after_form(
        services
            .carriers
            .unlink_trip_carrier(&caller, trip, user)
            .await,
        |()| "/console/people#post-trips".to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::by_hours;
    use crate::domain::text::Line;
    use crate::services::carriers::Availability;

    fn window(weekday: u8, start: &str, end: &str) -> Availability {
        Availability {
            weekday,
            start: Line::parse(start).unwrap(),
            end: Line::parse(end).unwrap(),
        }
    }

    #[test]
    fn windows_with_the_same_hours_read_as_one() {
        let windows = [
            window(0, "10:00", "16:00"),
            window(1, "09:00", "12:00"),
            window(2, "10:00", "16:00"),
            window(4, "10:00", "16:00"),
        ];
        assert_eq!(
            by_hours(&windows),
            vec![
                ("10:00–16:00".to_owned(), vec![0, 2, 4]),
                ("09:00–12:00".to_owned(), vec![1]),
            ]
        );
        assert!(by_hours(&[]).is_empty());
    }
}
