//! Stability AI Stable Diffusion XL 1.0 (`stability.stable-diffusion-xl-v1`).
//!
//! Native format, from
//! <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-diffusion-1-0-text-image.html>
//! and `model-parameters-diffusion-1-0-image-image.html`: `text_prompts` (each a text of at
//! most 2,000 characters with a weight; a negative weight makes a negative prompt),
//! `cfg_scale` (0 to 35), `steps` (10 to 50), `seed`, `style_preset`, `sampler`,
//! `clip_guidance_preset`, `samples` (Bedrock: 1), `width` and `height` (one of the catalog's
//! sizes), for image to image `init_image` and `image_strength`, and for masking (from
//! `model-parameters-diffusion-1-0-image-image-mask.html`) `mask_source` and `mask_image`
//! (inpainting with a mask image, black inside as with Titan). The response has one
//! `artifacts` entry per image with its `seed`, `base64` and `finishReason`.

use super::backend::{
    Decoded, ImageBackend, check_catalog_size, check_range, encode, image_wrapper,
    reject_unsupported, size_of,
};
use super::input::PNG_JPEG;
use super::options::{ImageRequest, ImageTask, Mask};
use super::output::{FinishReason, decode_image};
use crate::bodies::stable_diffusion::{
    StableDiffusionClipGuidancePreset, StableDiffusionMaskSource, StableDiffusionRequest,
    StableDiffusionResponse, StableDiffusionSampler, StableDiffusionStylePreset,
    StableDiffusionTextPrompt,
};
use crate::catalog::Family;
use crate::error::{Error, Result};

const FAMILY: Family = Family::StableDiffusion;

/// The largest input image, in bytes.
pub const MAX_IMAGE_BYTES: usize = 25_000_000;
/// Init image sides are multiples of this (Stability's v1 API rule).
pub const INIT_IMAGE_STEP: u32 = 64;

const SUPPORTED: &[&str] = &[
    "negative_prompt",
    "size",
    "count",
    "seed",
    "cfg_scale",
    "steps",
    "style_preset",
    "sampler",
    "clip_guidance_preset",
];

image_wrapper! {
    /// Stability AI Stable Diffusion XL 1.0. Build one with [`StableDiffusion::builder`].
    ///
    /// ```no_run
    /// # async fn run(client: bedrock_fm::Client) -> bedrock_fm::Result<()> {
    /// use bedrock_fm::bodies::stable_diffusion::StableDiffusionStylePreset;
    /// use bedrock_fm::catalog::Model;
    /// use bedrock_fm::images::{ImageRequest, StableDiffusion};
    ///
    /// let sdxl = StableDiffusion::builder(&client, Model::StabilityStableDiffusionXlV1)
    ///     .steps(30)
    ///     .style_preset(StableDiffusionStylePreset::Photographic)
    ///     .build()?;
    /// let request = ImageRequest::text_to_image("a castle on a hill")
    ///     .weighted_prompt("fog", 0.4)
    ///     .negative_prompt("people")
    ///     .seed(1234);
    /// let details = sdxl.run(&request).await?;
    /// # let _ = details; Ok(()) }
    /// ```
    pub struct StableDiffusion, StableDiffusionBuilder for FAMILY;

    /// A builder for `model`: an SDXL model or an ARN.
    fn builder;

    /// Checks the model and the defaults, and builds.
    fn build;
}

impl StableDiffusionBuilder {
    /// Sampling steps, 10 to 50 (default 30).
    pub fn steps(mut self, steps: u32) -> Self {
        self.defaults = self.defaults.steps(steps);
        self
    }

    /// Style preset.
    pub fn style_preset(mut self, preset: StableDiffusionStylePreset) -> Self {
        self.defaults = self.defaults.style_preset(preset);
        self
    }

    /// Sampler (chosen by the model when unset).
    pub fn sampler(mut self, sampler: StableDiffusionSampler) -> Self {
        self.defaults = self.defaults.sampler(sampler);
        self
    }

    /// CLIP guidance preset.
    pub fn clip_guidance_preset(mut self, preset: StableDiffusionClipGuidancePreset) -> Self {
        self.defaults = self.defaults.clip_guidance_preset(preset);
        self
    }
}

/// Fails on an input of the Titan/Nova tasks.
pub(crate) fn reject_task_inputs(req: &ImageRequest, family: Family) -> Result<()> {
    let set = [
        (req.mask.is_some(), "mask"),
        (req.condition_image.is_some(), "condition_image"),
        (req.control_mode.is_some(), "control_mode"),
        (req.control_strength.is_some(), "control_strength"),
        (!req.colors.is_empty(), "colors"),
        (req.reference_image.is_some(), "reference_image"),
        (!req.images.is_empty(), "images"),
        (req.similarity_strength.is_some(), "similarity_strength"),
        (req.outpainting_mode.is_some(), "outpainting_mode"),
    ];
    if let Some((_, name)) = set.iter().find(|(s, _)| *s) {
        return Err(Error::invalid(
            *name,
            format!(
                "{} has no `{name}`: it does text-to-image and image-to-image",
                family.name()
            ),
        ));
    }
    Ok(())
}

