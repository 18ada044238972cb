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
use crate::bodies::claude_messages::{
    ClaudeMessagesCacheControl, ClaudeMessagesContentBlock, ClaudeMessagesDeltaType,
    ClaudeMessagesDocumentBlock, ClaudeMessagesDocumentSource, ClaudeMessagesImageBlock,
    ClaudeMessagesImageSource, ClaudeMessagesImageSourceKind, ClaudeMessagesImageSourceMediaType,
    ClaudeMessagesMessage, ClaudeMessagesMessageRole, ClaudeMessagesOutputConfig,
    ClaudeMessagesRequest, ClaudeMessagesResponse, ClaudeMessagesStreamChunk,
    ClaudeMessagesStreamEventType, ClaudeMessagesTextBlock, ClaudeMessagesThinking,
    ClaudeMessagesThinkingBlock, ClaudeMessagesTool, ClaudeMessagesToolChoice,
    ClaudeMessagesToolChoiceKind, ClaudeMessagesToolResultBlock, ClaudeMessagesToolUseBlock,
    ClaudeMessagesUsage,
};
use crate::catalog::ReasoningStyle;
use crate::chat::content::{Content, Reasoning, ToolResultContent, ToolUse};
use crate::chat::tools::ToolChoice;
use crate::chat::{ChatEvent, ReasoningConfig};
use crate::conversation::{Conversation, Role, Turn};
use crate::details::Usage;
use crate::error::{Error, Result};
use crate::generated::wrappers::Claude3Family;
use serde_json::{Value, json};

/// The `anthropic_version` Bedrock requires.
pub(crate) const ANTHROPIC_VERSION: &str = "bedrock-2023-05-31";

/// The smallest thinking budget (extended-thinking page: "the minimum budget is 1,024
/// tokens").
const MIN_THINKING_BUDGET: u32 = 1024;

fn usage(u: Option<&ClaudeMessagesUsage>) -> Usage {
    Usage {
        input_tokens: u.and_then(|u| u.input_tokens),
        output_tokens: u.and_then(|u| u.output_tokens),
        cache_read_tokens: u.and_then(|u| u.cache_read_input_tokens),
        cache_write_tokens: u.and_then(|u| u.cache_creation_input_tokens),
    }
}

fn ephemeral() -> ClaudeMessagesCacheControl {
    ClaudeMessagesCacheControl {
        kind: "ephemeral".into(),
        ..ClaudeMessagesCacheControl::default()
    }
}

/// Puts `cache_control` on a block: its own field where it has one, otherwise among its
/// undescribed fields. False for a block that is not a JSON object.
fn set_cache_control(block: &mut ClaudeMessagesContentBlock) -> bool {
    let extra = match block {
        ClaudeMessagesContentBlock::Text(b) => {
            b.cache_control = Some(ephemeral());
            return true;
        }
        ClaudeMessagesContentBlock::Image(b) => {
            b.cache_control = Some(ephemeral());
            return true;
        }
        ClaudeMessagesContentBlock::Document(b) => {
            b.cache_control = Some(ephemeral());
            return true;
        }
        ClaudeMessagesContentBlock::ToolResult(b) => {
            b.cache_control = Some(ephemeral());
            return true;
        }
        ClaudeMessagesContentBlock::ToolUse(b) => &mut b.extra,
        ClaudeMessagesContentBlock::Thinking(b) => &mut b.extra,
        ClaudeMessagesContentBlock::RedactedThinking(b) => &mut b.extra,
        ClaudeMessagesContentBlock::Unknown(v) => match v.as_object_mut() {
            Some(map) => map,
            None => return false,
        },
    };
    extra.insert("cache_control".into(), json!({"type": "ephemeral"}));
    true
}

/// The JSON of typed blocks, for the fields the generated types keep as JSON (message
/// `content`, `system`, tool-result `content`).
fn to_json(blocks: &[ClaudeMessagesContentBlock], at: &str) -> Result<Value> {
    serde_json::to_value(blocks).map_err(|e| Error::invalid(at, e.to_string()))
}

fn text_block(text: impl Into<String>) -> ClaudeMessagesContentBlock {
    ClaudeMessagesTextBlock {
        text: text.into(),
        ..ClaudeMessagesTextBlock::default()
    }
    .into()
}

