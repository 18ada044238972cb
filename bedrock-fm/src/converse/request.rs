//! The Converse request, built once in the SDK's types: messages and their content blocks,
//! `inferenceConfig`, `toolConfig`, `guardrailConfig`, `additionalModelRequestFields`
//! (family parameters, reasoning, `extra_args`), `performanceConfig`, `requestMetadata`.

use super::checks::{check, check_stop_words};
use crate::catalog::{Family, ImageInputLimits, Model, ReasoningStyle};
use crate::chat::content::{
    Content, DocumentInput, Reasoning, ToolResult, ToolResultContent, ToolUse,
};
use crate::chat::images::{DEFAULT_LIMITS, fit_image};
use crate::chat::tools::ToolChoice;
use crate::chat::{ChatOptions, Guardrail, ReasoningConfig};
use crate::conversation::{Conversation, Role};
use crate::error::{Error, Result};
use crate::native::{check_not_overwritten, deep_merge, set_path};
use crate::params::Plan;
use crate::params::{FamilyTypes, Params};
use crate::sdk_document::to_document;
use crate::text::TextModel;
use crate::text_families::TextFamily;
use aws_sdk_bedrockruntime::error::BuildError;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{
    self as sdk, ContentBlock, ConversationRole, InferenceConfiguration, Message,
    ReasoningContentBlock, SystemContentBlock,
};
use serde_json::{Map, Value, json};
use std::cell::Cell;
use std::collections::HashMap;

/// The smallest reasoning budget Claude takes ("budget_tokens ... minimum 1,024",
/// https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-extended-thinking.html).
const MIN_REASONING_BUDGET: u32 = 1024;

pub(super) fn turn_at(i: usize) -> String {
    format!("conversation turn {}", i + 1)
}

pub(super) fn build_error(at: &str, e: BuildError) -> Error {
    Error::invalid(at, e.to_string())
}

/// A Converse request, in the SDK's types (the body as sent is read back from the wire by
/// [`SentBody`] for [`Details::body`]).
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub prompt: String,
    pub(super) messages: Vec<Message>,
    pub(super) system: Option<Vec<SystemContentBlock>>,
    pub(super) inference: Option<InferenceConfiguration>,
    pub(super) tool_config: Option<sdk::ToolConfiguration>,
    pub(super) guardrail: Option<Guardrail>,
    pub(super) additional: Option<aws_smithy_types::Document>,
    pub(super) performance: Option<sdk::PerformanceConfiguration>,
    pub(super) metadata: Option<HashMap<String, String>>,
}

