//! Reading a body or a query into a route's input type, and saying precisely what was wrong
//! when it cannot be read: the JSON is broken (400), the body is too large (413) or not JSON
//! (415), or a value breaks its field's rule (422, naming the field as `items[0].unit`).

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::domain::error::Message;
use crate::domain::text::CONTROL_CHARACTER;
use crate::error::AppError;

/// How much of a body a route reads, and for how long it waits for it (configured).
#[derive(Debug, Clone, Copy)]
pub struct BodyRules {
    pub limit: usize,
    pub timeout: std::time::Duration,
}

/// A JSON body of type `T`.
#[derive(Debug)]
pub struct Body<T>(pub T);

/// A query string of type `T`.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Body<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Body<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let rules = req.app_data::<web::Data<BodyRules>>().map_or(
            BodyRules {
                limit: 64 * 1024,
                timeout: std::time::Duration::from_secs(10),
            },
            |r| *r.get_ref(),
        );
        let limit = rules.limit;
        let is_json = req.mime_type().ok().flatten().is_some_and(|mime| {
            mime.essence_str() == "application/json" || mime.suffix().is_some_and(|s| s == "json")
        });
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(AppError::UnsupportedMediaType.into());
            }
            // A client that sends its body slowly (or stops) does not hold a worker's slot.
            let bytes = tokio::time::timeout(rules.timeout, body)
                .await
                .map_err(|_| AppError::RequestTimeout)?
                .map_err(|e| {
                    if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
                        AppError::PayloadTooLarge { limit }
                    } else {
                        AppError::Malformed(Message::new("malformed-body").arg("reason", e))
                    }
                })?;
            if bytes.len() > limit {
                return Err(AppError::PayloadTooLarge { limit }.into());
            }
            parse_json(&bytes).map(Body).map_err(Into::into)
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Query<T> {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            parse_query(req.query_string())
                .map(Query)
                .map_err(Into::into),
        )
    }
}

/// The body as `T`, or the problem that says what is wrong with it.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut reader).map_err(|error| {
        let field = field_of(error.path());
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => refused_value(field, &inner.to_string()),
            _ => AppError::Malformed(Message::new("malformed-json").arg("reason", inner)),
        }
    })?;
    reader
        .end()
        .map_err(|e| AppError::Malformed(Message::new("malformed-json").arg("reason", e)))?;
    Ok(value)
}

/// The query string as `T`, or the problem that says what is wrong with it.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    let pairs = serde_urlencoded::Deserializer::new(form_urlencoded(query));
    serde_path_to_error::deserialize(pairs).map_err(|error| {
        let field = field_of(error.path());
        let reason = error.into_inner().to_string();
        if reason.starts_with(CONTROL_CHARACTER) {
            refused_value(field, &reason)
        } else {
            AppError::Malformed(Message::new("malformed-query").arg("reason", reason))
        }
    })
}

