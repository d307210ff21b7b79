-- Telling people: the outbox fanned out once into webhook deliveries and in-app
-- notifications, and the timed work that does it shared by instances through leases.

-- An outbox event is dispatched (its deliveries and notifications written) exactly once.
ALTER TABLE outbox ADD COLUMN dispatched_at TIMESTAMP;
CREATE INDEX outbox_dispatch ON outbox (dispatched_at, created_at, id);

-- One row per kind of timed work (cutoff, watch_over, dispatch, retention): the instance
-- that holds it, until when, and when it is next due.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY NOT NULL,
    owner TEXT,
    lease_until TIMESTAMP,
    next_run_at TIMESTAMP NOT NULL,
    last_finished_at TIMESTAMP,
    last_error TEXT
);

-- A coordinator's webhook endpoint. The secret signs deliveries (Standard Webhooks); after a
-- rotation the previous one signs alongside it until previous_secret_until.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY NOT NULL,
    area_id TEXT NOT NULL REFERENCES areas (id),
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    -- JSON array of event types
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_until TIMESTAMP,
    -- enabled, disabled, deleted
    status TEXT NOT NULL,
    -- since when every attempt failed (NULL after a success)
    failing_since TIMESTAMP,
    disabled_at TIMESTAMP,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE INDEX webhook_endpoints_area ON webhook_endpoints (area_id, created_at, id);

-- One event to one endpoint: its body is fixed when written, so every attempt sends the
-- same bytes under the same webhook-id (the delivery's id).
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id),
    -- the outbox event (a ping has an id of its own)
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    body TEXT NOT NULL,
    -- pending, delivered, failed
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP,
    lease_owner TEXT,
    lease_until TIMESTAMP,
    delivered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (endpoint_id, event_id)
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at, id);

-- Each attempt of a delivery: what the receiver answered and how long it took.
CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempt INTEGER NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    -- the HTTP status, NULL when no answer came (timeout, refused, no route)
    response_status INTEGER,
    -- timeout, connect, refused_address, ... when no answer came
    error TEXT,
    latency_ms BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);

-- The in-app feed: one row per person and event. The text is written at read time from
-- the catalogue in the reader's language.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    -- the catalogue key of its title and body
    message TEXT NOT NULL,
    -- JSON object: the message's arguments
    args TEXT NOT NULL,
    -- JSON object: the ids to open (request_id, run_id, escalation_id, ...)
    subject TEXT NOT NULL,
    read_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, event_id)
);

CREATE INDEX notifications_user ON notifications (user_id, created_at, id);
CREATE INDEX notifications_unread ON notifications (user_id, read_at);
