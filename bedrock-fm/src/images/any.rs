//! [`AnyImageModel`]: the image wrapper a model ID calls for, chosen at run time. The enum
//! and its dispatch are generated from `models.toml` (`generated/any_media.rs`).

use super::backend::image_methods;
use super::options::{ImageOptions, option_setters};
use crate::catalog::Family;
use crate::client::Client;
use crate::embeddings::model::{ModelFor, ModelId, ModelParts, family_of, not_a};
use crate::error::Result;
pub use crate::generated::any_media::AnyImageModel;
use crate::generated::any_media::dispatch_image_model;

/// Builder of [`AnyImageModel`]: the model and the defaults of every call.
#[derive(Debug, Clone)]
#[must_use = "builders do nothing until `build()`"]
pub struct AnyImageModelBuilder {
    client: Client,
    model: ModelId,
    defaults: ImageOptions,
}

impl AnyImageModel {
    /// A builder whose family is chosen from `model` (a catalog ID or inference profile) at
    /// `build()`.
    pub fn builder(client: &Client, model: impl ModelFor<Self>) -> AnyImageModelBuilder {
        AnyImageModelBuilder {
            client: client.clone(),
            model: model.into_model_id(),
            defaults: ImageOptions::default(),
        }
    }

    /// The family.
    pub fn family(&self) -> Family {
        ModelParts::family(self)
    }

    image_methods!(dispatch_image_model);
}

impl AnyImageModelBuilder {
    option_setters!(defaults);

    /// Resolves the model to its family and builds that family's wrapper with the defaults
    /// (a default the family does not have fails, naming it).
    pub fn build(self) -> Result<AnyImageModel> {
        let family = family_of(&self.client, self.model.as_str())?;
        let model = self.model.clone();
        AnyImageModel::build_for_family(family, &self.client, model, &self.defaults)
            .unwrap_or_else(|| Err(not_a(&self.model, family, "an image")))
    }
}

impl ModelParts for AnyImageModel {
    fn client(&self) -> &Client {
        dispatch_image_model!(self, m => m.client())
    }

    fn model_id(&self) -> &str {
        dispatch_image_model!(self, m => ModelParts::model_id(m))
    }

    fn family(&self) -> Family {
        dispatch_image_model!(self, m => ModelParts::family(m))
    }
}
