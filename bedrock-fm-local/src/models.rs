//! The boundary between the protocol layer and model behaviour.
//!
//! The server resolves a model ID with [`ModelBackend::resolve`] (by default
//! [`ModelBackend::lookup`]), then hands each operation to
//! the backend: [`ModelBackend::invoke`] and [`ModelBackend::invoke_stream`] for the native
//! InvokeModel bodies of a family, [`ModelBackend::converse`] and
//! [`ModelBackend::converse_stream`] for the family-independent Converse API (implemented
//! generically in `crate::converse` on top of [`crate::engine`]), and
//! [`ModelBackend::count_tokens`].
//!
//! Streams are iterators the server pulls one item at a time on a blocking thread, pacing them
//! (first-token latency, token interval) and writing each as an event-stream frame as soon as it
//! is produced; an iterator may therefore block to produce its items over time.
//!
//! Per-family InvokeModel behaviour plugs in as a [`FamilyCodec`] (one file per family under
//! `src/families/`), which the catalog backend dispatches to by family ID.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::engine::{Engine, StopReason};
use crate::errors::ServiceError;
use crate::prompt_cache::PromptCache;

/// What the server needs to know about a model.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModelCaps {
    /// The canonical base model ID (`anthropic.claude-3-haiku-20240307-v1:0`).
    pub model_id: String,
    /// The family key of `models.toml` (`claude_messages`).
    pub family: String,
    /// InvokeModelWithResponseStream and ConverseStream are supported.
    pub streaming: bool,
    /// Converse and ConverseStream are supported.
    pub converse: bool,
    /// Tool use is supported.
    pub tool_use: bool,
    /// Images are accepted in conversations.
    pub vision: bool,
    /// Maximum input tokens.
    pub context_window: Option<u32>,
    /// Maximum output tokens.
    pub max_output_tokens: Option<u32>,
    /// The `max_tokens` applied when a request sends none (the catalog's, where documented).
    pub default_max_tokens: Option<u32>,
    /// Embedding lengths offered (the first is the default).
    pub embedding_dimensions: Vec<u32>,
    /// Input modalities (`text`, `image`, `document`, ...).
    pub input_modalities: Vec<String>,
    /// Output modalities (`text`, `image`, `embedding`, ...).
    pub output_modalities: Vec<String>,
    /// How the model reasons, if it does: `budget` (a token budget, Claude's `thinking:
    /// {"type": "enabled"}`) or `effort` (effort levels, Claude's adaptive thinking).
    pub reasoning: Option<String>,
}

impl ModelCaps {
    /// A text chat model with every capability on: streaming, Converse, tool use, vision and
    /// documents, budget reasoning, 200k context, 4096 output tokens.
    pub fn text_chat(model_id: impl Into<String>, family: impl Into<String>) -> Self {
        Self {
            model_id: model_id.into(),
            family: family.into(),
            streaming: true,
            converse: true,
            tool_use: true,
            vision: true,
            context_window: Some(200_000),
            max_output_tokens: Some(4096),
            default_max_tokens: None,
            embedding_dimensions: Vec::new(),
            input_modalities: vec!["text".into(), "image".into(), "document".into()],
            output_modalities: vec!["text".into()],
            reasoning: Some("budget".into()),
        }
    }
}

/// Token usage of one call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Usage {
    /// Input tokens.
    pub input_tokens: u32,
    /// Output tokens.
    pub output_tokens: u32,
    /// Input tokens read from the prompt cache, when caching applies.
    pub cache_read_input_tokens: Option<u32>,
    /// Input tokens written to the prompt cache, when caching applies.
    pub cache_write_input_tokens: Option<u32>,
}

impl Usage {
    /// Usage with these counts and no cache figures.
    pub fn new(input_tokens: u32, output_tokens: u32) -> Self {
        Self {
            input_tokens,
            output_tokens,
            ..Self::default()
        }
    }

