//! What the embedding and image codecs share: strict validation against the catalog's request
//! schema with Bedrock's error wording, model lookup, JSON accessors, embedding quantization,
//! and decoding, generating, editing and encoding images.
//!
//! # Error wording
//!
//! Bedrock validates an InvokeModel body against the model's JSON schema and lists every
//! violation, each `<JSON pointer>: <problem>`, concatenated without a separator, inside
//! `Malformed input request: ..., please reformat your input and try again.`. Recorded examples:
//!
//! - promptfoo/promptfoo issue #921 (Cohere Embed, a Titan body sent to it): `Malformed input
//!   request: #: required key [texts] not found#: required key [input_type] not found#:
//!   extraneous key [inputText] is not permitted, please reformat your input and try again.`
//! - langchain4j/langchain4j issue #3717 (Cohere Embed, 200 texts): `Malformed input request:
//!   #/texts: expected maximum item count: 128, found: 200, please reformat ...`
//! - langgenius/dify issue #3942 (Cohere Embed, a long text): `expected maxLength: 2048,
//!   actual: 2459`.
//!
//! [`Problems`] collects such violations: those the catalog's strict schema finds
//! (`Family::request_spec().validate`) and the model-level ones each codec adds (a dimension the
//! model does not offer, a V2-only key sent to a V1 model, an unsupported image size, ...).
//! Checks the service makes after schema validation are plain `ValidationException`s with their
//! own message (e.g. Titan's `400 Bad Request: Too many input tokens. Max input tokens: 8192,
//! request input token count: 9875`, aws-samples/amazon-bedrock-workshop issue #136).

use std::fmt::Display;
use std::io::Cursor;

use base64::Engine as _;
use bedrock_fm::catalog::{Family, ImageSize, Model, ModelInfo};
use bedrock_fm::spec::StructSpec;
use image::{DynamicImage, ImageFormat, RgbImage, RgbaImage};
use serde_json::{Map, Value, json};

use crate::engine::{self, Engine, hash64, mix};
use crate::errors::ServiceError;
use crate::models::InvokeCall;

/// Schema violations in Bedrock's wording, in the order found.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<String>);

impl Problems {
    /// The catalog's strict schema violations of `body` for `family`.
    pub(crate) fn of(family: Family, body: &Value) -> Self {
        Self(
            family
                .request_spec()
                .validate(body)
                .iter()
                .map(ToString::to_string)
                .collect(),
        )
    }

    /// Adds `<pointer>: <message>`.
    pub(crate) fn at(&mut self, pointer: &str, message: impl Display) {
        self.0.push(format!("{pointer}: {message}"));
    }

    /// Adds `<pointer>: extraneous key [<key>] is not permitted`.
    pub(crate) fn extraneous(&mut self, pointer: &str, key: &str) {
        self.at(pointer, format!("extraneous key [{key}] is not permitted"));
    }

    /// Adds `<pointer>: required key [<key>] not found`.
    pub(crate) fn missing(&mut self, pointer: &str, key: &str) {
        self.at(pointer, format!("required key [{key}] not found"));
    }

    /// Adds `<pointer>: <value> is not a valid enum value`.
    pub(crate) fn not_enum(&mut self, pointer: &str, value: impl Display) {
        self.at(pointer, format!("{value} is not a valid enum value"));
    }

    /// Adds a string-length violation when `s` is outside `[min, max]` characters.
    pub(crate) fn length(
        &mut self,
        pointer: &str,
        s: &str,
        min: Option<usize>,
        max: Option<usize>,
    ) {
        let len = s.chars().count();
        if let Some(min) = min.filter(|m| len < *m) {
            self.at(pointer, format!("expected minLength: {min}, actual: {len}"));
        }
        if let Some(max) = max.filter(|m| len > *m) {
            self.at(pointer, format!("expected maxLength: {max}, actual: {len}"));
        }
    }

    /// `Ok` when empty, else the `ValidationException` listing every violation.
    pub(crate) fn check(self) -> Result<(), ServiceError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::malformed_input(&self.0.concat()))
        }
    }
}

/// Parses an InvokeModel body that must be a JSON object. Bedrock's schema validator reads the
/// body with org.json, whose message for anything but an object is `A JSONObject text must
/// begin with '{' at 1 [character 2 line 1]`.
pub(crate) fn parse_object(body: &[u8]) -> Result<Value, ServiceError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(ServiceError::malformed_input(
            "A JSONObject text must begin with '{' at 1 [character 2 line 1]",
        )),
        Err(e) => {
            let text = String::from_utf8_lossy(body);
            let trimmed = text.trim_start();
            if !trimmed.starts_with('{') {
                Err(ServiceError::malformed_input(
                    "A JSONObject text must begin with '{' at 1 [character 2 line 1]",
                ))
            } else {
                Err(ServiceError::malformed_input(&format!(
                    "Invalid JSON at line {} column {}",
                    e.line(),
                    e.column()
                )))
            }
        }
    }
}

