//! Validation of Converse, ConverseStream and CountTokens request bodies against the shapes of
//! the service model (`service-model/bedrock-runtime-2023-09-30.json`).
//!
//! The walk follows the botocore form of the Smithy model: structures (required members,
//! unknown members), unions (`"union": true`: exactly one member set), lists and maps
//! (`min`/`max` entries), strings (`min`/`max` length, `enum`, `pattern`), integers and longs
//! (whole numbers, `min`/`max`), floats and doubles (`min`/`max`), booleans, blobs (base64,
//! `min`/`max` decoded bytes), timestamps (epoch seconds or ISO 8601), and documents. Members
//! bound to the URI or headers (`location`) are not part of the body and are skipped.
//!
//! Messages follow Bedrock:
//!
//! - constraint violations are listed Coral-style, every one of them, with 1-based list
//!   indices: `2 validation errors detected: Value '' at 'toolConfig.tools.1.member.toolSpec.name'
//!   failed to satisfy constraint: Member must satisfy regular expression pattern:
//!   [a-zA-Z0-9_-]+; Value '' at ... Member must have length greater than or equal to 1`
//!   (verbatim shape of the message in litellm issue #19384; "Value null at
//!   'messages.N.member.content' failed to satisfy constraint: Member must not be null" in
//!   bifrost PR #6732);
//! - a value of the wrong JSON type is reported the way Bedrock reports a non-object document,
//!   with 0-based indices: `The format of the value at
//!   toolConfig.tools.0.toolSpec.inputSchema.json is invalid. Provide a json object for the field
//!   and try again.` (aws-sdk-net issue #3377, aws-sdk-js-v3 issue #7330);
//! - documents (`inputSchema.json`, `toolResult` `json`, `toolUse.input`,
//!   `additionalModelRequestFields`) must be JSON objects, as Bedrock requires (same issues).

use base64::Engine as _;
use serde_json::Value;

use crate::errors::ServiceError;
use crate::pattern::Pattern;
use crate::service_model;

/// A problem found in a request body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum Problem {
    /// A Coral constraint violation: `Value <value> at '<path>' failed to satisfy constraint:
    /// <constraint>`.
    Constraint {
        /// The offending value as Coral prints it (`'text'`, `null`, `'[]'`).
        value: String,
        /// The Coral path (`messages.1.member.content`).
        path: String,
        /// The constraint (`Member must not be null`).
        constraint: String,
    },
    /// A value that cannot be read as its shape (wrong JSON type, unknown member, union with
    /// other than one member), with the full message.
    Format(String),
}

struct Walker {
    problems: Vec<Problem>,
}

/// Two spellings of the same location: Coral's (`messages.1.member.content`, 1-based) and
/// Bedrock's plain one (`messages.0.content`, 0-based).
#[derive(Clone)]
struct Path {
    coral: String,
    plain: String,
}

impl Path {
    fn root() -> Self {
        Path {
            coral: String::new(),
            plain: String::new(),
        }
    }

    fn member(&self, name: &str) -> Path {
        let join = |p: &str| {
            if p.is_empty() {
                name.to_owned()
            } else {
                format!("{p}.{name}")
            }
        };
        Path {
            coral: join(&self.coral),
            plain: join(&self.plain),
        }
    }

    fn index(&self, i: usize) -> Path {
        Path {
            coral: format!("{}.{}.member", self.coral, i + 1),
            plain: format!("{}.{}", self.plain, i),
        }
    }

    fn key(&self, k: &str) -> Path {
        Path {
            coral: format!("{}.{}.member", self.coral, k),
            plain: format!("{}.{}", self.plain, k),
        }
    }

    fn display_plain(&self) -> &str {
        if self.plain.is_empty() {
            "the request body"
        } else {
            &self.plain
        }
    }
}