    /// Every token of the call: input (uncached), output, and the cache figures, as Bedrock
    /// totals them (see [`crate::prompt_cache`]).
    pub fn total(&self) -> u32 {
        self.input_tokens
            .saturating_add(self.output_tokens)
            .saturating_add(self.cache_read_input_tokens.unwrap_or(0))
            .saturating_add(self.cache_write_input_tokens.unwrap_or(0))
    }

    /// Applies a prompt-cache account: the cached tokens leave `input_tokens` (which Bedrock
    /// reports without them) and become the cache figures.
    pub fn with_cache(mut self, account: crate::prompt_cache::CacheAccount) -> Self {
        self.input_tokens = self
            .input_tokens
            .saturating_sub(account.read.saturating_add(account.write));
        self.cache_read_input_tokens = Some(account.read);
        self.cache_write_input_tokens = Some(account.write);
        self
    }

    /// The Converse `TokenUsage` JSON.
    pub fn to_converse_json(&self) -> Value {
        let mut v = json!({
            "inputTokens": self.input_tokens,
            "outputTokens": self.output_tokens,
            "totalTokens": self.total(),
        });
        if let Some(n) = self.cache_read_input_tokens {
            v["cacheReadInputTokens"] = json!(n);
        }
        if let Some(n) = self.cache_write_input_tokens {
            v["cacheWriteInputTokens"] = json!(n);
        }
        v
    }
}

/// An InvokeModel or InvokeModelWithResponseStream call.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct InvokeCall<'a> {
    /// The resolved model.
    pub model: &'a ModelCaps,
    /// The model ID as the request named it (percent-decoded; maybe a profile ID or ARN).
    pub model_id: &'a str,
    /// The request body.
    pub body: &'a [u8],
    /// The request's `Content-Type`.
    pub content_type: Option<&'a str>,
    /// The requested response type (`Accept`, or `X-Amzn-Bedrock-Accept` for streams).
    pub accept: Option<&'a str>,
    /// The deterministic engine (with the server's seed).
    pub engine: Engine,
    /// The server's prompt cache (`None`: caching is not simulated, cache markers are only
    /// validated).
    pub prompt_cache: Option<&'a PromptCache>,
}

/// The response of InvokeModel.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct InvokeOutput {
    /// Response body (the family's JSON).
    pub body: Vec<u8>,
    /// Its content type (`application/json`).
    pub content_type: String,
    /// Token usage, sent as `X-Amzn-Bedrock-Input-Token-Count` and
    /// `X-Amzn-Bedrock-Output-Token-Count` when present.
    pub usage: Option<Usage>,
}

impl InvokeOutput {
    /// A JSON response.
    pub fn json(body: &Value, usage: Option<Usage>) -> Self {
        Self {
            body: serde_json::to_vec(body).unwrap_or_default(),
            content_type: "application/json".into(),
            usage,
        }
    }
}

/// The chunks of an InvokeModelWithResponseStream response: each item is one chunk's JSON
/// (sent base64-encoded in `{"bytes": ...}`), or an error sent as an exception frame that
/// ends the stream.
///
/// A chunk object with an `amazon-bedrock-invocationMetrics` member (see
/// [`invocation_metrics`]) gets its `invocationLatency` and `firstByteLatency` filled in by the
/// server with the measured values.
pub type ChunkStream = Box<dyn Iterator<Item = Result<Value, ServiceError>> + Send>;

/// The `amazon-bedrock-invocationMetrics` object Bedrock appends to the last chunk of an
/// InvokeModel stream; latencies are placeholders the server replaces. With prompt caching it
/// also carries `cacheReadInputTokenCount` and `cacheWriteInputTokenCount` (the names of the
/// recorded ConverseStream metadata event of cline PR #4683, which carries both spellings).
pub fn invocation_metrics(usage: Usage) -> Value {
    let mut v = json!({
        "inputTokenCount": usage.input_tokens,
        "outputTokenCount": usage.output_tokens,
        "invocationLatency": 0,
        "firstByteLatency": 0,
    });
    if let Some(n) = usage.cache_read_input_tokens {
        v["cacheReadInputTokenCount"] = json!(n);
    }
    if let Some(n) = usage.cache_write_input_tokens {
        v["cacheWriteInputTokenCount"] = json!(n);
    }
    v
}