/// The catalog entry of the called model; for a model the catalog does not know (a registered
/// model, see [`crate::registry`]), the entry of its family's representative.
pub(crate) fn model_info(call: &InvokeCall<'_>) -> Result<&'static ModelInfo, ServiceError> {
    Model::resolve(&call.model.model_id)
        .or_else(|_| Model::resolve(call.model_id))
        .map(|r| r.model.info())
        .ok()
        .or_else(|| {
            crate::registry::family_by_id(&call.model.family)
                .and_then(crate::registry::representative)
        })
        .ok_or_else(ServiceError::invalid_model_identifier)
}

/// The value at a wire path (`["imageGenerationConfig", "seed"]`), `None` when absent or null.
pub(crate) fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for key in path {
        cur = cur.get(*key)?;
    }
    (!cur.is_null()).then_some(cur)
}

/// The string at a wire path.
pub(crate) fn get_str<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    get(v, path).and_then(Value::as_str)
}

/// The non-negative integer at a wire path.
pub(crate) fn get_u64(v: &Value, path: &[&str]) -> Option<u64> {
    get(v, path).and_then(Value::as_u64)
}

/// The number at a wire path.
pub(crate) fn get_f64(v: &Value, path: &[&str]) -> Option<f64> {
    get(v, path).and_then(Value::as_f64)
}

/// The strings of the array at a wire path (non-strings skipped; the schema reports them).
pub(crate) fn get_strs<'a>(v: &'a Value, path: &[&str]) -> Option<Vec<&'a str>> {
    get(v, path)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
}

/// The server-side default the catalog documents for a field (`default = 42` in
/// `models.toml`), as JSON.
pub(crate) fn spec_default(spec: &StructSpec, path: &[&str]) -> Option<Value> {
    spec.field_at(path)
        .and_then(|f| f.default)
        .and_then(|d| serde_json::from_str(d).ok())
}

/// The pointer of a wire path: `#/a/b`.
pub(crate) fn pointer(path: &[&str]) -> String {
    let mut p = String::from("#");
    for seg in path {
        p.push('/');
        p.push_str(seg);
    }
    p
}

/// The embedding length a request gets: the requested one if given, else the default the
/// catalog documents for the request field, else the model's first (default) dimension.
pub(crate) fn default_dimension(info: &ModelInfo, spec: &StructSpec, path: &[&str]) -> usize {
    spec_default(spec, path)
        .and_then(|v| v.as_u64())
        .filter(|d| info.embedding_dimensions.contains(&(*d as u32)))
        .or_else(|| info.embedding_dimensions.first().map(|d| u64::from(*d)))
        .unwrap_or(1024) as usize
}

/// A deterministic identifier in UUID form, from the engine seed and `salt`.
pub(crate) fn uuid(engine: Engine, salt: &[u8]) -> String {
    let a = hash64(&[&engine.seed.to_le_bytes(), salt]);
    let b = mix(a ^ 0x5555_aaaa_5555_aaaa);
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

// ---------------------------------------------------------------------------------------
// Embeddings
// ---------------------------------------------------------------------------------------

/// A float as JSON with the shortest decimal form of the `f32` (no `0.100000001490116`).
pub(crate) fn float_json(x: f32) -> Value {
    x.to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(json!(0.0), Value::Number)
}

/// A float vector as a JSON array.
pub(crate) fn floats_json(v: &[f32]) -> Value {
    Value::Array(v.iter().copied().map(float_json).collect())
}

/// The embedding of several parts (text and images) sharing one space: the normalized mean of
/// the parts' normalized embeddings (Titan Multimodal averages its text and image vectors).
pub(crate) fn mean_embedding(parts: &[Vec<f32>], dims: usize) -> Vec<f32> {
    let mut out = vec![0f32; dims];
    for p in parts {
        for (o, x) in out.iter_mut().zip(p) {
            *o += x;
        }
    }
    let norm = out.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in &mut out {
            *x /= norm;
        }
    }
    out
}

