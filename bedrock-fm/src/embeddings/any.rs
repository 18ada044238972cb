//! [`AnyEmbedModel`]: the embedding wrapper a model ID calls for, chosen at run time (for
//! programs that take the model from their configuration or command line). The enum and its
//! dispatch are generated from `models.toml` (`generated/any_media.rs`).

use super::batch::{EmbedSettings, embed_methods};
use super::input::Truncation;
use super::model::{ModelFor, ModelId, ModelParts, family_of, not_a};
use super::vector::EmbeddingType;
use crate::catalog::Family;
use crate::client::Client;
use crate::error::Result;
pub use crate::generated::any_media::AnyEmbedModel;
use crate::generated::any_media::dispatch_embed_model;

/// Builder of [`AnyEmbedModel`]: the settings every embedding family shares.
#[derive(Debug, Clone)]
#[must_use = "builders do nothing until `build()`"]
pub struct AnyEmbedModelBuilder {
    client: Client,
    model: ModelId,
    settings: EmbedSettings,
}

impl AnyEmbedModel {
    /// A builder whose family is chosen from `model` (a catalog ID or inference profile) at
    /// `build()`.
    pub fn builder(client: &Client, model: impl ModelFor<Self>) -> AnyEmbedModelBuilder {
        AnyEmbedModelBuilder {
            client: client.clone(),
            model: model.into_model_id(),
            settings: EmbedSettings::default(),
        }
    }

    /// The family.
    pub fn family(&self) -> Family {
        ModelParts::family(self)
    }

    embed_methods!(dispatch_embed_model);
}

impl AnyEmbedModelBuilder {
    /// The vector length (Titan V2 `dimensions`, Titan Multimodal `outputEmbeddingLength`,
    /// Cohere v4 `output_dimension`), checked against the catalog.
    pub fn dimensions(mut self, n: u32) -> Self {
        self.settings.dimensions = Some(n);
        self
    }

    /// What to do with over-long texts; see each wrapper's `truncation`.
    pub fn truncation(mut self, truncation: Truncation) -> Self {
        self.settings.truncation = Some(truncation);
        self
    }

    /// The vector types to return, where the family offers them.
    pub fn embedding_types(mut self, types: impl IntoIterator<Item = EmbeddingType>) -> Self {
        self.settings.embedding_types = Some(types.into_iter().collect());
        self
    }

    /// Resolves the model to its family and builds that family's wrapper.
    pub fn build(self) -> Result<AnyEmbedModel> {
        let family = family_of(&self.client, self.model.as_str())?;
        let model = self.model.clone();
        AnyEmbedModel::build_for_family(family, &self.client, model, &self.settings)
            .unwrap_or_else(|| Err(not_a(&self.model, family, "an embedding")))
    }
}

impl ModelParts for AnyEmbedModel {
    fn client(&self) -> &Client {
        dispatch_embed_model!(self, m => m.client())
    }

    fn model_id(&self) -> &str {
        dispatch_embed_model!(self, m => ModelParts::model_id(m))
    }

    fn family(&self) -> Family {
        dispatch_embed_model!(self, m => m.family())
    }
}
