//! [`AnyEmbedModel`]: the embedding wrapper a model ID calls for, chosen at run time (for
//! programs that take the model from their configuration or command line).

use super::batch::{EmbedBackend, Prepared, embed_methods};
use super::cohere::CohereEmbed;
use super::input::{EmbedInput, InputType, Truncation};
use super::model::{Invoked, ModelId, ModelParts, family_of, not_a};
use super::titan_multimodal::TitanMultimodalEmbed;
use super::titan_text::TitanEmbed;
use super::vector::{Embedding, EmbeddingType};
use crate::catalog::Family;
use crate::client::Client;
use crate::error::{Error, Result};
use serde_json::Value;

/// Any embedding model of the catalog, with the wrapper of its family.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AnyEmbedModel {
    /// Titan Text Embeddings.
    Titan(TitanEmbed),
    /// Titan Multimodal Embeddings.
    TitanMultimodal(TitanMultimodalEmbed),
    /// Cohere Embed.
    Cohere(CohereEmbed),
}

/// Builder of [`AnyEmbedModel`]: the settings every embedding family shares.
#[derive(Debug, Clone)]
#[must_use = "builders do nothing until `build()`"]
pub struct AnyEmbedModelBuilder {
    client: Client,
    model: ModelId,
    dimensions: Option<u32>,
    truncation: Option<Truncation>,
    embedding_types: Option<Vec<EmbeddingType>>,
}

impl AnyEmbedModel {
    /// A builder whose family is chosen from `model` (a catalog ID or inference profile) at
    /// `build()`.
    pub fn builder(client: &Client, model: impl Into<ModelId>) -> AnyEmbedModelBuilder {
        AnyEmbedModelBuilder {
            client: client.clone(),
            model: model.into(),
            dimensions: None,
            truncation: None,
            embedding_types: None,
        }
    }

    /// The family.
    pub fn family(&self) -> Family {
        ModelParts::family(self)
    }

    embed_methods!();
}

impl AnyEmbedModelBuilder {
    /// The vector length (Titan V2 `dimensions`, Titan Multimodal `outputEmbeddingLength`,
    /// Cohere v4 `output_dimension`), checked against the catalog.
    pub fn dimensions(mut self, n: u32) -> Self {
        self.dimensions = Some(n);
        self
    }

    /// What to do with over-long texts; see each wrapper's `truncation`.
    pub fn truncation(mut self, truncation: Truncation) -> Self {
        self.truncation = Some(truncation);
        self
    }

    /// The vector types to return, where the family offers them.
    pub fn embedding_types(mut self, types: impl IntoIterator<Item = EmbeddingType>) -> Self {
        self.embedding_types = Some(types.into_iter().collect());
        self
    }

    /// Resolves the model to its family and builds that family's wrapper.
    pub fn build(self) -> Result<AnyEmbedModel> {
        let family = family_of(&self.client, self.model.as_str())?;
        let c = &self.client;
        let m = self.model.clone();
        match family {
            Family::TitanEmbedText => {
                let mut b = TitanEmbed::builder(c, m);
                if let Some(d) = self.dimensions {
                    b = b.dimensions(d);
                }
                if let Some(t) = self.truncation {
                    b = b.truncation(t);
                }
                if let Some(types) = self.embedding_types {
                    b = b.embedding_types(types);
                }
                Ok(AnyEmbedModel::Titan(b.build()?))
            }
            Family::TitanEmbedImage => {
                let mut b = TitanMultimodalEmbed::builder(c, m);
                if let Some(d) = self.dimensions {
                    b = b.output_embedding_length(d);
                }
                if let Some(t) = self.truncation {
                    b = b.truncation(t);
                }
                if let Some(types) = &self.embedding_types
                    && types.iter().any(|t| *t != EmbeddingType::Float)
                {
                    return Err(Error::invalid(
                        "embedding_types",
                        "Titan Multimodal Embeddings returns float vectors only",
                    ));
                }
                Ok(AnyEmbedModel::TitanMultimodal(b.build()?))
            }
            Family::CohereEmbed => {
                let mut b = CohereEmbed::builder(c, m);
                if let Some(d) = self.dimensions {
                    b = b.output_dimension(d);
                }
                if let Some(t) = self.truncation {
                    b = b.truncation(t);
                }
                if let Some(types) = self.embedding_types {
                    b = b.embedding_types(types);
                }
                Ok(AnyEmbedModel::Cohere(b.build()?))
            }
            other => Err(not_a(&self.model, other, "an embedding")),
        }
    }
}

macro_rules! each {
    ($self:expr, $m:ident => $e:expr) => {
        match $self {
            AnyEmbedModel::Titan($m) => $e,
            AnyEmbedModel::TitanMultimodal($m) => $e,
            AnyEmbedModel::Cohere($m) => $e,
        }
    };
}

impl ModelParts for AnyEmbedModel {
    fn client(&self) -> &Client {
        each!(self, m => m.client())
    }

    fn model_id(&self) -> &str {
        each!(self, m => ModelParts::model_id(m))
    }

    fn family(&self) -> Family {
        each!(self, m => m.family())
    }
}

impl EmbedBackend for AnyEmbedModel {
    fn truncation(&self) -> Option<Truncation> {
        each!(self, m => m.truncation())
    }

    fn prepare(&self, location: &str, input: &EmbedInput) -> Result<Prepared> {
        each!(self, m => m.prepare(location, input))
    }

    fn batch_limit(&self, p: &Prepared) -> usize {
        each!(self, m => m.batch_limit(p))
    }

    fn body(&self, items: &[&Prepared], input_type: InputType) -> Result<Value> {
        each!(self, m => m.body(items, input_type))
    }

    fn decode(&self, invoked: &Invoked, n: usize) -> Result<(Vec<Embedding>, Option<u32>)> {
        each!(self, m => m.decode(invoked, n))
    }
}
