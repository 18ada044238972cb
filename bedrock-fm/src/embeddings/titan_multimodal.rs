//! Amazon Titan Multimodal Embeddings G1 (`amazon.titan-embed-image-v1`): text, an image, or
//! both (one vector averaging the two), in one space.
//!
//! Native format, from
//! <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-mm.html>:
//! `{"inputText": string, "inputImage": base64, "embeddingConfig": {"outputEmbeddingLength":
//! 256 | 384 | 1024}}`, at least one of the inputs. Limits, from
//! <https://docs.aws.amazon.com/bedrock/latest/userguide/titan-multiemb-models.html>: 256 text
//! tokens, images up to 25 MB and 2048 x 2048 pixels.

use super::batch::{EmbedBackend, EmbedSettings, Prepared, embed_methods, itself};
use super::input::{EmbedInput, InputType, Truncation, prepare_text};
use super::model::{ModelFor, ModelId, bad_response, check_dimension, model_parts, resolve_id};
use super::vector::{Embedding, EmbeddingType};
use crate::bodies::titan_embed_image::{
    TitanMultimodalEmbedConfig, TitanMultimodalEmbedRequest, TitanMultimodalEmbedResponse,
};
use crate::catalog::{Family, Model};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::images::ImageInput;
use crate::images::input::PNG_JPEG;

const FAMILY: Family = Family::TitanEmbedImage;

/// The largest input image, in bytes.
pub const MAX_IMAGE_BYTES: usize = 25 * 1024 * 1024;
/// The largest input image side, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 2048;

/// Amazon Titan Multimodal Embeddings G1: texts and images in one vector space. Build one
/// with [`TitanMultimodalEmbed::builder`].
#[derive(Debug, Clone)]
pub struct TitanMultimodalEmbed {
    client: Client,
    model_id: String,
    model: Option<Model>,
    output_embedding_length: Option<u32>,
    truncation: Option<Truncation>,
}

/// Builder of [`TitanMultimodalEmbed`]; setters never fail, `build()` checks.
#[derive(Debug, Clone)]
#[must_use = "builders do nothing until `build()`"]
pub struct TitanMultimodalEmbedBuilder {
    client: Client,
    model: ModelId,
    output_embedding_length: Option<u32>,
    truncation: Option<Truncation>,
}

impl TitanMultimodalEmbed {
    /// A builder for `model`: a Titan Multimodal Embeddings model or an ARN.
    pub fn builder(client: &Client, model: impl ModelFor<Self>) -> TitanMultimodalEmbedBuilder {
        TitanMultimodalEmbedBuilder {
            client: client.clone(),
            model: model.into_model_id(),
            output_embedding_length: None,
            truncation: None,
        }
    }

    /// The catalog model, unless built from an ARN.
    pub fn model(&self) -> Option<Model> {
        self.model
    }

    /// Embeds one image.
    pub async fn generate_for_image(&self, image: impl Into<ImageInput>) -> Result<Embedding> {
        let mut d = self
            .generate([EmbedInput::image(image)], InputType::Document)
            .await?;
        Ok(d.embeddings.remove(0))
    }

    embed_methods!(itself);
}

impl TitanMultimodalEmbedBuilder {
    /// The vector length: 1024 (the default), 384 or 256 (`outputEmbeddingLength`).
    pub fn output_embedding_length(mut self, n: u32) -> Self {
        self.output_embedding_length = Some(n);
        self
    }

    /// Same as [`Self::output_embedding_length`].
    pub fn dimensions(self, n: u32) -> Self {
        self.output_embedding_length(n)
    }

    /// What to do with a text over the model's 256 tokens (default: the service's error).
    /// With `End` or `Start`, the text is cut in proportion to the service's token count and
    /// sent again.
    pub fn truncation(mut self, truncation: Truncation) -> Self {
        self.truncation = Some(truncation);
        self
    }

