//! The message catalogue: both languages hold the same keys, every problem kind and every key
//! the code names is in it, and a Japanese client gets Japanese answers.

use std::collections::BTreeSet;
use std::path::Path;

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{TestApp, access_token, assert_problem};

fn keys(language: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/locales")
        .join(language)
        .join("yui.ftl");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_owned()))
        .collect()
}

/// Every string literal in `src/` that looks like a catalogue key.
fn keys_named_in_code() -> BTreeSet<String> {
    const PREFIXES: &[&str] = &[
        "invalid-",
        "conflict-",
        "unauthenticated-",
        "forbidden-",
        "too-many-",
        "malformed-",
        "body-",
        "problem-",
        "console-",
    ];
    let mut found = BTreeSet::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for literal in text.split('"').skip(1).step_by(2) {
                    let is_key = PREFIXES.iter().any(|p| literal.starts_with(p))
                        && literal.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                        && !literal.ends_with('-');
                    if is_key {
                        found.insert(literal.to_owned());
                    }
                }
            }
        }
    }
    found
}

#[test]
fn both_catalogues_hold_the_same_keys() {
    let english = keys("en");
    let japanese = keys("ja");
    assert!(english.len() > 100, "{}", english.len());
    let only_en: Vec<_> = english.difference(&japanese).collect();
    let only_ja: Vec<_> = japanese.difference(&english).collect();
    assert!(
        only_en.is_empty() && only_ja.is_empty(),
        "only in en: {only_en:?}; only in ja: {only_ja:?}"
    );
}

