//! Helpers for the codecs' unit tests.

use bedrock_fm::catalog::{Family, Model};
use image::{DynamicImage, ImageFormat, RgbImage};
use serde_json::Value;

use super::*;
use crate::catalog_backend::caps_of;
use crate::engine::Engine;
use crate::errors::ServiceError;
use crate::models::InvokeCall;
use crate::models::{FamilyCodec, InvokeOutput};

/// Runs `codec` on `body` as InvokeModel of `model_id` (a canonical catalog ID).
pub(crate) fn invoke(
    codec: &dyn FamilyCodec,
    model_id: &str,
    body: &Value,
) -> Result<InvokeOutput, ServiceError> {
    let model: Model = model_id.parse().expect("a catalog model ID");
    let caps = caps_of(model);
    let bytes = serde_json::to_vec(body).unwrap();
    codec.invoke(&InvokeCall {
        model: &caps,
        model_id,
        body: &bytes,
        content_type: Some("application/json"),
        accept: Some("application/json"),
        engine: Engine::default(),
        prompt_cache: None,
    })
}

/// The response JSON of a successful call; panics with the error otherwise.
pub(crate) fn ok(codec: &dyn FamilyCodec, model_id: &str, body: &Value) -> Value {
    match invoke(codec, model_id, body) {
        Ok(out) => {
            assert_eq!(out.content_type, "application/json");
            serde_json::from_slice(&out.body).unwrap()
        }
        Err(e) => panic!("{model_id} rejected {body}: {e}"),
    }
}

/// The message of a call that must fail with a `ValidationException`.
pub(crate) fn rejected(codec: &dyn FamilyCodec, model_id: &str, body: &Value) -> String {
    match invoke(codec, model_id, body) {
        Ok(out) => panic!(
            "{model_id} accepted {body}: {}",
            String::from_utf8_lossy(&out.body)
        ),
        Err(e) => {
            assert_eq!(e.error_type, "ValidationException", "{e}");
            assert_eq!(e.status, 400);
            e.message.unwrap_or_default()
        }
    }
}

/// Asserts `response` is valid against the family's catalog response schema.
pub(crate) fn assert_valid_response(family: Family, response: &Value) {
    let problems = family.response_spec().validate(response);
    assert!(problems.is_empty(), "{problems:?} in {response}");
}

/// The streaming call, which these families refuse.
pub(crate) fn stream_rejected(codec: &dyn FamilyCodec, model_id: &str, body: &Value) {
    let model: Model = model_id.parse().expect("a catalog model ID");
    let caps = caps_of(model);
    let bytes = serde_json::to_vec(body).unwrap();
    let result = codec.invoke_stream(&InvokeCall {
        model: &caps,
        model_id,
        body: &bytes,
        content_type: Some("application/json"),
        accept: Some("application/json"),
        engine: Engine::default(),
        prompt_cache: None,
    });
    match result {
        Ok(_) => panic!("{model_id} streamed"),
        Err(e) => {
            assert_eq!(e.error_type, "ValidationException");
            assert_eq!(
                e.message.as_deref(),
                Some("The model is unsupported for streaming.")
            );
        }
    }
}

/// A base64 PNG of `width` x `height` (a flat background with a square in the middle).
pub(crate) fn png_b64(width: u32, height: u32) -> String {
    let img = RgbImage::from_fn(width, height, |x, y| {
        let centre = x > width / 4 && x < 3 * width / 4 && y > height / 4 && y < 3 * height / 4;
        if centre {
            image::Rgb([200, 30, 30])
        } else {
            image::Rgb([240, 240, 240])
        }
    });
    encode_base64(&encode_image(
        &DynamicImage::ImageRgb8(img),
        ImageFormat::Png,
    ))
}

/// A base64 PNG whose header claims `width` x `height` over the pixels of a 1x1 image (a
/// decompression bomb's header without its payload): only a decoder that reads the pixels
/// finds out.
pub(crate) fn png_claiming(width: u32, height: u32) -> String {
    let mut png = encode_image(
        &DynamicImage::ImageRgb8(RgbImage::new(1, 1)),
        ImageFormat::Png,
    );
    // Signature (8), IHDR length (4) and type (4), then width and height; the chunk's CRC
    // covers its type and its 13 data bytes.
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32fast::hash(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    encode_base64(&png)
}

/// A base64 JPEG of `width` x `height`.
pub(crate) fn jpeg_b64(width: u32, height: u32) -> String {
    let img = RgbImage::from_fn(width, height, |x, _| image::Rgb([(x % 256) as u8, 90, 160]));
    encode_base64(&encode_image(
        &DynamicImage::ImageRgb8(img),
        ImageFormat::Jpeg,
    ))
}

/// A base64 black-and-white mask PNG: the left half inside.
pub(crate) fn mask_b64(width: u32, height: u32) -> String {
    let img = image::GrayImage::from_fn(width, height, |x, _| {
        image::Luma([if x < width / 2 { 0 } else { 255 }])
    });
    encode_base64(&encode_image(
        &DynamicImage::ImageLuma8(img),
        ImageFormat::Png,
    ))
}

/// Decodes a base64 image of the response, checking its format.
pub(crate) fn decode(b64: &Value, format: ImageFormat) -> DynamicImage {
    let bytes = decode_base64(b64.as_str().expect("a base64 string")).expect("base64");
    assert_eq!(image::guess_format(&bytes).unwrap(), format);
    image::load_from_memory(&bytes).expect("an image")
}

/// The floats of a JSON vector.
pub(crate) fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number") as f32)
        .collect()
}
