DROP TABLE handover_images;
DROP TABLE post_trip_carriers;
DROP TABLE handover_codes;
DROP TABLE handover_requests;
DROP TABLE handovers;