fn check_prompt(location: &str, text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::invalid(location, "the text is empty"));
    }
    let max = StableDiffusionTextPrompt::spec()
        .field_by_wire("text")
        .and_then(|f| f.max_length);
    let len = text.chars().count() as u64;
    if let Some(max) = max.filter(|m| len > *m) {
        return Err(Error::invalid(
            location,
            format!("the text has {len} characters; SDXL accepts at most {max} per prompt"),
        ));
    }
    Ok(())
}

impl ImageBackend for StableDiffusion {
    type Request = StableDiffusionRequest;

    fn body(&self, req: &ImageRequest) -> Result<StableDiffusionRequest> {
        let i2i = match req.task {
            ImageTask::TextToImage => false,
            ImageTask::ImageToImage | ImageTask::Inpainting => true,
            other => {
                return Err(Error::invalid(
                    "task",
                    format!(
                        "{} has no {}; it does text-to-image, image-to-image and inpainting \
                         with a mask image",
                        self.model_id,
                        other.name()
                    ),
                ));
            }
        };
        let masked = req.task == ImageTask::Inpainting;
        if masked {
            // Masking: a mask image over the init image (`mask_source`, `mask_image`).
            let mut unmasked = req.clone();
            unmasked.mask = None;
            reject_task_inputs(&unmasked, FAMILY)?;
        } else {
            reject_task_inputs(req, FAMILY)?;
        }
        if i2i && size_of(&req.options)?.is_some() {
            return Err(Error::invalid(
                "size",
                format!("{} keeps the init image's size", req.task.name()),
            ));
        }
        let mut defaults = self.defaults.clone();
        if i2i {
            defaults.width = None;
            defaults.height = None;
        }
        let options = req.options.over(&defaults);
        reject_unsupported(&options, FAMILY, SUPPORTED)?;

        let mut prompts = Vec::new();
        match &req.prompt {
            Some(p) => {
                check_prompt("prompt", p)?;
                prompts.push(prompt(p, None));
            }
            None if req.weighted_prompts.is_empty() => {
                return Err(Error::invalid("prompt", "SDXL needs a prompt"));
            }
            None => {}
        }
        for (i, (text, weight)) in req.weighted_prompts.iter().enumerate() {
            let at = format!("weighted_prompt[{i}]");
            check_prompt(&at, text)?;
            if let Some(problem) = crate::schema::not_finite(*weight) {
                return Err(Error::invalid(at, format!("the weight: {problem}")));
            }
            prompts.push(prompt(text, Some(*weight)));
        }
        if let Some(neg) = &options.negative_prompt {
            check_prompt("negative_prompt", neg)?;
            prompts.push(prompt(neg, Some(-1.0)));
        }
        let mut body = StableDiffusionRequest {
            text_prompts: prompts,
            ..StableDiffusionRequest::default()
        };

        if i2i {
            let Some(input) = &req.image else {
                let what = if masked {
                    "inpainting needs the init image the mask applies to"
                } else {
                    "image-to-image needs an init image"
                };
                return Err(Error::invalid("image", what));
            };
            let init = encode(input, "image", PNG_JPEG, MAX_IMAGE_BYTES)?;
            if init.width % INIT_IMAGE_STEP != 0 || init.height % INIT_IMAGE_STEP != 0 {
                return Err(Error::invalid(
                    "image",
                    format!(
                        "the init image is {}x{}; its sides must be multiples of {INIT_IMAGE_STEP}",
                        init.width, init.height
                    ),
                ));
            }
            body.init_image = Some(init.base64());
            if masked {
                let mask = match &req.mask {
                    Some(Mask::Image(m)) => encode(m, "mask_image", PNG_JPEG, MAX_IMAGE_BYTES)?,
                    Some(Mask::Prompt(_)) => {
                        return Err(Error::invalid(
                            "mask_prompt",
                            "SDXL masks are images: use mask_image",
                        ));
                    }
                    None => {
                        return Err(Error::invalid(
                            "mask",
                            "inpainting needs a mask: mask_image(...)",
                        ));
                    }
                };
                if (mask.width, mask.height) != (init.width, init.height) {
                    return Err(Error::invalid(
                        "mask_image",
                        format!(
                            "the mask is {}x{}; it must have the init image's size, {}x{}",
                            mask.width, mask.height, init.width, init.height
                        ),
                    ));
                }
                // Black pixels are replaced, as with Titan's and Nova's masks.
                body.mask_source = Some(StableDiffusionMaskSource::MaskImageBlack);
                body.mask_image = Some(mask.base64());
            }
            if let Some(s) = req.strength {
                if let Some(problem) = crate::schema::not_finite(s) {
                    let msg = format!("{problem} (wire `image_strength`)");
                    return Err(Error::invalid("strength", msg));
                }
                if !(0.0..=1.0).contains(&s) {
                    return Err(Error::invalid(
                        "strength",
                        format!("{s} is out of range [0, 1] (wire `image_strength`)"),
                    ));
                }
                body.image_strength = Some(s);
            }
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
            if let Some((w, h)) = size_of(&options)? {
                check_catalog_size(self.model, w, h)?;
                body.height = Some(h);
                body.width = Some(w);
            }
        }
        if let Some(s) = options.cfg_scale {
            check_range(FAMILY, &["cfg_scale"], "cfg_scale", s)?;
            body.cfg_scale = Some(s);
        }
        body.clip_guidance_preset = options.clip_guidance_preset.clone();
        body.sampler = options.sampler.clone();
        if let Some(n) = options.count {
            // Bedrock generates one image per SDXL request.
            check_range(FAMILY, &["samples"], "count", f64::from(n))?;
        }
        if let Some(seed) = options.seed {
            check_range(FAMILY, &["seed"], "seed", seed as f64)?;
            // In range of the schema, so it fits.
            body.seed = Some(u32::try_from(seed).unwrap_or(u32::MAX));
        }
        if let Some(steps) = options.steps {
            check_range(FAMILY, &["steps"], "steps", f64::from(steps))?;
            body.steps = Some(steps);
        }
        body.style_preset = options.style_preset.clone();
        Ok(body)
    }

