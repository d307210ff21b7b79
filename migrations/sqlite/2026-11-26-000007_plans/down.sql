DROP TABLE planning_jobs;
DROP TABLE placements;
DROP TABLE run_stops;
DROP TABLE runs;
DROP TABLE plans;
