-- The delivery day: one row per change of hands of a request's goods, recorded by a phone
-- (whose id it keeps, so that a retry is the same handover), and the requests it moved.
CREATE TABLE handovers (
    id TEXT PRIMARY KEY NOT NULL,
    area_id TEXT NOT NULL REFERENCES areas (id),
    -- van_loaded, hub_received, run_picked_up, door_delivered, door_failed, hub_returned,
    -- hub_collected
    kind TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    run_id TEXT,
    hub_id TEXT,
    -- JSON {ambient, chilled, frozen}: loaded or counted; with the load expected on receipt
    crates TEXT,
    expected_crates TEXT,
    recipient_kind TEXT,
    recipient_proxy_id TEXT,
    recipient_name TEXT,
    proof_method TEXT,
    reason TEXT,
    note TEXT,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    -- SHA-256 of the body as sent: the same id with another body is refused
    body_hash TEXT NOT NULL
);

CREATE TABLE handover_requests (
    request_id TEXT NOT NULL REFERENCES grocery_requests (id),
    handover_id TEXT NOT NULL REFERENCES handovers (id),
    PRIMARY KEY (request_id, handover_id)
);

CREATE INDEX handover_requests_handover ON handover_requests (handover_id);

-- The six-digit code a planned request's family sees and says at the door; five wrong tries
-- lock it until a coordinator resets it.
CREATE TABLE handover_codes (
    request_id TEXT PRIMARY KEY NOT NULL REFERENCES grocery_requests (id),
    code TEXT NOT NULL,
    failures INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The carrier accounts that drive a post trip: they see its runs and record its loads.
CREATE TABLE post_trip_carriers (
    post_trip_id TEXT NOT NULL REFERENCES post_trips (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (post_trip_id, user_id)
);

CREATE INDEX post_trip_carriers_user ON post_trip_carriers (user_id);

-- A signature or a photo taken at a handover: served only to staff, deleted after the area's
-- retention period.
CREATE TABLE handover_images (
    handover_id TEXT PRIMARY KEY NOT NULL REFERENCES handovers (id),
    content_type TEXT NOT NULL,
    -- base64, as the phone sent it (both backends keep it as TEXT)
    image_base64 TEXT NOT NULL,
    delete_after TIMESTAMP NOT NULL
);
