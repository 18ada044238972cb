//! Stability AI Stable Diffusion 3 Large, SD3.5 Large, Stable Image Ultra and Core.
//!
//! Native format, from
//! <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-diffusion-3-5-large.html>
//! (and the SD3 Large, Ultra and Core pages): `prompt` and `negative_prompt` (at most 10,000
//! characters), `aspect_ratio` (text-to-image), `mode` `image-to-image` with `image` and
//! `strength` (models with an image input: SD3 and SD3.5 Large), `seed`, `output_format`
//! (`jpeg`, `png`, `webp` for SD3.5 Large). One image per request; the response has `seeds`,
//! `finish_reasons` and `images`.
//!
//! A width and height convert to the aspect ratio they have: Stability's pixel size for it
//! (<https://kb.stability.ai/knowledge-base/understanding-aspect-ratios-in-our-apis>: 16:9
//! 1344x768, 1:1 1024x1024, 21:9 1536x640, 2:3 832x1216, 3:2 1216x832, 4:5 896x1088, 5:4
//! 1088x896, 9:16 768x1344, 9:21 640x1536) or the same ratio in other pixels (1920x1080).

use super::backend::{
    Decoded, ImageBackend, check_range, check_text, encode, image_wrapper, reject_unsupported,
    size_of,
};
use super::options::{ImageRequest, ImageTask};
use super::output::{FinishReason, decode_image};
use super::stable_diffusion::reject_task_inputs;
use crate::bodies::stable_image::{
    StableImageAspectRatio, StableImageMode, StableImageOutputFormat, StableImageRequest,
    StableImageResponse,
};
use crate::catalog::{Family, ImageSize, Modality, Model};
use crate::error::{Error, Result};
use image::ImageFormat;

const FAMILY: Family = Family::StableImage;

/// The largest input image, in bytes.
pub const MAX_IMAGE_BYTES: usize = 25_000_000;
/// The shortest side of an input image, in pixels.
pub const MIN_INPUT_SIDE: u32 = 64;

/// Stability's output size for each aspect ratio.
pub const ASPECT_RATIO_SIZES: &[(&str, u32, u32)] = &[
    ("16:9", 1344, 768),
    ("1:1", 1024, 1024),
    ("21:9", 1536, 640),
    ("2:3", 832, 1216),
    ("3:2", 1216, 832),
    ("4:5", 896, 1088),
    ("5:4", 1088, 896),
    ("9:16", 768, 1344),
    ("9:21", 640, 1536),
];

