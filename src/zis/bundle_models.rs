//! Typed models of ZIS bundles and job specs, as far as a usage graph needs them.
//!
//! None of these holds a credential: a literal secret found in an action (a header value, a
//! URL's user info, a password in the request body) is recorded by where it is
//! ([`CredentialSpot`]), never by its value, and URLs are kept without user info or query.
//! Strings are kept as the server sent them (bounded in length); sanitise them before drawing.
use std::fmt;

/// A bundle as `GET registry/{integration}/bundles` lists it: metadata only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BundleSummary {
    pub name: String,
    pub uuid: String,
    pub description: String,
    pub integration: String,
    pub zis_template_version: String,
}

/// One page of the bundles listing.
#[derive(Debug, Clone, Default)]
pub struct BundlePage {
    pub bundles: Vec<BundleSummary>,
    pub has_more: bool,
    pub after: Option<String>,
    pub before: Option<String>,
}

/// A job spec as `GET registry/{integration}/job_specs` lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobSpec {
    pub name: String,
    pub uuid: String,
    pub event_source: String,
    pub event_type: String,
    /// `zis:{integration}:flow:{name}`, as the server sent it.
    pub flow_name: String,
    /// None when the answer did not say.
    pub installed: Option<bool>,
}

/// One page of the job specs listing.
#[derive(Debug, Clone, Default)]
pub struct JobSpecPage {
    pub job_specs: Vec<JobSpec>,
    pub has_more: bool,
    pub after: Option<String>,
    pub before: Option<String>,
}

/// One bundle with its resources (`GET registry/{integration}/bundles/{uuid}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bundle {
    pub name: String,
    pub uuid: String,
    pub description: String,
    pub zis_template_version: String,
    /// In the order the answer listed them.
    pub resources: Vec<Resource>,
    /// Resources past the parser's cap, not read.
    pub truncated: usize,
    /// What was wrong with the bundle as a whole (no `resources` object, …), if anything.
    pub malformed: Option<String>,
}

/// One named resource of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// The key of the resource in `resources`.
    pub key: String,
    /// `properties.name`, else the key: the name flows and job specs refer to.
    pub name: String,
    pub body: ResourceBody,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceBody {
    /// `ZIS::Action::Http`.
    Action(HttpAction),
    /// `ZIS::Flow`.
    Flow(Flow),
    /// `ZIS::JobSpec`.
    JobSpec(JobSpecResource),
    /// Any other type (kept, never an error).
    Other { type_name: String },
}

impl ResourceBody {
    /// `action`, `flow`, `job spec`, or the other type's name.
    pub fn label(&self) -> &str {
        match self {
            ResourceBody::Action(_) => "action",
            ResourceBody::Flow(_) => "flow",
            ResourceBody::JobSpec(_) => "job spec",
            ResourceBody::Other { type_name } => type_name,
        }
    }

    /// What was wrong with the resource's shape (a missing `definition`, …), if anything.
    pub fn malformed(&self) -> Option<&str> {
        match self {
            ResourceBody::Action(a) => a.malformed.as_deref(),
            ResourceBody::Flow(f) => f.malformed.as_deref(),
            ResourceBody::JobSpec(j) => j.malformed.as_deref(),
            ResourceBody::Other { .. } => None,
        }
    }
}

/// The connection an action authenticates with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionRef {
    /// `connectionName`.
    Named(String),
    /// `connectionName.$`: chosen at run time, not known here.
    Dynamic,
    /// No `connectionName`.
    Missing,
}

impl ConnectionRef {
    pub fn name(&self) -> Option<&str> {
        match self {
            ConnectionRef::Named(n) => Some(n),
            _ => None,
        }
    }
}

/// Where an action sends its request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionTarget {
    /// `url`: absolute, external. Kept as scheme, host and path: no user info, no query.
    Url(String),
    /// `path`: relative to the Zendesk account. Kept without its query.
    Path(String),
    /// Neither (a malformed action).
    None,
}

/// Where a literal credential sits in an action: the field, never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialSpot {
    /// `headers[Authorization]`, `url`, `queryParams[api_key]`, `requestBody.auth.password`.
    pub field: String,
    /// What was found there: "a literal header value", "user:password@ in the URL", …
    pub what: &'static str,
}

