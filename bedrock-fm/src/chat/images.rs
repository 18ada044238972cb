//! Images fitted to a model's limits before they are sent: the original bytes and format are
//! kept when the model accepts them as they are; otherwise the image is resized (keeping its
//! aspect ratio) to the largest dimension allowed and re-encoded, as PNG, or as JPEG at
//! decreasing quality when PNG stays too large. The limits come from the catalog
//! ([`ImageInputLimits`]).

use crate::catalog::{ImageInputLimits, Model};
use crate::chat::content::{Content, ImageInput, ToolResultContent};
use crate::conversation::Conversation;
use crate::error::{Error, Result};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader};
use std::io::Cursor;

/// The limits used when the model is not in the catalog (an ARN): Converse's `Message`
/// limits, which the catalog also uses as its defaults (20 images of at most 3.75 MB and
/// 8,000 px, PNG, JPEG, GIF or WebP).
pub(crate) const DEFAULT_LIMITS: ImageInputLimits = ImageInputLimits {
    formats: &["png", "jpeg", "gif", "webp"],
    max_count: 20,
    max_bytes: 3_932_160,
    max_dimension: 8000,
};

/// JPEG qualities tried, best first, when a re-encoded image is too large.
const JPEG_QUALITIES: [u8; 5] = [90, 80, 65, 50, 35];

/// How many times an image that stays too large at the lowest JPEG quality is shrunk
/// further (by a quarter each time) before giving up.
const MAX_SHRINKS: u32 = 8;

/// An image ready to be sent: its format, encoded bytes and size in pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FittedImage {
    /// `png`, `jpeg`, `gif` or `webp`.
    pub format: &'static str,
    /// The encoded image.
    pub bytes: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl FittedImage {
    /// The MIME type (`image/png`, ...).
    pub(crate) fn media_type(&self) -> String {
        format!("image/{}", self.format)
    }

    /// The bytes in standard Base64, as the native JSON formats carry them.
    pub(crate) fn base64(&self) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&self.bytes)
    }
}

/// The image limits of `model`: its catalog limits, [`DEFAULT_LIMITS`] for a model outside
/// the catalog, or an error naming the model when it takes no images.
pub(crate) fn image_limits(model: Option<Model>, model_id: &str) -> Result<ImageInputLimits> {
    match model {
        None => Ok(DEFAULT_LIMITS),
        Some(m) => m.info().image_input.ok_or_else(|| {
            Error::invalid(
                "image",
                format!("{model_id} takes no images (the catalog lists no image input for it)"),
            )
        }),
    }
}

fn format_name(format: ImageFormat) -> Option<&'static str> {
    match format {
        ImageFormat::Png => Some("png"),
        ImageFormat::Jpeg => Some("jpeg"),
        ImageFormat::Gif => Some("gif"),
        ImageFormat::WebP => Some("webp"),
        _ => None,
    }
}

fn human_bytes(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.2} MB", n as f64 / f64::from(1 << 20))
    } else if n >= 1 << 10 {
        format!("{:.1} KB", n as f64 / f64::from(1 << 10))
    } else {
        format!("{n} bytes")
    }
}

/// Fits one image to `limits`. `at` names the image in errors
/// (`"conversation turn 2, image 1"`).
///
/// Encoded input (a path or bytes) whose format is accepted and whose size and dimensions
/// are within the limits is sent unchanged (only its header is read). Anything else is
/// decoded, scaled down to `max_dimension` when larger, and encoded as PNG, then as JPEG
/// at decreasing quality while over `max_bytes` (shrinking further if the lowest quality is
/// still too large). A decoded `DynamicImage` is always encoded this way.
pub(crate) fn fit_image(
    input: &ImageInput,
    limits: &ImageInputLimits,
    at: &str,
) -> Result<FittedImage> {
    let fail = |msg: String| Error::invalid(at, msg);
    let (image, original) = match input {
        ImageInput::Image(image) => (image.clone(), None),
        ImageInput::Path(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| fail(format!("cannot read the image {}: {e}", path.display())))?;
            match probe(&bytes, limits, at)? {
                Probe::Keep(fitted) => return Ok(fitted),
                Probe::Convert(image, format) => (image, Some(format)),
            }
        }
        ImageInput::Bytes(bytes) => match probe(bytes, limits, at)? {
            Probe::Keep(fitted) => return Ok(fitted),
            Probe::Convert(image, format) => (image, Some(format)),
        },
    };
    encode_within(image, original, limits, at)
}

