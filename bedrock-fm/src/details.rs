//! What a call returns beyond its text: usage, stop reason, timings, what was sent.

use crate::chat::ChatReply;
use serde::Serialize;
use serde_json::Value;
use std::time::Duration;

/// Token counts of a call, as reported by the model or the service.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Usage {
    /// Tokens in the prompt.
    pub input_tokens: Option<u32>,
    /// Tokens generated.
    pub output_tokens: Option<u32>,
    /// Prompt tokens read from the prompt cache.
    pub cache_read_tokens: Option<u32>,
    /// Prompt tokens written to the prompt cache.
    pub cache_write_tokens: Option<u32>,
}

impl Usage {
    /// Usage with input and output counts.
    pub fn new(input_tokens: Option<u32>, output_tokens: Option<u32>) -> Self {
        Self {
            input_tokens,
            output_tokens,
            ..Self::default()
        }
    }

    /// Keeps each count of `self`, filling the gaps from `other`.
    pub fn or(self, other: Usage) -> Usage {
        Usage {
            input_tokens: self.input_tokens.or(other.input_tokens),
            output_tokens: self.output_tokens.or(other.output_tokens),
            cache_read_tokens: self.cache_read_tokens.or(other.cache_read_tokens),
            cache_write_tokens: self.cache_write_tokens.or(other.cache_write_tokens),
        }
    }
}

/// Why the model stopped, the same for every family and API.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopReason {
    /// The model finished its answer.
    EndTurn,
    /// The output hit the maximum number of tokens.
    MaxTokens,
    /// A stop sequence was generated.
    StopSequence,
    /// The model asked to use a tool.
    ToolUse,
    /// Content was filtered.
    ContentFiltered,
    /// A guardrail intervened.
    GuardrailIntervened,
    /// A reason this version does not know, kept as received.
    Unknown(String),
}

impl StopReason {
    /// Maps a family's or Converse's stop reason (`end_turn`, `FINISH`, `length`,
    /// `STOP_CRITERIA_MET`, `COMPLETE`, ...) to the common reason.
    pub fn from_wire(raw: &str) -> Self {
        match raw.to_ascii_lowercase().as_str() {
            "end_turn" | "finish" | "finished" | "stop" | "complete" | "endoftext"
            | "end_of_turn" | "eos" => Self::EndTurn,
            "max_tokens" | "length" | "max_tokens_reached" | "model_length" => Self::MaxTokens,
            "stop_sequence" | "stop_criteria_met" | "stop_sequence_reached" => Self::StopSequence,
            "tool_use" | "tool_calls" => Self::ToolUse,
            "content_filtered" | "error_toxic" | "refusal" => Self::ContentFiltered,
            "guardrail_intervened" => Self::GuardrailIntervened,
            _ => Self::Unknown(raw.to_owned()),
        }
    }

    /// The Converse name of the reason (`end_turn`, ...), or the raw value when unknown.
    pub fn as_str(&self) -> &str {
        match self {
            Self::EndTurn => "end_turn",
            Self::MaxTokens => "max_tokens",
            Self::StopSequence => "stop_sequence",
            Self::ToolUse => "tool_use",
            Self::ContentFiltered => "content_filtered",
            Self::GuardrailIntervened => "guardrail_intervened",
            Self::Unknown(raw) => raw,
        }
    }
}

/// Which Bedrock API a call goes through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Api {
    /// InvokeModel / InvokeModelWithResponseStream, with the family's native JSON.
    #[default]
    InvokeModel,
    /// Converse / ConverseStream, the same shape for every model.
    Converse,
}

/// Everything about one call: the output, the typed response, what was sent, timings,
/// usage, stop reason and request id.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Details<R> {
    /// The (first) completion.
    pub output: String,
    /// Every completion, when the family returns several.
    pub completions: Vec<String>,
    /// The assistant's content blocks in order: reasoning, text, tool calls.
    pub content: Vec<crate::chat::content::Content>,
    /// The family's typed response (InvokeModel, not streamed).
    pub response: Option<R>,
    /// The prompt as sent: the family's templated prompt, or the conversation's text.
    pub prompt: String,
    /// The JSON body as sent: the native body, or the Converse request in its documented
    /// JSON shape.
    pub body: Value,
    /// The API used.
    pub api: Api,
    /// The model ID sent.
    pub model_id: String,
    /// From sending the request to the complete response (or the end of the stream).
    pub latency: Duration,
    /// Token counts.
    pub usage: Usage,
    /// Why the model stopped.
    pub stop_reason: Option<StopReason>,
    /// The service's request id.
    pub request_id: Option<String>,
    /// Streams: from sending the request to the first text.
    pub time_to_first_token: Option<Duration>,
    /// Streams: from sending the request to the last text.
    pub time_to_last_token: Option<Duration>,
    /// Converse with a guardrail whose trace was asked for ([`Guardrail::with_trace`]): the
    /// guardrail's assessment of the input and the output, as the SDK decodes the
    /// response's `trace.guardrail` (`ConverseStream`: the `metadata` event's). `None`
    /// otherwise, and over InvokeModel.
    ///
    /// [`Guardrail::with_trace`]: crate::chat::Guardrail::with_trace
    pub guardrail_trace: Option<aws_sdk_bedrockruntime::types::GuardrailTraceAssessment>,
}

impl<R> Details<R> {
    /// The reply as a chat turn: content, stop reason and usage.
    pub fn reply(&self) -> ChatReply {
        ChatReply {
            content: self.content.clone(),
            stop_reason: self.stop_reason.clone(),
            usage: self.usage,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_stop_reasons_map_to_common_ones() {
        assert_eq!(StopReason::from_wire("FINISH"), StopReason::EndTurn);
        assert_eq!(StopReason::from_wire("LENGTH"), StopReason::MaxTokens);
        assert_eq!(
            StopReason::from_wire("STOP_CRITERIA_MET"),
            StopReason::StopSequence
        );
        assert_eq!(
            StopReason::from_wire("stop_sequence"),
            StopReason::StopSequence
        );
        assert_eq!(StopReason::from_wire("length"), StopReason::MaxTokens);
        assert_eq!(StopReason::from_wire("COMPLETE"), StopReason::EndTurn);
        assert_eq!(StopReason::from_wire("tool_use"), StopReason::ToolUse);
        let odd = StopReason::from_wire("model_context_window_exceeded");
        assert_eq!(odd.as_str(), "model_context_window_exceeded");
    }

    #[test]
    fn usage_fills_gaps_without_overwriting() {
        let a = Usage::new(Some(3), None);
        let b = Usage::new(Some(9), Some(4));
        assert_eq!(a.or(b), Usage::new(Some(3), Some(4)));
    }
}
