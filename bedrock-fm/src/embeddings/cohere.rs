//! Cohere Embed: English and Multilingual v3 (`cohere.embed-english-v3`,
//! `cohere.embed-multilingual-v3`) and Embed v4 (`cohere.embed-v4:0`).
//!
//! Native format:
//! - v3, <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed-v3.html>:
//!   `{"input_type", "texts": [...], "images": [data URI], "truncate": "NONE|START|END",
//!   "embedding_types": [...]}`; up to 96 texts per call of up to 2,048 characters each, or one
//!   image (JPEG or PNG, 5 MB) with `input_type` `image`.
//! - v4, <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed-v4.html>:
//!   also `output_dimension` (256, 512, 1024, 1536), `max_tokens`, and `truncate`
//!   `NONE|LEFT|RIGHT`; up to 96 texts or images per call; about 128,000 tokens per input.
//!
//! Responses: `embeddings` is an array of float vectors (`embeddings_floats`), or with
//! `embedding_types` an object of vector arrays keyed by type (`embeddings_by_type`).

use super::batch::{EmbedBackend, EmbedSettings, Prepared, embed_methods, itself};
use super::input::{EmbedInput, InputType, Truncation, prepare_text};
use super::model::{ModelFor, ModelId, bad_response, check_dimension, model_parts, resolve_id};
use super::vector::{Embedding, EmbeddingType};
use crate::bodies::cohere_embed::{
    CohereEmbedInputType, CohereEmbedRequest, CohereEmbedResponse, CohereEmbedTruncate,
    CohereEmbedType,
};
use crate::catalog::{Family, Model};
use crate::client::Client;
use crate::error::{Error, Result};
use image::ImageFormat;
use serde_json::Value;

const FAMILY: Family = Family::CohereEmbed;

/// Texts per request (v3 and v4).
pub const MAX_TEXTS_PER_REQUEST: usize = 96;
/// The longest v3 text, in characters.
pub const V3_MAX_TEXT_CHARS: usize = 2048;
/// The largest input image, in bytes.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

/// Cohere Embed v3 (English, Multilingual) and v4. Build one with [`CohereEmbed::builder`].
///
/// ```no_run
/// # async fn run(client: bedrock_fm::Client) -> bedrock_fm::Result<()> {
/// use bedrock_fm::catalog::Model;
/// use bedrock_fm::embeddings::{CohereEmbed, EmbeddingType, Truncation};
///
/// let cohere = CohereEmbed::builder(&client, Model::CohereEmbedEnglishV3)
///     .embedding_types([EmbeddingType::Float, EmbeddingType::Int8])
///     .truncation(Truncation::End)
///     .build()?;
/// let docs = cohere.generate_for_documents(["first passage", "second passage"]).await?;
/// assert!(docs[0].int8.is_some());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct CohereEmbed {
    client: Client,
    model_id: String,
    model: Option<Model>,
    /// `Some(true)` for v4, `Some(false)` for v3, `None` for an ARN.
    v4: Option<bool>,
    embedding_types: Option<Vec<EmbeddingType>>,
    truncation: Option<Truncation>,
    output_dimension: Option<u32>,
    max_tokens: Option<u32>,
}

/// Builder of [`CohereEmbed`]; setters never fail, `build()` checks.
#[derive(Debug, Clone)]
#[must_use = "builders do nothing until `build()`"]
pub struct CohereEmbedBuilder {
    client: Client,
    model: ModelId,
    embedding_types: Option<Vec<EmbeddingType>>,
    truncation: Option<Truncation>,
    output_dimension: Option<u32>,
    max_tokens: Option<u32>,
}

impl CohereEmbed {
    /// A builder for `model`: a Cohere Embed model, its inference profile, or an ARN.
    pub fn builder(client: &Client, model: impl ModelFor<Self>) -> CohereEmbedBuilder {
        CohereEmbedBuilder {
            client: client.clone(),
            model: model.into_model_id(),
            embedding_types: None,
            truncation: None,
            output_dimension: None,
            max_tokens: None,
        }
    }

