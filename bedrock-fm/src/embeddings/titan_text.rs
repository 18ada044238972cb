//! Amazon Titan Text Embeddings: G1 - Text (`amazon.titan-embed-text-v1`) and V2
//! (`amazon.titan-embed-text-v2:0`).
//!
//! Native format, from
//! <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html>:
//! one text per request, `{"inputText": string}` for G1, plus `dimensions` (1024, 512, 256),
//! `normalize` and `embeddingTypes` (`float`, `binary`) for V2. Limits, from
//! <https://docs.aws.amazon.com/bedrock/latest/userguide/titan-embedding-models.html>: 8,192
//! tokens or 50,000 characters.

use super::batch::{EmbedBackend, EmbedSettings, Prepared, embed_methods, itself};
use super::input::{EmbedInput, InputType, Truncation, prepare_text};
use super::model::{ModelFor, ModelId, bad_response, check_dimension, model_parts, resolve_id};
use super::vector::{Embedding, EmbeddingType};
use crate::bodies::titan_embed_text::{TitanEmbedRequest, TitanEmbedResponse, TitanEmbedType};
use crate::catalog::{Family, Model};
use crate::client::Client;
use crate::error::{Error, Result};

const FAMILY: Family = Family::TitanEmbedText;

/// The longest `inputText`, in characters (documented for V2; G1 shares its 8,192-token
/// window and gets the same cap).
pub const MAX_INPUT_CHARS: usize = 50_000;

/// Amazon Titan Text Embeddings (G1 - Text and V2). Build one with [`TitanEmbed::builder`].
///
/// ```no_run
/// # async fn run(client: bedrock_fm::Client) -> bedrock_fm::Result<()> {
/// use bedrock_fm::catalog::TitanEmbedModel;
/// use bedrock_fm::embeddings::TitanEmbed;
///
/// // The family's model enum: another family's model does not compile here.
/// let titan = TitanEmbed::builder(&client, TitanEmbedModel::AmazonTitanEmbedTextV2_0)
///     .dimensions(512)
///     .build()?;
/// let docs = titan.generate_for_documents(["Rust is fast", "Paris is in France"]).await?;
/// let query = titan.generate_for_query("Which language is fast?").await?;
/// assert_eq!(query.dimension(), 512);
/// # let _ = docs; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct TitanEmbed {
    client: Client,
    model_id: String,
    model: Option<Model>,
    dimensions: Option<u32>,
    normalize: Option<bool>,
    embedding_types: Option<Vec<EmbeddingType>>,
    truncation: Option<Truncation>,
}

/// Builder of [`TitanEmbed`]; setters never fail, [`TitanEmbedBuilder::build`] checks.
#[derive(Debug, Clone)]
#[must_use = "builders do nothing until `build()`"]
pub struct TitanEmbedBuilder {
    client: Client,
    model: ModelId,
    dimensions: Option<u32>,
    normalize: Option<bool>,
    embedding_types: Option<Vec<EmbeddingType>>,
    truncation: Option<Truncation>,
}

impl TitanEmbed {
    /// A builder for `model`: a Titan Text Embeddings model, its inference profile, or an ARN.
    pub fn builder(client: &Client, model: impl ModelFor<Self>) -> TitanEmbedBuilder {
        TitanEmbedBuilder {
            client: client.clone(),
            model: model.into_model_id(),
            dimensions: None,
            normalize: None,
            embedding_types: None,
            truncation: None,
        }
    }

    /// The catalog model, unless built from an ARN.
    pub fn model(&self) -> Option<Model> {
        self.model
    }

    /// The length of the float vectors this wrapper returns (the catalog default when not
    /// set; `None` for an ARN without `dimensions`).
    pub fn dimension(&self) -> Option<u32> {
        self.dimensions.or_else(|| {
            self.model
                .and_then(|m| m.info().embedding_dimensions.first().copied())
        })
    }

    embed_methods!(itself);
}

