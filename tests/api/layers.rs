//! The layers of DESIGN.md, checked on the source: `domain/` and `planning/` import nothing
//! above them and no actix, diesel or reqwest, and no two modules import each other, directly
//! or around a cycle. Every `use` and every `crate::`/`super::` path in `src/` is read with
//! `syn`, resolved to the file module it names, and the module graph is searched for cycles.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// Crates only the outer layers may use.
const OUTER_CRATES: &[&str] = &[
    "actix_web",
    "actix_http",
    "diesel",
    "diesel_migrations",
    "reqwest",
    "r2d2",
];

/// Macros exported at the crate root but defined in `domain/`.
const ROOT_MACROS: &[&str] = &["text_enum"];

type Module = Vec<String>;

struct Source {
    module: Module,
    file: PathBuf,
}

fn sources(root: &Path) -> Vec<Source> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                // Binaries are crates of their own and use `yui::`.
                if path.file_name().is_some_and(|n| n != "bin") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(root).unwrap();
            let mut module: Module = relative
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let last = module.last().cloned().unwrap_or_default();
            if relative == Path::new("main.rs") {
                continue;
            }
            if last == "mod" || last == "lib" {
                module.pop();
            }
            found.push(Source { module, file: path });
        }
    }
    found
}

/// Every path a file names: `use` trees expanded, and paths in code.
#[derive(Default)]
struct Paths {
    paths: Vec<Vec<String>>,
}

