//! The texts a guardrail assesses (Converse messages and system prompt, `guardContent`
//! blocks, every string of an InvokeModel body or its tagged text) and the rewriting of a
//! family's response text when the guardrail intervenes.

use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// Converse
// ---------------------------------------------------------------------------------------

fn text_of_block(b: &Value) -> Option<String> {
    b.get("text")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            b["guardContent"]["text"]["text"]
                .as_str()
                .map(str::to_owned)
        })
}

/// The texts of a Converse input a guardrail assesses (see the module docs).
pub(crate) fn converse_input_texts(req: &Value) -> Vec<String> {
    let mut texts = Vec::new();
    let messages = req["messages"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let guarded = |blocks: &[Value]| blocks.iter().any(|b| b.get("guardContent").is_some());
    let all_blocks: Vec<Value> = messages
        .iter()
        .flat_map(|m| m["content"].as_array().cloned().unwrap_or_default())
        .collect();
    let only_guarded = guarded(&all_blocks);
    for b in &all_blocks {
        if only_guarded && b.get("guardContent").is_none() {
            continue;
        }
        texts.extend(text_of_block(b));
    }
    let system = req["system"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let system_guarded = guarded(system);
    for b in system {
        if system_guarded && b.get("guardContent").is_none() {
            continue;
        }
        texts.extend(text_of_block(b));
    }
    texts.retain(|t| !t.is_empty());
    texts
}

// ---------------------------------------------------------------------------------------
// InvokeModel
// ---------------------------------------------------------------------------------------

const OPEN_TAG: &str = "<amazon-bedrock-guardrails-guardContent_";

const CLOSE_TAG: &str = "</amazon-bedrock-guardrails-guardContent_";

/// Keys whose string values are not prompt text (versions, roles, encodings, data).
const NOT_TEXT: [&str; 10] = [
    "anthropic_version",
    "schemaVersion",
    "role",
    "type",
    "media_type",
    "data",
    "bytes",
    "format",
    "id",
    "tool_use_id",
];

fn collect_strings(v: &Value, key: Option<&str>, out: &mut Vec<String>) {
    match v {
        Value::String(s) if !key.is_some_and(|k| NOT_TEXT.contains(&k)) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, key, out)),
        Value::Object(o) => o
            .iter()
            .for_each(|(k, x)| collect_strings(x, Some(k.as_str()), out)),
        _ => {}
    }
}

/// The text between the guard-content tags of `suffix` in `s`.
fn tagged(s: &str, suffix: &str) -> Vec<String> {
    let open = format!("{OPEN_TAG}{suffix}>");
    let close = format!("{CLOSE_TAG}{suffix}>");
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        let end = after.find(&close).unwrap_or(after.len());
        out.push(after[..end].to_owned());
        rest = &after[(end + close.len()).min(after.len())..];
    }
    out
}

fn strip_tags(v: &mut Value, suffix: &str) {
    let open = format!("{OPEN_TAG}{suffix}>");
    let close = format!("{CLOSE_TAG}{suffix}>");
    match v {
        Value::String(s) if s.contains(&open) || s.contains(&close) => {
            *s = s.replace(&open, "").replace(&close, "");
        }
        Value::Array(a) => a.iter_mut().for_each(|x| strip_tags(x, suffix)),
        Value::Object(o) => o.values_mut().for_each(|x| strip_tags(x, suffix)),
        _ => {}
    }
}

/// An InvokeModel body prepared for a guardrail: the texts it assesses and the body the model
/// reads (without `amazon-bedrock-guardrailConfig` and the guard-content tags).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(crate) struct InvokeInput {
    /// The assessed texts.
    pub(crate) texts: Vec<String>,
    /// The body for the model.
    pub(crate) body: Vec<u8>,
}

/// Prepares an InvokeModel body. A body that is not a JSON object is passed on unchanged (the
/// model's own validation answers it), with nothing to assess.
pub(crate) fn invoke_input(body: &[u8]) -> InvokeInput {
    let Ok(Value::Object(mut obj)) = serde_json::from_slice::<Value>(body) else {
        return InvokeInput {
            texts: Vec::new(),
            body: body.to_vec(),
        };
    };
    let config = obj.remove("amazon-bedrock-guardrailConfig");
    let suffix = config
        .as_ref()
        .and_then(|c| c["tagSuffix"].as_str())
        .map(str::to_owned);
    let mut strings = Vec::new();
    let mut value = Value::Object(obj);
    collect_strings(&value, None, &mut strings);
    let texts = match &suffix {
        Some(sfx) => {
            let t = strings.iter().flat_map(|s| tagged(s, sfx)).collect();
            strip_tags(&mut value, sfx);
            t
        }
        None => strings,
    };
    InvokeInput {
        texts,
        body: serde_json::to_vec(&value).unwrap_or_else(|_| body.to_vec()),
    }
}

