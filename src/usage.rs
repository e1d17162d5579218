//! Who uses which connection: the usage graph of one integration, job spec → flow → action →
//! connection (→ OAuth client), built from every bundle and job spec, and the problems it
//! shows. Pure: no I/O, no clock (like `audit`).
//!
//! The problems ([`ProblemKind`]): an action naming a connection the integration does not have;
//! a path (Zendesk) action without `connectionName` (it fails with 401); a literal credential
//! in an action's headers, URL, query or body, named by where it is, never by its value; a
//! flow naming an action no bundle defines; a job spec whose flow no bundle defines (stale:
//! left behind by an older bundle, it may still fire); a job spec not installed; a resource
//! of the wrong shape; a bundle that could not be read.
//!
//! The reserved `zendesk` connection counts as used by every path action.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::zis::{
    local_name, ActionTarget, BundleSet, ConnectionKind, ConnectionRef, JobSpec, RefKind,
    ResourceBody,
};

/// The integration's OAuth connection to Zendesk, which path actions use.
pub const ZENDESK: &str = "zendesk";

/// A connection of the integration, as far as the graph needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownConnection<'a> {
    pub name: &'a str,
    pub kind: ConnectionKind,
    /// The OAuth client an OAuth connection was made with, when known.
    pub oauth_client: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    /// An action names a connection the integration does not have.
    UnknownConnection,
    /// A path (Zendesk) action has no `connectionName`.
    PathWithoutConnection,
    /// A literal credential in an action's headers, URL, query or body.
    LiteralCredential,
    /// A flow names an action no bundle defines.
    UnknownAction,
    /// A job spec whose flow no bundle defines.
    StaleJobSpec,
    /// A job spec that is not installed.
    NotInstalled,
    /// A resource (or bundle) of the wrong shape: no definition, no flow_name, …
    Malformed,
    /// A bundle whose detail could not be read.
    Unreadable,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 8] = [
        ProblemKind::UnknownConnection,
        ProblemKind::PathWithoutConnection,
        ProblemKind::LiteralCredential,
        ProblemKind::UnknownAction,
        ProblemKind::StaleJobSpec,
        ProblemKind::NotInstalled,
        ProblemKind::Malformed,
        ProblemKind::Unreadable,
    ];

    /// The words tables and the TUI show.
    pub fn label(self) -> &'static str {
        match self {
            ProblemKind::UnknownConnection => "unknown connection",
            ProblemKind::PathWithoutConnection => "no connectionName",
            ProblemKind::LiteralCredential => "literal credential",
            ProblemKind::UnknownAction => "unknown action",
            ProblemKind::StaleJobSpec => "stale job spec",
            ProblemKind::NotInstalled => "not installed",
            ProblemKind::Malformed => "malformed",
            ProblemKind::Unreadable => "bundle not read",
        }
    }

    /// The stable name JSON and CSV carry.
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::UnknownConnection => "unknown_connection",
            ProblemKind::PathWithoutConnection => "path_without_connection",
            ProblemKind::LiteralCredential => "literal_credential",
            ProblemKind::UnknownAction => "unknown_action",
            ProblemKind::StaleJobSpec => "stale_job_spec",
            ProblemKind::NotInstalled => "job_spec_not_installed",
            ProblemKind::Malformed => "malformed_resource",
            ProblemKind::Unreadable => "unreadable_bundle",
        }
    }
}

/// What the bundle and resource columns say when there is no bundle or no resource.
pub const NONE: &str = "—";

/// One problem: where (bundle, resource) and what. The detail names fields, never values.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub bundle: String,
    pub resource: String,
    pub kind: ProblemKind,
    pub detail: String,
}

/// A job spec that starts a flow, and whether it is installed (None: not known).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Trigger {
    pub name: String,
    pub installed: Option<bool>,
}

/// One use of a connection: bundle › flow › action, and the job specs that start the flow.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Use {
    pub bundle: String,
    /// None: no flow calls the action (it still names the connection).
    pub flow: Option<String>,
    pub action: String,
    pub job_specs: Vec<Trigger>,
    /// The `zendesk` connection, used by a path action that names no connection or another.
    pub implicit: bool,
}

impl Use {
    /// Some job spec that starts the flow is installed: the use is live.
    pub fn live(&self) -> bool {
        self.job_specs.iter().any(|t| t.installed == Some(true))
    }
}

