//! Amazon Nova Canvas (`amazon.nova-canvas-v1:0`).
//!
//! Wire format, from
//! <https://docs.aws.amazon.com/nova/latest/userguide/image-gen-req-resp-structure.html>: a
//! `taskType` (`TEXT_IMAGE`, `COLOR_GUIDED_GENERATION`, `IMAGE_VARIATION`, `INPAINTING`,
//! `OUTPAINTING`, `BACKGROUND_REMOVAL`, `VIRTUAL_TRY_ON`), that task's parameters object and
//! an `imageGenerationConfig` (`width`, `height`, `quality`, `cfgScale`, `seed`,
//! `numberOfImages` 1-5) for every task but background removal. Prompts are 1 to 1,024
//! characters. The response is `{"images": ["base64-encoded string", ...], "error":
//! "string"}`, plus `maskImage` when a virtual try-on asked for `returnMask`.
//!
//! Output sizes ("Supported image resolutions" in the Nova user guide): each side 320 to 4,096
//! pixels and divisible by 16, an aspect ratio between 1:4 and 4:1, and fewer than 4,194,304
//! pixels in all; the default is 1024x1024. `width` and `height` do not apply to inpainting,
//! outpainting and virtual try-on, whose outputs have the input image's size (as do
//! background removal, and variations without a size).

use bedrock_fm::catalog::Family;
use image::{DynamicImage, ImageFormat};
use serde_json::{Value, json};

use super::codec_support::{self, ImageBounds, Problems, TaskRequest};
use crate::errors::ServiceError;
use crate::models::{FamilyCodec, InvokeCall, InvokeOutput};

const FAMILY: Family = Family::NovaCanvas;

/// The largest input image, in bytes (the service's request limit is the binding one).
pub const MAX_IMAGE_BYTES: usize = 25_000_000;
/// The shortest side, in pixels.
pub const MIN_SIDE: u32 = 320;
/// The longest side, in pixels.
pub const MAX_SIDE: u32 = 4096;
/// Sides are multiples of this.
pub const SIDE_STEP: u32 = 16;
/// The total pixel count must be below this.
pub const MAX_PIXELS: u64 = 4_194_304;
/// Input images follow the output rules ("Input images for image generation": "For specific
/// details on supported input image sizes, see Supported image resolutions", same page).
const INPUT_BOUNDS: ImageBounds = ImageBounds::bytes(MAX_IMAGE_BYTES)
    .sides(MAX_SIDE)
    .pixels(MAX_PIXELS - 1);

const TASKS: &[(&str, &str)] = &[
    ("TEXT_IMAGE", "textToImageParams"),
    ("COLOR_GUIDED_GENERATION", "colorGuidedGenerationParams"),
    ("IMAGE_VARIATION", "imageVariationParams"),
    ("INPAINTING", "inPaintingParams"),
    ("OUTPAINTING", "outPaintingParams"),
    ("BACKGROUND_REMOVAL", "backgroundRemovalParams"),
    ("VIRTUAL_TRY_ON", "virtualTryOnParams"),
];

const MASK_OBJECTS: &[(&str, &str)] = &[
    ("IMAGE", "imageBasedMask"),
    ("GARMENT", "garmentBasedMask"),
    ("PROMPT", "promptBasedMask"),
];

/// The Nova Canvas codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct NovaCanvas;

/// Checks an output size against the documented rules, naming each rule it breaks.
pub fn check_size(width: u32, height: u32) -> Result<(), ServiceError> {
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
    if u64::from(width) * u64::from(height) >= MAX_PIXELS {
        broken.push(format!(
            "{} pixels is not fewer than {MAX_PIXELS}",
            u64::from(width) * u64::from(height)
        ));
    }
    if broken.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::validation(format!(
            "The image size {width}x{height} is not supported: {}. Each side must be {MIN_SIDE} to {MAX_SIDE} pixels and divisible by {SIDE_STEP}, the aspect ratio between 1:4 and 4:1, and the total pixel count below {MAX_PIXELS}.",
            broken.join("; ")
        )))
    }
}

/// The rows a garment class covers, as fractions of the height.
fn check_virtual_try_on(problems: &mut Problems, body: &Value) {
    let base = "virtualTryOnParams";
    let Some(mask_type) = codec_support::get_str(body, &[base, "maskType"]) else {
        return;
    };
    for (t, key) in MASK_OBJECTS {
        let present = codec_support::get(body, &[base, key]).is_some();
        if *t == mask_type && !present {
            problems.missing(&codec_support::pointer(&[base]), key);
        } else if *t != mask_type && present {
            problems.extraneous(&codec_support::pointer(&[base]), key);
        }
    }
    if mask_type == "IMAGE"
        && codec_support::get(body, &[base, "imageBasedMask"]).is_some()
        && codec_support::get(body, &[base, "imageBasedMask", "maskImage"]).is_none()
    {
        problems.missing(
            &codec_support::pointer(&[base, "imageBasedMask"]),
            "maskImage",
        );
    }
}

