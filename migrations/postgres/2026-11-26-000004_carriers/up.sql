-- Carriers: volunteers' profiles and Japan Post's scheduled van trips with spare capacity.
CREATE TABLE volunteer_profiles (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    home_lat DOUBLE PRECISION NOT NULL,
    home_lon DOUBLE PRECISION NOT NULL,
    vehicle TEXT NOT NULL,
    capacity_litres INTEGER NOT NULL,
    cold_box BOOLEAN NOT NULL,
    max_distance_km DOUBLE PRECISION NOT NULL,
    availability TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE post_trips (
    id TEXT PRIMARY KEY NOT NULL,
    area_id TEXT NOT NULL REFERENCES areas (id),
    name TEXT NOT NULL,
    origin_lat DOUBLE PRECISION NOT NULL,
    origin_lon DOUBLE PRECISION NOT NULL,
    weekdays TEXT NOT NULL,
    departure TEXT NOT NULL,
    hub_ids TEXT NOT NULL,
    spare_ambient INTEGER NOT NULL,
    spare_chilled INTEGER NOT NULL,
    spare_frozen INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE INDEX post_trips_area ON post_trips (area_id, name, id);
