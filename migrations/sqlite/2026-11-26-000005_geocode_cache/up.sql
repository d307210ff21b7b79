-- Geocoder answers, so that the same address is asked once.
CREATE TABLE geocode_cache (
    provider TEXT NOT NULL,
    address TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (provider, address)
);
