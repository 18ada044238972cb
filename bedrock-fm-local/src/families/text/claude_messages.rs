//! Anthropic Claude Messages API (Claude 3 and later): `anthropic_version`, `max_tokens`,
//! `system`, `messages` of content blocks, `tools`, `tool_choice`, `thinking`,
//! `stop_sequences`.
//!
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html>
//!
//! - Response: `{"id", "type": "message", "role": "assistant", "model", "content": [blocks],
//!   "stop_reason", "stop_sequence", "usage": {"input_tokens", "output_tokens", ...}}` with
//!   `stop_reason` `end_turn`, `max_tokens`, `stop_sequence` or `tool_use`, and `text`,
//!   `tool_use` and `thinking` content blocks.
//! - Stream: `message_start` (the message with empty content and the input usage), per block
//!   `content_block_start`, `content_block_delta`s (`text_delta`, `input_json_delta`,
//!   `thinking_delta`, `signature_delta`) and `content_block_stop`, then `message_delta`
//!   (`stop_reason`, `stop_sequence`, `usage.output_tokens`) and `message_stop`, which carries
//!   the invocation metrics.
//! - Conversation rules and their messages are Anthropic's, as Bedrock passes them on:
//!   `messages: roles must alternate between "user" and "assistant", but found multiple "user"
//!   roles in a row` (anthropic-sdk-typescript issue #565, recorded from Bedrock), and `max_tokens:
//!   32000 > 4096, which is the maximum allowed number of output tokens for
//!   claude-3-opus-20240229` (chathub issue #1222).
//! - Thinking: `{"type": "enabled", "budget_tokens": N}` (N below `max_tokens`), or, on the
//!   models with adaptive thinking (Claude Opus 4.6, Sonnet 4.6: the catalog's `effort`
//!   reasoning), `{"type": "adaptive"}` with `output_config.effort` (`low`, `medium`, `high`,
//!   the default), per
//!   <https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-adaptive-thinking.html>.
//!   Both answer a `thinking` block with a signature first. Adaptive thinking elsewhere gets
//!   Anthropic's answer, `thinking: Input tag 'adaptive' found using 'type' does not match any
//!   of the expected tags: 'disabled', 'enabled'` (recorded for Claude Sonnet 4.5,
//!   strands-agents/harness-sdk issue #1856).
//! - Images and documents: in user turns only, at most 20 images and 5 documents, each image
//!   valid base64 of a real image of its `media_type`, within 3.75 MB and 8,000 px, each
//!   document within 4.5 MB, with the wording of [`crate::media_check`] (Claude's own,
//!   without Converse's "The model returned the following errors: " prefix).
//! - Prompt caching: `cache_control` `{"type": "ephemeral", "ttl"?}` on tools, system blocks and
//!   content blocks marks checkpoints (see [`crate::prompt_cache`]); `usage` reports
//!   `cache_creation_input_tokens` and `cache_read_input_tokens`, `input_tokens` excluding
//!   them. More than 4 get Anthropic's "A maximum of 4 blocks with cache_control may be
//!   provided. Found 5." (Wei-Shaw/sub2api issue #176); a model without prompt caching answers
//!   Bedrock's `AccessDeniedException` (see [`crate::converse`]).

mod cache;
mod media;

use bedrock_fm::catalog::Family;
use serde_json::{Value, json};

use super::codec_support::{self, Chat, Reply, Turn};
use crate::engine::{StopReason, ToolChoice};
use crate::errors::ServiceError;
use crate::models::{ChunkStream, FamilyCodec, InvokeCall, InvokeOutput, OutputBlock, Usage};
use cache::{cache_problem_error, cache_prompt};
use media::check_media;

/// The Anthropic Claude Messages API codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClaudeMessages;

/// The Anthropic model name Bedrock reports in `model`: the model ID without the provider
/// prefix and the version suffix (`anthropic.claude-3-haiku-20240307-v1:0` ->
/// `claude-3-haiku-20240307`).
fn model_name(model_id: &str) -> String {
    let id = model_id.strip_prefix("anthropic.").unwrap_or(model_id);
    match id.rsplit_once("-v") {
        Some((name, version))
            if version.starts_with(|c: char| c.is_ascii_digit())
                && version
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ':') =>
        {
            name.to_owned()
        }
        _ => id.to_owned(),
    }
}

