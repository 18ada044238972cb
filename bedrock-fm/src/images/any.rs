//! [`AnyImageModel`]: the image wrapper a model ID calls for, chosen at run time.

use super::backend::{Decoded, ImageBackend, image_methods};
use super::nova_canvas::NovaCanvas;
use super::options::{ImageOptions, ImageRequest, option_setters};
use super::stable_diffusion::StableDiffusion;
use super::stable_image::StableImage;
use super::titan_image::TitanImage;
use crate::catalog::Family;
use crate::client::Client;
use crate::embeddings::model::{Invoked, ModelId, ModelParts, family_of, not_a};
use crate::error::Result;
use serde_json::Value;

/// Any image model of the catalog, with the wrapper of its family.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AnyImageModel {
    /// Titan Image Generator.
    TitanImage(TitanImage),
    /// Nova Canvas.
    NovaCanvas(NovaCanvas),
    /// Stable Diffusion XL.
    StableDiffusion(StableDiffusion),
    /// SD3 / SD3.5 Large, Stable Image Ultra and Core.
    StableImage(StableImage),
}

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
    pub fn builder(client: &Client, model: impl Into<ModelId>) -> AnyImageModelBuilder {
        AnyImageModelBuilder {
            client: client.clone(),
            model: model.into(),
            defaults: ImageOptions::default(),
        }
    }

    /// The family.
    pub fn family(&self) -> Family {
        ModelParts::family(self)
    }

    image_methods!();
}

impl AnyImageModelBuilder {
    option_setters!(defaults);

    /// Resolves the model to its family and builds that family's wrapper with the defaults
    /// (a default the family does not have fails, naming it).
    pub fn build(self) -> Result<AnyImageModel> {
        let family = family_of(&self.client, self.model.as_str())?;
        let (c, m, d) = (&self.client, self.model.clone(), self.defaults);
        Ok(match family {
            Family::TitanImage => {
                AnyImageModel::TitanImage(TitanImage::builder(c, m).options(d).build()?)
            }
            Family::NovaCanvas => {
                AnyImageModel::NovaCanvas(NovaCanvas::builder(c, m).options(d).build()?)
            }
            Family::StableDiffusion => {
                AnyImageModel::StableDiffusion(StableDiffusion::builder(c, m).options(d).build()?)
            }
            Family::StableImage => {
                AnyImageModel::StableImage(StableImage::builder(c, m).options(d).build()?)
            }
            other => return Err(not_a(&self.model, other, "an image")),
        })
    }
}

macro_rules! each {
    ($self:expr, $m:ident => $e:expr) => {
        match $self {
            AnyImageModel::TitanImage($m) => $e,
            AnyImageModel::NovaCanvas($m) => $e,
            AnyImageModel::StableDiffusion($m) => $e,
            AnyImageModel::StableImage($m) => $e,
        }
    };
}

impl ModelParts for AnyImageModel {
    fn client(&self) -> &Client {
        each!(self, m => m.client())
    }

    fn model_id(&self) -> &str {
        each!(self, m => ModelParts::model_id(m))
    }

    fn family(&self) -> Family {
        each!(self, m => ModelParts::family(m))
    }
}

impl ImageBackend for AnyImageModel {
    fn body(&self, request: &ImageRequest) -> Result<Value> {
        each!(self, m => m.body(request))
    }

    fn decode(&self, invoked: &Invoked, body: &Value) -> Result<Decoded> {
        each!(self, m => m.decode(invoked, body))
    }
}
