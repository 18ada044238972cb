//! Meta Llama 3 and later (3, 3.1, 3.2, 3.3, 4 Instruct): `prompt` in the header-token format
//! (`<|start_header_id|>user<|end_header_id|>\n\n...<|eot_id|>`), `max_gen_len`, and for the
//! vision models `images` (Base64).
//!
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html>
//!
//! The response and stream chunks are Llama 2's (see [`super::llama2_chat`]); each image
//! counts [`crate::converse::MEDIA_BLOCK_TOKENS`] prompt tokens.

use bedrock_fm::catalog::Family;

use super::codec_support;
use super::llama2_chat::{DEFAULT_MAX_GEN_LEN, chunks, response};
use crate::converse::MEDIA_BLOCK_TOKENS;
use crate::engine::Generation;
use crate::errors::ServiceError;
use crate::models::{ChunkStream, FamilyCodec, InvokeCall, InvokeOutput};

const USER_HEADER: &str = "<|start_header_id|>user<|end_header_id|>";
const END_OF_TURN: &str = "<|eot_id|>";

/// The Meta Llama 3 codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct Llama3;

/// The last user turn of a prompt.
fn focus(prompt: &str) -> Option<&str> {
    codec_support::last_between(prompt, USER_HEADER, END_OF_TURN)
}

const COMPLETION: codec_support::Completion = codec_support::Completion {
    family: Family::Llama3,
    prompt: "/prompt",
    max_tokens: "/max_gen_len",
    stop: None,
    focus,
    check_prompt: None,
};

/// The generation and the tokens of its images.
fn generate(call: &InvokeCall<'_>) -> Result<(Generation, u32), ServiceError> {
    let (g, body) = COMPLETION.generate(call, Some(DEFAULT_MAX_GEN_LEN))?;
    let images = codec_support::strings_at(&body, "/images").len() as u32;
    Ok((g, images.saturating_mul(MEDIA_BLOCK_TOKENS)))
}

impl FamilyCodec for Llama3 {
    fn family_id(&self) -> &'static str {
        Family::Llama3.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let (g, image_tokens) = generate(call)?;
        Ok(response(&g, image_tokens))
    }

    fn invoke_stream(&self, call: &InvokeCall<'_>) -> Result<ChunkStream, ServiceError> {
        let (g, image_tokens) = generate(call)?;
        Ok(chunks(&g, image_tokens))
    }
}

#[cfg(test)]
mod tests {
    use super::codec_support::testing::*;
    use super::*;
    use serde_json::{Value, json};

    const MODEL: &str = "meta.llama3-8b-instruct-v1:0";

    // The documented request example, model-parameters-meta.html.
    fn documented() -> Value {
        json!({
            "prompt": "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat is the capital of France?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            "max_gen_len": 512,
            "temperature": 0.5,
            "top_p": 0.9
        })
    }

    #[test]
    fn a_documented_request_is_answered_with_a_valid_response() {
        let (v, usage) = invoke(&Llama3, MODEL, &documented()).unwrap();
        assert_valid(Family::Llama3.response_spec(), &v);
        let text = v["generation"].as_str().unwrap();
        assert!(text.starts_with("What is the capital of France?"), "{text}");
        assert_eq!(v["stop_reason"], "stop");
        assert_eq!(v["prompt_token_count"], usage.unwrap().input_tokens);
    }

    #[test]
    fn images_count_as_prompt_tokens() {
        let (plain, _) = invoke(&Llama3, "meta.llama3-2-11b-instruct-v1:0", &documented()).unwrap();
        let mut body = documented();
        body["images"] = json!(["iVBORw0KGgo=", "iVBORw0KGgo="]);
        let (v, usage) = invoke(&Llama3, "meta.llama3-2-11b-instruct-v1:0", &body).unwrap();
        assert_eq!(
            v["prompt_token_count"].as_u64().unwrap(),
            plain["prompt_token_count"].as_u64().unwrap() + 2 * u64::from(MEDIA_BLOCK_TOKENS)
        );
        assert_eq!(
            usage.unwrap().input_tokens as u64,
            v["prompt_token_count"].as_u64().unwrap()
        );
    }

    #[test]
    fn extraneous_keys_and_out_of_range_values_are_rejected() {
        let msg = rejection_with(&Llama3, MODEL, &documented(), "max_tokens", json!(10));
        assert_eq!(
            msg,
            "Malformed input request: #: extraneous key [max_tokens] is not permitted, please reformat your input and try again."
        );
        let msg = rejection_with(&Llama3, MODEL, &documented(), "temperature", json!(-0.5));
        assert!(
            msg.contains("#/temperature: -0.5 is not greater or equal to 0"),
            "{msg}"
        );
    }

    #[test]
    fn max_gen_len_cuts_the_generation_with_length() {
        let mut body = documented();
        body["max_gen_len"] = json!(3);
        let (v, _) = invoke(&Llama3, MODEL, &body).unwrap();
        assert_eq!(v["generation"], "What is the");
        assert_eq!(v["stop_reason"], "length");
        assert_eq!(v["generation_token_count"], 3);
    }

    #[test]
    fn the_stream_carries_the_same_text_and_the_reason_on_the_last_chunk() {
        let mut body = documented();
        body["max_gen_len"] = json!(6);
        let (_, chunks) = invoke_and_stream(
            &Llama3,
            Family::Llama3,
            MODEL,
            &body,
            "/generation",
            "/generation",
        );
        assert_eq!(chunks.len(), 6);
        assert_eq!(chunks.last().unwrap()["stop_reason"], "length");
    }
}
