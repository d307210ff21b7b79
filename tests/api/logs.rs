use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

/// The logs of a registration, a failed and a good sign-in, a refresh and a call with the
/// token hold neither the password, nor a token, nor the email address.
#[actix_web::test]
async fn logs_hold_no_password_token_or_personal_data() {
    let app = TestApp::spawn().await;
    let email = format!("secret-{}@example.jp", uuid::Uuid::new_v4().simple());
    let password = format!("pw-{}", uuid::Uuid::new_v4().simple());
    let (status, user) = app
        .post(
            "/api/v1/auth/register",
            json!({"email": email, "password": password, "display_name": "Kept Private", "locale": "ja", "role": "family"}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app
        .post(
            "/api/v1/auth/login",
            json!({"email": email, "password": "wrong wrong wrong"}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let tokens = app.login(&email, &password).await;
    let (status, refreshed) = app.refresh(&refresh_token(&tokens)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/me", Some(&access_token(&refreshed)))
            .await
            .0,
        StatusCode::OK
    );

    let logs = logs();
    let user_id = user["id"].as_str().unwrap();
    assert!(logs.contains(user_id), "the sign-in is logged, by user id");
    for secret in [
        email.as_str(),
        password.as_str(),
        "Kept Private",
        &access_token(&tokens),
        &refresh_token(&tokens),
        &access_token(&refreshed),
        &refresh_token(&refreshed),
    ] {
        assert!(!logs.contains(secret), "the logs contain `{secret}`");
    }
}
