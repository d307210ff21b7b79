//! A webhook receiver for the tests: a local HTTP server that answers as a script says and
//! verifies every delivery with the Standard Webhooks reference library.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;

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
    /// The most requests it held at once.
    pub peak: Arc<std::sync::atomic::AtomicUsize>,
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
    use std::sync::atomic::{AtomicUsize, Ordering};
    let receipts: Arc<Mutex<Vec<Receipt>>> = Arc::default();
    let secrets: Arc<Mutex<Vec<String>>> = Arc::default();
    let peak: Arc<AtomicUsize> = Arc::default();
    let current: Arc<AtomicUsize> = Arc::default();
    let (r, s) = (receipts.clone(), secrets.clone());
    let (held, most) = (current.clone(), peak.clone());
    let server = HttpServer::new(move || {
        let (receipts, secrets, failing) = (r.clone(), s.clone(), failing_id.clone());
        let (held, most) = (held.clone(), most.clone());
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let (receipts, secrets, failing) = (receipts.clone(), secrets.clone(), failing.clone());
            let (held, most) = (held.clone(), most.clone());
            async move {
                let now_held = held.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now_held, Ordering::SeqCst);
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
                held.fetch_sub(1, Ordering::SeqCst);
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
        peak,
        receipts,
        secrets,
        handle,
    }
}

/// The keys each event type's `data` must have, as the contract says.
pub fn contract_data_keys() -> HashMap<String, (HashSet<String>, HashSet<String>)> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("api-spec/openapi.yaml"),
    )
    .unwrap();
    let spec: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let mut keys = HashMap::new();
    for (name, item) in spec["webhooks"].as_mapping().unwrap() {
        let data = &item["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
            ["data"];
        let required = data["required"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap().to_owned())
            .collect();
        let all = data["properties"]
            .as_mapping()
            .unwrap()
            .keys()
            .map(|k| k.as_str().unwrap().to_owned())
            .collect();
        keys.insert(name.as_str().unwrap().to_owned(), (required, all));
    }
    keys
}

/// Each event received under one webhook-id, its `data` keys as the contract's schema for
/// its type says (required present, nothing else); answers the types seen.
pub fn assert_as_the_contract_says(receipts: &[Receipt]) -> HashSet<String> {
    let contract = contract_data_keys();
    let mut events: HashMap<String, &str> = HashMap::new();
    let mut types = HashSet::new();
    let mut by_id: BTreeMap<&str, &Receipt> = BTreeMap::new();
    for r in receipts {
        by_id.entry(&r.id).or_insert(r);
    }
    for (id, got) in by_id {
        let body: Value = serde_json::from_str(&got.body).unwrap();
        let kind = body["type"].as_str().unwrap().to_owned();
        let data = body["data"].as_object().unwrap();
        let (required, all) = &contract[&kind];
        let keys: HashSet<String> = data.keys().cloned().collect();
        assert!(
            required.is_subset(&keys) && keys.is_subset(all),
            "{kind}: {keys:?}"
        );
        let aggregate = kind.split('.').next().unwrap();
        let key = format!("{}/{}", data[&format!("{aggregate}_id")], data["sequence"]);
        assert!(
            events.insert(key, id).is_none(),
            "an event under two webhook-ids"
        );
        types.insert(kind);
    }
    types
}
