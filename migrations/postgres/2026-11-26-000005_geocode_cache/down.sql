DROP TABLE geocode_cache;
