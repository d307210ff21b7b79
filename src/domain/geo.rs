//! Neighbourhood boundaries: GeoJSON checked at the edge, and the point-in-polygon index that
//! places residents. Positions are GeoJSON's [lon, lat].

use geo::{
    Contains, Coord, Intersects, LineString, MultiPolygon, Point, Polygon, Relate, Validation,
};
use rstar::{AABB, RTree, RTreeObject};
use serde_json::Value;

use super::error::{DomainError, Message};

/// Parses and checks a GeoJSON `Polygon` or `MultiPolygon`: closed rings of at least four
/// positions, coordinates in range, no self-intersection.
pub fn parse_boundary(value: &Value) -> Result<MultiPolygon<f64>, DomainError> {
    let field = "boundary";
    let kind = value
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let coordinates = value
        .get("coordinates")
        .and_then(Value::as_array)
        .ok_or_else(|| DomainError::invalid(field, "invalid-geojson"))?;
    let polygons = match kind {
        "Polygon" => vec![polygon(coordinates, "boundary.coordinates")?],
        "MultiPolygon" => coordinates
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let rings = p
                    .as_array()
                    .ok_or_else(|| DomainError::invalid(field, "invalid-multipolygon"))?;
                polygon(rings, &format!("boundary.coordinates[{i}]"))
            })
            .collect::<Result<Vec<_>, _>>()?,
        _ => {
            return Err(DomainError::invalid(field, "invalid-geojson"));
        }
    };
    if polygons.is_empty() {
        return Err(DomainError::invalid(field, "invalid-no-polygon"));
    }
    let shape = MultiPolygon(polygons);
    if let Err(problem) = shape.check_validation() {
        return Err(DomainError::invalid(
            field,
            Message::new("invalid-geometry").arg("problem", problem),
        ));
    }
    Ok(shape)
}

fn polygon(rings: &[Value], field: &str) -> Result<Polygon<f64>, DomainError> {
    let mut parsed = rings
        .iter()
        .enumerate()
        .map(|(i, ring)| self::ring(ring, &format!("{field}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    if parsed.is_empty() {
        return Err(DomainError::invalid(field, "invalid-no-outer-ring"));
    }
    let exterior = parsed.remove(0);
    Ok(Polygon::new(exterior, parsed))
}

fn ring(value: &Value, field: &str) -> Result<LineString<f64>, DomainError> {
    let positions = value
        .as_array()
        .ok_or_else(|| DomainError::invalid(field, "invalid-ring"))?;
    if positions.len() < 4 {
        return Err(DomainError::invalid(field, "invalid-ring-short"));
    }
    let coords = positions
        .iter()
        .map(|p| {
            let pair = p.as_array().filter(|a| a.len() == 2 || a.len() == 3);
            let (lon, lat) = match pair.map(|a| (a[0].as_f64(), a[1].as_f64())) {
                Some((Some(lon), Some(lat))) => (lon, lat),
                _ => return Err(DomainError::invalid(field, "invalid-position")),
            };
            if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                return Err(DomainError::invalid(field, "invalid-position-range"));
            }
            Ok(Coord { x: lon, y: lat })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if coords.first() != coords.last() {
        return Err(DomainError::invalid(field, "invalid-ring-open"));
    }
    Ok(LineString(coords))
}

/// Whether two boundaries share interior (touching along an edge is fine).
pub fn overlaps(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> bool {
    let matrix = a.relate(b);
    matrix.is_intersects() && !matrix.is_touches()
}

struct Entry {
    envelope: AABB<[f64; 2]>,
    index: usize,
}

impl RTreeObject for Entry {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.envelope
    }
}

/// The neighbourhoods of an area, for placing points: an R-tree of bounding boxes, then the
/// exact test on the few candidates.
pub struct NeighbourhoodIndex<K> {
    keys: Vec<K>,
    shapes: Vec<MultiPolygon<f64>>,
    tree: RTree<Entry>,
}

impl<K: Clone> NeighbourhoodIndex<K> {
    pub fn new(neighbourhoods: Vec<(K, MultiPolygon<f64>)>) -> Self {
        let mut keys = Vec::with_capacity(neighbourhoods.len());
        let mut shapes = Vec::with_capacity(neighbourhoods.len());
        let mut entries = Vec::with_capacity(neighbourhoods.len());
        for (index, (key, shape)) in neighbourhoods.into_iter().enumerate() {
            if let Some(rect) = geo::BoundingRect::bounding_rect(&shape) {
                entries.push(Entry {
                    envelope: AABB::from_corners(
                        [rect.min().x, rect.min().y],
                        [rect.max().x, rect.max().y],
                    ),
                    index,
                });
            }
            keys.push(key);
            shapes.push(shape);
        }
        NeighbourhoodIndex {
            keys,
            shapes,
            tree: RTree::bulk_load(entries),
        }
    }

    /// The neighbourhood `(lon, lat)` lies in. A point on a boundary belongs to the
    /// neighbourhood (the first one in load order when it is on a shared edge); a point in a
    /// hole does not.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<K> {
        let point = Point::new(lon, lat);
        let mut candidates: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_point([lon, lat]))
            .map(|e| e.index)
            .collect();
        candidates.sort_unstable();
        // Strictly inside first, then on a boundary.
        candidates
            .iter()
            .find(|&&i| self.shapes[i].contains(&point))
            .or_else(|| {
                candidates
                    .iter()
                    .find(|&&i| self.shapes[i].intersects(&point))
            })
            .map(|&i| self.keys[i].clone())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn square(x0: f64, y0: f64, size: f64) -> Value {
        json!({"type": "Polygon", "coordinates": [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]]})
    }

    fn field_and_detail(result: Result<MultiPolygon<f64>, DomainError>) -> String {
        match result {
            Err(DomainError::Invalid { field, message }) => format!("{field}: {}", message.key),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn geometry_is_checked() {
        assert!(parse_boundary(&square(135.9, 34.6, 0.1)).is_ok());
        let unclosed = json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]]});
        assert!(field_and_detail(parse_boundary(&unclosed)).contains("invalid-ring-open"));
        let short =
            json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]]]});
        assert!(field_and_detail(parse_boundary(&short)).contains("invalid-ring-short"));
        let far = json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [181.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]});
        assert!(field_and_detail(parse_boundary(&far)).contains("invalid-position-range"));
        let bowtie = json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]]});
        assert!(field_and_detail(parse_boundary(&bowtie)).contains("invalid-geometry"));
        let point = json!({"type": "Point", "coordinates": [0.0, 0.0]});
        assert!(field_and_detail(parse_boundary(&point)).contains("invalid-geojson"));
    }

    #[test]
    fn overlap_but_not_touching_is_refused() {
        let a = parse_boundary(&square(0.0, 0.0, 1.0)).unwrap();
        let touching = parse_boundary(&square(1.0, 0.0, 1.0)).unwrap();
        let overlapping = parse_boundary(&square(0.5, 0.5, 1.0)).unwrap();
        let inside = parse_boundary(&square(0.25, 0.25, 0.5)).unwrap();
        let apart = parse_boundary(&square(3.0, 3.0, 1.0)).unwrap();
        assert!(!overlaps(&a, &touching));
        assert!(overlaps(&a, &overlapping));
        assert!(overlaps(&a, &inside));
        assert!(!overlaps(&a, &apart));
    }

    #[test]
    fn points_on_edges_in_holes_and_outside() {
        let with_hole = json!({"type": "MultiPolygon", "coordinates": [
            [[[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [0.0, 0.0]], [[1.0, 1.0], [3.0, 1.0], [3.0, 3.0], [1.0, 3.0], [1.0, 1.0]]],
            [[[10.0, 10.0], [11.0, 10.0], [11.0, 11.0], [10.0, 11.0], [10.0, 10.0]]]
        ]});
        let index = NeighbourhoodIndex::new(vec![
            ("ring", parse_boundary(&with_hole).unwrap()),
            ("island", parse_boundary(&square(2.0, 2.0, 0.5)).unwrap()),
        ]);
        assert_eq!(index.locate(0.5, 0.5), Some("ring"));
        assert_eq!(
            index.locate(10.5, 10.5),
            Some("ring"),
            "second polygon of the MultiPolygon"
        );
        assert_eq!(index.locate(0.0, 2.0), Some("ring"), "on the outer edge");
        assert_eq!(index.locate(1.5, 1.5), None, "in the hole");
        assert_eq!(
            index.locate(2.25, 2.25),
            Some("island"),
            "an island in the hole"
        );
        assert_eq!(index.locate(1.0, 2.0), Some("ring"), "on the hole's edge");
        assert_eq!(index.locate(5.0, 5.0), None);
    }
}