/// Where a family's response and stream chunks carry generated text (JSON pointers, `*`
/// standing for every array index).
fn text_slots(family: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match family {
        "claude_messages" => (&["/content/*/text"], &["/delta/text"]),
        "claude_text" => (&["/completion"], &["/completion"]),
        "titan_text" => (&["/results/*/outputText"], &["/outputText"]),
        "llama3" | "llama2_chat" => (&["/generation"], &["/generation"]),
        "mistral" => (&["/outputs/*/text"], &["/outputs/*/text"]),
        "mistral_chat" => (
            &["/choices/*/message/content"],
            &["/choices/*/message/content"],
        ),
        "jamba" => (
            &["/choices/*/message/content"],
            &["/choices/*/delta/content"],
        ),
        "command" => (&["/generations/*/text"], &["/text"]),
        "command_r" => (&["/text"], &["/text"]),
        "jurassic" => (&["/completions/*/data/text"], &[]),
        "nova" => (
            &["/output/message/content/*/text"],
            &["/contentBlockDelta/delta/text"],
        ),
        _ => (&[], &[]),
    }
}

fn walk<'v>(v: &'v Value, path: &[&str], out: &mut Vec<&'v str>) {
    let Some((head, rest)) = path.split_first() else {
        out.extend(v.as_str());
        return;
    };
    if *head == "*" {
        for item in v.as_array().into_iter().flatten() {
            walk(item, rest, out);
        }
    } else if let Some(child) = v.get(*head) {
        walk(child, rest, out);
    }
}

fn walk_mut(v: &mut Value, path: &[&str], f: &mut dyn FnMut(&mut Value)) {
    let Some((head, rest)) = path.split_first() else {
        if v.is_string() {
            f(v);
        }
        return;
    };
    if *head == "*" {
        if let Value::Array(items) = v {
            for item in items {
                walk_mut(item, rest, f);
            }
        }
    } else if let Some(child) = v.get_mut(*head) {
        walk_mut(child, rest, f);
    }
}

fn split(pointer: &str) -> Vec<&str> {
    pointer.trim_start_matches('/').split('/').collect()
}

/// The text at `pointers` of `v`, concatenated.
fn texts_at(v: &Value, pointers: &[&str]) -> String {
    let mut out = Vec::new();
    for p in pointers {
        walk(v, &split(p), &mut out);
    }
    out.concat()
}

/// Sets the text slots at `pointers` of `v`: the first one seen (`first`) to `message`, the
/// others to "".
fn replace_at(v: &mut Value, pointers: &[&str], message: &str, first: &mut bool) {
    for p in pointers {
        walk_mut(v, &split(p), &mut |slot| {
            *slot = json!(if *first { message } else { "" });
            *first = false;
        });
    }
}

/// The generated text of a family's response body.
pub(crate) fn response_text(family: &str, body: &Value) -> String {
    texts_at(body, text_slots(family).0)
}

/// Replaces the generated text of a family's response body with `message` (tool calls are
/// dropped).
pub(crate) fn replace_response_text(family: &str, body: &mut Value, message: &str) {
    if family == "claude_messages" {
        if let Some(obj) = body.as_object_mut() {
            obj.insert("content".into(), json!([{"type": "text", "text": message}]));
            if obj.contains_key("stop_reason") {
                obj.insert("stop_reason".into(), json!("end_turn"));
                obj.insert("stop_sequence".into(), Value::Null);
            }
        }
        return;
    }
    if family == "nova" {
        body["output"]["message"]["content"] = json!([{"text": message}]);
        return;
    }
    replace_at(body, text_slots(family).0, message, &mut true);
    if let Some(choices) = body["choices"].as_array_mut() {
        for c in choices {
            if let Some(m) = c["message"].as_object_mut() {
                m.remove("tool_calls");
            }
        }
    }
    if let Some(obj) = body.as_object_mut() {
        obj.remove("tool_calls");
    }
}

/// The Claude body Bedrock answers when a guardrail blocks the input (recorded; see the module
/// docs).
pub(crate) fn claude_blocked_input_body(message: &str) -> Value {
    json!({
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": message}],
    })
}

/// The generated text of a family's stream chunks.
pub(crate) fn chunks_text(family: &str, chunks: &[Value]) -> String {
    let pointers = text_slots(family).1;
    chunks.iter().map(|c| texts_at(c, pointers)).collect()
}

/// Replaces the generated text of a family's stream chunks with `message`: the first text
/// slot carries it, the others become empty (a Cohere Command R `stream-end` chunk's
/// `response.text` becomes the message).
pub(crate) fn replace_chunks_text(family: &str, chunks: &mut [Value], message: &str) {
    let pointers = text_slots(family).1;
    let mut first = true;
    for c in chunks.iter_mut() {
        replace_at(c, pointers, message, &mut first);
        if family == "command_r" && c["response"]["text"].is_string() {
            c["response"]["text"] = json!(message);
        }
    }
}
