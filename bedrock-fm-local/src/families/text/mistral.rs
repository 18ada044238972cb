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
use serde_json::{Value, json};

use super::common;
use crate::engine::{Generation, StopReason, TextRequest};
use crate::errors::ServiceError;
use crate::models::{ChunkStream, FamilyCodec, InvokeCall, InvokeOutput, ModelCaps, Usage};

/// The Mistral AI text completion codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mistral;

/// The documented default of `max_tokens` for the model.
fn default_max_tokens(caps: &ModelCaps) -> u32 {
    let id = caps.model_id.as_str();
    if id.contains("mistral-7b") || id.contains("mixtral") {
        512
    } else {
        8192
    }
}

fn stop_reason(reason: StopReason) -> &'static str {
    match reason {
        StopReason::MaxTokens => "length",
        _ => "stop",
    }
}

fn generate(call: &InvokeCall<'_>) -> Result<Generation, ServiceError> {
    let body = common::request(call, Family::Mistral)?;
    let max = common::u32_at(&body, "/max_tokens");
    common::check_model_limit(call.model, "#/max_tokens", max)?;
    let prompt = common::str_at(&body, "/prompt").unwrap_or_default();
    let stop = common::strings_at(&body, "/stop");
    let focus = common::last_between(prompt, "[INST]", "[/INST]").unwrap_or(prompt);
    Ok(call.engine.generate(
        &TextRequest::new(prompt)
            .focus(focus)
            .max_tokens(Some(max.unwrap_or_else(|| default_max_tokens(call.model))))
            .stop_sequences(&stop),
    ))
}

impl FamilyCodec for Mistral {
    fn family_id(&self) -> &'static str {
        Family::Mistral.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let g = generate(call)?;
        let response = json!({
            "outputs": [{"text": g.text, "stop_reason": stop_reason(g.stop_reason)}],
        });
        Ok(InvokeOutput::json(
            &response,
            Some(Usage::new(g.input_tokens, g.output_tokens)),
        ))
    }

    fn invoke_stream(&self, call: &InvokeCall<'_>) -> Result<ChunkStream, ServiceError> {
        let g = generate(call)?;
        let pieces = common::stream_pieces(&g.pieces);
        let n = pieces.len();
        let chunks: Vec<Value> = pieces
            .into_iter()
            .enumerate()
            .map(|(i, piece)| {
                let reason = (i + 1 == n).then(|| stop_reason(g.stop_reason));
                json!({"outputs": [{"text": piece, "stop_reason": reason}]})
            })
            .collect();
        Ok(common::stream(
            chunks,
            Usage::new(g.input_tokens, g.output_tokens),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::common::testing::*;
    use super::*;

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
        let mut body = documented();
        body["stop_sequences"] = json!(["x"]);
        let msg = validation_message(invoke(&Mistral, MODEL, &body));
        assert_eq!(
            msg,
            "Malformed input request: #: extraneous key [stop_sequences] is not permitted, please reformat your input and try again."
        );
        let mut body = documented();
        body["top_k"] = json!(0);
        let msg = validation_message(invoke(&Mistral, MODEL, &body));
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
        let (v, usage) = invoke(&Mistral, MODEL, &documented()).unwrap();
        let chunks = stream(&Mistral, MODEL, &documented()).unwrap();
        assert_stream(
            Family::Mistral.stream_chunk_spec().unwrap(),
            &chunks,
            usage.unwrap(),
        );
        let text: String = chunks
            .iter()
            .map(|c| c["outputs"][0]["text"].as_str().unwrap())
            .collect();
        assert_eq!(text, v["outputs"][0]["text"].as_str().unwrap());
        assert!(chunks[0]["outputs"][0]["stop_reason"].is_null());
        assert_eq!(chunks.last().unwrap()["outputs"][0]["stop_reason"], "stop");
    }
}
