//! Stability AI Stable Diffusion XL (`stability.stable-diffusion-xl-v1`, `-v0`).
//!
//! Wire format, from
//! <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-diffusion-1-0-text-image.html>
//! and `...-diffusion-1-0-image-image.html`: request `{"text_prompts": [{"text": string,
//! "weight": float}], "height": int, "width": int, "cfg_scale": float, "clip_guidance_preset":
//! string, "sampler": string, "samples": 1, "seed": int, "steps": int, "style_preset": string,
//! "extras": object}`, for image to image also `init_image` (base64), `init_image_mode` and
//! `image_strength` (0 to 1). Response `{"result": "success", "artifacts": [{"seed": int,
//! "base64": string, "finishReason": "SUCCESS" | "ERROR" | "CONTENT_FILTERED"}]}`.
//!
//! Sizes: width and height together one of the catalog's sizes (1024x1024, 1152x896,
//! 1216x832, 1344x768, 1536x640 and their transposes); the default is 1024x1024. Image to
//! image answers with the init image's size, whose sides must be multiples of 64 (Stability's
//! v1 API rule, see cou929/stability-sdk-ruby PR #12). A `seed` of 0 or none picks a seed;
//! here it is derived from the request so it stays reproducible. Prompts with a negative
//! weight are negative prompts; prompt texts are 0 to 2,000 characters.
//!
//! Not accepted, because the catalog's schema lacks them: the `step_schedule_start` and
//! `step_schedule_end` of `init_image_mode: STEP_SCHEDULE`, and the `mask_source` and
//! `mask_image` of image to image with a mask (`...-diffusion-1-0-image-image-mask.html`).

use bedrock_fm::catalog::Family;
use image::{DynamicImage, ImageFormat};
use serde_json::{Value, json};

use super::codec_support::{self, Problems};
use crate::errors::ServiceError;
use crate::models::{FamilyCodec, InvokeCall, InvokeOutput};

const FAMILY: Family = Family::StableDiffusion;

/// The largest init image, in bytes.
pub const MAX_IMAGE_BYTES: usize = 25_000_000;
/// Stability's own pixel bounds, the defaults of [`codec_support::ImageBounds`].
const INPUT_BOUNDS: codec_support::ImageBounds = codec_support::ImageBounds::bytes(MAX_IMAGE_BYTES);
/// Init image sides are multiples of this.
pub const INIT_IMAGE_STEP: u32 = 64;
/// The default output size.
pub const DEFAULT_SIZE: (u32, u32) = (1024, 1024);

/// The Stable Diffusion XL codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct StableDiffusion;

impl FamilyCodec for StableDiffusion {
    fn family_id(&self) -> &'static str {
        FAMILY.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let body = codec_support::parse_object(call.body)?;
        let info = codec_support::model_info(call)?;
        let mut problems = Problems::of(FAMILY, &body);
        let prompts = codec_support::get(&body, &["text_prompts"])
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if codec_support::get(&body, &["text_prompts"]).is_some_and(Value::is_array)
            && prompts.is_empty()
        {
            problems.at("#/text_prompts", "expected minimum item count: 1, found: 0");
        }
        if let Some(s) = codec_support::get_f64(&body, &["image_strength"])
            && !(0.0..=1.0).contains(&s)
        {
            let bound = if s < 0.0 {
                "is not greater or equal to 0"
            } else {
                "is not less or equal to 1"
            };
            problems.at("#/image_strength", format!("{s} {bound}"));
        }
        problems.check()?;

        let positive: Vec<&str> = prompts
            .iter()
            .filter(|p| p["weight"].as_f64().unwrap_or(1.0) >= 0.0)
            .filter_map(|p| p["text"].as_str())
            .collect();
        let negative: Vec<&str> = prompts
            .iter()
            .filter(|p| p["weight"].as_f64().unwrap_or(1.0) < 0.0)
            .filter_map(|p| p["text"].as_str())
            .collect();
        if positive.is_empty() {
            return Err(ServiceError::validation(
                "At least one text prompt must have a positive weight.",
            ));
        }
        let prompt = format!("{}\u{1f}{}", positive.join(", "), negative.join(", "));
        let seed = match codec_support::get_u64(&body, &["seed"]) {
            Some(s) if s > 0 => s,
            _ => codec_support::random_seed(call.engine, &body, u64::from(u32::MAX)),
        };