    fn decode(
        &self,
        r: &StableDiffusionResponse,
        request_id: Option<&str>,
        _: &StableDiffusionRequest,
    ) -> Result<Decoded> {
        let request_id = request_id.map(str::to_owned);
        let mut out = Decoded::default();
        for (i, a) in r.artifacts.iter().enumerate() {
            let reason = a
                .finish_reason
                .as_ref()
                .map(|f| FinishReason::from_sdxl(f.as_str()))
                .unwrap_or(FinishReason::Success);
            let Some(b64) = &a.base64 else {
                out.message = Some(format!("artifact {i} has no image ({reason:?})"));
                continue;
            };
            out.images
                .push(decode_image(b64, &format!("artifacts[{i}]"), &request_id)?);
            out.seeds.push(a.seed.map(u64::from));
            out.finish_reasons.push(reason);
        }
        if r.result != "success" && out.message.is_none() {
            out.message = Some(format!("result: {}", r.result));
        }
        Ok(out)
    }
}

/// One `text_prompts` entry.
fn prompt(text: &str, weight: Option<f64>) -> StableDiffusionTextPrompt {
    StableDiffusionTextPrompt {
        text: text.to_owned(),
        weight,
        ..StableDiffusionTextPrompt::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Model;
    use crate::embeddings::model::test_client as client;
    use serde_json::json;

    #[test]
    fn weighted_prompts_and_settings_have_the_documented_names() {
        let sdxl = StableDiffusion::builder(&client(), Model::StabilityStableDiffusionXlV1)
            .steps(40)
            .style_preset(StableDiffusionStylePreset::Photographic)
            .size(1152, 896)
            .build()
            .unwrap();
        let req = ImageRequest::text_to_image("a castle")
            .weighted_prompt("fog", 0.4)
            .negative_prompt("people")
            .cfg_scale(9.0)
            .seed(1234);
        assert_eq!(
            sdxl.request_body(&req).unwrap(),
            json!({
                "text_prompts": [{"text": "a castle"}, {"text": "fog", "weight": 0.4},
                                 {"text": "people", "weight": -1.0}],
                "height": 896, "width": 1152, "cfg_scale": 9.0, "seed": 1234, "steps": 40,
                "style_preset": "photographic"
            })
        );
    }

    #[test]
    fn counts_steps_and_tasks_are_checked() {
        let sdxl = StableDiffusion::builder(&client(), Model::StabilityStableDiffusionXlV1)
            .build()
            .unwrap();
        let e = sdxl
            .request_body(&ImageRequest::text_to_image("x").count(2))
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("InvalidInput: count: 2 is out of range [1, 1]"),
            "{e}"
        );
        let e = sdxl
            .request_body(&ImageRequest::text_to_image("x").steps(5))
            .unwrap_err();
        assert!(e.to_string().starts_with("InvalidInput: steps:"), "{e}");
        let e = sdxl
            .request_body(&ImageRequest::text_to_image("x").mask_prompt("sky"))
            .unwrap_err();
        assert!(e.to_string().starts_with("InvalidInput: mask:"), "{e}");
        let e = sdxl
            .request_body(&ImageRequest::text_to_image("x".repeat(2001)))
            .unwrap_err();
        assert!(e.to_string().contains("at most 2000"), "{e}");
    }
}
