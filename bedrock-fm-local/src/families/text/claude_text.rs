//! Anthropic Claude Text Completions (Claude Instant, v2, v2.1): `prompt` in the
//! `\n\nHuman: ...\n\nAssistant:` format and `max_tokens_to_sample`.
//!
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-text-completion.html>
//!
//! - Response: `{"completion": string, "stop_reason": string, "stop": string}`; `stop_reason`
//!   is `stop_sequence` (one of yours or the built-in `\n\nHuman:`, which is how every natural
//!   end is reported) or `max_tokens`; `stop` names the stop sequence.
//! - Stream chunks: the same three members per chunk, `stop_reason` and `stop` `null` until the
//!   last one.
//! - The prompt must open with a `\n\nHuman:` turn (after an optional system prompt) and end
//!   with an `\n\nAssistant:` turn; Anthropic's messages (`prompt must start with "\n\nHuman:"
//!   turn`, stencila issue #1907) are kept.

use bedrock_fm::catalog::Family;
use serde_json::json;

use super::codec_support;
use crate::engine::{Generation, StopReason};
use crate::errors::ServiceError;
use crate::models::{ChunkStream, FamilyCodec, InvokeCall, InvokeOutput};

const HUMAN: &str = "\n\nHuman:";
const ASSISTANT: &str = "\n\nAssistant:";

/// The Anthropic Claude Text Completions codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClaudeText;

/// Checks the turn structure Anthropic requires of a completion prompt.
fn check_prompt(prompt: &str) -> Result<(), ServiceError> {
    let first_human = prompt.find(HUMAN);
    let first_assistant = prompt.find(ASSISTANT);
    let starts_with_human = match (first_human, first_assistant) {
        (Some(h), Some(a)) => h < a,
        (Some(_), None) => true,
        _ => false,
    };
    if !starts_with_human {
        return Err(ServiceError::validation(
            "prompt must start with \"\n\nHuman:\" turn after an optional system prompt",
        ));
    }
    let ends_with_assistant = match (prompt.rfind(HUMAN), prompt.rfind(ASSISTANT)) {
        (Some(h), Some(a)) => a > h,
        _ => false,
    };
    if !ends_with_assistant {
        return Err(ServiceError::validation(
            "prompt must end with \"\n\nAssistant:\" turn",
        ));
    }
    Ok(())
}

/// `stop_reason` and `stop` of a generation: a natural end is the model producing the
/// built-in `\n\nHuman:` stop sequence.
fn stop_of(g: &Generation) -> (&'static str, Option<String>) {
    match g.stop_reason {
        StopReason::MaxTokens => ("max_tokens", None),
        StopReason::StopSequence => ("stop_sequence", g.stop_sequence.clone()),
        _ => ("stop_sequence", Some(HUMAN.to_owned())),
    }
}

/// The last human turn of a prompt.
fn focus(prompt: &str) -> Option<&str> {
    codec_support::last_between(prompt, HUMAN, ASSISTANT)
}

const COMPLETION: codec_support::Completion = codec_support::Completion {
    family: Family::ClaudeText,
    prompt: "/prompt",
    max_tokens: "/max_tokens_to_sample",
    stop: Some("/stop_sequences"),
    focus,
    check_prompt: Some(check_prompt),
};

fn generate(call: &InvokeCall<'_>) -> Result<Generation, ServiceError> {
    let (g, _) = COMPLETION.generate(call, None)?;
    Ok(g)
}

impl FamilyCodec for ClaudeText {
    fn family_id(&self) -> &'static str {
        Family::ClaudeText.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let g = generate(call)?;
        let (reason, stop) = stop_of(&g);
        let response = json!({"completion": g.text, "stop_reason": reason, "stop": stop});
        Ok(InvokeOutput::json(
            &response,
            Some(codec_support::usage(&g)),
        ))
    }

    fn invoke_stream(&self, call: &InvokeCall<'_>) -> Result<ChunkStream, ServiceError> {
        let g = generate(call)?;
        let (reason, stop) = stop_of(&g);
        let chunks = codec_support::piece_chunks(&g.pieces, |_, piece, last| {
            if last {
                json!({"completion": piece, "stop_reason": reason, "stop": stop})
            } else {
                json!({"completion": piece, "stop_reason": null, "stop": null})
            }
        });
        Ok(codec_support::stream(chunks, codec_support::usage(&g)))
    }
}

