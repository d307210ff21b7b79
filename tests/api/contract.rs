//! The OpenAPI document, the migration trees and the compose file agree with the code.

use std::collections::BTreeSet;
use std::path::Path;

use serde_yaml_ng::Value;
use yui::http::access::Access;
use yui::http::routes;

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    serde_yaml_ng::from_str(&text).unwrap()
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

#[test]
fn the_spec_and_the_routes_name_the_same_operations() {
    let spec = yaml("api-spec/openapi.yaml");
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut in_spec = BTreeSet::new();
    for (path, item) in spec["paths"].as_mapping().unwrap() {
        for method in METHODS {
            if item.get(method).is_some() {
                in_spec.insert(format!(
                    "{} {}",
                    method.to_uppercase(),
                    path.as_str().unwrap()
                ));
            }
        }
    }
    let in_code: BTreeSet<String> = routes()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let missing: Vec<_> = in_code.difference(&in_spec).collect();
    let stale: Vec<_> = in_spec.difference(&in_code).collect();
    assert!(
        missing.is_empty(),
        "routes missing from api-spec/openapi.yaml: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "api-spec/openapi.yaml names routes that do not exist: {stale:?}"
    );
}

#[test]
fn the_spec_documents_bodies_errors_and_access_of_every_operation() {
    let spec = yaml("api-spec/openapi.yaml");
    for route in routes() {
        let operation = &spec["paths"][route.path][route.method.as_str().to_lowercase().as_str()];
        let name = format!("{} {}", route.method, route.path);
        let responses = operation["responses"]
            .as_mapping()
            .unwrap_or_else(|| panic!("{name}: no responses"));
        let codes: Vec<String> = responses
            .keys()
            .map(|k| {
                k.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| k.as_u64().unwrap().to_string())
            })
            .collect();
        assert!(
            codes.iter().any(|c| c.starts_with('2')),
            "{name}: no success response"
        );
        assert!(
            codes
                .iter()
                .any(|c| c.starts_with('4') || c.starts_with('5')),
            "{name}: no error response"
        );
        // Every status the edge can answer for this operation is documented on it.
        let mut needed: Vec<&str> = Vec::new();
        if operation.get("requestBody").is_some() {
            needed.extend(["400", "408", "413", "415", "422"]);
        }
        let takes_query = operation
            .get("parameters")
            .and_then(Value::as_sequence)
            .is_some_and(|ps| ps.iter().any(|p| p["in"].as_str() == Some("query")));
        if takes_query {
            needed.extend(["400", "422"]);
        }
        if route.access != Access::Public {
            needed.push("401");
        }
        if matches!(route.access, Access::Roles(_)) {
            needed.push("403");
        }
        if route.path.contains('{') {
            needed.push("404");
        }
        if route.path != "/healthz" {
            needed.push("503");
        }
        for code in needed {
            assert!(
                codes.iter().any(|c| c == code),
                "{name}: status {code} is not documented"
            );
        }
        // A create links to its read (and more), so that a stateful client or fuzzer can walk
        // create -> read -> edit; every link names an operation that exists.
        let created = responses
            .iter()
            .find(|(k, _)| k.as_str() == Some("201") || k.as_u64() == Some(201));
        if let Some((_, created)) = created
            && route.path != "/api/v1/auth/register"
        {
            let links = created["links"]
                .as_mapping()
                .unwrap_or_else(|| panic!("{name}: a create without links"));
            for link in links.values() {
                let target = link["operationId"].as_str().unwrap();
                assert!(
                    operation_ids(&spec).contains(&target.to_owned()),
                    "{name}: links to {target}, which is no operation"
                );
            }
        }
        if route.method == actix_web::http::Method::POST && !route.path.contains("{id}") {
            assert!(
                operation.get("requestBody").is_some(),
                "{name}: no request body"
            );
        }
        // Public routes say `security: []`; the others inherit the bearer requirement.
        let public_in_spec = operation
            .get("security")
            .and_then(Value::as_sequence)
            .is_some_and(|s| s.is_empty());
        assert_eq!(
            public_in_spec,
            route.access == Access::Public,
            "{name}: security differs from the route table"
        );
        if let Access::Roles(roles) = route.access {
            let listed: Vec<&str> = operation["x-roles"]
                .as_sequence()
                .unwrap_or_else(|| panic!("{name}: no x-roles"))
                .iter()
                .map(|r| r.as_str().unwrap())
                .collect();
            let declared: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            assert_eq!(
                listed, declared,
                "{name}: x-roles differs from the route table"
            );
        }
    }
}