const SUPPORTED: &[&str] = &[
    "negative_prompt",
    "size",
    "count",
    "seed",
    "aspect_ratio",
    "output_format",
];

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The aspect ratio a size has, among those `model` offers (the catalog's list).
pub fn aspect_ratio_of(
    model: Option<Model>,
    width: u32,
    height: u32,
) -> Result<StableImageAspectRatio> {
    let g = gcd(width, height).max(1);
    let reduced = format!("{}:{}", width / g, height / g);
    let offered: Vec<String> = match model {
        Some(m) => m
            .info()
            .image_sizes
            .iter()
            .filter_map(|s| match s {
                ImageSize::AspectRatio { width, height } => Some(format!("{width}:{height}")),
                _ => None,
            })
            .collect(),
        None => ASPECT_RATIO_SIZES
            .iter()
            .map(|(r, ..)| (*r).to_owned())
            .collect(),
    };
    let by_pixels = ASPECT_RATIO_SIZES
        .iter()
        .find(|(_, w, h)| (*w, *h) == (width, height))
        .map(|(r, ..)| (*r).to_owned());
    match by_pixels
        .into_iter()
        .chain([reduced])
        .find(|r| offered.contains(r))
    {
        Some(r) => Ok(StableImageAspectRatio::from(r.as_str())),
        None => Err(Error::invalid(
            "size",
            format!(
                "{width}x{height} has no aspect ratio Stable Image offers; it offers {} \
                 (e.g. 1344x768 or 1920x1080 for 16:9)",
                offered.join(", ")
            ),
        )),
    }
}

image_wrapper! {
    /// Stability AI SD3 Large, SD3.5 Large, Stable Image Ultra and Core. Build one with
    /// [`StableImage::builder`].
    ///
    /// ```no_run
    /// # async fn run(client: bedrock_fm::Client) -> bedrock_fm::Result<()> {
    /// use bedrock_fm::bodies::stable_image::StableImageAspectRatio;
    /// use bedrock_fm::catalog::Model;
    /// use bedrock_fm::images::StableImage;
    ///
    /// let ultra = StableImage::builder(&client, Model::StabilityStableImageUltraV1_1)
    ///     .aspect_ratio(StableImageAspectRatio::Ratio16x9)
    ///     .build()?;
    /// let images = ultra.generate("a mountain lake at sunrise").await?;
    /// # let _ = images; Ok(()) }
    /// ```
    pub struct StableImage, StableImageBuilder for FAMILY;

    /// A builder for `model`: an SD3 / SD3.5 / Stable Image model or an ARN.
    fn builder;

    /// Checks the model and the defaults, and builds.
    fn build;
}

impl StableImage {
    fn takes_images(&self) -> bool {
        self.model
            .is_none_or(|m| m.info().input_modalities.contains(&Modality::Image))
    }
}

impl StableImageBuilder {
    /// Aspect ratio of text-to-image (default 1:1).
    pub fn aspect_ratio(mut self, ratio: StableImageAspectRatio) -> Self {
        self.defaults = self.defaults.aspect_ratio(ratio);
        self
    }

    /// Output format (default PNG).
    pub fn output_format(mut self, format: StableImageOutputFormat) -> Self {
        self.defaults = self.defaults.output_format(format);
        self
    }
}

impl ImageBackend for StableImage {
    type Request = StableImageRequest;

    fn body(&self, req: &ImageRequest) -> Result<StableImageRequest> {
        let i2i = match req.task {
            ImageTask::TextToImage => false,
            ImageTask::ImageToImage if self.takes_images() => true,
            ImageTask::ImageToImage => {
                return Err(Error::invalid(
                    "image",
                    format!(
                        "{} takes no input image: it does text-to-image only",
                        self.model_id
                    ),
                ));
            }
            other => {
                return Err(Error::invalid(
                    "task",
                    format!("{} has no {}", self.model_id, other.name()),
                ));
            }
        };
        reject_task_inputs(req, FAMILY)?;
        if !req.weighted_prompts.is_empty() {
            return Err(Error::invalid(
                "weighted_prompt",
                "weighted prompts are SDXL's; Stable Image takes one prompt and a negative prompt",
            ));
        }
        let mut defaults = self.defaults.clone();
        if i2i {
            if size_of(&req.options)?.is_some() || req.options.aspect_ratio.is_some() {
                return Err(Error::invalid(
                    "aspect_ratio",
                    "image-to-image keeps the input image's shape",
                ));
            }
            defaults.width = None;
            defaults.height = None;
            defaults.aspect_ratio = None;
        }
        let options = req.options.over(&defaults);
        reject_unsupported(&options, FAMILY, SUPPORTED)?;

        let Some(prompt) = &req.prompt else {
            return Err(Error::invalid("prompt", "Stable Image needs a prompt"));
        };
        check_text(FAMILY, &["prompt"], "prompt", prompt)?;
        let mut body = StableImageRequest {
            prompt: prompt.clone(),
            ..StableImageRequest::default()
        };
        if let Some(n) = options.count.filter(|n| *n != 1) {
            return Err(Error::invalid(
                "count",
                format!("{n} images asked; Stable Image generates one image per request"),
            ));
        }
        if i2i {
            let Some(input) = &req.image else {
                return Err(Error::invalid(
                    "image",
                    "image-to-image needs an input image",
                ));
            };
            let formats = [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP];
            let img = encode(input, "image", &formats, MAX_IMAGE_BYTES)?;
            if img.width < MIN_INPUT_SIDE || img.height < MIN_INPUT_SIDE {
                return Err(Error::invalid(
                    "image",
                    format!(
                        "the image is {}x{}; each side must be at least {MIN_INPUT_SIDE} pixels",
                        img.width, img.height
                    ),
                ));
            }
            let Some(strength) = req.strength else {
                return Err(Error::invalid(
                    "strength",
                    "image-to-image needs a strength (0 keeps the input image, 1 ignores it)",
                ));
            };
            check_range(FAMILY, &["strength"], "strength", strength)?;
            body.mode = Some(StableImageMode::ImageToImage);
            body.image = Some(img.base64());
            body.strength = Some(strength);
        } else {
            if req.image.is_some() {
                return Err(Error::invalid(
                    "image",
                    "text-to-image takes no input image; use ImageRequest::image_to_image",
                ));
            }
            if req.strength.is_some() {
                return Err(Error::invalid("strength", "strength is for image-to-image"));
            }
            let from_size = match size_of(&options)? {
                Some((w, h)) => Some(aspect_ratio_of(self.model, w, h)?),
                None => None,
            };
            let ratio = match (req.options.aspect_ratio.clone(), from_size) {
                (Some(explicit), Some(sized)) if explicit != sized => {
                    return Err(Error::invalid(
                        "aspect_ratio",
                        format!("{explicit} disagrees with the size asked for ({sized})"),
                    ));
                }
                (Some(explicit), _) => Some(explicit),
                (None, Some(sized)) => Some(sized),
                (None, None) => options.aspect_ratio.clone(),
            };
            if let Some(r) = ratio {
                let offered = self.model.is_none_or(|m| {
                    m.info().image_sizes.iter().any(|s| {
                        matches!(s, ImageSize::AspectRatio { width, height }
                            if format!("{width}:{height}") == r.as_str())
                    })
                });
                if !offered {
                    return Err(Error::invalid(
                        "aspect_ratio",
                        format!("{r} is not an aspect ratio {} offers", self.model_id),
                    ));
                }
                body.aspect_ratio = Some(r);
            }
        }
        if let Some(seed) = options.seed {
            check_range(FAMILY, &["seed"], "seed", seed as f64)?;
            if self.model == Some(Model::StabilitySd3_5LargeV1_0) && seed > 4_294_967_294 {
                return Err(Error::invalid(
                    "seed",
                    "SD3.5 Large accepts seeds up to 4294967294",
                ));
            }
            // In range of the schema, so it fits.
            body.seed = Some(u32::try_from(seed).unwrap_or(u32::MAX));
        }
        if let Some(n) = &options.negative_prompt {
            check_text(FAMILY, &["negative_prompt"], "negative_prompt", n)?;
            body.negative_prompt = Some(n.clone());
        }
        if let Some(f) = &options.output_format {
            // The catalog's `image_output_formats`; a model outside it may try.
            let webp_ok = self
                .model
                .is_none_or(|m| m.info().image_output_formats.contains(&"webp"));
            if *f == StableImageOutputFormat::Webp && !webp_ok {
                return Err(Error::invalid(
                    "output_format",
                    format!("{} does not write WebP (SD3.5 Large does)", self.model_id),
                ));
            }
            body.output_format = Some(f.clone());
        }
        Ok(body)
    }

    fn decode(
        &self,
        r: &StableImageResponse,
        request_id: Option<&str>,
        _: &StableImageRequest,
    ) -> Result<Decoded> {
        let request_id = request_id.map(str::to_owned);
        let mut out = Decoded::default();
        let seeds = r.seeds.as_deref().unwrap_or_default();
        for (i, b64) in r.images.iter().flatten().enumerate() {
            out.images
                .push(decode_image(b64, &format!("images[{i}]"), &request_id)?);
            out.seeds.push(seeds.get(i).map(|s| u64::from(*s)));
            out.finish_reasons.push(
                r.finish_reasons
                    .get(i)
                    .map(FinishReason::from_stable_image)
                    .unwrap_or(FinishReason::Success),
            );
        }
        if out.images.is_empty()
            && let Some(reason) = r.finish_reasons.iter().find(|f| !f.is_null())
        {
            out.message = Some(
                reason
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| reason.to_string()),
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Source: model-parameters-diffusion-3-5-large.html: SD3.5 Large also writes webp (the
    // catalog's `image_output_formats`).
    #[test]
    fn webp_output_follows_the_catalog() {
        let c = crate::embeddings::model::test_client();
        let webp = |model: Model| {
            StableImage::builder(&c, model)
                .output_format(StableImageOutputFormat::Webp)
                .build()
        };
        let sd35 = webp(Model::StabilitySd3_5LargeV1_0).unwrap();
        let body = sd35
            .request_body(&ImageRequest::text_to_image("a fox"))
            .unwrap();
        assert_eq!(body["output_format"], serde_json::json!("webp"));
        let e = webp(Model::StabilitySd3LargeV1_0).unwrap_err();
        assert!(e.to_string().contains("does not write WebP"), "{e}");
    }

    #[test]
    fn sizes_map_to_aspect_ratios() {
        let m = Some(Model::StabilitySd3_5LargeV1_0);
        assert_eq!(
            aspect_ratio_of(m, 1344, 768).unwrap(),
            StableImageAspectRatio::Ratio16x9
        );
        assert_eq!(
            aspect_ratio_of(m, 1920, 1080).unwrap(),
            StableImageAspectRatio::Ratio16x9
        );
        assert_eq!(
            aspect_ratio_of(m, 512, 512).unwrap(),
            StableImageAspectRatio::Ratio1x1
        );
        let e = aspect_ratio_of(m, 1000, 300).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("InvalidInput: size: 1000x300 has no aspect ratio"),
            "{e}"
        );
    }
}
