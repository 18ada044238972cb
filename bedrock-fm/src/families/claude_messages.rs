//! Anthropic Claude Messages API (Claude 3 and later).
//!
//! Sources:
//! - request and response, content blocks (`text`, `image` with a base64 `source` and its
//!   `media_type`, `document` with a base64 PDF source), `system`, prefill:
//!   <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html>
//!   and its request-response page
//!   <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html>;
//! - tools (`name`, `description`, `input_schema`), `tool_choice` (`auto`, `any`, `tool`),
//!   `tool_use` and `tool_result` blocks:
//!   <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-tool-use.html>;
//! - extended thinking (`thinking: {type: enabled, budget_tokens}`, at least 1,024 tokens and
//!   below `max_tokens`, only `tool_choice` auto with thinking; `thinking` blocks with their
//!   `signature`, sent back unchanged; `thinking_delta` and `signature_delta` stream events):
//!   <https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-extended-thinking.html>;
//! - adaptive thinking (`thinking: {type: adaptive}` with `output_config.effort`, Claude
//!   Opus 4.6 and Sonnet 4.6):
//!   <https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-adaptive-thinking.html>;
//! - prompt caching (`cache_control: {type: ephemeral}` on the block that ends the cached
//!   prefix): <https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html>.

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::claude_messages::ClaudeMessagesResponse;
use crate::catalog::ReasoningStyle;
use crate::chat::content::{Content, Reasoning, ToolResultContent, ToolUse};
use crate::chat::tools::ToolChoice;
use crate::chat::{ChatEvent, ReasoningConfig};
use crate::conversation::{Conversation, Role, Turn};
use crate::details::Usage;
use crate::error::{Error, Result};
use crate::generated::wrappers::Claude3Family;
use serde_json::{Map, Value, json};

/// The `anthropic_version` Bedrock requires.
pub(crate) const ANTHROPIC_VERSION: &str = "bedrock-2023-05-31";

/// The smallest thinking budget (extended-thinking page: "the minimum budget is 1,024
/// tokens").
const MIN_THINKING_BUDGET: u32 = 1024;

fn usage(u: Option<&Value>) -> Usage {
    let count = |k| {
        u.and_then(|u| u.get(k))
            .and_then(Value::as_u64)
            .map(|n| n as u32)
    };
    Usage {
        input_tokens: count("input_tokens"),
        output_tokens: count("output_tokens"),
        cache_read_tokens: count("cache_read_input_tokens"),
        cache_write_tokens: count("cache_creation_input_tokens"),
    }
}

fn ephemeral() -> Value {
    json!({"type": "ephemeral"})
}

/// The content blocks of one turn, in the order given; a cache point puts `cache_control`
/// on the block before it.
fn blocks(turn: &Turn, index: usize, ctx: &EncodeContext<'_>) -> Result<Vec<Value>> {
    let at = format!("conversation turn {}", index + 1);
    let mut out: Vec<Value> = Vec::new();
    let mut images = 0;
    let mut results = 0;
    for content in &turn.content {
        let block = match content {
            Content::Text(text) if text.is_empty() => continue,
            Content::Text(text) => json!({"type": "text", "text": text}),
            Content::Image(image) => {
                images += 1;
                image_block(ctx, image, &format!("{at}, image {images}"))?
            }
            Content::Document(doc) => {
                if !doc.format.eq_ignore_ascii_case("pdf") {
                    let msg = format!(
                        "the Claude native format takes PDF documents; {:?} is {}: use Api::Converse",
                        doc.name, doc.format
                    );
                    return Err(Error::invalid(at, msg));
                }
                use base64::Engine as _;
                json!({
                    "type": "document",
                    "source": {
                        "type": "base64",
                        "media_type": "application/pdf",
                        "data": base64::engine::general_purpose::STANDARD.encode(&doc.bytes),
                    },
                    "title": doc.name,
                })
            }
            Content::ToolUse(u) => {
                json!({"type": "tool_use", "id": u.id, "name": u.name, "input": u.input})
            }
            Content::ToolResult(r) => {
                results += 1;
                let mut parts = Vec::new();
                let mut k = 0;
                for part in &r.content {
                    parts.push(match part {
                        ToolResultContent::Text(t) => json!({"type": "text", "text": t}),
                        ToolResultContent::Json(v) => {
                            json!({"type": "text", "text": v.to_string()})
                        }
                        ToolResultContent::Image(image) => {
                            k += 1;
                            let at = format!("{at}, tool result {results}, image {k}");
                            image_block(ctx, image, &at)?
                        }
                    });
                }
                let mut block = json!({
                    "type": "tool_result",
                    "tool_use_id": r.tool_use_id,
                    "content": parts,
                });
                if r.is_error {
                    block["is_error"] = json!(true);
                }
                block
            }
            Content::Reasoning(r) => {
                let mut block = json!({"type": "thinking", "thinking": r.text});
                if let Some(signature) = &r.signature {
                    block["signature"] = json!(signature);
                }
                block
            }
            Content::CachePoint => {
                match out.last_mut().and_then(Value::as_object_mut) {
                    Some(last) => {
                        last.insert("cache_control".into(), ephemeral());
                    }
                    None => {
                        return Err(Error::invalid(
                            at,
                            "a cache point must follow the content it caches",
                        ));
                    }
                }
                continue;
            }
        };
        out.push(block);
    }
    Ok(out)
}

