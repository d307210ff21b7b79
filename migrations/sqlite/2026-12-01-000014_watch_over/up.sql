-- An area's delivery-day settings (watch-over steps, welfare contact, cold chain, image
-- retention) as one JSON document; NULL is the defaults. Versioned for If-Match.
ALTER TABLE areas ADD COLUMN day_settings TEXT;
ALTER TABLE areas ADD COLUMN settings_version INTEGER NOT NULL DEFAULT 1;

-- What a hub's keeper has on the shelf: given on receipt, with a short number and the time
-- it must be handed on by (the cold chain, or the hub's closing).
CREATE TABLE shelf_entries (
    request_id TEXT PRIMARY KEY NOT NULL REFERENCES grocery_requests (id),
    hub_id TEXT NOT NULL REFERENCES hubs (id),
    delivery_date TEXT NOT NULL,
    shelf_number INTEGER NOT NULL,
    received_at TIMESTAMP NOT NULL,
    collect_by TIMESTAMP NOT NULL,
    -- when the watch-over job found it still there after collect_by
    flagged_at TIMESTAMP
);

CREATE INDEX shelf_entries_hub ON shelf_entries (hub_id, delivery_date, shelf_number);
CREATE INDEX shelf_entries_due ON shelf_entries (collect_by);

-- Watch-over cases: one per resident and cause, moving step by step until acknowledged.
CREATE TABLE escalations (
    id TEXT PRIMARY KEY NOT NULL,
    area_id TEXT NOT NULL REFERENCES areas (id),
    resident_id TEXT NOT NULL REFERENCES residents (id),
    request_id TEXT NOT NULL REFERENCES grocery_requests (id),
    run_id TEXT,
    hub_id TEXT,
    -- no_answer, not_collected, not_handed_on
    cause TEXT NOT NULL,
    -- open, acknowledged, resolved
    status TEXT NOT NULL,
    step INTEGER NOT NULL,
    -- JSON: the area's steps when the case opened
    steps TEXT NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    -- when the next step is due while open; NULL at the last step or once acknowledged
    next_due_at TIMESTAMP,
    resolved_at TIMESTAMP,
    resolved_by TEXT,
    outcome TEXT,
    note TEXT,
    version INTEGER NOT NULL
);

CREATE INDEX escalations_due ON escalations (status, next_due_at);
CREATE INDEX escalations_area ON escalations (area_id, opened_at, id);
CREATE INDEX escalations_request ON escalations (request_id);

CREATE TABLE escalation_steps (
    escalation_id TEXT NOT NULL REFERENCES escalations (id),
    idx INTEGER NOT NULL,
    to_whom TEXT NOT NULL,
    due_at TIMESTAMP NOT NULL,
    reached_at TIMESTAMP,
    acknowledged_at TIMESTAMP,
    acknowledged_by TEXT,
    note TEXT,
    PRIMARY KEY (escalation_id, idx)
);
