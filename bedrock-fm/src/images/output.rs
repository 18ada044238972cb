//! What an image call returns: the decoded images with their seeds, finish reasons and raw
//! bytes, what was sent, the request id and the latency.

use super::options::ImageTask;
use crate::error::{Error, Result};
use base64::Engine as _;
use image::{DynamicImage, ImageFormat};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why the model finished an image.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FinishReason {
    /// The image was generated.
    Success,
    /// A content filter intervened (the image may be blurred or missing); the model's words.
    ContentFiltered(String),
    /// The model failed on this image; its words.
    Error(String),
    /// A reason this version does not know, kept as received.
    Unknown(String),
}

impl FinishReason {
    /// SDXL's `finishReason` (`SUCCESS`, `CONTENT_FILTERED`, `ERROR`).
    pub(crate) fn from_sdxl(raw: &str) -> Self {
        match raw {
            "SUCCESS" => Self::Success,
            "CONTENT_FILTERED" => Self::ContentFiltered(raw.to_owned()),
            "ERROR" => Self::Error(raw.to_owned()),
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// Stable Image's `finish_reasons` entries: `null` on success, `Filter reason: ...` or
    /// `Inference error`.
    pub(crate) fn from_stable_image(raw: &Value) -> Self {
        match raw {
            Value::Null => Self::Success,
            Value::String(s) if s.starts_with("Filter reason") => Self::ContentFiltered(s.clone()),
            Value::String(s) if s.to_ascii_lowercase().contains("error") => Self::Error(s.clone()),
            Value::String(s) => Self::Unknown(s.clone()),
            other => Self::Unknown(other.to_string()),
        }
    }

    /// Whether the image was generated.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Success)
    }
}

/// The images of a call with everything known about them.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ImageDetails {
    /// The images, decoded.
    pub images: Vec<DynamicImage>,
    /// Each image's bytes as received (PNG, or JPEG/WebP where asked), before decoding.
    pub raw: Vec<Vec<u8>>,
    /// Each image's encoding.
    pub formats: Vec<ImageFormat>,
    /// Each image's seed: as reported (SDXL, Stable Image), else the seed sent, else the
    /// documented default the model used (Titan 42, Nova 12); `None` when unknown.
    pub seeds: Vec<Option<u64>>,
    /// Each image's finish reason.
    pub finish_reasons: Vec<FinishReason>,
    /// A message from the model about the call (Titan and Nova `error`: content moderation
    /// left images out).
    pub message: Option<String>,
    /// The task.
    pub task: ImageTask,
    /// The JSON body as sent.
    pub body: Value,
    /// The model ID sent.
    pub model_id: String,
    /// The service's request id.
    pub request_id: Option<String>,
    /// From sending the request to the complete response, retries included.
    pub latency: Duration,
}

impl ImageDetails {
    /// Writes each image as PNG into `dir` (created if missing), named `<stem>-<n>.png` from 1,
    /// and returns the paths in order.
    pub fn save_png(&self, dir: impl AsRef<Path>, stem: &str) -> std::io::Result<Vec<PathBuf>> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)?;
        let mut paths = Vec::new();
        for (i, img) in self.images.iter().enumerate() {
            let path = dir.join(format!("{stem}-{}.png", i + 1));
            img.save_with_format(&path, ImageFormat::Png)
                .map_err(std::io::Error::other)?;
            paths.push(path);
        }
        Ok(paths)
    }
}

/// Decodes a base64 image of a response.
pub(crate) fn decode_image(
    b64: &str,
    what: &str,
    request_id: &Option<String>,
) -> Result<(DynamicImage, Vec<u8>, ImageFormat)> {
    let bad = |why: String| -> Error {
        super::super::embeddings::model::bad_response(
            format!("cannot decode {what}: {why}"),
            request_id.clone(),
        )
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|e| bad(e.to_string()))?;
    let format = image::guess_format(&bytes).map_err(|e| bad(e.to_string()))?;
    let img =
        image::load_from_memory_with_format(&bytes, format).map_err(|e| bad(e.to_string()))?;
    Ok((img, bytes, format))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stable_image_finish_reasons() {
        assert_eq!(
            FinishReason::from_stable_image(&Value::Null),
            FinishReason::Success
        );
        assert!(matches!(
            FinishReason::from_stable_image(&json!("Filter reason: prompt")),
            FinishReason::ContentFiltered(_)
        ));
        assert!(matches!(
            FinishReason::from_stable_image(&json!("Inference error")),
            FinishReason::Error(_)
        ));
        assert_eq!(FinishReason::from_sdxl("SUCCESS"), FinishReason::Success);
    }

    #[test]
    fn undecodable_images_are_decode_errors() {
        let e = decode_image("!!!", "images[0]", &Some("rid".into())).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Decode);
        assert_eq!(e.request_id(), Some("rid"));
    }
}
