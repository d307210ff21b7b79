-- Short codes a coordinator prints or reads out on the phone, so that a family can ask to be
-- linked to a resident without typing an id. Kept as SHA-256 digests: a code is a key.
CREATE TABLE link_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    resident_id TEXT NOT NULL REFERENCES residents (id),
    area_id TEXT NOT NULL REFERENCES areas (id),
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    used_by TEXT
);

CREATE INDEX link_codes_resident ON link_codes (resident_id);
