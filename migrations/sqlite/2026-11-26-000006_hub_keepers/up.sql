-- Hub keepers: the users who look after a hub (what arrives, who collects, what is left).
CREATE TABLE hub_keepers (
    hub_id TEXT NOT NULL REFERENCES hubs (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (hub_id, user_id)
);

CREATE INDEX hub_keepers_user ON hub_keepers (user_id);
