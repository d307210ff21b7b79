//! A webhook receiver for the tests: a local HTTP server that answers as a script says and
//! verifies every delivery with the Standard Webhooks reference library.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

/// What the receiver got: webhook-id, the body, the status it answered, and whether the
/// reference library verified it with each secret it knows.
#[derive(Clone, Debug)]
pub struct Receipt {
    pub id: String,
    pub body: String,
    pub answered: u16,
    pub verified: Vec<bool>,
    pub signatures: usize,
}

/// How the receiver answers the n-th request for one webhook-id (0-based).
pub type Script = fn(usize) -> Option<u16>;

pub struct Receiver {
    pub url: String,
    pub receipts: Arc<Mutex<Vec<Receipt>>>,
    pub secrets: Arc<Mutex<Vec<String>>>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        actix_web::rt::spawn(async move { handle.stop(false).await });
    }
}

/// A local receiver: answers as `script` says per webhook-id (None: hold the answer past
/// Yui's timeout), after `delay_ms`; verifies every request with the secrets it is given.
pub async fn receiver(
    script: Script,
    failing_id: Option<Arc<Mutex<Option<String>>>>,
    delay_ms: u64,
) -> Receiver {
    let receipts: Arc<Mutex<Vec<Receipt>>> = Arc::default();
    let secrets: Arc<Mutex<Vec<String>>> = Arc::default();
    let (r, s) = (receipts.clone(), secrets.clone());
    let server = HttpServer::new(move || {
        let (receipts, secrets, failing) = (r.clone(), s.clone(), failing_id.clone());
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let (receipts, secrets, failing) = (receipts.clone(), secrets.clone(), failing.clone());
            async move {
                let mut headers = http::HeaderMap::new();
                for (name, value) in req.headers() {
                    headers.insert(
                        http::HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
                        http::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
                    );
                }
                let id = headers["webhook-id"].to_str().unwrap().to_owned();
                let signatures = headers["webhook-signature"]
                    .to_str()
                    .unwrap()
                    .split(' ')
                    .count();
                let verified = secrets
                    .lock()
                    .unwrap()
                    .iter()
                    .map(|secret| {
                        standardwebhooks::Webhook::new(secret)
                            .unwrap()
                            .verify(&body, &headers)
                            .is_ok()
                    })
                    .collect();
                // The first webhook-id seen is the one the script fails.
                let seen = {
                    // With a `failing_id`, the script is for the first webhook-id seen only.
                    let mine = match &failing {
                        Some(failing) => {
                            failing.lock().unwrap().get_or_insert_with(|| id.clone()) == &id
                        }
                        None => true,
                    };
                    let earlier = receipts
                        .lock()
                        .unwrap()
                        .iter()
                        .filter(|r| r.id == id)
                        .count();
                    if mine { script(earlier) } else { Some(200) }
                };
                // Recorded on arrival, so that a retry arriving while a held answer
                // still sleeps counts it.
                receipts.lock().unwrap().push(Receipt {
                    id,
                    body: String::from_utf8(body.to_vec()).unwrap(),
                    answered: seen.unwrap_or(0),
                    verified,
                    signatures,
                });
                tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                let answered = match seen {
                    Some(status) => status,
                    None => {
                        tokio::time::sleep(Duration::from_millis(1500)).await;
                        200
                    }
                };
                HttpResponse::build(actix_web::http::StatusCode::from_u16(answered).unwrap())
                    .finish()
            }
        }))
    })
    .workers(2)
    .bind("127.0.0.1:0")
    .unwrap();
    let address = server.addrs()[0];
    let running = server.run();
    let handle = running.handle();
    actix_web::rt::spawn(running);
    Receiver {
        url: format!("http://{address}/hooks"),
        receipts,
        secrets,
        handle,
    }
}
