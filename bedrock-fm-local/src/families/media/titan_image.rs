//! Amazon Titan Image Generator G1 v1 (`amazon.titan-image-generator-v1`) and v2
//! (`amazon.titan-image-generator-v2:0`).
//!
//! Wire format, from
//! <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-image.html>:
//! a `taskType` (`TEXT_IMAGE`, `INPAINTING`, `OUTPAINTING`, `IMAGE_VARIATION`, and for v2
//! `COLOR_GUIDED_GENERATION` and `BACKGROUND_REMOVAL`), that task's parameters object
//! (`textToImageParams`, `inPaintingParams`, ...) and a shared `imageGenerationConfig`
//! (`numberOfImages` 1-5, `height`, `width`, `cfgScale`, `seed`, `quality`). Editing tasks take
//! a base64 JPEG or PNG `image`; inpainting and outpainting a mask as `maskPrompt` or
//! `maskImage` (black inside). The response is `{"images": ["base64-encoded string", ...],
//! "error": "string"}`, `error` set only when content moderation blocks an image.
//!
//! Output sizes: the catalog's list for the model (the page's table of supported
//! resolutions); the default is 1024x1024. Generated images have the configured size; edited
//! images (inpainting, outpainting, background removal, and variations without a size) have
//! the input image's size. Prompts are at most 512 characters (`Max input characters – 512
//! char`, <https://docs.aws.amazon.com/bedrock/latest/userguide/titan-image-models.html>),
//! input images at most 5 MB.
//!
//! v1 or v2: the catalog does not say which tasks each model has, so the model ID decides
//! (`-v1` is G1 v1: no colour-guided generation, background removal or image conditioning).

use bedrock_fm::catalog::Family;
use serde_json::json;

use super::codec_support::{self, ImageBounds, Problems, TaskRequest};
use crate::errors::ServiceError;
use crate::models::{FamilyCodec, InvokeCall, InvokeOutput};

const FAMILY: Family = Family::TitanImage;

/// The largest input image, in bytes.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;
/// The page gives no pixel limit for inputs: the conservative bounds of [`ImageBounds`].
const INPUT_BOUNDS: ImageBounds = ImageBounds::bytes(MAX_IMAGE_BYTES);

/// Output size when `imageGenerationConfig` gives none. (The catalog documents 1408 for each
/// side, a size the model's own list of sizes does not have.)
pub const DEFAULT_SIZE: (u32, u32) = (1024, 1024);

const TASKS: &[(&str, &str)] = &[
    ("TEXT_IMAGE", "textToImageParams"),
    ("INPAINTING", "inPaintingParams"),
    ("OUTPAINTING", "outPaintingParams"),
    ("IMAGE_VARIATION", "imageVariationParams"),
    ("COLOR_GUIDED_GENERATION", "colorGuidedGenerationParams"),
    ("BACKGROUND_REMOVAL", "backgroundRemovalParams"),
];

/// The members of text-to-image conditioning (v2 only: the catalog's `image_conditioning`).
const CONDITIONING: &[&str] = &["conditionImage", "controlMode", "controlStrength"];

/// The Titan Image Generator codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct TitanImage;

impl FamilyCodec for TitanImage {
    fn family_id(&self) -> &'static str {
        FAMILY.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let body = codec_support::parse_object(call.body)?;
        let info = codec_support::model_info(call)?;
        let mut problems = Problems::of(FAMILY, &body);
        let task = codec_support::check_task(&mut problems, &body, TASKS);
        // The catalog's facts of the model (model-parameters-titan-image.html: v1 has no
        // color-guided generation, background removal or conditioning).
        let offered = |t: &str| info.image_tasks.is_empty() || info.image_tasks.contains(&t);
        if let Some((t, _)) = task.filter(|(t, _)| !offered(t)) {
            problems.not_enum("#/taskType", t);
        }
        if !info.image_conditioning {
            for key in CONDITIONING {
                if codec_support::get(&body, &["textToImageParams", key]).is_some() {
                    problems.extraneous("#/textToImageParams", key);
                }
            }
        }
        if let Some((_, key)) = task {
            if let Some(text) = codec_support::get_str(&body, &[key, "text"]) {
                problems.length(&codec_support::pointer(&[key, "text"]), text, Some(1), None);
            }
            codec_support::check_colors(&mut problems, &body, &[key, "colors"]);
        }
        codec_support::check_conditioning(&mut problems, &body);
        problems.check()?;
        let task = codec_support::required_task(task)?;