fn stop_reason(reason: StopReason) -> &'static str {
    match reason {
        StopReason::MaxTokens => "max_tokens",
        StopReason::StopSequence => "stop_sequence",
        StopReason::ToolUse => "tool_use",
        _ => "end_turn",
    }
}

/// A value's type as Bedrock's validator names it (see `bedrock_fm::schema`).
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(n) if n.is_f64() => "BigDecimal",
        Value::Number(_) => "Integer",
        Value::String(_) => "String",
        Value::Array(_) => "JSONArray",
        Value::Object(_) => "JSONObject",
    }
}

/// Validates a `content` (or `system`) value: a string or an array of content blocks.
fn check_blocks(value: &Value, pointer: &str) -> Result<(), ServiceError> {
    let field = Family::ClaudeMessages
        .response_spec()
        .field_by_wire("content")
        .expect("the response has content");
    let violations = match value {
        Value::String(_) => Vec::new(),
        Value::Array(_) => field.validate_value(value),
        other => {
            return Err(ServiceError::malformed_input(&format!(
                "{pointer}: expected type: String or JSONArray, found: {}",
                json_type(other)
            )));
        }
    };
    if violations.is_empty() {
        return Ok(());
    }
    let moved: Vec<_> = violations
        .into_iter()
        .map(|mut v| {
            v.pointer = v.pointer.replacen("#/content", pointer, 1);
            v
        })
        .collect();
    Err(ServiceError::malformed_input(&codec_support::describe(
        &moved,
    )))
}

