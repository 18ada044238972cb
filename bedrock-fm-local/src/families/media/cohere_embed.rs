//! Cohere Embed: English and Multilingual v3 (`cohere.embed-english-v3`,
//! `cohere.embed-multilingual-v3`) and Embed v4 (`cohere.embed-v4:0`).
//!
//! Wire format:
//!
//! - v3 (<https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed-v3.html>):
//!   request `{"input_type": "search_document|search_query|classification|clustering|image",
//!   "texts": [string], "images": [image_base64_image_uri], "truncate": "NONE|START|END",
//!   "embedding_types": [...]}`; 0 to 96 texts of 0 to 2048 characters each; at most one image
//!   (a `data:image/jpeg|png;base64,...` URI, 5 MB); only one of `texts` and `images`. Response
//!   `{"embeddings": [[float, ...]], "id": string, "response_type": "embeddings_floats", "texts":
//!   [string], "images": [image_description]}`, or with `embedding_types` (float, int8, uint8,
//!   binary, ubinary) `"embeddings": {"float": [[...]], "int8": [[...]], ...}` and
//!   `"response_type": "embeddings_by_type"`.
//! - v4 (<https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed-v4.html>):
//!   also `inputs` (interleaved text and image parts), `output_dimension` (256, 512, 1024,
//!   1536), `max_tokens`, and `truncate` `NONE|LEFT|RIGHT`; up to 96 texts or images.
//!
//! Errors seen from the service: a text over 2048 characters is a schema violation
//! (`expected maxLength: 2048, actual: 2459`, langgenius/dify issue #3942); an over-long input
//! with `"truncate": "NONE"` is `Input is too long for requested model.` (run-llama/llama_index
//! issues #14118 and #13376, the latter showing that an omitted `truncate` truncates); a
//! combination the model refuses is `Invalid parameter combination. Please check and try
//! again.` (langchain4j/langchain4j PR #3730).
//!
//! Which generation a model is: a model that offers a choice of dimensions in the catalog (v4)
//! takes the v4-only parameters; the others reject them as extraneous keys.

use bedrock_fm::catalog::Family;
use image::{DynamicImage, ImageFormat};
use serde_json::{Map, Value, json};

use super::codec_support::{self, Problems};
use crate::engine::{count_tokens, embed, tokenize};
use crate::errors::ServiceError;
use crate::models::{FamilyCodec, InvokeCall, InvokeOutput, Usage};

const FAMILY: Family = Family::CohereEmbed;

/// The longest v3 text, in characters.
pub const V3_MAX_TEXT_CHARS: usize = 2048;
/// The largest input image, in bytes.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;
/// Cohere documents no pixel limit: the conservative bounds of [`codec_support::ImageBounds`].
const INPUT_BOUNDS: codec_support::ImageBounds = codec_support::ImageBounds::bytes(MAX_IMAGE_BYTES);

const V4_ONLY: &[&str] = &["inputs", "output_dimension", "max_tokens"];

/// The Cohere Embed codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct CohereEmbed;

/// One thing to embed.
struct Item {
    /// The words its vector is computed from.
    words: String,
    /// Its text tokens.
    tokens: u32,
}

fn describe(img: &DynamicImage, format: ImageFormat) -> Value {
    json!({
        "width": img.width(),
        "height": img.height(),
        "format": if format == ImageFormat::Jpeg { "jpeg" } else { format.extensions_str()[0] },
        "bit_depth": img.color().bits_per_pixel(),
    })
}

impl CohereEmbed {
    fn image_item(
        pointer: &str,
        uri: &str,
        formats: &[ImageFormat],
    ) -> Result<(Item, Value), ServiceError> {
        let bytes = codec_support::data_uri_bytes(uri).ok_or_else(|| {
            ServiceError::validation(format!(
                "The image at {pointer} must be a data URI: data:<image MIME type>;base64,<data>."
            ))
        })?;
        let input = codec_support::decode_image_bytes(pointer, &bytes, formats, INPUT_BOUNDS)?;
        let item = Item {
            words: codec_support::image_words(&input.image),
            tokens: 0,
        };
        Ok((item, describe(&input.image, input.format)))
    }
}