/// Builds the request, refusing before any network what the model cannot take: images for
/// a model without vision, more images than it allows, documents for a model that reads
/// none, tools for a model without tool use, reasoning for a model without a reasoning style
/// (or in the other style), and malformed guardrails, metadata, documents or tool blocks.
pub(crate) fn request<F: TextFamily>(
    model: &TextModel<F>,
    conversation: &Conversation,
    plan: &Plan<F>,
    chat: &ChatOptions<F>,
) -> Result<Request> {
    let catalog = model.model;
    check::<F>(catalog, conversation, chat)?;
    let limits = catalog
        .and_then(|m| m.info().image_input)
        .unwrap_or(DEFAULT_LIMITS);
    let encoder = Encoder {
        limits,
        error_status: matches!(F::FAMILY, Some(Family::ClaudeMessages | Family::Nova)),
        images: Cell::new(0),
    };
    let mut messages = Vec::new();
    let mut system = Vec::new();
    for (i, turn) in conversation.turns().iter().enumerate() {
        let at = turn_at(i);
        let keep = |c: &&Content| match c {
            // A blank text beside other blocks is dropped (Converse rejects blank text).
            Content::Text(t) => !t.trim().is_empty() || turn.content.len() == 1,
            _ => true,
        };
        if turn.role == Role::System {
            for c in turn.content.iter().filter(keep) {
                let b = match c {
                    Content::Text(t) => SystemContentBlock::Text(t.clone()),
                    Content::CachePoint => SystemContentBlock::CachePoint(cache_point(&at)?),
                    other => {
                        let msg = format!("{} is not allowed in a system turn", other.a_block());
                        return Err(Error::invalid(at, msg));
                    }
                };
                system.push(b);
            }
            continue;
        }
        let mut builder = Message::builder().role(if turn.role == Role::Human {
            ConversationRole::User
        } else {
            ConversationRole::Assistant
        });
        encoder.images.set(0);
        for (j, c) in turn.content.iter().enumerate().filter(|(_, c)| keep(c)) {
            builder = builder.content(encoder.block(c, &at, j)?);
        }
        messages.push(builder.build().map_err(|e| build_error(&at, e))?);
    }

    let common = plan.params.common();
    check_stop_words(common.stop_words.as_deref())?;
    let any_common = common.max_tokens.is_some()
        || common.temperature.is_some()
        || common.top_p.is_some()
        || common.stop_words.is_some();
    let inference = any_common.then(|| {
        InferenceConfiguration::builder()
            .set_max_tokens(plan.max_tokens().map(|v| v as i32))
            .set_temperature(plan.temperature().map(|v| v as f32))
            .set_top_p(plan.top_p().map(|v| v as f32))
            .set_stop_sequences(plan.stop_words())
            .build()
    });
    let tool_config = match chat.tools.is_empty() {
        true => None,
        false => Some(tool_config(chat)?),
    };

    let mut additional = Map::new();
    for (param, value) in &plan.specific {
        set_path(&mut additional, param.path, value.clone());
    }
    if let Some(reasoning) = chat.reasoning
        && let Value::Object(fields) = reasoning_fields::<F>(catalog, reasoning, plan)?
    {
        deep_merge(&mut additional, &fields);
    }
    // Typed parameters named in extra_args are refused by `CallOptions::plan`; the reasoning
    // fields are the SDK's too.
    check_not_overwritten(&additional, &plan.extra_args, "ChatOptions::reasoning")?;
    deep_merge(&mut additional, &plan.extra_args);
    let additional = (!additional.is_empty()).then(|| to_document(&Value::Object(additional)));

    let performance = chat.latency_optimized.then(|| {
        sdk::PerformanceConfiguration::builder()
            .latency(sdk::PerformanceConfigLatency::Optimized)
            .build()
    });

    let metadata = (!chat.request_metadata.is_empty()).then(|| {
        chat.request_metadata
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    });

    Ok(Request {
        prompt: conversation.joined_text(),
        messages,
        system: (!system.is_empty()).then_some(system),
        inference,
        tool_config,
        guardrail: chat.guardrail.clone(),
        additional,
        performance,
        metadata,
    })
}

fn cache_point(at: &str) -> Result<sdk::CachePointBlock> {
    sdk::CachePointBlock::builder()
        .r#type(sdk::CachePointType::Default)
        .build()
        .map_err(|e| build_error(at, e))
}

/// Turns content blocks into the SDK's.
struct Encoder {
    limits: ImageInputLimits,
    /// Whether `toolResult.status` may be sent ("only supported by Amazon Nova and Anthropic
    /// Claude 3 and 4 models", service model `ToolResultBlock.status`).
    error_status: bool,
    /// Images seen so far in the turn, to name them in errors (`conversation turn 2, image 1`).
    images: Cell<usize>,
}

impl Encoder {
    fn image(&self, input: &crate::images::ImageInput, turn_at: &str) -> Result<sdk::ImageBlock> {
        self.images.set(self.images.get() + 1);
        let at = format!("{turn_at}, image {}", self.images.get());
        let at = at.as_str();
        let fitted = fit_image(input, &self.limits, at)?;
        sdk::ImageBlock::builder()
            .format(sdk::ImageFormat::from(fitted.format))
            .source(sdk::ImageSource::Bytes(Blob::new(fitted.bytes)))
            .build()
            .map_err(|e| build_error(at, e))
    }

