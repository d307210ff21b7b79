//! Carriers' vehicles: how they travel, which the planner turns into speeds.

use crate::text_enum;

text_enum! {
    pub enum Vehicle ("vehicle") {
        Walk => "walk",
        Bicycle => "bicycle",
        Car => "car",
        KeiTruck => "kei_truck",
    }
}