/// Words standing for an image's content: one per cell of a 4x4 grid of its colours, quantized,
/// plus its orientation. Similar images share most words, so their embeddings (see
/// [`engine::embed`]) are close, and an image embeds deterministically.
pub(crate) fn image_words(img: &DynamicImage) -> String {
    let small = img
        .resize_exact(4, 4, image::imageops::FilterType::Triangle)
        .to_rgb8();
    let mut words: Vec<String> = small
        .enumerate_pixels()
        .map(|(x, y, p)| {
            format!(
                "imgcell{x}{y}c{}{}{}",
                p.0[0] / 64,
                p.0[1] / 64,
                p.0[2] / 64
            )
        })
        .collect();
    let orientation = match img.width().cmp(&img.height()) {
        std::cmp::Ordering::Less => "imgportrait",
        std::cmp::Ordering::Equal => "imgsquare",
        std::cmp::Ordering::Greater => "imglandscape",
    };
    words.push(orientation.to_owned());
    words.join(" ")
}

/// Each component as one bit (1 when positive), unpacked: Titan V2's `binary` embedding.
pub(crate) fn bits(v: &[f32]) -> Vec<u8> {
    v.iter().map(|x| u8::from(*x > 0.0)).collect()
}

/// Signed int8 quantization: each component scaled so the largest magnitude is 127.
pub(crate) fn int8(v: &[f32]) -> Vec<i32> {
    let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    v.iter()
        .map(|x| {
            if max == 0.0 {
                0
            } else {
                (x / max * 127.0).round().clamp(-128.0, 127.0) as i32
            }
        })
        .collect()
}

/// Unsigned int8 quantization: [`int8`] shifted by 128.
pub(crate) fn uint8(v: &[f32]) -> Vec<i32> {
    int8(v).into_iter().map(|x| x + 128).collect()
}

/// Bits packed eight to a byte, most significant first, as unsigned bytes (Cohere `ubinary`;
/// the vector is an eighth of the dimension).
pub(crate) fn ubinary(v: &[f32]) -> Vec<i32> {
    v.chunks(8)
        .map(|chunk| {
            chunk
                .iter()
                .enumerate()
                .fold(0i32, |acc, (i, x)| acc | (i32::from(*x > 0.0) << (7 - i)))
        })
        .collect()
}

/// [`ubinary`] as signed bytes (Cohere `binary`).
pub(crate) fn binary(v: &[f32]) -> Vec<i32> {
    ubinary(v).into_iter().map(|x| x - 128).collect()
}

// ---------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------

/// The image formats an input may use.
pub(crate) const PNG_JPEG: &[ImageFormat] = &[ImageFormat::Png, ImageFormat::Jpeg];

/// A decoded input image.
#[derive(Debug, Clone)]
pub(crate) struct InputImage {
    /// The pixels.
    pub(crate) image: DynamicImage,
    /// The encoding it came in.
    pub(crate) format: ImageFormat,
}