/// The text of a `tool_result` block's content.
fn tool_result_text(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// A message's turn, and whether it uses tool blocks.
fn turn(message: &Value) -> (Turn, bool) {
    let mut t = Turn {
        user: message["role"] == "user",
        ..Turn::default()
    };
    let mut uses_tools = false;
    match &message["content"] {
        Value::String(s) => t.texts.push(s.clone()),
        Value::Array(blocks) => {
            for b in blocks {
                match b["type"].as_str().unwrap_or_default() {
                    "text" => t
                        .texts
                        .push(b["text"].as_str().unwrap_or_default().to_owned()),
                    "image" => t.media += 1,
                    "document" => {
                        t.media += 1;
                        t.other.extend(b["title"].as_str().map(str::to_owned));
                    }
                    "tool_use" => {
                        uses_tools = true;
                        t.other.push(b["input"].to_string());
                    }
                    "tool_result" => {
                        uses_tools = true;
                        t.tool_results = true;
                        t.other.push(tool_result_text(b.get("content")));
                    }
                    "thinking" => {
                        t.other
                            .push(b["thinking"].as_str().unwrap_or_default().to_owned());
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    (t, uses_tools)
}

fn is_empty_content(content: &Value) -> bool {
    match content {
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => true,
    }
}

/// The conversation of a validated body, after Anthropic's conversation rules.
fn chat(call: &InvokeCall<'_>, body: &Value) -> Result<Chat, ServiceError> {
    let max_tokens = codec_support::u32_at(body, "/max_tokens").unwrap_or(1);
    if let Some(limit) = call.model.max_output_tokens.filter(|l| max_tokens > *l) {
        return Err(ServiceError::validation(format!(
            "max_tokens: {max_tokens} > {limit}, which is the maximum allowed number of output tokens for {}",
            model_name(&call.model.model_id)
        )));
    }
    let mut system = Vec::new();
    if let Some(s) = body.get("system").filter(|s| !s.is_null()) {
        check_blocks(s, "#/system")?;
        match s {
            Value::String(text) => system.push(text.clone()),
            Value::Array(blocks) => system.extend(
                blocks
                    .iter()
                    .filter_map(|b| b["text"].as_str().map(str::to_owned)),
            ),
            _ => {}
        }
    }
    let messages = body["messages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    if messages.is_empty() {
        return Err(ServiceError::validation(
            "messages: at least one message is required",
        ));
    }
    let mut turns = Vec::new();
    let mut uses_tools = false;
    for (i, m) in messages.iter().enumerate() {
        check_blocks(&m["content"], &format!("#/messages/{i}/content"))?;
        let role = m["role"].as_str().unwrap_or_default();
        if i == 0 && role != "user" {
            return Err(ServiceError::validation(
                "messages: first message must use the \"user\" role",
            ));
        }
        if i > 0 && messages[i - 1]["role"] == m["role"] {
            return Err(ServiceError::validation(format!(
                "messages: roles must alternate between \"user\" and \"assistant\", but found multiple \"{role}\" roles in a row"
            )));
        }
        let final_assistant = i + 1 == messages.len() && role == "assistant";
        if is_empty_content(&m["content"]) && !final_assistant {
            return Err(ServiceError::validation(format!(
                "messages.{i}: all messages must have non-empty content except for the optional final assistant message"
            )));
        }
        let (t, tools) = turn(m);
        uses_tools |= tools;
        turns.push(t);
    }
    let tools: Vec<_> = body["tools"]
        .as_array()
        .map(|tools| {
            tools
                .iter()
                .map(|t| {
                    codec_support::tool(
                        t["name"].as_str().unwrap_or_default(),
                        t["description"].as_str(),
                        t.get("input_schema"),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    if uses_tools && body.get("tools").is_none_or(Value::is_null) {
        return Err(ServiceError::validation(
            "Requests which include `tool_use` or `tool_result` blocks must define tools.",
        ));
    }
    let tool_choice = match codec_support::str_at(body, "/tool_choice/type") {
        Some("any") => ToolChoice::Any,
        Some("none") => ToolChoice::None,
        Some("tool") => match codec_support::str_at(body, "/tool_choice/name") {
            Some(name) => ToolChoice::Tool(name.to_owned()),
            None => return Err(ServiceError::validation("tool_choice.name: Field required")),
        },
        _ => ToolChoice::Auto,
    };
    let reasoning = match codec_support::str_at(body, "/thinking/type") {
        Some("enabled") => {
            let budget = codec_support::u32_at(body, "/thinking/budget_tokens");
            if budget.is_some_and(|b| b >= max_tokens) {
                return Err(ServiceError::validation(
                    "`max_tokens` must be greater than `thinking.budget_tokens`.",
                ));
            }
            Some(budget)
        }
        Some("adaptive") => {
            if call.model.reasoning.as_deref() != Some("effort") {
                return Err(ServiceError::validation(
                    "thinking: Input tag 'adaptive' found using 'type' does not match any of the expected tags: 'disabled', 'enabled'",
                ));
            }
            Some(Some(
                match codec_support::str_at(body, "/output_config/effort") {
                    Some("low") => 16,
                    Some("medium") => 32,
                    _ => 64,
                },
            ))
        }
        _ => None,
    };
    check_media(call, messages)?;
    Ok(Chat {
        system,
        turns,
        tools,
        tool_choice,
        max_tokens: Some(max_tokens),
        stop_sequences: codec_support::strings_at(body, "/stop_sequences"),
        reasoning,
        preface: true,
        tool_id: ("toolu_bdrk_01", 22),
        ..Chat::default()
    })
}

/// The reply to a call, with the message ID.
fn reply(call: &InvokeCall<'_>) -> Result<(Reply, String), ServiceError> {
    let body = codec_support::request(call, Family::ClaudeMessages)?;
    let chat = chat(call, &body)?;
    let cache = crate::converse::cache_account(
        call.model,
        &cache_prompt(&body),
        call.prompt_cache,
        cache_problem_error,
    )?;
    let mut reply = chat.reply(call.engine);
    if let Some((_, account)) = cache {
        reply.usage = reply.usage.with_cache(account);
    }
    let id = call.engine.id("msg_bdrk_01", &chat.prompt(), 22);
    Ok((reply, id))
}

fn block_json(block: &OutputBlock) -> Value {
    match block {
        OutputBlock::Text { text, .. } => json!({"type": "text", "text": text}),
        OutputBlock::ToolUse { id, name, input } => {
            json!({"type": "tool_use", "id": id, "name": name, "input": input})
        }
        OutputBlock::Reasoning {
            text, signature, ..
        } => json!({"type": "thinking", "thinking": text, "signature": signature}),
    }
}

fn usage_json(usage: Usage, output: u32) -> Value {
    json!({
        "input_tokens": usage.input_tokens,
        "cache_creation_input_tokens": usage.cache_write_input_tokens.unwrap_or(0),
        "cache_read_input_tokens": usage.cache_read_input_tokens.unwrap_or(0),
        "output_tokens": output,
    })
}

/// The message object, with `content` and the stop fields as given.
fn message(
    call: &InvokeCall<'_>,
    id: &str,
    content: Value,
    reply: Option<&Reply>,
    usage: Value,
) -> Value {
    json!({
        "id": id,
        "type": "message",
        "role": "assistant",
        "model": model_name(&call.model.model_id),
        "content": content,
        "stop_reason": reply.map(|r| stop_reason(r.stop_reason)),
        "stop_sequence": reply.and_then(|r| r.stop_sequence.clone()),
        "usage": usage,
    })
}

/// The stream events of one content block (start, deltas, stop).
fn block_events(index: usize, block: &OutputBlock) -> Vec<Value> {
    let (start, deltas): (Value, Vec<Value>) = match block {
        OutputBlock::Text { pieces, .. } => (
            json!({"type": "text", "text": ""}),
            codec_support::stream_pieces(pieces)
                .into_iter()
                .map(|p| json!({"type": "text_delta", "text": p}))
                .collect(),
        ),
        OutputBlock::ToolUse { id, name, input } => (
            json!({"type": "tool_use", "id": id, "name": name, "input": {}}),
            codec_support::char_chunks(&input.to_string(), 12)
                .into_iter()
                .map(|p| json!({"type": "input_json_delta", "partial_json": p}))
                .collect(),
        ),
        OutputBlock::Reasoning {
            pieces, signature, ..
        } => {
            let mut deltas: Vec<Value> = pieces
                .iter()
                .map(|p| json!({"type": "thinking_delta", "thinking": p}))
                .collect();
            deltas.push(json!({"type": "signature_delta", "signature": signature}));
            (
                json!({"type": "thinking", "thinking": "", "signature": ""}),
                deltas,
            )
        }
    };
    let mut events =
        vec![json!({"type": "content_block_start", "index": index, "content_block": start})];
    events.extend(
        deltas
            .into_iter()
            .map(|d| json!({"type": "content_block_delta", "index": index, "delta": d})),
    );
    events.push(json!({"type": "content_block_stop", "index": index}));
    events
}

impl FamilyCodec for ClaudeMessages {
    fn family_id(&self) -> &'static str {
        Family::ClaudeMessages.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let (reply, id) = reply(call)?;
        let content: Vec<Value> = reply.blocks.iter().map(block_json).collect();
        let usage = usage_json(reply.usage, reply.usage.output_tokens);
        let response = message(call, &id, Value::Array(content), Some(&reply), usage);
        Ok(InvokeOutput::json(&response, Some(reply.usage)))
    }

    fn invoke_stream(&self, call: &InvokeCall<'_>) -> Result<ChunkStream, ServiceError> {
        let (reply, id) = reply(call)?;
        let usage = reply.usage;
        let start_usage = usage_json(usage, usage.output_tokens.min(1));
        let mut events = vec![json!({
            "type": "message_start",
            "message": message(call, &id, json!([]), None, start_usage),
        })];
        for (index, block) in reply.blocks.iter().enumerate() {
            events.extend(block_events(index, block));
        }
        events.push(json!({
            "type": "message_delta",
            "delta": {
                "stop_reason": stop_reason(reply.stop_reason),
                "stop_sequence": reply.stop_sequence,
            },
            "usage": {"output_tokens": usage.output_tokens},
        }));
        events.push(json!({"type": "message_stop"}));
        Ok(codec_support::stream(events, usage))
    }
}

#[cfg(test)]
mod tests;