/// The text cut to `limit` tokens, from the end (`END`, `RIGHT`, the default) or the start.
fn truncate(text: &str, limit: u32, from_start: bool) -> String {
    let tokens = tokenize(text);
    let n = tokens.len().min(limit as usize);
    let kept = if from_start {
        &tokens[tokens.len() - n..]
    } else {
        &tokens[..n]
    };
    kept.join(" ")
}

impl FamilyCodec for CohereEmbed {
    fn family_id(&self) -> &'static str {
        FAMILY.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let body = codec_support::parse_object(call.body)?;
        let info = codec_support::model_info(call)?;
        let v4 = info.embedding_dimensions.len() > 1;
        let mut problems = Problems::of(FAMILY, &body);
        let present = |key: &str| codec_support::get(&body, &[key]).is_some();
        if !v4 {
            for key in V4_ONLY.iter().filter(|k| present(k)) {
                problems.extraneous("#", key);
            }
        }
        let truncation = codec_support::get_str(&body, &["truncate"]);
        if let Some(t) = truncation {
            let allowed: &[&str] = if v4 {
                &["NONE", "LEFT", "RIGHT"]
            } else {
                &["NONE", "START", "END"]
            };
            let catalog_valid = ["NONE", "START", "END", "LEFT", "RIGHT"].contains(&t);
            if catalog_valid && !allowed.contains(&t) {
                problems.not_enum("#/truncate", t);
            }
        }
        if v4 && codec_support::get_str(&body, &["input_type"]) == Some("image") {
            problems.not_enum("#/input_type", "image");
        }
        if let Some(d) = codec_support::get_u64(&body, &["output_dimension"])
            && v4
            && !info.embedding_dimensions.iter().any(|x| u64::from(*x) == d)
        {
            problems.not_enum("#/output_dimension", d);
        }
        if codec_support::get(&body, &["embedding_types"])
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
        {
            problems.at(
                "#/embedding_types",
                "expected minimum item count: 1, found: 0",
            );
        }
        let sources: Vec<&str> = ["texts", "images", "inputs"]
            .into_iter()
            .filter(|k| present(k) && (v4 || *k != "inputs"))
            .collect();
        if sources.is_empty() {
            problems.missing("#", "images");
            if v4 {
                problems.missing("#", "inputs");
            }
            problems.missing("#", "texts");
        }
        let texts = codec_support::get_strs(&body, &["texts"]).unwrap_or_default();
        if !v4 {
            for (i, t) in texts.iter().enumerate() {
                problems.length(&format!("#/texts/{i}"), t, None, Some(V3_MAX_TEXT_CHARS));
            }
            let images = codec_support::get(&body, &["images"]).and_then(Value::as_array);
            if let Some(n) = images.map(Vec::len).filter(|n| *n > 1) {
                problems.at(
                    "#/images",
                    format!("expected maximum item count: 1, found: {n}"),
                );
            }
        }
        problems.check()?;
        if sources.len() > 1 {
            return Err(ServiceError::validation(
                "Invalid parameter combination. Please check and try again.",
            ));
        }

        let formats: &[ImageFormat] = if v4 {
            &[
                ImageFormat::Png,
                ImageFormat::Jpeg,
                ImageFormat::WebP,
                ImageFormat::Gif,
            ]
        } else {
            codec_support::PNG_JPEG
        };
        let mut items = Vec::new();
        let mut image_descriptions = Vec::new();
        match sources[0] {
            "texts" => {
                for t in &texts {
                    items.push(Item {
                        words: (*t).to_owned(),
                        tokens: count_tokens(t),
                    });
                }
            }
            "images" => {
                let uris = codec_support::get_strs(&body, &["images"]).unwrap_or_default();
                for (i, uri) in uris.iter().enumerate() {
                    let (item, description) =
                        Self::image_item(&format!("#/images/{i}"), uri, formats)?;
                    items.push(item);
                    image_descriptions.push(description);
                }
            }
            _ => {
                let inputs = codec_support::get(&body, &["inputs"])
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for (i, input) in inputs.iter().enumerate() {
                    let parts = input["content"].as_array().cloned().unwrap_or_default();
                    let mut words = Vec::new();
                    let mut tokens = 0;
                    for (j, part) in parts.iter().enumerate() {
                        if let Some(t) = part["text"].as_str() {
                            tokens += count_tokens(t);
                            words.push(t.to_owned());
                        }
                        if let Some(uri) = part["image_url"]["url"].as_str() {
                            let pointer = format!("#/inputs/{i}/content/{j}/image_url/url");
                            let (item, _) = Self::image_item(&pointer, uri, formats)?;
                            words.push(item.words);
                        }
                    }
                    items.push(Item {
                        words: words.join(" "),
                        tokens,
                    });
                }
            }
        }

