//! Image generation: text-to-image and image editing, returned as `image::DynamicImage`.
//!
//! One wrapper per family: [`TitanImage`] (Titan Image Generator v1 and v2), [`NovaCanvas`],
//! [`StableDiffusion`] (SDXL) and [`StableImage`] (SD3 / SD3.5 Large, Stable Image Ultra and
//! Core), plus [`AnyImageModel`] to pick the wrapper from a model ID at run time. Each has
//! `generate(prompt)`, `generate_details(prompt)` and `run(&ImageRequest)` for every task the
//! model has: variation, inpainting, outpainting, background removal, color-guided and
//! conditioned generation (Titan, Nova), weighted prompts and image-to-image (SDXL, SD3).
//! Inputs are [`ImageInput`]s: a `DynamicImage`, a path or bytes.
//!
//! Settings ([`ImageOptions`]) given to a builder are the defaults of every call; those of an
//! [`ImageRequest`] override them one by one. Bad input fails with
//! [`crate::ErrorKind::InvalidInput`] naming the parameter before any request: a size or count
//! the model does not accept, a prompt over its length limit, a mask without an image, a task
//! or setting the model does not have.
//!
//! ```no_run
//! # async fn run(client: bedrock_fm::Client) -> bedrock_fm::Result<()> {
//! use bedrock_fm::catalog::Model;
//! use bedrock_fm::images::{ImageRequest, NovaCanvas};
//!
//! let canvas = NovaCanvas::builder(&client, Model::AmazonNovaCanvasV1_0)
//!     .size(1024, 1024)
//!     .build()?;
//! let details = canvas
//!     .run(&ImageRequest::text_to_image("a paper boat on a pond").count(2).seed(12))
//!     .await?;
//! let paths = details.save_png("out", "boat").expect("writable directory");
//! # let _ = paths; Ok(()) }
//! ```

mod any;
pub(crate) mod backend;
pub(crate) mod input;
mod nova_canvas;
mod options;
mod output;
mod stable_diffusion;
mod stable_image;
mod task_body;
mod titan_image;

pub use crate::embeddings::ModelId;
pub use any::{AnyImageModel, AnyImageModelBuilder};
pub use input::ImageInput;
pub use nova_canvas::{NovaCanvas, NovaCanvasBuilder};
pub use options::{
    ControlMode, ImageOptions, ImageRequest, ImageTask, Mask, OutpaintingMode, Quality,
};
pub use output::{FinishReason, ImageDetails};
pub use stable_diffusion::{StableDiffusion, StableDiffusionBuilder};
pub use stable_image::{ASPECT_RATIO_SIZES, StableImage, StableImageBuilder, aspect_ratio_of};
pub use titan_image::{TitanImage, TitanImageBuilder};

/// Documented limits of the image models, checked before any request.
pub mod limits {
    pub use super::nova_canvas::{
        MAX_IMAGE_BYTES as NOVA_CANVAS_MAX_IMAGE_BYTES, MAX_PIXELS as NOVA_CANVAS_MAX_PIXELS,
        MAX_SIDE as NOVA_CANVAS_MAX_SIDE, MIN_SIDE as NOVA_CANVAS_MIN_SIDE,
        SIDE_STEP as NOVA_CANVAS_SIDE_STEP, check_size as nova_canvas_check_size,
    };
    pub use super::stable_diffusion::{
        INIT_IMAGE_STEP as SDXL_INIT_IMAGE_STEP, MAX_IMAGE_BYTES as SDXL_MAX_IMAGE_BYTES,
    };
    pub use super::stable_image::{
        MAX_IMAGE_BYTES as STABLE_IMAGE_MAX_IMAGE_BYTES,
        MIN_INPUT_SIDE as STABLE_IMAGE_MIN_INPUT_SIDE,
    };
    pub use super::titan_image::MAX_IMAGE_BYTES as TITAN_IMAGE_MAX_IMAGE_BYTES;
}