fn image_block(
    ctx: &EncodeContext<'_>,
    image: &crate::chat::content::ImageInput,
    at: &str,
) -> Result<Value> {
    let fitted = ctx.fit(image, at)?;
    Ok(json!({
        "type": "image",
        "source": {"type": "base64", "media_type": fitted.media_type(), "data": fitted.base64()},
    }))
}

/// `system`: a string, or text blocks when the system turn holds a cache point.
fn system(conversation: &Conversation, ctx: &EncodeContext<'_>) -> Result<Option<Value>> {
    let Some(turn) = conversation
        .turns()
        .first()
        .filter(|t| t.role == Role::System)
    else {
        return Ok(None);
    };
    if turn
        .content
        .iter()
        .any(|c| matches!(c, Content::CachePoint))
    {
        return Ok(Some(Value::Array(blocks(turn, 0, ctx)?)));
    }
    Ok(Some(json!(turn.text())))
}

fn tool_choice(choice: &ToolChoice) -> Value {
    match choice {
        ToolChoice::Any => json!({"type": "any"}),
        ToolChoice::Tool(name) => json!({"type": "tool", "name": name}),
        _ => json!({"type": "auto"}),
    }
}

/// `thinking` (and `output_config`) for the reasoning asked, and the output limit it needs.
fn reasoning(
    config: ReasoningConfig,
    ctx: &EncodeContext<'_>,
    body: &mut Map<String, Value>,
) -> Result<()> {
    if matches!(ctx.tool_choice, Some(ToolChoice::Any | ToolChoice::Tool(_))) {
        return Err(Error::invalid(
            "tool_choice",
            "with thinking, Claude takes only tool choice auto (extended-thinking page); \
             a forced tool use is refused",
        ));
    }
    match config {
        ReasoningConfig::Budget(budget) => {
            if budget < MIN_THINKING_BUDGET {
                let msg = format!(
                    "Claude's thinking budget is at least {MIN_THINKING_BUDGET} tokens; got {budget}"
                );
                return Err(Error::invalid("reasoning", msg));
            }
            body.insert(
                "thinking".into(),
                json!({"type": "enabled", "budget_tokens": budget}),
            );
            // max_tokens must exceed the budget: room for the answer after the thinking.
            let wanted = budget.saturating_add(ctx.default_max_tokens());
            let max = ctx.max_output_tokens().map_or(wanted, |m| wanted.min(m));
            body.insert("max_tokens".into(), json!(max));
        }
        ReasoningConfig::Effort(effort) => {
            if ctx.reasoning_style() == Some(ReasoningStyle::Budget) {
                return Err(Error::invalid(
                    "reasoning",
                    "this Claude model takes a thinking budget (ReasoningConfig::Budget), not an \
                     effort level; adaptive thinking is for Claude Opus 4.6 and Sonnet 4.6",
                ));
            }
            body.insert("thinking".into(), json!({"type": "adaptive"}));
            body.insert("output_config".into(), json!({"effort": effort.as_str()}));
        }
    }
    Ok(())
}