fn render_value(v: &Value) -> String {
    let text = match v {
        Value::Null => return "null".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let text = if text.chars().count() > 200 {
        let cut: String = text.chars().take(200).collect();
        format!("{cut}...")
    } else {
        text
    };
    format!("'{text}'")
}

impl Walker {
    fn constraint(&mut self, value: &Value, path: &Path, constraint: String) {
        self.problems.push(Problem::Constraint {
            value: render_value(value),
            path: path.coral.clone(),
            constraint,
        });
    }

    fn wrong_type(&mut self, path: &Path, expected: &str) {
        self.problems.push(Problem::Format(format!(
            "The format of the value at {} is invalid. Provide a {expected} for the field and try again.",
            path.display_plain()
        )));
    }

    fn check_length(&mut self, shape: &Value, value: &Value, len: u64, path: &Path) {
        if let Some(min) = shape.get("min").and_then(Value::as_u64)
            && len < min
        {
            self.constraint(
                value,
                path,
                format!("Member must have length greater than or equal to {min}"),
            );
        }
        if let Some(max) = shape.get("max").and_then(Value::as_u64)
            && len > max
        {
            self.constraint(
                value,
                path,
                format!("Member must have length less than or equal to {max}"),
            );
        }
    }

    fn check_range(&mut self, shape: &Value, value: &Value, n: f64, path: &Path) {
        let fmt = |b: &Value| b.to_string();
        if let Some(min) = shape.get("min")
            && min.as_f64().is_some_and(|m| n < m)
        {
            self.constraint(
                value,
                path,
                format!(
                    "Member must have value greater than or equal to {}",
                    fmt(min)
                ),
            );
        }
        if let Some(max) = shape.get("max")
            && max.as_f64().is_some_and(|m| n > m)
        {
            self.constraint(
                value,
                path,
                format!("Member must have value less than or equal to {}", fmt(max)),
            );
        }
    }

    fn walk(&mut self, shape_name: &str, value: &Value, path: &Path) {
        let Some(shape) = service_model::shape(shape_name) else {
            return;
        };
        let kind = shape.get("type").and_then(Value::as_str).unwrap_or("");
        if shape.get("document").and_then(Value::as_bool) == Some(true) {
            if !value.is_object() {
                self.wrong_type(path, "json object");
            }
            return;
        }
        match kind {
            "structure" => self.walk_structure(shape, value, path),
            "list" => {
                let Some(items) = value.as_array() else {
                    return self.wrong_type(path, "list");
                };
                self.check_length(shape, value, items.len() as u64, path);
                if let Some(member) = shape["member"]["shape"].as_str() {
                    for (i, item) in items.iter().enumerate() {
                        let p = path.index(i);
                        if item.is_null() {
                            self.constraint(item, &p, "Member must not be null".into());
                        } else {
                            self.walk(member, item, &p);
                        }
                    }
                }
            }
            "map" => {
                let Some(entries) = value.as_object() else {
                    return self.wrong_type(path, "json object");
                };
                self.check_length(shape, value, entries.len() as u64, path);
                let key_shape = shape["key"]["shape"].as_str();
                let value_shape = shape["value"]["shape"].as_str();
                for (k, v) in entries {
                    let p = path.key(k);
                    if let Some(ks) = key_shape {
                        self.walk(ks, &Value::String(k.clone()), &p);
                    }
                    if let Some(vs) = value_shape {
                        if v.is_null() {
                            self.constraint(v, &p, "Member must not be null".into());
                        } else {
                            self.walk(vs, v, &p);
                        }
                    }
                }
            }
            "string" => {
                let Some(s) = value.as_str() else {
                    return self.wrong_type(path, "string");
                };
                // Coral counts length in UTF-16 code units (Java strings).
                self.check_length(shape, value, s.encode_utf16().count() as u64, path);
                if let Some(values) = shape.get("enum").and_then(Value::as_array)
                    && !values.iter().any(|e| e.as_str() == Some(s))
                {
                    let set: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
                    self.constraint(
                        value,
                        path,
                        format!("Member must satisfy enum value set: [{}]", set.join(", ")),
                    );
                }
                if let Some(src) = shape.get("pattern").and_then(Value::as_str)
                    && let Some(p) = Pattern::compile(src)
                    && !p.is_full_match(s)
                {
                    self.constraint(
                        value,
                        path,
                        format!("Member must satisfy regular expression pattern: {src}"),
                    );
                }
            }
            "integer" | "long" => {
                let whole = value
                    .as_i64()
                    .map(|n| n as f64)
                    .or(value.as_u64().map(|n| n as f64));
                let Some(n) = whole else {
                    return self.wrong_type(path, "whole number");
                };
                if kind == "integer" && (n < i32::MIN as f64 || n > i32::MAX as f64) {
                    return self.wrong_type(path, "32-bit integer");
                }
                self.check_range(shape, value, n, path);
            }
            "float" | "double" => {
                let Some(n) = value.as_f64() else {
                    return self.wrong_type(path, "number");
                };
                // Coral prints a float as Java does: 3 is '3.0'.
                let shown = if value.is_f64() {
                    value.clone()
                } else {
                    Value::String(format!("{n:.1}"))
                };
                self.check_range(shape, &shown, n, path);
            }
            "boolean" if !value.is_boolean() => {
                self.wrong_type(path, "boolean");
            }
            "blob" => {
                let Some(s) = value.as_str() else {
                    return self.wrong_type(path, "base64-encoded string");
                };
                match base64::engine::general_purpose::STANDARD.decode(s) {
                    Ok(bytes) => self.check_length(shape, value, bytes.len() as u64, path),
                    Err(_) => self.wrong_type(path, "base64-encoded string"),
                }
            }
            "timestamp" => {
                let ok = match value {
                    Value::Number(_) => true,
                    Value::String(s) => looks_like_iso8601(s),
                    _ => false,
                };
                if !ok {
                    self.wrong_type(path, "timestamp");
                }
            }
            _ => {}
        }
    }

    fn walk_structure(&mut self, shape: &Value, value: &Value, path: &Path) {
        let Some(obj) = value.as_object() else {
            return self.wrong_type(path, "json object");
        };
        let members = shape.get("members").and_then(Value::as_object);
        let is_union = shape.get("union").and_then(Value::as_bool) == Some(true);
        let in_body = |name: &str| {
            members
                .and_then(|m| m.get(name))
                .is_some_and(|m| m.get("location").is_none())
        };
        for key in obj.keys() {
            if !in_body(key) {
                self.problems.push(Problem::Format(format!(
                    "The value at {} has an unknown field {key:?}. Remove {key:?} and try again.",
                    path.display_plain()
                )));
            }
        }
        if is_union {
            let set: Vec<&String> = obj
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, _)| k)
                .collect();
            if set.len() != 1 {
                let names: Vec<&str> = members
                    .map(|m| m.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                let found = if set.is_empty() {
                    "none".to_owned()
                } else {
                    set.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                self.problems.push(Problem::Format(format!(
                    "The value at {} must set exactly one of the fields [{}], but sets {found}. \
                     Set exactly one field and try again.",
                    path.display_plain(),
                    names.join(", ")
                )));
            }
        }
        let required: Vec<&str> = shape
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(members) = members else { return };
        for (name, member) in members {
            if member.get("location").is_some() {
                continue;
            }
            let p = path.member(name);
            match obj.get(name) {
                None | Some(Value::Null) => {
                    if required.contains(&name.as_str()) {
                        self.constraint(&Value::Null, &p, "Member must not be null".into());
                    }
                }
                Some(v) => {
                    if let Some(s) = member.get("shape").and_then(Value::as_str) {
                        self.walk(s, v, &p);
                    }
                }
            }
        }
    }
}

fn looks_like_iso8601(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// Every problem of `value` as an instance of the shape `shape_name`, in walk order.
pub(crate) fn problems(shape_name: &str, value: &Value) -> Vec<Problem> {
    let mut w = Walker {
        problems: Vec::new(),
    };
    w.walk(shape_name, value, &Path::root());
    w.problems
}

/// The ValidationException for a list of problems: the first format problem if any (the body
/// could not be read), else every constraint violation in Coral's words.
pub(crate) fn to_error(problems: &[Problem]) -> Option<ServiceError> {
    if let Some(Problem::Format(msg)) = problems.iter().find(|p| matches!(p, Problem::Format(_))) {
        return Some(ServiceError::validation(msg.clone()));
    }
    let violations: Vec<String> = problems
        .iter()
        .filter_map(|p| match p {
            Problem::Constraint {
                value,
                path,
                constraint,
            } => Some(format!(
                "Value {value} at '{path}' failed to satisfy constraint: {constraint}"
            )),
            Problem::Format(_) => None,
        })
        .collect();
    match violations.len() {
        0 => None,
        1 => Some(ServiceError::validation(format!(
            "1 validation error detected: {}",
            violations[0]
        ))),
        n => Some(ServiceError::validation(format!(
            "{n} validation errors detected: {}",
            violations.join("; ")
        ))),
    }
}

/// Validates the JSON body of operation `operation` (`Converse`, `ConverseStream`,
/// `CountTokens`) against its input shape.
pub(crate) fn validate(operation: &str, body: &Value) -> Result<(), ServiceError> {
    let Some(input) = service_model::operation_input(operation) else {
        return Ok(());
    };
    match to_error(&problems(input, body)) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