/// A `ZIS::Action::Http` definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAction {
    pub connection: ConnectionRef,
    /// `GET`, `POST`, … ("" when absent).
    pub method: String,
    pub target: ActionTarget,
    pub credentials: Vec<CredentialSpot>,
    pub malformed: Option<String>,
}

impl HttpAction {
    /// A `path` action: a call to the Zendesk API of the account.
    pub fn is_zendesk_path(&self) -> bool {
        matches!(self.target, ActionTarget::Path(_))
    }
}

/// One Action state of a flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRef {
    /// The state's name (nested states are named `Parent/Child`).
    pub state: String,
    /// `ActionName` as written: `zis:{integration}:action:{name}`, or a built-in.
    pub action_name: String,
}

/// A `ZIS::Flow` definition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flow {
    pub actions: Vec<ActionRef>,
    pub malformed: Option<String>,
}

/// A `ZIS::JobSpec` resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobSpecResource {
    pub event_source: String,
    pub event_type: String,
    /// `zis:{integration}:flow:{name}` as written ("" when absent).
    pub flow_name: String,
    pub malformed: Option<String>,
}

/// Everything of one integration a usage graph is built from: every bundle (with its
/// resources) and every job spec.
#[derive(Debug, Clone, Default)]
pub struct BundleSet {
    pub bundles: Vec<Bundle>,
    /// Bundles whose detail could not be read, with why (sanitised, one line).
    pub unreadable: Vec<(BundleSummary, String)>,
    pub job_specs: Vec<JobSpec>,
}

/// The kinds of name ZIS gives resources: `zis:{integration}:{kind}:{name}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    Action,
    Flow,
    JobSpec,
}

impl RefKind {
    fn segment(self) -> &'static str {
        match self {
            RefKind::Action => "action",
            RefKind::Flow => "flow",
            RefKind::JobSpec => "job_spec",
        }
    }
}

/// A parsed `zis:{integration}:{kind}:{name}` reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZisRef<'a> {
    pub integration: &'a str,
    pub name: &'a str,
}

impl fmt::Display for ZisRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.integration, self.name)
    }
}

/// Split `zis:{integration}:{kind}:{name}`; None when `s` is not a reference of `kind`.
/// The name may itself hold `:`.
pub fn parse_ref(s: &str, kind: RefKind) -> Option<ZisRef<'_>> {
    let rest = s.strip_prefix("zis:")?;
    let (integration, rest) = rest.split_once(':')?;
    let name = rest.strip_prefix(kind.segment())?.strip_prefix(':')?;
    if integration.is_empty() || name.is_empty() {
        return None;
    }
    Some(ZisRef { integration, name })
}

/// The short name a reference of `kind` within `integration` names: the name of
/// `zis:{integration}:{kind}:{name}`, or `s` itself when it is not in the `zis:` form.
/// None for a reference to another integration (or to the built-ins of `zis:common`).
pub fn local_name<'a>(s: &'a str, kind: RefKind, integration: &str) -> Option<&'a str> {
    if !s.starts_with("zis:") {
        return (!s.is_empty()).then_some(s);
    }
    let r = parse_ref(s, kind)?;
    (r.integration == integration).then_some(r.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let r = parse_ref("zis:acme:action:post.ticket", RefKind::Action).unwrap();
        assert_eq!((r.integration, r.name), ("acme", "post.ticket"));
        assert_eq!(
            parse_ref("zis:acme:flow:a:b", RefKind::Flow).map(|r| r.name),
            Some("a:b")
        );
        assert!(parse_ref("zis:acme:flow:x", RefKind::Action).is_none());
        assert!(parse_ref("zis::action:x", RefKind::Action).is_none());
        assert!(parse_ref("zis:acme:action:", RefKind::Action).is_none());
        assert!(parse_ref("acme:action:x", RefKind::Action).is_none());
        assert_eq!(
            local_name("zis:acme:job_spec:j", RefKind::JobSpec, "acme"),
            Some("j")
        );
        assert_eq!(local_name("j", RefKind::JobSpec, "acme"), Some("j"));
        assert_eq!(local_name("zis:other:flow:f", RefKind::Flow, "acme"), None);
        assert_eq!(
            local_name("zis:common:action:LoadConfig", RefKind::Action, "acme"),
            None
        );
        assert_eq!(local_name("", RefKind::Flow, "acme"), None);
    }
}
