//! DeepSeek (R1) text completion: `prompt`, `temperature`, `top_p`, `max_tokens`, `stop`.
//!
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-deepseek.html>
//!
//! - Response: `{"choices": [{"text": string, "stop_reason": string}]}`, `stop_reason` `stop`
//!   (finished) or `length` (cut at `max_tokens`).
//! - Stream chunks: the page documents none; this server sends the response's shape per
//!   piece, the stop reason on the last one.

use bedrock_fm::catalog::Family;
use serde_json::json;

use super::codec_support;
use crate::engine::{Generation, StopReason};
use crate::errors::ServiceError;
use crate::models::{ChunkStream, FamilyCodec, InvokeCall, InvokeOutput};

/// The DeepSeek text-completion codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct Deepseek;

fn stop_reason(reason: StopReason) -> &'static str {
    match reason {
        StopReason::MaxTokens => "length",
        _ => "stop",
    }
}

/// The last user turn of a `User:` / `Assistant:` prompt, or the whole prompt.
fn focus(prompt: &str) -> Option<&str> {
    codec_support::last_between(prompt, "User:", "\nAssistant:")
}

const COMPLETION: codec_support::Completion = codec_support::Completion {
    family: Family::Deepseek,
    prompt: "/prompt",
    max_tokens: "/max_tokens",
    stop: Some("/stop"),
    focus,
    check_prompt: None,
};

fn generate(call: &InvokeCall<'_>) -> Result<Generation, ServiceError> {
    let (g, _) = COMPLETION.generate(call, None)?;
    Ok(g)
}

impl FamilyCodec for Deepseek {
    fn family_id(&self) -> &'static str {
        Family::Deepseek.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let g = generate(call)?;
        Ok(codec_support::shaped_answer(
            &g,
            stop_reason(g.stop_reason),
            shape,
        ))
    }

    fn invoke_stream(&self, call: &InvokeCall<'_>) -> Result<ChunkStream, ServiceError> {
        let g = generate(call)?;
        Ok(codec_support::shaped_stream(
            &g,
            stop_reason(g.stop_reason),
            shape,
        ))
    }
}

/// `{"choices": [{"text": ..., "stop_reason": ...}]}`, the response and every chunk.
fn shape(text: &str, stop_reason: Option<&str>) -> serde_json::Value {
    json!({"choices": [{"text": text, "stop_reason": stop_reason}]})
}

#[cfg(test)]
mod tests {
    use super::codec_support::testing::*;
    use super::*;

    const MODEL: &str = "deepseek.r1-v1:0";

    // The request fields of model-parameters-deepseek.html within its limits (the page gives
    // the fields, not a concrete example body).
    fn documented() -> serde_json::Value {
        json!({
            "prompt": "Why is the sky blue?",
            "temperature": 0.5,
            "top_p": 0.9,
            "max_tokens": 512,
            "stop": ["\n\n"]
        })
    }

    #[test]
    fn a_request_of_the_documented_fields_is_answered_with_a_valid_response() {
        let (v, usage) = invoke(&Deepseek, MODEL, &documented()).unwrap();
        assert_valid(Family::Deepseek.response_spec(), &v);
        assert!(!v["choices"][0]["text"].as_str().unwrap().is_empty());
        assert!(usage.unwrap().output_tokens > 0);
    }

    #[test]
    fn out_of_range_values_and_extraneous_keys_are_rejected() {
        let msg = rejection_with(&Deepseek, MODEL, &documented(), "max_tokens", json!(40000));
        assert!(
            msg.contains("#/max_tokens: 40000 is not less or equal to 32768"),
            "{msg}"
        );
        let msg = rejection_with(&Deepseek, MODEL, &documented(), "top_k", json!(5));
        assert!(msg.contains("extraneous key [top_k]"), "{msg}");
    }

    #[test]
    fn max_tokens_sets_the_length_stop_reason_and_streams_end_with_it() {
        let body = json!({"prompt": "one two three four", "max_tokens": 2});
        let (v, _) = invoke(&Deepseek, MODEL, &body).unwrap();
        assert_eq!(v["choices"][0]["stop_reason"], "length");
        let (_, chunks) = invoke_and_stream(
            &Deepseek,
            Family::Deepseek,
            MODEL,
            &documented(),
            "/choices/0/text",
            "/choices/0/text",
        );
        assert!(chunks[0]["choices"][0]["stop_reason"].is_null());
        assert_eq!(chunks.last().unwrap()["choices"][0]["stop_reason"], "stop");
    }
}
