-- A district: areas, hubs, residents, guardian links, grocery requests, idempotency keys and
-- the audit trail. Dates are TEXT 'YYYY-MM-DD' (no DATE type is shared by both backends).
CREATE TABLE areas (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    time_zone TEXT NOT NULL,
    cutoff_time TEXT NOT NULL,
    cutoff_days_before INTEGER NOT NULL,
    depot_lat DOUBLE PRECISION,
    depot_lon DOUBLE PRECISION,
    co2_kg_per_km DOUBLE PRECISION NOT NULL,
    circuity_factor DOUBLE PRECISION NOT NULL,
    created_at TIMESTAMP NOT NULL
);

ALTER TABLE users ADD COLUMN area_id TEXT REFERENCES areas (id);

CREATE TABLE hubs (
    id TEXT PRIMARY KEY NOT NULL,
    area_id TEXT NOT NULL REFERENCES areas (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    storage_ambient INTEGER NOT NULL,
    storage_chilled INTEGER NOT NULL,
    storage_frozen INTEGER NOT NULL,
    opening_hours TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE INDEX hubs_area ON hubs (area_id, name, id);

CREATE TABLE residents (
    id TEXT PRIMARY KEY NOT NULL,
    area_id TEXT NOT NULL REFERENCES areas (id),
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    address TEXT NOT NULL,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    location_status TEXT NOT NULL,
    neighbourhood_id TEXT,
    fulfilment TEXT NOT NULL,
    care_notes TEXT,
    care_consent_given_by TEXT,
    care_consent_basis TEXT,
    care_consent_text_version TEXT,
    care_consented_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE INDEX residents_area ON residents (area_id, id);

CREATE TABLE guardian_links (
    id TEXT PRIMARY KEY NOT NULL,
    resident_id TEXT NOT NULL REFERENCES residents (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    relation TEXT NOT NULL,
    status TEXT NOT NULL,
    consent_given_by TEXT,
    consent_basis TEXT,
    consent_text_version TEXT,
    consented_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (resident_id, user_id)
);

CREATE INDEX guardian_links_user ON guardian_links (user_id, status);

CREATE TABLE grocery_requests (
    id TEXT PRIMARY KEY NOT NULL,
    area_id TEXT NOT NULL REFERENCES areas (id),
    resident_id TEXT NOT NULL REFERENCES residents (id),
    delivery_date TEXT NOT NULL,
    fulfilment TEXT NOT NULL,
    notes TEXT,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE INDEX grocery_requests_area_date ON grocery_requests (area_id, delivery_date, created_at, id);
-- The lists' order: (created_at, id) within an area, with or without a date filter.
CREATE INDEX grocery_requests_area_created ON grocery_requests (area_id, created_at, id);
CREATE INDEX grocery_requests_resident ON grocery_requests (resident_id);

CREATE TABLE request_items (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES grocery_requests (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    quantity DOUBLE PRECISION NOT NULL,
    unit TEXT NOT NULL,
    temperature TEXT NOT NULL,
    substitution TEXT NOT NULL,
    outcome TEXT NOT NULL,
    price_yen BIGINT
);

CREATE INDEX request_items_request ON request_items (request_id, position);

CREATE TABLE idempotency_keys (
    caller_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    response_status INTEGER,
    response_body TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (caller_id, idempotency_key)
);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    area_id TEXT,
    actor_id TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    request_id TEXT,
    at TIMESTAMP NOT NULL
);

CREATE INDEX audit_log_area ON audit_log (area_id, at, id);