    /// Block `index` (0-based) of the turn at `turn_at`.
    fn block(&self, content: &Content, turn_at: &str, index: usize) -> Result<ContentBlock> {
        let at = format!("{turn_at}, block {}", index + 1);
        let at = at.as_str();
        Ok(match content {
            Content::Text(t) => ContentBlock::Text(t.clone()),
            Content::Image(input) => ContentBlock::Image(self.image(input, turn_at)?),
            Content::Document(d) => document(d, at)?,
            Content::ToolUse(u) => tool_use(u, at)?,
            Content::ToolResult(r) => self.tool_result(r, turn_at)?,
            Content::Reasoning(r) => reasoning(r, at)?,
            Content::CachePoint => ContentBlock::CachePoint(cache_point(at)?),
        })
    }

    fn tool_result(&self, r: &ToolResult, turn_at: &str) -> Result<ContentBlock> {
        let at = format!("{turn_at}, tool result for {:?}", r.tool_use_id);
        let at = at.as_str();
        let mut parts = Vec::new();
        for part in &r.content {
            parts.push(match part {
                ToolResultContent::Text(t) => sdk::ToolResultContentBlock::Text(t.clone()),
                ToolResultContent::Json(v) => sdk::ToolResultContentBlock::Json(to_document(v)),
                ToolResultContent::Image(input) => {
                    sdk::ToolResultContentBlock::Image(self.image(input, turn_at)?)
                }
            });
        }
        let status = (r.is_error && self.error_status).then_some(sdk::ToolResultStatus::Error);
        let b = sdk::ToolResultBlock::builder()
            .tool_use_id(&r.tool_use_id)
            .set_content(Some(parts))
            .set_status(status)
            .build()
            .map_err(|e| build_error(at, e))?;
        Ok(ContentBlock::ToolResult(b))
    }
}

fn document(d: &DocumentInput, at: &str) -> Result<ContentBlock> {
    let b = sdk::DocumentBlock::builder()
        .format(sdk::DocumentFormat::from(d.format.as_str()))
        .name(&d.name)
        .source(sdk::DocumentSource::Bytes(Blob::new(d.bytes.clone())))
        .build()
        .map_err(|e| build_error(at, e))?;
    Ok(ContentBlock::Document(b))
}

fn tool_use(u: &ToolUse, at: &str) -> Result<ContentBlock> {
    let b = sdk::ToolUseBlock::builder()
        .tool_use_id(&u.id)
        .name(&u.name)
        .input(to_document(&u.input))
        .build()
        .map_err(|e| build_error(at, e))?;
    Ok(ContentBlock::ToolUse(b))
}

fn reasoning(r: &Reasoning, at: &str) -> Result<ContentBlock> {
    let b = sdk::ReasoningTextBlock::builder()
        .text(&r.text)
        .set_signature(r.signature.clone())
        .build()
        .map_err(|e| build_error(at, e))?;
    Ok(ContentBlock::ReasoningContent(
        ReasoningContentBlock::ReasoningText(b),
    ))
}

fn tool_config<F: FamilyTypes>(chat: &ChatOptions<F>) -> Result<sdk::ToolConfiguration> {
    let mut builder = sdk::ToolConfiguration::builder();
    for tool in &chat.tools {
        let at = format!("tool {:?}", tool.name);
        let schema = tool.wire_schema();
        let spec = sdk::ToolSpecification::builder()
            .name(&tool.name)
            .description(&tool.description)
            .input_schema(sdk::ToolInputSchema::Json(to_document(&schema)))
            .build()
            .map_err(|e| build_error(&at, e))?;
        builder = builder.tools(sdk::Tool::ToolSpec(spec));
    }
    if let Some(choice) = &chat.tool_choice {
        let c = match choice {
            ToolChoice::Any => sdk::ToolChoice::Any(sdk::AnyToolChoice::builder().build()),
            ToolChoice::Tool(name) => sdk::ToolChoice::Tool(
                sdk::SpecificToolChoice::builder()
                    .name(name)
                    .build()
                    .map_err(|e| build_error("tool_choice", e))?,
            ),
            _ => sdk::ToolChoice::Auto(sdk::AutoToolChoice::builder().build()),
        };
        builder = builder.tool_choice(c);
    }
    builder.build().map_err(|e| build_error("tools", e))
}

