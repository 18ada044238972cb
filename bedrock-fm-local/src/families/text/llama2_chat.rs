//! Meta Llama 2 (Chat): `prompt` in the `<s>[INST] <<SYS>>...<</SYS>> ... [/INST]` format and
//! `max_gen_len`.
//!
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html>
//!
//! - Response: `{"generation": string, "prompt_token_count": int, "generation_token_count":
//!   int, "stop_reason": string}`, `stop_reason` `stop` (finished) or `length` (cut at
//!   `max_gen_len`).
//! - Stream chunks: the same members per chunk, `generation_token_count` counting the tokens
//!   so far, `prompt_token_count` on the first chunk only and `stop_reason` on the last.
//! - `max_gen_len` defaults to 512. Llama takes no stop sequences.
//!
//! The response and chunk shapes are shared with Llama 3 (the same page), which uses the
//! functions of this file.

use bedrock_fm::catalog::Family;
use serde_json::json;

use super::codec_support;
use crate::engine::{Generation, StopReason};
use crate::errors::ServiceError;
use crate::models::{ChunkStream, FamilyCodec, InvokeCall, InvokeOutput, Usage};

/// The documented default of `max_gen_len`.
pub(super) const DEFAULT_MAX_GEN_LEN: u32 = 512;

/// The Meta Llama 2 Chat codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct Llama2Chat;

fn stop_reason(reason: StopReason) -> &'static str {
    match reason {
        StopReason::MaxTokens => "length",
        _ => "stop",
    }
}

/// A Llama response; `extra_input` tokens (images) are added to the prompt's.
pub(super) fn response(g: &Generation, extra_input: u32) -> InvokeOutput {
    let input = g.input_tokens.saturating_add(extra_input);
    let body = json!({
        "generation": g.text,
        "prompt_token_count": input,
        "generation_token_count": g.output_tokens,
        "stop_reason": stop_reason(g.stop_reason),
    });
    InvokeOutput::json(&body, Some(Usage::new(input, g.output_tokens)))
}

/// The chunks of a Llama stream.
pub(super) fn chunks(g: &Generation, extra_input: u32) -> ChunkStream {
    let input = g.input_tokens.saturating_add(extra_input);
    let chunks = codec_support::piece_chunks(&g.pieces, |i, piece, last| {
        json!({
            "generation": piece,
            "prompt_token_count": (i == 0).then_some(input),
            "generation_token_count": (i + 1).min(g.output_tokens as usize),
            "stop_reason": last.then(|| stop_reason(g.stop_reason)),
        })
    });
    codec_support::stream(chunks, Usage::new(input, g.output_tokens))
}

/// The last instruction, without the system block of the first one.
fn focus(prompt: &str) -> Option<&str> {
    codec_support::last_between(prompt, "[INST]", "[/INST]")
        .map(|f| f.rsplit("<</SYS>>").next().unwrap_or(f).trim())
        .filter(|f| !f.is_empty())
}

const COMPLETION: codec_support::Completion = codec_support::Completion {
    family: Family::Llama2Chat,
    prompt: "/prompt",
    max_tokens: "/max_gen_len",
    stop: None,
    focus,
    check_prompt: None,
};

fn generate(call: &InvokeCall<'_>) -> Result<Generation, ServiceError> {
    let (g, _) = COMPLETION.generate(call, Some(DEFAULT_MAX_GEN_LEN))?;
    Ok(g)
}

impl FamilyCodec for Llama2Chat {
    fn family_id(&self) -> &'static str {
        Family::Llama2Chat.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        Ok(response(&generate(call)?, 0))
    }

    fn invoke_stream(&self, call: &InvokeCall<'_>) -> Result<ChunkStream, ServiceError> {
        Ok(chunks(&generate(call)?, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::codec_support::testing::*;
    use super::*;
    use serde_json::Value;

    const MODEL: &str = "meta.llama2-13b-chat-v1";

    // The documented request shape, model-parameters-meta.html.
    fn documented() -> Value {
        json!({
            "prompt": "<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nName the rivers of Europe [/INST]",
            "temperature": 0.5,
            "top_p": 0.9,
            "max_gen_len": 512
        })
    }

    #[test]
    fn a_documented_request_is_answered_with_a_valid_response() {
        let (v, usage) = invoke(&Llama2Chat, MODEL, &documented()).unwrap();
        assert_valid(Family::Llama2Chat.response_spec(), &v);
        assert!(
            v["generation"]
                .as_str()
                .unwrap()
                .starts_with("Name the rivers of Europe"),
            "{v}"
        );
        assert_eq!(v["stop_reason"], "stop");
        let usage = usage.unwrap();
        assert_eq!(v["prompt_token_count"], usage.input_tokens);
        assert_eq!(v["generation_token_count"], usage.output_tokens);
    }

    #[test]
    fn extraneous_keys_and_out_of_range_values_are_rejected() {
        let msg = rejection_with(&Llama2Chat, MODEL, &documented(), "stop", json!(["x"]));
        assert_eq!(
            msg,
            "Malformed input request: #: extraneous key [stop] is not permitted, please reformat your input and try again."
        );
        let msg = rejection_with(
            &Llama2Chat,
            MODEL,
            &documented(),
            "max_gen_len",
            json!(4096),
        );
        assert!(
            msg.contains("#/max_gen_len: 4096 is not less or equal to 2048"),
            "{msg}"
        );
        let msg = rejection_with(&Llama2Chat, MODEL, &documented(), "top_p", json!("high"));
        assert!(
            msg.contains("#/top_p: expected type: Number, found: String"),
            "{msg}"
        );
    }

    #[test]
    fn max_gen_len_cuts_the_generation_with_length() {
        let body = json!({"prompt": "[INST] one two three four [/INST]", "max_gen_len": 2});
        let (v, _) = invoke(&Llama2Chat, MODEL, &body).unwrap();
        assert_eq!(v["generation"], "one two");
        assert_eq!(v["stop_reason"], "length");
        assert_eq!(v["generation_token_count"], 2);
        assert_valid(Family::Llama2Chat.response_spec(), &v);
    }

    #[test]
    fn the_stream_carries_the_same_text_and_the_reason_on_the_last_chunk() {
        let (v, chunks) = invoke_and_stream(
            &Llama2Chat,
            Family::Llama2Chat,
            MODEL,
            &documented(),
            "/generation",
            "/generation",
        );
        assert_eq!(chunks[0]["prompt_token_count"], v["prompt_token_count"]);
        assert!(chunks[1]["prompt_token_count"].is_null());
        let last = chunks.last().unwrap();
        assert_eq!(last["stop_reason"], "stop");
        assert_eq!(last["generation_token_count"], v["generation_token_count"]);
    }
}
