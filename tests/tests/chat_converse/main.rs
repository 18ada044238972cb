//! Chat over Converse against bedrock-fm-local over real HTTP: multimodal content, documents,
//! tool use and the tool loop, structured output, streaming, reasoning, guardrails, prompt
//! caching, latency-optimized inference and request metadata. Every check looks at the JSON
//! that went on the wire, against the shapes of the bedrock-runtime service model
//! (`ConverseRequest` and the shapes it names, in
//! botocore's `bedrock-runtime-2023-09-30` `service-2.json`), and at the typed result.
//!
//! This file holds the models and helpers the tests share; each concern's tests have a file.

mod bad_input;
mod content;
mod reasoning;
mod request_options;
mod streaming;
mod structured_output;
mod tools;

use base64::Engine as _;
use bedrock_fm::chat::tools::Tool;
use bedrock_fm::{Api, Claude3, Client, RetryPolicy};
use bedrock_fm_local::LocalServer;
use serde_json::Value;
use std::io::Cursor;
use std::time::Duration;

pub(crate) const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";
/// Tool use, no vision.
pub(crate) const HAIKU_3_5: &str = "anthropic.claude-3-5-haiku-20241022-v1:0";
/// Reasoning with a token budget.
// Claude 3.7 Sonnet and Nova 2 Lite are offered only through inference profiles.
pub(crate) const SONNET_3_7: &str = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";
/// Reasoning with an effort level (adaptive thinking).
pub(crate) const OPUS_4_6: &str = "us.anthropic.claude-opus-4-6-v1";
/// Reasoning with an effort level (Nova).
pub(crate) const NOVA_2_LITE: &str = "us.amazon.nova-2-lite-v1:0";
pub(crate) const TITAN: &str = "amazon.titan-text-premier-v1:0";

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

pub(crate) fn last_path(server: &LocalServer) -> String {
    server.last_request().expect("a request").path
}

pub(crate) fn claude(client: &Client, id: &str) -> Claude3 {
    Claude3::builder(client, id)
        .api(Api::Converse)
        .build()
        .unwrap()
}

pub(crate) fn encode(image: &image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(crate) fn unb64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().expect("base64 string"))
        .unwrap()
}

pub(crate) fn small_png() -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        4,
        3,
        image::Rgb([200, 30, 30]),
    ));
    encode(&img, image::ImageFormat::Png)
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[allow(dead_code)]
pub(crate) struct Weather {
    /// The city.
    pub(crate) city: String,
}

pub(crate) fn weather_tool() -> Tool {
    Tool::of::<Weather>("get_weather", "Today's weather in a city")
}

/// Block keys of a wire message, in order (`text`, `image`, ...): each `ContentBlock` is a
/// union with exactly one member.
pub(crate) fn block_kinds(message: &Value) -> Vec<String> {
    message["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let keys: Vec<&String> = b.as_object().unwrap().keys().collect();
            assert_eq!(keys.len(), 1, "a ContentBlock union has one member: {b}");
            keys[0].clone()
        })
        .collect()
}
