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
use crate::bodies::nova::{
    NovaContentBlock, NovaImage, NovaImageFormat, NovaImageSource, NovaInferenceConfig,
    NovaInputSchema, NovaMessage, NovaReasoningConfig, NovaRequest, NovaResponse,
    NovaSpecificToolChoice, NovaStreamChunk, NovaSystemBlock, NovaTool, NovaToolChoice,
    NovaToolConfig, NovaToolResult, NovaToolResultStatus, NovaToolSpec, NovaToolUse, NovaUsage,
};
use crate::catalog::ReasoningStyle;
use crate::chat::content::{Content, Reasoning, ToolResultContent, ToolUse};
use crate::chat::tools::ToolChoice;
use crate::chat::{ChatEvent, ReasoningConfig};
use crate::conversation::{Conversation, Turn};
use crate::details::Usage;
use crate::error::{Error, Result};
use crate::generated::wrappers::NovaFamily;
use serde_json::{Map, Value, json};

fn usage(u: Option<&NovaUsage>) -> Usage {
    Usage {
        input_tokens: u.and_then(|u| u.input_tokens),
        output_tokens: u.and_then(|u| u.output_tokens),
        cache_read_tokens: u.and_then(|u| u.cache_read_input_token_count),
        cache_write_tokens: u.and_then(|u| u.cache_write_input_token_count),
    }
}

fn image_block(
    ctx: &EncodeContext<'_>,
    image: &crate::images::ImageInput,
    at: &str,
) -> Result<NovaContentBlock> {
    let fitted = ctx.fit(image, at)?;
    Ok(NovaContentBlock {
        image: Some(NovaImage {
            format: NovaImageFormat::from(fitted.format),
            source: NovaImageSource {
                bytes: fitted.base64(),
                extra: Map::new(),
            },
            extra: Map::new(),
        }),
        ..NovaContentBlock::default()
    })
}

/// A block as the JSON of a `json` field (tool result content).
fn to_json(block: &NovaContentBlock) -> Value {
    serde_json::to_value(block).unwrap_or_default()
}

/// The content blocks of one turn, in the order given. Reasoning blocks of earlier replies
/// are left out: Nova returns them redacted, and its request schema has no place for them.
fn blocks(turn: &Turn, index: usize, ctx: &EncodeContext<'_>) -> Result<Vec<NovaContentBlock>> {
    let at = format!("conversation turn {}", index + 1);
    let mut out = Vec::new();
    let mut images = 0;
    let mut results = 0;
    for content in &turn.content {
        out.push(match content {
            Content::Text(text) if text.is_empty() => continue,
            Content::Text(text) => NovaContentBlock {
                text: Some(text.clone()),
                ..NovaContentBlock::default()
            },
            Content::Image(image) => {
                images += 1;
                image_block(ctx, image, &format!("{at}, image {images}"))?
            }
            Content::ToolUse(u) => NovaContentBlock {
                tool_use: Some(NovaToolUse {
                    tool_use_id: u.id.clone(),
                    name: u.name.clone(),
                    input: u.input.clone(),
                    extra: Map::new(),
                }),
                ..NovaContentBlock::default()
            },
            Content::ToolResult(r) => {
                results += 1;
                let mut parts = Vec::new();
                let mut k = 0;
                for part in &r.content {
                    parts.push(match part {
                        ToolResultContent::Text(t) => to_json(&NovaContentBlock {
                            text: Some(t.clone()),
                            ..NovaContentBlock::default()
                        }),
                        // The content block of the catalog has no `json` key (only tool
                        // results take one).
                        ToolResultContent::Json(v) => json!({"json": v}),
                        ToolResultContent::Image(image) => {
                            k += 1;
                            to_json(&image_block(
                                ctx,
                                image,
                                &format!("{at}, tool result {results}, image {k}"),
                            )?)
                        }
                    });
                }
                NovaContentBlock {
                    tool_result: Some(NovaToolResult {
                        tool_use_id: r.tool_use_id.clone(),
                        content: parts,
                        status: r.is_error.then_some(NovaToolResultStatus::Error),
                        extra: Map::new(),
                    }),
                    ..NovaContentBlock::default()
                }
            }
            Content::Reasoning(_) => continue,
            other => {
                return Err(Error::invalid(
                    at,
                    format!("{} has no Nova native form", other.a_block()),
                ));
            }
        });
    }
    Ok(out)
}

