use std::time::Duration;

use jsonwebtoken::{EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

#[actix_web::test]
async fn register_approve_login_and_me() {
    let app = TestApp::spawn().await;
    let family = app.register("family", "Taro.Yamada@Example.jp").await;
    assert_eq!(family["email"], "taro.yamada@example.jp");
    assert_eq!(family["role"], "family");
    assert_eq!(family["status"], "active");
    assert_eq!(family["locale"], "ja");
    assert!(family.get("password").is_none() && family.get("password_hash").is_none());

    let volunteer = app.register("volunteer", "neighbour@example.jp").await;
    assert_eq!(volunteer["status"], "pending");

    // The same email again is refused.
    let (status, _) = app
        .post(
            "/api/v1/auth/register",
            json!({"email": "taro.yamada@example.jp", "password": PASSWORD, "display_name": "T", "locale": "en", "role": "family"}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Staff roles cannot be self-registered.
    for role in ["coordinator", "admin", "carrier", "hub_keeper"] {
        let (status, body) = app
            .post(
                "/api/v1/auth/register",
                json!({"email": format!("{role}@example.jp"), "password": PASSWORD, "display_name": "X", "locale": "ja", "role": role}),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{role}: {body}");
        assert_eq!(body["field"], "role");
    }

    // The pending volunteer signs in and sees they wait; the coordinator approves them.
    let tokens = app.login("neighbour@example.jp", PASSWORD).await;
    assert_eq!(tokens["token_type"], "Bearer");
    let expires_in = tokens["expires_in"].as_u64().unwrap();
    assert!((850..=900).contains(&expires_in), "{expires_in}");
    let (status, me) = app.get("/api/v1/me", Some(&access_token(&tokens))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["status"], "pending");
    assert_eq!(me["id"], volunteer["id"]);

    let path = format!(
        "/api/v1/users/{}/approve",
        volunteer["id"].as_str().unwrap()
    );
    let family_tokens = app.login("taro.yamada@example.jp", PASSWORD).await;
    let (status, _) = app
        .post(&path, json!({}), Some(&access_token(&family_tokens)))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, coordinator) = app.account("coordinator").await;
    let (status, approved) = app
        .post(&path, json!({}), Some(&access_token(&coordinator)))
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["status"], "active");
    let (status, _) = app
        .post(&path, json!({}), Some(&access_token(&coordinator)))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "approving twice");

    let (_, me) = app.get("/api/v1/me", Some(&access_token(&tokens))).await;
    assert_eq!(me["status"], "active");
}

#[actix_web::test]
async fn passwords_follow_the_policy() {
    let app = TestApp::spawn().await;
    let register = |password: String| {
        app.post(
            "/api/v1/auth/register",
            json!({"email": format!("{}@example.jp", uuid::Uuid::new_v4().simple()), "password": password, "display_name": "X", "locale": "ja", "role": "family"}),
            None,
        )
    };
    assert_eq!(
        register("eleven char".into()).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        register("a".repeat(1025)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        register("月ヶ瀬の梅林は二月が見頃".into()).await.0,
        StatusCode::CREATED
    );
    assert_eq!(register("a".repeat(1024)).await.0, StatusCode::CREATED);
}

#[actix_web::test]
async fn staff_make_accounts_as_their_role_allows() {
    let app = TestApp::spawn().await;
    let own = app.services.district.area_named("Nara East").await.unwrap();
    let other = app.services.district.area_named("Yoshino").await.unwrap();
    let (_, admin) = app.account("admin").await;
    let (_, coordinator) = app.account_in("coordinator", Some(own.id)).await;
    let (_, volunteer) = app.account_in("volunteer", Some(own.id)).await;
    let (admin, coordinator, volunteer) = (
        access_token(&admin),
        access_token(&coordinator),
        access_token(&volunteer),
    );
    let (own_id, other_id) = (own.id.to_string(), other.id.to_string());
    // (who, their token, role asked for, area named, status, area the account lands in)
    type Case<'a> = (
        &'a str,
        &'a String,
        &'a str,
        Option<&'a String>,
        StatusCode,
        Option<&'a String>,
    );
    let cases: [Case; 9] = [
        (
            "coordinator",
            &coordinator,
            "hub_keeper",
            None,
            StatusCode::CREATED,
            Some(&own_id),
        ),
        (
            "coordinator",
            &coordinator,
            "carrier",
            Some(&own_id),
            StatusCode::CREATED,
            Some(&own_id),
        ),
        (
            "coordinator",
            &coordinator,
            "carrier",
            Some(&other_id),
            StatusCode::FORBIDDEN,
            None,
        ),
        (
            "coordinator",
            &coordinator,
            "coordinator",
            None,
            StatusCode::FORBIDDEN,
            None,
        ),
        (
            "coordinator",
            &coordinator,
            "admin",
            None,
            StatusCode::FORBIDDEN,
            None,
        ),
        (
            "coordinator",
            &coordinator,
            "volunteer",
            None,
            StatusCode::FORBIDDEN,
            None,
        ),
        (
            "volunteer",
            &volunteer,
            "hub_keeper",
            None,
            StatusCode::FORBIDDEN,
            None,
        ),
        (
            "admin",
            &admin,
            "coordinator",
            Some(&other_id),
            StatusCode::CREATED,
            Some(&other_id),
        ),
        (
            "admin",
            &admin,
            "hub_keeper",
            None,
            StatusCode::CREATED,
            None,
        ),
    ];
    for (who, token, role, area, expected, lands_in) in cases {
        let email = format!("{role}-{}@example.jp", uuid::Uuid::new_v4().simple());
        let mut body = json!({"email": email, "password": PASSWORD, "display_name": "Keeper", "locale": "ja", "role": role});
        if let Some(area) = area {
            body["area_id"] = json!(area);
        }
        let (status, created) = app.post("/api/v1/users", body, Some(token)).await;
        assert_eq!(status, expected, "{who} making a {role}: {created}");
        if status == StatusCode::CREATED {
            assert_eq!(created["role"], role);
            assert_eq!(created["status"], "active");
            assert_eq!(
                created["area_id"].as_str(),
                lands_in.map(String::as_str),
                "{who} making a {role}"
            );
        } else {
            assert_eq!(
                app.post(
                    "/api/v1/auth/login",
                    json!({"email": email, "password": PASSWORD}),
                    None
                )
                .await
                .0,
                StatusCode::UNAUTHORIZED,
                "a refused account is not made"
            );
        }
    }
}

#[actix_web::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = TestApp::spawn_with(|c| c.refresh_grace = Duration::ZERO).await;
    let (_, first) = app.account("family").await;
    let (status, second) = app.refresh(&refresh_token(&first)).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_ne!(refresh_token(&second), refresh_token(&first));
    assert_ne!(access_token(&second), access_token(&first));
    assert_eq!(
        app.get("/api/v1/me", Some(&access_token(&second))).await.0,
        StatusCode::OK
    );

    // The rotated token comes back after the grace window: a theft signal.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (status, _) = app.refresh(&refresh_token(&first)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // ... and the whole family is gone, the legitimate newest token too.
    let (status, _) = app.refresh(&refresh_token(&second)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn a_retry_within_the_grace_window_gets_the_same_pair() {
    let app = TestApp::spawn().await;
    let (_, first) = app.account("family").await;
    let body = json!({"refresh_token": refresh_token(&first)});
    let (status, second) = app.post("/api/v1/auth/refresh", body.clone(), None).await;
    assert_eq!(status, StatusCode::OK);
    // The phone lost the answer and retries with the old token.
    let (status, retried) = app.post("/api/v1/auth/refresh", body.clone(), None).await;
    assert_eq!(status, StatusCode::OK, "{retried}");
    assert_eq!(refresh_token(&retried), refresh_token(&second));
    assert_eq!(access_token(&retried), access_token(&second));
    // Once the new token has been used, the old one is reuse again.
    let (status, third) = app.refresh(&refresh_token(&second)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.post("/api/v1/auth/refresh", body, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.refresh(&refresh_token(&third)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the family was revoked");
}

#[actix_web::test]
async fn logout_revokes_the_refresh_token() {
    let app = TestApp::spawn().await;
    let (_, tokens) = app.account("family").await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .json(&json!({"refresh_token": refresh_token(&tokens)}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _) = app.refresh(&refresh_token(&tokens)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.refresh("never issued").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The access token of the ended session stops working too.
    let response = app.get_raw("/api/v1/me", &access_token(&tokens)).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn sign(claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn jwt_payload(token: &str) -> Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

fn b64(value: &Value) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

#[actix_web::test]
async fn forged_and_broken_access_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let (user_id, tokens) = app.account("family").await;
    let good = access_token(&tokens);
    let session = jwt_payload(&good)["jti"].clone();
    let claims = |exp: Value| json!({"iss": "yui", "aud": "yui-api", "sub": user_id, "jti": session, "iat": now(), "exp": exp});

    // Sanity: a token we sign like the server does is accepted, so the refusals below are
    // about the one thing each changes.
    let ours = sign(&claims(json!(now() + 600)), SECRET);
    assert_eq!(app.get("/api/v1/me", Some(&ours)).await.0, StatusCode::OK);

    // Change a character in the middle of the signature: the last one may only carry padding.
    let (signed, signature) = good.rsplit_once('.').unwrap();
    let mut signature: Vec<char> = signature.chars().collect();
    let middle = signature.len() / 2;
    signature[middle] = if signature[middle] == 'A' { 'B' } else { 'A' };
    let tampered = format!("{signed}.{}", signature.into_iter().collect::<String>());
    let payload = good.split('.').nth(1).unwrap();
    let alg_none = format!("{}.{payload}.", b64(&json!({"alg": "none", "typ": "JWT"})));
    let mut missing_exp = claims(json!(0));
    missing_exp.as_object_mut().unwrap().remove("exp");
    let cases = [
        ("tampered signature", tampered),
        ("alg none", alg_none),
        ("expired", sign(&claims(json!(now() - 3600)), SECRET)),
        (
            "wrong audience",
            sign(
                &json!({"iss": "yui", "aud": "someone-else", "sub": user_id, "jti": session, "exp": now() + 600}),
                SECRET,
            ),
        ),
        (
            "wrong issuer",
            sign(
                &json!({"iss": "mallory", "aud": "yui-api", "sub": user_id, "jti": session, "exp": now() + 600}),
                SECRET,
            ),
        ),
        ("missing exp", sign(&missing_exp, SECRET)),
        (
            "string exp",
            sign(&claims(json!((now() + 600).to_string())), SECRET),
        ),
        (
            "other key",
            sign(
                &claims(json!(now() + 600)),
                b"another secret that is also long enough!",
            ),
        ),
        ("garbage", "not.a.jwt".to_owned()),
        (
            "no session",
            sign(
                &json!({"iss": "yui", "aud": "yui-api", "sub": user_id, "exp": now() + 600}),
                SECRET,
            ),
        ),
        (
            "someone else's session",
            sign(
                &json!({"iss": "yui", "aud": "yui-api", "sub": user_id, "jti": uuid::Uuid::new_v4(), "exp": now() + 600}),
                SECRET,
            ),
        ),
    ];
    for (case, token) in cases {
        let response = app.get_raw("/api/v1/me", &token).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{case}");
        assert_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
    let response = app
        .client
        .get(app.url("/api/v1/me"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[actix_web::test]
async fn unknown_user_and_wrong_password_look_the_same() {
    let app = TestApp::spawn().await;
    app.register("family", "known@example.jp").await;
    let before = app.services.sessions.password_verifications();
    let unknown = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "nobody@example.jp", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let mut unknown = assert_problem(unknown, StatusCode::UNAUTHORIZED, "bad-credentials").await;
    // An unknown user costs a full hash verification too, so timing does not tell.
    assert_eq!(app.services.sessions.password_verifications(), before + 1);
    let wrong = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "known@example.jp", "password": "not the right password"}))
        .send()
        .await
        .unwrap();
    let mut wrong = assert_problem(wrong, StatusCode::UNAUTHORIZED, "bad-credentials").await;
    unknown.as_object_mut().unwrap().remove("instance");
    wrong.as_object_mut().unwrap().remove("instance");
    assert_eq!(unknown, wrong);
}

#[actix_web::test]
async fn repeated_failures_lock_the_account() {
    let app = TestApp::spawn_with(|c| c.lockout_threshold = 3).await;
    app.register("family", "locked@example.jp").await;
    let attempt = |password: &'static str| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": "locked@example.jp", "password": password}))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(
            attempt("wrong password!!").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Locked now, even with the right password, and the lock is in the database: a second
    // instance on the same database refuses too.
    let response = attempt(PASSWORD).await.unwrap();
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_problem(response, StatusCode::TOO_MANY_REQUESTS, "too-many-requests").await;
    // The lock is in the database: a second instance on the same database refuses too.
    let second = TestApp::spawn_on(TestDb::borrowed(app.db_target()), |_| {}).await;
    let response = second
        .client
        .post(second.url("/api/v1/auth/login"))
        .json(&json!({"email": "locked@example.jp", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::TOO_MANY_REQUESTS, "too-many-requests").await;
}

#[actix_web::test]
async fn sign_in_is_rate_limited_per_address() {
    let app = TestApp::spawn_with(|c| c.login_attempts_per_minute = 3).await;
    for i in 0..3 {
        let (status, _) = app
            .post(
                "/api/v1/auth/login",
                json!({"email": format!("n{i}@example.jp"), "password": PASSWORD}),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "n9@example.jp", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key("retry-after"));
    assert_problem(response, StatusCode::TOO_MANY_REQUESTS, "too-many-requests").await;
}

#[actix_web::test]
async fn deactivation_cuts_access_at_once() {
    let app = TestApp::spawn().await;
    let (_, coordinator) = app.account("coordinator").await;
    let (volunteer_id, volunteer) = app.account("volunteer").await;
    let (admin_id, _) = app.account("admin").await;
    assert_eq!(
        app.get("/api/v1/me", Some(&access_token(&volunteer)))
            .await
            .0,
        StatusCode::OK
    );

    // Coordinators cannot deactivate staff.
    let (status, _) = app
        .post(
            &format!("/api/v1/users/{admin_id}/deactivate"),
            json!({}),
            Some(&access_token(&coordinator)),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, body) = app
        .post(
            &format!("/api/v1/users/{volunteer_id}/deactivate"),
            json!({}),
            Some(&access_token(&coordinator)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "deactivated");
    // The access token is still within its lifetime, and is refused all the same.
    let response = app.get_raw("/api/v1/me", &access_token(&volunteer)).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let (status, _) = app.refresh(&refresh_token(&volunteer)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn a_coordinator_lists_the_accounts_of_their_own_area_only() {
    let app = TestApp::spawn().await;
    let admin = access_token(&app.account("admin").await.1);
    let mut areas = Vec::new();
    for name in ["East", "West"] {
        let (status, area) = app
            .post(
                "/api/v1/areas",
                json!({"name": name, "time_zone": "Asia/Tokyo"}),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{area}");
        areas.push(area["id"].as_str().unwrap().parse().unwrap());
    }
    let (east_id, east) = app.account_in("coordinator", Some(areas[0])).await;
    let (west_id, _) = app.account_in("coordinator", Some(areas[1])).await;
    let (west_keeper, _) = app.account_in("hub_keeper", Some(areas[1])).await;
    let waiting = app.register("volunteer", "waiting@example.jp").await;
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (status, page) = app
        .get("/api/v1/users?limit=100", Some(&access_token(&east)))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let seen = ids(&page);
    assert!(seen.contains(&east_id));
    assert!(seen.contains(&waiting["id"].as_str().unwrap().to_owned()));
    assert!(!seen.contains(&west_id), "another area's coordinator");
    assert!(!seen.contains(&west_keeper), "another area's hub keeper");
    let (_, everyone) = app.get("/api/v1/users?limit=100", Some(&admin)).await;
    let everyone = ids(&everyone);
    assert!(everyone.contains(&west_id) && everyone.contains(&east_id));
}

#[actix_web::test]
async fn coordinators_list_accounts_page_by_page() {
    let app = TestApp::spawn().await;
    let (_, coordinator) = app.account("coordinator").await;
    for i in 0..5 {
        app.register("volunteer", &format!("v{i}@example.jp")).await;
    }
    let token = access_token(&coordinator);
    let mut seen = Vec::new();
    let mut path = "/api/v1/users?status=pending&limit=2".to_owned();
    loop {
        let (status, page) = app.get(&path, Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|u| u["email"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/users?status=pending&limit=2&cursor={cursor}"),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(
        seen,
        (0..5)
            .map(|i| format!("v{i}@example.jp"))
            .collect::<Vec<_>>()
    );
    let (status, body) = app.get("/api/v1/users?cursor=bogus", Some(&token)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = app.get("/api/v1/users?role=emperor", Some(&token)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn failures_racing_each_other_all_count() {
    let app = TestApp::spawn_with(|c| c.lockout_threshold = 4).await;
    app.register("family", "raced@example.jp").await;
    let attempts = (0..4).map(|_| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": "raced@example.jp", "password": "wrong password!!"}))
            .send()
    });
    for response in futures_util::future::join_all(attempts).await {
        assert_eq!(response.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    let (status, _) = app
        .post(
            "/api/v1/auth/login",
            json!({"email": "raced@example.jp", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[actix_web::test]
async fn a_lock_expires_and_a_good_sign_in_clears_the_count() {
    let app = TestApp::spawn_with(|c| {
        c.lockout_threshold = 3;
        c.lockout_duration = Duration::from_secs(1);
    })
    .await;
    app.register("family", "forgetful@example.jp").await;
    let login = |password: &'static str| {
        app.post(
            "/api/v1/auth/login",
            json!({"email": "forgetful@example.jp", "password": password}),
            None,
        )
    };
    // Two failures, a success, two more failures: the count restarted, so no lock.
    for password in [
        "wrong password!!",
        "wrong password!!",
        PASSWORD,
        "wrong password!!",
        "wrong password!!",
    ] {
        let expected = if password == PASSWORD {
            StatusCode::OK
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(login(password).await.0, expected);
    }
    assert_eq!(
        login("wrong password!!").await.0,
        StatusCode::UNAUTHORIZED,
        "the third in a row locks"
    );
    assert_eq!(login(PASSWORD).await.0, StatusCode::TOO_MANY_REQUESTS);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        login(PASSWORD).await.0,
        StatusCode::OK,
        "the lock has expired"
    );
}

#[actix_web::test]
async fn concurrent_refreshes_of_one_token_get_one_pair() {
    let app = TestApp::spawn().await;
    let (_, tokens) = app.account("family").await;
    let body = json!({"refresh_token": refresh_token(&tokens)});
    let (a, b) = futures_util::future::join(
        app.post("/api/v1/auth/refresh", body.clone(), None),
        app.post("/api/v1/auth/refresh", body.clone(), None),
    )
    .await;
    assert_eq!(
        (a.0, b.0),
        (StatusCode::OK, StatusCode::OK),
        "{} {} {}",
        a.1,
        b.1,
        logs()
            .lines()
            .filter(|l| l.contains("cause"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(refresh_token(&a.1), refresh_token(&b.1));
    assert_eq!(access_token(&a.1), access_token(&b.1));
}
