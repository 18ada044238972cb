//! Amazon Titan Text Embeddings: G1 - Text (`amazon.titan-embed-text-v1`) and V2
//! (`amazon.titan-embed-text-v2:0`).
//!
//! Wire format, from
//! <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html>:
//!
//! - G1 request `{"inputText": string}` (the only field); response `{"embedding": [float, ...],
//!   "inputTextTokenCount": int}`.
//! - V2 request `{"inputText": string, "dimensions": 1024 | 512 | 256, "normalize": bool,
//!   "embeddingTypes": ["float" | "binary", ...]}`; response `{"embedding": [float, ...],
//!   "inputTextTokenCount": int, "embeddingsByType": {"binary": [int, ...], "float": [float,
//!   ...]}}`. The page says `embedding` is "always type float" and `embeddingsByType` "will
//!   always appear", with "float" even when `embeddingTypes` is not given; it lists the
//!   requested types.
//!
//! Limits (<https://docs.aws.amazon.com/bedrock/latest/userguide/titan-embedding-models.html>):
//! 8,192 tokens or 50,000 characters of input. Over the token limit Bedrock answers
//! `400 Bad Request: Too many input tokens. Max input tokens: 8192, request input token count:
//! 9875` (aws-samples/amazon-bedrock-workshop issue #136).
//!
//! Which generation a model is: a model that offers a choice of dimensions in the catalog
//! (V2) takes the V2 parameters; one with a single dimension (G1) rejects them as extraneous
//! keys, as its schema has only `inputText`.

use bedrock_fm::catalog::Family;
use serde_json::{Map, Value, json};

use super::codec_support::{self, Problems};
use crate::engine::{count_tokens, embed};
use crate::errors::ServiceError;
use crate::models::{FamilyCodec, InvokeCall, InvokeOutput, Usage};

const FAMILY: Family = Family::TitanEmbedText;

/// The longest `inputText`, in characters.
pub const MAX_INPUT_CHARS: usize = 50_000;

/// The Titan Text Embeddings codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct TitanEmbedText;