impl TextFamily for NovaFamily {
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
    ) -> Result<(NovaRequest, String)> {
        let mut request = NovaRequest {
            schema_version: Some("messages-v1".into()),
            ..NovaRequest::default()
        };
        if let Some(system) = conversation.system_text() {
            request.system = Some(vec![NovaSystemBlock {
                text: Some(system),
                ..NovaSystemBlock::default()
            }]);
        }
        let offset = conversation.turns().len() - conversation.dialogue().len();
        request.messages = conversation
            .dialogue()
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let content = blocks(t, i + offset, ctx)?;
                Ok(NovaMessage {
                    role: t.role.wire().into(),
                    content,
                    extra: Map::new(),
                })
            })
            .collect::<Result<Vec<NovaMessage>>>()?;
        if !ctx.tools.is_empty() || ctx.tool_choice.is_some() {
            let tools: Vec<NovaTool> = ctx
                .tools
                .iter()
                .map(|t| NovaTool {
                    tool_spec: NovaToolSpec {
                        name: t.name.clone(),
                        description: Some(t.description.clone()),
                        input_schema: NovaInputSchema {
                            json: t.wire_schema(),
                            extra: Map::new(),
                        },
                        extra: Map::new(),
                    },
                    extra: Map::new(),
                })
                .collect();
            let tool_choice = ctx.tool_choice.map(|choice| match choice {
                ToolChoice::Any => NovaToolChoice {
                    any: Some(json!({})),
                    ..NovaToolChoice::default()
                },
                ToolChoice::Tool(name) => NovaToolChoice {
                    tool: Some(NovaSpecificToolChoice {
                        name: name.clone(),
                        extra: Map::new(),
                    }),
                    ..NovaToolChoice::default()
                },
                _ => NovaToolChoice {
                    auto: Some(json!({})),
                    ..NovaToolChoice::default()
                },
            });
            request.tool_config = Some(NovaToolConfig {
                tools: Some(tools),
                tool_choice,
                extra: Map::new(),
            });
        }
        match ctx.reasoning {
            None => {}
            Some(ReasoningConfig::Effort(effort)) => {
                request.inference_config = Some(NovaInferenceConfig {
                    reasoning_config: Some(NovaReasoningConfig {
                        kind: Some("enabled".into()),
                        max_reasoning_effort: Some(effort.as_str().into()),
                        extra: Map::new(),
                    }),
                    ..NovaInferenceConfig::default()
                });
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
        Ok((request, conversation.joined_text()))
    }

    /// Text blocks joined, `toolUse` blocks as tool calls, `reasoningContent` as reasoning.
    fn decode(response: &NovaResponse) -> Decoded {
        let mut text = String::new();
        let mut tool_uses = Vec::new();
        let mut reasoning: Option<Reasoning> = None;
        for block in &response.output.message.content {
            if let Some(t) = &block.text {
                text.push_str(t);
            }
            if let Some(u) = &block.tool_use {
                tool_uses.push(ToolUse::new(
                    u.tool_use_id.as_str(),
                    u.name.as_str(),
                    u.input.clone(),
                ));
            }
            let text = block.reasoning_content.as_ref();
            if let Some(r) = text.and_then(|c| c.reasoning_text.as_ref()) {
                let into = reasoning.get_or_insert_with(Reasoning::default);
                into.text.push_str(r.text.as_deref().unwrap_or_default());
                if let Some(sig) = &r.signature {
                    into.signature = Some(sig.clone());
                }
            }
        }
        Decoded {
            usage: usage(response.usage.as_ref()),
            tool_uses,
            reasoning,
            ..Decoded::text(Some(&text))
        }
        .with_stop(Some(response.stop_reason.as_str()))
    }

    /// Chunks carry one event each: `contentBlockStart.start.toolUse` (a tool call starts),
    /// `contentBlockDelta.delta` with `text`, `toolUse.input` or `reasoningContent` (`text`
    /// or `signature`), `messageStop.stopReason`, `metadata.usage`.
    fn decode_chunk(chunk: &NovaStreamChunk) -> Decoded {
        fn non_empty(s: Option<&str>) -> Option<&str> {
            s.filter(|s| !s.is_empty())
        }
        let mut events = Vec::new();
        if let Some(start) = chunk
            .content_block_start
            .as_ref()
            .and_then(|s| s.start.as_ref())
            .and_then(|s| s.tool_use.as_ref())
        {
            events.push(ChatEvent::ToolUseStart {
                id: start.tool_use_id.clone(),
                name: start.name.clone(),
            });
        }
        let delta = chunk.content_block_delta.as_ref().map(|d| &d.delta);
        if let Some(input) = non_empty(
            delta
                .and_then(|d| d.tool_use.as_ref())
                .map(|u| u.input.as_str()),
        ) {
            events.push(ChatEvent::ToolUseInputDelta(input.to_owned()));
        }
        let reasoning = delta.and_then(|d| d.reasoning_content.as_ref());
        if let Some(t) = non_empty(reasoning.and_then(|r| r.text.as_deref())) {
            events.push(ChatEvent::ReasoningDelta(t.to_owned()));
        }
        if let Some(sig) = non_empty(reasoning.and_then(|r| r.signature.as_deref())) {
            events.push(ChatEvent::ReasoningSignature(sig.to_owned()));
        }
        Decoded {
            usage: usage(chunk.metadata.as_ref().and_then(|m| m.usage.as_ref())),
            events,
            ..Decoded::text(non_empty(delta.and_then(|d| d.text.as_deref())))
        }
        .with_stop(non_empty(
            chunk.message_stop.as_ref().map(|m| m.stop_reason.as_str()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Model;
    use crate::chat::Effort;
    use crate::chat::tools::Tool;

    fn encode(c: &Conversation, ctx: &EncodeContext<'_>) -> Result<Value> {
        let (request, _prompt) = NovaFamily::encode(c, ctx)?;
        Ok(serde_json::to_value(&request).unwrap())
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
        let d = NovaFamily::decode(&serde_json::from_value(response).unwrap());
        assert_eq!(d.texts, ["Checking."]);
        assert_eq!(d.reasoning, Some(Reasoning::new("[REDACTED]", None)));
        assert_eq!(
            d.tool_uses,
            [ToolUse::new("t1", "get_weather", json!({"city": "Oslo"}))]
        );
        assert_eq!(d.stop_reason.as_deref(), Some("tool_use"));

        let chunk = |chunk: Value| -> NovaStreamChunk { serde_json::from_value(chunk).unwrap() };
        let events = |c: Value| NovaFamily::decode_chunk(&chunk(c)).events;
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
        let text = NovaFamily::decode_chunk(&chunk(
            json!({"contentBlockDelta": {"delta": {"text": "Hi"}}}),
        ));
        assert_eq!((text.texts, text.events), (vec!["Hi".to_owned()], vec![]));
    }
}
