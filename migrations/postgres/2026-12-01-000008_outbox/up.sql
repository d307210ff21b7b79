-- Every domain event, written in the transaction of the change that raised it. A later job
-- delivers them (webhooks, the in-app feed); the payload holds ids and statuses only.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    -- request, run, plan, ...
    aggregate TEXT NOT NULL,
    aggregate_id TEXT NOT NULL,
    -- 1, 2, 3 ... per aggregate: the order its events happened in
    sequence BIGINT NOT NULL,
    -- noun.verb, e.g. request.planned
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    area_id TEXT,
    actor_id TEXT,
    request_id TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (aggregate, aggregate_id, sequence)
);

CREATE INDEX outbox_created ON outbox (created_at, id);
