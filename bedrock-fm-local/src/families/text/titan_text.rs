//! Amazon Titan Text (Lite, Express, Premier): `inputText` and `textGenerationConfig`.
//!
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html>
//!
//! - Response: `{"inputTextTokenCount": int, "results": [{"tokenCount": int, "outputText":
//!   string, "completionReason": string}]}`.
//! - Stream chunks: `{"outputText": string, "index": int, "totalOutputTextTokenCount": int,
//!   "completionReason": string, "inputTextTokenCount": int}`; the completion reason is set on
//!   the last one.
//! - `completionReason`: the page documents `FINISHED`, `LENGTH`, `STOP_CRITERIA_MET`; the
//!   service answers `FINISH` for a finished response (recorded traffic), which is what this
//!   server sends.
//! - `maxTokenCount` defaults to 512 and is limited per model (Lite 4,096, Express 8,192,
//!   Premier 3,072).

use bedrock_fm::catalog::Family;
use serde_json::json;

use super::codec_support;
use crate::engine::{Generation, StopReason};
use crate::errors::ServiceError;
use crate::models::{ChunkStream, FamilyCodec, InvokeCall, InvokeOutput};

/// The documented default of `maxTokenCount`.
const DEFAULT_MAX_TOKENS: u32 = 512;

/// The Amazon Titan Text codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct TitanText;

fn completion_reason(reason: StopReason) -> &'static str {
    match reason {
        StopReason::MaxTokens => "LENGTH",
        StopReason::StopSequence => "STOP_CRITERIA_MET",
        _ => "FINISH",
    }
}

/// A conversational prompt (`User: ...\nBot:`) is answered from its last user turn.
fn focus(prompt: &str) -> Option<&str> {
    codec_support::last_between(prompt, "User:", "\nBot:")
}

const COMPLETION: codec_support::Completion = codec_support::Completion {
    family: Family::TitanText,
    prompt: "/inputText",
    max_tokens: "/textGenerationConfig/maxTokenCount",
    stop: Some("/textGenerationConfig/stopSequences"),
    focus,
    check_prompt: None,
};

fn generate(call: &InvokeCall<'_>) -> Result<Generation, ServiceError> {
    let (g, _) = COMPLETION.generate(call, Some(DEFAULT_MAX_TOKENS))?;
    Ok(g)
}

impl FamilyCodec for TitanText {
    fn family_id(&self) -> &'static str {
        Family::TitanText.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let g = generate(call)?;
        let response = json!({
            "inputTextTokenCount": g.input_tokens,
            "results": [{
                "tokenCount": g.output_tokens,
                "outputText": g.text,
                "completionReason": completion_reason(g.stop_reason),
            }],
        });
        Ok(InvokeOutput::json(
            &response,
            Some(codec_support::usage(&g)),
        ))
    }

    fn invoke_stream(&self, call: &InvokeCall<'_>) -> Result<ChunkStream, ServiceError> {
        let g = generate(call)?;
        let chunks = codec_support::piece_chunks(&g.pieces, |i, piece, last| {
            json!({
                "outputText": piece,
                "index": i,
                "totalOutputTextTokenCount": (i + 1).min(g.output_tokens as usize),
                "completionReason": last.then(|| completion_reason(g.stop_reason)),
                "inputTextTokenCount": g.input_tokens,
            })
        });
        Ok(codec_support::stream(chunks, codec_support::usage(&g)))
    }
}

#[cfg(test)]
mod tests {
    use super::codec_support::testing::*;
    use super::*;
    use serde_json::Value;

    const MODEL: &str = "amazon.titan-text-express-v1";

    // The documented request example shape, model-parameters-titan-text.html.
    fn documented() -> Value {
        json!({
            "inputText": "User: Describe the rivers and lakes of Europe\nBot:",
            "textGenerationConfig": {
                "temperature": 0.7,
                "topP": 0.9,
                "maxTokenCount": 512,
                "stopSequences": []
            }
        })
    }

