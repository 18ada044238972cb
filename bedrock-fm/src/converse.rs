//! The Converse path: one request shape for every model, a first-class alternative to
//! InvokeModel (some accounts allow only Converse). Typed parameters go to
//! `inferenceConfig` (the common four) or `additionalModelRequestFields` (the rest, at their
//! native path), with `extra_args` merged into the latter.
//!
//! Every content block is sent (text, images fitted to the model's limits, documents, tool
//! calls and results, reasoning with its signature, cache points), with `toolConfig`,
//! `guardrailConfig`, `performanceConfig`, `requestMetadata`, and reasoning in
//! `additionalModelRequestFields` in the style the catalog gives the model.
//! Shapes: bedrock-runtime service model (`/work/shared/reference/
//! bedrock-runtime-2023-09-30.service-2.json`), operations Converse and ConverseStream.

use crate::catalog::{Family, ImageInputLimits, Modality, Model, ReasoningStyle};
use crate::chat::content::{
    Content, DocumentInput, Reasoning, ToolResult, ToolResultContent, ToolUse,
};
use crate::chat::images::{DEFAULT_LIMITS, fit_image};
use crate::chat::tools::ToolChoice;
use crate::chat::{ChatEvent, ChatOptions, Guardrail, ReasoningConfig};
use crate::conversation::{Conversation, Role};
use crate::details::{Api, Details, StopReason, Usage};
use crate::document::{to_document, to_json};
use crate::error::{Error, Result, ServiceError};
use crate::families::{Decoded, TextFamily};
use crate::native::{deep_merge, set_path};
use crate::params::FamilyTypes;
use crate::params::Plan;
use crate::sdk_error::{from_sdk, from_stream_sdk};
use crate::stream::{EventSource, StreamStart, TextStream, TraceSlot, idle_timeout, open, pump};
use crate::text::TextModel;
use aws_sdk_bedrockruntime::error::BuildError;
use aws_sdk_bedrockruntime::operation::RequestId;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::primitives::event_stream::EventReceiver;
use aws_sdk_bedrockruntime::types::error::ConverseStreamOutputError;
use aws_sdk_bedrockruntime::types::{
    self as sdk, ContentBlock, ContentBlockDelta, ContentBlockStart, ConversationRole,
    ConverseStreamOutput, InferenceConfiguration, Message, ReasoningContentBlock,
    ReasoningContentBlockDelta, SystemContentBlock, TokenUsage,
};
use base64::Engine as _;
use serde_json::{Map, Value, json};
use std::cell::Cell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// `Message.content`: "up to five documents. Each document's size must be no more than
/// 4.5 MB."
const MAX_DOCUMENTS: usize = 5;
const MAX_DOCUMENT_BYTES: usize = 4_718_592;

/// The `DocumentFormat` enum of the service model.
const DOCUMENT_FORMATS: [&str; 9] = [
    "pdf", "csv", "doc", "docx", "xls", "xlsx", "html", "txt", "md",
];

/// The smallest reasoning budget Claude takes ("budget_tokens ... minimum 1,024",
/// https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-extended-thinking.html).
const MIN_REASONING_BUDGET: u32 = 1024;

fn turn_at(i: usize) -> String {
    format!("conversation turn {}", i + 1)
}

