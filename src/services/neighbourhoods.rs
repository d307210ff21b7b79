//! Neighbourhoods: polygons of an area that place residents (point in polygon), each with a
//! default hub. Changing a polygon places the area's residents again.

use crate::domain::text::Line;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::audit::Audit;
use super::caller::Caller;
use crate::db::neighbourhoods::NeighbourhoodRow;
use crate::db::{self, Db, DbConnection};
use crate::domain::area::check_name;
use crate::domain::clock::Clock;
use crate::domain::geo::{NeighbourhoodIndex, overlaps, parse_boundary};
use crate::domain::ids::{AreaId, HubId, NeighbourhoodId};
use crate::error::AppError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeighbourhoodInput {
    pub name: Line,
    /// GeoJSON `Polygon` or `MultiPolygon`, positions [lon, lat].
    pub boundary: Value,
    pub default_hub_id: Option<HubId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NeighbourhoodView {
    pub id: NeighbourhoodId,
    pub area_id: AreaId,
    pub name: String,
    pub boundary: Value,
    pub default_hub_id: Option<HubId>,
    /// How many residents changed neighbourhood because of this write.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residents_relocated: Option<usize>,
}

impl NeighbourhoodRow {
    fn view(&self, relocated: Option<usize>) -> Result<NeighbourhoodView, AppError> {
        let corrupt =
            |what: &str| AppError::internal(format!("neighbourhoods row {}: bad {what}", self.id));
        Ok(NeighbourhoodView {
            id: self.id,
            area_id: self.area_id,
            name: self.name.clone(),
            boundary: serde_json::from_str(&self.boundary).map_err(|_| corrupt("boundary"))?,
            default_hub_id: self.default_hub_id,
            residents_relocated: relocated,
        })
    }
}

/// The index of `area`'s neighbourhoods, keyed by id.
pub fn area_index(
    conn: &mut DbConnection,
    area: AreaId,
) -> Result<NeighbourhoodIndex<NeighbourhoodId>, AppError> {
    let rows = db::neighbourhoods::of_area(conn, area)?;
    let shapes = rows
        .into_iter()
        .map(|row| {
            let value: Value = serde_json::from_str(&row.boundary)
                .map_err(|e| AppError::internal(e.to_string()))?;
            Ok((row.id, parse_boundary(&value)?))
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(NeighbourhoodIndex::new(shapes))
}

/// Places every located resident of `area` again; returns how many changed.
pub fn relocate_residents(conn: &mut DbConnection, area: AreaId) -> Result<usize, AppError> {
    let index = area_index(conn, area)?;
    let mut changed = 0;
    for resident in db::neighbourhoods::located_residents(conn, area)? {
        let placed = index.locate(resident.lon, resident.lat);
        if placed != resident.neighbourhood_id {
            db::neighbourhoods::set_resident_neighbourhood(conn, resident.id, placed)?;
            changed += 1;
        }
    }
    Ok(changed)
}

#[derive(Clone)]
pub struct Neighbourhoods {
    db: Db,
    clock: Clock,
}

impl Neighbourhoods {
    pub fn new(db: Db, clock: Clock) -> Self {
        Neighbourhoods { db, clock }
    }

    /// Creates (`id` None) or replaces a neighbourhood of the caller's area.
    pub async fn save(
        &self,
        caller: &Caller,
        id: Option<NeighbourhoodId>,
        input: NeighbourhoodInput,
    ) -> Result<NeighbourhoodView, AppError> {
        let now = self.clock.now_naive();
        let area = caller.area()?;
        let name = check_name("name", &input.name, 100)?;
        let shape = parse_boundary(&input.boundary)?;
        let boundary = input.boundary.to_string();
        let audit = Audit::by(caller, Some(area));
        self.db
            .transaction("neighbourhoods.save", move |conn| {
                db::neighbourhoods::lock_area(conn, area)?;
                if let Some(hub) = input.default_hub_id {
                    let hub = db::areas::find_hub(conn, hub)?;
                    if hub.is_none_or(|h| h.area_id != area) {
                        return Err(AppError::invalid(
                            "default_hub_id",
                            "invalid-hub-other-area",
                        ));
                    }
                }
                let existing = match id {
                    Some(id) => {
                        let row = db::neighbourhoods::find(conn, id)?.ok_or(AppError::NotFound)?;
                        if row.area_id != area {
                            return Err(AppError::NotFound);
                        }
                        Some(row)
                    }
                    None => None,
                };
                for other in db::neighbourhoods::of_area(conn, area)? {
                    if Some(&other.id) == existing.as_ref().map(|e| &e.id) {
                        continue;
                    }
                    let value: Value = serde_json::from_str(&other.boundary)
                        .map_err(|e| AppError::internal(e.to_string()))?;
                    if overlaps(&shape, &parse_boundary(&value)?) {
                        return Err(AppError::Overlap {
                            other: other.id.uuid(),
                        });
                    }
                }
                let row = NeighbourhoodRow {
                    id: existing
                        .as_ref()
                        .map_or_else(NeighbourhoodId::new, |e| e.id),
                    area_id: area,
                    name,
                    boundary,
                    default_hub_id: input.default_hub_id,
                    created_at: existing.as_ref().map_or(now, |e| e.created_at),
                    updated_at: now,
                };
                if existing.is_some() {
                    db::neighbourhoods::update(conn, &row)?;
                } else {
                    db::neighbourhoods::insert(conn, &row)?;
                }
                let relocated = relocate_residents(conn, area)?;
                let view = row.view(Some(relocated))?;
                audit.record(
                    conn,
                    now,
                    if existing.is_some() {
                        "update"
                    } else {
                        "create"
                    },
                    "neighbourhood",
                    view.id,
                )?;
                Ok(view)
            })
            .await
    }

    pub async fn get(
        &self,
        caller: &Caller,
        id: NeighbourhoodId,
    ) -> Result<NeighbourhoodView, AppError> {
        let caller = caller.clone();
        self.db
            .run("neighbourhoods.get", move |conn| {
                let row = db::neighbourhoods::find(conn, id)?.ok_or(AppError::NotFound)?;
                let view = row.view(None)?;
                if caller.works_in(view.area_id) {
                    Ok(view)
                } else {
                    Err(AppError::NotFound)
                }
            })
            .await
    }

    pub async fn list(&self, caller: &Caller) -> Result<Vec<NeighbourhoodView>, AppError> {
        let area = caller.area()?;
        self.db
            .run("neighbourhoods.list", move |conn| {
                db::neighbourhoods::of_area(conn, area)?
                    .iter()
                    .map(|r| r.view(None))
                    .collect()
            })
            .await
    }
}