/// Boundaries a stranger sends: any JSON never panics the check, and a boundary it accepts
/// is accepted again as written back, with the same polygons.
#[cfg(test)]
mod properties {
    use geo::CoordsIter;
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn position() -> impl Strategy<Value = Value> {
        prop_oneof![
            4 => (135.0f64..136.0, 34.0f64..35.0).prop_map(|(x, y)| json!([x, y])),
            1 => (any::<f64>(), any::<f64>()).prop_map(|(x, y)| json!([x, y])),
            1 => Just(json!([1.0])),
            1 => Just(json!("135,34")),
            1 => Just(Value::Null),
        ]
    }

    /// A ring: random positions, closed more often than not.
    fn ring() -> impl Strategy<Value = Value> {
        (prop::collection::vec(position(), 0..7), any::<bool>()).prop_map(|(mut points, close)| {
            if close && let Some(first) = points.first().cloned() {
                points.push(first);
            }
            Value::Array(points)
        })
    }

    fn boundary() -> impl Strategy<Value = Value> {
        let polygon = || prop::collection::vec(ring(), 0..3).prop_map(Value::Array);
        prop_oneof![
            polygon().prop_map(|p| json!({"type": "Polygon", "coordinates": p})),
            prop::collection::vec(polygon(), 0..3)
                .prop_map(|ps| json!({"type": "MultiPolygon", "coordinates": ps})),
            Just(json!({"type": "Point", "coordinates": [135.5, 34.5]})),
            Just(json!({"type": "Polygon"})),
            Just(json!([])),
        ]
    }

    /// The GeoJSON of an accepted boundary, as the API would store and show it.
    fn written(boundary: &MultiPolygon<f64>) -> Value {
        let polygons: Vec<Value> = boundary
            .iter()
            .map(|p| {
                let rings: Vec<Value> = std::iter::once(p.exterior())
                    .chain(p.interiors())
                    .map(|r| Value::Array(r.coords().map(|c| json!([c.x, c.y])).collect()))
                    .collect();
                Value::Array(rings)
            })
            .collect();
        json!({"type": "MultiPolygon", "coordinates": polygons})
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_boundary_is_checked_and_an_accepted_one_round_trips(value in boundary()) {
            if let Ok(parsed) = parse_boundary(&value) {
                prop_assert!(parsed.coords_iter().all(|c| (-180.0..=180.0).contains(&c.x) && (-90.0..=90.0).contains(&c.y)));
                let again = parse_boundary(&written(&parsed));
                prop_assert_eq!(again.ok(), Some(parsed));
            }
        }
    }
}
