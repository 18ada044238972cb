//! Stability AI Stable Diffusion 3 Large, SD3.5 Large, Stable Image Ultra and Core
//! (`stability.sd3-large-v1:0`, `stability.sd3-5-large-v1:0`, `stability.stable-image-ultra-v1:*`,
//! `stability.stable-image-core-v1:*`).
//!
//! Wire format, from
//! <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-diffusion-3-5-large.html>
//! (and the SD3 Large, Ultra and Core pages): request `{"prompt": string, "negative_prompt":
//! string, "mode": "text-to-image" | "image-to-image", "aspect_ratio": "16:9" | "1:1" | ...,
//! "image": base64, "strength": 0-1, "seed": int, "output_format": "jpeg" | "png" | "webp"}`;
//! text-to-image needs only `prompt`, image-to-image needs `prompt`, `image` and `strength`
//! and takes no `aspect_ratio`. Response `{"seeds": [int], "finish_reasons": [null | "Filter
//! reason: prompt" | ...], "images": [base64]}`, one image in the requested format.
//!
//! Output sizes per aspect ratio are Stability's
//! (<https://kb.stability.ai/knowledge-base/understanding-aspect-ratios-in-our-apis>): 16:9
//! 1344x768, 1:1 1024x1024, 21:9 1536x640, 2:3 832x1216, 3:2 1216x832, 4:5 896x1088, 5:4
//! 1088x896, 9:16 768x1344, 9:21 640x1536. Image to image answers with the input's size;
//! inputs are JPEG, PNG or WebP with at least 64 pixels per side. A `seed` of 0 picks a seed,
//! derived here from the request so it stays reproducible.
//!
//! Per model: image input only for the models the catalog lists with an image input modality
//! (not Ultra and Core); WebP output only for SD3.5 Large, which also caps `seed` at
//! 4294967294 (the catalog documents both in prose, so the model ID decides).

use bedrock_fm::catalog::{Family, ModelInfo};
use image::{DynamicImage, ImageFormat};
use serde_json::{Value, json};

use super::codec_support::{self, Problems};
use crate::errors::ServiceError;
use crate::models::{FamilyCodec, InvokeCall, InvokeOutput};

const FAMILY: Family = Family::StableImage;

/// The largest input image, in bytes.
pub const MAX_IMAGE_BYTES: usize = 25_000_000;
/// Stability's own pixel bounds, the defaults of [`codec_support::ImageBounds`].
const INPUT_BOUNDS: codec_support::ImageBounds = codec_support::ImageBounds::bytes(MAX_IMAGE_BYTES);
/// The shortest input image side, in pixels.
pub const MIN_INPUT_SIDE: u32 = 64;

/// The output size of an aspect ratio.
pub fn size_of_ratio(ratio: &str) -> Option<(u32, u32)> {
    Some(match ratio {
        "16:9" => (1344, 768),
        "1:1" => (1024, 1024),
        "21:9" => (1536, 640),
        "2:3" => (832, 1216),
        "3:2" => (1216, 832),
        "4:5" => (896, 1088),
        "5:4" => (1088, 896),
        "9:16" => (768, 1344),
        "9:21" => (640, 1536),
        _ => return None,
    })
}

/// The Stable Image codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct StableImage;

fn is_sd35(info: &ModelInfo) -> bool {
    info.id.contains("sd3-5")
}

fn takes_images(info: &ModelInfo) -> bool {
    info.input_modalities
        .contains(&bedrock_fm::catalog::Modality::Image)
}