fn format_names(formats: &[ImageFormat]) -> String {
    formats
        .iter()
        .map(|f| match f {
            ImageFormat::Png => "PNG",
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::WebP => "WebP",
            ImageFormat::Gif => "GIF",
            _ => "image",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Decodes standard base64, tolerating line breaks.
pub(crate) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let b64 = base64::engine::general_purpose::STANDARD;
    b64.decode(s).ok().or_else(|| {
        let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        b64.decode(compact).ok()
    })
}

/// Encodes standard base64.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes the base64 image at `pointer`: it must be valid base64 of one of `formats`, at most
/// `max_bytes` long. The messages are this server's (the service's own wording for an
/// undecodable image is not on record).
pub(crate) fn decode_image(
    pointer: &str,
    b64: &str,
    formats: &[ImageFormat],
    max_bytes: usize,
) -> Result<InputImage, ServiceError> {
    let allowed = format_names(formats);
    let bytes = decode_base64(b64).ok_or_else(|| {
        ServiceError::validation(format!(
            "The image at {pointer} is not valid base64: send a base64-encoded {allowed} image."
        ))
    })?;
    decode_image_bytes(pointer, &bytes, formats, max_bytes)
}

/// Decodes image bytes (see [`decode_image`]).
pub(crate) fn decode_image_bytes(
    pointer: &str,
    bytes: &[u8],
    formats: &[ImageFormat],
    max_bytes: usize,
) -> Result<InputImage, ServiceError> {
    let allowed = format_names(formats);
    if bytes.len() > max_bytes {
        return Err(ServiceError::validation(format!(
            "The image at {pointer} is {} bytes; the maximum is {max_bytes} bytes.",
            bytes.len()
        )));
    }
    let format = image::guess_format(bytes)
        .ok()
        .filter(|f| formats.contains(f))
        .ok_or_else(|| {
            ServiceError::validation(format!(
                "The image at {pointer} is not a supported image: send a base64-encoded {allowed} image."
            ))
        })?;
    let image = image::load_from_memory_with_format(bytes, format).map_err(|_| {
        ServiceError::validation(format!(
            "The image at {pointer} could not be decoded as {}.",
            format_names(&[format])
        ))
    })?;
    Ok(InputImage { image, format })
}

/// The bytes of a `data:<mime>;base64,<data>` URI with an image MIME type.
pub(crate) fn data_uri_bytes(uri: &str) -> Option<Vec<u8>> {
    let rest = uri.strip_prefix("data:")?;
    let (meta, data) = rest.split_once(',')?;
    let mime = meta.strip_suffix(";base64")?;
    if !mime.starts_with("image/") {
        return None;
    }
    decode_base64(data)
}

/// Encodes an image in `format` (PNG, JPEG or WebP; PNG for anything else).
pub(crate) fn encode_image(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let result = match format {
        ImageFormat::Jpeg => DynamicImage::ImageRgb8(img.to_rgb8()).write_to(&mut out, format),
        ImageFormat::WebP => {
            DynamicImage::ImageRgba8(img.to_rgba8()).write_to(&mut out, ImageFormat::WebP)
        }
        _ => img.write_to(&mut out, ImageFormat::Png),
    };
    result.expect("encoding an image in memory does not fail");
    out.into_inner()
}

/// The seed pixels depend on: the request's seed mixed with the server's.
pub(crate) fn render_seed(engine: Engine, seed: u64) -> u64 {
    if engine.seed == 0 {
        seed
    } else {
        hash64(&[&seed.to_le_bytes(), &engine.seed.to_le_bytes()])
    }
}

/// A seed for a request that asked for a random one (`0` or none): derived from the body, so the
/// same request gets the same "random" seed, in `1..=max`.
pub(crate) fn random_seed(engine: Engine, body: &Value, max: u64) -> u64 {
    let h = hash64(&[
        &engine.seed.to_le_bytes(),
        body.to_string().as_bytes(),
        b"random-seed",
    ]);
    1 + h % max.max(1)
}

/// The `index`-th generated image for `prompt`.
pub(crate) fn generate(
    engine: Engine,
    prompt: &str,
    width: u32,
    height: u32,
    seed: u64,
    index: u32,
) -> RgbImage {
    engine::render_image(prompt, width, height, render_seed(engine, seed), index)
}

/// `input` with a generated image for `prompt` blended over it; `weight` (0..=1) is the share
/// of the generated image. The output has the input's size.
pub(crate) fn edit(
    engine: Engine,
    input: &RgbImage,
    prompt: &str,
    seed: u64,
    index: u32,
    weight: f32,
) -> RgbImage {
    let generated = generate(engine, prompt, input.width(), input.height(), seed, index);
    let w = weight.clamp(0.0, 1.0);
    RgbImage::from_fn(input.width(), input.height(), |x, y| {
        let a = input.get_pixel(x, y).0;
        let b = generated.get_pixel(x, y).0;
        let px = |i: usize| (f32::from(a[i]) * (1.0 - w) + f32::from(b[i]) * w).round() as u8;
        image::Rgb([px(0), px(1), px(2)])
    })
}

/// A mask: `true` for pixels inside it.
pub(crate) type Mask = Vec<bool>;

/// The mask of a mask image: dark pixels (luma below 128, "(0 0 0)") are inside.
pub(crate) fn mask_from_image(mask: &DynamicImage) -> Mask {
    mask.to_luma8().pixels().map(|p| p.0[0] < 128).collect()
}

/// A mask described in words (`maskPrompt`): an ellipse centred in the image whose radii come
/// from the words, deterministic.
pub(crate) fn mask_from_prompt(prompt: &str, width: u32, height: u32) -> Mask {
    let h = hash64(&[prompt.to_lowercase().as_bytes()]);
    let rx = f64::from(width) * (0.2 + (h % 20) as f64 / 100.0);
    let ry = f64::from(height) * (0.2 + ((h >> 8) % 20) as f64 / 100.0);
    let (cx, cy) = (f64::from(width) / 2.0, f64::from(height) / 2.0);
    let mut m = Vec::with_capacity((width * height) as usize);
    for y in 0..height {
        for x in 0..width {
            let dx = (f64::from(x) + 0.5 - cx) / rx.max(1.0);
            let dy = (f64::from(y) + 0.5 - cy) / ry.max(1.0);
            m.push(dx * dx + dy * dy <= 1.0);
        }
    }
    m
}

/// A horizontal band of the image as a mask: rows from `top` to `bottom` (fractions of the
/// height) are inside.
pub(crate) fn mask_band(width: u32, height: u32, top: f32, bottom: f32) -> Mask {
    let (t, b) = (
        (top * height as f32) as u32,
        (bottom * height as f32).ceil() as u32,
    );
    (0..height)
        .flat_map(|y| (0..width).map(move |_| y >= t && y < b))
        .collect()
}

/// The mask as a black (inside) and white (outside) PNG image.
pub(crate) fn mask_image(mask: &Mask, width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageLuma8(image::GrayImage::from_fn(width, height, |x, y| {
        let inside = mask.get((y * width + x) as usize).copied().unwrap_or(false);
        image::Luma([if inside { 0 } else { 255 }])
    }))
}

/// `input` with the pixels inside the mask (`inside`) or outside it (`!inside`) replaced by
/// `generated`'s.
pub(crate) fn composite(
    input: &RgbImage,
    generated: &RgbImage,
    mask: &Mask,
    replace_inside: bool,
) -> RgbImage {
    RgbImage::from_fn(input.width(), input.height(), |x, y| {
        let inside = mask
            .get((y * input.width() + x) as usize)
            .copied()
            .unwrap_or(false);
        if inside == replace_inside {
            *generated.get_pixel(x, y)
        } else {
            *input.get_pixel(x, y)
        }
    })
}

/// The image with its background made transparent: pixels close to the mean colour of the four
/// corners get alpha 0, the rest alpha 255.
pub(crate) fn remove_background(input: &RgbImage) -> RgbaImage {
    let (w, h) = (input.width(), input.height());
    let corners = [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)];
    let mut bg = [0f32; 3];
    for (x, y) in corners {
        let p = input.get_pixel(x, y).0;
        for i in 0..3 {
            bg[i] += f32::from(p[i]) / 4.0;
        }
    }
    RgbaImage::from_fn(w, h, |x, y| {
        let p = input.get_pixel(x, y).0;
        let d: f32 = (0..3).map(|i| (f32::from(p[i]) - bg[i]).abs()).sum();
        let alpha = if d < 48.0 { 0 } else { 255 };
        image::Rgba([p[0], p[1], p[2], alpha])
    })
}

/// The pixel sizes (width, height) a model lists.
pub(crate) fn pixel_sizes(info: &ModelInfo) -> Vec<(u32, u32)> {
    info.image_sizes
        .iter()
        .filter_map(|s| match s {
            ImageSize::Pixels { width, height } => Some((*width, *height)),
            _ => None,
        })
        .collect()
}

/// The aspect ratios (`"16:9"`) a model lists.
pub(crate) fn aspect_ratios(info: &ModelInfo) -> Vec<String> {
    info.image_sizes
        .iter()
        .filter_map(|s| match s {
            ImageSize::AspectRatio { width, height } => Some(format!("{width}:{height}")),
            _ => None,
        })
        .collect()
}

/// The `ValidationException` for a size not in the model's list of sizes.
pub(crate) fn unsupported_size(info: &ModelInfo, width: u64, height: u64) -> ServiceError {
    let sizes: Vec<String> = pixel_sizes(info)
        .iter()
        .map(|(w, h)| format!("{w}x{h}"))
        .collect();
    ServiceError::validation(format!(
        "The image size {width}x{height} (width x height) is not supported by {}. Supported sizes: {}.",
        info.id,
        sizes.join(", ")
    ))
}

/// Base64 PNGs (or `format`) of images.
pub(crate) fn encode_all(images: &[DynamicImage], format: ImageFormat) -> Vec<Value> {
    images
        .iter()
        .map(|img| Value::String(encode_base64(&encode_image(img, format))))
        .collect()
}

/// The keys of an object, for checks on which task parameters were sent.
pub(crate) fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .map(|m: &Map<String, Value>| m.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// Whether `s` is a `#RRGGBB` colour.
pub(crate) fn is_hex_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// Checks the `colors` of a colour-guided request (`#RRGGBB` each), in the validator's
/// wording for a pattern.
pub(crate) fn check_colors(problems: &mut Problems, body: &Value, path: &[&str]) {
    if let Some(colors) = get(body, path).and_then(Value::as_array) {
        for (i, c) in colors.iter().enumerate() {
            if let Some(s) = c.as_str().filter(|s| !is_hex_color(s)) {
                problems.at(
                    &format!("{}/{i}", pointer(path)),
                    format!("string [{s}] does not match pattern ^#[a-fA-F0-9]{{6}}$"),
                );
            }
        }
    }
}

/// An image tinted towards a palette of `#RRGGBB` colours (colour-guided generation).
pub(crate) fn tint(img: &RgbImage, colors: &[&str]) -> RgbImage {
    let palette: Vec<[u8; 3]> = colors
        .iter()
        .filter(|c| is_hex_color(c))
        .map(|c| {
            let n = u32::from_str_radix(&c[1..], 16).unwrap_or(0);
            [(n >> 16) as u8, (n >> 8) as u8, n as u8]
        })
        .collect();
    if palette.is_empty() {
        return img.clone();
    }
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let p = img.get_pixel(x, y).0;
        let c = palette[((x / 16 + y / 16) as usize) % palette.len()];
        let px = |i: usize| ((u16::from(p[i]) + 3 * u16::from(c[i])) / 4) as u8;
        image::Rgb([px(0), px(1), px(2)])
    })
}