    /// The catalog model, unless built from an ARN.
    pub fn model(&self) -> Option<Model> {
        self.model
    }

    embed_methods!(itself);
}

impl CohereEmbedBuilder {
    /// The vector types to return: any of float, int8, uint8, binary, ubinary (default:
    /// float only, in the `embeddings_floats` shape).
    pub fn embedding_types(mut self, types: impl IntoIterator<Item = EmbeddingType>) -> Self {
        self.embedding_types = Some(types.into_iter().collect());
        self
    }

    /// What to do with an input over the model's limit. Sent as `truncate` (v3 `NONE`, `END`,
    /// `START`; v4 `NONE`, `RIGHT`, `LEFT`) so that the service cuts by tokens; v3 texts over
    /// 2,048 characters are also cut (or refused) before sending. Unset: v3 texts over 2,048
    /// characters fail before any request, and `truncate` is not sent.
    pub fn truncation(mut self, truncation: Truncation) -> Self {
        self.truncation = Some(truncation);
        self
    }

    /// v4: the vector length, 256, 512, 1024 or 1536 (default 1536; `output_dimension`).
    pub fn output_dimension(mut self, n: u32) -> Self {
        self.output_dimension = Some(n);
        self
    }

    /// Same as [`Self::output_dimension`].
    pub fn dimensions(self, n: u32) -> Self {
        self.output_dimension(n)
    }

    /// v4: the truncation budget per input, in tokens (`max_tokens`).
    pub fn max_tokens(mut self, n: u32) -> Self {
        self.max_tokens = Some(n);
        self
    }

    /// Checks the model, the dimension against the catalog, the v4-only parameters, and
    /// builds.
    pub fn build(self) -> Result<CohereEmbed> {
        let (id, model) = resolve_id(&self.client, FAMILY, &self.model)?;
        // A model with a choice of dimensions in the catalog is v4.
        let v4 = model.map(|m| m.info().embedding_dimensions.len() > 1);
        let mut output_dimension = self.output_dimension;
        if let Some(d) = output_dimension {
            check_dimension(model, "output_dimension", d)?;
            if v4 == Some(false) {
                // v3's only dimension: nothing to send (v3 has no output_dimension).
                output_dimension = None;
            }
        }
        if v4 == Some(false) && self.max_tokens.is_some() {
            return Err(Error::invalid(
                "max_tokens",
                format!("{id} is Cohere Embed v3; `max_tokens` is Embed v4 only"),
            ));
        }
        if self.max_tokens == Some(0) {
            return Err(Error::invalid("max_tokens", "must be at least 1"));
        }
        if self.embedding_types.as_ref().is_some_and(Vec::is_empty) {
            return Err(Error::invalid("embedding_types", "no type given"));
        }
        Ok(CohereEmbed {
            client: self.client,
            model_id: id,
            model,
            v4,
            embedding_types: self.embedding_types,
            truncation: self.truncation,
            output_dimension,
            max_tokens: self.max_tokens,
        })
    }
}

impl CohereEmbed {
    fn is_v4(&self) -> bool {
        self.v4.unwrap_or(false)
    }

    fn truncate_wire(&self) -> Option<&'static str> {
        let v4 = self.is_v4();
        self.truncation.map(|t| match (t, v4) {
            (Truncation::None, _) => "NONE",
            (Truncation::End, false) => "END",
            (Truncation::Start, false) => "START",
            (Truncation::End, true) => "RIGHT",
            (Truncation::Start, true) => "LEFT",
        })
    }
}

model_parts!(CohereEmbed, FAMILY);

impl EmbedBackend for CohereEmbed {
    type Request = CohereEmbedRequest;

    fn from_settings(client: &Client, model: ModelId, settings: &EmbedSettings) -> Result<Self> {
        let mut b = CohereEmbed::builder(client, model);
        b.output_dimension = settings.dimensions;
        b.truncation = settings.truncation;
        b.embedding_types = settings.embedding_types.clone();
        b.build()
    }

