//! The checks Bedrock makes on the images and documents of a conversation, shared by Converse
//! and the native chat bodies.
//!
//! Limits, from the Converse `Message` reference
//! (<https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Message.html>): "You
//! can include up to 20 images. Each image's size, height, and width must be no more than 3.75
//! MB, 8000 px, and 8000 px, respectively. You can include up to five documents. Each
//! document's size must be no more than 4.5 MB. If you include a ContentBlock with a document
//! field in the array, you must also include a ContentBlock with a text field. You can only
//! include images and documents if the role is user."
//!
//! The image checks follow what Claude answers through Bedrock, with recorded wording:
//!
//! - bytes of another format than declared: `The image was specified using the image/jpeg
//!   media type, but the image appears to be a image/png image` (aws-samples
//!   amazon-bedrock-client-for-mac issue #130, Converse);
//! - bytes that are no image: `Could not process image` (anthropics/claude-code issue #1747);
//! - too large: `image exceeds 5 MB maximum: 7167852 bytes > 5242880 bytes`, the byte count
//!   being the base64 length, so the 3.75 MB limit on raw bytes (aws-solutions-library-samples
//!   accelerated-intelligent-document-processing-on-aws issue #778, aws-sdk-js-v3 issue #6785);
//! - too wide or tall: `At least one of the image dimensions exceed max allowed size: 8000
//!   pixels` (Anthropic's wording for its many-image limit, anthropics/claude-code issue #52220,
//!   with the Bedrock limit);
//! - too many documents: `You can't include more than 5 documents in a request.` and duplicate
//!   names: `Messages can't contain duplicate document names.` (production logs in
//!   aws-samples/generative-ai-use-cases issue #1685).
//!
//! Ours, where no recorded message was found: too many images (`You can't include more than
//! 20 images in a request.`, modelled on the document message) and a document over 4.5 MB.

use std::io::Cursor;

/// Most images in one request.
pub const MAX_IMAGES: usize = 20;
/// Largest image, in raw bytes (3.75 MiB, whose base64 form is 5 MiB).
pub const MAX_IMAGE_BYTES: usize = 3_932_160;
/// Largest image base64 length, as Claude reports it.
pub const MAX_IMAGE_BASE64_BYTES: usize = 5_242_880;
/// Largest image width or height, in pixels.
pub const MAX_IMAGE_DIMENSION: u32 = 8_000;
/// Most documents in one request.
pub const MAX_DOCUMENTS: usize = 5;
/// Largest document, in bytes (4.5 MiB).
pub const MAX_DOCUMENT_BYTES: usize = 4_718_592;

/// Why an image is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageProblem {
    /// The bytes are not an image the server can read.
    Undecodable,
    /// The bytes are an image of another format than declared.
    FormatMismatch {
        /// The declared format (`jpeg`).
        declared: String,
        /// The detected format (`png`).
        actual: String,
    },
    /// More than [`MAX_IMAGE_BYTES`].
    TooLarge {
        /// The base64 length of the image.
        base64_len: usize,
    },
    /// Wider or taller than [`MAX_IMAGE_DIMENSION`].
    TooWide {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
}

impl ImageProblem {
    /// The message, after the `<path>: ` prefix where one applies (see [`ImageProblem::message`]).
    fn detail(&self) -> String {
        match self {
            ImageProblem::Undecodable => "Could not process image".to_owned(),
            ImageProblem::FormatMismatch { declared, actual } => format!(
                "The image was specified using the image/{declared} media type, but the image appears to be a image/{actual} image"
            ),
            ImageProblem::TooLarge { base64_len } => format!(
                "image exceeds 5 MB maximum: {base64_len} bytes > {MAX_IMAGE_BASE64_BYTES} bytes"
            ),
            ImageProblem::TooWide { .. } => format!(
                "At least one of the image dimensions exceed max allowed size: {MAX_IMAGE_DIMENSION} pixels"
            ),
        }
    }

    /// The message Claude gives for this problem at `path` (its own path spelling, e.g.
    /// `messages.0.content.1.image.source.bytes`). "Could not process image" has no path.
    pub fn message(&self, path: &str) -> String {
        match self {
            ImageProblem::Undecodable => self.detail(),
            _ => format!("{path}: {}", self.detail()),
        }
    }
}

/// The base64 length of `n` bytes.
pub fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