impl TitanEmbedBuilder {
    /// V2: the vector length, one the model offers (1024, 512, 256; default 1024).
    pub fn dimensions(mut self, n: u32) -> Self {
        self.dimensions = Some(n);
        self
    }

    /// V2: whether vectors are normalized to unit length (default true).
    pub fn normalize(mut self, normalize: bool) -> Self {
        self.normalize = Some(normalize);
        self
    }

    /// V2: the vector types to return, `Float` and/or `Binary` (default float only). Binary
    /// vectors come back as [`Embedding::bits`], one 0/1 value per dimension.
    pub fn embedding_types(mut self, types: impl IntoIterator<Item = EmbeddingType>) -> Self {
        self.embedding_types = Some(types.into_iter().collect());
        self
    }

    /// What to do with a text over 50,000 characters or 8,192 tokens (default: an error).
    /// Texts are cut by characters before sending, and again in proportion to the service's
    /// token count if it reports too many tokens.
    pub fn truncation(mut self, truncation: Truncation) -> Self {
        self.truncation = Some(truncation);
        self
    }

    /// Checks the model (a Titan Text Embeddings model), the dimensions against the catalog,
    /// and the V2-only parameters, and builds.
    pub fn build(self) -> Result<TitanEmbed> {
        let (id, model) = resolve_id(&self.client, FAMILY, &self.model)?;
        // A model with a choice of dimensions in the catalog is V2; G1 takes only inputText.
        let v1 = model.is_some_and(|m| m.info().embedding_dimensions.len() == 1);
        let mut dimensions = self.dimensions;
        if let Some(d) = dimensions {
            check_dimension(model, "dimensions", d)?;
            if v1 {
                // G1's only dimension: nothing to send.
                dimensions = None;
            }
        }
        if v1 {
            let v2_only = [
                ("normalize", self.normalize.is_some()),
                ("embedding_types", self.embedding_types.is_some()),
            ];
            if let Some((setter, _)) = v2_only.iter().find(|(_, set)| *set) {
                return Err(Error::invalid(
                    *setter,
                    format!(
                        "{id} (Titan Embeddings G1 - Text) takes only the text; `{setter}` is V2 only"
                    ),
                ));
            }
        }
        if let Some(types) = &self.embedding_types {
            if types.is_empty() {
                return Err(Error::invalid("embedding_types", "no type given"));
            }
            if let Some(t) = types
                .iter()
                .find(|t| !matches!(t, EmbeddingType::Float | EmbeddingType::Binary))
            {
                return Err(Error::invalid(
                    "embedding_types",
                    format!("Titan Text Embeddings V2 returns float and binary vectors, not {t}"),
                ));
            }
        }
        Ok(TitanEmbed {
            client: self.client,
            model_id: id,
            model,
            dimensions,
            normalize: self.normalize,
            embedding_types: self.embedding_types,
            truncation: self.truncation,
        })
    }
}

model_parts!(TitanEmbed, FAMILY);

impl EmbedBackend for TitanEmbed {
    type Request = TitanEmbedRequest;

    fn from_settings(client: &Client, model: ModelId, settings: &EmbedSettings) -> Result<Self> {
        let mut b = TitanEmbed::builder(client, model);
        b.dimensions = settings.dimensions;
        b.truncation = settings.truncation;
        b.embedding_types = settings.embedding_types.clone();
        b.build()
    }

    fn truncation(&self) -> Option<Truncation> {
        self.truncation
    }

    fn prepare(&self, location: &str, input: &EmbedInput) -> Result<Prepared> {
        if input.image.is_some() {
            return Err(Error::invalid(
                location,
                "Titan Text Embeddings embeds text only; use TitanMultimodalEmbed for images",
            ));
        }
        let Some(text) = &input.text else {
            return Err(Error::invalid(location, "no text given"));
        };
        let truncation = self.truncation.unwrap_or_default();
        let (text, truncated) = prepare_text(location, text, Some(MAX_INPUT_CHARS), truncation)?;
        Ok(Prepared {
            text: Some(text),
            image: None,
            truncated,
        })
    }