fn operation_ids(spec: &Value) -> Vec<String> {
    spec["paths"]
        .as_mapping()
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_mapping)
        .flat_map(|item| item.values())
        .filter_map(|op| op.get("operationId").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

fn migration_names(tree: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(tree);
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| {
            for file in ["up.sql", "down.sql"] {
                assert!(
                    e.path().join(file).is_file(),
                    "{tree}/{:?} lacks {file}",
                    e.file_name()
                );
            }
            e.file_name().to_string_lossy().into_owned()
        })
        .collect()
}

#[test]
fn both_migration_trees_hold_the_same_migrations() {
    let sqlite = migration_names("sqlite");
    let postgres = migration_names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}

#[test]
fn migrations_use_only_types_both_backends_share() {
    const SHARED: [&str; 6] = [
        "TEXT",
        "BIGINT",
        "INTEGER",
        "DOUBLE PRECISION",
        "BOOLEAN",
        "TIMESTAMP",
    ];
    for tree in ["sqlite", "postgres"] {
        for name in migration_names(tree) {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(tree)
                .join(&name)
                .join("up.sql");
            let sql = std::fs::read_to_string(path).unwrap();
            let mut in_table = false;
            for line in sql.lines().map(str::trim) {
                if line.starts_with("CREATE TABLE") {
                    in_table = true;
                    continue;
                }
                if line.starts_with(')') {
                    in_table = false;
                }
                if !in_table
                    || line.is_empty()
                    || line.starts_with("--")
                    || line.starts_with("PRIMARY KEY")
                    || line.starts_with("UNIQUE")
                    || line.starts_with("FOREIGN KEY")
                {
                    continue;
                }
                let after_name = line
                    .split_once(' ')
                    .map(|(_, rest)| rest)
                    .unwrap_or_default();
                assert!(
                    SHARED.iter().any(|t| after_name.starts_with(t)),
                    "{tree}/{name}: `{line}` uses a type outside {SHARED:?}"
                );
            }
        }
    }
}

#[test]
fn compose_runs_postgres_16_and_the_app_after_it_is_healthy() {
    let compose = yaml("docker-compose.yml");
    let services = compose["services"].as_mapping().unwrap();
    let names: BTreeSet<&str> = services.keys().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(names, BTreeSet::from(["app", "db"]));
    let db = &compose["services"]["db"];
    assert!(db["image"].as_str().unwrap().starts_with("postgres:16"));
    assert!(db["healthcheck"]["test"].is_sequence() || db["healthcheck"]["test"].is_string());
    assert!(
        db["volumes"]
            .as_sequence()
            .unwrap()
            .iter()
            .any(|v| v.as_str().unwrap().contains(':'))
    );
    assert!(
        compose["volumes"]
            .as_mapping()
            .is_some_and(|v| !v.is_empty()),
        "a named volume"
    );
    let app = &compose["services"]["app"];
    assert_eq!(
        app["depends_on"]["db"]["condition"],
        Value::from("service_healthy")
    );
    assert!(
        app["environment"]["DATABASE_URL"]
            .as_str()
            .unwrap()
            .starts_with("postgres://")
    );
    assert!(
        app["environment"]["DATABASE_URL"]
            .as_str()
            .unwrap()
            .contains("@db:5432/")
    );
    let dockerfile =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("--features postgres"));
}