enum Probe {
    /// The bytes as they are.
    Keep(FittedImage),
    /// The decoded image and its original format, to be converted.
    Convert(DynamicImage, ImageFormat),
}

/// Reads the format and dimensions of encoded bytes; decodes them only when they must be
/// converted.
fn probe(bytes: &[u8], limits: &ImageInputLimits, at: &str) -> Result<Probe> {
    let fail = |msg: String| Error::invalid(at, msg);
    let format = image::guess_format(bytes).map_err(|_| {
        fail("the bytes are not an image in a known format (PNG, JPEG, GIF or WebP)".into())
    })?;
    let reader = || ImageReader::with_format(Cursor::new(bytes), format);
    let (width, height) = reader()
        .into_dimensions()
        .map_err(|e| fail(format!("cannot decode the image: {e}")))?;
    let name = format_name(format);
    let accepted = name.is_some_and(|n| limits.formats.contains(&n));
    let fits = bytes.len() as u64 <= limits.max_bytes
        && width <= limits.max_dimension
        && height <= limits.max_dimension;
    if let (true, true, Some(name)) = (accepted, fits, name) {
        return Ok(Probe::Keep(FittedImage {
            format: name,
            bytes: bytes.to_vec(),
            width,
            height,
        }));
    }
    let image = reader().decode().map_err(|e| {
        let what = name.map_or_else(|| format!("{format:?}"), str::to_uppercase);
        fail(format!("cannot decode the {what} image: {e}"))
    })?;
    Ok(Probe::Convert(image, format))
}

fn encode_png(image: &DynamicImage) -> Option<Vec<u8>> {
    let image = match image {
        DynamicImage::ImageRgb32F(_) | DynamicImage::ImageRgba32F(_) => {
            DynamicImage::ImageRgba8(image.to_rgba8())
        }
        _ => image.clone(),
    };
    let mut out = Vec::new();
    image.write_with_encoder(PngEncoder::new(&mut out)).ok()?;
    Some(out)
}

fn encode_jpeg(image: &DynamicImage, quality: u8) -> Option<Vec<u8>> {
    let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
    let mut out = Vec::new();
    rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut out, quality))
        .ok()?;
    Some(out)
}

/// Scales `image` down to fit `max` on both sides, keeping its aspect ratio.
fn scale_to(image: DynamicImage, max: u32) -> DynamicImage {
    if image.width() <= max && image.height() <= max {
        image
    } else {
        image.resize(max, max, FilterType::Triangle)
    }
}

/// Resizes and re-encodes a decoded image until it fits.
fn encode_within(
    image: DynamicImage,
    original: Option<ImageFormat>,
    limits: &ImageInputLimits,
    at: &str,
) -> Result<FittedImage> {
    let accepts = |f: &str| limits.formats.contains(&f);
    let (png, jpeg) = (accepts("png"), accepts("jpeg"));
    if !png && !jpeg {
        let msg = format!(
            "the image must be converted, and the model takes neither PNG nor JPEG (it takes {})",
            limits.formats.join(", ")
        );
        return Err(Error::invalid(at, msg));
    }
    // A JPEG photo stays a JPEG; everything else is tried as PNG first.
    let jpeg_first = original == Some(ImageFormat::Jpeg) && jpeg;
    let mut image = scale_to(image, limits.max_dimension.max(1));
    let mut smallest = u64::MAX;
    for _ in 0..=MAX_SHRINKS {
        let png_try = (png && !jpeg_first).then_some(("png", None));
        let jpeg_tries = JPEG_QUALITIES
            .iter()
            .filter(|_| jpeg)
            .map(|q| ("jpeg", Some(*q)));
        for (format, quality) in png_try.into_iter().chain(jpeg_tries) {
            let bytes = match quality {
                None => encode_png(&image),
                Some(q) => encode_jpeg(&image, q),
            }
            .ok_or_else(|| Error::invalid(at, format!("cannot encode the image as {format}")))?;
            smallest = smallest.min(bytes.len() as u64);
            if bytes.len() as u64 <= limits.max_bytes {
                return Ok(FittedImage {
                    format,
                    width: image.width(),
                    height: image.height(),
                    bytes,
                });
            }
        }
        let (w, h) = (image.width(), image.height());
        if w <= 16 && h <= 16 {
            break;
        }
        image = image.resize((w * 3 / 4).max(1), (h * 3 / 4).max(1), FilterType::Triangle);
    }
    let msg = format!(
        "the image cannot be fitted under the model's {} limit (smallest encoding: {})",
        human_bytes(limits.max_bytes),
        human_bytes(smallest)
    );
    Err(Error::invalid(at, msg))
}