impl FamilyCodec for StableImage {
    fn family_id(&self) -> &'static str {
        FAMILY.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let body = codec_support::parse_object(call.body)?;
        let info = codec_support::model_info(call)?;
        let mut problems = Problems::of(FAMILY, &body);
        let present = |key: &str| codec_support::get(&body, &[key]).is_some();
        let mode = codec_support::get_str(&body, &["mode"]).unwrap_or("text-to-image");
        if let Some(p) = codec_support::get_str(&body, &["prompt"]) {
            problems.length("#/prompt", p, Some(1), None);
        }
        if !takes_images(info) {
            if mode == "image-to-image" {
                problems.not_enum("#/mode", mode);
            }
            for key in ["image", "strength"].into_iter().filter(|k| present(k)) {
                problems.extraneous("#", key);
            }
        } else if mode == "image-to-image" {
            for key in ["image", "strength"].into_iter().filter(|k| !present(k)) {
                problems.missing("#", key);
            }
            if present("aspect_ratio") {
                problems.extraneous("#", "aspect_ratio");
            }
        } else {
            for key in ["image", "strength"].into_iter().filter(|k| present(k)) {
                problems.extraneous("#", key);
            }
        }
        if let Some(ratio) = codec_support::get_str(&body, &["aspect_ratio"]) {
            let offered = codec_support::aspect_ratios(info);
            if size_of_ratio(ratio).is_some()
                && !offered.is_empty()
                && !offered.iter().any(|r| r == ratio)
            {
                problems.not_enum("#/aspect_ratio", ratio);
            }
        }
        let format = codec_support::get_str(&body, &["output_format"]).unwrap_or("png");
        // The catalog's `image_output_formats` (SD3.5 Large also writes webp).
        let formats = info.image_output_formats;
        if format == "webp" && !formats.is_empty() && !formats.contains(&"webp") {
            problems.not_enum("#/output_format", format);
        }
        if is_sd35(info) && codec_support::get_u64(&body, &["seed"]) == Some(4_294_967_295) {
            problems.at("#/seed", "4294967295 is not less or equal to 4294967294");
        }
        problems.check()?;

