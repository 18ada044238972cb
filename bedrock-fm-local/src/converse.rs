//! The Converse API, family-independent: Bedrock's conversation rules, then a reply from the
//! deterministic engine, as a Converse response or as ConverseStream events.
//!
//! Conversation rules checked (with Bedrock's wording where users have recorded it):
//!
//! - the model supports Converse ("This action doesn't support the model that you provided.
//!   Try again with a supported text or chat model.") and, for ConverseStream, streaming;
//! - the conversation starts with a user message ("A conversation must start with a user
//!   message. Try again with a conversation that starts with a user message.", pydantic-ai
//!   issue #4495) and alternates roles ("A conversation must alternate between user and
//!   assistant roles. Make sure the conversation alternates between user and assistant roles
//!   and try again.", semantic-kernel issue #10281);
//! - no message is empty ("The content field in the Message object at messages.N is empty. Add
//!   a ContentBlock object to the content field and try again.", llmgateway PR #3127);
//! - `toolUse`/`toolResult` blocks need `toolConfig` ("The toolConfig field must be defined
//!   when using toolUse and toolResult content blocks.", pentagi issue #160), and `toolConfig`
//!   needs a model with tool use ("This model doesn't support tool use.", langchain-aws #447);
//! - images need a vision model; images and documents only in user messages, and a document
//!   needs a text block beside it (both documented on the service model's `Message.content`);
//! - `maxTokens` within the model's output limit;
//! - images and documents within the limits of the `Message` reference, each image a real image
//!   of its declared format (see [`crate::media_check`] for the limits and the wording);
//! - prompt caching (`cachePoint` in `system`, `messages` and `toolConfig.tools`) only on the
//!   models that support it, within their rules (see [`crate::prompt_cache`]): any other model
//!   answers `AccessDeniedException` "You invoked an unsupported model or your request did not
//!   allow prompt caching." (recorded against live Bedrock in strands-agents/harness-sdk PR
//!   #1807 and BerriAI/litellm PR #39210, both 403); Claude's limits in Anthropic's words as
//!   Bedrock passes them on ("The model returned the following errors: A maximum of 4 blocks
//!   with cache_control may be provided. Found 5.", Wei-Shaw/sub2api issue #176; the TTL order
//!   message of Portkey-AI/gateway issue #1762);
//! - Claude adaptive thinking only on the models that take it: "The model returned the
//!   following errors: thinking: Input tag 'adaptive' found using 'type' does not match any of
//!   the expected tags: 'disabled', 'enabled'" (Claude Sonnet 4.5 through Converse,
//!   strands-agents/harness-sdk issue #1856).
//!
//! The reply: when [`crate::engine::choose_tool`] picks a tool, a `toolUse` block (after a short
//! text when the choice was `auto`) with input generated from the tool's schema and stop reason
//! `tool_use`; otherwise text from [`crate::engine::Engine::generate`], whose focus is the last
//! user turn. A reasoning block comes first when `additionalModelRequestFields` enables it
//! (Claude's `thinking: {"type": "enabled", "budget_tokens": N}` or `thinking: {"type":
//! "adaptive"}` with `output_config: {"effort": ...}`, per
//! <https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-adaptive-thinking.html>;
//! Nova's `reasoningConfig: {"type": "enabled", "maxReasoningEffort": ...}`): a
//! `reasoningContent` block with `reasoningText` `{text, signature}`, streamed as
//! `reasoningContent` text deltas and a signature delta. Its length follows the budget or the
//! effort (`low`, `medium`, `high`/`max`: at most 16, 32 or 64 tokens).
//!
//! Input tokens: the tokens of the system prompt, every text, tool result and tool input of the
//! conversation and the tool definitions, plus 100 per image, document, video or audio block.
//! With prompt caching, the cached tokens are reported as `cacheReadInputTokens` and
//! `cacheWriteInputTokens` and left out of `inputTokens`.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::engine::{self, StopReason, TextRequest, ToolChoice, ToolSpec};
use crate::errors::ServiceError;
use crate::models::{ConverseCall, ConverseEvent, ConverseOutput, OutputBlock, Usage};

mod cache;
mod check;
#[cfg(test)]
mod tests;

use cache::cache_prompt;
pub(crate) use cache::{cache_account, cache_problem_error};
pub(crate) use check::check;
use check::reasoning_budget;

/// Tokens counted for each image, document, video or audio block.
pub(crate) const MEDIA_BLOCK_TOKENS: u32 = 100;

const MEDIA_KEYS: [&str; 4] = ["image", "document", "video", "audio"];