/// The images of a conversation in order, each with where it is (`conversation turn 2,
/// image 1`, or `conversation turn 4, tool result 1, image 1`).
pub(crate) fn images_of(conversation: &Conversation) -> Vec<(String, &ImageInput)> {
    let mut out = Vec::new();
    for (t, turn) in conversation.turns().iter().enumerate() {
        let mut n = 0;
        let mut results = 0;
        for c in &turn.content {
            match c {
                Content::Image(image) => {
                    n += 1;
                    out.push((format!("conversation turn {}, image {n}", t + 1), image));
                }
                Content::ToolResult(r) => {
                    results += 1;
                    let mut k = 0;
                    for part in &r.content {
                        if let ToolResultContent::Image(image) = part {
                            k += 1;
                            let at = format!(
                                "conversation turn {}, tool result {results}, image {k}",
                                t + 1
                            );
                            out.push((at, image));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Checks that the conversation holds no more images (tool-result images included) than
/// `limits` allow; the error names the first image over the limit.
pub(crate) fn check_image_count(
    conversation: &Conversation,
    limits: &ImageInputLimits,
) -> Result<()> {
    let images = images_of(conversation);
    match images.get(limits.max_count as usize) {
        None => Ok(()),
        Some((at, _)) => Err(Error::invalid(
            at.clone(),
            format!(
                "the conversation has {} images; the model takes at most {} per request",
                images.len(),
                limits.max_count
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    fn limits(formats: &'static [&'static str], max_bytes: u64, max_dim: u32) -> ImageInputLimits {
        ImageInputLimits {
            formats,
            max_count: 2,
            max_bytes,
            max_dimension: max_dim,
        }
    }

    /// A gradient, which compresses well.
    fn gradient(w: u32, h: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }))
    }

    /// Pseudo-random pixels, which do not.
    fn noise(w: u32, h: u32) -> DynamicImage {
        let mut state = 0x2545_f491_u32;
        DynamicImage::ImageRgba8(RgbaImage::from_fn(w, h, |_, _| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let [a, b, c, _] = state.to_le_bytes();
            Rgba([a, b, c, 255])
        }))
    }

    fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn an_accepted_image_within_limits_is_sent_as_it_is() {
        let png = encoded(&gradient(64, 48), ImageFormat::Png);
        let fitted = fit_image(
            &ImageInput::Bytes(png.clone()),
            &DEFAULT_LIMITS,
            "conversation turn 1, image 1",
        )
        .unwrap();
        assert_eq!(fitted.format, "png");
        assert_eq!(fitted.bytes, png);
        assert_eq!((fitted.width, fitted.height), (64, 48));
        assert_eq!(fitted.media_type(), "image/png");

        let jpeg = encoded(&gradient(40, 30), ImageFormat::Jpeg);
        let fitted = fit_image(&ImageInput::Bytes(jpeg.clone()), &DEFAULT_LIMITS, "x").unwrap();
        assert_eq!((fitted.format, fitted.bytes), ("jpeg", jpeg));
    }

    #[test]
    fn an_image_from_a_path_is_read_and_kept() {
        let gif = encoded(&gradient(20, 10), ImageFormat::Gif);
        let path = std::env::temp_dir().join(format!("bedrock-fm-fit-{}.gif", std::process::id()));
        std::fs::write(&path, &gif).unwrap();
        let fitted = fit_image(&ImageInput::Path(path.clone()), &DEFAULT_LIMITS, "x").unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!((fitted.format, fitted.bytes), ("gif", gif));
        let missing = fit_image(
            &ImageInput::Path(path.clone()),
            &DEFAULT_LIMITS,
            "conversation turn 3, image 2",
        )
        .unwrap_err()
        .to_string();
        assert!(
            missing.contains("conversation turn 3, image 2: cannot read the image"),
            "{missing}"
        );
    }

    #[test]
    fn a_large_image_is_resized_keeping_its_aspect_ratio() {
        let png = encoded(&gradient(400, 100), ImageFormat::Png);
        let fitted = fit_image(
            &ImageInput::Bytes(png),
            &limits(&["png", "jpeg"], 1 << 20, 200),
            "x",
        )
        .unwrap();
        assert_eq!(fitted.format, "png");
        assert_eq!((fitted.width, fitted.height), (200, 50));
        let back = image::load_from_memory(&fitted.bytes).unwrap();
        assert_eq!((back.width(), back.height()), (200, 50));

        // A JPEG stays a JPEG when it is resized.
        let jpeg = encoded(&gradient(300, 600), ImageFormat::Jpeg);
        let fitted = fit_image(
            &ImageInput::Bytes(jpeg),
            &limits(&["png", "jpeg"], 1 << 20, 100),
            "x",
        )
        .unwrap();
        assert_eq!(
            (fitted.format, fitted.width, fitted.height),
            ("jpeg", 50, 100)
        );
    }

    #[test]
    fn an_unaccepted_format_or_a_decoded_image_is_re_encoded() {
        let gif = encoded(&gradient(30, 20), ImageFormat::Gif);
        let fitted = fit_image(
            &ImageInput::Bytes(gif),
            &limits(&["png", "jpeg"], 1 << 20, 8000),
            "x",
        )
        .unwrap();
        assert_eq!(fitted.format, "png");
        assert_eq!(guess_png(&fitted.bytes), ImageFormat::Png);
        assert_eq!((fitted.width, fitted.height), (30, 20));

        let decoded = ImageInput::Image(gradient(16, 16));
        let fitted = fit_image(&decoded, &DEFAULT_LIMITS, "x").unwrap();
        assert_eq!((fitted.format, fitted.width), ("png", 16));
    }

    fn guess_png(bytes: &[u8]) -> ImageFormat {
        image::guess_format(bytes).unwrap()
    }

    #[test]
    fn an_image_too_large_as_png_becomes_a_jpeg_within_the_byte_limit() {
        let png = encoded(&noise(256, 256), ImageFormat::Png);
        assert!(png.len() > 150_000);
        let max = 60_000;
        let fitted = fit_image(
            &ImageInput::Bytes(png),
            &limits(&["png", "jpeg"], max, 8000),
            "x",
        )
        .unwrap();
        assert_eq!(fitted.format, "jpeg");
        assert!(fitted.bytes.len() as u64 <= max, "{}", fitted.bytes.len());
        assert_eq!(
            image::guess_format(&fitted.bytes).unwrap(),
            ImageFormat::Jpeg
        );
    }

    #[test]
    fn an_image_that_cannot_be_fitted_or_decoded_is_an_error_naming_it() {
        let png = encoded(&noise(64, 64), ImageFormat::Png);
        let err = fit_image(
            &ImageInput::Bytes(png),
            &limits(&["png"], 100, 8000),
            "conversation turn 2, image 1",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("conversation turn 2, image 1: the image cannot be fitted under the model's 100 bytes limit"),
            "{err}"
        );

        let err = fit_image(
            &ImageInput::Bytes(b"definitely not an image".to_vec()),
            &DEFAULT_LIMITS,
            "conversation turn 1, image 3",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("conversation turn 1, image 3: the bytes are not an image"),
            "{err}"
        );

        // A PNG signature followed by garbage.
        let mut broken = encoded(&gradient(8, 8), ImageFormat::Png);
        broken.truncate(12);
        let err = fit_image(&ImageInput::Bytes(broken), &DEFAULT_LIMITS, "turn")
            .unwrap_err()
            .to_string();
        assert!(err.contains("turn: cannot decode the image"), "{err}");

        let err = fit_image(
            &ImageInput::Bytes(encoded(&gradient(8, 8), ImageFormat::Gif)),
            &limits(&["webp"], 1 << 20, 8000),
            "x",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("takes neither PNG nor JPEG (it takes webp)"),
            "{err}"
        );
    }

    #[test]
    fn too_many_images_are_refused_naming_the_first_one_over_the_limit() {
        let img = || Content::image_bytes(encoded(&gradient(4, 4), ImageFormat::Png));
        let c = Conversation::new()
            .human_with([img(), Content::text("and")])
            .assistant("ok")
            .human_with([Content::text("these"), img(), img()]);
        let lim = limits(&["png"], 1 << 20, 8000);
        let err = check_image_count(&c, &lim).unwrap_err().to_string();
        assert_eq!(
            err,
            "InvalidInput: conversation turn 3, image 2: the conversation has 3 images; the model takes at most 2 per request"
        );
        let two = Conversation::new().human_with([img(), img()]);
        check_image_count(&two, &lim).unwrap();
    }

    #[test]
    fn models_without_image_input_are_named() {
        let err = image_limits(
            Some(Model::AmazonTitanTextPremierV1_0),
            "amazon.titan-text-premier-v1:0",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("amazon.titan-text-premier-v1:0 takes no images"),
            "{err}"
        );
        assert_eq!(image_limits(None, "arn:x").unwrap(), DEFAULT_LIMITS);
    }
}
