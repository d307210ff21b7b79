DROP TABLE hub_keepers;