// ---------------------------------------------------------------------------------------
// The `taskType` image requests of Titan Image Generator and Nova Canvas
// ---------------------------------------------------------------------------------------

/// Checks that the parameters object of the request's `taskType` is there and no other task's
/// is; returns the task and its parameters key. `tasks` maps task types to parameter keys.
pub(crate) fn check_task(
    problems: &mut Problems,
    body: &Value,
    tasks: &[(&'static str, &'static str)],
) -> Option<(&'static str, &'static str)> {
    let task = get_str(body, &["taskType"])?;
    let (task, key) = *tasks.iter().find(|(t, _)| *t == task)?;
    if get(body, &[key]).is_none() {
        problems.missing("#", key);
    }
    for (_, other) in tasks {
        if *other != key && get(body, &[other]).is_some() {
            problems.extraneous("#", other);
        }
    }
    Some((task, key))
}

/// Reports a `textToImageParams` that sets `controlMode` or `controlStrength` without a
/// `conditionImage` (Titan Image Generator v2, Nova Canvas).
pub(crate) fn check_conditioning(problems: &mut Problems, body: &Value) {
    let conditioned = ["controlMode", "controlStrength"]
        .iter()
        .any(|k| get(body, &["textToImageParams", k]).is_some());
    if conditioned && get(body, &["textToImageParams", "conditionImage"]).is_none() {
        problems.missing("#/textToImageParams", "conditionImage");
    }
}