/// A Converse or ConverseStream call.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ConverseCall<'a> {
    /// The resolved model.
    pub model: &'a ModelCaps,
    /// The model ID as the request named it.
    pub model_id: &'a str,
    /// The request body, already valid against the service model's `ConverseRequest`.
    pub request: &'a Value,
    /// The deterministic engine.
    pub engine: Engine,
    /// Whether this is ConverseStream.
    pub streaming: bool,
    /// The server's prompt cache (`None`: caching is not simulated, `cachePoint` blocks are
    /// only validated).
    pub prompt_cache: Option<&'a PromptCache>,
}

/// A content block of the assistant's reply.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum OutputBlock {
    /// Text, with its stream pieces.
    Text {
        /// The text.
        text: String,
        /// The text in stream order (concatenated, `text`).
        pieces: Vec<String>,
    },
    /// A tool call.
    ToolUse {
        /// `toolUseId`.
        id: String,
        /// Tool name.
        name: String,
        /// The input (a JSON object).
        input: Value,
    },
    /// Reasoning text with its signature.
    Reasoning {
        /// The reasoning text.
        text: String,
        /// The text in stream order.
        pieces: Vec<String>,
        /// The signature.
        signature: String,
    },
}

impl OutputBlock {
    /// A text block split into token pieces.
    pub fn text(text: impl Into<String>) -> Self {
        let text = text.into();
        let pieces = crate::engine::token_pieces(&text);
        OutputBlock::Text { text, pieces }
    }

    /// The Converse `ContentBlock` JSON.
    pub fn to_json(&self) -> Value {
        match self {
            OutputBlock::Text { text, .. } => json!({"text": text}),
            OutputBlock::ToolUse { id, name, input } => {
                json!({"toolUse": {"toolUseId": id, "name": name, "input": input}})
            }
            OutputBlock::Reasoning {
                text, signature, ..
            } => {
                json!({"reasoningContent": {"reasoningText": {"text": text, "signature": signature}}})
            }
        }
    }
}

/// The assistant's reply to a Converse call.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConverseOutput {
    /// Content blocks, in order.
    pub blocks: Vec<OutputBlock>,
    /// Why the model stopped.
    pub stop_reason: StopReason,
    /// Token usage.
    pub usage: Usage,
    /// `additionalModelResponseFields`, if any.
    pub additional_model_response_fields: Option<Value>,
}

impl ConverseOutput {
    /// The Converse response JSON, with `latency_ms` as `metrics.latencyMs`.
    pub fn to_response_json(&self, latency_ms: u64) -> Value {
        let mut v = json!({
            "output": {"message": {
                "role": "assistant",
                "content": self.blocks.iter().map(OutputBlock::to_json).collect::<Vec<_>>(),
            }},
            "stopReason": self.stop_reason.as_converse(),
            "usage": self.usage.to_converse_json(),
            "metrics": {"latencyMs": latency_ms},
        });
        if let Some(extra) = &self.additional_model_response_fields {
            v["additionalModelResponseFields"] = extra.clone();
        }
        v
    }
}

