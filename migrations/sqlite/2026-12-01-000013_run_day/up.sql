-- Why a volunteer declined a run (the coordinator's list shows it until the run is offered
-- to someone else).
ALTER TABLE runs ADD COLUMN decline_reason TEXT;
