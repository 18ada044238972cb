//! Input images: an [`ImageInput`] is an `image::DynamicImage`, a file path or encoded bytes;
//! it is read, checked and base64-encoded before any request.

use crate::error::{Error, Result};
use base64::Engine as _;
use image::{DynamicImage, ImageFormat, ImageReader};
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// An image given to a model: a decoded image, a file, or encoded bytes (PNG, JPEG, WebP,
/// GIF). Files and bytes in a format the model accepts are sent as they are; anything else is
/// re-encoded as PNG.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ImageInput {
    /// A decoded image (sent as PNG).
    Image(DynamicImage),
    /// A file, read when the request is prepared.
    Path(PathBuf),
    /// Encoded image bytes.
    Bytes(Vec<u8>),
}

impl ImageInput {
    /// An image read from a file when the request is prepared.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        Self::Path(path.into())
    }

    /// Encoded image bytes (PNG, JPEG, WebP or GIF).
    pub fn bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Self::Bytes(bytes.into())
    }

    /// Decodes the image.
    pub fn load(&self) -> Result<DynamicImage> {
        self.load_at("image")
    }

    pub(crate) fn load_at(&self, location: &str) -> Result<DynamicImage> {
        match self {
            Self::Image(img) => Ok(img.clone()),
            _ => {
                let bytes = self.read(location)?;
                image::load_from_memory(&bytes)
                    .map_err(|e| Error::invalid(location, format!("cannot decode the image: {e}")))
            }
        }
    }

    fn read(&self, location: &str) -> Result<Vec<u8>> {
        match self {
            Self::Path(p) => std::fs::read(p)
                .map_err(|e| Error::invalid(location, format!("cannot read {}: {e}", p.display()))),
            Self::Bytes(b) => Ok(b.clone()),
            Self::Image(_) => unreachable!("decoded images are not read"),
        }
    }

    /// Encodes the image for a request: bytes in one of `accepted` formats as they are, the
    /// rest as PNG. `location` names the parameter in errors.
    pub(crate) fn encode(&self, location: &str, accepted: &[ImageFormat]) -> Result<EncodedImage> {
        let bytes = match self {
            Self::Image(img) => return encode_png(location, img),
            other => other.read(location)?,
        };
        if bytes.is_empty() {
            return Err(Error::invalid(location, "the image is empty (0 bytes)"));
        }
        let bad = |e: &dyn std::fmt::Display| {
            Error::invalid(location, format!("not a readable image: {e}"))
        };
        let format = image::guess_format(&bytes).map_err(|e| bad(&e))?;
        if accepted.contains(&format) {
            let (width, height) = ImageReader::with_format(Cursor::new(&bytes), format)
                .into_dimensions()
                .map_err(|e| bad(&e))?;
            return Ok(EncodedImage {
                bytes,
                format,
                width,
                height,
            });
        }
        let img = image::load_from_memory_with_format(&bytes, format).map_err(|e| bad(&e))?;
        encode_png(location, &img)
    }
}

fn encode_png(location: &str, img: &DynamicImage) -> Result<EncodedImage> {
    let img = match img {
        DynamicImage::ImageRgb8(_)
        | DynamicImage::ImageRgba8(_)
        | DynamicImage::ImageLuma8(_)
        | DynamicImage::ImageLumaA8(_) => img.clone(),
        other if other.color().has_alpha() => DynamicImage::ImageRgba8(other.to_rgba8()),
        other => DynamicImage::ImageRgb8(other.to_rgb8()),
    };
    if img.width() == 0 || img.height() == 0 {
        return Err(Error::invalid(location, "the image has no pixels"));
    }
    let mut bytes = Vec::new();
    img.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
        .map_err(|e| Error::invalid(location, format!("cannot encode the image as PNG: {e}")))?;
    Ok(EncodedImage {
        bytes,
        format: ImageFormat::Png,
        width: img.width(),
        height: img.height(),
    })
}

impl From<DynamicImage> for ImageInput {
    fn from(img: DynamicImage) -> Self {
        Self::Image(img)
    }
}

impl From<&DynamicImage> for ImageInput {
    fn from(img: &DynamicImage) -> Self {
        Self::Image(img.clone())
    }
}

impl From<PathBuf> for ImageInput {
    fn from(path: PathBuf) -> Self {
        Self::Path(path)
    }
}

impl From<&Path> for ImageInput {
    fn from(path: &Path) -> Self {
        Self::Path(path.to_owned())
    }
}

impl From<Vec<u8>> for ImageInput {
    fn from(bytes: Vec<u8>) -> Self {
        Self::Bytes(bytes)
    }
}

impl From<&[u8]> for ImageInput {
    fn from(bytes: &[u8]) -> Self {
        Self::Bytes(bytes.to_vec())
    }
}

/// An input image ready to send.
#[derive(Debug, Clone)]
pub(crate) struct EncodedImage {
    pub bytes: Vec<u8>,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

impl EncodedImage {
    /// Plain base64 (Titan, Nova Canvas, Stability).
    pub fn base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.bytes)
    }

    /// A `data:<mime>;base64,...` URI (Cohere Embed).
    pub fn data_uri(&self) -> String {
        format!(
            "data:{};base64,{}",
            self.format.to_mime_type(),
            self.base64()
        )
    }
}

/// PNG and JPEG, the formats Titan and Nova Canvas accept.
pub(crate) const PNG_JPEG: &[ImageFormat] = &[ImageFormat::Png, ImageFormat::Jpeg];

#[cfg(test)]
mod tests {
    use super::*;
    use image::RgbImage;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(RgbImage::new(w, h));
        encode_png("t", &img).unwrap().bytes
    }

    #[test]
    fn accepted_bytes_are_sent_as_they_are() {
        let bytes = png(5, 3);
        let e = ImageInput::bytes(bytes.clone())
            .encode("image", PNG_JPEG)
            .unwrap();
        assert_eq!((e.width, e.height, e.format), (5, 3, ImageFormat::Png));
        assert_eq!(e.bytes, bytes);
        assert!(e.data_uri().starts_with("data:image/png;base64,iVBOR"));
    }

    #[test]
    fn other_formats_are_re_encoded_as_png() {
        let img = DynamicImage::ImageRgb8(RgbImage::new(4, 4));
        let mut gif = Vec::new();
        img.to_rgba8()
            .write_to(&mut Cursor::new(&mut gif), ImageFormat::Gif)
            .unwrap();
        let e = ImageInput::bytes(gif).encode("image", PNG_JPEG).unwrap();
        assert_eq!(e.format, ImageFormat::Png);
        assert_eq!((e.width, e.height), (4, 4));
    }

    #[test]
    fn unreadable_inputs_name_the_parameter() {
        let e = ImageInput::bytes(b"not an image".to_vec())
            .encode("mask_image", PNG_JPEG)
            .unwrap_err();
        assert!(
            e.to_string().starts_with("InvalidInput: mask_image:"),
            "{e}"
        );
        let e = ImageInput::path("/nonexistent/x.png")
            .encode("image", PNG_JPEG)
            .unwrap_err();
        assert!(
            e.to_string().contains("cannot read /nonexistent/x.png"),
            "{e}"
        );
        assert!(
            ImageInput::bytes(Vec::new())
                .encode("image", PNG_JPEG)
                .is_err()
        );
    }
}