    /// Checks the model and the length against the catalog, and builds.
    pub fn build(self) -> Result<TitanMultimodalEmbed> {
        let (id, model) = resolve_id(&self.client, FAMILY, &self.model)?;
        if let Some(n) = self.output_embedding_length {
            check_dimension(model, "output_embedding_length", n)?;
        }
        Ok(TitanMultimodalEmbed {
            client: self.client,
            model_id: id,
            model,
            output_embedding_length: self.output_embedding_length,
            truncation: self.truncation,
        })
    }
}

model_parts!(TitanMultimodalEmbed, FAMILY);

impl EmbedBackend for TitanMultimodalEmbed {
    type Request = TitanMultimodalEmbedRequest;

    fn from_settings(client: &Client, model: ModelId, settings: &EmbedSettings) -> Result<Self> {
        if let Some(types) = &settings.embedding_types
            && types.iter().any(|t| *t != EmbeddingType::Float)
        {
            return Err(Error::invalid(
                "embedding_types",
                "Titan Multimodal Embeddings returns float vectors only",
            ));
        }
        let mut b = TitanMultimodalEmbed::builder(client, model);
        b.output_embedding_length = settings.dimensions;
        b.truncation = settings.truncation;
        b.build()
    }

    fn truncation(&self) -> Option<Truncation> {
        self.truncation
    }

    fn prepare(&self, location: &str, input: &EmbedInput) -> Result<Prepared> {
        if input.text.is_none() && input.image.is_none() {
            return Err(Error::invalid(
                location,
                "neither a text nor an image given",
            ));
        }
        let text = match &input.text {
            Some(t) => Some(prepare_text(location, t, None, Truncation::None)?.0),
            None => None,
        };
        let image = match &input.image {
            Some(img) => {
                let at = format!("{location}.image");
                let e = img.encode(&at, PNG_JPEG)?;
                if e.bytes.len() > MAX_IMAGE_BYTES {
                    return Err(Error::invalid(
                        at,
                        format!(
                            "the image has {} bytes; the model accepts at most 25 MB",
                            e.bytes.len()
                        ),
                    ));
                }
                if e.width > MAX_IMAGE_SIDE || e.height > MAX_IMAGE_SIDE {
                    return Err(Error::invalid(
                        at,
                        format!(
                            "the image is {}x{} pixels; the model accepts at most {MAX_IMAGE_SIDE}x{MAX_IMAGE_SIDE}",
                            e.width, e.height
                        ),
                    ));
                }
                Some(e)
            }
            None => None,
        };
        Ok(Prepared {
            text,
            image,
            truncated: false,
        })
    }

    fn batch_limit(&self, _: &Prepared) -> usize {
        1
    }

    fn body(&self, items: &[&Prepared], _: InputType) -> Result<TitanMultimodalEmbedRequest> {
        let p = items[0];
        Ok(TitanMultimodalEmbedRequest {
            input_text: p.text.clone(),
            input_image: p.image.as_ref().map(|img| img.base64()),
            embedding_config: self
                .output_embedding_length
                .map(|n| TitanMultimodalEmbedConfig {
                    output_embedding_length: Some(n),
                    ..TitanMultimodalEmbedConfig::default()
                }),
            ..TitanMultimodalEmbedRequest::default()
        })
    }

    fn decode(
        &self,
        r: &TitanMultimodalEmbedResponse,
        request_id: Option<&str>,
        _: usize,
    ) -> Result<(Vec<Embedding>, Option<u32>)> {
        let Some(vector) = &r.embedding else {
            let why = r.message.as_deref().unwrap_or("no embedding");
            return Err(bad_response(
                format!("the response has no embedding: {why}"),
                request_id.map(str::to_owned),
            ));
        };
        let embedding = Embedding::from_float(vector.iter().map(|&x| x as f32).collect());
        Ok((vec![embedding], r.input_text_token_count))
    }
}
