//! Image generation against bedrock-fm-local over real HTTP: the JSON body on the wire checked
//! against each family's documented request shape, the decoded images (size, count, the same
//! seed giving the same pixels), the editing tasks, inputs as images, paths and bytes, and
//! every bad input refused before any request.
//!
//! This file holds the models and helpers the tests share; each family or concern has a file.

mod any_image_model;
mod bad_inputs;
mod inputs;
mod nova_canvas;
mod stability;
mod titan;

use bedrock_fm::catalog::Model;
use bedrock_fm::{Client, RetryPolicy};
use bedrock_fm_local::LocalServer;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use serde_json::Value;
use std::time::Duration;

pub(crate) const TITAN_V2: Model = Model::AmazonTitanImageGeneratorV2_0;
pub(crate) const TITAN_V1: Model = Model::AmazonTitanImageGeneratorV1;
pub(crate) const NOVA: Model = Model::AmazonNovaCanvasV1_0;
pub(crate) const SDXL: Model = Model::StabilityStableDiffusionXlV1;
pub(crate) const SD35: Model = Model::StabilitySd3_5LargeV1_0;
pub(crate) const ULTRA: Model = Model::StabilityStableImageUltraV1_1;

pub(crate) fn setup() -> (LocalServer, Client) {
    let server = bedrock_fm_local::start();
    let retry = RetryPolicy::default()
        .initial_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5));
    let client = Client::from_sdk_config(&server.sdk_config()).with_retry_policy(retry);
    (server, client)
}

pub(crate) fn last_body(server: &LocalServer) -> Value {
    let record = server.last_request().expect("a request reached the server");
    serde_json::from_slice(&record.body).expect("a JSON body")
}

/// The body with every base64 image replaced by its decoded size, `"<WxH>"`.
pub(crate) fn shape(body: &Value) -> Value {
    match body {
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), shape(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        Value::String(s) if s.len() > 200 => {
            use base64::Engine as _;
            let bytes = base64::engine::general_purpose::STANDARD.decode(s).unwrap();
            let img = image::load_from_memory(&bytes).unwrap();
            Value::String(format!("<{}x{}>", img.width(), img.height()))
        }
        other => other.clone(),
    }
}

pub(crate) fn photo(w: u32, h: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 128])
    }))
}

pub(crate) fn png_bytes(img: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), ImageFormat::Png)
        .unwrap();
    out
}
