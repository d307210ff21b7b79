DROP TABLE notifications;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE job_leases;
DROP INDEX outbox_dispatch;
ALTER TABLE outbox DROP COLUMN dispatched_at;