/// The content blocks of one turn, in the order given; a cache point puts `cache_control`
/// on the block before it.
fn blocks(
    turn: &Turn,
    index: usize,
    ctx: &EncodeContext<'_>,
) -> Result<Vec<ClaudeMessagesContentBlock>> {
    let at = format!("conversation turn {}", index + 1);
    let mut out: Vec<ClaudeMessagesContentBlock> = Vec::new();
    let mut images = 0;
    let mut results = 0;
    for content in &turn.content {
        let block = match content {
            Content::Text(text) if text.is_empty() => continue,
            Content::Text(text) => text_block(text.as_str()),
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
                ClaudeMessagesDocumentBlock {
                    source: ClaudeMessagesDocumentSource {
                        kind: "base64".into(),
                        media_type: Some("application/pdf".into()),
                        data: Some(base64::engine::general_purpose::STANDARD.encode(&doc.bytes)),
                        ..ClaudeMessagesDocumentSource::default()
                    },
                    title: Some(doc.name.clone()),
                    ..ClaudeMessagesDocumentBlock::default()
                }
                .into()
            }
            Content::ToolUse(u) => ClaudeMessagesToolUseBlock {
                id: u.id.clone(),
                name: u.name.clone(),
                input: u.input.clone(),
                ..ClaudeMessagesToolUseBlock::default()
            }
            .into(),
            Content::ToolResult(r) => {
                results += 1;
                let mut parts = Vec::new();
                let mut k = 0;
                for part in &r.content {
                    parts.push(match part {
                        ToolResultContent::Text(t) => text_block(t.as_str()),
                        ToolResultContent::Json(v) => text_block(v.to_string()),
                        ToolResultContent::Image(image) => {
                            k += 1;
                            let at = format!("{at}, tool result {results}, image {k}");
                            image_block(ctx, image, &at)?
                        }
                    });
                }
                ClaudeMessagesToolResultBlock {
                    tool_use_id: r.tool_use_id.clone(),
                    content: Some(to_json(&parts, &at)?),
                    is_error: r.is_error.then_some(true),
                    ..ClaudeMessagesToolResultBlock::default()
                }
                .into()
            }
            Content::Reasoning(r) => ClaudeMessagesThinkingBlock {
                thinking: r.text.clone(),
                signature: r.signature.clone(),
                ..ClaudeMessagesThinkingBlock::default()
            }
            .into(),
            Content::CachePoint => {
                if !out.last_mut().is_some_and(set_cache_control) {
                    return Err(Error::invalid(
                        at,
                        "a cache point must follow the content it caches",
                    ));
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
    image: &crate::images::ImageInput,
    at: &str,
) -> Result<ClaudeMessagesContentBlock> {
    let fitted = ctx.fit(image, at)?;
    Ok(ClaudeMessagesImageBlock {
        source: ClaudeMessagesImageSource {
            kind: ClaudeMessagesImageSourceKind::Base64,
            media_type: ClaudeMessagesImageSourceMediaType::from(fitted.media_type().as_str()),
            data: fitted.base64(),
            extra: Default::default(),
        },
        cache_control: None,
        extra: Default::default(),
    }
    .into())
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
        return Ok(Some(to_json(&blocks(turn, 0, ctx)?, "system")?));
    }
    Ok(Some(json!(turn.text())))
}

fn tool_choice(choice: &ToolChoice) -> ClaudeMessagesToolChoice {
    let (kind, name) = match choice {
        ToolChoice::Any => (ClaudeMessagesToolChoiceKind::Any, None),
        ToolChoice::Tool(name) => (ClaudeMessagesToolChoiceKind::Tool, Some(name.clone())),
        _ => (ClaudeMessagesToolChoiceKind::Auto, None),
    };
    ClaudeMessagesToolChoice {
        kind,
        name,
        extra: Default::default(),
    }
}

/// `thinking` (and `output_config`) for the reasoning asked, and the output limit it needs.
fn reasoning(
    config: ReasoningConfig,
    ctx: &EncodeContext<'_>,
    request: &mut ClaudeMessagesRequest,
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
            request.thinking = Some(ClaudeMessagesThinking {
                kind: "enabled".into(),
                budget_tokens: Some(budget),
                ..ClaudeMessagesThinking::default()
            });
            // max_tokens must exceed the budget: room for the answer after the thinking.
            let wanted = budget.saturating_add(ctx.default_max_tokens());
            let max = ctx.max_output_tokens().map_or(wanted, |m| wanted.min(m));
            request.max_tokens = max;
        }
        ReasoningConfig::Effort(effort) => {
            if ctx.reasoning_style() == Some(ReasoningStyle::Budget) {
                return Err(Error::invalid(
                    "reasoning",
                    "this Claude model takes a thinking budget (ReasoningConfig::Budget), not an \
                     effort level; adaptive thinking is for Claude Opus 4.6 and Sonnet 4.6",
                ));
            }
            request.thinking = Some(ClaudeMessagesThinking {
                kind: "adaptive".into(),
                ..ClaudeMessagesThinking::default()
            });
            request.output_config = Some(ClaudeMessagesOutputConfig {
                effort: Some(effort.as_str().into()),
                ..ClaudeMessagesOutputConfig::default()
            });
        }
    }
    Ok(())
}

