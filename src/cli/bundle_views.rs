//! What `bundles list | show | check` and the audit's `used_by` print: one view type per
//! record with its JSON shape (serde), its table row and its CSV row. Every server string goes
//! through `sanitize::clean`; no view holds a credential (the usage graph holds none).
use serde::Serialize;

use crate::sanitize::clean;
use crate::usage::{self, BundleUsage, Node, Problem, Trigger, Usage, Use};
use crate::zis::{local_name, BundleSummary, RefKind};

/// A bundle of the listing.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BundleView {
    pub integration: String,
    pub name: String,
    pub uuid: String,
    pub description: String,
    pub zis_template_version: String,
}

impl BundleView {
    pub fn new(integration: &str, b: &BundleSummary) -> BundleView {
        BundleView {
            integration: clean(integration),
            name: clean(&b.name),
            uuid: clean(&b.uuid),
            description: clean(&b.description),
            zis_template_version: clean(&b.zis_template_version),
        }
    }

    pub fn row(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.uuid.clone(),
            self.zis_template_version.clone(),
            self.description.clone(),
        ]
    }

    pub fn csv_row(&self) -> Vec<String> {
        vec![
            self.integration.clone(),
            self.name.clone(),
            self.uuid.clone(),
            self.description.clone(),
            self.zis_template_version.clone(),
        ]
    }
}

pub const BUNDLE_TABLE: &[&str] = &["NAME", "UUID", "TEMPLATE", "DESCRIPTION"];
pub const BUNDLE_CSV: &[&str] = &[
    "integration",
    "name",
    "uuid",
    "description",
    "zis_template_version",
];

/// `None` for the "—" of a problem with no bundle or no resource (JSON null, CSV empty).
fn place(s: &str) -> Option<String> {
    (s != usage::NONE).then(|| clean(s))
}

/// One problem of `bundles check`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ProblemView {
    pub integration: String,
    /// None: a job spec no bundle defines.
    pub bundle: Option<String>,
    /// None: the bundle as a whole.
    pub resource: Option<String>,
    /// The stable code (`unknown_connection`, …).
    pub problem: &'static str,
    pub detail: String,
}

impl ProblemView {
    pub fn new(integration: &str, p: &Problem) -> ProblemView {
        ProblemView {
            integration: clean(integration),
            bundle: place(&p.bundle),
            resource: place(&p.resource),
            problem: p.kind.code(),
            detail: clean(&p.detail),
        }
    }
}

pub const CHECK_TABLE: &[&str] = &["INTEGRATION", "BUNDLE", "RESOURCE", "PROBLEM", "DETAIL"];
pub const CHECK_CSV: &[&str] = &["integration", "bundle", "resource", "problem", "detail"];

pub fn problem_table_row(integration: &str, p: &Problem) -> Vec<String> {
    vec![
        integration.to_string(),
        p.bundle.clone(),
        p.resource.clone(),
        p.kind.label().to_string(),
        p.detail.clone(),
    ]
}

pub fn problem_csv_row(v: &ProblemView) -> Vec<String> {
    vec![
        v.integration.clone(),
        v.bundle.clone().unwrap_or_default(),
        v.resource.clone().unwrap_or_default(),
        v.problem.to_string(),
        v.detail.clone(),
    ]
}

/// A job spec that starts a flow.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TriggerView {
    pub name: String,
    pub installed: Option<bool>,
}

impl TriggerView {
    fn new(t: &Trigger) -> TriggerView {
        TriggerView {
            name: clean(&t.name),
            installed: t.installed,
        }
    }
}

fn triggers(list: &[Trigger]) -> Vec<TriggerView> {
    list.iter().map(TriggerView::new).collect()
}

/// One use of a connection (the audit's `used_by`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UseView {
    pub bundle: String,
    pub flow: Option<String>,
    pub action: String,
    pub job_specs: Vec<TriggerView>,
    /// The `zendesk` connection, used by a path action without naming it.
    pub implicit: bool,
}

