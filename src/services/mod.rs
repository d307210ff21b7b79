//! Use cases. Each public operation is one transaction (through `Db::transaction`) that
//! applies the domain's rules and the `db` queries; handlers only translate HTTP to calls here.

pub mod accounts;
pub mod audit;
pub mod caller;
pub mod carriers;
pub mod dispatch;
pub mod district;
pub mod escalations;
pub mod handovers;
pub mod impact;
pub mod neighbourhoods;
pub mod notifications;
pub mod overview;
pub mod passwords;
pub mod plans;
pub mod precondition;
pub mod proxies;
pub mod requests;
pub mod residents;
pub mod retention;
pub mod runs;
pub mod sessions;
pub mod shelf;
pub mod throttle;
pub mod tokens;
pub mod unit_of_work;
pub mod webhooks;

use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;
use crate::domain::clock::Clock;
use crate::error::AppError;

/// Everything a request handler or a CLI command needs, built once at start-up.
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    /// The one clock: every use case reads the time from it.
    pub clock: Clock,
    pub accounts: accounts::Accounts,
    pub sessions: sessions::Sessions,
    pub tokens: Arc<tokens::TokenIssuer>,
    pub district: district::District,
    pub residents: residents::Residents,
    pub requests: requests::Requests,
    pub neighbourhoods: neighbourhoods::Neighbourhoods,
    pub carriers: carriers::Carriers,
    pub plans: plans::Plans,
    pub runs: runs::Runs,
    pub handovers: handovers::Handovers,
    pub proxies: proxies::Proxies,
    pub escalations: escalations::Escalations,
    pub shelf: shelf::Shelf,
    pub webhooks: webhooks::Webhooks,
    pub notifications: notifications::Notifications,
    pub overview: overview::Overview,
    pub impact: impact::Impact,
}

impl Services {
    pub fn new(config: &Config, db: Db, signing_key: Vec<u8>) -> Result<Self, AppError> {
        let clock = config.clock.clone();
        let tokens = Arc::new(tokens::TokenIssuer::new(
            config,
            &signing_key,
            clock.clone(),
        ));
        let passwords = passwords::PasswordHasher::new(config.password_hash_concurrency)?;
        let accounts = accounts::Accounts::new(
            db.clone(),
            clock.clone(),
            passwords.clone(),
            config.login_attempts_per_minute,
        );
        let sessions =
            sessions::Sessions::new(config, db.clone(), clock.clone(), passwords, tokens.clone());
        let district = district::District::new(db.clone(), clock.clone());
        let geocoder = crate::clients::geocoder::Geocoder::new(
            config.geocoder,
            config.geocoder_url.clone(),
            config.geocoder_timeout,
        )
        .map_err(AppError::internal)?;
        let residents = residents::Residents::new(db.clone(), clock.clone(), geocoder);
        let requests = requests::Requests::new(db.clone(), clock.clone());
        let neighbourhoods = neighbourhoods::Neighbourhoods::new(db.clone(), clock.clone());
        let carriers = carriers::Carriers::new(db.clone(), clock.clone());
        let plans = plans::Plans::new(db.clone(), clock.clone(), config);
        let runs = runs::Runs::new(db.clone(), clock.clone());
        let handovers = handovers::Handovers::new(db.clone(), clock.clone());
        let proxies = proxies::Proxies::new(db.clone(), clock.clone());
        let escalations = escalations::Escalations::new(db.clone(), clock.clone());
        let shelf = shelf::Shelf::new(db.clone(), clock.clone());
        let sender = crate::clients::webhooks::WebhookSender::new(
            config.webhook_timeout,
            config.webhook_allow_private,
        )
        .map_err(AppError::internal)?;
        let webhooks = webhooks::Webhooks::new(
            db.clone(),
            clock.clone(),
            sender,
            config.webhook_max_in_flight,
            config.webhook_timeout,
        );
        let notifications = notifications::Notifications::new(db.clone(), clock.clone());
        let overview = overview::Overview::new(db.clone(), clock.clone());
        let impact = impact::Impact::new(db.clone());
        Ok(Services {
            db,
            clock,
            accounts,
            sessions,
            tokens,
            district,
            residents,
            requests,
            neighbourhoods,
            carriers,
            plans,
            runs,
            handovers,
            proxies,
            escalations,
            shelf,
            webhooks,
            notifications,
            overview,
            impact,
        })
    }
}
