-- Plans: one per area and delivery date, replaced in place when planned again.
CREATE TABLE plans (
    id TEXT PRIMARY KEY NOT NULL,
    area_id TEXT NOT NULL REFERENCES areas (id),
    delivery_date TEXT NOT NULL,
    -- preview (locks nothing, offers nothing) or locked (requests planned, runs offered)
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    seed BIGINT NOT NULL,
    -- JSON documents: what the planner said, kept as it said it
    post_loads TEXT NOT NULL,
    unassigned TEXT NOT NULL,
    impact TEXT NOT NULL,
    warnings TEXT NOT NULL,
    created_by TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (area_id, delivery_date)
);

CREATE TABLE runs (
    id TEXT PRIMARY KEY NOT NULL,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    area_id TEXT NOT NULL REFERENCES areas (id),
    delivery_date TEXT NOT NULL,
    -- volunteer, carrier (user ids) or post_trip (a post trip's id)
    carrier_kind TEXT NOT NULL,
    carrier_id TEXT NOT NULL,
    carrier_name TEXT NOT NULL,
    hub_id TEXT,
    -- proposed (preview), offered, accepted
    status TEXT NOT NULL,
    distance_m BIGINT NOT NULL,
    duration_s BIGINT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE INDEX runs_plan ON runs (plan_id);
CREATE INDEX runs_carrier ON runs (carrier_id, starts_at, id);
CREATE INDEX runs_area ON runs (area_id, starts_at, id);

CREATE TABLE run_stops (
    run_id TEXT NOT NULL REFERENCES runs (id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    request_id TEXT,
    hub_id TEXT,
    arrival TIMESTAMP NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (run_id, seq)
);

-- Where a request planned for real goes: its run and stop, and the window its family is told.
CREATE TABLE placements (
    request_id TEXT PRIMARY KEY NOT NULL REFERENCES grocery_requests (id),
    plan_id TEXT NOT NULL REFERENCES plans (id),
    run_id TEXT NOT NULL REFERENCES runs (id),
    stop_seq INTEGER NOT NULL,
    hub_id TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    window_end TIMESTAMP NOT NULL
);

CREATE INDEX placements_run ON placements (run_id);

-- The cutoff job: one row per area and date, claimed with a lease so that one instance plans.
CREATE TABLE planning_jobs (
    area_id TEXT NOT NULL REFERENCES areas (id),
    delivery_date TEXT NOT NULL,
    -- running, done, failed
    state TEXT NOT NULL,
    owner TEXT NOT NULL,
    lease_until TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL,
    plan_id TEXT,
    outcome TEXT,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (area_id, delivery_date)
);
