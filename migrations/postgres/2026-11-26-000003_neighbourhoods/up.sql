-- Neighbourhoods: named polygons of an area (GeoJSON text, [lon, lat]) with a default hub.
CREATE TABLE neighbourhoods (
    id TEXT PRIMARY KEY NOT NULL,
    area_id TEXT NOT NULL REFERENCES areas (id),
    name TEXT NOT NULL,
    boundary TEXT NOT NULL,
    default_hub_id TEXT REFERENCES hubs (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE INDEX neighbourhoods_area ON neighbourhoods (area_id, name, id);
