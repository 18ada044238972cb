//! Amazon Nova understanding models: `schemaVersion: messages-v1`, `system`, `messages`,
//! `inferenceConfig`, `toolConfig`.
//!
//! Sources:
//! - request (content blocks `text`, `image: {format, source: {bytes: <Base64>}}`, `toolUse`,
//!   `toolResult`; `toolConfig.tools[].toolSpec` with `inputSchema.json`, `toolChoice`
//!   `auto`/`any`/`tool`): <https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html>
//!   and, for `inferenceConfig.reasoningConfig: {type: enabled, maxReasoningEffort}` (Nova 2
//!   Lite), <https://docs.aws.amazon.com/nova/latest/nova2-userguide/request-response-schema.html>;
//! - response (`reasoningContent.reasoningText.text`, always `[REDACTED]`; `toolUse`):
//!   <https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema-response.html>;
//! - stream events (`contentBlockStart.start.toolUse`, `contentBlockDelta.delta` with `text`,
//!   `toolUse.input` or `reasoningContent`): the Converse stream shapes the same pages point
//!   to (bedrock-runtime service model, `ContentBlockStart`, `ContentBlockDelta`).

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::nova::NovaResponse;
use crate::catalog::ReasoningStyle;
use crate::chat::content::{Content, Reasoning, ToolResultContent, ToolUse};
use crate::chat::tools::ToolChoice;
use crate::chat::{ChatEvent, ReasoningConfig};
use crate::conversation::{Conversation, Turn};
use crate::details::Usage;
use crate::error::{Error, Result};
use crate::generated::wrappers::NovaFamily;
use serde_json::{Map, Value, json};

fn usage(u: Option<&Value>) -> Usage {
    let count = |k| {
        u.and_then(|u| u.get(k))
            .and_then(Value::as_u64)
            .map(|n| n as u32)
    };
    Usage {
        input_tokens: count("inputTokens"),
        output_tokens: count("outputTokens"),
        cache_read_tokens: count("cacheReadInputTokenCount"),
        cache_write_tokens: count("cacheWriteInputTokenCount"),
    }
}

fn image_block(
    ctx: &EncodeContext<'_>,
    image: &crate::chat::content::ImageInput,
    at: &str,
) -> Result<Value> {
    let fitted = ctx.fit(image, at)?;
    Ok(json!({"image": {"format": fitted.format, "source": {"bytes": fitted.base64()}}}))
}

/// The content blocks of one turn, in the order given. Reasoning blocks of earlier replies
/// are left out: Nova returns them redacted, and its request schema has no place for them.
fn blocks(turn: &Turn, index: usize, ctx: &EncodeContext<'_>) -> Result<Vec<Value>> {
    let at = format!("conversation turn {}", index + 1);
    let mut out = Vec::new();
    let mut images = 0;
    let mut results = 0;
    for content in &turn.content {
        out.push(match content {
            Content::Text(text) if text.is_empty() => continue,
            Content::Text(text) => json!({"text": text}),
            Content::Image(image) => {
                images += 1;
                image_block(ctx, image, &format!("{at}, image {images}"))?
            }
            Content::ToolUse(u) => {
                json!({"toolUse": {"toolUseId": u.id, "name": u.name, "input": u.input}})
            }
            Content::ToolResult(r) => {
                results += 1;
                let mut parts = Vec::new();
                let mut k = 0;
                for part in &r.content {
                    parts.push(match part {
                        ToolResultContent::Text(t) => json!({"text": t}),
                        ToolResultContent::Json(v) => json!({"json": v}),
                        ToolResultContent::Image(image) => {
                            k += 1;
                            image_block(
                                ctx,
                                image,
                                &format!("{at}, tool result {results}, image {k}"),
                            )?
                        }
                    });
                }
                let mut result = json!({"toolUseId": r.tool_use_id, "content": parts});
                if r.is_error {
                    result["status"] = json!("error");
                }
                json!({"toolResult": result})
            }
            Content::Reasoning(_) => continue,
            other => {
                return Err(Error::invalid(
                    at,
                    format!("a {} block has no Nova native form", other.kind()),
                ));
            }
        });
    }
    Ok(out)
}

impl TextFamily for NovaFamily {
    type Response = NovaResponse;
    const PREFILL: bool = true;
    const NATIVE_TOOLS: bool = true;
    const NATIVE_REASONING: bool = true;

    fn accepts(content: &Content) -> bool {
        matches!(
            content,
            Content::Text(_)
                | Content::Image(_)
                | Content::ToolUse(_)
                | Content::ToolResult(_)
                | Content::Reasoning(_)
        )
    }