impl UseView {
    pub fn new(u: &Use) -> UseView {
        UseView {
            bundle: clean(&u.bundle),
            flow: u.flow.as_deref().map(clean),
            action: clean(&u.action),
            job_specs: triggers(&u.job_specs),
            implicit: u.implicit,
        }
    }

    /// `bundle › flow › action`.
    pub fn path(&self) -> String {
        format!(
            "{} › {} › {}",
            self.bundle,
            self.flow.as_deref().unwrap_or("(no flow)"),
            self.action
        )
    }
}

/// The uses of `connection` in `usage`, or None when its usage is not known.
pub fn used_by(usage: Option<&Usage>, connection: &str) -> Option<Vec<UseView>> {
    let u = usage?;
    let list: Vec<UseView> = u.used_by(connection).iter().map(UseView::new).collect();
    // Uses listed in a graph with unread bundles are sure; "none" is not.
    (u.complete || !list.is_empty()).then_some(list)
}

/// The CSV cell of `used_by`: the paths joined by `; `, "" for none, `unknown`.
pub fn used_by_cell(v: Option<&[UseView]>) -> String {
    match v {
        None => "unknown".into(),
        Some(list) => list
            .iter()
            .map(UseView::path)
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// The table cell: how many uses, `—` when not known.
pub fn used_by_count(v: Option<&[UseView]>) -> String {
    match v {
        None => "—".into(),
        Some(list) => list.len().to_string(),
    }
}

/// One problem on a resource, as `bundles show` prints it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ResourceProblemView {
    /// None: the bundle as a whole.
    pub resource: Option<String>,
    pub problem: &'static str,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FlowView {
    pub name: String,
    pub actions: Vec<String>,
    pub job_specs: Vec<TriggerView>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ActionView {
    pub name: String,
    pub method: String,
    pub target: String,
    /// The connection it names (None: none, or chosen at run time: see `dynamic`).
    pub connection: Option<String>,
    pub dynamic: bool,
    /// A path action: it calls the account's Zendesk API (through `zendesk`).
    pub zendesk_path: bool,
    pub flows: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JobSpecView {
    pub name: String,
    pub event: String,
    pub flow: String,
    pub installed: Option<bool>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OtherView {
    pub name: String,
    #[serde(rename = "type")]
    pub type_name: String,
}

/// `bundles show`: one bundle, resource by resource, and its problems.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BundleDetailView {
    pub integration: String,
    pub name: String,
    pub uuid: String,
    pub description: String,
    /// Why the bundle could not be read, if it could not.
    pub unreadable: Option<String>,
    pub flows: Vec<FlowView>,
    pub actions: Vec<ActionView>,
    pub job_specs: Vec<JobSpecView>,
    pub other_resources: Vec<OtherView>,
    pub problems: Vec<ResourceProblemView>,
}

/// An ActionName as a table shows it: the short name of an action of this integration.
pub fn action_short(name: &str, integration: &str) -> String {
    clean(local_name(name, RefKind::Action, integration).unwrap_or(name))
}

/// A flow_name as a table shows it.
pub fn flow_short(name: &str, integration: &str) -> String {
    clean(local_name(name, RefKind::Flow, integration).unwrap_or(name))
}

impl BundleDetailView {
    pub fn new(integration: &str, b: &BundleUsage) -> BundleDetailView {
        let mut v = BundleDetailView {
            integration: clean(integration),
            name: clean(&b.name),
            uuid: clean(&b.uuid),
            description: clean(&b.description),
            unreadable: b.unreadable.as_deref().map(clean),
            flows: Vec::new(),
            actions: Vec::new(),
            job_specs: Vec::new(),
            other_resources: Vec::new(),
            problems: b
                .problems
                .iter()
                .map(|(k, d)| ResourceProblemView {
                    resource: None,
                    problem: k.code(),
                    detail: clean(d),
                })
                .collect(),
        };
        for r in &b.resources {
            let name = clean(&r.name);
            match &r.node {
                Node::Action {
                    connection,
                    dynamic,
                    method,
                    target,
                    zendesk_path,
                    flows,
                } => v.actions.push(ActionView {
                    name: name.clone(),
                    method: clean(method),
                    target: clean(target),
                    connection: connection.as_deref().map(clean),
                    dynamic: *dynamic,
                    zendesk_path: *zendesk_path,
                    flows: flows.iter().map(|f| clean(f)).collect(),
                }),
                Node::Flow { actions, job_specs } => v.flows.push(FlowView {
                    name: name.clone(),
                    actions: actions
                        .iter()
                        .map(|a| action_short(a, integration))
                        .collect(),
                    job_specs: triggers(job_specs),
                }),
                Node::JobSpec {
                    flow,
                    event,
                    installed,
                } => v.job_specs.push(JobSpecView {
                    name: name.clone(),
                    event: clean(event),
                    flow: flow_short(flow, integration),
                    installed: *installed,
                }),
                Node::Other { type_name } => v.other_resources.push(OtherView {
                    name: name.clone(),
                    type_name: clean(type_name),
                }),
            }
            for (k, d) in &r.problems {
                v.problems.push(ResourceProblemView {
                    resource: Some(name.clone()),
                    problem: k.code(),
                    detail: clean(d),
                });
            }
        }
        v
    }

    /// The CSV form: one row per resource.
    pub fn csv_rows(&self, b: &BundleUsage) -> Vec<Vec<String>> {
        b.resources
            .iter()
            .map(|r| {
                let problems = r
                    .problems
                    .iter()
                    .map(|(k, d)| format!("{}: {}", k.code(), d))
                    .collect::<Vec<_>>()
                    .join("; ");
                let mut row = vec![
                    self.integration.clone(),
                    self.name.clone(),
                    r.name.clone(),
                    r.node.label().to_string(),
                ];
                let (connection, method, target, flow, actions, installed) = match &r.node {
                    Node::Action {
                        connection,
                        method,
                        target,
                        ..
                    } => (
                        connection.clone().unwrap_or_default(),
                        method.clone(),
                        target.clone(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ),
                    Node::Flow { actions, job_specs } => (
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        actions
                            .iter()
                            .map(|a| action_short(a, &self.integration))
                            .collect::<Vec<_>>()
                            .join("; "),
                        usage::triggers_text(job_specs),
                    ),
                    Node::JobSpec {
                        flow, installed, ..
                    } => (
                        String::new(),
                        String::new(),
                        String::new(),
                        flow_short(flow, &self.integration),
                        String::new(),
                        installed.map(|i| i.to_string()).unwrap_or_default(),
                    ),
                    Node::Other { .. } => Default::default(),
                };
                row.extend([
                    connection, method, target, flow, actions, installed, problems,
                ]);
                row
            })
            .collect()
    }
}

pub const SHOW_CSV: &[&str] = &[
    "integration",
    "bundle",
    "resource",
    "type",
    "connection",
    "method",
    "target",
    "flow",
    "actions",
    "installed",
    "problems",
];

/// "yes", "no", "?" for an installed flag.
pub fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_print_as_paths() {
        let u = Use {
            bundle: "b\x1b]52;c;x\x07".into(),
            flow: None,
            action: "a".into(),
            job_specs: vec![],
            implicit: false,
        };
        let v = UseView::new(&u);
        assert!(!v.path().contains('\x1b'));
        assert!(v.path().ends_with("› (no flow) › a"));
        let j = serde_json::to_value(&v).unwrap();
        assert_eq!(j["implicit"], false, "every key, always");
        assert!(j["flow"].is_null());
        assert_eq!(used_by_cell(None), "unknown");
        assert_eq!(used_by_cell(Some(&[])), "");
        assert_eq!(used_by_count(Some(&[v.clone(), v])), "2");
        assert_eq!(used_by_count(None), "—");
        assert_eq!(action_short("zis:acme:action:x", "acme"), "x");
        assert_eq!(
            action_short("zis:common:action:LoadConfig", "acme"),
            "zis:common:action:LoadConfig"
        );
    }
}