/// One resource of a bundle, as the bundles views show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceUsage {
    pub name: String,
    pub node: Node,
    /// The problems found on it.
    pub problems: Vec<(ProblemKind, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Action {
        /// The connection it names (None: none, or chosen at run time).
        connection: Option<String>,
        /// `connectionName.$`.
        dynamic: bool,
        method: String,
        /// The URL (without user info or query) or the Zendesk path.
        target: String,
        zendesk_path: bool,
        /// The flows that call it.
        flows: Vec<String>,
    },
    Flow {
        /// The actions its states name, as written (built-ins included).
        actions: Vec<String>,
        job_specs: Vec<Trigger>,
    },
    JobSpec {
        flow: String,
        event: String,
        installed: Option<bool>,
    },
    Other {
        type_name: String,
    },
}

impl Node {
    pub fn label(&self) -> &str {
        match self {
            Node::Action { .. } => "action",
            Node::Flow { .. } => "flow",
            Node::JobSpec { .. } => "job spec",
            Node::Other { type_name } => type_name,
        }
    }
}

/// One bundle and its resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleUsage {
    pub name: String,
    pub uuid: String,
    pub description: String,
    pub resources: Vec<ResourceUsage>,
    /// Why the bundle could not be read (its resources are then unknown).
    pub unreadable: Option<String>,
    /// Problems of the bundle as a whole (not read, no resources, truncated).
    pub problems: Vec<(ProblemKind, String)>,
}

/// A job spec of the registry that no bundle defines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrphanJobSpec {
    pub name: String,
    pub flow: String,
    pub installed: Option<bool>,
}

/// The usage graph of one integration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    pub integration: String,
    /// By name.
    pub bundles: Vec<BundleUsage>,
    pub orphan_job_specs: Vec<OrphanJobSpec>,
    /// Connection name → its uses, sorted.
    pub uses: BTreeMap<String, Vec<Use>>,
    /// OAuth connection → the OAuth client it was made with.
    pub oauth_clients: BTreeMap<String, String>,
    /// Sorted by bundle, resource, kind.
    pub problems: Vec<Problem>,
    /// Every bundle was read in full: "used by no bundle" can be said.
    pub complete: bool,
}

impl Usage {
    /// What uses `connection` (empty when nothing does, or when not known).
    pub fn used_by(&self, connection: &str) -> &[Use] {
        self.uses.get(connection).map_or(&[], Vec::as_slice)
    }

    /// `Some(true)` when no action names `connection`, `None` when the bundles were not all read.
    pub fn is_unused(&self, connection: &str) -> Option<bool> {
        self.complete.then(|| self.used_by(connection).is_empty())
    }

    pub fn bundle(&self, name: &str) -> Option<&BundleUsage> {
        self.bundles
            .iter()
            .find(|b| b.name == name)
            .or_else(|| self.bundles.iter().find(|b| b.uuid == name))
    }
}

/// The short name of a job spec (`zis:{integration}:job_spec:{name}` → `name`).
fn job_spec_name<'a>(name: &'a str, integration: &str) -> &'a str {
    local_name(name, RefKind::JobSpec, integration).unwrap_or(name)
}

