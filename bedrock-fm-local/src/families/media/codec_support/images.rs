//! Images: decoding inputs (base64, data URIs, formats, sizes), seeds, generating, blending,
//! tinting and background removal, the models' sizes, and encoding outputs.

use std::io::Cursor;

use base64::Engine as _;
use bedrock_fm::catalog::{ImageSize, ModelInfo};
use image::{DynamicImage, ImageFormat, ImageReader, Limits, RgbImage, RgbaImage};
use serde_json::Value;

use super::schema::{Problems, get, pointer};
use crate::engine::{self, Engine, hash64};
use crate::errors::ServiceError;

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

/// The largest input image side any image family documents: 16,383 px, from Stability's
/// image-input rules ("Width must be between 64 and 16,383 pixels", Stability AI REST API
/// reference, <https://platform.stability.ai/docs/api-reference>). The bound of families
/// whose docs give none.
pub(crate) const MAX_INPUT_SIDE: u32 = 16_383;

/// The largest input pixel count any image family documents: 9,437,184 (3072 x 3072), also
/// Stability's ("Total pixel count must be between 4,096 and 9,437,184 pixels", same page).
pub(crate) const MAX_INPUT_PIXELS: u64 = 9_437_184;

/// What an input image may be, checked on the encoded bytes and the image header before any
/// pixel is decoded: a PNG of 10,000 x 10,000 zeros is a few kilobytes on the wire and
/// hundreds of megabytes decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ImageBounds {
    /// The largest encoded image, in bytes.
    pub(crate) max_bytes: usize,
    /// The longest side, in pixels.
    pub(crate) max_side: u32,
    /// The largest width x height.
    pub(crate) max_pixels: u64,
}

impl ImageBounds {
    /// At most `max_bytes`, within [`MAX_INPUT_SIDE`] and [`MAX_INPUT_PIXELS`].
    pub(crate) const fn bytes(max_bytes: usize) -> Self {
        Self {
            max_bytes,
            max_side: MAX_INPUT_SIDE,
            max_pixels: MAX_INPUT_PIXELS,
        }
    }

    /// Sides of at most `max_side` pixels.
    pub(crate) const fn sides(mut self, max_side: u32) -> Self {
        self.max_side = max_side;
        self
    }

    /// At most `max_pixels` pixels in all.
    pub(crate) const fn pixels(mut self, max_pixels: u64) -> Self {
        self.max_pixels = max_pixels;
        self
    }

    /// The `ValidationException` of an image of `width` x `height` beyond these bounds.
    fn check(&self, pointer: &str, width: u32, height: u32) -> Result<(), ServiceError> {
        let max = self.max_side;
        if width > max || height > max {
            return Err(ServiceError::validation(format!(
                "The image at {pointer} is {width}x{height} pixels; the maximum is {max}x{max}."
            )));
        }
        let pixels = u64::from(width) * u64::from(height);
        if pixels > self.max_pixels {
            return Err(ServiceError::validation(format!(
                "The image at {pointer} is {width}x{height} pixels ({pixels} in all); the maximum is {} pixels.",
                self.max_pixels
            )));
        }
        Ok(())
    }
}

/// Decodes the base64 image at `pointer`: it must be valid base64 of one of `formats`, within
/// `bounds`. The messages are this server's (the service's own wording for an undecodable
/// image is not on record).
pub(crate) fn decode_image(
    pointer: &str,
    b64: &str,
    formats: &[ImageFormat],
    bounds: ImageBounds,
) -> Result<InputImage, ServiceError> {
    let allowed = format_names(formats);
    let bytes = decode_base64(b64).ok_or_else(|| {
        ServiceError::validation(format!(
            "The image at {pointer} is not valid base64: send a base64-encoded {allowed} image."
        ))
    })?;
    decode_image_bytes(pointer, &bytes, formats, bounds)
}

/// Decodes image bytes (see [`decode_image`]): the size and the header's dimensions are
/// checked first, and the decoder is limited to them as well.
pub(crate) fn decode_image_bytes(
    pointer: &str,
    bytes: &[u8],
    formats: &[ImageFormat],
    bounds: ImageBounds,
) -> Result<InputImage, ServiceError> {
    let allowed = format_names(formats);
    if bytes.len() > bounds.max_bytes {
        return Err(ServiceError::validation(format!(
            "The image at {pointer} is {} bytes; the maximum is {} bytes.",
            bytes.len(),
            bounds.max_bytes
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
    let undecodable = || {
        ServiceError::validation(format!(
            "The image at {pointer} could not be decoded as {}.",
            format_names(&[format])
        ))
    };
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .ok()
        // No format has empty images; the image operations assume pixels (corners, means).
        .filter(|(w, h)| *w > 0 && *h > 0)
        .ok_or_else(undecodable)?;
    bounds.check(pointer, width, height)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(bounds.max_side);
    limits.max_image_height = Some(bounds.max_side);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let image = reader.decode().map_err(|_| undecodable())?;
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
