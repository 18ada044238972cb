//! Mistral AI text completion (Mistral 7B Instruct, Mixtral 8x7B Instruct, Mistral Large,
//! Mistral Small): `prompt` in the `<s>[INST] ... [/INST]` format, `max_tokens`, `stop`.
//!
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html>
//!
//! - Response: `{"outputs": [{"text": string, "stop_reason": string}]}`, `stop_reason` `stop`
//!   (finished, or a stop sequence) or `length` (cut at `max_tokens`).
//! - Stream chunks: `{"outputs": [{"text": string, "stop_reason": string|null}]}`, the stop
//!   reason on the last one.
//! - `max_tokens` defaults to 512 for Mistral 7B and Mixtral, 8,192 for Large and Small
//!   (Mixtral allows at most 4,096).

use bedrock_fm::catalog::Family;
use serde_json::json;

use super::codec_support;
use crate::engine::{Generation, StopReason};
use crate::errors::ServiceError;
use crate::models::{ChunkStream, FamilyCodec, InvokeCall, InvokeOutput, ModelCaps};

/// The Mistral AI text completion codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mistral;

/// The documented default of `max_tokens` for the model: the catalog's `default_max_tokens`
/// (model-parameters-mistral-text-completion.html: 512 for 7B and Mixtral, 8,192 for Small
/// and Large), 8,192 for a model the catalog does not know.
fn default_max_tokens(caps: &ModelCaps) -> u32 {
    caps.default_max_tokens.unwrap_or(8192)
}

fn stop_reason(reason: StopReason) -> &'static str {
    match reason {
        StopReason::MaxTokens => "length",
        _ => "stop",
    }
}

/// The last instruction of a prompt.
fn focus(prompt: &str) -> Option<&str> {
    codec_support::last_between(prompt, "[INST]", "[/INST]")
}

const COMPLETION: codec_support::Completion = codec_support::Completion {
    family: Family::Mistral,
    prompt: "/prompt",
    max_tokens: "/max_tokens",
    stop: Some("/stop"),
    focus,
    check_prompt: None,
};

fn generate(call: &InvokeCall<'_>) -> Result<Generation, ServiceError> {
    let (g, _) = COMPLETION.generate(call, Some(default_max_tokens(call.model)))?;
    Ok(g)
}

impl FamilyCodec for Mistral {
    fn family_id(&self) -> &'static str {
        Family::Mistral.id()
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

/// `{"outputs": [{"text": ..., "stop_reason": ...}]}`, the response and every chunk.
fn shape(text: &str, stop_reason: Option<&str>) -> serde_json::Value {
    json!({"outputs": [{"text": text, "stop_reason": stop_reason}]})
}

#[cfg(test)]
mod tests {
    use super::codec_support::testing::*;
    use super::*;
    use serde_json::Value;

    const MODEL: &str = "mistral.mistral-7b-instruct-v0:2";

    // The documented request example, model-parameters-mistral-text-completion.html.
    fn documented() -> Value {
        json!({
            "prompt": "<s>[INST] What is your favourite condiment? [/INST]",
            "max_tokens": 400,
            "stop": ["</s>"],
            "temperature": 0.7,
            "top_p": 0.7,
            "top_k": 50
        })
    }

    #[test]
    fn a_documented_request_is_answered_with_a_valid_response() {
        let (v, usage) = invoke(&Mistral, MODEL, &documented()).unwrap();
        assert_valid(Family::Mistral.response_spec(), &v);
        let out = &v["outputs"][0];
        assert!(
            out["text"]
                .as_str()
                .unwrap()
                .starts_with("What is your favourite condiment?")
        );
        assert_eq!(out["stop_reason"], "stop");
        assert!(usage.unwrap().output_tokens > 0);
    }

    #[test]
    fn extraneous_keys_and_out_of_range_values_are_rejected() {
        let msg = rejection_with(
            &Mistral,
            MODEL,
            &documented(),
            "stop_sequences",
            json!(["x"]),
        );
        assert_eq!(
            msg,
            "Malformed input request: #: extraneous key [stop_sequences] is not permitted, please reformat your input and try again."
        );
        let msg = rejection_with(&Mistral, MODEL, &documented(), "top_k", json!(0));
        assert!(
            msg.contains("#/top_k: 0 is not greater or equal to 1"),
            "{msg}"
        );
        let body = json!({"prompt": "[INST] x [/INST]", "max_tokens": 5000});
        let msg = validation_message(invoke(
            &Mistral,
            "mistral.mixtral-8x7b-instruct-v0:1",
            &body,
        ));
        assert!(
            msg.contains("#/max_tokens: 5000 is not less or equal to 4096"),
            "{msg}"
        );
    }

    #[test]
    fn max_tokens_and_stop_sequences_set_the_stop_reason() {
        let body = json!({"prompt": "[INST] one two three four [/INST]", "max_tokens": 2});
        let (v, _) = invoke(&Mistral, MODEL, &body).unwrap();
        assert_eq!(v["outputs"][0]["text"], "one two");
        assert_eq!(v["outputs"][0]["stop_reason"], "length");
        let body = json!({"prompt": "[INST] one two three four [/INST]", "stop": ["three"]});
        let (v, _) = invoke(&Mistral, MODEL, &body).unwrap();
        assert_eq!(v["outputs"][0]["text"], "one two ");
        assert_eq!(v["outputs"][0]["stop_reason"], "stop");
    }

    #[test]
    fn the_default_max_tokens_depends_on_the_model() {
        assert_eq!(default_max_tokens(&caps(MODEL)), 512);
        assert_eq!(
            default_max_tokens(&caps("mistral.mistral-large-2402-v1:0")),
            8192
        );
    }

    #[test]
    fn the_stream_carries_the_same_text_and_the_reason_on_the_last_chunk() {
        let (_, chunks) = invoke_and_stream(
            &Mistral,
            Family::Mistral,
            MODEL,
            &documented(),
            "/outputs/0/text",
            "/outputs/0/text",
        );
        assert!(chunks[0]["outputs"][0]["stop_reason"].is_null());
        assert_eq!(chunks.last().unwrap()["outputs"][0]["stop_reason"], "stop");
    }
}