/// The task [`check_task`] found, or the error of a body without `taskType`.
pub(crate) fn required_task<'a>(
    task: Option<(&'a str, &'a str)>,
) -> Result<(&'a str, &'a str), ServiceError> {
    task.ok_or_else(|| ServiceError::malformed_input("#: required key [taskType] not found"))
}

/// The `imageGenerationConfig` setting `key` of `body`, else the catalog's default for it.
pub(crate) fn config_setting(family: Family, body: &Value, key: &str) -> Option<u64> {
    let path = ["imageGenerationConfig", key];
    get_u64(body, &path)
        .or_else(|| spec_default(family.request_spec(), &path).and_then(|v| v.as_u64()))
}

/// A decoded `taskType` image request: the task, its parameters and the shared settings.
#[derive(Debug)]
pub(crate) struct TaskRequest<'a> {
    /// `taskType`.
    pub(crate) task: &'a str,
    /// The key of the task's parameters object (`inPaintingParams`).
    pub(crate) params_key: &'a str,
    /// The task's parameters object.
    pub(crate) params: &'a Value,
    /// `numberOfImages`.
    pub(crate) count: u32,
    /// `seed`.
    pub(crate) seed: u64,
    /// The output size from `imageGenerationConfig` (with the model's defaults).
    pub(crate) size: (u32, u32),
    /// Whether `width` or `height` was given.
    pub(crate) size_given: bool,
    /// The largest input image, in bytes.
    pub(crate) max_image_bytes: usize,
}

impl<'a> TaskRequest<'a> {
    /// The request of `body` for `task` (`taskType` and the key of its parameters):
    /// `numberOfImages` and `seed` from `imageGenerationConfig`, else the catalog's defaults for
    /// `family`, else one image and `fallback_seed`; output size `size`, given when
    /// `imageGenerationConfig` sets `width` or `height`.
    pub(crate) fn of_body(
        family: Family,
        body: &'a Value,
        (task, params_key): (&'a str, &'a str),
        fallback_seed: u64,
        size: (u32, u32),
        max_image_bytes: usize,
    ) -> Self {
        let given = |key| get_u64(body, &["imageGenerationConfig", key]).is_some();
        Self {
            task,
            params_key,
            params: &body[params_key],
            count: config_setting(family, body, "numberOfImages").unwrap_or(1) as u32,
            seed: config_setting(family, body, "seed").unwrap_or(fallback_seed),
            size,
            size_given: given("width") || given("height"),
            max_image_bytes,
        }
    }

    fn pointer(&self, key: &str) -> String {
        format!("#/{}/{key}", self.params_key)
    }

    fn text(&self) -> String {
        let text = self.params["text"].as_str().unwrap_or_default();
        match self.params["negativeText"].as_str() {
            Some(neg) => format!("{text}\u{1f}{neg}"),
            None => text.to_owned(),
        }
    }