        let limit = if v4 {
            codec_support::get_u64(&body, &["max_tokens"])
                .map(|m| m.min(u64::from(u32::MAX)) as u32)
                .or(info.context_window)
        } else {
            info.context_window
        }
        .unwrap_or(512);
        for item in &mut items {
            if item.tokens > limit {
                match truncation {
                    Some("NONE") => {
                        return Err(ServiceError::validation(
                            "Input is too long for requested model.",
                        ));
                    }
                    t => {
                        let from_start = matches!(t, Some("START" | "LEFT"));
                        item.words = truncate(&item.words, limit, from_start);
                    }
                }
            }
        }

        let dims = codec_support::get_u64(&body, &["output_dimension"])
            .map(|d| d as usize)
            .unwrap_or_else(|| {
                if v4 {
                    codec_support::default_dimension(
                        info,
                        FAMILY.request_spec(),
                        &["output_dimension"],
                    )
                } else {
                    info.embedding_dimensions
                        .first()
                        .map_or(1024, |d| *d as usize)
                }
            });
        let vectors: Vec<Vec<f32>> = items
            .iter()
            .map(|it| embed(&it.words, dims, true))
            .collect();
        let types = codec_support::get_strs(&body, &["embedding_types"]);
        let (embeddings, response_type) = match &types {
            Some(types) => {
                let mut by_type = Map::new();
                for t in types {
                    let arrays: Vec<Value> = vectors
                        .iter()
                        .map(|v| match *t {
                            "int8" => json!(codec_support::int8(v)),
                            "uint8" => json!(codec_support::uint8(v)),
                            "binary" => json!(codec_support::binary(v)),
                            "ubinary" => json!(codec_support::ubinary(v)),
                            _ => codec_support::floats_json(v),
                        })
                        .collect();
                    by_type.insert((*t).to_owned(), Value::Array(arrays));
                }
                (Value::Object(by_type), "embeddings_by_type")
            }
            None => (
                Value::Array(
                    vectors
                        .iter()
                        .map(|v| codec_support::floats_json(v))
                        .collect(),
                ),
                "embeddings_floats",
            ),
        };
        let mut response = json!({
            "id": codec_support::uuid(call.engine, call.body),
            "embeddings": embeddings,
            "response_type": response_type,
            "texts": texts,
        });
        if !image_descriptions.is_empty() {
            response["images"] = Value::Array(image_descriptions);
        }
        if sources[0] == "inputs" {
            response["inputs"] = body["inputs"].clone();
        }
        let tokens = items.iter().map(|i| i.tokens).sum::<u32>();
        Ok(InvokeOutput::json(&response, Some(Usage::new(tokens, 0))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cosine;
    use crate::families::media::codec_support::testing::*;

    const V3: &str = "cohere.embed-english-v3";
    const MULTI: &str = "cohere.embed-multilingual-v3";
    const V4: &str = "cohere.embed-v4:0";

    fn data_uri(b64: &str) -> String {
        format!("data:image/png;base64,{b64}")
    }

    #[test]
    fn documented_float_request_is_answered() {
        let body = json!({
            "texts": ["Hello from Cohere!", "Bonjour de Cohere!"],
            "input_type": "search_document",
            "truncate": "END",
        });
        let r = ok(&CohereEmbed, V3, &body);
        assert_valid_response(FAMILY, &r);
        assert_eq!(r["response_type"], "embeddings_floats");
        assert_eq!(
            r["texts"],
            json!(["Hello from Cohere!", "Bonjour de Cohere!"])
        );
        let e = r["embeddings"].as_array().unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(floats(&e[0]).len(), 1024);
        assert_eq!(r["id"].as_str().unwrap().len(), 36);
        let r2 = ok(&CohereEmbed, MULTI, &body);
        assert_valid_response(FAMILY, &r2);
    }

    #[test]
    fn embeddings_by_type() {
        let body = json!({
            "texts": ["one", "two"],
            "input_type": "search_query",
            "embedding_types": ["float", "int8", "uint8", "binary", "ubinary"],
        });
        let r = ok(&CohereEmbed, V3, &body);
        assert_valid_response(FAMILY, &r);
        assert_eq!(r["response_type"], "embeddings_by_type");
        let e = &r["embeddings"];
        assert_eq!(e["float"][1].as_array().unwrap().len(), 1024);
        let int8 = e["int8"][0].as_array().unwrap();
        assert_eq!(int8.len(), 1024);
        assert!(
            int8.iter()
                .all(|x| (-128..=127).contains(&x.as_i64().unwrap()))
        );
        assert!(
            e["uint8"][0]
                .as_array()
                .unwrap()
                .iter()
                .all(|x| (0..=255).contains(&x.as_i64().unwrap()))
        );
        assert_eq!(e["binary"][0].as_array().unwrap().len(), 128);
        assert_eq!(e["ubinary"][0].as_array().unwrap().len(), 128);
    }

    #[test]
    fn queries_match_their_documents() {
        let body = json!({
            "texts": [
                "The Eiffel Tower is in Paris",
                "Photosynthesis converts light into chemical energy",
            ],
            "input_type": "search_document",
        });
        let docs = ok(&CohereEmbed, V3, &body);
        let q = ok(
            &CohereEmbed,
            V3,
            &json!({"texts": ["Where is the Eiffel Tower"], "input_type": "search_query"}),
        );
        let q = floats(&q["embeddings"][0]);
        let d0 = floats(&docs["embeddings"][0]);
        let d1 = floats(&docs["embeddings"][1]);
        assert!(cosine(&q, &d0) > cosine(&q, &d1) + 0.3);
    }

    #[test]
    fn images_and_v4_inputs() {
        let body = json!({"images": [data_uri(&png_b64(40, 30))], "input_type": "image"});
        let r = ok(&CohereEmbed, V3, &body);
        assert_valid_response(FAMILY, &r);
        assert_eq!(r["texts"], json!([]));
        assert_eq!(
            r["images"],
            json!([{"width": 40, "height": 30, "format": "png", "bit_depth": 24}])
        );
        let body = json!({
            "input_type": "search_document",
            "inputs": [{"content": [
                {"type": "text", "text": "A scan of page one"},
                {"type": "image_url", "image_url": {"url": data_uri(&png_b64(16, 16))}},
            ]}],
            "output_dimension": 512,
            "embedding_types": ["float"],
        });
        let r = ok(&CohereEmbed, V4, &body);
        assert_valid_response(FAMILY, &r);
        assert_eq!(r["embeddings"]["float"][0].as_array().unwrap().len(), 512);
        assert_eq!(r["inputs"], body["inputs"]);
        // v4 default dimension is 1536.
        let r = ok(
            &CohereEmbed,
            V4,
            &json!({"texts": ["x"], "input_type": "clustering"}),
        );
        assert_eq!(r["embeddings"][0].as_array().unwrap().len(), 1536);
    }

    #[test]
    fn schema_and_model_problems_are_named() {
        // A Titan body sent to Cohere (promptfoo issue #921).
        let m = rejected(&CohereEmbed, V3, &json!({"inputText": "hi"}));
        assert!(m.contains("#: required key [input_type] not found"), "{m}");
        assert!(m.contains("#: required key [texts] not found"), "{m}");
        assert!(
            m.contains("#: extraneous key [inputText] is not permitted"),
            "{m}"
        );
        let m = rejected(
            &CohereEmbed,
            V3,
            &json!({"texts": ["x"], "input_type": "search_query", "bogus": 1}),
        );
        assert!(
            m.contains("#: extraneous key [bogus] is not permitted"),
            "{m}"
        );
        // 97 texts.
        let many: Vec<String> = (0..97).map(|i| format!("t{i}")).collect();
        let m = rejected(
            &CohereEmbed,
            V3,
            &json!({"texts": many, "input_type": "clustering"}),
        );
        assert!(
            m.contains("#/texts: expected maximum item count: 96, found: 97"),
            "{m}"
        );
        // A text over 2048 characters (v3).
        let m = rejected(
            &CohereEmbed,
            V3,
            &json!({"texts": ["a", "b".repeat(2459)], "input_type": "clustering"}),
        );
        assert!(
            m.contains("#/texts/1: expected maxLength: 2048, actual: 2459"),
            "{m}"
        );
        // v4-only parameters and dimensions.
        let m = rejected(
            &CohereEmbed,
            V3,
            &json!({"texts": ["x"], "input_type": "clustering", "output_dimension": 512}),
        );
        assert!(
            m.contains("#: extraneous key [output_dimension] is not permitted"),
            "{m}"
        );
        let m = rejected(
            &CohereEmbed,
            V4,
            &json!({"texts": ["x"], "input_type": "clustering", "output_dimension": 768}),
        );
        assert!(
            m.contains("#/output_dimension: 768 is not a valid enum value"),
            "{m}"
        );
        let m = rejected(
            &CohereEmbed,
            V4,
            &json!({"texts": ["x"], "input_type": "clustering", "truncate": "END"}),
        );
        assert!(
            m.contains("#/truncate: END is not a valid enum value"),
            "{m}"
        );
        let m = rejected(
            &CohereEmbed,
            V3,
            &json!({"texts": ["x"], "input_type": "clustering", "embedding_types": ["int4"]}),
        );
        assert!(
            m.contains("#/embedding_types/0: int4 is not a valid enum value"),
            "{m}"
        );
        // Texts and images together.
        let body = json!({
            "texts": ["x"],
            "images": [data_uri(&png_b64(8, 8))],
            "input_type": "search_document",
        });
        let m = rejected(&CohereEmbed, V3, &body);
        assert_eq!(
            m,
            "Invalid parameter combination. Please check and try again."
        );
        // More than one image on v3, and an image that is not a data URI.
        let two = json!({"images": [data_uri(&png_b64(8, 8)), data_uri(&png_b64(8, 8))], "input_type": "image"});
        let m = rejected(&CohereEmbed, V3, &two);
        assert!(
            m.contains("#/images: expected maximum item count: 1, found: 2"),
            "{m}"
        );
        let m = rejected(
            &CohereEmbed,
            V3,
            &json!({"images": [png_b64(8, 8)], "input_type": "image"}),
        );
        assert!(m.contains("data URI"), "{m}");
    }

    #[test]
    fn over_long_inputs_truncate_unless_none() {
        let long = "w ".repeat(600);
        let body = json!({"texts": [long.clone()], "input_type": "search_document"});
        let r = ok(&CohereEmbed, V3, &body);
        assert_valid_response(FAMILY, &r);
        let body = json!({"texts": [long], "input_type": "search_document", "truncate": "NONE"});
        let m = rejected(&CohereEmbed, V3, &body);
        assert_eq!(m, "Input is too long for requested model.");
        assert_eq!(truncate("a b c d", 2, false), "a b");
        assert_eq!(truncate("a b c d", 2, true), "c d");
    }

    #[test]
    fn usage_and_streaming() {
        let out = invoke(
            &CohereEmbed,
            V3,
            &json!({"texts": ["one two", "three"], "input_type": "clustering"}),
        )
        .unwrap();
        assert_eq!(out.usage, Some(Usage::new(3, 0)));
        stream_rejected(
            &CohereEmbed,
            V3,
            &json!({"texts": ["x"], "input_type": "clustering"}),
        );
    }
}
