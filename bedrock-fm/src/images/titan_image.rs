//! Amazon Titan Image Generator G1 v1 (`amazon.titan-image-generator-v1`) and v2
//! (`amazon.titan-image-generator-v2:0`).
//!
//! Native format, from
//! <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-image.html>:
//! `taskType` `TEXT_IMAGE`, `INPAINTING`, `OUTPAINTING`, `IMAGE_VARIATION` and, v2 only,
//! `COLOR_GUIDED_GENERATION`, `BACKGROUND_REMOVAL` and text-to-image image conditioning; an
//! `imageGenerationConfig` with 1 to 5 images of the documented sizes (the catalog's list).
//! Limits, from <https://docs.aws.amazon.com/bedrock/latest/userguide/titan-image-models.html>:
//! prompts of at most 512 characters, input images of at most 5 MB.

use super::backend::{Decoded, ImageBackend, check_catalog_size, image_wrapper, seed_sent};
use super::options::{ImageRequest, ImageTask, Quality};
use super::output::{FinishReason, decode_image};
use super::task_body::{TaskModel, task_body, task_request};
use crate::bodies::titan_image::{TitanImageRequest, TitanImageResponse};
use crate::catalog::{Family, Model};
use crate::error::Result;

const FAMILY: Family = Family::TitanImage;

/// The largest input image, in bytes.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

/// Every Titan task, for a model outside the catalog (the catalog's `image_tasks` say which
/// each model has: v1 has no color-guided generation or background removal).
const ALL_TASKS: &[ImageTask] = &[
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
];

image_wrapper! {
    /// Amazon Titan Image Generator (v1, v2). Build one with [`TitanImage::builder`].
    ///
    /// ```no_run
    /// # async fn run(client: bedrock_fm::Client) -> bedrock_fm::Result<()> {
    /// use bedrock_fm::catalog::TitanImageModel;
    /// use bedrock_fm::images::{ImageRequest, TitanImage};
    ///
    /// let titan = TitanImage::builder(&client, TitanImageModel::AmazonTitanImageGeneratorV2_0)
    ///     .size(1024, 1024)
    ///     .seed(42)
    ///     .build()?;
    /// let images = titan.generate("a lighthouse at dusk").await?;
    /// let without_background = titan
    ///     .run(&ImageRequest::background_removal(images[0].clone()))
    ///     .await?;
    /// # let _ = without_background; Ok(()) }
    /// ```
    pub struct TitanImage, TitanImageBuilder for FAMILY;

    /// A builder for `model`: a Titan Image Generator model or an ARN.
    fn builder;

    /// Checks the model and the defaults (sizes against the catalog, ranges), and builds.
    fn build;
}

impl TitanImage {
    /// The tasks the model has (the catalog's `image_tasks`) and whether text-to-image takes
    /// a condition image; a model outside the catalog is given every task.
    fn tasks(&self) -> (Vec<ImageTask>, bool) {
        let Some(info) = self.model.map(Model::info) else {
            return (ALL_TASKS.to_vec(), true);
        };
        let tasks = ALL_TASKS
            .iter()
            .copied()
            .filter(|t| info.image_tasks.is_empty() || info.image_tasks.contains(&t.task_type()))
            .collect();
        (tasks, info.image_conditioning)
    }
}

impl TitanImageBuilder {
    /// Output quality (default standard).
    pub fn quality(mut self, quality: Quality) -> Self {
        self.defaults = self.defaults.quality(quality);
        self
    }
}

impl ImageBackend for TitanImage {
    type Request = TitanImageRequest;

    fn body(&self, request: &ImageRequest) -> Result<TitanImageRequest> {
        let model = self.model;
        let (tasks, conditioning) = self.tasks();
        let m = TaskModel {
            family: FAMILY,
            model_id: &self.model_id,
            tasks: &tasks,
            conditioning,
            supported: SUPPORTED,
            check_size: &|w, h| check_catalog_size(model, w, h),
            max_image_bytes: MAX_IMAGE_BYTES,
        };
        let body = task_body(&m, &self.defaults, request)?;
        Ok(task_request!(body => titan_image::TitanImageRequest {
            task_type: TitanImageTaskType,
            text_to_image: TitanImageTextToImageParams,
            color_guided: TitanImageColorGuidedGenerationParams,
            variation: TitanImageVariationParams,
            inpainting: TitanImageInPaintingParams,
            outpainting: TitanImageOutPaintingParams,
            background_removal: TitanImageBackgroundRemovalParams,
            config: TitanImageGenerationConfig,
            quality: TitanImageQuality,
            control_mode: TitanImageControlMode,
            outpainting_mode: TitanImageOutPaintingMode,
            others: [],
        }))
    }

    fn decode(
        &self,
        r: &TitanImageResponse,
        request_id: Option<&str>,
        sent: &TitanImageRequest,
    ) -> Result<Decoded> {
        let seed = sent.image_generation_config.as_ref().and_then(|c| c.seed);
        let removal = sent.background_removal_params.is_some();
        let seed = seed_sent(FAMILY, removal, seed);
        decode_task_images(seed, request_id, &r.images, &r.error)
    }
}

