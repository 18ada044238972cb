//! What is particular to each text family: how a conversation becomes its native body, and
//! how its response and stream chunks become text, usage and a stop reason. One file per
//! family; adding a family is a `models.toml` entry plus one such file.

mod claude_messages;
mod claude_text;
mod command;
mod command_r;
mod deepseek;
mod jamba;
mod jurassic;
mod llama2_chat;
mod llama3;
mod mistral;
mod mistral_chat;
mod nova;
mod titan_text;

use crate::catalog::Model;
use crate::conversation::{Conversation, Role};
use crate::details::Usage;
use crate::error::Result;
use crate::params::FamilyTypes;

/// What a family encoder may need to know beyond the conversation.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct EncodeContext<'a> {
    /// The catalog model, unless the wrapper was built from an ARN.
    pub model: Option<Model>,
    /// Tools offered to the model (only families with `NATIVE_TOOLS` get any).
    pub tools: &'a [crate::chat::tools::Tool],
    /// Which tool to use.
    pub tool_choice: Option<&'a crate::chat::tools::ToolChoice>,
    /// Reasoning before the answer.
    pub reasoning: Option<crate::chat::ReasoningConfig>,
}

impl EncodeContext<'_> {
    /// A default for a required output limit: the model's maximum, capped at 4,096.
    pub fn default_max_tokens(&self) -> u32 {
        self.model
            .and_then(|m| m.info().max_output_tokens)
            .unwrap_or(4096)
            .min(4096)
    }

    /// The model's maximum output tokens, when the catalog knows it.
    pub fn max_output_tokens(&self) -> Option<u32> {
        self.model.and_then(|m| m.info().max_output_tokens)
    }

    /// Fits an image to the model's limits from the catalog (Converse's defaults for a
    /// model outside the catalog); `at` names the image in errors.
    pub(crate) fn fit(
        &self,
        image: &crate::images::ImageInput,
        at: &str,
    ) -> Result<crate::chat::images::FittedImage> {
        let limits = self
            .model
            .and_then(|m| m.info().image_input)
            .unwrap_or(crate::chat::images::DEFAULT_LIMITS);
        crate::chat::images::fit_image(image, &limits, at)
    }

    /// The catalog's reasoning style of the model, if it is in the catalog.
    pub fn reasoning_style(&self) -> Option<crate::catalog::ReasoningStyle> {
        self.model.and_then(|m| m.info().reasoning)
    }
}

/// Text, usage and stop reason read from a response or a stream chunk.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Decoded {
    /// The completions (a response) or the text deltas (a chunk), empty strings removed.
    pub texts: Vec<String>,
    /// Token counts, where reported.
    pub usage: Usage,
    /// The family's stop reason, as received.
    pub stop_reason: Option<String>,
    /// Tool calls (a response).
    pub tool_uses: Vec<crate::chat::content::ToolUse>,
    /// Reasoning (a response).
    pub reasoning: Option<crate::chat::content::Reasoning>,
    /// Events other than text deltas (a chunk): tool-call starts and input, reasoning.
    pub events: Vec<crate::chat::ChatEvent>,
}

impl Decoded {
    /// The assistant's content blocks: reasoning, the first completion, tool calls.
    pub(crate) fn content(&self) -> Vec<crate::chat::content::Content> {
        use crate::chat::content::Content;
        let reasoning = self.reasoning.clone().map(Content::Reasoning);
        let text = self.texts.first().cloned().map(Content::Text);
        let tools = self.tool_uses.iter().cloned().map(Content::ToolUse);
        reasoning.into_iter().chain(text).chain(tools).collect()
    }
}

impl Decoded {
    pub(crate) fn text(text: Option<&str>) -> Self {
        Self {
            texts: text
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .into_iter()
                .collect(),
            ..Self::default()
        }
    }

    pub(crate) fn with_stop(mut self, reason: Option<&str>) -> Self {
        self.stop_reason = reason.map(str::to_owned);
        self
    }

    pub(crate) fn merge_usage(mut self, usage: Usage) -> Self {
        self.usage = self.usage.or(usage);
        self
    }

    pub(crate) fn with_usage(mut self, input: Option<u32>, output: Option<u32>) -> Self {
        self.usage = Usage::new(input, output).or(self.usage);
        self
    }
}

/// The hand-written half of a text family (the other half, [`FamilyTypes`]: its typed
/// request, response, chunk and parameters, is generated): how a conversation becomes its
/// typed request, and how its typed response and chunks become text, usage and a stop
/// reason.
pub trait TextFamily: FamilyTypes {
    /// Whether a conversation may end with an assistant turn that the model continues.
    const PREFILL: bool = false;

    /// Whether the native format takes this kind of content block (default: text only).
    /// Other blocks are refused before any request, pointing to Converse.
    fn accepts(content: &crate::chat::content::Content) -> bool {
        matches!(content, crate::chat::content::Content::Text(_))
    }

    /// Whether the native format takes tools (and tool choice).
    const NATIVE_TOOLS: bool = false;

    /// Whether the native format takes a reasoning configuration.
    const NATIVE_REASONING: bool = false;

    /// The typed request for the conversation, with the family's fixed fields (the typed
    /// parameters and `extra_args` are written over it afterwards), and the prompt as sent
    /// (the templated text, or the conversation's text).
    fn encode(
        conversation: &Conversation,
        ctx: &EncodeContext<'_>,
    ) -> Result<(Self::Request, String)>;

    /// Checks the finished request (after the typed parameters and `extra_args` are
    /// merged) for rules that span fields, such as a reasoning budget below the output
    /// limit.
    fn check_body(_request: &Self::Request, _ctx: &EncodeContext<'_>) -> Result<()> {
        Ok(())
    }

    /// Reads a whole InvokeModel response.
    fn decode(response: &Self::Response) -> Decoded;

    /// Reads one InvokeModel stream chunk (the JSON inside `{"bytes": ...}`). The
    /// `amazon-bedrock-invocationMetrics` usage of the last chunk is read for every family
    /// by the stream itself.
    fn decode_chunk(chunk: &Self::Chunk) -> Decoded;

    /// Adjusts the request for InvokeModelWithResponseStream (most families need nothing).
    fn for_stream(request: &mut Self::Request) {
        let _ = request;
    }
}

/// `(role, text)` of every turn, system first: the OpenAI-style messages that Mistral chat
/// and Jamba take.
pub(crate) fn role_texts(
    conversation: &Conversation,
) -> impl Iterator<Item = (&'static str, String)> {
    conversation
        .turns()
        .iter()
        .map(|t| (t.role.wire(), t.text()))
}

/// The conversation's text as one prompt, for families that take a single string and have
/// no documented chat template (a lone human turn is sent as it is).
pub(crate) fn plain_prompt(conversation: &Conversation, user: &str, assistant: &str) -> String {
    if let [only] = conversation.turns()
        && only.role == Role::Human
    {
        return only.text();
    }
    let mut out = String::new();
    for turn in conversation.turns() {
        match turn.role {
            Role::System => out.push_str(&format!("{}\n\n", turn.text())),
            Role::Human => out.push_str(&format!("{user}: {}\n", turn.text())),
            _ => out.push_str(&format!("{assistant}: {}\n", turn.text())),
        }
    }
    if conversation
        .turns()
        .last()
        .is_some_and(|t| t.role == Role::Human)
    {
        out.push_str(&format!("{assistant}:"));
    }
    out
}
