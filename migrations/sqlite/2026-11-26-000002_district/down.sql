DROP TABLE audit_log;
DROP TABLE idempotency_keys;
DROP TABLE request_items;
DROP TABLE grocery_requests;
DROP TABLE guardian_links;
DROP TABLE residents;
DROP TABLE hubs;
ALTER TABLE users DROP COLUMN area_id;
DROP TABLE areas;