    fn encode(
        conversation: &Conversation,
        ctx: &EncodeContext<'_>,
        body: &mut Map<String, Value>,
    ) -> Result<String> {
        body.insert("schemaVersion".into(), json!("messages-v1"));
        if let Some(system) = conversation.system_text() {
            body.insert("system".into(), json!([{"text": system}]));
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
        if !ctx.tools.is_empty() || ctx.tool_choice.is_some() {
            let mut config = Map::new();
            let tools: Vec<Value> = ctx
                .tools
                .iter()
                .map(|t| {
                    json!({"toolSpec": {
                        "name": t.name,
                        "description": t.description,
                        "inputSchema": {"json": t.wire_schema()},
                    }})
                })
                .collect();
            config.insert("tools".into(), Value::Array(tools));
            if let Some(choice) = ctx.tool_choice {
                let choice = match choice {
                    ToolChoice::Any => json!({"any": {}}),
                    ToolChoice::Tool(name) => json!({"tool": {"name": name}}),
                    _ => json!({"auto": {}}),
                };
                config.insert("toolChoice".into(), choice);
            }
            body.insert("toolConfig".into(), Value::Object(config));
        }
        match ctx.reasoning {
            None => {}
            Some(ReasoningConfig::Effort(effort)) => {
                body.insert(
                    "inferenceConfig".into(),
                    json!({"reasoningConfig": {"type": "enabled", "maxReasoningEffort": effort.as_str()}}),
                );
            }
            Some(ReasoningConfig::Budget(_)) => {
                let style = match ctx.reasoning_style() {
                    Some(ReasoningStyle::Budget) => "",
                    _ => " (ReasoningConfig::Effort)",
                };
                return Err(Error::invalid(
                    "reasoning",
                    format!("Nova reasons at an effort level{style}, not with a token budget"),
                ));
            }
        }
        Ok(conversation.joined_text())
    }

    /// Text blocks joined, `toolUse` blocks as tool calls, `reasoningContent` as reasoning.
    fn decode(response: &Value) -> Decoded {
        let mut text = String::new();
        let mut tool_uses = Vec::new();
        let mut reasoning: Option<Reasoning> = None;
        for block in response
            .pointer("/output/message/content")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(t) = block.get("text").and_then(Value::as_str) {
                text.push_str(t);
            }
            if let Some(u) = block.get("toolUse") {
                let s = |k: &str| u.get(k).and_then(Value::as_str).unwrap_or_default();
                let input = u.get("input").cloned().unwrap_or(json!({}));
                tool_uses.push(ToolUse::new(s("toolUseId"), s("name"), input));
            }
            if let Some(r) = block.pointer("/reasoningContent/reasoningText") {
                let into = reasoning.get_or_insert_with(Reasoning::default);
                into.text
                    .push_str(r.get("text").and_then(Value::as_str).unwrap_or_default());
                if let Some(sig) = r.get("signature").and_then(Value::as_str) {
                    into.signature = Some(sig.to_owned());
                }
            }
        }
        Decoded {
            usage: usage(response.get("usage")),
            tool_uses,
            reasoning,
            ..Decoded::text(Some(&text))
        }
        .with_stop(response.get("stopReason").and_then(Value::as_str))
    }