        // The size defaults to 1024x1024, whatever the catalog's default.
        let side = |key, default| {
            codec_support::get_u64(&body, &["imageGenerationConfig", key])
                .map_or(default, |n| n as u32)
        };
        let size = (
            side("width", DEFAULT_SIZE.0),
            side("height", DEFAULT_SIZE.1),
        );
        let request = TaskRequest::of_body(FAMILY, &body, task, 42, size, INPUT_BOUNDS);
        let sizes = codec_support::pixel_sizes(info);
        let check_size = |w: u32, h: u32| {
            if sizes.contains(&(w, h)) {
                Ok(())
            } else {
                Err(codec_support::unsupported_size(
                    info,
                    u64::from(w),
                    u64::from(h),
                ))
            }
        };
        let images = request
            .shared_task_images(call.engine, &check_size)?
            .unwrap_or_default();
        let response =
            json!({"images": codec_support::encode_all(&images, image::ImageFormat::Png)});
        Ok(InvokeOutput::json(&response, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::families::media::codec_support::testing::*;
    use image::ImageFormat;
    use serde_json::Value;

    const V1: &str = "amazon.titan-image-generator-v1";
    const V2: &str = "amazon.titan-image-generator-v2:0";

    fn text_image(config: Value) -> Value {
        json!({
            "taskType": "TEXT_IMAGE",
            "textToImageParams": {"text": "a lighthouse at dusk", "negativeText": "people"},
            "imageGenerationConfig": config,
        })
    }

    #[test]
    fn documented_text_to_image_request_is_answered() {
        // The page's example: numberOfImages, quality, height, width, cfgScale, seed.
        let body = text_image(json!({
            "numberOfImages": 3, "quality": "standard", "height": 512, "width": 512,
            "cfgScale": 8.0, "seed": 7,
        }));
        let r = ok(&TitanImage, V1, &body);
        assert_valid_response(FAMILY, &r);
        let images = r["images"].as_array().unwrap();
        assert_eq!(images.len(), 3);
        for b64 in images {
            let img = decode(b64, ImageFormat::Png);
            assert_eq!((img.width(), img.height()), (512, 512));
        }
        assert_ne!(images[0], images[1]);
        // Deterministic; another seed gives other pixels.
        assert_eq!(ok(&TitanImage, V1, &body), r);
        let mut other = body.clone();
        other["imageGenerationConfig"]["seed"] = json!(8);
        let r2 = ok(&TitanImage, V1, &other);
        let a = decode(&r["images"][0], ImageFormat::Png).to_rgb8();
        let b = decode(&r2["images"][0], ImageFormat::Png).to_rgb8();
        assert_ne!(a.as_raw(), b.as_raw());
        // A non-square size and the default.
        let r = ok(
            &TitanImage,
            V2,
            &text_image(json!({"width": 1173, "height": 640})),
        );
        let img = decode(&r["images"][0], ImageFormat::Png);
        assert_eq!((img.width(), img.height()), (1173, 640));
        let body = json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a cat"}});
        let r = ok(&TitanImage, V2, &body);
        assert_valid_response(FAMILY, &r);
        let img = decode(&r["images"][0], ImageFormat::Png);
        assert_eq!((img.width(), img.height()), (1024, 1024));
    }

    #[test]
    fn editing_tasks_keep_the_input_size() {
        let image = png_b64(320, 192);
        let body = json!({
            "taskType": "INPAINTING",
            "inPaintingParams": {"image": image, "text": "a cat", "maskPrompt": "the window"},
            "imageGenerationConfig": {"numberOfImages": 2, "seed": 3},
        });
        let r = ok(&TitanImage, V1, &body);
        assert_valid_response(FAMILY, &r);
        assert_eq!(r["images"].as_array().unwrap().len(), 2);
        let out = decode(&r["images"][0], ImageFormat::Png);
        assert_eq!((out.width(), out.height()), (320, 192));
        // The seed decides the images: the same request answers the same, another seed not.
        assert_eq!(ok(&TitanImage, V1, &body), r);
        let mut reseeded = body.clone();
        reseeded["imageGenerationConfig"]["seed"] = json!(4);
        assert_ne!(ok(&TitanImage, V1, &reseeded)["images"][0], r["images"][0]);

        let body = json!({
            "taskType": "OUTPAINTING",
            "outPaintingParams": {
                "image": image, "text": "a garden", "maskImage": mask_b64(320, 192),
                "outPaintingMode": "PRECISE",
            },
        });
        let r = ok(&TitanImage, V1, &body);
        let out = decode(&r["images"][0], ImageFormat::Png).to_rgb8();
        assert_eq!((out.width(), out.height()), (320, 192));
        assert_eq!(r["images"].as_array().unwrap().len(), 1);

        let body = json!({
            "taskType": "IMAGE_VARIATION",
            "imageVariationParams": {"images": [jpeg_b64(200, 100)], "text": "brighter", "similarityStrength": 0.9},
        });
        let r = ok(&TitanImage, V1, &body);
        let out = decode(&r["images"][0], ImageFormat::Png);
        assert_eq!((out.width(), out.height()), (200, 100));

        let body =
            json!({"taskType": "BACKGROUND_REMOVAL", "backgroundRemovalParams": {"image": image}});
        let r = ok(&TitanImage, V2, &body);
        assert_valid_response(FAMILY, &r);
        let out = decode(&r["images"][0], ImageFormat::Png).to_rgba8();
        assert_eq!((out.width(), out.height()), (320, 192));
        assert_eq!(out.get_pixel(0, 0).0[3], 0);
        assert_eq!(out.get_pixel(160, 96).0[3], 255);

        let body = json!({
            "taskType": "COLOR_GUIDED_GENERATION",
            "colorGuidedGenerationParams": {"text": "a vase", "colors": ["#ff8080", "#FFAACC"]},
            "imageGenerationConfig": {"width": 768, "height": 768},
        });
        let r = ok(&TitanImage, V2, &body);
        let out = decode(&r["images"][0], ImageFormat::Png);
        assert_eq!((out.width(), out.height()), (768, 768));
    }

    #[test]
    fn unsupported_sizes_and_counts_are_rejected() {
        let m = rejected(
            &TitanImage,
            V1,
            &text_image(json!({"width": 1000, "height": 1000})),
        );
        assert!(m.contains("1000x1000"), "{m}");
        assert!(m.contains("1024x1024"), "{m}");
        let m = rejected(
            &TitanImage,
            V1,
            &text_image(json!({"width": 1408, "height": 1408})),
        );
        assert!(m.contains("1408x1408"), "{m}");
        let m = rejected(&TitanImage, V1, &text_image(json!({"numberOfImages": 6})));
        assert!(
            m.contains("#/imageGenerationConfig/numberOfImages: 6 is not less or equal to 5"),
            "{m}"
        );
        let m = rejected(&TitanImage, V1, &text_image(json!({"numberOfImages": 0})));
        assert!(m.contains("0 is not greater or equal to 1"), "{m}");
    }

    #[test]
    fn schema_and_task_problems_are_named() {
        let mut body = text_image(json!({}));
        body["bogus"] = json!(1);
        let m = rejected(&TitanImage, V1, &body);
        assert_eq!(
            m,
            "Malformed input request: #: extraneous key [bogus] is not permitted, please reformat your input and try again."
        );
        let m = rejected(&TitanImage, V1, &json!({"taskType": "TEXT_IMAGE"}));
        assert!(
            m.contains("#: required key [textToImageParams] not found"),
            "{m}"
        );
        let m = rejected(
            &TitanImage,
            V1,
            &json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "x"}, "inPaintingParams": {"image": "x"}}),
        );
        assert!(
            m.contains("#: extraneous key [inPaintingParams] is not permitted"),
            "{m}"
        );
        // Prompt over 512 characters, and empty.
        let long =
            json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a".repeat(513)}});
        let m = rejected(&TitanImage, V1, &long);
        assert!(
            m.contains("#/textToImageParams/text: expected maxLength: 512, actual: 513"),
            "{m}"
        );
        let empty = json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": ""}});
        assert!(rejected(&TitanImage, V1, &empty).contains("expected minLength: 1, actual: 0"));
        // V2-only tasks and conditioning on V1.
        let body = json!({"taskType": "BACKGROUND_REMOVAL", "backgroundRemovalParams": {"image": png_b64(8, 8)}});
        let m = rejected(&TitanImage, V1, &body);
        assert!(
            m.contains("#/taskType: BACKGROUND_REMOVAL is not a valid enum value"),
            "{m}"
        );
        let body = json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "x", "conditionImage": png_b64(8, 8)}});
        let m = rejected(&TitanImage, V1, &body);
        assert!(
            m.contains("#/textToImageParams: extraneous key [conditionImage] is not permitted"),
            "{m}"
        );
        let body = json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "x", "controlMode": "CANNY_EDGE"}});
        let m = rejected(&TitanImage, V2, &body);
        assert!(
            m.contains("#/textToImageParams: required key [conditionImage] not found"),
            "{m}"
        );
        // Colours must be #RRGGBB.
        let body = json!({"taskType": "COLOR_GUIDED_GENERATION", "colorGuidedGenerationParams": {"text": "x", "colors": ["red"]}});
        let m = rejected(&TitanImage, V2, &body);
        assert!(
            m.contains(
                "#/colorGuidedGenerationParams/colors/0: string [red] does not match pattern"
            ),
            "{m}"
        );
    }

    #[test]
    fn masks_and_images_are_checked() {
        // A mask without an image.
        let body = json!({"taskType": "INPAINTING", "inPaintingParams": {"maskPrompt": "the dog"}});
        let m = rejected(&TitanImage, V1, &body);
        assert!(
            m.contains("#/inPaintingParams: required key [image] not found"),
            "{m}"
        );
        // Neither or both masks.
        let body =
            json!({"taskType": "INPAINTING", "inPaintingParams": {"image": png_b64(64, 64)}});
        let m = rejected(&TitanImage, V1, &body);
        assert!(m.contains("exactly one of maskPrompt and maskImage"), "{m}");
        // A mask of another size.
        let body = json!({"taskType": "INPAINTING", "inPaintingParams": {"image": png_b64(64, 64), "maskImage": mask_b64(32, 32)}});
        let m = rejected(&TitanImage, V1, &body);
        assert!(m.contains("32x32"), "{m}");
        // Not base64, not PNG/JPEG.
        let body = json!({"taskType": "INPAINTING", "inPaintingParams": {"image": "%%%", "maskPrompt": "x"}});
        let m = rejected(&TitanImage, V1, &body);
        assert!(
            m.contains("#/inPaintingParams/image is not valid base64"),
            "{m}"
        );
        let gif = codec_support::encode_base64(b"GIF89a......");
        let body =
            json!({"taskType": "IMAGE_VARIATION", "imageVariationParams": {"images": [gif]}});
        let m = rejected(&TitanImage, V1, &body);
        assert!(
            m.contains("#/imageVariationParams/images/0 is not a supported image"),
            "{m}"
        );
        stream_rejected(&TitanImage, V1, &text_image(json!({})));
    }
}