impl TextFamily for Claude3Family {
    type Response = ClaudeMessagesResponse;
    const PREFILL: bool = true;
    const NATIVE_TOOLS: bool = true;
    const NATIVE_REASONING: bool = true;

    fn accepts(content: &Content) -> bool {
        matches!(
            content,
            Content::Text(_)
                | Content::Image(_)
                | Content::Document(_)
                | Content::ToolUse(_)
                | Content::ToolResult(_)
                | Content::Reasoning(_)
                | Content::CachePoint
        )
    }

    fn encode(
        conversation: &Conversation,
        ctx: &EncodeContext<'_>,
        body: &mut Map<String, Value>,
    ) -> Result<String> {
        body.insert("anthropic_version".into(), json!(ANTHROPIC_VERSION));
        body.insert("max_tokens".into(), json!(ctx.default_max_tokens()));
        if let Some(system) = system(conversation, ctx)? {
            body.insert("system".into(), system);
        }
        let offset = conversation.turns().len() - conversation.dialogue().len();
        let messages = conversation
            .dialogue()
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let content = blocks(t, i + offset, ctx)?;
                Ok(json!({"role": t.role.wire(), "content": content}))
            })
            .collect::<Result<Vec<Value>>>()?;
        body.insert("messages".into(), Value::Array(messages));
        if !ctx.tools.is_empty() {
            let tools: Vec<Value> = ctx
                .tools
                .iter()
                .map(|t| {
                    json!({
                        "name": t.name,
                        "description": t.description,
                        "input_schema": t.wire_schema(),
                    })
                })
                .collect();
            body.insert("tools".into(), Value::Array(tools));
        }
        if let Some(choice) = ctx.tool_choice {
            body.insert("tool_choice".into(), tool_choice(choice));
        }
        if let Some(config) = ctx.reasoning {
            reasoning(config, ctx, body)?;
        }
        Ok(conversation.joined_text())
    }

    fn check_body(body: &Map<String, Value>, _: &EncodeContext<'_>) -> Result<()> {
        let budget = body
            .get("thinking")
            .and_then(|t| t.get("budget_tokens"))
            .and_then(Value::as_u64);
        let max = body.get("max_tokens").and_then(Value::as_u64);
        if let (Some(budget), Some(max)) = (budget, max)
            && budget >= max
        {
            let msg = format!(
                "{max} must be greater than the thinking budget of {budget} tokens (max_tokens \
                 counts the thinking and the answer)"
            );
            return Err(Error::invalid("max_tokens", msg));
        }
        Ok(())
    }

    /// Text blocks joined, `tool_use` blocks as tool calls, `thinking` blocks (with their
    /// signatures) as reasoning; `redacted_thinking` is not readable and is skipped.
    fn decode(response: &Value) -> Decoded {
        let mut text = String::new();
        let mut tool_uses = Vec::new();
        let mut reasoning: Option<Reasoning> = None;
        for block in response
            .get("content")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let str_of = |k: &str| block.get(k).and_then(Value::as_str).unwrap_or_default();
            match str_of("type") {
                "text" => text.push_str(str_of("text")),
                "tool_use" => tool_uses.push(ToolUse::new(
                    str_of("id"),
                    str_of("name"),
                    block.get("input").cloned().unwrap_or(json!({})),
                )),
                "thinking" => {
                    let r = reasoning.get_or_insert_with(Reasoning::default);
                    r.text.push_str(str_of("thinking"));
                    if let Some(sig) = block.get("signature").and_then(Value::as_str) {
                        r.signature = Some(sig.to_owned());
                    }
                }
                _ => {}
            }
        }
        Decoded {
            usage: usage(response.get("usage")),
            tool_uses,
            reasoning,
            ..Decoded::text(Some(&text))
        }
        .with_stop(response.get("stop_reason").and_then(Value::as_str))
    }

    /// `message_start` carries input usage; `content_block_start` of a `tool_use` block
    /// starts a tool call; `content_block_delta` carries `text_delta`, `input_json_delta`
    /// (the tool input), `thinking_delta` and `signature_delta`; `message_delta` the stop
    /// reason and output usage.
    fn decode_chunk(chunk: &Value) -> Decoded {
        let kind = chunk
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let str_at = |p: &str| chunk.pointer(p).and_then(Value::as_str);
        let event = |e: ChatEvent| Decoded {
            events: vec![e],
            ..Decoded::default()
        };
        match kind {
            "content_block_start" => match str_at("/content_block/type") {
                Some("tool_use") => event(ChatEvent::ToolUseStart {
                    id: str_at("/content_block/id").unwrap_or_default().to_owned(),
                    name: str_at("/content_block/name").unwrap_or_default().to_owned(),
                }),
                Some("text") => Decoded::text(str_at("/content_block/text")),
                _ => Decoded::default(),
            },
            "content_block_delta" => {
                let non_empty = |p: &str| str_at(p).filter(|s| !s.is_empty()).map(str::to_owned);
                match str_at("/delta/type") {
                    Some("text_delta") => Decoded::text(str_at("/delta/text")),
                    Some("input_json_delta") => non_empty("/delta/partial_json")
                        .map(|s| event(ChatEvent::ToolUseInputDelta(s)))
                        .unwrap_or_default(),
                    Some("thinking_delta") => non_empty("/delta/thinking")
                        .map(|s| event(ChatEvent::ReasoningDelta(s)))
                        .unwrap_or_default(),
                    Some("signature_delta") => non_empty("/delta/signature")
                        .map(|s| event(ChatEvent::ReasoningSignature(s)))
                        .unwrap_or_default(),
                    _ => Decoded::default(),
                }
            }
            "message_start" => Decoded {
                usage: usage(chunk.get("message").and_then(|m| m.get("usage"))),
                ..Decoded::default()
            },
            "message_delta" => Decoded {
                usage: usage(chunk.get("usage")),
                ..Decoded::default()
            }
            .with_stop(str_at("/delta/stop_reason")),
            _ => Decoded::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Model;
    use crate::chat::Effort;
    use crate::chat::tools::Tool;

    fn ctx<'a>(
        model: Model,
        tools: &'a [Tool],
        choice: Option<&'a ToolChoice>,
        reasoning: Option<ReasoningConfig>,
    ) -> EncodeContext<'a> {
        EncodeContext {
            model: Some(model),
            tools,
            tool_choice: choice,
            reasoning,
        }
    }

    fn encode(c: &Conversation, ctx: &EncodeContext<'_>) -> Result<Value> {
        let mut body = Map::new();
        Claude3Family::encode(c, ctx, &mut body)?;
        Ok(Value::Object(body))
    }

    const HAIKU: Model = Model::AnthropicClaude3Haiku20240307V1_0;

    // Shapes: model-parameters-anthropic-claude-messages-tool-use.html (tool_use,
    // tool_result, tools, tool_choice) and prompt-caching.html (cache_control).
    #[test]
    fn tool_blocks_tools_choice_and_cache_control_take_the_documented_shapes() {
        let tools = [Tool::new(
            "get_weather",
            "Weather of a city",
            json!({"type": "object", "properties": {"city": {"type": "string"}}}),
        )];
        let choice = ToolChoice::Tool("get_weather".into());
        let c = Conversation::new()
            .system("Be brief.")
            .human_with([
                Content::text("Long context"),
                Content::CachePoint,
                Content::text("Weather?"),
            ])
            .assistant_with([Content::ToolUse(ToolUse::new(
                "toolu_1",
                "get_weather",
                json!({"city": "Paris"}),
            ))])
            .human_with([
                Content::tool_result_json("toolu_1", json!({"c": 21})),
                Content::tool_error("toolu_1", "timeout"),
            ]);
        let body = encode(&c, &ctx(HAIKU, &tools, Some(&choice), None)).unwrap();
        assert_eq!(body["system"], "Be brief.");
        assert_eq!(
            body["messages"][0]["content"],
            json!([
                {"type": "text", "text": "Long context", "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": "Weather?"}
            ])
        );
        assert_eq!(
            body["messages"][1]["content"][0],
            json!({"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}})
        );
        assert_eq!(
            body["messages"][2]["content"],
            json!([
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "{\"c\":21}"}]},
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "timeout"}], "is_error": true}
            ])
        );
        assert_eq!(
            body["tools"],
            json!([{"name": "get_weather", "description": "Weather of a city",
                    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}])
        );
        assert_eq!(
            body["tool_choice"],
            json!({"type": "tool", "name": "get_weather"})
        );
    }

    #[test]
    fn a_cache_point_in_the_system_turn_makes_system_blocks() {
        let c = Conversation::new()
            .push_content(Role::System, [Content::text("Rules"), Content::CachePoint])
            .human("Hi");
        let body = encode(&c, &ctx(HAIKU, &[], None, None)).unwrap();
        assert_eq!(
            body["system"],
            json!([{"type": "text", "text": "Rules", "cache_control": {"type": "ephemeral"}}])
        );
        let first = Conversation::new().human_with([Content::CachePoint, Content::text("x")]);
        let err = encode(&first, &ctx(HAIKU, &[], None, None)).unwrap_err();
        assert!(
            err.to_string()
                .contains("turn 1: a cache point must follow")
        );
    }

    #[test]
    fn documents_are_pdf_only_and_reasoning_goes_back_with_its_signature() {
        let c = Conversation::new()
            .human_with([Content::document("report", "pdf", b"%PDF-1.4".to_vec())])
            .assistant_with([
                Content::Reasoning(Reasoning::new("thinking...", Some("sig".into()))),
                Content::text("Done"),
            ])
            .human("More");
        let body = encode(&c, &ctx(HAIKU, &[], None, None)).unwrap();
        // Source: model-parameters-anthropic-claude-messages.html (document blocks).
        assert_eq!(
            body["messages"][0]["content"][0],
            json!({"type": "document", "title": "report",
                   "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0xLjQ="}})
        );
        assert_eq!(
            body["messages"][1]["content"][0],
            json!({"type": "thinking", "thinking": "thinking...", "signature": "sig"})
        );
        let csv = Conversation::new().human_with([Content::document("t", "csv", b"a,b".to_vec())]);
        let err = encode(&csv, &ctx(HAIKU, &[], None, None))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("turn 1: the Claude native format takes PDF documents"),
            "{err}"
        );
    }

    #[test]
    fn reasoning_budget_and_effort_follow_the_thinking_pages() {
        let sonnet37 = Model::AnthropicClaude3_7Sonnet20250219V1_0;
        let c = Conversation::new().human("Why?");
        let body = encode(
            &c,
            &ctx(sonnet37, &[], None, Some(ReasoningConfig::Budget(2048))),
        )
        .unwrap();
        assert_eq!(
            body["thinking"],
            json!({"type": "enabled", "budget_tokens": 2048})
        );
        assert!(body["max_tokens"].as_u64().unwrap() > 2048);
        Claude3Family::check_body(body.as_object().unwrap(), &ctx(sonnet37, &[], None, None))
            .unwrap();

        let mut small = body.as_object().unwrap().clone();
        small.insert("max_tokens".into(), json!(2048));
        let err = Claude3Family::check_body(&small, &ctx(sonnet37, &[], None, None)).unwrap_err();
        assert!(
            err.to_string()
                .contains("max_tokens: 2048 must be greater than the thinking budget")
        );

        let err = encode(
            &c,
            &ctx(sonnet37, &[], None, Some(ReasoningConfig::Budget(100))),
        )
        .unwrap_err();
        assert!(err.to_string().contains("at least 1024 tokens"));
        let any = ToolChoice::Any;
        let err = encode(
            &c,
            &ctx(
                sonnet37,
                &[],
                Some(&any),
                Some(ReasoningConfig::Budget(2048)),
            ),
        )
        .unwrap_err();
        assert!(err.to_string().contains("tool_choice"));
        let err = encode(
            &c,
            &ctx(
                sonnet37,
                &[],
                None,
                Some(ReasoningConfig::Effort(Effort::Low)),
            ),
        )
        .unwrap_err();
        assert!(err.to_string().contains("takes a thinking budget"));

        let opus46 = Model::AnthropicClaudeOpus4_6V1;
        let body = encode(
            &c,
            &ctx(
                opus46,
                &[],
                None,
                Some(ReasoningConfig::Effort(Effort::Medium)),
            ),
        )
        .unwrap();
        assert_eq!(body["thinking"], json!({"type": "adaptive"}));
        assert_eq!(body["output_config"], json!({"effort": "medium"}));
    }

    // Response shape: model-parameters-anthropic-claude-messages-request-response.html and
    // claude-messages-extended-thinking.html.
    #[test]
    fn a_response_decodes_into_reasoning_text_tool_calls_and_cache_usage() {
        let response = json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "claude",
            "content": [
                {"type": "thinking", "thinking": "Let me see.", "signature": "EqQB"},
                {"type": "text", "text": "I'll check."},
                {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}
            ],
            "stop_reason": "tool_use",
            "usage": {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 7, "cache_creation_input_tokens": 3}
        });
        let d = Claude3Family::decode(&response);
        assert_eq!(d.texts, ["I'll check."]);
        assert_eq!(
            d.reasoning,
            Some(Reasoning::new("Let me see.", Some("EqQB".into())))
        );
        assert_eq!(
            d.tool_uses,
            [ToolUse::new(
                "toolu_1",
                "get_weather",
                json!({"city": "Paris"})
            )]
        );
        assert_eq!(d.stop_reason.as_deref(), Some("tool_use"));
        assert_eq!(d.usage.cache_read_tokens, Some(7));
        assert_eq!(d.usage.cache_write_tokens, Some(3));
        assert_eq!(
            d.content(),
            [
                Content::Reasoning(Reasoning::new("Let me see.", Some("EqQB".into()))),
                Content::text("I'll check."),
                Content::ToolUse(ToolUse::new(
                    "toolu_1",
                    "get_weather",
                    json!({"city": "Paris"})
                )),
            ]
        );
    }

    // Stream events: model-parameters-anthropic-claude-messages-tool-use.html (streamed tool
    // input) and claude-messages-extended-thinking.html (thinking and signature deltas).
    #[test]
    fn stream_chunks_become_chat_events() {
        let events = |chunk: Value| Claude3Family::decode_chunk(&chunk).events;
        assert_eq!(
            events(json!({"type": "content_block_start", "index": 1,
                          "content_block": {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}})),
            [ChatEvent::ToolUseStart {
                id: "toolu_1".into(),
                name: "get_weather".into()
            }]
        );
        assert_eq!(
            events(json!({"type": "content_block_delta", "index": 1,
                          "delta": {"type": "input_json_delta", "partial_json": "{\"city\": "}})),
            [ChatEvent::ToolUseInputDelta("{\"city\": ".into())]
        );
        assert!(
            events(json!({"type": "content_block_delta", "index": 1,
                              "delta": {"type": "input_json_delta", "partial_json": ""}}))
            .is_empty()
        );
        assert_eq!(
            events(json!({"type": "content_block_delta", "index": 0,
                          "delta": {"type": "thinking_delta", "thinking": "Hmm"}})),
            [ChatEvent::ReasoningDelta("Hmm".into())]
        );
        assert_eq!(
            events(json!({"type": "content_block_delta", "index": 0,
                          "delta": {"type": "signature_delta", "signature": "EqQB"}})),
            [ChatEvent::ReasoningSignature("EqQB".into())]
        );
        let text = Claude3Family::decode_chunk(&json!({"type": "content_block_delta", "index": 0,
                                                       "delta": {"type": "text_delta", "text": "Hi"}}));
        assert_eq!((text.texts, text.events), (vec!["Hi".to_owned()], vec![]));
        let stop = Claude3Family::decode_chunk(&json!({"type": "message_delta",
            "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 9}}));
        assert_eq!(stop.stop_reason.as_deref(), Some("tool_use"));
        assert_eq!(stop.usage.output_tokens, Some(9));
    }
}
