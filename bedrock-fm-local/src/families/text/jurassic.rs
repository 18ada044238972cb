//! AI21 Labs Jurassic-2 (Mid, Ultra): `prompt`, `maxTokens`, `stopSequences`, penalties.
//! Jurassic-2 does not stream (the default [`FamilyCodec::invoke_stream`] refuses, as Bedrock
//! does).
//!
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jurassic2.html>
//!
//! - Response (AI21's J2 `complete` format): `{"id": int, "prompt": {"text", "tokens"},
//!   "completions": [{"data": {"text", "tokens"}, "finishReason": {"reason", "length" |
//!   "sequence"}}]}`; `reason` is `endoftext` (finished), `length` (cut at `maxTokens`, which
//!   `length` repeats) or `stop` (a stop sequence, named in `sequence`).
//! - Each token is `{"generatedToken": {"token", "logprob", "raw_logprob"}, "topTokens": null,
//!   "textRange": {"start", "end"}}`, the token written with `▁` for a leading space.
//! - `maxTokens` defaults to 200.

use bedrock_fm::catalog::Family;
use serde_json::{Value, json};

use super::codec_support;
use crate::engine::{self, Generation, StopReason, TextRequest};
use crate::errors::ServiceError;
use crate::models::{FamilyCodec, InvokeCall, InvokeOutput, Usage};

/// The documented default of `maxTokens`.
const DEFAULT_MAX_TOKENS: u32 = 200;

/// The AI21 Labs Jurassic-2 codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct Jurassic;

/// AI21 token objects for `text`, split as the engine counts tokens.
fn tokens(text: &str) -> Vec<Value> {
    let mut start = 0usize;
    engine::token_pieces(text)
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let len = piece.chars().count();
            let logprob =
                -((engine::hash64(&[piece.as_bytes(), &i.to_le_bytes()]) % 3000) as f64) / 1000.0;
            let token = json!({
                "generatedToken": {
                    "token": piece.trim_end().replace(' ', "\u{2581}"),
                    "logprob": logprob,
                    "raw_logprob": logprob,
                },
                "topTokens": null,
                "textRange": {"start": start, "end": start + len},
            });
            start += len;
            token
        })
        .collect()
}

fn finish_reason(g: &Generation, max_tokens: u32) -> Value {
    match g.stop_reason {
        StopReason::MaxTokens => json!({"reason": "length", "length": max_tokens}),
        StopReason::StopSequence => json!({"reason": "stop", "sequence": g.stop_sequence}),
        _ => json!({"reason": "endoftext"}),
    }
}

impl FamilyCodec for Jurassic {
    fn family_id(&self) -> &'static str {
        Family::Jurassic.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let body = codec_support::request(call, Family::Jurassic)?;
        let max = codec_support::u32_at(&body, "/maxTokens");
        codec_support::check_model_limit(call.model, "#/maxTokens", max)?;
        let max = max.unwrap_or(DEFAULT_MAX_TOKENS);
        let prompt = codec_support::str_at(&body, "/prompt").unwrap_or_default();
        let stop = codec_support::strings_at(&body, "/stopSequences");
        let g = call.engine.generate(
            &TextRequest::new(prompt)
                .max_tokens(Some(max))
                .stop_sequences(&stop),
        );
        let id = engine::hash64(&[&call.engine.seed.to_le_bytes(), prompt.as_bytes()]) % 100_000;
        let response = json!({
            "id": id,
            "prompt": {"text": prompt, "tokens": tokens(prompt)},
            "completions": [{
                "data": {"text": g.text, "tokens": tokens(&g.text)},
                "finishReason": finish_reason(&g, max),
            }],
        });
        Ok(InvokeOutput::json(
            &response,
            Some(Usage::new(g.input_tokens, g.output_tokens)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::codec_support::testing::*;
    use super::*;

    const MODEL: &str = "ai21.j2-ultra-v1";

    // The documented request shape, model-parameters-jurassic2.html.
    fn documented() -> Value {
        json!({
            "prompt": "Explain the water cycle in two sentences.",
            "temperature": 0.5,
            "topP": 0.5,
            "maxTokens": 200,
            "stopSequences": [],
            "countPenalty": {"scale": 0},
            "presencePenalty": {"scale": 0},
            "frequencyPenalty": {"scale": 0}
        })
    }

    #[test]
    fn a_documented_request_is_answered_with_a_valid_response() {
        let (v, usage) = invoke(&Jurassic, MODEL, &documented()).unwrap();
        assert_valid(Family::Jurassic.response_spec(), &v);
        let data = &v["completions"][0]["data"];
        let text = data["text"].as_str().unwrap();
        assert!(text.starts_with("Explain the water cycle"), "{text}");
        assert_eq!(v["completions"][0]["finishReason"]["reason"], "endoftext");
        let usage = usage.unwrap();
        assert_eq!(
            data["tokens"].as_array().unwrap().len(),
            usage.output_tokens as usize
        );
        assert_eq!(
            v["prompt"]["tokens"].as_array().unwrap().len(),
            usage.input_tokens as usize
        );
        let second = &data["tokens"][1];
        assert_eq!(second["generatedToken"]["token"], "\u{2581}the");
        assert_eq!(second["textRange"], json!({"start": 7, "end": 11}));
        assert!(v["id"].is_u64());
    }

    #[test]
    fn extraneous_keys_and_out_of_range_values_are_rejected() {
        let mut body = documented();
        body["numResults"] = json!(2);
        let msg = validation_message(invoke(&Jurassic, MODEL, &body));
        assert_eq!(
            msg,
            "Malformed input request: #: extraneous key [numResults] is not permitted, please reformat your input and try again."
        );
        let mut body = documented();
        body["maxTokens"] = json!(8192);
        let msg = validation_message(invoke(&Jurassic, MODEL, &body));
        assert!(
            msg.contains("#/maxTokens: 8192 is not less or equal to 8191"),
            "{msg}"
        );
        let mut body = documented();
        body["presencePenalty"] = json!({"scale": 6});
        let msg = validation_message(invoke(&Jurassic, MODEL, &body));
        assert!(
            msg.contains("#/presencePenalty/scale: 6 is not less or equal to 5"),
            "{msg}"
        );
    }

    #[test]
    fn max_tokens_and_stop_sequences_set_the_finish_reason() {
        let body = json!({"prompt": "one two three four", "maxTokens": 2});
        let (v, _) = invoke(&Jurassic, MODEL, &body).unwrap();
        assert_eq!(v["completions"][0]["data"]["text"], "one two");
        assert_eq!(
            v["completions"][0]["finishReason"],
            json!({"reason": "length", "length": 2})
        );
        let body = json!({"prompt": "one two three four", "stopSequences": ["three"]});
        let (v, _) = invoke(&Jurassic, MODEL, &body).unwrap();
        assert_eq!(v["completions"][0]["data"]["text"], "one two ");
        assert_eq!(
            v["completions"][0]["finishReason"],
            json!({"reason": "stop", "sequence": "three"})
        );
        assert_valid(Family::Jurassic.response_spec(), &v);
    }

    #[test]
    fn it_does_not_stream() {
        assert!(Family::Jurassic.stream_chunk_spec().is_none());
        let msg = validation_message(stream(&Jurassic, MODEL, &documented()));
        assert_eq!(msg, "The model is unsupported for streaming.");
    }
}
