//! Anthropic Claude Text Completions (v2, v2.1, Instant): `\n\nHuman: ...\n\nAssistant:`.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-text-completion.html>

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::claude_text::{
    ClaudeTextRequest, ClaudeTextResponse, ClaudeTextStopReason, ClaudeTextStreamChunk,
};
use crate::conversation::{Conversation, Role};
use crate::error::Result;
use crate::generated::wrappers::ClaudeFamily;

/// The system text, then `\n\nHuman: ...` and `\n\nAssistant: ...` turns, ending with
/// `\n\nAssistant:` (or the assistant's prefill).
pub(crate) fn claude_text_prompt(conversation: &Conversation) -> String {
    let mut out = conversation.system_text().unwrap_or_default().to_owned();
    for turn in conversation.dialogue() {
        match turn.role {
            Role::Human => out.push_str(&format!("\n\nHuman: {}", turn.text())),
            _ => out.push_str(&format!("\n\nAssistant: {}", turn.text())),
        }
    }
    if conversation
        .dialogue()
        .last()
        .is_some_and(|t| t.role == Role::Human)
    {
        out.push_str("\n\nAssistant:");
    }
    out
}

impl TextFamily for ClaudeFamily {
    const PREFILL: bool = true;

    fn encode(
        conversation: &Conversation,
        ctx: &EncodeContext<'_>,
    ) -> Result<(ClaudeTextRequest, String)> {
        let prompt = claude_text_prompt(conversation);
        let request = ClaudeTextRequest {
            prompt: prompt.clone(),
            // Required by the API; typed `max_tokens` overrides it.
            max_tokens_to_sample: ctx.default_max_tokens(),
            ..ClaudeTextRequest::default()
        };
        Ok((request, prompt))
    }

    fn decode(response: &ClaudeTextResponse) -> Decoded {
        Decoded::text(Some(&response.completion)).with_stop(stop_reason(
            response.stop_reason.as_ref(),
            response.stop.as_deref(),
        ))
    }

    fn decode_chunk(chunk: &ClaudeTextStreamChunk) -> Decoded {
        Decoded::text(chunk.completion.as_deref()).with_stop(stop_reason(
            chunk.stop_reason.as_ref(),
            chunk.stop.as_deref(),
        ))
    }
}

/// Bedrock reports a natural end as `stop_sequence` with `stop: "\n\nHuman:"`, the
/// model's built-in stop sequence; that is an end of turn, not the caller's stop word.
fn stop_reason<'a>(
    reason: Option<&'a ClaudeTextStopReason>,
    stop: Option<&str>,
) -> Option<&'a str> {
    match (reason.map(ClaudeTextStopReason::as_str), stop) {
        (Some("stop_sequence"), Some("\n\nHuman:")) => Some("end_turn"),
        (reason, _) => reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Source: "\n\nHuman: {userQuestion}\n\nAssistant:",
    // https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-text-completion.html
    #[test]
    fn the_documented_human_assistant_format() {
        let c = Conversation::new().human("Why is the sky blue?");
        assert_eq!(
            claude_text_prompt(&c),
            "\n\nHuman: Why is the sky blue?\n\nAssistant:"
        );
        let c = Conversation::new()
            .system("Be brief.")
            .human("Hi")
            .assistant("Hello")
            .human("Bye");
        assert_eq!(
            claude_text_prompt(&c),
            "Be brief.\n\nHuman: Hi\n\nAssistant: Hello\n\nHuman: Bye\n\nAssistant:"
        );
        let prefill = Conversation::new().human("List:").assistant("1.");
        assert_eq!(
            claude_text_prompt(&prefill),
            "\n\nHuman: List:\n\nAssistant: 1."
        );
    }

    // Source: stop_reason/stop in the response, model-parameters-anthropic-claude-text-completion.html
    #[test]
    fn the_built_in_human_stop_sequence_is_an_end_of_turn() {
        let natural = serde_json::from_value(serde_json::json!({"completion": "Hi", "stop_reason": "stop_sequence", "stop": "\n\nHuman:"})).unwrap();
        assert_eq!(
            ClaudeFamily::decode(&natural).stop_reason.as_deref(),
            Some("end_turn")
        );
        let caller = serde_json::from_value(
            serde_json::json!({"completion": "Hi", "stop_reason": "stop_sequence", "stop": "END"}),
        )
        .unwrap();
        assert_eq!(
            ClaudeFamily::decode(&caller).stop_reason.as_deref(),
            Some("stop_sequence")
        );
    }
}
