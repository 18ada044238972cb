//! Request bodies: strict validation against the catalog's request schema in Bedrock's
//! wording ([`Problems`]), model lookup, and JSON accessors by wire path.

use std::fmt::Display;

use bedrock_fm::catalog::{Family, Model, ModelInfo};
use bedrock_fm::schema::StructSpec;
use serde_json::{Map, Value};

use crate::errors::ServiceError;
use crate::models::InvokeCall;

/// Schema violations in Bedrock's wording, in the order found.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<String>);

impl Problems {
    /// The catalog's strict schema violations of `body` for `family`.
    pub(crate) fn of(family: Family, body: &Value) -> Self {
        Self(
            family
                .request_spec()
                .validate(body)
                .iter()
                .map(ToString::to_string)
                .collect(),
        )
    }

    /// Adds `<pointer>: <message>`.
    pub(crate) fn at(&mut self, pointer: &str, message: impl Display) {
        self.0.push(format!("{pointer}: {message}"));
    }

    /// Adds `<pointer>: extraneous key [<key>] is not permitted`.
    pub(crate) fn extraneous(&mut self, pointer: &str, key: &str) {
        self.at(pointer, format!("extraneous key [{key}] is not permitted"));
    }

    /// Adds `<pointer>: required key [<key>] not found`.
    pub(crate) fn missing(&mut self, pointer: &str, key: &str) {
        self.at(pointer, format!("required key [{key}] not found"));
    }

    /// Adds `<pointer>: <value> is not a valid enum value`.
    pub(crate) fn not_enum(&mut self, pointer: &str, value: impl Display) {
        self.at(pointer, format!("{value} is not a valid enum value"));
    }

    /// Adds a string-length violation when `s` is outside `[min, max]` characters.
    pub(crate) fn length(
        &mut self,
        pointer: &str,
        s: &str,
        min: Option<usize>,
        max: Option<usize>,
    ) {
        let len = s.chars().count();
        if let Some(min) = min.filter(|m| len < *m) {
            self.at(pointer, format!("expected minLength: {min}, actual: {len}"));
        }
        if let Some(max) = max.filter(|m| len > *m) {
            self.at(pointer, format!("expected maxLength: {max}, actual: {len}"));
        }
    }

    /// `Ok` when empty, else the `ValidationException` listing every violation.
    pub(crate) fn check(self) -> Result<(), ServiceError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::malformed_input(&self.0.concat()))
        }
    }
}

/// Parses an InvokeModel body that must be a JSON object. Bedrock's schema validator reads the
/// body with org.json, whose message for anything but an object is `A JSONObject text must
/// begin with '{' at 1 [character 2 line 1]`.
pub(crate) fn parse_object(body: &[u8]) -> Result<Value, ServiceError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(ServiceError::malformed_input(
            "A JSONObject text must begin with '{' at 1 [character 2 line 1]",
        )),
        Err(e) => {
            let text = String::from_utf8_lossy(body);
            let trimmed = text.trim_start();
            if !trimmed.starts_with('{') {
                Err(ServiceError::malformed_input(
                    "A JSONObject text must begin with '{' at 1 [character 2 line 1]",
                ))
            } else {
                Err(ServiceError::malformed_input(&format!(
                    "Invalid JSON at line {} column {}",
                    e.line(),
                    e.column()
                )))
            }
        }
    }
}

/// The catalog entry of the called model; for a model the catalog does not know (a registered
/// model, see [`crate::registry`]), the entry of its family's representative.
pub(crate) fn model_info(call: &InvokeCall<'_>) -> Result<&'static ModelInfo, ServiceError> {
    Model::resolve(&call.model.model_id)
        .or_else(|_| Model::resolve(call.model_id))
        .map(|r| r.model.info())
        .ok()
        .or_else(|| {
            crate::registry::family_by_id(&call.model.family)
                .and_then(crate::registry::representative)
        })
        .ok_or_else(ServiceError::invalid_model_identifier)
}

/// The value at a wire path (`["imageGenerationConfig", "seed"]`), `None` when absent or null.
pub(crate) fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for key in path {
        cur = cur.get(*key)?;
    }
    (!cur.is_null()).then_some(cur)
}

/// The string at a wire path.
pub(crate) fn get_str<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    get(v, path).and_then(Value::as_str)
}

/// The non-negative integer at a wire path.
pub(crate) fn get_u64(v: &Value, path: &[&str]) -> Option<u64> {
    get(v, path).and_then(Value::as_u64)
}

/// The number at a wire path.
pub(crate) fn get_f64(v: &Value, path: &[&str]) -> Option<f64> {
    get(v, path).and_then(Value::as_f64)
}

/// The strings of the array at a wire path (non-strings skipped; the schema reports them).
pub(crate) fn get_strs<'a>(v: &'a Value, path: &[&str]) -> Option<Vec<&'a str>> {
    get(v, path)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
}

/// The server-side default the catalog documents for a field (`default = 42` in
/// `models.toml`), as JSON.
pub(crate) fn spec_default(spec: &StructSpec, path: &[&str]) -> Option<Value> {
    spec.field_at(path)
        .and_then(|f| f.default)
        .and_then(|d| serde_json::from_str(d).ok())
}

/// The pointer of a wire path: `#/a/b`.
pub(crate) fn pointer(path: &[&str]) -> String {
    let mut p = String::from("#");
    for seg in path {
        p.push('/');
        p.push_str(seg);
    }
    p
}

/// The keys of an object, for checks on which task parameters were sent.
pub(crate) fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .map(|m: &Map<String, Value>| m.keys().map(String::as_str).collect())
        .unwrap_or_default()
}