    #[test]
    fn a_documented_request_is_answered_with_a_valid_response() {
        let (v, usage) = invoke(&TitanText, MODEL, &documented()).unwrap();
        assert_valid(Family::TitanText.response_spec(), &v);
        let result = &v["results"][0];
        let text = result["outputText"].as_str().unwrap();
        assert!(text.starts_with("Describe the rivers"), "{text}");
        assert_eq!(result["completionReason"], "FINISH");
        let usage = usage.unwrap();
        assert_eq!(v["inputTextTokenCount"], usage.input_tokens);
        assert_eq!(result["tokenCount"], usage.output_tokens);
        // A minimal body is valid too.
        let (v, _) = invoke(&TitanText, MODEL, &json!({"inputText": "Hi"})).unwrap();
        assert_valid(Family::TitanText.response_spec(), &v);
    }

    #[test]
    fn extraneous_keys_out_of_range_values_and_bad_json_are_rejected() {
        let mut body = documented();
        body["textGenerationConfig"]["bogus"] = json!(1);
        let msg = validation_message(invoke(&TitanText, MODEL, &body));
        assert_eq!(
            msg,
            "Malformed input request: #/textGenerationConfig: extraneous key [bogus] is not permitted, please reformat your input and try again."
        );
        let mut body = documented();
        body["textGenerationConfig"]["temperature"] = json!(1.5);
        let msg = validation_message(invoke(&TitanText, MODEL, &body));
        assert!(
            msg.contains("#/textGenerationConfig/temperature: 1.5 is not less or equal to 1"),
            "{msg}"
        );
        let msg = validation_message(invoke(&TitanText, MODEL, &json!({"prompt": "x"})));
        assert!(msg.contains("required key [inputText] not found"), "{msg}");
        assert!(msg.contains("extraneous key [prompt]"), "{msg}");
        let msg = validation_message(invoke_bytes(&TitanText, MODEL, b"not json"));
        assert!(
            msg.contains("A JSONObject text must begin with '{'"),
            "{msg}"
        );
        // Premier allows 3,072 of the family's 8,192.
        let body = json!({"inputText": "x", "textGenerationConfig": {"maxTokenCount": 5000}});
        let msg = validation_message(invoke(&TitanText, "amazon.titan-text-premier-v1:0", &body));
        assert!(
            msg.contains("#/textGenerationConfig/maxTokenCount: 5000 is not less or equal to 3072"),
            "{msg}"
        );
        assert!(invoke(&TitanText, MODEL, &body).is_ok());
    }

    #[test]
    fn max_tokens_and_stop_sequences_set_the_completion_reason() {
        let body = json!({"inputText": "one two three four five", "textGenerationConfig": {"maxTokenCount": 3}});
        let (v, usage) = invoke(&TitanText, MODEL, &body).unwrap();
        assert_eq!(v["results"][0]["outputText"], "one two three");
        assert_eq!(v["results"][0]["completionReason"], "LENGTH");
        assert_eq!(v["results"][0]["tokenCount"], 3);
        assert_eq!(usage.unwrap().output_tokens, 3);
        let body = json!({"inputText": "one two three four five", "textGenerationConfig": {"stopSequences": ["four"]}});
        let (v, _) = invoke(&TitanText, MODEL, &body).unwrap();
        assert_eq!(v["results"][0]["outputText"], "one two three ");
        assert_eq!(v["results"][0]["completionReason"], "STOP_CRITERIA_MET");
        assert_valid(Family::TitanText.response_spec(), &v);
    }

    #[test]
    fn the_stream_carries_the_same_text_and_the_reason_on_the_last_chunk() {
        let mut body = documented();
        body["textGenerationConfig"]["maxTokenCount"] = json!(10);
        let (_, chunks) = invoke_and_stream(
            &TitanText,
            Family::TitanText,
            MODEL,
            &body,
            "/results/0/outputText",
            "/outputText",
        );
        assert_eq!(chunks.len(), 10);
        let last = chunks.last().unwrap();
        assert_eq!(last["completionReason"], "LENGTH");
        assert_eq!(last["totalOutputTextTokenCount"], 10);
        assert!(chunks[0]["completionReason"].is_null());
        assert_eq!(chunks[3]["index"], 3);
    }

    #[test]
    fn zero_max_tokens_still_streams_one_chunk() {
        let body = json!({"inputText": "x", "textGenerationConfig": {"maxTokenCount": 0}});
        let chunks = stream(&TitanText, MODEL, &body).unwrap();
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0]["outputText"], "");
        assert_eq!(chunks[0]["completionReason"], "LENGTH");
        assert_valid(Family::TitanText.stream_chunk_spec().unwrap(), &chunks[0]);
    }
}