    fn truncation(&self) -> Option<Truncation> {
        // The service truncates by tokens itself (`truncate`): nothing to retry.
        None
    }

    fn prepare(&self, location: &str, input: &EmbedInput) -> Result<Prepared> {
        match (&input.text, &input.image) {
            (Some(_), Some(_)) => Err(Error::invalid(
                location,
                "Cohere Embed embeds a text or an image per input, not both",
            )),
            (None, None) => Err(Error::invalid(
                location,
                "neither a text nor an image given",
            )),
            (Some(text), None) => {
                let limit = (self.v4 == Some(false)).then_some(V3_MAX_TEXT_CHARS);
                let truncation = self.truncation.unwrap_or_default();
                let (text, truncated) = prepare_text(location, text, limit, truncation)?;
                Ok(Prepared {
                    text: Some(text),
                    image: None,
                    truncated,
                })
            }
            (None, Some(img)) => {
                let at = format!("{location}.image");
                let formats: &[ImageFormat] = if self.is_v4() {
                    &[
                        ImageFormat::Png,
                        ImageFormat::Jpeg,
                        ImageFormat::WebP,
                        ImageFormat::Gif,
                    ]
                } else {
                    &[ImageFormat::Png, ImageFormat::Jpeg]
                };
                let e = img.encode(&at, formats)?;
                if e.bytes.len() > MAX_IMAGE_BYTES {
                    return Err(Error::invalid(
                        at,
                        format!(
                            "the image has {} bytes; Cohere Embed accepts at most 5 MB",
                            e.bytes.len()
                        ),
                    ));
                }
                Ok(Prepared {
                    text: None,
                    image: Some(e),
                    truncated: false,
                })
            }
        }
    }

    fn batch_limit(&self, p: &Prepared) -> usize {
        match (&p.image, self.v4) {
            // v3 embeds one image per call.
            (Some(_), Some(false)) | (Some(_), None) => 1,
            _ => MAX_TEXTS_PER_REQUEST,
        }
    }

    fn body(&self, items: &[&Prepared], input_type: InputType) -> Result<CohereEmbedRequest> {
        let images = items[0].image.is_some();
        let wire_type = if images && !self.is_v4() {
            "image"
        } else {
            input_type.as_str()
        };
        let (texts, images) = if images {
            let uris = items
                .iter()
                .filter_map(|p| p.image.as_ref().map(|i| i.data_uri()))
                .collect();
            (None, Some(uris))
        } else {
            let texts = items.iter().filter_map(|p| p.text.clone()).collect();
            (Some(texts), None)
        };
        Ok(CohereEmbedRequest {
            input_type: CohereEmbedInputType::from(wire_type),
            texts,
            images,
            truncate: self.truncate_wire().map(CohereEmbedTruncate::from),
            embedding_types: self.embedding_types.as_ref().map(|types| {
                types
                    .iter()
                    .map(|t| CohereEmbedType::from(t.as_str()))
                    .collect()
            }),
            output_dimension: self.output_dimension,
            max_tokens: self.max_tokens,
            // Embed v4's interleaved inputs: not used by this wrapper yet.
            inputs: None,
            extra: serde_json::Map::new(),
        })
    }

    fn decode(
        &self,
        r: &CohereEmbedResponse,
        request_id: Option<&str>,
        n: usize,
    ) -> Result<(Vec<Embedding>, Option<u32>)> {
        let bad = |what: String| bad_response(what, request_id.map(str::to_owned));
        let mut out = vec![Embedding::default(); n];
        match &r.embeddings {
            Value::Array(vectors) => {
                fill(&mut out, vectors, |e, v| e.float = Some(floats(v)), n).map_err(bad)?;
            }
            Value::Object(by_type) => {
                for (key, vectors) in by_type {
                    let Some(vectors) = vectors.as_array() else {
                        return Err(bad(format!("embeddings.{key} is not an array")));
                    };
                    match key.as_str() {
                        "float" => fill(&mut out, vectors, |e, v| e.float = Some(floats(v)), n),
                        "int8" => fill(&mut out, vectors, |e, v| e.int8 = Some(ints(v)), n),
                        "uint8" => fill(&mut out, vectors, |e, v| e.uint8 = Some(ints(v)), n),
                        "binary" => fill(&mut out, vectors, |e, v| e.binary = Some(ints(v)), n),
                        "ubinary" => fill(&mut out, vectors, |e, v| e.ubinary = Some(ints(v)), n),
                        // A type this version does not know: ignored.
                        _ => Ok(()),
                    }
                    .map_err(bad)?;
                }
            }
            other => {
                return Err(bad(format!(
                    "embeddings is neither an array nor an object: {other}"
                )));
            }
        }
        if out.iter().any(|e| e.dimension() == 0) {
            return Err(bad("the response has no vector for some inputs".to_owned()));
        }
        Ok((out, None))
    }
}