fn messages(request: &Value) -> &[Value] {
    request
        .get("messages")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn blocks(message: &Value) -> &[Value] {
    message
        .get("content")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn role(message: &Value) -> &str {
    message.get("role").and_then(Value::as_str).unwrap_or("")
}

/// The text a content block contributes to the prompt.
fn block_text(block: &Value) -> String {
    if let Some(t) = block.get("text").and_then(Value::as_str) {
        return t.to_owned();
    }
    if let Some(t) = block["guardContent"]["text"]["text"].as_str() {
        return t.to_owned();
    }
    if let Some(tr) = block.get("toolResult") {
        let parts: Vec<String> = tr
            .get("content")
            .and_then(Value::as_array)
            .map(|c| {
                c.iter()
                    .map(|part| match (part.get("text"), part.get("json")) {
                        (Some(Value::String(t)), _) => t.clone(),
                        (_, Some(j)) => j.to_string(),
                        _ => String::new(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        return parts.join("\n");
    }
    if let Some(tu) = block.get("toolUse") {
        return tu.get("input").map(Value::to_string).unwrap_or_default();
    }
    if let Some(r) = block.get("reasoningContent") {
        return r["reasoningText"]["text"].as_str().unwrap_or("").to_owned();
    }
    if let Some(d) = block.get("document") {
        return d
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
    }
    String::new()
}

fn is_media(block: &Value) -> bool {
    MEDIA_KEYS.iter().any(|k| block.get(*k).is_some())
}

fn system_text(system: Option<&Value>) -> String {
    system
        .and_then(Value::as_array)
        .map(|blocks| {
            blocks
                .iter()
                .filter_map(|b| {
                    b.get("text")
                        .and_then(Value::as_str)
                        .or(b["guardContent"]["text"]["text"].as_str())
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

fn tools(tool_config: Option<&Value>) -> Vec<ToolSpec> {
    tool_config
        .and_then(|c| c.get("tools"))
        .and_then(Value::as_array)
        .map(|tools| {
            tools
                .iter()
                .filter_map(|t| t.get("toolSpec"))
                .map(|spec| {
                    let mut t = ToolSpec::new(
                        spec.get("name").and_then(Value::as_str).unwrap_or(""),
                        spec["inputSchema"]["json"].clone(),
                    );
                    t.description = spec
                        .get("description")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    t
                })
                .collect()
        })
        .unwrap_or_default()
}

fn tool_choice(tool_config: Option<&Value>) -> ToolChoice {
    let Some(choice) = tool_config.and_then(|c| c.get("toolChoice")) else {
        return ToolChoice::Auto;
    };
    if choice.get("any").is_some() {
        ToolChoice::Any
    } else if let Some(name) = choice["tool"]["name"].as_str() {
        ToolChoice::Tool(name.to_owned())
    } else {
        ToolChoice::Auto
    }
}

/// The whole prompt text (system, messages, tool definitions) and the number of media blocks.
fn prompt_text(input: &Value) -> (String, u32) {
    let mut parts = vec![system_text(input.get("system"))];
    let mut media = 0u32;
    for m in messages(input) {
        for b in blocks(m) {
            if is_media(b) {
                media += 1;
            }
            parts.push(block_text(b));
        }
    }
    for t in tools(input.get("toolConfig")) {
        parts.push(t.name.clone());
        if let Some(d) = &t.description {
            parts.push(d.clone());
        }
        parts.push(t.input_schema.to_string());
    }
    parts.retain(|p| !p.is_empty());
    (parts.join("\n"), media)
}

/// Input tokens of a Converse-shaped input (`messages`, `system`, `toolConfig`).
pub(crate) fn input_tokens(input: &Value) -> u32 {
    let (text, media) = prompt_text(input);
    engine::count_tokens(&text).saturating_add(media.saturating_mul(MEDIA_BLOCK_TOKENS))
}

/// Input tokens of a CountTokens `input` union.
pub(crate) fn count_tokens_input(input: &Value) -> Result<u32, ServiceError> {
    if let Some(c) = input.get("converse") {
        return Ok(input_tokens(c));
    }
    if let Some(body) = input["invokeModel"]["body"].as_str() {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| {
                ServiceError::validation("The provided request body is not valid base64.")
            })?;
        let json: Value = serde_json::from_slice(&bytes).map_err(|e| {
            ServiceError::malformed_input(&format!("the body is not valid JSON ({e})"))
        })?;
        let mut text = Vec::new();
        collect_strings(&json, &mut text);
        return Ok(engine::count_tokens(&text.join("\n")));
    }
    Err(ServiceError::validation(
        "The input field must set either converse or invokeModel.",
    ))
}

fn collect_strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// The generic Converse reply (after [`check`]).
pub(crate) fn generate(call: &ConverseCall<'_>) -> Result<ConverseOutput, ServiceError> {
    check(call)?;
    let req = call.request;
    let engine = call.engine;
    let (prompt, _) = prompt_text(req);
    let input = input_tokens(req);
    let msgs = messages(req);
    let last = msgs.last();
    let last_is_user = last.map(role) == Some("user");
    let last_blocks = last.map(blocks).unwrap_or(&[]);
    let has_tool_results =
        last_is_user && last_blocks.iter().any(|b| b.get("toolResult").is_some());
    let mut focus: Vec<String> = last_blocks
        .iter()
        .filter_map(|b| b.get("text").and_then(Value::as_str).map(str::to_owned))
        .collect();
    if focus.is_empty() {
        focus = last_blocks
            .iter()
            .map(block_text)
            .filter(|t| !t.is_empty())
            .collect();
    }
    let focus = focus.join(" ");
    let inference = &req["inferenceConfig"];
    let max_tokens = inference["maxTokens"]
        .as_u64()
        .map(|m| m.min(u32::MAX as u64) as u32)
        .or(call.model.max_output_tokens);
    let stop_sequences: Vec<String> = inference["stopSequences"]
        .as_array()
        .map(|s| {
            s.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();

    // Checkpoints are checked now; the cache is read and written once the reply exists.
    let prompt_for_cache = cache_prompt(req);
    let cache = cache_account(call.model, &prompt_for_cache, None, cache_problem_error)?;
    let mut blocks_out = Vec::new();
    let mut output_tokens = 0u32;
    if let Some(budget) = reasoning_budget(req, call.model)? {
        let r = engine.reasoning(&focus, budget);
        output_tokens += r.output_tokens;
        blocks_out.push(OutputBlock::Reasoning {
            signature: engine.id("", &format!("signature:{}", r.text), 48),
            text: r.text,
            pieces: r.pieces,
        });
    }

    let tool_config = req.get("toolConfig");
    let offered = tools(tool_config);
    let choice = tool_choice(tool_config);
    let chosen = if last_is_user {
        engine::choose_tool(&offered, &choice, &focus, has_tool_results)
    } else {
        None
    };
    let stop_reason = if let Some(i) = chosen {
        let tool = &offered[i];
        if choice == ToolChoice::Auto {
            let preface = format!("I'll use the {} tool.", tool.name);
            output_tokens += engine::count_tokens(&preface);
            blocks_out.push(OutputBlock::text(preface));
        }
        let input = engine::value_for_schema(
            &tool.input_schema,
            &focus,
            engine.seed ^ engine::hash64(&[tool.name.as_bytes()]),
        );
        output_tokens += engine::count_tokens(&input.to_string());
        blocks_out.push(OutputBlock::ToolUse {
            id: engine.id("tooluse_", &format!("{}\u{0}{prompt}", tool.name), 22),
            name: tool.name.clone(),
            input,
        });
        StopReason::ToolUse
    } else {
        let g = engine.generate(
            &TextRequest::new(&prompt)
                .focus(&focus)
                .max_tokens(max_tokens)
                .stop_sequences(&stop_sequences),
        );
        output_tokens += g.output_tokens;
        blocks_out.push(OutputBlock::Text {
            text: g.text,
            pieces: g.pieces,
        });
        g.stop_reason
    };
    let mut usage = Usage::new(input, output_tokens);
    if let Some((rules, _)) = cache {
        // Only a request that succeeds reads and writes the cache.
        let account = call
            .prompt_cache
            .map(|c| c.account(&call.model.model_id, &prompt_for_cache, &rules))
            .unwrap_or_default();
        usage = usage.with_cache(account);
    }
    Ok(ConverseOutput {
        blocks: blocks_out,
        stop_reason,
        usage,
        additional_model_response_fields: None,
    })
}

/// Splits `s` into chunks of at most `n` characters.
fn chunks(s: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    chars.chunks(n.max(1)).map(|c| c.iter().collect()).collect()
}

/// The ConverseStream events of a reply, in the order Bedrock sends them: `messageStart`; per
/// block, `contentBlockStart` (tool use only), its `contentBlockDelta`s and
/// `contentBlockStop`; `messageStop`; `metadata`.
pub(crate) fn events(output: &ConverseOutput) -> Vec<ConverseEvent> {
    let mut ev = vec![ConverseEvent::MessageStart];
    for (index, block) in output.blocks.iter().enumerate() {
        match block {
            OutputBlock::Text { pieces, .. } => {
                if pieces.is_empty() {
                    ev.push(ConverseEvent::ContentBlockDelta {
                        index,
                        delta: json!({"text": ""}),
                    });
                }
                for p in pieces {
                    ev.push(ConverseEvent::ContentBlockDelta {
                        index,
                        delta: json!({"text": p}),
                    });
                }
            }
            OutputBlock::ToolUse { id, name, input } => {
                ev.push(ConverseEvent::ContentBlockStart {
                    index,
                    start: json!({"toolUse": {"toolUseId": id, "name": name}}),
                });
                for part in chunks(&input.to_string(), 12) {
                    ev.push(ConverseEvent::ContentBlockDelta {
                        index,
                        delta: json!({"toolUse": {"input": part}}),
                    });
                }
            }
            OutputBlock::Reasoning {
                pieces, signature, ..
            } => {
                for p in pieces {
                    ev.push(ConverseEvent::ContentBlockDelta {
                        index,
                        delta: json!({"reasoningContent": {"text": p}}),
                    });
                }
                ev.push(ConverseEvent::ContentBlockDelta {
                    index,
                    delta: json!({"reasoningContent": {"signature": signature}}),
                });
            }
        }
        ev.push(ConverseEvent::ContentBlockStop { index });
    }
    ev.push(ConverseEvent::MessageStop {
        stop_reason: output.stop_reason,
        additional_model_response_fields: output.additional_model_response_fields.clone(),
    });
    ev.push(ConverseEvent::Metadata {
        usage: output.usage,
    });
    ev
}
