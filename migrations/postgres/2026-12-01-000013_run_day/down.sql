ALTER TABLE runs DROP COLUMN decline_reason;
