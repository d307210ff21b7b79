//! The console over HTTP as a browser sees it: sign-in with the session cookie, CSRF tokens
//! on every form, the language switch, the private headers, and who may reach which page.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use yui::domain::ids::AreaId;
use yui::http::access::Access;

use crate::common::*;

/// A browser without JavaScript: it keeps its cookies and follows nothing by itself.
pub struct Browser<'a> {
    app: &'a TestApp,
    cookies: BTreeMap<String, String>,
    language: &'static str,
}

pub struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    /// The CSRF token of the page's forms.
    pub fn csrf_token(&self) -> String {
        let marker = r#"name="csrf_token" value=""#;
        let start = self.body.find(marker).expect("a form with a CSRF token") + marker.len();
        let end = self.body[start..].find('"').unwrap();
        self.body[start..start + end].to_owned()
    }
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            cookies: BTreeMap::new(),
            language: "ja,en;q=0.5",
        }
    }

    fn keep(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn has_cookie(&self, name: &str) -> bool {
        self.cookies.contains_key(name)
    }

    async fn answer(&mut self, response: reqwest::Response) -> Answer {
        self.keep(&response);
        let status = response.status();
        let headers = response.headers().clone();
        let location = headers
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = response.text().await.unwrap();
        Answer {
            status,
            location,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let response = self
            .app
            .client
            .get(self.app.url(path))
            .header("cookie", self.cookie_header())
            .header("accept-language", self.language)
            .send()
            .await
            .unwrap();
        self.answer(response).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let response = self
            .app
            .client
            .post(self.app.url(path))
            .header("cookie", self.cookie_header())
            .header("accept-language", self.language)
            .form(form)
            .send()
            .await
            .unwrap();
        self.answer(response).await
    }

    /// Signs in through the form, as a person would; answers the page it lands on.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Answer {
        self.sign_in_at(email, password, "/console/today").await
    }

    /// Signs in asking for `next`; answers that page.
    pub async fn sign_in_at(&mut self, email: &str, password: &str, next: &str) -> Answer {
        let form = self.get("/console/sign-in").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let token = form.csrf_token();
        let landed = self
            .post(
                "/console/sign-in",
                &[
                    ("csrf_token", &token),
                    ("email", email),
                    ("password", password),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(landed.status, StatusCode::SEE_OTHER, "{}", landed.body);
        assert_eq!(landed.location.as_deref(), Some(next));
        self.get(next).await
    }
}

/// An account of `role` in `area` made the CLI's way: its e-mail address.
pub async fn person(app: &TestApp, role: &str, area: Option<AreaId>) -> String {
    let email = format!("{role}-{}@example.jp", uuid::Uuid::new_v4().simple());
    app.services
        .accounts
        .create_by_staff(yui::services::accounts::NewAccount {
            email: email.clone(),
            password: PASSWORD.into(),
            display_name: format!("Test {role}"),
            locale: "ja".into(),
            role: role.into(),
            area_id: area,
        })
        .await
        .unwrap();
    email
}

#[actix_web::test]
async fn a_coordinator_signs_in_and_reads_the_day_in_either_language() {
    let app = TestApp::spawn().await;
    let area = app.services.district.area_named("Nara East").await.unwrap();
    let email = person(&app, "coordinator", Some(area.id)).await;
    let mut browser = Browser::new(&app);

    let root = browser.get("/").await;
    assert_eq!(root.status, StatusCode::SEE_OTHER);
    assert_eq!(root.location.as_deref(), Some("/console"));
    let start = browser.get("/console").await;
    assert_eq!(start.status, StatusCode::SEE_OTHER);
    assert_eq!(
        start.location.as_deref(),
        Some("/console/sign-in?next=%2Fconsole")
    );

    // A wrong password: the form again, saying so, and no session.
    let form = browser.get("/console/sign-in").await;
    assert!(form.body.contains("ログイン"), "{}", form.body);
    assert!(browser.has_cookie("yui_presession"));
    let token = form.csrf_token();
    let wrong = browser
        .post(
            "/console/sign-in",
            &[
                ("csrf_token", &token),
                ("email", &email),
                ("password", "not the one"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("role=\"alert\""), "{}", wrong.body);
    assert!(!browser.has_cookie("yui_session"));

    let today = browser.sign_in(&email, PASSWORD).await;
    assert_eq!(today.status, StatusCode::OK, "{}", today.body);
    assert!(browser.has_cookie("yui_session"));
    assert!(
        !browser.has_cookie("yui_presession"),
        "the sign-in's cookie is spent"
    );
    assert!(today.body.contains("<html lang=\"ja\">"));
    assert!(today.body.contains("今日"));
    assert!(today.body.contains("Nara East"));
    // Private and locked down: not cached, scripts only from Yui, never framed.
    assert_eq!(today.headers["cache-control"], "no-store");
    let policy = today.headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert!(
        policy.contains("https://cyberjapandata.gsi.go.jp"),
        "{policy}"
    );
    assert_eq!(today.headers["x-frame-options"], "DENY");
    assert!(!today.body.contains("<script>"), "no inline script");

    // The switch on the page: English from now on in this browser, and back.
    let to_english = browser
        .post(
            "/console/language",
            &[
                ("csrf_token", &today.csrf_token()),
                ("to", "en"),
                ("back", "/console/today"),
            ],
        )
        .await;
    assert_eq!(to_english.status, StatusCode::SEE_OTHER);
    assert_eq!(to_english.location.as_deref(), Some("/console/today"));
    let english = browser.get("/console/today").await;
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("Waiting for you"), "{}", english.body);
    let elsewhere = browser
        .post(
            "/console/language",
            &[
                ("csrf_token", &english.csrf_token()),
                ("to", "ja"),
                ("back", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(
        elsewhere.location.as_deref(),
        Some("/console"),
        "only console pages"
    );
    assert!(
        browser
            .get("/console/today")
            .await
            .body
            .contains("対応を待っているもの")
    );

    // Signing out ends the session: the old cookie opens nothing.
    let session = browser.cookies["yui_session"].clone();
    let page = browser.get("/console/today").await;
    let out = browser
        .post("/console/sign-out", &[("csrf_token", &page.csrf_token())])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(!browser.has_cookie("yui_session"));
    browser.cookies.insert("yui_session".into(), session);
    let after = browser.get("/console/today").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert!(after.location.unwrap().starts_with("/console/sign-in"));
}

#[actix_web::test]
async fn forms_without_the_session_s_csrf_token_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let area = app.services.district.area_named("Nara East").await.unwrap();
    let email = person(&app, "coordinator", Some(area.id)).await;

    // The sign-in form itself: no token, or a token of another browser.
    let mut stranger = Browser::new(&app);
    let strangers_token = stranger.get("/console/sign-in").await.csrf_token();
    let mut browser = Browser::new(&app);
    browser.get("/console/sign-in").await;
    for token in ["", strangers_token.as_str(), "not-a-token"] {
        let refused = browser
            .post(
                "/console/sign-in",
                &[
                    ("csrf_token", token),
                    ("email", &email),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "token {token:?}");
        assert!(
            refused.body.contains("もう一度お試しください"),
            "{}",
            refused.body
        );
        assert!(!browser.has_cookie("yui_session"), "not signed in");
    }

    let today = browser.sign_in(&email, PASSWORD).await;
    let token = today.csrf_token();
    assert_ne!(token, strangers_token);
    // A forged sign-out (another page's token, none at all, a wrong header) leaves the
    // session as it was.
    for form in [vec![], vec![("csrf_token", strangers_token.as_str())]] {
        let refused = browser.post("/console/sign-out", &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(browser.get("/console/today").await.status, StatusCode::OK);
    }
    let header_forged = app
        .client
        .post(app.url("/console/sign-out"))
        .header("cookie", browser.cookie_header())
        .header("x-csrf-token", strangers_token.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(header_forged.status(), StatusCode::FORBIDDEN);
    // The right token in the header (as htmx sends it) is taken.
    let by_header = app
        .client
        .post(app.url("/console/sign-out"))
        .header("cookie", browser.cookie_header())
        .header("x-csrf-token", token.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(by_header.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        browser.get("/console/today").await.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );
}

#[actix_web::test]
async fn console_sign_in_keeps_the_api_s_lockout() {
    let app = TestApp::spawn_with(|c| c.lockout_threshold = 3).await;
    let area = app.services.district.area_named("Nara East").await.unwrap();
    let email = person(&app, "coordinator", Some(area.id)).await;
    let mut browser = Browser::new(&app);
    let token = browser.get("/console/sign-in").await.csrf_token();
    for _ in 0..3 {
        let wrong = browser
            .post(
                "/console/sign-in",
                &[
                    ("csrf_token", &token),
                    ("email", &email),
                    ("password", "wrong"),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let locked = browser
        .post(
            "/console/sign-in",
            &[
                ("csrf_token", &token),
                ("email", &email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    assert!(!browser.has_cookie("yui_session"));
}

/// Every console route, every kind of person: what the declared access promises.
#[actix_web::test]
async fn role_by_console_route_gives_the_declared_answer() {
    let app = TestApp::spawn().await;
    let area = app.services.district.area_named("Nara East").await.unwrap();
    let mut browsers = vec![("anonymous", None, Browser::new(&app))];
    for role in [
        "family",
        "volunteer",
        "carrier",
        "hub_keeper",
        "coordinator",
        "admin",
    ] {
        let email = person(&app, role, Some(area.id)).await;
        let mut browser = Browser::new(&app);
        let form = browser.get("/console/sign-in").await;
        let landed = browser
            .post(
                "/console/sign-in",
                &[
                    ("csrf_token", &form.csrf_token()),
                    ("email", &email),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(landed.status, StatusCode::SEE_OTHER, "{role} signs in");
        browsers.push((role, Some(role), browser));
    }
    let mut checked = 0;
    for route in yui::http::console_routes() {
        if route.method != actix_web::http::Method::GET {
            continue; // the forms are checked above, each with its token
        }
        let path = route
            .path
            .replace("{path:.*}", "console.css")
            .replace("{id}", &uuid::Uuid::new_v4().to_string());
        for (who, role, browser) in browsers.iter_mut() {
            let answer = browser.get(&path).await;
            let expected = match (route.access, *role) {
                (Access::Public | Access::ConsoleOpen, _) => None,
                (Access::Console(_), None) => Some(StatusCode::SEE_OTHER),
                (Access::Console(roles), Some(role))
                    if roles.iter().any(|r| r.as_str() == role) =>
                {
                    None
                }
                (Access::Console(_), Some(_)) => Some(StatusCode::FORBIDDEN),
                (other, _) => panic!("{} declares {other:?}", route.path),
            };
            match expected {
                Some(StatusCode::SEE_OTHER) => {
                    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{who} {path}");
                    assert!(
                        answer
                            .location
                            .as_deref()
                            .unwrap()
                            .starts_with("/console/sign-in?next="),
                        "{who} {path}"
                    );
                }
                Some(status) => {
                    assert_eq!(answer.status, status, "{who} {path}");
                    assert!(answer.body.contains("<html"), "{who} {path}: a page");
                }
                // Let in: the page, or the use case's own answer (an unknown id is 404).
                None => assert!(
                    answer.status != StatusCode::FORBIDDEN
                        && answer.status.as_u16() < 500
                        && !answer
                            .location
                            .as_deref()
                            .is_some_and(|l| l.starts_with("/console/sign-in")),
                    "{who} {path} got {}",
                    answer.status
                ),
            }
            checked += 1;
        }
    }
    assert!(checked >= 7 * 5, "{checked}");
}

#[actix_web::test]
async fn the_embedded_files_are_served_and_nothing_else() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    for (path, kind) in [
        ("/console/static/console.css", "text/css"),
        ("/console/static/vendor/htmx/htmx.min.js", "text/javascript"),
        (
            "/console/static/vendor/leaflet/leaflet.js",
            "text/javascript",
        ),
        (
            "/console/static/vendor/uplot/uPlot.iife.min.js",
            "text/javascript",
        ),
        ("/console/static/vendor/leaflet/LICENSE", "text/plain"),
    ] {
        let file = browser.get(path).await;
        assert_eq!(file.status, StatusCode::OK, "{path}");
        assert!(
            file.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with(kind),
            "{path}"
        );
        assert!(file.body.len() > 100, "{path}");
    }
    // Every file under static/ is embedded and served.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http/console/static");
    let mut stack = vec![root.clone()];
    let mut served = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path
                .strip_prefix(&root)
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            let file = browser.get(&format!("/console/static/{name}")).await;
            assert_eq!(file.status, StatusCode::OK, "{name} is not served");
            served += 1;
        }
    }
    assert!(served >= 16, "{served}");
    for path in [
        "/console/static/nothing.js",
        "/console/static/../Cargo.toml",
        "/console/static/vendor/",
    ] {
        assert_eq!(
            browser.get(path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[actix_web::test]
async fn today_counts_what_the_district_holds() {
    use yui::domain::request::RequestStatus;
    let village = crate::plans::Village::new().await;
    let app = &village.app;
    let area = village.summary.area_id;
    let date =
        chrono::NaiveDate::parse_from_str(&village.summary.delivery_date, "%Y-%m-%d").unwrap();
    let requests = village.requests().await;
    // Two hours before the demo date's cutoff (16:00 JST the day before): 05:00 UTC.
    let before_cutoff = date
        .pred_opt()
        .unwrap()
        .and_hms_opt(5, 0, 0)
        .unwrap()
        .and_utc();
    assert!(app.services.clock.set(before_cutoff));
    let coordinator_token = access_token(
        &app.login(
            yui::demo::COORDINATOR_EMAIL,
            yui::demo::COORDINATOR_PASSWORD,
        )
        .await,
    );

    // One request cancelled, one volunteer waiting, one resident without a place.
    let cancelled = requests[0]["id"].as_str().unwrap();
    let (status, _) = app
        .post(
            &format!("/api/v1/requests/{cancelled}/cancel"),
            serde_json::json!({}),
            Some(&coordinator_token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    app.register("volunteer", "new-volunteer@example.jp").await;
    let (status, unplaced) = app
        .post(
            "/api/v1/residents",
            serde_json::json!({"name": "森 一郎", "phone": "0742-11-1111", "address": "奈良市どこか", "fulfilment": "hub_pickup"}),
            Some(&coordinator_token),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{unplaced}");
    assert_eq!(unplaced["location_status"], "needs_review");

    let coordinator = yui::services::caller::Caller {
        user_id: app
            .accounts()
            .await
            .into_iter()
            .find(|u| u.email == yui::demo::COORDINATOR_EMAIL)
            .unwrap()
            .id,
        role: yui::domain::account::Role::Coordinator,
        status: yui::domain::account::UserStatus::Active,
        area_id: Some(area),
        locale: yui::domain::account::Locale::Ja,
    };
    let day = app.services.overview.day(&coordinator, area).await.unwrap();
    assert_eq!(day.tomorrow.date, date);
    assert_eq!(day.tomorrow.total(), requests.len() as i64);
    assert_eq!(
        day.tomorrow.by_status,
        vec![
            (RequestStatus::Submitted, requests.len() as i64 - 1),
            (RequestStatus::Cancelled, 1)
        ]
    );
    assert_eq!(day.today.total(), 0);
    assert_eq!(
        day.tomorrow.cutoff - before_cutoff,
        chrono::Duration::hours(2)
    );
    assert!(day.now >= before_cutoff);
    assert_eq!(day.volunteers_waiting, 1);
    assert_eq!(day.residents_to_place, 1);
    assert_eq!(day.unresolved_escalations, 0);
    assert_eq!(day.runs, vec![]);

    // The page says the same, in the coordinator's words.
    let mut browser = Browser::new(app);
    let page = browser
        .sign_in(
            yui::demo::COORDINATOR_EMAIL,
            yui::demo::COORDINATOR_PASSWORD,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let submitted = format!(
        "<td>受付済み</td><td class=\"number\">{}</td>",
        requests.len() - 1
    );
    assert!(page.body.contains(&submitted), "{}", page.body);
    assert!(
        page.body
            .contains("<td>取り消し</td><td class=\"number\">1</td>")
    );
    // The test clock runs on from where it was set: a minute may have gone.
    assert!(
        page.body.contains("あと2時間0分です") || page.body.contains("あと1時間59分です"),
        "{}",
        page.body
    );
    let long_cutoff = yui::i18n::long_date_time(
        day.tomorrow.cutoff,
        chrono_tz::Asia::Tokyo,
        yui::domain::account::Locale::Ja,
    );
    assert!(page.body.contains(&long_cutoff), "{long_cutoff}");
}

#[actix_web::test]
async fn a_coordinator_places_a_resident_from_the_review_list() {
    let village = crate::plans::Village::new().await;
    let app = &village.app;
    let (status, unplaced) = app
        .post(
            "/api/v1/residents",
            serde_json::json!({"name": "森 一郎", "phone": "0742-11-1111", "address": "奈良市月ヶ瀬尾山 1", "fulfilment": "hub_pickup"}),
            Some(&village.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{unplaced}");
    let id = unplaced["id"].as_str().unwrap();
    let mut browser = Browser::new(app);
    browser
        .sign_in(
            yui::demo::COORDINATOR_EMAIL,
            yui::demo::COORDINATOR_PASSWORD,
        )
        .await;
    let map = browser.get("/console/map").await;
    assert_eq!(map.status, StatusCode::OK);
    assert!(
        map.body.contains(&format!("data-resident=\"{id}\"")),
        "on the review list"
    );
    assert!(map.body.contains("森 一郎"));
    assert!(
        !map.body.contains("奈良市月ヶ瀬尾山 1"),
        "the address only on asking"
    );
    // The line the script shows once a resident is chosen, with the place for the name.
    assert!(
        map.body.contains(
            "data-chosen-label=\"{name}さん：地図でお住まいの場所をクリックしてください。\""
        ),
        "the chosen label in words"
    );
    let before = browser.get("/console/map.json").await;
    let data: serde_json::Value = serde_json::from_str(&before.body).unwrap();
    assert_eq!(data["hubs"].as_array().unwrap().len(), 3);
    assert_eq!(data["neighbourhoods"].as_array().unwrap().len(), 3);
    assert_eq!(data["residents"].as_array().unwrap().len(), 60);
    assert!(
        data["residents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"] != id)
    );
    assert!(!before.body.contains("0742"), "no phone on the map");

    // Asking for the address is a read on record.
    let address = browser
        .get(&format!("/console/residents/{id}/address"))
        .await;
    assert!(
        address.body.contains("奈良市月ヶ瀬尾山 1"),
        "{}",
        address.body
    );
    let (_, audit) = app
        .get(
            &format!("/api/v1/audit?entity=resident&entity_id={id}"),
            Some(&village.coordinator),
        )
        .await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "read_contact"),
        "{audit}"
    );

    // Placed inside the first hub's neighbourhood: off the list, on the map, in it.
    let inside = &data["hubs"][0]["location"];
    let (lat, lon) = (inside["lat"].to_string(), inside["lon"].to_string());
    let forged = browser
        .post(
            &format!("/console/residents/{id}/place"),
            &[("csrf_token", "forged"), ("lat", &lat), ("lon", &lon)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let placed = browser
        .post(
            &format!("/console/residents/{id}/place"),
            &[
                ("csrf_token", &map.csrf_token()),
                ("lat", &lat),
                ("lon", &lon),
            ],
        )
        .await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.body);
    let (_, resident) = app
        .get(
            &format!("/api/v1/residents/{id}"),
            Some(&village.coordinator),
        )
        .await;
    assert_eq!(resident["location_status"], "given");
    assert!(resident["neighbourhood_id"].is_string(), "{resident}");
    let after = browser.get("/console/map").await;
    assert!(!after.body.contains(&format!("data-resident=\"{id}\"")));
    let data: serde_json::Value =
        serde_json::from_str(&browser.get("/console/map.json").await.body).unwrap();
    assert!(
        data["residents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == id)
    );

    // A place off the globe is refused and changes nothing.
    let refused = browser
        .post(
            &format!("/console/residents/{id}/place"),
            &[
                ("csrf_token", &after.csrf_token()),
                ("lat", "91"),
                ("lon", &lon),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, again) = app
        .get(
            &format!("/api/v1/residents/{id}"),
            Some(&village.coordinator),
        )
        .await;
    assert_eq!(again["location"], resident["location"]);
}
