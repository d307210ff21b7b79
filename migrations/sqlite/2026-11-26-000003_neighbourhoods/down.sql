DROP TABLE neighbourhoods;
