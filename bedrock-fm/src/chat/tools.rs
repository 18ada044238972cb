//! Tools the model may call, declared from Rust types (`schemars::JsonSchema` + serde).

use crate::error::{Error, Result};
use serde_json::Value;

/// A tool offered to the model.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Tool {
    /// Its name (`^[a-zA-Z0-9_-]{1,64}$`, the Converse `ToolSpecification` pattern).
    pub name: String,
    /// What it does; the model reads this to decide when to call it.
    pub description: String,
    /// The JSON schema of its input (an object schema).
    pub input_schema: Value,
}

impl Tool {
    /// A tool whose input is `T`, described by `T`'s JSON schema.
    pub fn of<T: schemars::JsonSchema>(
        name: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        let schema = schemars::schema_for!(T);
        Self::new(name, description, schema.to_value())
    }

    /// A tool with an explicit JSON schema.
    pub fn new(
        name: impl Into<String>,
        description: impl Into<String>,
        input_schema: Value,
    ) -> Self {
        Self {
            name: name.into(),
            description: description.into(),
            input_schema,
        }
    }

    /// The schema with JSON-Schema meta keys (`$schema`, `title`) removed, as sent.
    pub(crate) fn wire_schema(&self) -> Value {
        let mut schema = self.input_schema.clone();
        if let Some(map) = schema.as_object_mut() {
            map.remove("$schema");
        }
        schema
    }

    /// Checks the name and that the schema describes an object.
    pub(crate) fn validate(&self) -> Result<()> {
        let at = || format!("tool {:?}", self.name);
        let name_ok = (1..=64).contains(&self.name.len())
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !name_ok {
            return Err(Error::invalid(
                at(),
                "a tool name is 1 to 64 letters, digits, '_' or '-'",
            ));
        }
        if self.description.trim().is_empty() {
            return Err(Error::invalid(at(), "the tool has no description"));
        }
        let is_object = self.input_schema.get("type").and_then(Value::as_str) == Some("object");
        if !is_object {
            return Err(Error::invalid(
                at(),
                "the input schema is not an object schema (\"type\": \"object\")",
            ));
        }
        Ok(())
    }
}

/// Which tool the model must use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ToolChoice {
    /// The model decides whether to call a tool (default).
    #[default]
    Auto,
    /// The model must call some tool.
    Any,
    /// The model must call this tool.
    Tool(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(schemars::JsonSchema, serde::Deserialize)]
    #[allow(dead_code)]
    struct Weather {
        /// City name.
        city: String,
        days: Option<u8>,
    }

    #[test]
    fn a_tool_from_a_rust_type_has_an_object_schema() {
        let tool = Tool::of::<Weather>("weather", "Forecast for a city");
        tool.validate().unwrap();
        assert_eq!(tool.wire_schema()["properties"]["city"]["type"], "string");
        assert!(tool.wire_schema().get("$schema").is_none());
        assert_eq!(tool.wire_schema()["required"], serde_json::json!(["city"]));
    }

    #[test]
    fn bad_tools_are_rejected_with_the_tool_named() {
        let not_object = Tool::new("n", "d", serde_json::json!({"type": "string"}));
        assert!(
            not_object
                .validate()
                .unwrap_err()
                .to_string()
                .contains("tool \"n\": the input schema is not an object")
        );
        let bad_name = Tool::new("has space", "d", serde_json::json!({"type": "object"}));
        assert!(bad_name.validate().is_err());
    }
}