fn form_urlencoded(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

/// "items[0].unit"; the body as a whole is "body".
fn field_of(path: &serde_path_to_error::Path) -> String {
    let shown = path.to_string();
    if shown == "." {
        "body".to_owned()
    } else {
        shown
    }
}

/// A value that JSON could carry but this field does not take.
fn refused_value(field: String, reason: &str) -> AppError {
    // serde's own messages end with where in the text they happened; the field says it.
    let reason = reason
        .rsplit_once(" at line ")
        .map_or(reason, |(message, _)| message);
    if let Some(rest) = reason.strip_prefix(CONTROL_CHARACTER) {
        return AppError::invalid(
            field,
            Message::new(CONTROL_CHARACTER).arg("character", rest.trim()),
        );
    }
    // A missing or unknown field is the shape of the body, not a value.
    if reason.starts_with("missing field") || reason.starts_with("unknown field") {
        return AppError::UnprocessableBody(
            Message::new("body-does-not-fit").arg("reason", format!("{field}: {reason}")),
        );
    }
    AppError::invalid(field, Message::new("invalid-value").arg("reason", reason))
}

/// Bodies a stranger sends: anything is read or refused with a problem, never a panic, and a
/// body that is read reads the same once written back.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;
    use crate::services::requests::{NewRequest, RequestChanges};
    use crate::services::residents::NewResident;

    fn text() -> impl Strategy<Value = Value> {
        prop_oneof![
            "[a-z0-9 _-]{0,12}".prop_map(Value::String),
            any::<String>().prop_map(Value::String),
            Just(json!("0190b1a2-0000-7000-8000-000000000000")),
            Just(json!("2026-12-04")),
            Just(json!("home_delivery")),
            Just(json!("chilled")),
            Just(json!("similar")),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|n| json!(n)),
            (0i64..200).prop_map(|n| json!(n)),
            text(),
        ];
        leaf.prop_recursive(3, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop::sample::select(vec![
                        "resident_id",
                        "delivery_date",
                        "fulfilment",
                        "notes",
                        "items",
                        "name",
                        "quantity",
                        "unit",
                        "temperature",
                        "substitution",
                        "phone",
                        "address",
                        "location",
                        "lat",
                        "lon",
                        "care_notes",
                        "consent",
                        "given_by",
                        "basis",
                        "text_version",
                        "extra",
                    ]),
                    inner,
                    0..7,
                )
                .prop_map(|m| {
                    Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                }),
            ]
        })
    }

    fn round_trips<T: DeserializeOwned + serde::Serialize>(body: &[u8]) -> Result<(), String> {
        match parse_json::<T>(body) {
            Err(_) => Ok(()),
            Ok(read) => {
                let written = serde_json::to_vec(&read).map_err(|e| e.to_string())?;
                let again = parse_json::<T>(&written).map_err(|e| format!("{e:?}"))?;
                let (a, b) = (
                    serde_json::to_value(&read).map_err(|e| e.to_string())?,
                    serde_json::to_value(&again).map_err(|e| e.to_string())?,
                );
                if a == b {
                    Ok(())
                } else {
                    Err(format!("{a} != {b}"))
                }
            }
        }
    }

    /// A request body of the right shape with any text in its text fields.
    fn request_body() -> impl Strategy<Value = Value> {
        let words = || "[^\\x00-\\x1f\\x7f-\\x9f]{0,10}";
        let item = (words(), 0.0f64..100.0, words(), words(), words()).prop_map(
            |(name, quantity, unit, temperature, substitution)| {
                json!({"name": name, "quantity": quantity, "unit": unit, "temperature": temperature, "substitution": substitution})
            },
        );
        (
            words(),
            words(),
            proptest::option::of(words()),
            prop::collection::vec(item, 0..4),
        )
            .prop_map(|(date, fulfilment, notes, items)| {
                json!({"resident_id": "0190b1a2-0000-7000-8000-000000000000", "delivery_date": date,
                    "fulfilment": fulfilment, "notes": notes, "items": items})
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn well_formed_request_bodies_are_read_and_round_trip(body in request_body()) {
            let bytes = serde_json::to_vec(&body).unwrap_or_default();
            prop_assert!(parse_json::<NewRequest>(&bytes).is_ok(), "{}", body);
            prop_assert_eq!(round_trips::<NewRequest>(&bytes), Ok(()));
        }

        #[test]
        fn any_bytes_are_read_or_refused(body in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_json::<NewRequest>(&body);
            let _ = parse_json::<NewResident>(&body);
            let _ = parse_query::<NewRequest>(&String::from_utf8_lossy(&body));
        }

        #[test]
        fn request_bodies_that_are_read_round_trip(body in value()) {
            let bytes = serde_json::to_vec(&body).unwrap_or_default();
            prop_assert_eq!(round_trips::<NewRequest>(&bytes), Ok(()));
            prop_assert_eq!(round_trips::<RequestChanges>(&bytes), Ok(()));
            prop_assert_eq!(round_trips::<NewResident>(&bytes), Ok(()));
        }
    }
}