    fn image(&self, key: &str) -> Result<Option<InputImage>, ServiceError> {
        match self.params[key].as_str() {
            Some(b64) => {
                decode_image(&self.pointer(key), b64, PNG_JPEG, self.max_image_bytes).map(Some)
            }
            None => Ok(None),
        }
    }

    /// The mask of an inpainting or outpainting request over an image of `size`: exactly one of
    /// `maskPrompt` and `maskImage`, the image of the input's size.
    fn mask(&self, size: (u32, u32)) -> Result<Mask, ServiceError> {
        let prompt = self.params["maskPrompt"].as_str();
        let image = self.image("maskImage")?;
        match (prompt, image) {
            (Some(p), None) => Ok(mask_from_prompt(p, size.0, size.1)),
            (None, Some(m)) => {
                let (w, h) = (m.image.width(), m.image.height());
                if (w, h) != size {
                    return Err(ServiceError::validation(format!(
                        "The mask at {} is {w}x{h}; it must have the size of the input image, {}x{}.",
                        self.pointer("maskImage"),
                        size.0,
                        size.1
                    )));
                }
                Ok(mask_from_image(&m.image))
            }
            _ => Err(ServiceError::validation(format!(
                "{}: exactly one of maskPrompt and maskImage must be provided.",
                self.params_key
            ))),
        }
    }

