//! Reading a native InvokeModel body: parsing, validation against the family's schema with
//! Bedrock's wording (see the parent module), and values at JSON pointers.

use bedrock_fm::catalog::Family;
use bedrock_fm::schema::Violation;
use serde_json::Value;

use crate::errors::ServiceError;
use crate::models::{InvokeCall, ModelCaps};

/// The body of an InvokeModel call, parsed and validated against `family`'s request schema.
pub(crate) fn request(call: &InvokeCall<'_>, family: Family) -> Result<Value, ServiceError> {
    let body = parse_body(call.body)?;
    validate(family, &body)?;
    Ok(body)
}

/// Parses a body that must be a JSON object. A body that does not start with `{` gets the
/// message of the `org.json` parser behind Bedrock's validator (`A JSONObject text must begin
/// with '{' at 1 [character 2 line 1]`); other syntax errors are described by serde_json.
pub(crate) fn parse_body(body: &[u8]) -> Result<Value, ServiceError> {
    let text = String::from_utf8_lossy(body);
    if !text.trim_start().starts_with('{') {
        return Err(ServiceError::malformed_input(&format!(
            "A JSONObject text must begin with '{{'{}",
            tokener_position(&text)
        )));
    }
    serde_json::from_slice(body).map_err(|e| ServiceError::malformed_input(&e.to_string()))
}

/// `org.json`'s ` at <index> [character <c> line <l>]` after reading the first non-blank
/// character (or the end of the text).
fn tokener_position(text: &str) -> String {
    let (mut index, mut character, mut line) = (0usize, 1usize, 1usize);
    for c in text.chars() {
        index += 1;
        if c == '\n' {
            line += 1;
            character = 0;
        } else {
            character += 1;
        }
        if !c.is_whitespace() {
            break;
        }
    }
    format!(" at {index} [character {character} line {line}]")
}

/// Validates `body` against `family`'s request schema.
pub(crate) fn validate(family: Family, body: &Value) -> Result<(), ServiceError> {
    let violations = family.request_spec().validate(body);
    if violations.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::malformed_input(&describe(&violations)))
    }
}

/// The violations as Bedrock writes them: `pointer: problem`, concatenated.
pub(crate) fn describe(violations: &[Violation]) -> String {
    violations.iter().map(ToString::to_string).collect()
}

/// Rejects an output limit above the model's, in the validator's words (`#/maxTokens: 5000 is
/// not less or equal to 3072`): the schema allows the family's largest limit, the model may
/// allow less (Titan Text Premier: 3,072 of the family's 8,192).
pub(crate) fn check_model_limit(
    caps: &ModelCaps,
    pointer: &str,
    requested: Option<u32>,
) -> Result<(), ServiceError> {
    match (requested, caps.max_output_tokens) {
        (Some(n), Some(limit)) if n > limit => Err(ServiceError::malformed_input(&format!(
            "{pointer}: {n} is not less or equal to {limit}"
        ))),
        _ => Ok(()),
    }
}

/// The non-negative integer at a JSON pointer, saturated to `u32`.
pub(crate) fn u32_at(body: &Value, pointer: &str) -> Option<u32> {
    body.pointer(pointer)
        .and_then(Value::as_u64)
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

/// The string at a JSON pointer.
pub(crate) fn str_at<'a>(body: &'a Value, pointer: &str) -> Option<&'a str> {
    body.pointer(pointer).and_then(Value::as_str)
}

/// The strings of the array at a JSON pointer (none when absent).
pub(crate) fn strings_at(body: &Value, pointer: &str) -> Vec<String> {
    body.pointer(pointer)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The text after the last `open` marker of a templated prompt, up to the next `close` marker
/// (or the end), trimmed: the last user turn, which the engine's reply echoes.
pub(crate) fn last_between<'a>(prompt: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = prompt.rfind(open)? + open.len();
    let rest = &prompt[start..];
    let end = rest.find(close).unwrap_or(rest.len());
    let focus = rest[..end].trim();
    (!focus.is_empty()).then_some(focus)
}