/// One ConverseStream event, before the server renders it (latency is measured at emission).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ConverseEvent {
    /// `messageStart` `{"role": "assistant"}`.
    MessageStart,
    /// `contentBlockStart` (sent for tool-use blocks).
    ContentBlockStart {
        /// `contentBlockIndex`.
        index: usize,
        /// The `start` union (`{"toolUse": {"toolUseId", "name"}}`).
        start: Value,
    },
    /// `contentBlockDelta`.
    ContentBlockDelta {
        /// `contentBlockIndex`.
        index: usize,
        /// The `delta` union (`{"text": ...}`, `{"toolUse": {"input": ...}}`,
        /// `{"reasoningContent": {...}}`).
        delta: Value,
    },
    /// `contentBlockStop`.
    ContentBlockStop {
        /// `contentBlockIndex`.
        index: usize,
    },
    /// `messageStop`.
    MessageStop {
        /// Why the model stopped.
        stop_reason: StopReason,
        /// `additionalModelResponseFields`, if any.
        additional_model_response_fields: Option<Value>,
    },
    /// `metadata` with usage; the server adds `metrics.latencyMs`.
    Metadata {
        /// Token usage.
        usage: Usage,
    },
}

impl ConverseEvent {
    /// The `:event-type` header value.
    pub fn event_type(&self) -> &'static str {
        match self {
            ConverseEvent::MessageStart => "messageStart",
            ConverseEvent::ContentBlockStart { .. } => "contentBlockStart",
            ConverseEvent::ContentBlockDelta { .. } => "contentBlockDelta",
            ConverseEvent::ContentBlockStop { .. } => "contentBlockStop",
            ConverseEvent::MessageStop { .. } => "messageStop",
            ConverseEvent::Metadata { .. } => "metadata",
        }
    }

    /// Whether this event carries generated content (counted by `stream-error-after=N`).
    pub fn is_delta(&self) -> bool {
        matches!(self, ConverseEvent::ContentBlockDelta { .. })
    }

    /// The event payload: the bare event object (its type is only in the header).
    pub fn payload(&self, latency_ms: u64) -> Value {
        match self {
            ConverseEvent::MessageStart => json!({"role": "assistant"}),
            ConverseEvent::ContentBlockStart { index, start } => {
                json!({"contentBlockIndex": index, "start": start})
            }
            ConverseEvent::ContentBlockDelta { index, delta } => {
                json!({"contentBlockIndex": index, "delta": delta})
            }
            ConverseEvent::ContentBlockStop { index } => json!({"contentBlockIndex": index}),
            ConverseEvent::MessageStop {
                stop_reason,
                additional_model_response_fields,
            } => {
                let mut v = json!({"stopReason": stop_reason.as_converse()});
                if let Some(extra) = additional_model_response_fields {
                    v["additionalModelResponseFields"] = extra.clone();
                }
                v
            }
            ConverseEvent::Metadata { usage } => {
                let mut usage_json = usage.to_converse_json();
                // The recorded stream event (cline PR #4683) carries the cache figures under
                // both spellings.
                if let Some(n) = usage.cache_read_input_tokens {
                    usage_json["cacheReadInputTokenCount"] = json!(n);
                }
                if let Some(n) = usage.cache_write_input_tokens {
                    usage_json["cacheWriteInputTokenCount"] = json!(n);
                }
                json!({"usage": usage_json, "metrics": {"latencyMs": latency_ms}})
            }
        }
    }
}

/// The events of a ConverseStream response, produced over time.
pub type ConverseEventStream = Box<dyn Iterator<Item = Result<ConverseEvent, ServiceError>> + Send>;

/// A CountTokens call.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct CountTokensCall<'a> {
    /// The resolved model.
    pub model: &'a ModelCaps,
    /// The model ID as the request named it.
    pub model_id: &'a str,
    /// The `input` union of the request (`{"converse": {...}}` or `{"invokeModel": {"body":
    /// <base64>}}`), already valid against the service model.
    pub input: &'a Value,
    /// The deterministic engine.
    pub engine: Engine,
}