        let prompt = format!(
            "{}\u{1f}{}",
            codec_support::get_str(&body, &["prompt"]).unwrap_or_default(),
            codec_support::get_str(&body, &["negative_prompt"]).unwrap_or_default()
        );
        let seed = match codec_support::get_u64(&body, &["seed"]) {
            Some(s) if s > 0 => s,
            _ => codec_support::random_seed(call.engine, &body, 4_294_967_294),
        };
        let image = match codec_support::get_str(&body, &["image"]) {
            Some(b64) => {
                let formats = [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP];
                let input = codec_support::decode_image("#/image", b64, &formats, INPUT_BOUNDS)?;
                let (w, h) = (input.image.width(), input.image.height());
                if w < MIN_INPUT_SIDE || h < MIN_INPUT_SIDE {
                    return Err(ServiceError::validation(format!(
                        "The image at #/image is {w}x{h}; each side must be at least {MIN_INPUT_SIDE} pixels."
                    )));
                }
                let strength = codec_support::get_f64(&body, &["strength"]).unwrap_or(0.35) as f32;
                codec_support::edit(
                    call.engine,
                    &input.image.to_rgb8(),
                    &prompt,
                    seed,
                    0,
                    strength,
                )
            }
            None => {
                let ratio = codec_support::get_str(&body, &["aspect_ratio"]).unwrap_or("1:1");
                let (w, h) = size_of_ratio(ratio).unwrap_or((1024, 1024));
                codec_support::generate(call.engine, &prompt, w, h, seed, 0)
            }
        };
        let out_format = match format {
            "jpeg" => ImageFormat::Jpeg,
            "webp" => ImageFormat::WebP,
            _ => ImageFormat::Png,
        };
        let images = codec_support::encode_all(&[DynamicImage::ImageRgb8(image)], out_format);
        let response = json!({
            "seeds": [seed],
            "finish_reasons": [Value::Null],
            "images": images,
        });
        Ok(InvokeOutput::json(&response, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::families::media::codec_support::testing::*;

    const SD35: &str = "stability.sd3-5-large-v1:0";
    const SD3: &str = "stability.sd3-large-v1:0";
    const ULTRA: &str = "stability.stable-image-ultra-v1:1";
    const CORE: &str = "stability.stable-image-core-v1:1";

    #[test]
    fn documented_text_to_image_request_is_answered() {
        let body = json!({
            "prompt": "A car made out of vegetables.",
            "negative_prompt": "blurry",
            "mode": "text-to-image",
            "aspect_ratio": "16:9",
            "seed": 42,
            "output_format": "png",
        });
        for model in [SD35, SD3, ULTRA, CORE] {
            let r = ok(&StableImage, model, &body);
            assert_valid_response(FAMILY, &r);
            assert_eq!(r["seeds"], json!([42]));
            assert_eq!(r["finish_reasons"], json!([null]));
            let img = decode(&r["images"][0], ImageFormat::Png);
            assert_eq!((img.width(), img.height()), (1344, 768));
        }
        let r = ok(&StableImage, SD35, &body);
        assert_eq!(ok(&StableImage, SD35, &body), r);
        let mut other = body.clone();
        other["seed"] = json!(43);
        let a = decode(&r["images"][0], ImageFormat::Png).to_rgb8();
        let b = decode(
            &ok(&StableImage, SD35, &other)["images"][0],
            ImageFormat::Png,
        )
        .to_rgb8();
        assert_ne!(a.as_raw(), b.as_raw());
    }

    #[test]
    fn output_formats_and_defaults() {
        let r = ok(
            &StableImage,
            CORE,
            &json!({"prompt": "a bird", "output_format": "jpeg"}),
        );
        let img = decode(&r["images"][0], ImageFormat::Jpeg);
        assert_eq!((img.width(), img.height()), (1024, 1024));
        assert!(r["seeds"][0].as_u64().unwrap() > 0);
        let r = ok(
            &StableImage,
            SD35,
            &json!({"prompt": "a bird", "output_format": "webp", "aspect_ratio": "9:21"}),
        );
        let img = decode(&r["images"][0], ImageFormat::WebP);
        assert_eq!((img.width(), img.height()), (640, 1536));
        for ratio in ["1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16"] {
            assert!(size_of_ratio(ratio).is_some());
        }
    }

    #[test]
    fn image_to_image_keeps_the_input_size() {
        let body = json!({
            "prompt": "in autumn",
            "mode": "image-to-image",
            "image": jpeg_b64(200, 120),
            "strength": 0.6,
            "seed": 9,
        });
        let r = ok(&StableImage, SD35, &body);
        assert_valid_response(FAMILY, &r);
        let img = decode(&r["images"][0], ImageFormat::Png);
        assert_eq!((img.width(), img.height()), (200, 120));
        let mut small = body.clone();
        small["image"] = json!(png_b64(32, 120));
        assert!(rejected(&StableImage, SD35, &small).contains("at least 64 pixels"));
        let m = rejected(
            &StableImage,
            SD35,
            &json!({"prompt": "x", "mode": "image-to-image"}),
        );
        assert!(
            m.contains("#: required key [image] not found")
                && m.contains("#: required key [strength] not found"),
            "{m}"
        );
        let mut with_ratio = body.clone();
        with_ratio["aspect_ratio"] = json!("1:1");
        assert!(
            rejected(&StableImage, SD35, &with_ratio).contains("extraneous key [aspect_ratio]")
        );
        // Ultra and Core take no image.
        let m = rejected(&StableImage, ULTRA, &body);
        assert!(
            m.contains("#/mode: image-to-image is not a valid enum value"),
            "{m}"
        );
        assert!(
            m.contains("#: extraneous key [image] is not permitted"),
            "{m}"
        );
    }

    #[test]
    fn bad_requests_are_named() {
        let m = rejected(&StableImage, SD35, &json!({"prompt": "x", "bogus": 1}));
        assert_eq!(
            m,
            "Malformed input request: #: extraneous key [bogus] is not permitted, please reformat your input and try again."
        );
        let m = rejected(
            &StableImage,
            SD35,
            &json!({"prompt": "x", "aspect_ratio": "4:3"}),
        );
        assert!(
            m.contains("#/aspect_ratio: 4:3 is not a valid enum value"),
            "{m}"
        );
        let m = rejected(
            &StableImage,
            CORE,
            &json!({"prompt": "x", "output_format": "webp"}),
        );
        assert!(
            m.contains("#/output_format: webp is not a valid enum value"),
            "{m}"
        );
        let m = rejected(&StableImage, SD35, &json!({"prompt": "a".repeat(10_001)}));
        assert!(
            m.contains("#/prompt: expected maxLength: 10000, actual: 10001"),
            "{m}"
        );
        let m = rejected(
            &StableImage,
            SD35,
            &json!({"prompt": "x", "seed": 4_294_967_295u64}),
        );
        assert!(
            m.contains("#/seed: 4294967295 is not less or equal to 4294967294"),
            "{m}"
        );
        let m = rejected(&StableImage, SD3, &json!({"negative_prompt": "x"}));
        assert!(m.contains("#: required key [prompt] not found"), "{m}");
        stream_rejected(&StableImage, SD35, &json!({"prompt": "x"}));
    }
}