fn format_name(f: image::ImageFormat) -> &'static str {
    match f {
        image::ImageFormat::Png => "png",
        image::ImageFormat::Jpeg => "jpeg",
        image::ImageFormat::Gif => "gif",
        image::ImageFormat::WebP => "webp",
        image::ImageFormat::Bmp => "bmp",
        image::ImageFormat::Tiff => "tiff",
        image::ImageFormat::Ico => "x-icon",
        image::ImageFormat::Avif => "avif",
        _ => "unknown",
    }
}

/// Checks an image declared as `declared` (`png`, `jpeg`, `gif`, `webp`): size first, then
/// that the bytes are an image of that format, then its dimensions. Returns its dimensions.
pub fn check_image(bytes: &[u8], declared: &str) -> Result<(u32, u32), ImageProblem> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ImageProblem::TooLarge {
            base64_len: base64_len(bytes.len()),
        });
    }
    let Ok(format) = image::guess_format(bytes) else {
        return Err(ImageProblem::Undecodable);
    };
    let actual = format_name(format);
    if actual != declared {
        return Err(ImageProblem::FormatMismatch {
            declared: declared.to_owned(),
            actual: actual.to_owned(),
        });
    }
    let (width, height) = image::ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| ImageProblem::Undecodable)?;
    if width > MAX_IMAGE_DIMENSION || height > MAX_IMAGE_DIMENSION {
        return Err(ImageProblem::TooWide { width, height });
    }
    Ok((width, height))
}

/// "You can't include more than 20 images in a request." (ours; see the module docs).
pub fn too_many_images() -> String {
    format!("You can't include more than {MAX_IMAGES} images in a request.")
}

/// "You can't include more than 5 documents in a request." (recorded).
pub fn too_many_documents() -> String {
    format!("You can't include more than {MAX_DOCUMENTS} documents in a request.")
}

/// "Messages can't contain duplicate document names." (recorded).
pub const DUPLICATE_DOCUMENT_NAMES: &str = "Messages can't contain duplicate document names.";

/// A document over 4.5 MB (ours).
pub fn document_too_large(path: &str, len: usize) -> String {
    format!(
        "The document at {path} is {len} bytes, more than the maximum of {MAX_DOCUMENT_BYTES} bytes (4.5 MB). Reduce its size and try again."
    )
}

#[cfg(test)]
pub(crate) mod testing {
    //! Small encoded images for tests.

    /// A `width` x `height` image encoded as `format` (`png`, `jpeg`, `gif`, `webp`).
    pub fn encoded(format: &str, width: u32, height: u32) -> Vec<u8> {
        let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            width,
            height,
            image::Rgb([10, 120, 200]),
        ));
        let f = match format {
            "png" => image::ImageFormat::Png,
            "jpeg" => image::ImageFormat::Jpeg,
            "gif" => image::ImageFormat::Gif,
            _ => image::ImageFormat::WebP,
        };
        let img = if f == image::ImageFormat::Gif {
            image::DynamicImage::ImageRgba8(img.to_rgba8())
        } else {
            img
        };
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, f).expect("encodes");
        out.into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::encoded;
    use super::*;

    #[test]
    fn real_images_of_the_declared_format_pass() {
        for f in ["png", "jpeg", "gif", "webp"] {
            assert_eq!(check_image(&encoded(f, 3, 2), f), Ok((3, 2)), "{f}");
        }
    }

    #[test]
    fn mismatched_undecodable_large_and_wide_images_are_refused() {
        let png = encoded("png", 2, 2);
        let e = check_image(&png, "jpeg").unwrap_err();
        assert_eq!(
            e.message("messages.0.content.0.image.source.bytes"),
            "messages.0.content.0.image.source.bytes: The image was specified using the image/jpeg media type, but the image appears to be a image/png image"
        );
        assert_eq!(
            check_image(b"not an image", "png")
                .unwrap_err()
                .message("x"),
            "Could not process image"
        );
        let big = vec![0u8; MAX_IMAGE_BYTES + 1];
        assert_eq!(
            check_image(&big, "png").unwrap_err().message("p"),
            format!("p: image exceeds 5 MB maximum: 5242884 bytes > 5242880 bytes")
        );
        // A PNG header claiming 8001 x 1 pixels.
        let wide = encoded("png", 8001, 1);
        assert_eq!(
            check_image(&wide, "png"),
            Err(ImageProblem::TooWide {
                width: 8001,
                height: 1
            })
        );
        assert_eq!(base64_len(MAX_IMAGE_BYTES), MAX_IMAGE_BASE64_BYTES);
    }
}