/// Model behaviour behind the server.
pub trait ModelBackend: Send + Sync + 'static {
    /// Resolves a model ID as sent (percent-decoded; a canonical ID, an inference-profile ID,
    /// or a `foundation-model/` or `inference-profile/` ARN). `None` answers "The provided model
    /// identifier is invalid."
    fn lookup(&self, model_id: &str) -> Option<ModelCaps>;

    /// Resolves the model ID of a runtime request: the model, or the error Bedrock answers
    /// (an unknown ID; a model that is not offered on demand, called by its bare ID). The
    /// default answers "The provided model identifier is invalid." when
    /// [`ModelBackend::lookup`] finds nothing.
    fn resolve(&self, model_id: &str) -> Result<ModelCaps, ServiceError> {
        self.lookup(model_id)
            .ok_or_else(ServiceError::invalid_model_identifier)
    }

    /// InvokeModel: the family's native request body to its native response body.
    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError>;

    /// InvokeModelWithResponseStream: the family's native request body to its stream chunks.
    fn invoke_stream(&self, call: &InvokeCall<'_>) -> Result<ChunkStream, ServiceError>;

    /// Converse. The default is the family-independent engine (`crate::converse::generate`).
    fn converse(&self, call: &ConverseCall<'_>) -> Result<ConverseOutput, ServiceError> {
        crate::converse::generate(call)
    }

    /// ConverseStream. The default streams the events of [`ModelBackend::converse`].
    fn converse_stream(
        &self,
        call: &ConverseCall<'_>,
    ) -> Result<ConverseEventStream, ServiceError> {
        let output = self.converse(call)?;
        Ok(Box::new(
            crate::converse::events(&output).into_iter().map(Ok),
        ))
    }

    /// CountTokens. The default counts a Converse input like Converse does, and an InvokeModel
    /// body as the tokens of all its JSON strings.
    fn count_tokens(&self, call: &CountTokensCall<'_>) -> Result<u32, ServiceError> {
        crate::converse::count_tokens_input(call.input)
    }
}

impl<T: ModelBackend + ?Sized> ModelBackend for Arc<T> {
    fn lookup(&self, model_id: &str) -> Option<ModelCaps> {
        (**self).lookup(model_id)
    }
    fn resolve(&self, model_id: &str) -> Result<ModelCaps, ServiceError> {
        (**self).resolve(model_id)
    }
    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        (**self).invoke(call)
    }
    fn invoke_stream(&self, call: &InvokeCall<'_>) -> Result<ChunkStream, ServiceError> {
        (**self).invoke_stream(call)
    }
    fn converse(&self, call: &ConverseCall<'_>) -> Result<ConverseOutput, ServiceError> {
        (**self).converse(call)
    }
    fn converse_stream(
        &self,
        call: &ConverseCall<'_>,
    ) -> Result<ConverseEventStream, ServiceError> {
        (**self).converse_stream(call)
    }
    fn count_tokens(&self, call: &CountTokensCall<'_>) -> Result<u32, ServiceError> {
        (**self).count_tokens(call)
    }
}

/// The native InvokeModel behaviour of one model family (one file per family).
pub trait FamilyCodec: Send + Sync + 'static {
    /// The family key of `models.toml` this codec serves (`claude_messages`).
    fn family_id(&self) -> &'static str;

    /// InvokeModel: validate the native body the way Bedrock does for this family and answer
    /// with the family's response JSON.
    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError>;

    /// InvokeModelWithResponseStream: the family's chunk objects, the last one carrying
    /// [`invocation_metrics`]. The default rejects the call as Bedrock does for a model that
    /// does not stream.
    fn invoke_stream(&self, call: &InvokeCall<'_>) -> Result<ChunkStream, ServiceError> {
        let _ = call;
        Err(ServiceError::validation(
            "The model is unsupported for streaming.",
        ))
    }

    /// Converse, when the family answers differently from the generic engine (for example
    /// with `additionalModelResponseFields`). `None`, the default, uses the generic engine.
    fn converse(&self, call: &ConverseCall<'_>) -> Option<Result<ConverseOutput, ServiceError>> {
        let _ = call;
        None
    }
}

#[cfg(test)]
mod tests;
