//! Amazon Nova Canvas (`amazon.nova-canvas-v1:0`).
//!
//! Native format, from
//! <https://docs.aws.amazon.com/nova/latest/userguide/image-gen-req-resp-structure.html>: the
//! `taskType` shape Titan Image Generator has (text-to-image with optional conditioning,
//! color-guided generation, variation, inpainting, outpainting, background removal), prompts
//! of 1 to 1,024 characters, a `style` for text-to-image, 1 to 5 images. Sizes, from
//! <https://docs.aws.amazon.com/nova/latest/userguide/image-gen-access.html> ("Supported image
//! resolutions"): each side 320 to 4,096 pixels and divisible by 16, an aspect ratio between
//! 1:4 and 4:1, fewer than 4,194,304 pixels in all.

use super::backend::{Decoded, ImageBackend, image_wrapper, seed_sent};
use super::options::{ImageRequest, ImageTask, Quality};
use super::task_body::{TaskModel, task_body, task_request};
use super::titan_image::decode_task_images;
use crate::bodies::nova_canvas::{NovaCanvasRequest, NovaCanvasResponse, NovaCanvasStyle};
use crate::catalog::Family;
use crate::error::{Error, Result};

const FAMILY: Family = Family::NovaCanvas;

/// The largest input image, in bytes.
pub const MAX_IMAGE_BYTES: usize = 25_000_000;
/// The shortest side of a generated image, in pixels.
pub const MIN_SIDE: u32 = 320;
/// The longest side of a generated image, in pixels.
pub const MAX_SIDE: u32 = 4096;
/// Sides are multiples of this.
pub const SIDE_STEP: u32 = 16;
/// A generated image has fewer pixels than this.
pub const MAX_PIXELS: u64 = 4_194_304;

const TASKS: &[ImageTask] = &[
    ImageTask::TextToImage,
    ImageTask::ColorGuided,
    ImageTask::Variation,
    ImageTask::Inpainting,
    ImageTask::Outpainting,
    ImageTask::BackgroundRemoval,
];
const SUPPORTED: &[&str] = &[
    "negative_prompt",
    "size",
    "count",
    "seed",
    "cfg_scale",
    "quality",
    "style",
];

/// Checks a Nova Canvas output size against the documented rules.
pub fn check_size(width: u32, height: u32) -> Result<()> {
    let mut broken = Vec::new();
    for (name, side) in [("width", width), ("height", height)] {
        if !(MIN_SIDE..=MAX_SIDE).contains(&side) {
            broken.push(format!(
                "{name} {side} is not between {MIN_SIDE} and {MAX_SIDE}"
            ));
        }
        if side % SIDE_STEP != 0 {
            broken.push(format!("{name} {side} is not divisible by {SIDE_STEP}"));
        }
    }
    let (long, short) = (width.max(height), width.min(height).max(1));
    if long > 4 * short {
        broken.push("the aspect ratio is not between 1:4 and 4:1".to_owned());
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels >= MAX_PIXELS {
        broken.push(format!("{pixels} pixels is not fewer than {MAX_PIXELS}"));
    }
    if broken.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(
        "size",
        format!(
            "{width}x{height} is not a size Nova Canvas generates: {}",
            broken.join("; ")
        ),
    ))
}

image_wrapper! {
    /// Amazon Nova Canvas. Build one with [`NovaCanvas::builder`].
    ///
    /// ```no_run
    /// # async fn run(client: bedrock_fm::Client) -> bedrock_fm::Result<()> {
    /// use bedrock_fm::catalog::Model;
    /// use bedrock_fm::images::{ImageRequest, NovaCanvas};
    ///
    /// let canvas = NovaCanvas::builder(&client, Model::AmazonNovaCanvasV1_0)
    ///     .size(1280, 720)
    ///     .build()?;
    /// let palette = ImageRequest::color_guided("a quiet harbour", ["#1F4E79", "#F2C14E"]);
    /// let details = canvas.run(&palette).await?;
    /// # let _ = details; Ok(()) }
    /// ```
    pub struct NovaCanvas, NovaCanvasBuilder for FAMILY;

    /// A builder for `model`: Nova Canvas, its inference profile, or an ARN.
    fn builder;

    /// Checks the model and the defaults (size rules, ranges), and builds.
    fn build;
}

impl NovaCanvasBuilder {
    /// Output quality (default standard).
    pub fn quality(mut self, quality: Quality) -> Self {
        self.defaults = self.defaults.quality(quality);
        self
    }

    /// Visual style of text-to-image.
    pub fn style(mut self, style: NovaCanvasStyle) -> Self {
        self.defaults = self.defaults.style(style);
        self
    }
}

impl ImageBackend for NovaCanvas {
    type Request = NovaCanvasRequest;

    fn body(&self, request: &ImageRequest) -> Result<NovaCanvasRequest> {
        let m = TaskModel {
            family: FAMILY,
            model_id: &self.model_id,
            tasks: TASKS,
            conditioning: true,
            supported: SUPPORTED,
            check_size: &check_size,
            max_image_bytes: MAX_IMAGE_BYTES,
        };
        let body = task_body(&m, &self.defaults, request)?;
        let style = body.params.style.clone();
        let mut request = task_request!(body => nova_canvas::NovaCanvasRequest {
            task_type: NovaCanvasTaskType,
            text_to_image: NovaCanvasTextToImageParams,
            color_guided: NovaCanvasColorGuidedGenerationParams,
            variation: NovaCanvasImageVariationParams,
            inpainting: NovaCanvasInPaintingParams,
            outpainting: NovaCanvasOutPaintingParams,
            background_removal: NovaCanvasBackgroundRemovalParams,
            config: NovaCanvasImageGenerationConfig,
            quality: NovaCanvasQuality,
            control_mode: NovaCanvasControlMode,
            outpainting_mode: NovaCanvasOutPaintingMode,
            others: [virtual_try_on_params],
        });
        // Nova's own member of textToImageParams.
        if let Some(params) = &mut request.text_to_image_params {
            params.style = style;
        }
        Ok(request)
    }

    fn decode(
        &self,
        r: &NovaCanvasResponse,
        request_id: Option<&str>,
        sent: &NovaCanvasRequest,
    ) -> Result<Decoded> {
        let seed = sent.image_generation_config.as_ref().and_then(|c| c.seed);
        let removal = sent.background_removal_params.is_some();
        let seed = seed_sent(FAMILY, removal, seed);
        decode_task_images(seed, request_id, &r.images, &r.error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_documented_rules() {
        assert!(check_size(1024, 1024).is_ok());
        assert!(check_size(1280, 720).is_ok());
        assert!(check_size(320, 1280).is_ok());
        let e = check_size(1000, 1000).unwrap_err();
        assert!(
            e.to_string().contains("width 1000 is not divisible by 16"),
            "{e}"
        );
        assert!(check_size(320, 1600).is_err()); // 1:5
        assert!(check_size(2048, 2048).is_err()); // 4,194,304 pixels
        assert!(check_size(256, 256).is_err());
    }
}
