//! Request bodies: a JSON object taken apart field by field, collecting every problem by name.

use axum::body::Bytes;
use axum::response::Response;
use secrecy::SecretString;
use serde_json::{Map, Value};

use super::respond::validation_error;
use crate::sandbox::store::check_secret;

/// A JSON object body taken apart field by field, collecting every problem.
pub(super) struct Body {
    pub(super) map: Map<String, Value>,
    pub(super) problems: Vec<(String, String)>,
}

impl Body {
    /// Empty, non-JSON or non-object bodies are a 400 naming the problem.
    pub(super) fn parse(bytes: &Bytes) -> Result<Body, Response> {
        let one = |rule: &str| validation_error(vec![(String::new(), rule.to_string())]);
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(one("request body must be a JSON object"));
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Body {
                map,
                problems: Vec::new(),
            }),
            Ok(_) => Err(one("request body must be a JSON object")),
            Err(_) => Err(one("request body is not valid JSON")),
        }
    }

    pub(super) fn problem(&mut self, field: &str, rule: impl Into<String>) {
        self.problems.push((field.to_string(), rule.into()));
    }

    /// A string field; `null` counts as absent.
    pub(super) fn string(&mut self, field: &str, required: bool) -> Option<String> {
        match self.map.remove(field) {
            Some(Value::String(s)) => Some(s),
            None | Some(Value::Null) => {
                if required {
                    self.problem(field, format!("{field} is required"));
                }
                None
            }
            Some(_) => {
                self.problem(field, format!("{field} must be a string"));
                None
            }
        }
    }

    /// A secret field: moved from the parsed body into a [`SecretString`].
    pub(super) fn secret(&mut self, field: &'static str, required: bool) -> Option<SecretString> {
        let s = self.string(field, required)?;
        if let Err(rule) = check_secret(field, &s) {
            self.problem(field, rule);
            return None;
        }
        Some(SecretString::from(s))
    }

    /// Any field left over is refused by name. [guess] Real ZIS may ignore unknown fields;
    /// refusing them catches client bugs (a field of the wrong kind, a typo).
    pub(super) fn refuse_rest(&mut self) {
        let rest: Vec<String> = self.map.keys().cloned().collect();
        for k in rest {
            self.problem(&k, format!("unknown field {k}"));
        }
    }

    pub(super) fn finish(self) -> Result<(), Response> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(validation_error(self.problems))
        }
    }
}
