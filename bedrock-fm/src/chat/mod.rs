//! Chat: multimodal conversations, tool use, structured output and the Converse features
//! serious applications need (guardrails, prompt caching, reasoning, latency-optimized
//! inference, request metadata).

pub mod content;
mod error;
pub(crate) mod images;
pub mod stream;
pub(crate) mod structured;
pub mod tool_loop;
pub mod tools;

pub use error::ChatError;
pub use stream::ChatStream;
pub use tool_loop::{ToolHandlers, ToolRun};

use crate::details::{StopReason, Usage};
use crate::params::{CallOptions, FamilyTypes};
use content::{Content, Reasoning, ToolUse};
use std::collections::BTreeMap;
use tools::{Tool, ToolChoice};

/// A guardrail applied to a call (Converse `guardrailConfig`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Guardrail {
    /// The guardrail's identifier or ARN.
    pub identifier: String,
    /// Its version (`DRAFT` or a number).
    pub version: String,
    /// Whether to return the guardrail's trace.
    pub trace: bool,
}

impl Guardrail {
    /// A guardrail by identifier and version, without trace.
    pub fn new(identifier: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            identifier: identifier.into(),
            version: version.into(),
            trace: false,
        }
    }

    /// Asks for the guardrail's trace.
    pub fn with_trace(mut self) -> Self {
        self.trace = true;
        self
    }

    /// Checks the identifier and version against the service model's patterns, for both
    /// APIs (Converse's `guardrailConfig`, InvokeModel's guardrail headers).
    pub(crate) fn validate(&self) -> crate::Result<()> {
        if !guardrail_id_ok(&self.identifier) {
            let msg = format!(
                "{:?} is not a guardrail identifier (lowercase letters and digits, or a guardrail ARN)",
                self.identifier
            );
            return Err(crate::Error::invalid("guardrail.identifier", msg));
        }
        if !guardrail_version_ok(&self.version) {
            let msg = format!(
                "{:?} is not a guardrail version (DRAFT or a number)",
                self.version
            );
            return Err(crate::Error::invalid("guardrail.version", msg));
        }
        Ok(())
    }
}

/// `GuardrailIdentifier`: lowercase letters and digits, or a guardrail ARN.
fn guardrail_id_ok(id: &str) -> bool {
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    if let Some(rest) = id.strip_prefix("arn:") {
        return rest.contains(":bedrock:")
            && rest
                .rsplit_once(":guardrail/")
                .is_some_and(|(_, g)| plain(g));
    }
    plain(id) && id.len() <= 2048
}

/// `GuardrailVersion`: `DRAFT` or 1 to 99999999.
fn guardrail_version_ok(v: &str) -> bool {
    v == "DRAFT"
        || (!v.is_empty()
            && v.len() <= 8
            && !v.starts_with('0')
            && v.chars().all(|c| c.is_ascii_digit()))
}

/// How much the model may reason before answering; which style a model takes is in the
/// catalog (`ModelInfo::reasoning`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReasoningConfig {
    /// A budget of reasoning tokens (Claude extended thinking).
    Budget(u32),
    /// An effort level.
    Effort(Effort),
}

/// A reasoning effort level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Effort {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
}