#[test]
fn every_problem_kind_and_every_key_in_the_code_is_in_the_catalogue() {
    let english = keys("en");
    for kind in yui::error::AppError::KINDS {
        assert!(
            english.contains(&format!("problem-{kind}-title")),
            "no title for {kind}"
        );
    }
    let named = keys_named_in_code();
    assert!(named.len() > 50, "the scan found too few keys: {named:?}");
    // Problem details are looked up by kind, with a few of their own.
    let missing: Vec<_> = named
        .iter()
        .filter(|k| !english.contains(*k))
        .filter(|k| !k.starts_with("problem-"))
        .filter(|k| !yui::error::AppError::KINDS.contains(&k.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "keys named in src/ but not in the catalogue: {missing:?}"
    );
}

#[test]
fn messages_say_their_arguments_in_either_language() {
    use yui::domain::account::Locale;
    use yui::domain::error::Message;
    let message = Message::new("invalid-too-far-ahead").arg("days", 60);
    assert_eq!(
        yui::i18n::text(Locale::En, &message),
        "is more than 60 days ahead"
    );
    assert_eq!(
        yui::i18n::text(Locale::Ja, &message),
        "60日より先の日付は指定できません。"
    );
}

async fn family_app() -> (TestApp, String) {
    let app = TestApp::spawn_with(|c| c.login_attempts_per_minute = 2).await;
    let (_, tokens) = app.account("family").await;
    (app, access_token(&tokens))
}

#[actix_web::test]
async fn a_japanese_client_is_answered_in_japanese() {
    let (app, token) = family_app().await;
    let ask = |path: &str, body: Option<serde_json::Value>, language: &str| {
        let request = match body {
            Some(body) => app.client.post(app.url(path)).json(&body),
            None => app.client.get(app.url(path)),
        };
        request
            .bearer_auth(&token)
            .header("Accept-Language", language)
    };

    // A validation error names the field, in Japanese.
    let response = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .header("Accept-Language", "ja-JP,ja;q=0.9,en;q=0.5")
        .json(
            &json!({"email": "not an email", "password": "a long enough password",
            "display_name": "山田 花子", "locale": "ja", "role": "family"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-language"], "ja");
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert_eq!(problem["field"], "email");
    assert_eq!(problem["title"], "入力内容をご確認ください");
    assert_eq!(
        problem["detail"],
        "email：メールアドレスの形式ではありません。"
    );

    // A 404, in Japanese; the same in English for an English client.
    let missing = ask(
        &format!("/api/v1/requests/{}", uuid::Uuid::new_v4()),
        None,
        "ja",
    )
    .send()
    .await
    .unwrap();
    let problem = assert_problem(missing, StatusCode::NOT_FOUND, "not-found").await;
    assert_eq!(problem["title"], "見つかりません");
    let missing = ask(
        &format!("/api/v1/requests/{}", uuid::Uuid::new_v4()),
        None,
        "en-GB",
    )
    .send()
    .await
    .unwrap();
    let problem = assert_problem(missing, StatusCode::NOT_FOUND, "not-found").await;
    assert_eq!(problem["title"], "Not found");

    // A 429 after too many sign-ins from one address.
    let mut last = None;
    for _ in 0..3 {
        last = Some(
            app.client
                .post(app.url("/api/v1/auth/login"))
                .header("Accept-Language", "ja")
                .json(&json!({"email": "nobody@example.jp", "password": "wrong password here"}))
                .send()
                .await
                .unwrap(),
        );
    }
    let problem = assert_problem(
        last.unwrap(),
        StatusCode::TOO_MANY_REQUESTS,
        "too-many-requests",
    )
    .await;
    assert_eq!(problem["title"], "しばらくお待ちください");
    assert!(
        problem["detail"].as_str().unwrap().contains("ログイン"),
        "{problem}"
    );
}

#[actix_web::test]
async fn without_accept_language_the_users_locale_decides() {
    let app = TestApp::spawn().await;
    let path = format!("/api/v1/requests/{}", uuid::Uuid::new_v4());
    // Anonymous and asking for nothing: English.
    let anonymous = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(anonymous.headers()["content-language"], "en");
    let problem = assert_problem(anonymous, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    assert_eq!(problem["title"], "Authentication required");
    // The harness's accounts read Japanese: their answers are Japanese unless they ask.
    let (_, tokens) = app.account("family").await;
    let token = access_token(&tokens);
    let signed_in = app
        .client
        .get(app.url(&path))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.headers()["content-language"], "ja");
    let problem = assert_problem(signed_in, StatusCode::NOT_FOUND, "not-found").await;
    assert_eq!(problem["title"], "見つかりません");
    let asked = app
        .client
        .get(app.url(&path))
        .bearer_auth(&token)
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(asked.headers()["content-language"], "en");
    // A language we do not have falls back to the user's.
    let other = app
        .client
        .get(app.url(&path))
        .bearer_auth(&token)
        .header("Accept-Language", "fr-FR")
        .send()
        .await
        .unwrap();
    assert_eq!(other.headers()["content-language"], "ja");
}

#[test]
fn every_status_the_console_shows_has_a_label_in_both_languages() {
    use yui::domain::text::TextEnum;
    let labels: Vec<String> = yui::domain::request::RequestStatus::ALL
        .iter()
        .map(|s| format!("request-status-{}", s.as_str()))
        .chain(
            yui::domain::run::RunStatus::ALL
                .iter()
                .map(|s| format!("run-status-{}", s.as_str())),
        )
        .chain(
            yui::domain::watch_over::EscalationOutcome::ALL
                .iter()
                .map(|o| format!("console-outcome-{}", o.as_str())),
        )
        .chain(["console-outcome-open".to_owned()])
        .chain(
            yui::domain::watch_over::EscalationCause::ALL
                .iter()
                .map(|c| format!("console-cause-{}", c.as_str())),
        )
        .chain(
            yui::domain::watch_over::EscalationStatus::ALL
                .iter()
                .map(|s| format!("console-escalation-status-{}", s.as_str())),
        )
        .chain(
            yui::domain::watch_over::StepTo::ALL
                .iter()
                .map(|s| format!("console-step-{}", s.as_str())),
        )
        .chain(
            yui::domain::handover::HandoverKind::ALL
                .iter()
                .map(|k| format!("console-handover-{}", k.as_str())),
        )
        .chain(yui::planning::day::Reason::ALL.iter().flat_map(|r| {
            [
                format!("console-unassigned-{}", r.as_str()),
                format!("console-unassigned-{}-do", r.as_str()),
            ]
        }))
        .chain(
            yui::domain::plan::PlanStatus::ALL
                .iter()
                .map(|s| format!("console-plan-status-{}", s.as_str())),
        )
        .chain(
            yui::domain::run::CarrierKind::ALL
                .iter()
                .map(|k| format!("console-carrier-{}", k.as_str())),
        )
        .chain(
            yui::planning::day::StopKind::ALL
                .iter()
                .map(|k| format!("console-stop-{}", k.as_str())),
        )
        .chain(
            yui::domain::request::Fulfilment::ALL
                .iter()
                .map(|f| format!("console-fulfilment-{}", f.as_str())),
        )
        .chain(
            yui::domain::request::Temperature::ALL
                .iter()
                .map(|v| format!("console-temperature-{}", v.as_str())),
        )
        .chain(
            yui::domain::request::Substitution::ALL
                .iter()
                .map(|s| format!("console-substitution-{}", s.as_str())),
        )
        .chain(
            yui::domain::account::Role::ALL
                .iter()
                .map(|r| format!("console-role-{}", r.as_str())),
        )
        .chain(
            yui::domain::account::UserStatus::ALL
                .iter()
                .map(|s| format!("console-user-status-{}", s.as_str())),
        )
        .chain(
            yui::domain::carrier::Vehicle::ALL
                .iter()
                .map(|v| format!("console-vehicle-{}", v.as_str())),
        )
        .chain(
            yui::services::audit::ENTITIES
                .iter()
                .map(|e| format!("console-entity-{e}")),
        )
        .chain(
            yui::domain::resident::LocationStatus::ALL
                .iter()
                .map(|s| format!("console-location-{}", s.as_str())),
        )
        .chain(
            yui::domain::resident::GuardianLinkStatus::ALL
                .iter()
                .map(|s| format!("console-link-status-{}", s.as_str())),
        )
        .chain(
            yui::domain::handover::RecipientKind::ALL
                .iter()
                .map(|k| format!("console-recipient-{}", k.as_str())),
        )
        .chain(
            yui::domain::handover::ProofMethod::ALL
                .iter()
                .map(|m| format!("console-proof-{}", m.as_str())),
        )
        .chain(
            yui::domain::handover::FailureReason::ALL
                .iter()
                .map(|r| format!("console-failure-{}", r.as_str())),
        )
        .collect();
    assert_eq!(
        labels.len(),
        11 + 7
            + 5
            + 1
            + 3
            + 3
            + 5
            + 7
            + 16
            + 2
            + 3
            + 4
            + 2
            + 3
            + 3
            + 6
            + 3
            + 4
            + 13
            + 3
            + 2
            + 3
            + 4
            + 5
    );
    for language in ["en", "ja"] {
        let catalogue = keys(language);
        for label in &labels {
            assert!(catalogue.contains(label), "{language}: no {label}");
        }
    }
}