impl FamilyCodec for TitanEmbedText {
    fn family_id(&self) -> &'static str {
        FAMILY.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let body = codec_support::parse_object(call.body)?;
        let info = codec_support::model_info(call)?;
        let v2 = info.embedding_dimensions.len() > 1;
        let mut problems = Problems::of(FAMILY, &body);
        if !v2 {
            for key in codec_support::keys(&body) {
                if key != "inputText" && FAMILY.request_spec().field_by_wire(key).is_some() {
                    problems.extraneous("#", key);
                }
            }
        }
        if let Some(d) = codec_support::get_u64(&body, &["dimensions"])
            && v2
            && !info.embedding_dimensions.iter().any(|x| u64::from(*x) == d)
        {
            problems.not_enum("#/dimensions", d);
        }
        if v2
            && codec_support::get(&body, &["embeddingTypes"])
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty)
        {
            problems.at(
                "#/embeddingTypes",
                "expected minimum item count: 1, found: 0",
            );
        }
        let text = codec_support::get_str(&body, &["inputText"]).unwrap_or_default();
        if body.get("inputText").is_some_and(Value::is_string) {
            problems.length("#/inputText", text, Some(1), Some(MAX_INPUT_CHARS));
        }
        problems.check()?;

        let tokens = count_tokens(text);
        let max_tokens = info.context_window.unwrap_or(8192);
        if tokens > max_tokens {
            return Err(ServiceError::validation(format!(
                "400 Bad Request: Too many input tokens. Max input tokens: {max_tokens}, request input token count: {tokens}"
            )));
        }

        let spec = FAMILY.request_spec();
        let dims = codec_support::get_u64(&body, &["dimensions"])
            .map(|d| d as usize)
            .unwrap_or_else(|| codec_support::default_dimension(info, spec, &["dimensions"]));
        let normalize = codec_support::get(&body, &["normalize"])
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let vector = embed(text, dims, normalize);
        let mut response = json!({
            "embedding": codec_support::floats_json(&vector),
            "inputTextTokenCount": tokens,
        });
        if v2 {
            let types = codec_support::get_strs(&body, &["embeddingTypes"])
                .unwrap_or_else(|| vec!["float"]);
            let mut by_type = Map::new();
            if types.contains(&"binary") {
                by_type.insert("binary".into(), json!(codec_support::bits(&vector)));
            }
            if types.contains(&"float") {
                by_type.insert("float".into(), codec_support::floats_json(&vector));
            }
            response["embeddingsByType"] = Value::Object(by_type);
        }
        Ok(InvokeOutput::json(&response, Some(Usage::new(tokens, 0))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cosine;
    use crate::families::media::codec_support::testing::*;

    const G1: &str = "amazon.titan-embed-text-v1";
    const V2: &str = "amazon.titan-embed-text-v2:0";

    #[test]
    fn documented_g1_request_is_answered() {
        // The documented G1 request: {"inputText": string}.
        let r = ok(
            &TitanEmbedText,
            G1,
            &json!({"inputText": "Hello world, this is Titan."}),
        );
        assert_valid_response(FAMILY, &r);
        assert_eq!(floats(&r["embedding"]).len(), 1536);
        assert_eq!(r["inputTextTokenCount"], 7);
        assert!(r.get("embeddingsByType").is_none());
    }

    #[test]
    fn documented_v2_request_is_answered() {
        let body = json!({
            "inputText": "What is the capital of France?",
            "dimensions": 512,
            "normalize": true,
            "embeddingTypes": ["float", "binary"],
        });
        let r = ok(&TitanEmbedText, V2, &body);
        assert_valid_response(FAMILY, &r);
        let v = floats(&r["embedding"]);
        assert_eq!(v.len(), 512);
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "{norm}");
        assert_eq!(floats(&r["embeddingsByType"]["float"]), v);
        let bits = r["embeddingsByType"]["binary"].as_array().unwrap();
        assert_eq!(bits.len(), 512);
        assert!(bits.iter().all(|b| b == 0 || b == 1));
        // Defaults: 1024 dimensions and embeddingsByType with float only.
        let r = ok(&TitanEmbedText, V2, &json!({"inputText": "hi"}));
        assert_valid_response(FAMILY, &r);
        assert_eq!(floats(&r["embedding"]).len(), 1024);
        assert_eq!(
            r["embeddingsByType"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            vec!["float"]
        );
        // Binary only.
        let r = ok(
            &TitanEmbedText,
            V2,
            &json!({"inputText": "hi", "dimensions": 256, "embeddingTypes": ["binary"]}),
        );
        assert_valid_response(FAMILY, &r);
        assert!(r["embeddingsByType"].get("float").is_none());
        assert_eq!(
            r["embeddingsByType"]["binary"].as_array().unwrap().len(),
            256
        );
        // normalize false gives the raw sums: each word a vector of norm 1 (see
        // `engine::embed`), so the same word twice has norm 2.
        let r = ok(
            &TitanEmbedText,
            V2,
            &json!({"inputText": "cat cat", "dimensions": 256, "normalize": false}),
        );
        let norm: f32 = floats(&r["embedding"])
            .iter()
            .map(|x| x * x)
            .sum::<f32>()
            .sqrt();
        assert!((norm - 2.0).abs() < 1e-4, "{norm}");
    }

    #[test]
    fn similarity_follows_word_overlap() {
        let e = |t: &str| floats(&ok(&TitanEmbedText, V2, &json!({"inputText": t}))["embedding"]);
        let a = e("The cat sat on the warm mat");
        let b = e("A cat sat on a warm mat");
        let c = e("Quarterly revenue grew in Europe");
        assert!(
            cosine(&a, &b) > cosine(&a, &c) + 0.3,
            "{} {}",
            cosine(&a, &b),
            cosine(&a, &c)
        );
        assert_eq!(e("same words"), e("same words"));
    }

    #[test]
    fn extraneous_keys_are_named() {
        let m = rejected(&TitanEmbedText, V2, &json!({"inputText": "x", "bogus": 1}));
        assert_eq!(
            m,
            "Malformed input request: #: extraneous key [bogus] is not permitted, please reformat your input and try again."
        );
        // G1 has no dimensions, normalize or embeddingTypes.
        let m = rejected(
            &TitanEmbedText,
            G1,
            &json!({"inputText": "x", "dimensions": 1024}),
        );
        assert!(
            m.contains("#: extraneous key [dimensions] is not permitted"),
            "{m}"
        );
        // The textGenerationConfig of a Titan text body (aws-samples/serverless-pdf-chat #35).
        let m = rejected(
            &TitanEmbedText,
            G1,
            &json!({"inputText": "x", "textGenerationConfig": {}}),
        );
        assert!(m.contains("extraneous key [textGenerationConfig]"), "{m}");
    }

    #[test]
    fn wrong_dimension_is_rejected() {
        let m = rejected(
            &TitanEmbedText,
            V2,
            &json!({"inputText": "x", "dimensions": 1536}),
        );
        assert!(
            m.contains("#/dimensions: 1536 is not a valid enum value"),
            "{m}"
        );
        let m = rejected(
            &TitanEmbedText,
            V2,
            &json!({"inputText": "x", "dimensions": "512"}),
        );
        // The catalog writes `found: string`; Bedrock writes `found: String` (dify PR #3326).
        assert!(
            m.to_lowercase()
                .contains("#/dimensions: expected type: integer, found: string"),
            "{m}"
        );
        let m = rejected(
            &TitanEmbedText,
            V2,
            &json!({"inputText": "x", "embeddingTypes": ["int8"]}),
        );
        assert!(
            m.contains("#/embeddingTypes/0: int8 is not a valid enum value"),
            "{m}"
        );
    }

    #[test]
    fn missing_empty_and_over_long_inputs_are_rejected() {
        let m = rejected(&TitanEmbedText, V2, &json!({}));
        assert!(m.contains("#: required key [inputText] not found"), "{m}");
        let m = rejected(&TitanEmbedText, V2, &json!({"inputText": ""}));
        assert!(
            m.contains("#/inputText: expected minLength: 1, actual: 0"),
            "{m}"
        );
        let long = "word ".repeat(8193);
        let m = rejected(&TitanEmbedText, G1, &json!({"inputText": long}));
        assert_eq!(
            m,
            "400 Bad Request: Too many input tokens. Max input tokens: 8192, request input token count: 8193"
        );
        let m = rejected(
            &TitanEmbedText,
            V2,
            &json!({"inputText": "x".repeat(50_001)}),
        );
        assert!(
            m.contains("expected maxLength: 50000, actual: 50001"),
            "{m}"
        );
    }

    #[test]
    fn usage_counts_input_tokens_and_streaming_is_refused() {
        let out = invoke(&TitanEmbedText, V2, &json!({"inputText": "one two three"})).unwrap();
        assert_eq!(out.usage, Some(Usage::new(3, 0)));
        stream_rejected(&TitanEmbedText, V2, &json!({"inputText": "x"}));
    }
}