pub(super) fn guardrail_sdk(g: &Guardrail) -> sdk::GuardrailConfiguration {
    sdk::GuardrailConfiguration::builder()
        .guardrail_identifier(&g.identifier)
        .guardrail_version(&g.version)
        .set_trace(g.trace.then_some(sdk::GuardrailTrace::Enabled))
        .build()
}

pub(super) fn guardrail_stream_sdk(g: &Guardrail) -> sdk::GuardrailStreamConfiguration {
    sdk::GuardrailStreamConfiguration::builder()
        .guardrail_identifier(&g.identifier)
        .guardrail_version(&g.version)
        .set_trace(g.trace.then_some(sdk::GuardrailTrace::Enabled))
        .build()
}

/// The `additionalModelRequestFields` that ask for reasoning, in the model's style:
///
/// - a budget (Claude extended thinking): `{"thinking": {"type": "enabled", "budget_tokens":
///   N}}`, https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-extended-thinking.html
///   (at least 1,024 and less than `max_tokens`);
/// - an effort level, Claude (adaptive thinking, Claude Opus 4.6 and Sonnet 4.6):
///   `{"thinking": {"type": "adaptive"}, "output_config": {"effort": "low|medium|high"}}`,
///   https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-adaptive-thinking.html;
/// - an effort level, Nova 2: `{"reasoningConfig": {"type": "enabled", "maxReasoningEffort":
///   "low|medium|high"}}`, https://docs.aws.amazon.com/nova/latest/nova2-userguide/extended-thinking.html
///   and https://docs.aws.amazon.com/nova/latest/nova2-userguide/using-converse-api.html.
///
/// The style comes from the catalog; for a model outside it (an ARN), from the family
/// (Claude: either style; Nova: effort).
pub(crate) fn reasoning_fields<F: TextFamily>(
    model: Option<Model>,
    reasoning: ReasoningConfig,
    plan: &Plan<F>,
) -> Result<Value> {
    let id = model.map_or_else(|| "this model".to_owned(), |m| m.id().to_owned());
    let style = match model {
        Some(m) => m.info().reasoning,
        None => match (F::FAMILY, reasoning) {
            (Some(Family::ClaudeMessages), ReasoningConfig::Budget(_)) => {
                Some(ReasoningStyle::Budget)
            }
            (Some(Family::ClaudeMessages | Family::Nova), _) => Some(ReasoningStyle::Effort),
            _ => None,
        },
    };
    let Some(style) = style else {
        let msg = format!("{id} does not reason (the catalog gives it no reasoning style)");
        return Err(Error::invalid("reasoning", msg));
    };
    match (style, reasoning) {
        (ReasoningStyle::Budget, ReasoningConfig::Budget(n)) => {
            if n < MIN_REASONING_BUDGET {
                let msg = format!(
                    "a reasoning budget of {n} tokens is below the minimum of {MIN_REASONING_BUDGET}"
                );
                return Err(Error::invalid("reasoning", msg));
            }
            if let Some(max) = plan.max_tokens()
                && n >= max
            {
                let msg = format!(
                    "the reasoning budget ({n} tokens) must be less than max_tokens ({max})"
                );
                return Err(Error::invalid("reasoning", msg));
            }
            Ok(json!({"thinking": {"type": "enabled", "budget_tokens": n}}))
        }
        (ReasoningStyle::Effort, ReasoningConfig::Effort(e)) => Ok(match F::FAMILY {
            Some(Family::ClaudeMessages) => {
                json!({"thinking": {"type": "adaptive"}, "output_config": {"effort": e.as_str()}})
            }
            _ => json!({"reasoningConfig": {"type": "enabled", "maxReasoningEffort": e.as_str()}}),
        }),
        (ReasoningStyle::Budget, _) => Err(Error::invalid(
            "reasoning",
            format!(
                "{id} takes a reasoning token budget (ReasoningConfig::Budget), not an effort level"
            ),
        )),
        (_, _) => Err(Error::invalid(
            "reasoning",
            format!(
                "{id} takes a reasoning effort level (ReasoningConfig::Effort), not a token budget"
            ),
        )),
    }
}