#[cfg(test)]
mod tests {
    use super::codec_support::testing::*;
    use super::*;
    use serde_json::Value;

    const MODEL: &str = "anthropic.claude-v2:1";

    // The documented request example, model-parameters-anthropic-claude-text-completion.html.
    fn documented() -> Value {
        json!({
            "prompt": "\n\nHuman: Hello world\n\nAssistant:",
            "temperature": 0.5,
            "top_p": 1,
            "top_k": 250,
            "max_tokens_to_sample": 200,
            "stop_sequences": ["\n\nHuman:"]
        })
    }

    #[test]
    fn a_documented_request_is_answered_with_a_valid_response() {
        let (v, usage) = invoke(&ClaudeText, MODEL, &documented()).unwrap();
        assert_valid(Family::ClaudeText.response_spec(), &v);
        assert!(
            v["completion"].as_str().unwrap().starts_with("Hello world"),
            "{v}"
        );
        assert_eq!(v["stop_reason"], "stop_sequence");
        assert_eq!(v["stop"], "\n\nHuman:");
        let usage = usage.unwrap();
        assert!(usage.input_tokens > 0 && usage.output_tokens > 0);
    }

    #[test]
    fn extraneous_keys_out_of_range_values_and_bad_prompts_are_rejected() {
        let msg = rejection_with(&ClaudeText, MODEL, &documented(), "max_tokens", json!(10));
        assert_eq!(
            msg,
            "Malformed input request: #: extraneous key [max_tokens] is not permitted, please reformat your input and try again."
        );
        let msg = rejection_with(
            &ClaudeText,
            MODEL,
            &documented(),
            "max_tokens_to_sample",
            json!(8192),
        );
        assert!(
            msg.contains("#/max_tokens_to_sample: 8192 is not less or equal to 4096"),
            "{msg}"
        );
        let body = json!({"prompt": "\n\nHuman: Hi\n\nAssistant:"});
        let msg = validation_message(invoke(&ClaudeText, MODEL, &body));
        assert!(msg.contains("required key [max_tokens_to_sample]"), "{msg}");
        let body = json!({"prompt": "Hello", "max_tokens_to_sample": 5});
        let msg = validation_message(invoke(&ClaudeText, MODEL, &body));
        assert!(msg.starts_with("prompt must start with"), "{msg}");
        let body = json!({"prompt": "\n\nHuman: Hello", "max_tokens_to_sample": 5});
        let msg = validation_message(invoke(&ClaudeText, MODEL, &body));
        assert!(msg.starts_with("prompt must end with"), "{msg}");
        // A system prompt first and an assistant prefill last are fine.
        let body =
            json!({"prompt": "Be brief.\n\nHuman: Hi\n\nAssistant: 1.", "max_tokens_to_sample": 5});
        assert!(invoke(&ClaudeText, MODEL, &body).is_ok());
    }

    #[test]
    fn max_tokens_and_stop_sequences_set_the_stop_reason() {
        let body = json!({"prompt": "\n\nHuman: one two three four five\n\nAssistant:", "max_tokens_to_sample": 2});
        let (v, _) = invoke(&ClaudeText, MODEL, &body).unwrap();
        assert_eq!(v["completion"], "one two");
        assert_eq!(v["stop_reason"], "max_tokens");
        assert!(v["stop"].is_null());
        assert_valid(Family::ClaudeText.response_spec(), &v);
        let body = json!({
            "prompt": "\n\nHuman: one two three four five\n\nAssistant:",
            "max_tokens_to_sample": 200,
            "stop_sequences": ["three"]
        });
        let (v, _) = invoke(&ClaudeText, MODEL, &body).unwrap();
        assert_eq!(v["completion"], "one two ");
        assert_eq!(v["stop_reason"], "stop_sequence");
        assert_eq!(v["stop"], "three");
    }

    #[test]
    fn the_stream_carries_the_same_text_and_the_reason_on_the_last_chunk() {
        let (_, chunks) = invoke_and_stream(
            &ClaudeText,
            Family::ClaudeText,
            MODEL,
            &documented(),
            "/completion",
            "/completion",
        );
        let last = chunks.last().unwrap();
        assert_eq!(last["stop_reason"], "stop_sequence");
        assert_eq!(last["stop"], "\n\nHuman:");
        assert!(chunks[0]["stop_reason"].is_null());
    }
}