fn build_error(at: &str, e: BuildError) -> Error {
    Error::invalid(at, e.to_string())
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A Converse request in two forms: its documented JSON shape (the body as sent, kept in
/// [`Details::body`]) and the SDK's types, built together from the same content.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub body: Value,
    pub prompt: String,
    messages: Vec<Message>,
    system: Option<Vec<SystemContentBlock>>,
    inference: Option<InferenceConfiguration>,
    tool_config: Option<sdk::ToolConfiguration>,
    guardrail: Option<Guardrail>,
    additional: Option<aws_smithy_types::Document>,
    performance: Option<sdk::PerformanceConfiguration>,
    metadata: Option<HashMap<String, String>>,
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
    let mut body = Map::new();

    let mut messages_json = Vec::new();
    let mut messages = Vec::new();
    let mut system_json = Vec::new();
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
                let (j, b) = match c {
                    Content::Text(t) => (json!({"text": t}), SystemContentBlock::Text(t.clone())),
                    Content::CachePoint => (
                        json!({"cachePoint": {"type": "default"}}),
                        SystemContentBlock::CachePoint(cache_point(&at)?),
                    ),
                    other => {
                        let msg =
                            format!("a {} block is not allowed in a system turn", other.kind());
                        return Err(Error::invalid(at, msg));
                    }
                };
                system_json.push(j);
                system.push(b);
            }
            continue;
        }
        let mut content_json = Vec::new();
        let mut builder = Message::builder().role(if turn.role == Role::Human {
            ConversationRole::User
        } else {
            ConversationRole::Assistant
        });
        encoder.images.set(0);
        for (j, c) in turn.content.iter().enumerate().filter(|(_, c)| keep(c)) {
            let (v, b) = encoder.block(c, &at, j)?;
            content_json.push(v);
            builder = builder.content(b);
        }
        messages_json.push(json!({"role": turn.role.wire(), "content": content_json}));
        messages.push(builder.build().map_err(|e| build_error(&at, e))?);
    }
    body.insert("messages".into(), Value::Array(messages_json));
    if !system_json.is_empty() {
        body.insert("system".into(), Value::Array(system_json));
    }

    let mut inference = Map::new();
    if let Some(v) = plan.max_tokens() {
        inference.insert("maxTokens".into(), json!(v));
    }
    if let Some(v) = plan.temperature() {
        inference.insert("temperature".into(), json!(v));
    }
    if let Some(v) = plan.top_p() {
        inference.insert("topP".into(), json!(v));
    }
    if let Some(v) = plan.stop_words() {
        inference.insert("stopSequences".into(), json!(v));
    }
    let inference_sdk = (!inference.is_empty()).then(|| {
        InferenceConfiguration::builder()
            .set_max_tokens(plan.max_tokens().map(|v| v as i32))
            .set_temperature(plan.temperature().map(|v| v as f32))
            .set_top_p(plan.top_p().map(|v| v as f32))
            .set_stop_sequences(plan.stop_words())
            .build()
    });
    if !inference.is_empty() {
        body.insert("inferenceConfig".into(), Value::Object(inference));
    }

    let tool_config = if chat.tools.is_empty() {
        None
    } else {
        let (j, t) = tool_config(chat)?;
        body.insert("toolConfig".into(), j);
        Some(t)
    };

    if let Some(g) = &chat.guardrail {
        body.insert("guardrailConfig".into(), guardrail_json(g));
    }

    let mut additional = Map::new();
    for (param, value) in &plan.specific {
        set_path(&mut additional, param.path, value.clone());
    }
    if let Some(reasoning) = chat.reasoning
        && let Value::Object(fields) = reasoning_fields::<F>(catalog, reasoning, plan)?
    {
        deep_merge(&mut additional, &fields);
    }
    deep_merge(&mut additional, &plan.extra_args);
    let additional_sdk =
        (!additional.is_empty()).then(|| to_document(&Value::Object(additional.clone())));
    if !additional.is_empty() {
        body.insert(
            "additionalModelRequestFields".into(),
            Value::Object(additional),
        );
    }

    let performance = chat.latency_optimized.then(|| {
        body.insert("performanceConfig".into(), json!({"latency": "optimized"}));
        sdk::PerformanceConfiguration::builder()
            .latency(sdk::PerformanceConfigLatency::Optimized)
            .build()
    });

    let metadata = (!chat.request_metadata.is_empty()).then(|| {
        body.insert("requestMetadata".into(), json!(chat.request_metadata));
        chat.request_metadata
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    });

    Ok(Request {
        body: Value::Object(body),
        prompt: conversation.joined_text(),
        messages,
        system: (!system.is_empty()).then_some(system),
        inference: inference_sdk,
        tool_config,
        guardrail: chat.guardrail.clone(),
        additional: additional_sdk,
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

/// Turns content blocks into their JSON and SDK forms.
struct Encoder {
    limits: ImageInputLimits,
    /// Whether `toolResult.status` may be sent ("only supported by Amazon Nova and Anthropic
    /// Claude 3 and 4 models", service model `ToolResultBlock.status`).
    error_status: bool,
    /// Images seen so far in the turn, to name them in errors (`conversation turn 2, image 1`).
    images: Cell<usize>,
}

impl Encoder {
    fn image(
        &self,
        input: &crate::chat::content::ImageInput,
        turn_at: &str,
    ) -> Result<(Value, sdk::ImageBlock)> {
        self.images.set(self.images.get() + 1);
        let at = format!("{turn_at}, image {}", self.images.get());
        let at = at.as_str();
        let fitted = fit_image(input, &self.limits, at)?;
        let j =
            json!({"image": {"format": fitted.format, "source": {"bytes": base64(&fitted.bytes)}}});
        let b = sdk::ImageBlock::builder()
            .format(sdk::ImageFormat::from(fitted.format))
            .source(sdk::ImageSource::Bytes(Blob::new(fitted.bytes)))
            .build()
            .map_err(|e| build_error(at, e))?;
        Ok((j, b))
    }

    /// Block `index` (0-based) of the turn at `turn_at`.
    fn block(
        &self,
        content: &Content,
        turn_at: &str,
        index: usize,
    ) -> Result<(Value, ContentBlock)> {
        let at = format!("{turn_at}, block {}", index + 1);
        let at = at.as_str();
        Ok(match content {
            Content::Text(t) => (json!({"text": t}), ContentBlock::Text(t.clone())),
            Content::Image(input) => {
                let (j, b) = self.image(input, turn_at)?;
                (j, ContentBlock::Image(b))
            }
            Content::Document(d) => document(d, at)?,
            Content::ToolUse(u) => tool_use(u, at)?,
            Content::ToolResult(r) => self.tool_result(r, turn_at)?,
            Content::Reasoning(r) => reasoning(r, at)?,
            Content::CachePoint => (
                json!({"cachePoint": {"type": "default"}}),
                ContentBlock::CachePoint(cache_point(at)?),
            ),
        })
    }

    fn tool_result(&self, r: &ToolResult, turn_at: &str) -> Result<(Value, ContentBlock)> {
        let at = format!("{turn_at}, tool result for {:?}", r.tool_use_id);
        let at = at.as_str();
        let mut parts_json = Vec::new();
        let mut parts = Vec::new();
        for part in &r.content {
            match part {
                ToolResultContent::Text(t) => {
                    parts_json.push(json!({"text": t}));
                    parts.push(sdk::ToolResultContentBlock::Text(t.clone()));
                }
                ToolResultContent::Json(v) => {
                    parts_json.push(json!({"json": v}));
                    parts.push(sdk::ToolResultContentBlock::Json(to_document(v)));
                }
                ToolResultContent::Image(input) => {
                    let (j, b) = self.image(input, turn_at)?;
                    parts_json.push(j);
                    parts.push(sdk::ToolResultContentBlock::Image(b));
                }
            }
        }
        let mut j = json!({"toolUseId": r.tool_use_id, "content": parts_json});
        let status = (r.is_error && self.error_status).then(|| {
            j["status"] = json!("error");
            sdk::ToolResultStatus::Error
        });
        let b = sdk::ToolResultBlock::builder()
            .tool_use_id(&r.tool_use_id)
            .set_content(Some(parts))
            .set_status(status)
            .build()
            .map_err(|e| build_error(at, e))?;
        Ok((json!({"toolResult": j}), ContentBlock::ToolResult(b)))
    }
}

fn document(d: &DocumentInput, at: &str) -> Result<(Value, ContentBlock)> {
    let j = json!({"document": {"format": d.format, "name": d.name, "source": {"bytes": base64(&d.bytes)}}});
    let b = sdk::DocumentBlock::builder()
        .format(sdk::DocumentFormat::from(d.format.as_str()))
        .name(&d.name)
        .source(sdk::DocumentSource::Bytes(Blob::new(d.bytes.clone())))
        .build()
        .map_err(|e| build_error(at, e))?;
    Ok((j, ContentBlock::Document(b)))
}

fn tool_use(u: &ToolUse, at: &str) -> Result<(Value, ContentBlock)> {
    let j = json!({"toolUse": {"toolUseId": u.id, "name": u.name, "input": u.input}});
    let b = sdk::ToolUseBlock::builder()
        .tool_use_id(&u.id)
        .name(&u.name)
        .input(to_document(&u.input))
        .build()
        .map_err(|e| build_error(at, e))?;
    Ok((j, ContentBlock::ToolUse(b)))
}

fn reasoning(r: &Reasoning, at: &str) -> Result<(Value, ContentBlock)> {
    let mut text = json!({"text": r.text});
    if let Some(s) = &r.signature {
        text["signature"] = json!(s);
    }
    let b = sdk::ReasoningTextBlock::builder()
        .text(&r.text)
        .set_signature(r.signature.clone())
        .build()
        .map_err(|e| build_error(at, e))?;
    Ok((
        json!({"reasoningContent": {"reasoningText": text}}),
        ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(b)),
    ))
}

fn tool_config<F: FamilyTypes>(chat: &ChatOptions<F>) -> Result<(Value, sdk::ToolConfiguration)> {
    let mut tools_json = Vec::new();
    let mut builder = sdk::ToolConfiguration::builder();
    for tool in &chat.tools {
        let at = format!("tool {:?}", tool.name);
        let schema = tool.wire_schema();
        tools_json.push(json!({"toolSpec": {
            "name": tool.name,
            "description": tool.description,
            "inputSchema": {"json": schema},
        }}));
        let spec = sdk::ToolSpecification::builder()
            .name(&tool.name)
            .description(&tool.description)
            .input_schema(sdk::ToolInputSchema::Json(to_document(&schema)))
            .build()
            .map_err(|e| build_error(&at, e))?;
        builder = builder.tools(sdk::Tool::ToolSpec(spec));
    }
    let mut j = json!({"tools": tools_json});
    if let Some(choice) = &chat.tool_choice {
        let (cj, c) = match choice {
            ToolChoice::Any => (
                json!({"any": {}}),
                sdk::ToolChoice::Any(sdk::AnyToolChoice::builder().build()),
            ),
            ToolChoice::Tool(name) => (
                json!({"tool": {"name": name}}),
                sdk::ToolChoice::Tool(
                    sdk::SpecificToolChoice::builder()
                        .name(name)
                        .build()
                        .map_err(|e| build_error("tool_choice", e))?,
                ),
            ),
            _ => (
                json!({"auto": {}}),
                sdk::ToolChoice::Auto(sdk::AutoToolChoice::builder().build()),
            ),
        };
        j["toolChoice"] = cj;
        builder = builder.tool_choice(c);
    }
    let config = builder.build().map_err(|e| build_error("tools", e))?;
    Ok((j, config))
}

fn guardrail_json(g: &Guardrail) -> Value {
    let mut j = json!({"guardrailIdentifier": g.identifier, "guardrailVersion": g.version});
    if g.trace {
        j["trace"] = json!("enabled");
    }
    j
}

fn guardrail_sdk(g: &Guardrail) -> sdk::GuardrailConfiguration {
    sdk::GuardrailConfiguration::builder()
        .guardrail_identifier(&g.identifier)
        .guardrail_version(&g.version)
        .set_trace(g.trace.then_some(sdk::GuardrailTrace::Enabled))
        .build()
}

fn guardrail_stream_sdk(g: &Guardrail) -> sdk::GuardrailStreamConfiguration {
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

/// `RequestMetadataKeyString` / `...ValueString`: `[a-zA-Z0-9\s:_@$#=/+,-.]`.
fn metadata_chars_ok(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || c.is_whitespace() || ":_@$#=/+,-.".contains(c))
}

/// `DocumentBlock.name`: letters, digits, single whitespace characters, hyphens,
/// parentheses and square brackets, 1 to 200 characters.
fn document_name_ok(name: &str) -> bool {
    let chars_ok = name.chars().all(|c| {
        c.is_alphanumeric() || c.is_whitespace() || matches!(c, '-' | '(' | ')' | '[' | ']')
    });
    let single_spaces = !name
        .chars()
        .zip(name.chars().skip(1))
        .any(|(a, b)| a.is_whitespace() && b.is_whitespace());
    (1..=200).contains(&name.chars().count()) && chars_ok && single_spaces
}

fn count_images(c: &Content) -> u32 {
    match c {
        Content::Image(_) => 1,
        Content::ToolResult(r) => r
            .content
            .iter()
            .filter(|p| matches!(p, ToolResultContent::Image(_)))
            .count() as u32,
        _ => 0,
    }
}

/// The checks of [`request`] that need no encoding.
fn check<F: TextFamily>(
    model: Option<Model>,
    conversation: &Conversation,
    chat: &ChatOptions<F>,
) -> Result<()> {
    let info = model.map(Model::info);
    let id = info.map_or("this model", |i| i.id);
    let limits = info.and_then(|i| i.image_input).unwrap_or(DEFAULT_LIMITS);
    let mut images = 0u32;
    for (i, turn) in conversation.turns().iter().enumerate() {
        let at = turn_at(i);
        let has_text = turn
            .content
            .iter()
            .any(|c| matches!(c, Content::Text(t) if !t.trim().is_empty()));
        let mut documents = 0;
        for c in &turn.content {
            let n = count_images(c);
            if n > 0 {
                if let Some(info) = info
                    && !info.vision
                {
                    let msg = format!(
                        "{} takes no images (it has no vision); use a vision model",
                        info.id
                    );
                    return Err(Error::invalid(at, msg));
                }
                images += n;
                if images > limits.max_count {
                    let msg = format!(
                        "more images than {id} takes: at most {} in a request",
                        limits.max_count
                    );
                    return Err(Error::invalid(at, msg));
                }
            }
            match c {
                Content::Document(d) => {
                    if let Some(info) = info
                        && !info.input_modalities.contains(&Modality::Document)
                    {
                        let msg = format!("{} reads no documents", info.id);
                        return Err(Error::invalid(at, msg));
                    }
                    check_document(d, &at)?;
                    documents += 1;
                    if documents > MAX_DOCUMENTS {
                        let msg = format!(
                            "more than {MAX_DOCUMENTS} documents in one turn (Converse's limit)"
                        );
                        return Err(Error::invalid(at, msg));
                    }
                    if !has_text {
                        return Err(Error::invalid(
                            at,
                            "a document needs a text block in the same turn (Converse requires one)",
                        ));
                    }
                }
                Content::ToolUse(u) => {
                    if chat.tools.is_empty() {
                        return Err(needs_tools(&at));
                    }
                    if !u.input.is_object() {
                        let msg = format!("the input of tool call {:?} is not a JSON object", u.id);
                        return Err(Error::invalid(at, msg));
                    }
                }
                Content::ToolResult(r) => {
                    if chat.tools.is_empty() {
                        return Err(needs_tools(&at));
                    }
                    if r.content
                        .iter()
                        .any(|p| matches!(p, ToolResultContent::Json(v) if !v.is_object()))
                    {
                        let msg = format!(
                            "the JSON of the result for {:?} is not an object (Bedrock takes objects only; wrap it, e.g. {{\"result\": ...}})",
                            r.tool_use_id
                        );
                        return Err(Error::invalid(at, msg));
                    }
                }
                _ => {}
            }
        }
    }
    if !chat.tools.is_empty() || chat.tool_choice.is_some() {
        if let Some(info) = info
            && !info.tool_use
        {
            let msg = format!("{} does not support tool use", info.id);
            return Err(Error::invalid("tools", msg));
        }
        if chat.tools.is_empty() {
            return Err(Error::invalid("tool_choice", "a tool choice without tools"));
        }
        for (i, t) in chat.tools.iter().enumerate() {
            if chat.tools[..i].iter().any(|u| u.name == t.name) {
                let msg = format!("the tool name {:?} is offered twice", t.name);
                return Err(Error::invalid("tools", msg));
            }
        }
    }
    if let Some(g) = &chat.guardrail {
        g.validate()?;
    }
    if chat.request_metadata.len() > 16 {
        return Err(Error::invalid("request_metadata", "more than 16 entries"));
    }
    for (k, v) in &chat.request_metadata {
        let at = format!("request_metadata.{k}");
        if !(1..=256).contains(&k.chars().count())
            || !metadata_chars_ok(k)
            || v.chars().count() > 256
            || !metadata_chars_ok(v)
        {
            return Err(Error::invalid(
                at,
                "keys (1 to 256) and values (up to 256) take letters, digits, whitespace and : _ @ $ # = / + , - .",
            ));
        }
    }
    Ok(())
}

fn needs_tools(at: &str) -> Error {
    Error::invalid(
        at,
        "a tool call or result needs the tools offered in the options (Converse requires toolConfig with them)",
    )
}

fn check_document(d: &DocumentInput, at: &str) -> Result<()> {
    if !DOCUMENT_FORMATS.contains(&d.format.as_str()) {
        let msg = format!(
            "the document format {:?} is not one of {}",
            d.format,
            DOCUMENT_FORMATS.join(", ")
        );
        return Err(Error::invalid(at, msg));
    }
    if !document_name_ok(&d.name) {
        let msg = format!(
            "the document name {:?} must be 1 to 200 letters, digits, single spaces, hyphens, parentheses or square brackets",
            d.name
        );
        return Err(Error::invalid(at, msg));
    }
    if d.bytes.is_empty() {
        return Err(Error::invalid(at, "the document is empty"));
    }
    if d.bytes.len() > MAX_DOCUMENT_BYTES {
        let msg = format!(
            "the document is {} bytes; Converse takes at most 4.5 MB",
            d.bytes.len()
        );
        return Err(Error::invalid(at, msg));
    }
    Ok(())
}

fn usage(u: Option<&TokenUsage>) -> Usage {
    let n = |v: i32| Some(v.max(0) as u32);
    u.map(|u| Usage {
        input_tokens: n(u.input_tokens),
        output_tokens: n(u.output_tokens),
        cache_read_tokens: u.cache_read_input_tokens.and_then(n),
        cache_write_tokens: u.cache_write_input_tokens.and_then(n),
    })
    .unwrap_or_default()
}

/// The reply's content blocks, in order: text, tool calls (input as JSON) and reasoning
/// (text and signature). Redacted reasoning and other blocks are not kept.
fn reply_content(message: Option<&Message>) -> Vec<Content> {
    message
        .map(Message::content)
        .unwrap_or_default()
        .iter()
        .filter_map(|b| match b {
            ContentBlock::Text(t) => Some(Content::Text(t.clone())),
            ContentBlock::ToolUse(u) => Some(Content::ToolUse(ToolUse::new(
                u.tool_use_id(),
                u.name(),
                to_json(u.input()),
            ))),
            ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(r)) => Some(
                Content::Reasoning(Reasoning::new(r.text(), r.signature().map(str::to_owned))),
            ),
            _ => None,
        })
        .collect()
}

