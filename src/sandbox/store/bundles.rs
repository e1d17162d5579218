//! Bundles and job specs of an integration (the ZIS registry's side): bundles with their
//! resources, the job specs they declare (and stale ones older bundles left installed), and the
//! hostile bundles a test can add to see how a client copes.

use serde_json::{json, Map, Value};

use super::connections::ConnError;
use super::helpers::random_uuid;
use super::Store;

/// The only template version ZIS allows [doc].
pub(crate) const TEMPLATE_VERSION: &str = "2019-10-14";

/// What `GET …/bundles/{uuid}` answers for a hostile bundle: exactly this.
#[derive(Debug, Clone)]
pub(crate) enum HostileAnswer {
    Json(Value),
    /// A body that need not be JSON at all, served as `application/json`.
    Raw(String),
}

/// A bundle added by the test switch: its listing entry and detail answer are served as given.
#[derive(Debug, Clone)]
pub(crate) struct Hostile {
    pub(crate) listing: Map<String, Value>,
    pub(crate) answer: HostileAnswer,
}

#[derive(Debug, Clone)]
pub(crate) struct Bundle {
    pub(crate) uuid: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) zis_template_version: String,
    /// `{name: {"type", "properties"}}`, as uploaded.
    pub(crate) resources: Value,
    pub(crate) hostile: Option<Hostile>,
}

impl Bundle {
    pub(crate) fn new(name: &str, description: &str, resources: Value) -> Bundle {
        Bundle {
            uuid: random_uuid(),
            name: name.to_string(),
            description: description.to_string(),
            zis_template_version: TEMPLATE_VERSION.to_string(),
            resources,
            hostile: None,
        }
    }

    /// The listing entry: metadata only [doc].
    pub(crate) fn listing_json(&self, integration: &str) -> Value {
        if let Some(h) = &self.hostile {
            return Value::Object(h.listing.clone());
        }
        json!({
            "name": self.name,
            "uuid": self.uuid,
            "description": self.description,
            "integration": integration,
            "zis_template_version": self.zis_template_version,
        })
    }

    /// The bundle with its resources (not wrapped). `None` for a hostile bundle: it answers
    /// [`Hostile::answer`] instead.
    pub(crate) fn detail_json(&self, integration: &str) -> Option<Value> {
        if self.hostile.is_some() {
            return None;
        }
        Some(json!({
            "name": self.name,
            "uuid": self.uuid,
            "description": self.description,
            "integration": integration,
            "zis_template_version": self.zis_template_version,
            "resources": self.resources,
        }))
    }

    /// The job specs its `ZIS::JobSpec` resources declare, installed; `properties.name` names
    /// one (the resource's key when there is none).
    pub(crate) fn declared_job_specs(&self) -> Vec<JobSpec> {
        let Some(resources) = self.resources.as_object() else {
            return Vec::new();
        };
        let text = |p: &Value, k: &str| p.get(k).and_then(Value::as_str).map(str::to_string);
        resources
            .iter()
            .filter(|(_, r)| r.get("type").and_then(Value::as_str) == Some("ZIS::JobSpec"))
            .map(|(key, r)| {
                let p = r.get("properties").cloned().unwrap_or(Value::Null);
                JobSpec {
                    uuid: random_uuid(),
                    name: text(&p, "name").unwrap_or_else(|| key.clone()),
                    event_source: text(&p, "event_source").unwrap_or_default(),
                    event_type: text(&p, "event_type").unwrap_or_default(),
                    flow_name: text(&p, "flow_name").unwrap_or_default(),
                    installed: true,
                }
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct JobSpec {
    pub(crate) uuid: String,
    pub(crate) name: String,
    pub(crate) event_source: String,
    pub(crate) event_type: String,
    /// `zis:{integration}:flow:{name}`.
    pub(crate) flow_name: String,
    pub(crate) installed: bool,
}

impl JobSpec {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "uuid": self.uuid,
            "event_source": self.event_source,
            "event_type": self.event_type,
            "flow_name": self.flow_name,
            "installed": self.installed,
        })
    }
}

impl Store {
    /// Adds a bundle, or replaces the one of that name (as an upload does [doc]); the job specs
    /// it declares are added, replacing those of the same name, and the others are left as
    /// they are: an older bundle's job specs stay installed [live]. A hostile bundle declares
    /// none.
    pub(crate) fn put_bundle(
        &mut self,
        integration: &str,
        bundle: Bundle,
    ) -> Result<(), ConnError> {
        let integ = self
            .integrations
            .get_mut(integration)
            .ok_or(ConnError::NotFound)?;
        if bundle.hostile.is_none() {
            for j in bundle.declared_job_specs() {
                integ.job_specs.insert(j.name.clone(), j);
            }
        }
        integ.bundles.insert(bundle.name.clone(), bundle);
        Ok(())
    }

    pub(crate) fn bundle_by_uuid(&self, integration: &str, uuid: &str) -> Option<&Bundle> {
        self.integrations
            .get(integration)?
            .bundles
            .values()
            .find(|b| b.uuid == uuid)
    }
}
