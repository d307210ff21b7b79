//! Signing in and out of the console, and the language switch. A sign-in is the API's own
//! (same lockout and throttling, one refresh-token family); the session cookie holds its
//! refresh token, which the console never rotates.

use actix_web::{HttpResponse, web};
use maud::html;
use serde::Deserialize;

use super::page::{self, Page, Settings, csrf_input, t};
use super::session::{self, ConsoleVisit, PRESESSION_COOKIE, SESSION_COOKIE};
use crate::domain::account::Locale;
use crate::error::AppError;
use crate::http::client::ClientAddress;
use crate::services::Services;
use crate::services::caller::Caller;

/// Where a browser may be sent back to: a console page of this site, nothing else.
fn console_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if (path == "/console"
                || path.starts_with("/console/")
                || path.starts_with("/console?"))
                && !path.contains("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/console".to_owned(),
    }
}

/// `GET /`: the console.
pub async fn root() -> HttpResponse {
    page::see_other("/console")
}

/// `GET /console`: the day at a glance; a hub keeper's own hubs.
pub async fn start(caller: Caller) -> HttpResponse {
    page::see_other(page::Section::home(caller.role).href())
}

#[derive(Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
}

fn sign_in_page(
    settings: &Settings,
    visit: &ConsoleVisit,
    next: &str,
    email: &str,
    problem: Option<String>,
) -> HttpResponse {
    let title = t("console-sign-in-title");
    let main = html! {
        div.sign-in {
            h1 { (title) }
            @if let Some(problem) = &problem {
                p.error role="alert" { (problem) }
            }
            form method="post" action="/console/sign-in" {
                (csrf_input(visit))
                input type="hidden" name="next" value=(next);
                label for="email" { (t("console-email")) }
                input #email type="email" name="email" value=(email) autocomplete="username" required autofocus;
                label for="password" { (t("console-password")) }
                input #password type="password" name="password" autocomplete="current-password" required;
                p { button.primary type="submit" { (t("console-sign-in")) } }
            }
        }
    };
    page::render(
        settings,
        Page {
            section: None,
            title,
            visit,
            here: format!(
                "/console/sign-in?next={}",
                form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            ),
            scripts: &[],
            styles: &[],
        },
        main,
    )
}

/// `GET /console/sign-in`
pub async fn form(
    settings: Settings,
    visit: ConsoleVisit,
    query: web::Query<SignInQuery>,
) -> HttpResponse {
    let next = console_path(query.next.as_deref());
    if visit.caller.is_some() {
        return page::see_other(&next);
    }
    sign_in_page(&settings, &visit, &next, "", None)
}

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// `POST /console/sign-in`: the session cookie on success; the form again, saying why, on
/// a refusal (wrong password, locked account, too many attempts).
pub async fn sign_in(
    services: web::Data<Services>,
    settings: Settings,
    visit: ConsoleVisit,
    client: ClientAddress,
    body: web::Bytes,
) -> HttpResponse {
    let form: SignInForm = match page::read_form(&body) {
        Ok(form) => form,
        Err(error) => return page::failure(&error),
    };
    let next = console_path(form.next.as_deref());
    match services
        .sessions
        .login(&form.email, form.password, client.0)
        .await
    {
        Ok(pair) => {
            let mut answer = page::see_other(&next);
            let cookies = [
                session::cookie(&settings, SESSION_COOKIE, pair.refresh_token),
                session::expired_cookie(&settings, PRESESSION_COOKIE),
            ];
            for cookie in cookies {
                if let Err(e) = answer.add_cookie(&cookie) {
                    return page::failure(&AppError::internal(e.to_string()));
                }
            }
            answer
        }
        Err(error) => {
            let status = actix_web::ResponseError::status_code(&error);
            let mut answer = sign_in_page(
                &settings,
                &visit,
                &next,
                &form.email,
                Some(error.problem().detail),
            );
            *answer.status_mut() = status;
            answer
        }
    }
}

/// `POST /console/sign-out`: ends the sign-in (its whole token family) and the cookie.
pub async fn sign_out(
    services: web::Data<Services>,
    settings: Settings,
    req: actix_web::HttpRequest,
) -> HttpResponse {
    if let Some(token) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned())
        && let Err(error) = services.sessions.logout(token).await
    {
        return page::failure(&error);
    }
    let mut answer = page::see_other("/console/sign-in");
    if let Err(e) = answer.add_cookie(&session::expired_cookie(&settings, SESSION_COOKIE)) {
        return page::failure(&AppError::internal(e.to_string()));
    }
    answer
}

#[derive(Deserialize)]
pub struct LanguageForm {
    to: String,
    back: Option<String>,
}

/// `POST /console/language`: the language of the console in this browser.
pub async fn language(settings: Settings, body: web::Bytes) -> HttpResponse {
    let form: LanguageForm = match page::read_form(&body) {
        Ok(form) => form,
        Err(error) => return page::failure(&error),
    };
    let locale = match form.to.parse::<Locale>() {
        Ok(locale) => locale,
        Err(error) => return page::failure(&error.into()),
    };
    let mut answer = page::see_other(&console_path(form.back.as_deref()));
    match answer.add_cookie(&session::language_cookie(&settings, locale.as_str())) {
        Ok(()) => answer,
        Err(e) => page::failure(&AppError::internal(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::console_path;

    #[test]
    fn only_console_pages_are_gone_back_to() {
        assert_eq!(console_path(Some("/console/today")), "/console/today");
        assert_eq!(console_path(Some("/console?x=1")), "/console?x=1");
        for elsewhere in [
            "https://evil.example/",
            "//evil.example/console",
            "/console//evil.example",
            "/consolex",
            "/api/v1/me",
            "/console/\\evil",
            "",
        ] {
            assert_eq!(console_path(Some(elsewhere)), "/console", "{elsewhere}");
        }
        assert_eq!(console_path(None), "/console");
    }
}