/// A virtual try-on: images of the source image's size, and the mask image (the given mask
/// for `maskType: IMAGE`, else a mask covering the whole image). The inputs are decoded and
/// checked; no garment is composited into the source.
fn virtual_try_on(
    call: &InvokeCall<'_>,
    request: &TaskRequest<'_>,
) -> Result<(Vec<DynamicImage>, DynamicImage), ServiceError> {
    let p = request.params;
    let decode = |pointer: &str, b64: &Value| {
        codec_support::decode_image(
            pointer,
            b64.as_str().unwrap_or_default(),
            codec_support::PNG_JPEG,
            INPUT_BOUNDS,
        )
    };
    let source = decode("#/virtualTryOnParams/sourceImage", &p["sourceImage"])?.image;
    decode("#/virtualTryOnParams/referenceImage", &p["referenceImage"])?;
    let (w, h) = (source.width(), source.height());
    let mask = if p["maskType"].as_str() == Some("IMAGE") {
        let pointer = "#/virtualTryOnParams/imageBasedMask/maskImage";
        let m = decode(pointer, &p["imageBasedMask"]["maskImage"])?.image;
        if (m.width(), m.height()) != (w, h) {
            return Err(ServiceError::validation(format!(
                "The mask at {pointer} is {}x{}; it must have the size of the source image, {w}x{h}.",
                m.width(),
                m.height()
            )));
        }
        m
    } else {
        DynamicImage::ImageLuma8(image::GrayImage::new(w, h))
    };
    let salt = format!(
        "virtual-try-on {}",
        p["referenceImage"].as_str().unwrap_or_default().len()
    );
    let images = (0..request.count.max(1))
        .map(|i| {
            DynamicImage::ImageRgb8(codec_support::generate(
                call.engine,
                &salt,
                w,
                h,
                request.seed,
                i,
            ))
        })
        .collect();
    Ok((images, mask))
}

impl FamilyCodec for NovaCanvas {
    fn family_id(&self) -> &'static str {
        FAMILY.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let body = codec_support::parse_object(call.body)?;
        let mut problems = Problems::of(FAMILY, &body);
        let task = codec_support::check_task(&mut problems, &body, TASKS);
        if let Some((t, key)) = task {
            if t == "BACKGROUND_REMOVAL"
                && codec_support::get(&body, &["imageGenerationConfig"]).is_some()
            {
                problems.extraneous("#", "imageGenerationConfig");
            }
            codec_support::check_colors(&mut problems, &body, &[key, "colors"]);
            if t == "VIRTUAL_TRY_ON" {
                check_virtual_try_on(&mut problems, &body);
            }
        }
        codec_support::check_conditioning(&mut problems, &body);
        problems.check()?;
        let task = codec_support::required_task(task)?;