impl TextFamily for Claude3Family {
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
    ) -> Result<(ClaudeMessagesRequest, String)> {
        let system = system(conversation, ctx)?;
        let offset = conversation.turns().len() - conversation.dialogue().len();
        let messages = conversation
            .dialogue()
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let content = blocks(t, i + offset, ctx)?;
                let at = format!("conversation turn {}", i + offset + 1);
                Ok(ClaudeMessagesMessage {
                    role: ClaudeMessagesMessageRole::from(t.role.wire()),
                    content: to_json(&content, &at)?,
                    extra: Default::default(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let tools = (!ctx.tools.is_empty()).then(|| {
            ctx.tools
                .iter()
                .map(|t| ClaudeMessagesTool {
                    name: t.name.clone(),
                    description: Some(t.description.clone()),
                    input_schema: Some(t.wire_schema()),
                    ..ClaudeMessagesTool::default()
                })
                .collect()
        });
        let mut request = ClaudeMessagesRequest {
            anthropic_version: ANTHROPIC_VERSION.into(),
            max_tokens: ctx.default_max_tokens(),
            system,
            messages,
            tools,
            tool_choice: ctx.tool_choice.map(tool_choice),
            ..ClaudeMessagesRequest::default()
        };
        if let Some(config) = ctx.reasoning {
            reasoning(config, ctx, &mut request)?;
        }
        Ok((request, conversation.joined_text()))
    }

    fn check_body(request: &ClaudeMessagesRequest, _: &EncodeContext<'_>) -> Result<()> {
        let budget = request.thinking.as_ref().and_then(|t| t.budget_tokens);
        let max = request.max_tokens;
        if let Some(budget) = budget
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
    fn decode(response: &ClaudeMessagesResponse) -> Decoded {
        let mut text = String::new();
        let mut tool_uses = Vec::new();
        let mut reasoning: Option<Reasoning> = None;
        for block in &response.content {
            match block {
                ClaudeMessagesContentBlock::Text(b) => text.push_str(&b.text),
                ClaudeMessagesContentBlock::ToolUse(b) => {
                    tool_uses.push(ToolUse::new(&b.id, &b.name, b.input.clone()));
                }
                ClaudeMessagesContentBlock::Thinking(b) => {
                    let r = reasoning.get_or_insert_with(Reasoning::default);
                    r.text.push_str(&b.thinking);
                    if let Some(sig) = &b.signature {
                        r.signature = Some(sig.clone());
                    }
                }
                _ => {}
            }
        }
        Decoded {
            usage: usage(response.usage.as_ref()),
            tool_uses,
            reasoning,
            ..Decoded::text(Some(&text))
        }
        .with_stop(response.stop_reason.as_ref().map(|r| r.as_str()))
    }

    /// `message_start` carries input usage; `content_block_start` of a `tool_use` block
    /// starts a tool call; `content_block_delta` carries `text_delta`, `input_json_delta`
    /// (the tool input), `thinking_delta` and `signature_delta`; `message_delta` the stop
    /// reason and output usage.
    fn decode_chunk(chunk: &ClaudeMessagesStreamChunk) -> Decoded {
        let event = |e: ChatEvent| Decoded {
            events: vec![e],
            ..Decoded::default()
        };
        match chunk.kind {
            ClaudeMessagesStreamEventType::ContentBlockStart => match &chunk.content_block {
                Some(ClaudeMessagesContentBlock::ToolUse(b)) => event(ChatEvent::ToolUseStart {
                    id: b.id.clone(),
                    name: b.name.clone(),
                }),
                Some(ClaudeMessagesContentBlock::Text(b)) => Decoded::text(Some(&b.text)),
                _ => Decoded::default(),
            },
            ClaudeMessagesStreamEventType::ContentBlockDelta => {
                let Some(delta) = &chunk.delta else {
                    return Decoded::default();
                };
                let non_empty =
                    |s: &Option<String>| s.as_deref().filter(|s| !s.is_empty()).map(str::to_owned);
                match delta.kind {
                    Some(ClaudeMessagesDeltaType::TextDelta) => {
                        Decoded::text(delta.text.as_deref())
                    }
                    Some(ClaudeMessagesDeltaType::InputJsonDelta) => non_empty(&delta.partial_json)
                        .map(|s| event(ChatEvent::ToolUseInputDelta(s)))
                        .unwrap_or_default(),
                    Some(ClaudeMessagesDeltaType::ThinkingDelta) => non_empty(&delta.thinking)
                        .map(|s| event(ChatEvent::ReasoningDelta(s)))
                        .unwrap_or_default(),
                    Some(ClaudeMessagesDeltaType::SignatureDelta) => non_empty(&delta.signature)
                        .map(|s| event(ChatEvent::ReasoningSignature(s)))
                        .unwrap_or_default(),
                    _ => Decoded::default(),
                }
            }
            ClaudeMessagesStreamEventType::MessageStart => Decoded {
                usage: usage(chunk.message.as_ref().and_then(|m| m.usage.as_ref())),
                ..Decoded::default()
            },
            ClaudeMessagesStreamEventType::MessageDelta => Decoded {
                usage: usage(chunk.usage.as_ref()),
                ..Decoded::default()
            }
            .with_stop(
                chunk
                    .delta
                    .as_ref()
                    .and_then(|d| d.stop_reason.as_ref())
                    .map(|r| r.as_str()),
            ),
            _ => Decoded::default(),
        }
    }
}

#[cfg(test)]
mod tests;
