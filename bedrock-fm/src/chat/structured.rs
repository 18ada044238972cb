//! Structured output: a reply decoded as a user type `T: JsonSchema + DeserializeOwned`, by
//! offering the model one tool whose input schema is `T`'s and asking it to call that tool
//! ([`TextModel::chat_structured`](crate::TextModel::chat_structured)).

use super::content::Content;
use super::error::ChatError;
use super::tools::{Tool, ToolChoice};
use super::{ChatOptions, ChatReply};
use crate::error::{Error, Result};
use crate::params::FamilyTypes;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// The tool that carries the output, and how to read it back.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub tool: Tool,
    /// Whether `T`'s schema is not an object and was wrapped as `{"value": T}` (Bedrock's
    /// tool input schemas are objects).
    wrapped: bool,
    type_name: String,
}

/// A tool name from a type name: `[a-zA-Z0-9_-]{1,64}`.
fn tool_name(type_name: &str) -> String {
    let name: String = type_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if name.trim_matches('_').is_empty() {
        "structured_output".to_owned()
    } else {
        name
    }
}

/// The tool for `T`.
pub(crate) fn target<T: schemars::JsonSchema>() -> Target {
    let type_name = T::schema_name().into_owned();
    let mut schema = schemars::schema_for!(T).to_value();
    let is_object = schema.get("type").and_then(Value::as_str) == Some("object");
    let wrapped = !is_object;
    if wrapped {
        let mut inner = match schema {
            Value::Object(map) => map,
            other => Map::from_iter([("const".to_owned(), other)]),
        };
        inner.remove("$schema");
        let defs = inner.remove("$defs");
        let mut outer = json!({
            "type": "object",
            "properties": {"value": Value::Object(inner)},
            "required": ["value"],
        });
        if let Some(defs) = defs {
            outer["$defs"] = defs;
        }
        schema = outer;
    }
    let description = if wrapped {
        format!(
            "Gives the answer as a `{type_name}` value: call this tool with the answer in `value`."
        )
    } else {
        format!(
            "Gives the answer as a `{type_name}` value: call this tool with the answer as its input."
        )
    };
    Target {
        tool: Tool::new(tool_name(&type_name), description, schema),
        wrapped,
        type_name,
    }
}

/// The options with the target's tool added and chosen. With reasoning the choice is left
/// to the model (Claude takes no forced tool choice while it reasons, "Extended thinking",
/// https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-extended-thinking.html).
pub(crate) fn options<F: FamilyTypes>(
    options: &ChatOptions<F>,
    target: &Target,
) -> Result<ChatOptions<F>> {
    if options.tools.iter().any(|t| t.name == target.tool.name) {
        let msg = format!(
            "a tool named {:?} is already offered; structured output uses that name for `{}`",
            target.tool.name, target.type_name
        );
        return Err(Error::invalid("tools", msg));
    }
    let mut options = options.clone();
    options.tools.push(target.tool.clone());
    options.tool_choice = if options.reasoning.is_some() {
        None
    } else {
        Some(ToolChoice::Tool(target.tool.name.clone()))
    };
    Ok(options)
}

/// JSON in a text answer, with or without a Markdown code fence.
fn json_in_text(text: &str) -> Option<Value> {
    let t = text.trim();
    let t = t
        .strip_prefix("```json")
        .or_else(|| t.strip_prefix("```"))
        .and_then(|r| r.strip_suffix("```"))
        .unwrap_or(t);
    serde_json::from_str(t.trim()).ok()
}

/// The reply's output decoded as `T`: the target tool's input (or JSON in the reply's text,
/// when the model answered in text).
pub(crate) fn decode<T: DeserializeOwned>(reply: &ChatReply, target: &Target) -> Result<T> {
    let mismatch = |message: String, raw: Value| -> Error {
        ChatError::OutputMismatch {
            type_name: target.type_name.clone(),
            message,
            raw,
        }
        .into()
    };
    let call = reply.content.iter().find_map(|c| match c {
        Content::ToolUse(u) if u.name == target.tool.name => Some(u.input.clone()),
        _ => None,
    });
    let (raw, value) = match call {
        Some(raw) if target.wrapped => match raw.get("value") {
            Some(v) => (raw.clone(), v.clone()),
            None => {
                let msg = format!(
                    "the model's output for `{}` has no \"value\" field",
                    target.type_name
                );
                return Err(mismatch(msg, raw));
            }
        },
        Some(raw) => (raw.clone(), raw),
        None => {
            let text = reply.text();
            match json_in_text(&text) {
                Some(parsed) => {
                    let value = match parsed.get("value") {
                        Some(v) if target.wrapped => v.clone(),
                        _ => parsed.clone(),
                    };
                    (parsed, value)
                }
                None => {
                    let msg = format!(
                        "the model answered in text instead of calling the {:?} tool, and the text is not JSON",
                        target.tool.name
                    );
                    return Err(mismatch(msg, Value::String(text)));
                }
            }
        }
    };
    serde_json::from_value(value).map_err(|e| {
        let msg = format!(
            "the model's output does not fit `{}`: {e}",
            target.type_name
        );
        mismatch(msg, raw)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::content::ToolUse;
    use crate::details::Usage;

    #[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema)]
    struct City {
        name: String,
        population: u32,
    }

    fn reply(content: Vec<Content>) -> ChatReply {
        ChatReply {
            content,
            stop_reason: None,
            usage: Usage::default(),
        }
    }

    #[test]
    fn an_object_type_is_the_tool_input() {
        let t = target::<City>();
        assert_eq!(t.tool.name, "City");
        t.tool.validate().unwrap();
        let ok = reply(vec![Content::ToolUse(ToolUse::new(
            "1",
            "City",
            json!({"name": "Oslo", "population": 700000}),
        ))]);
        assert_eq!(
            decode::<City>(&ok, &t).unwrap(),
            City {
                name: "Oslo".into(),
                population: 700000
            }
        );
        let bad = reply(vec![Content::ToolUse(ToolUse::new(
            "1",
            "City",
            json!({"name": "Oslo", "population": -1}),
        ))]);
        let err = decode::<City>(&bad, &t).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::OutputMismatch);
        assert_eq!(
            err.chat_error().unwrap().raw_output().unwrap()["population"],
            -1
        );
    }

    #[test]
    fn other_types_are_wrapped_and_text_json_is_accepted() {
        let t = target::<Vec<City>>();
        t.tool.validate().unwrap();
        assert!(t.tool.input_schema["$defs"]["City"].is_object());
        let ok = reply(vec![Content::ToolUse(ToolUse::new(
            "1",
            &t.tool.name,
            json!({"value": [{"name": "A", "population": 1}]}),
        ))]);
        assert_eq!(decode::<Vec<City>>(&ok, &t).unwrap().len(), 1);
        let text = reply(vec![Content::text(
            "```json\n{\"name\": \"B\", \"population\": 2}\n```",
        )]);
        assert_eq!(decode::<City>(&text, &target::<City>()).unwrap().name, "B");
        let prose = reply(vec![Content::text("I cannot.")]);
        let err = decode::<City>(&prose, &target::<City>()).unwrap_err();
        assert_eq!(
            err.chat_error().unwrap().raw_output(),
            Some(&json!("I cannot."))
        );
    }
}