    fn batch_limit(&self, _: &Prepared) -> usize {
        1
    }

    fn body(&self, items: &[&Prepared], _: InputType) -> Result<TitanEmbedRequest> {
        Ok(TitanEmbedRequest {
            input_text: items[0].text.clone().unwrap_or_default(),
            dimensions: self.dimensions,
            normalize: self.normalize,
            embedding_types: self.embedding_types.as_ref().map(|types| {
                types
                    .iter()
                    .map(|t| TitanEmbedType::from(t.as_str()))
                    .collect()
            }),
            ..TitanEmbedRequest::default()
        })
    }

    fn decode(
        &self,
        r: &TitanEmbedResponse,
        request_id: Option<&str>,
        _: usize,
    ) -> Result<(Vec<Embedding>, Option<u32>)> {
        let by_type = r.embeddings_by_type.as_ref();
        let float = by_type
            .and_then(|b| b.float.as_ref())
            .or(r.embedding.as_ref())
            .map(|v| v.iter().map(|&x| x as f32).collect());
        let bits = by_type
            .and_then(|b| b.binary.as_ref())
            .map(|v| v.iter().map(|&x| u8::from(x != 0)).collect());
        if float.is_none() && bits.is_none() {
            return Err(bad_response(
                "the response has no embedding",
                request_id.map(str::to_owned),
            ));
        }
        let embedding = Embedding {
            float,
            bits,
            ..Embedding::default()
        };
        Ok((vec![embedding], Some(r.input_text_token_count)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embeddings::model::test_client as client;
    use serde_json::json;

    #[test]
    fn dimensions_come_from_the_catalog() {
        let c = client();
        let e = TitanEmbed::builder(&c, Model::AmazonTitanEmbedTextV2_0)
            .dimensions(768)
            .build()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "InvalidInput: dimensions: 768 is not a dimension amazon.titan-embed-text-v2:0 offers; it offers 1024, 512, 256"
        );
        let ok = TitanEmbed::builder(&c, Model::AmazonTitanEmbedTextV2_0)
            .dimensions(256)
            .build()
            .unwrap();
        assert_eq!(ok.dimension(), Some(256));
        let g1 = TitanEmbed::builder(&c, "amazon.titan-embed-text-v1")
            .dimensions(1536)
            .build()
            .unwrap();
        assert_eq!(g1.dimensions, None);
        assert_eq!(g1.dimension(), Some(1536));
    }

    #[test]
    fn v2_only_parameters_are_refused_for_g1() {
        let c = client();
        let e = TitanEmbed::builder(&c, "amazon.titan-embed-text-v1")
            .normalize(false)
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("`normalize` is V2 only"), "{e}");
        let e = TitanEmbed::builder(&c, Model::AmazonTitanEmbedTextV2_0)
            .embedding_types([EmbeddingType::Int8])
            .build()
            .unwrap_err();
        assert!(
            e.to_string().starts_with("InvalidInput: embedding_types:"),
            "{e}"
        );
        let e = TitanEmbed::builder(&c, "cohere.embed-english-v3")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("wrapper `CohereEmbed`"), "{e}");
    }

    #[test]
    fn the_body_has_the_documented_names() {
        let titan = TitanEmbed::builder(&client(), Model::AmazonTitanEmbedTextV2_0)
            .dimensions(512)
            .normalize(true)
            .embedding_types([EmbeddingType::Float, EmbeddingType::Binary])
            .build()
            .unwrap();
        let p = titan.prepare("input", &EmbedInput::text("hello")).unwrap();
        let body = titan.body(&[&p], InputType::Query).unwrap();
        assert_eq!(
            serde_json::to_value(body).unwrap(),
            json!({"inputText": "hello", "dimensions": 512, "normalize": true,
                   "embeddingTypes": ["float", "binary"]})
        );
    }
}