impl Paths {
    fn tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut path = prefix.clone();
                if n.ident != "self" {
                    path.push(n.ident.to_string());
                }
                self.paths.push(path);
            }
            syn::UseTree::Rename(r) => {
                let mut path = prefix.clone();
                path.push(r.ident.to_string());
                self.paths.push(path);
            }
            syn::UseTree::Glob(_) => self.paths.push(prefix.clone()),
            syn::UseTree::Group(g) => {
                for item in &g.items {
                    self.tree(prefix, item);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let mut prefix = Vec::new();
        self.tree(&mut prefix, &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.paths
            .push(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        // Test modules may reach anywhere.
        let is_test = item.attrs.iter().any(|a| {
            a.path().is_ident("cfg") && a.parse_args::<syn::Ident>().is_ok_and(|i| i == "test")
        });
        if !is_test {
            syn::visit::visit_item_mod(self, item);
        }
    }
}

/// The absolute path `path` names from `source`, or the external crate it starts with.
enum Target {
    Internal(Vec<String>),
    External(String),
    Local,
}

fn resolve(source: &Source, path: &[String]) -> Target {
    let Some(first) = path.first() else {
        return Target::Local;
    };
    // `self` is the file's module (a::b for a/b.rs and for a/b/mod.rs), `super` its parent.
    let mut here = source.module.clone();
    match first.as_str() {
        "crate" => Target::Internal(path[1..].to_vec()),
        "super" | "self" => {
            let mut rest = path;
            while let Some(step) = rest.first() {
                match step.as_str() {
                    "super" => {
                        here.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
            let mut absolute = here;
            absolute.extend(rest.iter().cloned());
            Target::Internal(absolute)
        }
        name if OUTER_CRATES.contains(&name) => Target::External(name.to_owned()),
        _ => Target::Local,
    }
}

/// The longest prefix of `path` that is a module of ours.
fn module_of(modules: &BTreeSet<Module>, path: &[String]) -> Module {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|prefix| modules.contains(prefix))
        .unwrap_or_default()
}

struct Graph {
    edges: BTreeMap<Module, BTreeSet<Module>>,
    external: BTreeMap<Module, BTreeSet<String>>,
    files: BTreeMap<Module, PathBuf>,
}

fn graph() -> Graph {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let sources = sources(&root);
    let modules: BTreeSet<Module> = sources.iter().map(|s| s.module.clone()).collect();
    let mut graph = Graph {
        edges: BTreeMap::new(),
        external: BTreeMap::new(),
        files: BTreeMap::new(),
    };
    for source in &sources {
        let text = std::fs::read_to_string(&source.file).unwrap();
        let file =
            syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", source.file.display()));
        let mut paths = Paths::default();
        paths.visit_file(&file);
        graph
            .files
            .insert(source.module.clone(), source.file.clone());
        for path in &paths.paths {
            match resolve(source, path) {
                Target::Internal(absolute) => {
                    if absolute.len() == 1 && ROOT_MACROS.contains(&absolute[0].as_str()) {
                        continue;
                    }
                    let target = module_of(&modules, &absolute);
                    // A file naming its own items or its parent's (`super::X` in `a/b.rs`
                    // is a's item) is within the module.
                    if target == source.module {
                        continue;
                    }
                    graph
                        .edges
                        .entry(source.module.clone())
                        .or_default()
                        .insert(target);
                }
                Target::External(name) => {
                    graph
                        .external
                        .entry(source.module.clone())
                        .or_default()
                        .insert(name);
                }
                Target::Local => {}
            }
        }
    }
    graph
}

fn name(module: &Module) -> String {
    if module.is_empty() {
        "crate".into()
    } else {
        module.join("::")
    }
}

fn within(module: &Module, layer: &str) -> bool {
    module.first().is_some_and(|m| m == layer)
}

#[test]
fn the_pure_layers_import_nothing_above_them() {
    let graph = graph();
    let mut broken = Vec::new();
    for (from, targets) in &graph.edges {
        let allowed: &[&str] = if within(from, "domain") {
            &["domain"]
        } else if within(from, "planning") {
            &["domain", "planning"]
        } else {
            continue;
        };
        for target in targets {
            if !allowed.iter().any(|layer| within(target, layer)) {
                broken.push(format!("{} uses {}", name(from), name(target)));
            }
        }
    }
    for (from, crates) in &graph.external {
        if within(from, "domain") || within(from, "planning") {
            for krate in crates {
                broken.push(format!("{} uses the crate {krate}", name(from)));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "layer violations:\n{}",
        broken.join("\n")
    );
    // The check sees what it must: the domain is a module with files, and the planner uses it.
    assert!(graph.files.keys().any(|m| within(m, "domain")));
    assert!(
        graph
            .edges
            .iter()
            .any(|(f, t)| within(f, "planning") && t.iter().any(|t| within(t, "domain")))
    );
}

#[test]
fn only_the_outer_layers_know_the_web_and_the_database() {
    let graph = graph();
    // The web framework is the HTTP layer's (and the start-up's), diesel the database layer's.
    let mut broken = Vec::new();
    for (from, crates) in &graph.external {
        for krate in crates {
            let allowed = match krate.as_str() {
                "diesel" | "diesel_migrations" | "r2d2" => within(from, "db"),
                "reqwest" => within(from, "clients"),
                _ => true,
            };
            if !allowed {
                broken.push(format!("{} uses the crate {krate}", name(from)));
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn no_two_modules_import_each_other() {
    let graph = graph();
    // Tarjan's strongly connected components over the file modules.
    struct Search<'g> {
        edges: &'g BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<Module, usize>,
        low: BTreeMap<Module, usize>,
        stack: Vec<Module>,
        on_stack: BTreeSet<Module>,
        next: usize,
        cycles: Vec<Vec<Module>>,
    }
    impl Search<'_> {
        fn visit(&mut self, node: &Module) {
            self.index.insert(node.clone(), self.next);
            self.low.insert(node.clone(), self.next);
            self.next += 1;
            self.stack.push(node.clone());
            self.on_stack.insert(node.clone());
            let targets: Vec<Module> = self
                .edges
                .get(node)
                .map(|t| t.iter().cloned().collect())
                .unwrap_or_default();
            for target in targets {
                if !self.index.contains_key(&target) {
                    self.visit(&target);
                    let low = self.low[&target].min(self.low[node]);
                    self.low.insert(node.clone(), low);
                } else if self.on_stack.contains(&target) {
                    let low = self.index[&target].min(self.low[node]);
                    self.low.insert(node.clone(), low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(&top);
                    let done = &top == node;
                    component.push(top);
                    if done {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.cycles.push(component);
                }
            }
        }
    }
    let mut search = Search {
        edges: &graph.edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        cycles: Vec::new(),
    };
    let nodes: Vec<Module> = graph.files.keys().cloned().collect();
    for node in &nodes {
        if !search.index.contains_key(node) {
            search.visit(node);
        }
    }
    let cycles: Vec<String> = search
        .cycles
        .iter()
        .map(|c| c.iter().map(name).collect::<Vec<_>>().join(" <-> "))
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
    assert!(graph.edges.len() > 20, "the walk found too few modules");
}
