ALTER TABLE runs DROP COLUMN carrier_public_name;
ALTER TABLE volunteer_profiles DROP COLUMN public_name;