/// The images of a Titan or Nova response (`images`, `error`), each with the `seed` used
/// ([`seed_sent`]).
pub(crate) fn decode_task_images(
    seed: Option<u64>,
    request_id: Option<&str>,
    images: &Option<Vec<String>>,
    error: &Option<String>,
) -> Result<Decoded> {
    let mut out = Decoded {
        message: error.clone(),
        ..Decoded::default()
    };
    let request_id = request_id.map(str::to_owned);
    for (i, b64) in images.iter().flatten().enumerate() {
        out.images
            .push(decode_image(b64, &format!("images[{i}]"), &request_id)?);
        out.seeds.push(seed);
        out.finish_reasons.push(FinishReason::Success);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embeddings::model::test_client as client;
    use image::{DynamicImage, RgbImage};
    use serde_json::json;

    #[test]
    fn text_to_image_body_has_the_documented_names() {
        let titan = TitanImage::builder(&client(), Model::AmazonTitanImageGeneratorV2_0)
            .size(512, 512)
            .build()
            .unwrap();
        let req = ImageRequest::text_to_image("a fox")
            .negative_prompt("blurry")
            .count(2)
            .seed(7)
            .cfg_scale(8.0);
        assert_eq!(
            titan.request_body(&req).unwrap(),
            json!({
                "taskType": "TEXT_IMAGE",
                "textToImageParams": {"text": "a fox", "negativeText": "blurry"},
                "imageGenerationConfig": {"numberOfImages": 2, "width": 512, "height": 512,
                                          "cfgScale": 8.0, "seed": 7}
            })
        );
    }

    // Source: model-parameters-titan-image.html: COLOR_GUIDED_GENERATION and
    // BACKGROUND_REMOVAL are v2 tasks (the catalog's `image_tasks`).
    #[test]
    fn v1_has_no_v2_tasks_by_the_catalog() {
        let c = client();
        let v1 = TitanImage::builder(&c, Model::AmazonTitanImageGeneratorV1)
            .build()
            .unwrap();
        let png = {
            let mut out = std::io::Cursor::new(Vec::new());
            DynamicImage::ImageRgb8(RgbImage::new(64, 64))
                .write_to(&mut out, image::ImageFormat::Png)
                .unwrap();
            out.into_inner()
        };
        for request in [
            ImageRequest::background_removal(png.clone()),
            ImageRequest::color_guided("a fox", ["#ff0000"]),
        ] {
            let e = v1.request_body(&request).unwrap_err();
            assert!(e.to_string().starts_with("InvalidInput: task:"), "{e}");
        }
        let v2 = TitanImage::builder(&c, Model::AmazonTitanImageGeneratorV2_0)
            .build()
            .unwrap();
        let body = v2
            .request_body(&ImageRequest::background_removal(png))
            .unwrap();
        assert_eq!(body["taskType"], json!("BACKGROUND_REMOVAL"));
    }

    #[test]
    fn bad_sizes_counts_and_tasks_are_named() {
        let c = client();
        let e = TitanImage::builder(&c, Model::AmazonTitanImageGeneratorV2_0)
            .size(1000, 1000)
            .build()
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("InvalidInput: size: 1000x1000 is not a size"),
            "{e}"
        );
        let titan = TitanImage::builder(&c, Model::AmazonTitanImageGeneratorV1)
            .build()
            .unwrap();
        let e = titan
            .request_body(&ImageRequest::text_to_image("x").count(6))
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("InvalidInput: count: 6 is out of range [1, 5]"),
            "{e}"
        );
        let e = titan
            .request_body(&ImageRequest::text_to_image("x").cfg_scale(f64::NAN))
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("InvalidInput: cfg_scale: NaN is not a number (wire"),
            "{e}"
        );
        let img = DynamicImage::ImageRgb8(RgbImage::new(64, 64));
        let e = titan
            .request_body(&ImageRequest::background_removal(img))
            .unwrap_err();
        assert!(e.to_string().contains("has no background removal"), "{e}");
        let e = titan
            .request_body(&ImageRequest::text_to_image("x").steps(30))
            .unwrap_err();
        assert!(e.to_string().starts_with("InvalidInput: steps:"), "{e}");
    }

    #[test]
    fn masks_need_an_image_of_the_same_size() {
        let titan = TitanImage::builder(&client(), Model::AmazonTitanImageGeneratorV2_0)
            .build()
            .unwrap();
        let e = titan
            .request_body(&ImageRequest::new(ImageTask::Inpainting).mask_prompt("the sky"))
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("InvalidInput: image: inpainting needs the input image the mask"),
            "{e}"
        );
        let e = titan
            .request_body(&ImageRequest::text_to_image("x").mask_prompt("the sky"))
            .unwrap_err();
        assert!(
            e.to_string().starts_with("InvalidInput: mask_prompt:"),
            "{e}"
        );
        let img = DynamicImage::ImageRgb8(RgbImage::new(64, 64));
        let mask = DynamicImage::ImageRgb8(RgbImage::new(32, 32));
        let e = titan
            .request_body(&ImageRequest::inpainting(img).mask_image(mask))
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("must have the input image's size, 64x64"),
            "{e}"
        );
    }
}
