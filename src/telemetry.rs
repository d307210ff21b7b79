//! Logging set-up: `RUST_LOG` for levels, text for people, JSON for production collectors.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// How log lines are written: text for people, JSON for collectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

tokio::task_local! {
    /// The id of the request being served, set by the HTTP middleware for the request's task.
    pub static REQUEST_ID: String;
}

/// The id of the request being served: for a problem's `instance` and for audit rows. Read it
/// on the request's task, before handing work to the blocking pool.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only for a person at a terminal, never into files or collectors.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    // try_init: a second call (tests, embedded use) keeps the first subscriber.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .try_init(),
    };
}
