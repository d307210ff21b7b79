DROP TABLE escalation_steps;
DROP TABLE escalations;
DROP TABLE shelf_entries;
ALTER TABLE areas DROP COLUMN settings_version;
ALTER TABLE areas DROP COLUMN day_settings;