impl Effort {
    /// `"low"`, `"medium"` or `"high"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

/// Options of a chat call: the typed parameters, plus tools and the Converse features.
#[derive(Debug)]
#[non_exhaustive]
pub struct ChatOptions<F: FamilyTypes> {
    /// Typed parameters, over the builder's defaults key by key.
    pub params: CallOptions<F>,
    /// Tools offered to the model.
    pub tools: Vec<Tool>,
    /// Which tool to use (default: the model decides).
    pub tool_choice: Option<ToolChoice>,
    /// A guardrail.
    pub guardrail: Option<Guardrail>,
    /// Reasoning before the answer.
    pub reasoning: Option<ReasoningConfig>,
    /// Ask for latency-optimized inference (Converse `performanceConfig`).
    pub latency_optimized: bool,
    /// Key-value metadata recorded with the request (Converse `requestMetadata`).
    pub request_metadata: BTreeMap<String, String>,
}

impl<F: FamilyTypes> Clone for ChatOptions<F> {
    fn clone(&self) -> Self {
        Self {
            params: self.params.clone(),
            tools: self.tools.clone(),
            tool_choice: self.tool_choice.clone(),
            guardrail: self.guardrail.clone(),
            reasoning: self.reasoning,
            latency_optimized: self.latency_optimized,
            request_metadata: self.request_metadata.clone(),
        }
    }
}

impl<F: FamilyTypes> Default for ChatOptions<F> {
    fn default() -> Self {
        Self {
            params: CallOptions::default(),
            tools: Vec::new(),
            tool_choice: None,
            guardrail: None,
            reasoning: None,
            latency_optimized: false,
            request_metadata: BTreeMap::new(),
        }
    }
}

impl<F: FamilyTypes> ChatOptions<F> {
    /// No options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Typed parameters for this call.
    pub fn params(mut self, params: CallOptions<F>) -> Self {
        self.params = params;
        self
    }

    /// Offers a tool.
    pub fn tool(mut self, tool: Tool) -> Self {
        self.tools.push(tool);
        self
    }

    /// Offers tools.
    pub fn tools(mut self, tools: impl IntoIterator<Item = Tool>) -> Self {
        self.tools.extend(tools);
        self
    }

    /// Which tool to use.
    pub fn tool_choice(mut self, choice: ToolChoice) -> Self {
        self.tool_choice = Some(choice);
        self
    }

    /// Applies a guardrail.
    pub fn guardrail(mut self, guardrail: Guardrail) -> Self {
        self.guardrail = Some(guardrail);
        self
    }

    /// Lets the model reason first.
    pub fn reasoning(mut self, reasoning: ReasoningConfig) -> Self {
        self.reasoning = Some(reasoning);
        self
    }

    /// Asks for latency-optimized inference.
    pub fn latency_optimized(mut self) -> Self {
        self.latency_optimized = true;
        self
    }

    /// Adds request metadata.
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.request_metadata.insert(key.into(), value.into());
        self
    }
}

/// The assistant's reply: its content blocks in order, why it stopped, and usage.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ChatReply {
    /// Text, tool calls and reasoning, in the order the model produced them.
    pub content: Vec<Content>,
    /// Why the model stopped.
    pub stop_reason: Option<StopReason>,
    /// Token counts.
    pub usage: Usage,
}

impl ChatReply {
    /// The reply's text blocks, joined.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|c| match c {
                Content::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The tool calls the model made.
    pub fn tool_uses(&self) -> Vec<&ToolUse> {
        self.content
            .iter()
            .filter_map(|c| match c {
                Content::ToolUse(u) => Some(u),
                _ => None,
            })
            .collect()
    }

    /// The model's reasoning, if it reasoned.
    pub fn reasoning(&self) -> Option<&Reasoning> {
        self.content.iter().find_map(|c| match c {
            Content::Reasoning(r) => Some(r),
            _ => None,
        })
    }
}

/// One event of a streamed chat reply.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ChatEvent {
    /// A piece of text (never empty).
    TextDelta(String),
    /// The model starts a tool call.
    ToolUseStart {
        /// The call's id.
        id: String,
        /// The tool's name.
        name: String,
    },
    /// A piece of the current tool call's JSON input.
    ToolUseInputDelta(String),
    /// A piece of reasoning text.
    ReasoningDelta(String),
    /// The reasoning's signature.
    ReasoningSignature(String),
    /// Why the model stopped.
    Stop(StopReason),
    /// Token counts.
    Usage(Usage),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guardrail_identifiers_and_versions_follow_the_service_model() {
        assert!(guardrail_id_ok("gr7abc"));
        assert!(guardrail_id_ok(
            "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123"
        ));
        assert!(!guardrail_id_ok(""));
        assert!(!guardrail_id_ok("My Guardrail"));
        assert!(guardrail_version_ok("DRAFT") && guardrail_version_ok("12"));
        assert!(
            !guardrail_version_ok("")
                && !guardrail_version_ok("01")
                && !guardrail_version_ok("draft")
        );
    }
}