/// Build the usage graph of `integration` from its bundles and job specs. With `connections`
/// (None: not known), an action naming a connection not among them is a problem.
pub fn build(
    integration: &str,
    set: &BundleSet,
    connections: Option<&[KnownConnection<'_>]>,
) -> Usage {
    let mut bundles: Vec<&crate::zis::Bundle> = set.bundles.iter().collect();
    bundles.sort_by(|a, b| a.name.cmp(&b.name).then(a.uuid.cmp(&b.uuid)));

    // Where each action and flow is defined: name → (bundle, resource).
    let mut actions: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    let mut flows: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    let mut bundle_job_specs: HashMap<&str, Vec<(usize, &str)>> = HashMap::new();
    for (bi, b) in bundles.iter().enumerate() {
        for (ri, r) in b.resources.iter().enumerate() {
            match &r.body {
                ResourceBody::Action(_) => actions.entry(&r.name).or_default().push((bi, ri)),
                ResourceBody::Flow(_) => flows.entry(&r.name).or_default().push((bi, ri)),
                ResourceBody::JobSpec(j) => bundle_job_specs
                    .entry(job_spec_name(&r.name, integration))
                    .or_default()
                    .push((bi, j.flow_name.as_str())),
                ResourceBody::Other { .. } => {}
            }
        }
    }
    let registry: HashMap<&str, &JobSpec> = set
        .job_specs
        .iter()
        .map(|j| (job_spec_name(&j.name, integration), j))
        .collect();
    fn flow_of<'a>(flow_name: &'a str, integration: &str) -> Option<&'a str> {
        local_name(flow_name, RefKind::Flow, integration)
    }

    // Flow name → the job specs that start it (the registry's, then bundles' not in it).
    let mut triggers: HashMap<&str, BTreeSet<Trigger>> = HashMap::new();
    for (name, j) in &registry {
        if let Some(f) = flow_of(&j.flow_name, integration) {
            triggers.entry(f).or_default().insert(Trigger {
                name: name.to_string(),
                installed: j.installed,
            });
        }
    }
    for (name, defs) in &bundle_job_specs {
        if registry.contains_key(name) {
            continue;
        }
        for (_, flow_name) in defs {
            if let Some(f) = flow_of(flow_name, integration) {
                triggers.entry(f).or_default().insert(Trigger {
                    name: name.to_string(),
                    installed: None,
                });
            }
        }
    }
    let triggers_of = |flow: &str| -> Vec<Trigger> {
        triggers
            .get(flow)
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default()
    };

    let known: Option<BTreeSet<&str>> = connections.map(|c| c.iter().map(|c| c.name).collect());
    let mut out = Usage {
        integration: integration.to_string(),
        complete: set.unreadable.is_empty(),
        ..Usage::default()
    };
    for c in connections.into_iter().flatten() {
        if let (ConnectionKind::OAuth, Some(client)) = (c.kind, c.oauth_client) {
            out.oauth_clients
                .insert(c.name.to_string(), client.to_string());
        }
    }

    // Flow → action edges (per resolved action), and the flows' own problems.
    let mut callers: HashMap<(usize, usize), BTreeSet<(usize, String)>> = HashMap::new();
    let mut res_problems: HashMap<(usize, usize), Vec<(ProblemKind, String)>> = HashMap::new();
    for (bi, b) in bundles.iter().enumerate() {
        for (ri, r) in b.resources.iter().enumerate() {
            let ResourceBody::Flow(f) = &r.body else {
                continue;
            };
            let mut missing = BTreeSet::new();
            for a in &f.actions {
                let Some(name) = local_name(&a.action_name, RefKind::Action, integration) else {
                    continue;
                };
                match actions.get(name) {
                    Some(defs) => {
                        // The flow's own bundle first (ZIS runs the action of its bundle).
                        let same: Vec<&(usize, usize)> =
                            defs.iter().filter(|(db, _)| *db == bi).collect();
                        let chosen: Vec<&(usize, usize)> = if same.is_empty() {
                            defs.iter().collect()
                        } else {
                            same
                        };
                        for d in chosen {
                            callers.entry(*d).or_default().insert((bi, r.name.clone()));
                        }
                    }
                    None => {
                        if missing.insert(name) {
                            res_problems.entry((bi, ri)).or_default().push((
                                ProblemKind::UnknownAction,
                                format!(
                                    "state {} names action {name}, which no bundle defines",
                                    a.state
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }

    for (bi, b) in bundles.iter().enumerate() {
        let mut resources = Vec::with_capacity(b.resources.len());
        for (ri, r) in b.resources.iter().enumerate() {
            let mut problems = res_problems.remove(&(bi, ri)).unwrap_or_default();
            if let Some(m) = r.body.malformed() {
                problems.push((ProblemKind::Malformed, m.to_string()));
            }
            let node = match &r.body {
                ResourceBody::Action(a) => {
                    let flows_calling: Vec<(usize, String)> = callers
                        .get(&(bi, ri))
                        .map(|s| s.iter().cloned().collect())
                        .unwrap_or_default();
                    let record = |conn: &str, implicit: bool, out: &mut Usage| {
                        let list = out.uses.entry(conn.to_string()).or_default();
                        if flows_calling.is_empty() {
                            list.push(Use {
                                bundle: b.name.clone(),
                                flow: None,
                                action: r.name.clone(),
                                job_specs: Vec::new(),
                                implicit,
                            });
                        }
                        for (fb, flow) in &flows_calling {
                            list.push(Use {
                                bundle: bundles[*fb].name.clone(),
                                flow: Some(flow.clone()),
                                action: r.name.clone(),
                                job_specs: triggers_of(flow),
                                implicit,
                            });
                        }
                    };
                    if let ConnectionRef::Named(c) = &a.connection {
                        record(c, false, &mut out);
                        if known.as_ref().is_some_and(|k| !k.contains(c.as_str())) {
                            problems.push((
                                ProblemKind::UnknownConnection,
                                format!("names connection {c}, which {integration} does not have"),
                            ));
                        }
                    }
                    if a.is_zendesk_path() {
                        if a.connection.name() != Some(ZENDESK) {
                            record(ZENDESK, true, &mut out);
                        }
                        if a.connection == ConnectionRef::Missing {
                            problems.push((
                                ProblemKind::PathWithoutConnection,
                                "calls the Zendesk API (path) without connectionName: it fails \
                                 with 401 \"Couldn't authenticate you\""
                                    .to_string(),
                            ));
                        }
                    }
                    for spot in &a.credentials {
                        problems.push((
                            ProblemKind::LiteralCredential,
                            format!("{}: {}", spot.field, spot.what),
                        ));
                    }
                    Node::Action {
                        connection: a.connection.name().map(str::to_string),
                        dynamic: a.connection == ConnectionRef::Dynamic,
                        method: a.method.clone(),
                        target: match &a.target {
                            ActionTarget::Url(u) | ActionTarget::Path(u) => u.clone(),
                            ActionTarget::None => String::new(),
                        },
                        zendesk_path: a.is_zendesk_path(),
                        flows: flows_calling.into_iter().map(|(_, f)| f).collect(),
                    }
                }
                ResourceBody::Flow(f) => {
                    let mut names: Vec<String> =
                        f.actions.iter().map(|a| a.action_name.clone()).collect();
                    names.dedup();
                    Node::Flow {
                        actions: names,
                        job_specs: triggers_of(&r.name),
                    }
                }
                ResourceBody::JobSpec(j) => {
                    let short = job_spec_name(&r.name, integration);
                    let in_registry = registry.get(short);
                    // Job specs of the registry are checked below; this one only if the
                    // registry does not list it.
                    if in_registry.is_none() && j.malformed.is_none() {
                        let defined = flow_of(&j.flow_name, integration)
                            .is_some_and(|f| flows.contains_key(f));
                        if !defined {
                            problems.push((
                                ProblemKind::StaleJobSpec,
                                format!("its flow {} is defined by no bundle", j.flow_name),
                            ));
                        }
                    }
                    Node::JobSpec {
                        flow: j.flow_name.clone(),
                        event: event_text(&j.event_source, &j.event_type),
                        installed: in_registry.and_then(|j| j.installed),
                    }
                }
                ResourceBody::Other { type_name } => Node::Other {
                    type_name: type_name.clone(),
                },
            };
            resources.push(ResourceUsage {
                name: r.name.clone(),
                node,
                problems,
            });
        }
        // Flows, then actions, then job specs, then the rest; by name within each.
        resources.sort_by(|x, y| {
            node_rank(&x.node)
                .cmp(&node_rank(&y.node))
                .then(x.name.cmp(&y.name))
        });
        let mut problems = Vec::new();
        if let Some(m) = &b.malformed {
            problems.push((ProblemKind::Malformed, m.clone()));
            out.complete = false;
        }
        if b.truncated > 0 {
            problems.push((
                ProblemKind::Malformed,
                format!(
                    "{} resources past the cap of {} were not read",
                    b.truncated,
                    crate::zis::bundle_parse::MAX_RESOURCES
                ),
            ));
            out.complete = false;
        }
        out.bundles.push(BundleUsage {
            name: b.name.clone(),
            uuid: b.uuid.clone(),
            description: b.description.clone(),
            resources,
            unreadable: None,
            problems,
        });
    }
    for (summary, why) in &set.unreadable {
        out.bundles.push(BundleUsage {
            name: summary.name.clone(),
            uuid: summary.uuid.clone(),
            description: summary.description.clone(),
            resources: Vec::new(),
            unreadable: Some(why.clone()),
            problems: vec![(ProblemKind::Unreadable, why.clone())],
        });
    }
    out.bundles
        .sort_by(|a, b| a.name.cmp(&b.name).then(a.uuid.cmp(&b.uuid)));

    // The registry's job specs: stale (no bundle defines the flow) or not installed.
    let mut registry_problems = Vec::new();
    let mut names: Vec<&&str> = registry.keys().collect();
    names.sort();
    for name in names {
        let j = registry[*name];
        let defined = flow_of(&j.flow_name, integration).is_some_and(|f| flows.contains_key(f));
        let home = bundle_job_specs
            .get(*name)
            .and_then(|d| d.first())
            .map(|(bi, _)| bundles[*bi].name.clone());
        if home.is_none() {
            out.orphan_job_specs.push(OrphanJobSpec {
                name: name.to_string(),
                flow: j.flow_name.clone(),
                installed: j.installed,
            });
        }
        let problem = if !defined {
            let state = match j.installed {
                Some(true) => "; installed, it still fires",
                Some(false) => " (not installed)",
                None => "",
            };
            let flow = if j.flow_name.is_empty() {
                "(none)"
            } else {
                j.flow_name.as_str()
            };
            Some((
                ProblemKind::StaleJobSpec,
                format!("its flow {flow} is defined by no bundle{state}"),
            ))
        } else if j.installed == Some(false) {
            Some((
                ProblemKind::NotInstalled,
                format!("its flow {} never runs", j.flow_name),
            ))
        } else {
            None
        };
        let Some((kind, detail)) = problem else {
            continue;
        };
        // On the bundle's job spec resource when a bundle defines it.
        let placed = home.as_ref().and_then(|h| {
            let b = out.bundles.iter_mut().find(|b| &b.name == h)?;
            let r = b.resources.iter_mut().find(|r| {
                matches!(r.node, Node::JobSpec { .. })
                    && job_spec_name(&r.name, integration) == *name
            })?;
            r.problems.push((kind, detail.clone()));
            Some(())
        });
        if placed.is_none() {
            registry_problems.push(Problem {
                bundle: home.unwrap_or_else(|| NONE.to_string()),
                resource: name.to_string(),
                kind,
                detail,
            });
        }
    }

    for b in &out.bundles {
        for (kind, detail) in &b.problems {
            out.problems.push(Problem {
                bundle: b.name.clone(),
                resource: NONE.to_string(),
                kind: *kind,
                detail: detail.clone(),
            });
        }
        for r in &b.resources {
            for (kind, detail) in &r.problems {
                out.problems.push(Problem {
                    bundle: b.name.clone(),
                    resource: r.name.clone(),
                    kind: *kind,
                    detail: detail.clone(),
                });
            }
        }
    }
    out.problems.extend(registry_problems);
    out.problems.sort();
    out.problems.dedup();
    for list in out.uses.values_mut() {
        list.sort();
        list.dedup();
    }
    out
}

fn node_rank(n: &Node) -> u8 {
    match n {
        Node::Flow { .. } => 0,
        Node::Action { .. } => 1,
        Node::JobSpec { .. } => 2,
        Node::Other { .. } => 3,
    }
}

fn event_text(source: &str, kind: &str) -> String {
    match (source.is_empty(), kind.is_empty()) {
        (false, false) => format!("{source} {kind}"),
        (false, true) => source.to_string(),
        (true, false) => kind.to_string(),
        (true, true) => String::new(),
    }
}

/// "bundle › flow › action", as "Used by" lines show a use.
pub fn use_path(u: &Use) -> String {
    match &u.flow {
        Some(f) => format!("{} › {f} › {}", u.bundle, u.action),
        None => format!("{} › (no flow) › {}", u.bundle, u.action),
    }
}

/// "installed", "not installed", "no job spec", … for a use's job specs.
pub fn triggers_text(job_specs: &[Trigger]) -> String {
    if job_specs.is_empty() {
        return "no job spec".into();
    }
    let on = job_specs
        .iter()
        .filter(|t| t.installed == Some(true))
        .count();
    let off = job_specs
        .iter()
        .filter(|t| t.installed == Some(false))
        .count();
    match (on, off, job_specs.len()) {
        (1, 0, 1) => "job spec installed".into(),
        (0, 1, 1) => "job spec not installed".into(),
        (0, 0, 1) => "job spec: installed unknown".into(),
        (on, off, n) => format!("{n} job specs: {on} installed, {off} not"),
    }
}

#[cfg(test)]
mod tests;