        let image = match codec_support::get_str(&body, &["init_image"]) {
            Some(b64) => {
                let input = codec_support::decode_image(
                    "#/init_image",
                    b64,
                    codec_support::PNG_JPEG,
                    INPUT_BOUNDS,
                )?;
                let (w, h) = (input.image.width(), input.image.height());
                if w % INIT_IMAGE_STEP != 0 || h % INIT_IMAGE_STEP != 0 {
                    return Err(ServiceError::validation(format!(
                        "The init_image is {w}x{h}; its width and height must be multiples of {INIT_IMAGE_STEP}."
                    )));
                }
                let strength =
                    codec_support::get_f64(&body, &["image_strength"]).unwrap_or(0.35) as f32;
                codec_support::edit(
                    call.engine,
                    &input.image.to_rgb8(),
                    &prompt,
                    seed,
                    0,
                    1.0 - strength,
                )
            }
            None => {
                let w =
                    codec_support::get_u64(&body, &["width"]).map_or(DEFAULT_SIZE.0 as u64, |v| v);
                let h =
                    codec_support::get_u64(&body, &["height"]).map_or(DEFAULT_SIZE.1 as u64, |v| v);
                if !codec_support::pixel_sizes(info).contains(&(w as u32, h as u32)) {
                    return Err(codec_support::unsupported_size(info, w, h));
                }
                codec_support::generate(call.engine, &prompt, w as u32, h as u32, seed, 0)
            }
        };
        let png = codec_support::encode_image(&DynamicImage::ImageRgb8(image), ImageFormat::Png);
        let response = json!({
            "result": "success",
            "artifacts": [{
                "seed": seed,
                "base64": codec_support::encode_base64(&png),
                "finishReason": "SUCCESS",
            }],
        });
        Ok(InvokeOutput::json(&response, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::families::media::codec_support::testing::*;

    const MODEL: &str = "stability.stable-diffusion-xl-v1";

    #[test]
    fn documented_text_to_image_request_is_answered() {
        let body = json!({
            "text_prompts": [{"text": "A photo of a sailing boat", "weight": 1.0}, {"text": "fog", "weight": -0.5}],
            "cfg_scale": 10,
            "seed": 20,
            "steps": 50,
            "width": 1152,
            "height": 896,
            "style_preset": "photographic",
            "samples": 1,
        });
        let r = ok(&StableDiffusion, MODEL, &body);
        assert_valid_response(FAMILY, &r);
        assert_eq!(r["result"], "success");
        let artifacts = r["artifacts"].as_array().unwrap();
        assert_eq!(artifacts.len(), 1);
        assert_eq!(artifacts[0]["seed"], 20);
        assert_eq!(artifacts[0]["finishReason"], "SUCCESS");
        let img = decode(&artifacts[0]["base64"], ImageFormat::Png);
        assert_eq!((img.width(), img.height()), (1152, 896));
        assert_eq!(ok(&StableDiffusion, MODEL, &body), r);
        let mut other = body.clone();
        other["seed"] = json!(21);
        let b = ok(&StableDiffusion, MODEL, &other);
        let (a, b) = (
            decode(&r["artifacts"][0]["base64"], ImageFormat::Png).to_rgb8(),
            decode(&b["artifacts"][0]["base64"], ImageFormat::Png).to_rgb8(),
        );
        assert_ne!(a.as_raw(), b.as_raw());
    }

    #[test]
    fn defaults_and_random_seeds() {
        let body = json!({"text_prompts": [{"text": "a castle"}]});
        let r = ok(&StableDiffusion, MODEL, &body);
        assert_valid_response(FAMILY, &r);
        let seed = r["artifacts"][0]["seed"].as_u64().unwrap();
        assert!(seed > 0);
        assert_eq!(
            ok(&StableDiffusion, MODEL, &body)["artifacts"][0]["seed"],
            seed
        );
        let img = decode(&r["artifacts"][0]["base64"], ImageFormat::Png);
        assert_eq!((img.width(), img.height()), (1024, 1024));
    }

    #[test]
    fn image_to_image_keeps_the_init_size() {
        let body = json!({
            "text_prompts": [{"text": "as a watercolour"}],
            "init_image": png_b64(128, 64),
            "init_image_mode": "IMAGE_STRENGTH",
            "image_strength": 0.5,
            "seed": 3,
        });
        let r = ok(&StableDiffusion, MODEL, &body);
        assert_valid_response(FAMILY, &r);
        let img = decode(&r["artifacts"][0]["base64"], ImageFormat::Png);
        assert_eq!((img.width(), img.height()), (128, 64));
        let mut bad = body.clone();
        bad["init_image"] = json!(png_b64(100, 64));
        assert!(rejected(&StableDiffusion, MODEL, &bad).contains("multiples of 64"));
        bad["init_image"] = json!("definitely not base64!");
        assert!(
            rejected(&StableDiffusion, MODEL, &bad).contains("#/init_image is not valid base64")
        );
        bad["init_image"] = json!(png_b64(128, 64));
        bad["image_strength"] = json!(1.5);
        assert!(
            rejected(&StableDiffusion, MODEL, &bad)
                .contains("#/image_strength: 1.5 is not less or equal to 1")
        );
    }

    #[test]
    fn bad_requests_are_named() {
        let body = json!({"text_prompts": [{"text": "x"}], "width": 512, "height": 512});
        let m = rejected(&StableDiffusion, MODEL, &body);
        assert!(m.contains("512x512") && m.contains("1536x640"), "{m}");
        let body = json!({"text_prompts": [{"text": "x"}], "width": 1152});
        assert!(rejected(&StableDiffusion, MODEL, &body).contains("1152x1024"));
        let body = json!({"text_prompts": [{"text": "x"}], "bogus": 1});
        assert_eq!(
            rejected(&StableDiffusion, MODEL, &body),
            "Malformed input request: #: extraneous key [bogus] is not permitted, please reformat your input and try again."
        );
        let body = json!({"text_prompts": [{"text": "x"}], "samples": 2});
        assert!(
            rejected(&StableDiffusion, MODEL, &body)
                .contains("#/samples: 2 is not less or equal to 1")
        );
        let body = json!({"text_prompts": []});
        assert!(
            rejected(&StableDiffusion, MODEL, &body)
                .contains("#/text_prompts: expected minimum item count: 1, found: 0")
        );
        let body = json!({"text_prompts": [{"text": "a".repeat(2001)}]});
        assert!(
            rejected(&StableDiffusion, MODEL, &body)
                .contains("#/text_prompts/0/text: expected maxLength: 2000, actual: 2001")
        );
        let body = json!({"prompt": "x"});
        let m = rejected(&StableDiffusion, MODEL, &body);
        assert!(
            m.contains("#: required key [text_prompts] not found")
                && m.contains("extraneous key [prompt]"),
            "{m}"
        );
        let body = json!({"text_prompts": [{"text": "x", "weight": -1.0}]});
        assert!(rejected(&StableDiffusion, MODEL, &body).contains("positive weight"));
        stream_rejected(
            &StableDiffusion,
            MODEL,
            &json!({"text_prompts": [{"text": "x"}]}),
        );
    }
}
