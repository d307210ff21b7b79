-- Proxies: people who may receive or collect a resident's groceries for them (a neighbour,
-- a relative next door), added with the resident's consent on record. Removing one keeps the
-- row (handovers name it) and stops it being a recipient.
CREATE TABLE proxies (
    id TEXT PRIMARY KEY NOT NULL,
    resident_id TEXT NOT NULL REFERENCES residents (id),
    area_id TEXT NOT NULL REFERENCES areas (id),
    name TEXT NOT NULL,
    relation TEXT NOT NULL,
    phone TEXT,
    consent_given_by TEXT NOT NULL,
    consent_basis TEXT NOT NULL,
    consent_text_version TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    removed_at TIMESTAMP
);

CREATE INDEX proxies_resident ON proxies (resident_id, created_at, id);