/// Sets the request's fields on a Converse or ConverseStream fluent builder.
macro_rules! with_request {
    ($builder:expr, $request:expr, $guardrail:expr) => {
        $builder
            .set_messages(Some($request.messages.clone()))
            .set_system($request.system.clone())
            .set_inference_config($request.inference.clone())
            .set_tool_config($request.tool_config.clone())
            .set_guardrail_config($request.guardrail.as_ref().map($guardrail))
            .set_additional_model_request_fields($request.additional.clone())
            .set_performance_config($request.performance.clone())
            .set_request_metadata($request.metadata.clone())
    };
}

pub(crate) async fn call<F: TextFamily>(
    model: &TextModel<F>,
    conversation: &Conversation,
    plan: &Plan<F>,
    chat: &ChatOptions<F>,
) -> Result<Details<F::Response>> {
    let request = request(model, conversation, plan, chat)?;
    let client = &model.client;
    let started = Instant::now();
    let out = client
        .retry_policy()
        .run(|| async {
            with_request!(
                client.sdk().converse().model_id(&model.model_id),
                request,
                guardrail_sdk
            )
            .send()
            .await
            .map_err(|e| Error::from(from_sdk(e)))
        })
        .await?;
    let latency = started.elapsed();
    let content = reply_content(out.output().and_then(|o| o.as_message().ok()));
    let text: String = content
        .iter()
        .filter_map(|c| match c {
            Content::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    Ok(Details {
        output: text.clone(),
        content,
        completions: vec![text],
        response: None,
        prompt: request.prompt,
        body: request.body,
        api: Api::Converse,
        model_id: model.model_id.clone(),
        latency,
        usage: usage(out.usage()),
        stop_reason: Some(StopReason::from_wire(out.stop_reason().as_str())),
        request_id: out.request_id().map(str::to_owned),
        time_to_first_token: None,
        time_to_last_token: None,
        guardrail_trace: out.trace().and_then(|t| t.guardrail()).cloned(),
    })
}

/// The events of a ConverseStream response, as chat events.
struct Events {
    rx: EventReceiver<ConverseStreamOutput, ConverseStreamOutputError>,
    trace: TraceSlot,
}

fn event(e: ChatEvent) -> Decoded {
    Decoded {
        events: vec![e],
        ..Decoded::default()
    }
}

impl Events {
    fn decode(&self, event_: ConverseStreamOutput) -> Decoded {
        match event_ {
            ConverseStreamOutput::ContentBlockStart(e) => match e.start() {
                Some(ContentBlockStart::ToolUse(s)) => event(ChatEvent::ToolUseStart {
                    id: s.tool_use_id().to_owned(),
                    name: s.name().to_owned(),
                }),
                _ => Decoded::default(),
            },
            ConverseStreamOutput::ContentBlockDelta(e) => match e.delta() {
                Some(ContentBlockDelta::Text(t)) => Decoded::text(Some(t)),
                Some(ContentBlockDelta::ToolUse(d)) if !d.input().is_empty() => {
                    event(ChatEvent::ToolUseInputDelta(d.input().to_owned()))
                }
                Some(ContentBlockDelta::ReasoningContent(r)) => match r {
                    ReasoningContentBlockDelta::Text(t) if !t.is_empty() => {
                        event(ChatEvent::ReasoningDelta(t.clone()))
                    }
                    ReasoningContentBlockDelta::Signature(s) if !s.is_empty() => {
                        event(ChatEvent::ReasoningSignature(s.clone()))
                    }
                    _ => Decoded::default(),
                },
                _ => Decoded::default(),
            },
            ConverseStreamOutput::MessageStop(e) => {
                Decoded::default().with_stop(Some(e.stop_reason().as_str()))
            }
            ConverseStreamOutput::Metadata(e) => {
                if let Some(g) = e.trace().and_then(|t| t.guardrail())
                    && let Ok(mut slot) = self.trace.lock()
                {
                    *slot = Some(g.clone());
                }
                Decoded::default().merge_usage(usage(e.usage()))
            }
            _ => Decoded::default(),
        }
    }
}

impl EventSource for Events {
    async fn next_event(&mut self, idle: Duration) -> Result<Option<Decoded>, ServiceError> {
        let event = tokio::time::timeout(idle, self.rx.recv())
            .await
            .map_err(|_| idle_timeout(idle))?;
        Ok(event.map_err(from_stream_sdk)?.map(|e| self.decode(e)))
    }
}

pub(crate) async fn stream<F: TextFamily>(
    model: &TextModel<F>,
    conversation: &Conversation,
    plan: &Plan<F>,
    chat: &ChatOptions<F>,
) -> Result<TextStream> {
    let request = request(model, conversation, plan, chat)?;
    let client = &model.client;
    let started = Instant::now();
    let trace = TraceSlot::default();
    let (source, request_id, read) = open(client, || async {
        let out = with_request!(
            client.sdk().converse_stream().model_id(&model.model_id),
            request,
            guardrail_stream_sdk
        )
        .send()
        .await
        .map_err(|e| Error::from(from_sdk(e)))?;
        let request_id = out.request_id().map(str::to_owned);
        let events = Events {
            rx: out.stream,
            trace: trace.clone(),
        };
        Ok((events, request_id))
    })
    .await?;
    let start = StreamStart {
        prompt: request.prompt,
        body: request.body,
        api: Api::Converse,
        model_id: model.model_id.clone(),
        request_id,
        started,
    };
    Ok(TextStream::new(pump(source, read, client.stream_idle_timeout()), start).with_trace(trace))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_tokens_of_the_response_reach_usage() {
        let u = TokenUsage::builder()
            .input_tokens(10)
            .output_tokens(5)
            .total_tokens(15)
            .cache_read_input_tokens(7)
            .cache_write_input_tokens(3)
            .build()
            .unwrap();
        let usage = usage(Some(&u));
        assert_eq!(usage.input_tokens, Some(10));
        assert_eq!(usage.cache_read_tokens, Some(7));
        assert_eq!(usage.cache_write_tokens, Some(3));
    }

    #[test]
    fn reply_blocks_are_read_in_order() {
        let message = Message::builder()
            .role(ConversationRole::Assistant)
            .content(ContentBlock::ReasoningContent(
                ReasoningContentBlock::ReasoningText(
                    sdk::ReasoningTextBlock::builder()
                        .text("hmm")
                        .signature("sig")
                        .build()
                        .unwrap(),
                ),
            ))
            .content(ContentBlock::Text("Calling.".into()))
            .content(ContentBlock::ToolUse(
                sdk::ToolUseBlock::builder()
                    .tool_use_id("t1")
                    .name("f")
                    .input(to_document(&json!({"n": -1, "x": [1.5]})))
                    .build()
                    .unwrap(),
            ))
            .build()
            .unwrap();
        assert_eq!(
            reply_content(Some(&message)),
            vec![
                Content::Reasoning(Reasoning::new("hmm", Some("sig".into()))),
                Content::text("Calling."),
                Content::ToolUse(ToolUse::new("t1", "f", json!({"n": -1, "x": [1.5]}))),
            ]
        );
    }

    #[test]
    fn document_names_and_metadata_follow_the_service_model() {
        assert!(document_name_ok("Q3 report (final) [v2]"));
        assert!(!document_name_ok("two  spaces"));
        assert!(!document_name_ok("report.pdf"));
        assert!(!document_name_ok(""));
        assert!(metadata_chars_ok("team:search-v2/a+b,c.d"));
        assert!(!metadata_chars_ok("naïve?"));
    }
}