    /// The images of the tasks Titan Image Generator and Nova Canvas share (`TEXT_IMAGE`,
    /// `COLOR_GUIDED_GENERATION`, `IMAGE_VARIATION`, `INPAINTING`, `OUTPAINTING`,
    /// `BACKGROUND_REMOVAL`), or `None` for another task. Generated images have `size`;
    /// edited ones the input image's size (a variation: `size` when given, else its first
    /// image's). `check_size` vets an output size taken from `imageGenerationConfig`.
    pub(crate) fn shared_task_images(
        &self,
        engine: Engine,
        check_size: &dyn Fn(u32, u32) -> Result<(), ServiceError>,
    ) -> Result<Option<Vec<DynamicImage>>, ServiceError> {
        let prompt = self.text();
        let (w, h) = self.size;
        let n = self.count.max(1);
        let images = match self.task {
            "TEXT_IMAGE" => {
                check_size(w, h)?;
                let condition = self.image("conditionImage")?;
                let strength = self.params["controlStrength"].as_f64().unwrap_or(0.7) as f32;
                (0..n)
                    .map(|i| match &condition {
                        Some(c) => {
                            let base =
                                c.image
                                    .resize_exact(w, h, image::imageops::FilterType::Triangle);
                            edit(
                                engine,
                                &base.to_rgb8(),
                                &prompt,
                                self.seed,
                                i,
                                1.0 - 0.6 * strength,
                            )
                        }
                        None => generate(engine, &prompt, w, h, self.seed, i),
                    })
                    .map(DynamicImage::ImageRgb8)
                    .collect()
            }
            "COLOR_GUIDED_GENERATION" => {
                check_size(w, h)?;
                let reference = self.image("referenceImage")?;
                let colors: Vec<&str> = self.params["colors"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                (0..n)
                    .map(|i| {
                        let img = match &reference {
                            Some(r) => {
                                let base = r.image.resize_exact(
                                    w,
                                    h,
                                    image::imageops::FilterType::Triangle,
                                );
                                edit(engine, &base.to_rgb8(), &prompt, self.seed, i, 0.6)
                            }
                            None => generate(engine, &prompt, w, h, self.seed, i),
                        };
                        DynamicImage::ImageRgb8(tint(&img, &colors))
                    })
                    .collect()
            }
            "IMAGE_VARIATION" => {
                let mut inputs = Vec::new();
                let list = self.params["images"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                for (i, b64) in list.iter().enumerate() {
                    let pointer = format!("{}/{i}", self.pointer("images"));
                    let b64 = b64.as_str().unwrap_or_default();
                    inputs.push(decode_image(&pointer, b64, PNG_JPEG, self.max_image_bytes)?);
                }
                let first = inputs.first().ok_or_else(|| {
                    ServiceError::malformed_input(&format!(
                        "{}: expected minimum item count: 1, found: 0",
                        self.pointer("images")
                    ))
                })?;
                let (w, h) = if self.size_given {
                    check_size(w, h)?;
                    (w, h)
                } else {
                    (first.image.width(), first.image.height())
                };
                let similarity = self.params["similarityStrength"].as_f64().unwrap_or(0.7) as f32;
                (0..n)
                    .map(|i| {
                        let pick = &inputs[i as usize % inputs.len()].image;
                        let base = pick.resize_exact(w, h, image::imageops::FilterType::Triangle);
                        let weight = 1.0 - similarity * 0.8;
                        DynamicImage::ImageRgb8(edit(
                            engine,
                            &base.to_rgb8(),
                            &prompt,
                            self.seed,
                            i,
                            weight,
                        ))
                    })
                    .collect()
            }
            "INPAINTING" | "OUTPAINTING" => {
                let input = self.image("image")?.ok_or_else(|| {
                    ServiceError::malformed_input(&format!(
                        "#/{}: required key [image] not found",
                        self.params_key
                    ))
                })?;
                let rgb = input.image.to_rgb8();
                let size = (rgb.width(), rgb.height());
                let mask = self.mask(size)?;
                let inside = self.task == "INPAINTING";
                (0..n)
                    .map(|i| {
                        let generated = generate(engine, &prompt, size.0, size.1, self.seed, i);
                        DynamicImage::ImageRgb8(composite(&rgb, &generated, &mask, inside))
                    })
                    .collect()
            }
            "BACKGROUND_REMOVAL" => {
                let input = self.image("image")?.ok_or_else(|| {
                    ServiceError::malformed_input(&format!(
                        "#/{}: required key [image] not found",
                        self.params_key
                    ))
                })?;
                vec![DynamicImage::ImageRgba8(remove_background(
                    &input.image.to_rgb8(),
                ))]
            }
            _ => return Ok(None),
        };
        Ok(Some(images))
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the codecs' unit tests.

    use super::*;
    use crate::catalog_backend::caps_of;
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_concatenate_like_bedrock() {
        let mut p = Problems::default();
        p.missing("#", "texts");
        p.extraneous("#", "inputText");
        let e = p.check().unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some(
                "Malformed input request: #: required key [texts] not found#: extraneous key [inputText] is not permitted, please reformat your input and try again."
            )
        );
        assert!(Problems::default().check().is_ok());
    }

    #[test]
    fn non_objects_are_malformed() {
        assert!(parse_object(b"{\"a\": 1}").is_ok());
        let e = parse_object(b"[1]").unwrap_err();
        assert!(
            e.message
                .unwrap()
                .contains("A JSONObject text must begin with '{'")
        );
        let e = parse_object(b"{\"a\": ").unwrap_err();
        assert_eq!(e.error_type, "ValidationException");
    }

    #[test]
    fn quantizations() {
        let v = [0.5f32, -1.0, 0.0, 0.25, 1.0, -0.5, 0.1, 0.9, -0.2];
        assert_eq!(bits(&v), vec![1, 0, 0, 1, 1, 0, 1, 1, 0]);
        assert_eq!(int8(&v)[1], -127);
        assert_eq!(int8(&v)[4], 127);
        assert_eq!(uint8(&v)[1], 1);
        assert_eq!(ubinary(&v), vec![0b1001_1011, 0]);
        assert_eq!(binary(&v), vec![0b1001_1011 - 128, -128]);
        assert_eq!(float_json(0.1), json!(0.1));
    }

    #[test]
    fn uuids_look_like_uuids() {
        let id = uuid(Engine::default(), b"x");
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
        assert_eq!(id, uuid(Engine::default(), b"x"));
        assert_ne!(id, uuid(Engine::default(), b"y"));
    }

    #[test]
    fn images_round_trip_and_masks_apply() {
        let b64 = testing::png_b64(64, 32);
        let input = decode_image("#/image", &b64, PNG_JPEG, 1 << 20).unwrap();
        assert_eq!((input.image.width(), input.image.height()), (64, 32));
        assert_eq!(input.format, ImageFormat::Png);
        assert!(decode_image("#/image", "not base64!", PNG_JPEG, 1 << 20).is_err());
        let gif = encode_base64(b"GIF89a....");
        let e = decode_image("#/image", &gif, PNG_JPEG, 1 << 20).unwrap_err();
        assert!(e.message.unwrap().contains("PNG, JPEG"));
        let rgb = input.image.to_rgb8();
        let generated = generate(Engine::default(), "x", 64, 32, 1, 0);
        let mask = mask_band(64, 32, 0.0, 0.5);
        let out = composite(&rgb, &generated, &mask, true);
        assert_eq!(out.get_pixel(5, 2), generated.get_pixel(5, 2));
        assert_eq!(out.get_pixel(5, 30), rgb.get_pixel(5, 30));
        let nobg = remove_background(&rgb);
        assert_eq!(nobg.get_pixel(0, 0).0[3], 0);
        assert_eq!(nobg.get_pixel(32, 16).0[3], 255);
    }
}
