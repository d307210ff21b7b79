DROP TABLE post_trips;
DROP TABLE volunteer_profiles;