        let side = |key| codec_support::config_setting(FAMILY, &body, key).unwrap_or(1024) as u32;
        let size = (side("width"), side("height"));
        let request = TaskRequest::of_body(FAMILY, &body, task, 12, size, INPUT_BOUNDS);
        let mut response = json!({});
        let images = match request.shared_task_images(call.engine, &check_size)? {
            Some(images) => images,
            None => {
                let (images, mask) = virtual_try_on(call, &request)?;
                if request.params["returnMask"].as_bool() == Some(true) {
                    let png = codec_support::encode_image(&mask, ImageFormat::Png);
                    response["maskImage"] = json!(codec_support::encode_base64(&png));
                }
                images
            }
        };
        response["images"] = Value::Array(codec_support::encode_all(&images, ImageFormat::Png));
        Ok(InvokeOutput::json(&response, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::families::media::codec_support::testing::*;

    const MODEL: &str = "amazon.nova-canvas-v1:0";

    #[test]
    fn documented_text_to_image_request_is_answered() {
        // The page's text-to-image request shape.
        let body = json!({
            "taskType": "TEXT_IMAGE",
            "textToImageParams": {
                "text": "A stylized picture of a cute old steampunk robot.",
                "negativeText": "blurry",
                "style": "PHOTOREALISM",
            },
            "imageGenerationConfig": {
                "width": 512, "height": 320, "quality": "standard", "cfgScale": 6.5,
                "seed": 5, "numberOfImages": 2,
            },
        });
        let r = ok(&NovaCanvas, MODEL, &body);
        assert_valid_response(FAMILY, &r);
        let images = r["images"].as_array().unwrap();
        assert_eq!(images.len(), 2);
        for b64 in images {
            let img = decode(b64, ImageFormat::Png);
            assert_eq!((img.width(), img.height()), (512, 320));
        }
        assert_eq!(ok(&NovaCanvas, MODEL, &body), r);
        let mut other = body.clone();
        other["imageGenerationConfig"]["seed"] = json!(6);
        let a = decode(&r["images"][0], ImageFormat::Png).to_rgb8();
        let b = decode(
            &ok(&NovaCanvas, MODEL, &other)["images"][0],
            ImageFormat::Png,
        )
        .to_rgb8();
        assert_ne!(a.as_raw(), b.as_raw());
        // Defaults: one 1024x1024 image.
        let body = json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a fox"}});
        let r = ok(&NovaCanvas, MODEL, &body);
        let images = r["images"].as_array().unwrap();
        assert_eq!(images.len(), 1);
        let img = decode(&images[0], ImageFormat::Png);
        assert_eq!((img.width(), img.height()), (1024, 1024));
    }

    #[test]
    fn sizes_follow_the_documented_rules() {
        assert!(check_size(1024, 1024).is_ok());
        assert!(check_size(320, 1280).is_ok());
        assert!(check_size(2048, 2032).is_ok());
        let m = check_size(1000, 1024).unwrap_err().message.unwrap();
        assert!(m.contains("width 1000 is not divisible by 16"), "{m}");
        let m = check_size(304, 512).unwrap_err().message.unwrap();
        assert!(m.contains("width 304 is not between 320 and 4096"), "{m}");
        let m = check_size(320, 1296).unwrap_err().message.unwrap();
        assert!(m.contains("aspect ratio"), "{m}");
        let m = check_size(2048, 2048).unwrap_err().message.unwrap();
        assert!(
            m.contains("4194304 pixels is not fewer than 4194304"),
            "{m}"
        );
        let body = json!({
            "taskType": "TEXT_IMAGE",
            "textToImageParams": {"text": "x"},
            "imageGenerationConfig": {"width": 1000, "height": 1000},
        });
        let m = rejected(&NovaCanvas, MODEL, &body);
        assert!(m.contains("1000x1000"), "{m}");
        let body = json!({
            "taskType": "TEXT_IMAGE",
            "textToImageParams": {"text": "x"},
            "imageGenerationConfig": {"numberOfImages": 6},
        });
        let m = rejected(&NovaCanvas, MODEL, &body);
        assert!(
            m.contains("#/imageGenerationConfig/numberOfImages: 6 is not less or equal to 5"),
            "{m}"
        );
    }

    #[test]
    fn editing_tasks() {
        let image = png_b64(320, 320);
        let body = json!({
            "taskType": "INPAINTING",
            "inPaintingParams": {"image": image, "maskPrompt": "the square", "text": "a flower"},
        });
        let r = ok(&NovaCanvas, MODEL, &body);
        assert_valid_response(FAMILY, &r);
        let out = decode(&r["images"][0], ImageFormat::Png);
        assert_eq!((out.width(), out.height()), (320, 320));

        let body = json!({
            "taskType": "OUTPAINTING",
            "outPaintingParams": {"image": jpeg_b64(400, 336), "maskImage": mask_b64(400, 336), "text": "a beach"},
        });
        let out = decode(
            &ok(&NovaCanvas, MODEL, &body)["images"][0],
            ImageFormat::Png,
        );
        assert_eq!((out.width(), out.height()), (400, 336));

        let body =
            json!({"taskType": "BACKGROUND_REMOVAL", "backgroundRemovalParams": {"image": image}});
        let out = decode(
            &ok(&NovaCanvas, MODEL, &body)["images"][0],
            ImageFormat::Png,
        );
        assert_eq!(out.to_rgba8().get_pixel(1, 1).0[3], 0);

        let body = json!({
            "taskType": "IMAGE_VARIATION",
            "imageVariationParams": {"images": [image, jpeg_b64(64, 64)], "text": "winter"},
            "imageGenerationConfig": {"width": 640, "height": 480, "numberOfImages": 3},
        });
        let r = ok(&NovaCanvas, MODEL, &body);
        assert_eq!(r["images"].as_array().unwrap().len(), 3);
        let out = decode(&r["images"][2], ImageFormat::Png);
        assert_eq!((out.width(), out.height()), (640, 480));

        let body = json!({
            "taskType": "COLOR_GUIDED_GENERATION",
            "colorGuidedGenerationParams": {"colors": ["#112233"], "text": "a car", "referenceImage": image},
        });
        assert_valid_response(FAMILY, &ok(&NovaCanvas, MODEL, &body));

        let body = json!({
            "taskType": "TEXT_IMAGE",
            "textToImageParams": {"text": "a house", "conditionImage": image, "controlMode": "SEGMENTATION"},
            "imageGenerationConfig": {"width": 640, "height": 640},
        });
        let out = decode(
            &ok(&NovaCanvas, MODEL, &body)["images"][0],
            ImageFormat::Png,
        );
        assert_eq!((out.width(), out.height()), (640, 640));
    }

    #[test]
    fn input_images_are_bounded_by_the_documented_resolutions_before_decoding() {
        for (w, h, problem) in [
            (10_000, 10_000, "the maximum is 4096x4096"),
            (
                2048,
                2048,
                "(4194304 in all); the maximum is 4194303 pixels",
            ),
        ] {
            let body = json!({
                "taskType": "IMAGE_VARIATION",
                "imageVariationParams": {"images": [png_claiming(w, h)], "text": "a cat"},
            });
            let m = rejected(&NovaCanvas, MODEL, &body);
            assert!(m.contains(problem), "{m}");
        }
    }

    #[test]
    fn virtual_try_on_returns_the_mask() {
        let body = json!({
            "taskType": "VIRTUAL_TRY_ON",
            "virtualTryOnParams": {
                "sourceImage": png_b64(336, 448),
                "referenceImage": jpeg_b64(100, 100),
                "maskType": "GARMENT",
                "garmentBasedMask": {"garmentClass": "UPPER_BODY"},
                "returnMask": true,
            },
        });
        let r = ok(&NovaCanvas, MODEL, &body);
        assert_valid_response(FAMILY, &r);
        let out = decode(&r["images"][0], ImageFormat::Png);
        assert_eq!((out.width(), out.height()), (336, 448));
        let mask = decode(&r["maskImage"], ImageFormat::Png);
        assert_eq!((mask.width(), mask.height()), (336, 448));
        let mut wrong = body.clone();
        wrong["virtualTryOnParams"]["maskType"] = json!("PROMPT");
        let m = rejected(&NovaCanvas, MODEL, &wrong);
        assert!(
            m.contains("#/virtualTryOnParams: required key [promptBasedMask] not found"),
            "{m}"
        );
        assert!(
            m.contains("#/virtualTryOnParams: extraneous key [garmentBasedMask] is not permitted"),
            "{m}"
        );
    }

    #[test]
    fn bad_requests_are_named() {
        let body =
            json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "x", "bogus": 1}});
        let m = rejected(&NovaCanvas, MODEL, &body);
        assert_eq!(
            m,
            "Malformed input request: #/textToImageParams: extraneous key [bogus] is not permitted, please reformat your input and try again."
        );
        let body =
            json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a".repeat(1025)}});
        let m = rejected(&NovaCanvas, MODEL, &body);
        assert!(
            m.contains("#/textToImageParams/text: expected maxLength: 1024, actual: 1025"),
            "{m}"
        );
        let body = json!({"taskType": "OUTPAINTING", "outPaintingParams": {"maskPrompt": "sky"}});
        let m = rejected(&NovaCanvas, MODEL, &body);
        assert!(
            m.contains("#/outPaintingParams: required key [image] not found"),
            "{m}"
        );
        let body = json!({
            "taskType": "BACKGROUND_REMOVAL",
            "backgroundRemovalParams": {"image": png_b64(32, 32)},
            "imageGenerationConfig": {"seed": 1},
        });
        let m = rejected(&NovaCanvas, MODEL, &body);
        assert!(
            m.contains("#: extraneous key [imageGenerationConfig] is not permitted"),
            "{m}"
        );
        let body = json!({"taskType": "BACKGROUND_REMOVAL", "backgroundRemovalParams": {"image": "bm90IGFuIGltYWdl"}});
        let m = rejected(&NovaCanvas, MODEL, &body);
        assert!(m.contains("is not a supported image"), "{m}");
        let body = json!({"taskType": "PAINT", "textToImageParams": {"text": "x"}});
        let m = rejected(&NovaCanvas, MODEL, &body);
        assert!(
            m.contains("#/taskType: PAINT is not a valid enum value"),
            "{m}"
        );
        stream_rejected(
            &NovaCanvas,
            MODEL,
            &json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "x"}}),
        );
    }
}