fn fill(
    out: &mut [Embedding],
    vectors: &[Value],
    set: impl Fn(&mut Embedding, &[Value]),
    n: usize,
) -> std::result::Result<(), String> {
    if vectors.len() != n {
        return Err(format!(
            "the response has {} vectors for {n} inputs",
            vectors.len()
        ));
    }
    for (e, v) in out.iter_mut().zip(vectors) {
        let Some(items) = v.as_array() else {
            return Err("a vector is not an array".to_owned());
        };
        set(e, items);
    }
    Ok(())
}

fn floats(v: &[Value]) -> Vec<f32> {
    v.iter()
        .map(|x| x.as_f64().unwrap_or_default() as f32)
        .collect()
}

fn ints<T: TryFrom<i64> + Default>(v: &[Value]) -> Vec<T> {
    v.iter()
        .map(|x| {
            x.as_i64()
                .and_then(|i| T::try_from(i).ok())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embeddings::model::test_client as client;
    use serde_json::json;

    #[test]
    fn v4_only_parameters_and_dimensions() {
        let c = client();
        let e = CohereEmbed::builder(&c, Model::CohereEmbedEnglishV3)
            .output_dimension(512)
            .build()
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("InvalidInput: output_dimension: 512 is not a dimension"),
            "{e}"
        );
        let e = CohereEmbed::builder(&c, Model::CohereEmbedEnglishV3)
            .max_tokens(100)
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("Embed v4 only"), "{e}");
        let v4 = CohereEmbed::builder(&c, Model::CohereEmbedV4_0)
            .output_dimension(512)
            .truncation(Truncation::End)
            .build()
            .unwrap();
        let p = v4.prepare("input", &EmbedInput::text("hi")).unwrap();
        let body = v4.body(&[&p], InputType::Query).unwrap();
        assert_eq!(
            serde_json::to_value(body).unwrap(),
            json!({"input_type": "search_query", "texts": ["hi"], "truncate": "RIGHT",
                   "output_dimension": 512})
        );
    }

    #[test]
    fn both_response_shapes_decode() {
        let c = client();
        let cohere = CohereEmbed::builder(&c, Model::CohereEmbedEnglishV3)
            .build()
            .unwrap();
        let invoked = |value: Value| serde_json::from_value::<CohereEmbedResponse>(value).unwrap();
        let floats = invoked(json!({
            "id": "x", "response_type": "embeddings_floats", "texts": ["a", "b"],
            "embeddings": [[0.5, -0.5], [1.0, 0.0]]
        }));
        let (out, _) = cohere.decode(&floats, Some("r"), 2).unwrap();
        assert_eq!(out[1].float(), Some(&[1.0f32, 0.0][..]));
        let by_type = invoked(json!({
            "id": "x", "response_type": "embeddings_by_type", "texts": ["a"],
            "embeddings": {"int8": [[-3, 7]], "ubinary": [[255]]}
        }));
        let (out, _) = cohere.decode(&by_type, Some("r"), 1).unwrap();
        assert_eq!(out[0].int8, Some(vec![-3, 7]));
        assert_eq!(out[0].ubinary, Some(vec![255]));
        assert!(cohere.decode(&floats, Some("r"), 3).is_err());
    }
}
