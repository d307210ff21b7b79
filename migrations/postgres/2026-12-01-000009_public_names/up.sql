-- What families are told to call a volunteer: chosen by the volunteer, never derived from
-- the display name. Profiles written before this have none until the volunteer sets one.
ALTER TABLE volunteer_profiles ADD COLUMN public_name TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN carrier_public_name TEXT NOT NULL DEFAULT '';