    /// Chunks carry one event each: `contentBlockStart.start.toolUse` (a tool call starts),
    /// `contentBlockDelta.delta` with `text`, `toolUse.input` or `reasoningContent` (`text`
    /// or `signature`), `messageStop.stopReason`, `metadata.usage`.
    fn decode_chunk(chunk: &Value) -> Decoded {
        let str_at = |p: &str| {
            chunk
                .pointer(p)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let mut events = Vec::new();
        if let Some(start) = chunk.pointer("/contentBlockStart/start/toolUse") {
            let s = |k: &str| start.get(k).and_then(Value::as_str).unwrap_or_default();
            events.push(ChatEvent::ToolUseStart {
                id: s("toolUseId").to_owned(),
                name: s("name").to_owned(),
            });
        }
        if let Some(input) = str_at("/contentBlockDelta/delta/toolUse/input") {
            events.push(ChatEvent::ToolUseInputDelta(input.to_owned()));
        }
        if let Some(t) = str_at("/contentBlockDelta/delta/reasoningContent/text") {
            events.push(ChatEvent::ReasoningDelta(t.to_owned()));
        }
        if let Some(sig) = str_at("/contentBlockDelta/delta/reasoningContent/signature") {
            events.push(ChatEvent::ReasoningSignature(sig.to_owned()));
        }
        Decoded {
            usage: usage(chunk.pointer("/metadata/usage")),
            events,
            ..Decoded::text(str_at("/contentBlockDelta/delta/text"))
        }
        .with_stop(str_at("/messageStop/stopReason"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Model;
    use crate::chat::Effort;
    use crate::chat::tools::Tool;

    fn encode(c: &Conversation, ctx: &EncodeContext<'_>) -> Result<Value> {
        let mut body = Map::new();
        NovaFamily::encode(c, ctx, &mut body)?;
        Ok(Value::Object(body))
    }

    // Shapes: complete-request-schema.html (toolConfig, toolUse, toolResult) and the Nova 2
    // request-response-schema.html (inferenceConfig.reasoningConfig).
    #[test]
    fn tools_tool_blocks_and_reasoning_take_the_documented_shapes() {
        let tools = [Tool::new(
            "get_weather",
            "Weather",
            json!({"type": "object"}),
        )];
        let choice = ToolChoice::Any;
        let c = Conversation::new()
            .human("Weather?")
            .assistant_with([
                Content::Reasoning(Reasoning::new("[REDACTED]", None)),
                Content::ToolUse(ToolUse::new("t1", "get_weather", json!({"city": "Oslo"}))),
            ])
            .human_with([
                Content::tool_result_json("t1", json!({"c": 3})),
                Content::tool_error("t1", "down"),
            ]);
        let ctx = EncodeContext {
            model: Some(Model::AmazonNova2LiteV1_0),
            tools: &tools,
            tool_choice: Some(&choice),
            reasoning: Some(ReasoningConfig::Effort(Effort::High)),
        };
        let body = encode(&c, &ctx).unwrap();
        assert_eq!(
            body["toolConfig"],
            json!({"tools": [{"toolSpec": {"name": "get_weather", "description": "Weather",
                                           "inputSchema": {"json": {"type": "object"}}}}],
                   "toolChoice": {"any": {}}})
        );
        assert_eq!(
            body["messages"][1]["content"],
            json!([{"toolUse": {"toolUseId": "t1", "name": "get_weather", "input": {"city": "Oslo"}}}])
        );
        assert_eq!(
            body["messages"][2]["content"],
            json!([
                {"toolResult": {"toolUseId": "t1", "content": [{"json": {"c": 3}}]}},
                {"toolResult": {"toolUseId": "t1", "content": [{"text": "down"}], "status": "error"}}
            ])
        );
        assert_eq!(
            body["inferenceConfig"]["reasoningConfig"],
            json!({"type": "enabled", "maxReasoningEffort": "high"})
        );
        let budget = EncodeContext {
            reasoning: Some(ReasoningConfig::Budget(2000)),
            ..ctx
        };
        assert!(
            encode(&c, &budget)
                .unwrap_err()
                .to_string()
                .contains("effort level")
        );
    }

    #[test]
    fn a_response_and_stream_chunks_decode_tool_calls_and_reasoning() {
        let response = json!({
            "output": {"message": {"role": "assistant", "content": [
                {"reasoningContent": {"reasoningText": {"text": "[REDACTED]"}}},
                {"text": "Checking."},
                {"toolUse": {"toolUseId": "t1", "name": "get_weather", "input": {"city": "Oslo"}}}
            ]}},
            "stopReason": "tool_use",
            "usage": {"inputTokens": 5, "outputTokens": 7, "totalTokens": 12}
        });
        let d = NovaFamily::decode(&response);
        assert_eq!(d.texts, ["Checking."]);
        assert_eq!(d.reasoning, Some(Reasoning::new("[REDACTED]", None)));
        assert_eq!(
            d.tool_uses,
            [ToolUse::new("t1", "get_weather", json!({"city": "Oslo"}))]
        );
        assert_eq!(d.stop_reason.as_deref(), Some("tool_use"));

        let events = |chunk: Value| NovaFamily::decode_chunk(&chunk).events;
        assert_eq!(
            events(json!({"contentBlockStart": {"contentBlockIndex": 1,
                          "start": {"toolUse": {"toolUseId": "t1", "name": "get_weather"}}}})),
            [ChatEvent::ToolUseStart {
                id: "t1".into(),
                name: "get_weather".into()
            }]
        );
        assert_eq!(
            events(json!({"contentBlockDelta": {"contentBlockIndex": 1,
                          "delta": {"toolUse": {"input": "{\"city\":"}}}})),
            [ChatEvent::ToolUseInputDelta("{\"city\":".into())]
        );
        assert_eq!(
            events(json!({"contentBlockDelta": {"contentBlockIndex": 0,
                          "delta": {"reasoningContent": {"text": "[REDACTED]"}}}})),
            [ChatEvent::ReasoningDelta("[REDACTED]".into())]
        );
        let text =
            NovaFamily::decode_chunk(&json!({"contentBlockDelta": {"delta": {"text": "Hi"}}}));
        assert_eq!((text.texts, text.events), (vec!["Hi".to_owned()], vec![]));
    }
}
