//! Claude Messages prompt caching: the prompt as the cache sees it, with its `cache_control`
//! checkpoints, and Anthropic's wording for the checkpoints it refuses.

use serde_json::Value;

use super::tool_result_text;
use crate::converse::MEDIA_BLOCK_TOKENS;
use crate::engine;
use crate::errors::ServiceError;
use crate::families::text::codec_support;
use crate::prompt_cache::{CacheProblem, CacheRules, CacheTtl, Prompt, Section};

/// The input tokens of one content block, as [`Chat::input_tokens`] counts them.
fn block_tokens(b: &Value) -> u32 {
    let count = |v: &Value| engine::count_tokens(v.as_str().unwrap_or_default());
    match b["type"].as_str().unwrap_or_default() {
        "text" => count(&b["text"]),
        "image" => MEDIA_BLOCK_TOKENS,
        "document" => MEDIA_BLOCK_TOKENS.saturating_add(count(&b["title"])),
        "tool_use" => engine::count_tokens(&b["input"].to_string()),
        "tool_result" => engine::count_tokens(&tool_result_text(b.get("content"))),
        "thinking" => count(&b["thinking"]),
        _ => 0,
    }
}

/// The prompt as the cache sees it (tools, system, messages) with the `cache_control`
/// checkpoints.
pub(super) fn cache_prompt(body: &Value) -> Prompt {
    let mut p = Prompt::new();
    let mark = |p: &mut Prompt, v: &Value, section, location: String| {
        if let Some(cc) = v.get("cache_control").filter(|c| c.is_object()) {
            let ttl = CacheTtl::parse(cc["ttl"].as_str()).unwrap_or(CacheTtl::FiveMinutes);
            p.checkpoint(ttl, section, location);
        }
    };
    let canonical = |v: &Value| {
        let mut v = v.clone();
        if let Some(o) = v.as_object_mut() {
            o.remove("cache_control");
        }
        v.to_string()
    };
    for (i, t) in body["tools"].as_array().into_iter().flatten().enumerate() {
        let spec = codec_support::tool(
            t["name"].as_str().unwrap_or_default(),
            t["description"].as_str(),
            t.get("input_schema"),
        );
        let tokens = engine::count_tokens(&spec.name)
            + spec
                .description
                .as_deref()
                .map(engine::count_tokens)
                .unwrap_or(0)
            + engine::count_tokens(&spec.input_schema.to_string());
        p.content(&format!("tool\u{0}{}", canonical(t)), tokens);
        mark(&mut p, t, Section::Tools, format!("tools.{i}"));
    }
    match &body["system"] {
        Value::String(text) => p.content(&format!("system\u{0}{text}"), engine::count_tokens(text)),
        Value::Array(blocks) => {
            for (i, b) in blocks.iter().enumerate() {
                p.content(
                    &format!("system\u{0}{}", canonical(b)),
                    engine::count_tokens(b["text"].as_str().unwrap_or_default()),
                );
                mark(&mut p, b, Section::System, format!("system.{i}"));
            }
        }
        _ => {}
    }
    for (i, m) in body["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let role = m["role"].as_str().unwrap_or_default();
        match &m["content"] {
            Value::String(text) => {
                p.content(&format!("{role}\u{0}{text}"), engine::count_tokens(text));
            }
            Value::Array(blocks) => {
                for (j, b) in blocks.iter().enumerate() {
                    p.content(&format!("{role}\u{0}{}", canonical(b)), block_tokens(b));
                    mark(
                        &mut p,
                        b,
                        Section::Messages,
                        format!("messages.{i}.content.{j}"),
                    );
                }
            }
            _ => {}
        }
    }
    p
}

/// Anthropic's answers to checkpoints it refuses (see [`crate::converse::cache_problem_error`]
/// for the Converse wording).
pub(super) fn cache_problem_error(problem: &CacheProblem, rules: &CacheRules) -> ServiceError {
    match problem {
        CacheProblem::TooMany { max, found } => ServiceError::validation(format!(
            "A maximum of {max} blocks with cache_control may be provided. Found {found}."
        )),
        CacheProblem::TtlOrder(c) => ServiceError::validation(format!(
            "{}.cache_control.ttl: a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block. Note that blocks are processed in the following order: `tools`, `system`, `messages`.",
            c.location
        )),
        other => crate::converse::cache_problem_error(other, rules),
    }
}
