//! Amazon Titan Multimodal Embeddings G1 (`amazon.titan-embed-image-v1`).
//!
//! Wire format, from
//! <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-mm.html>:
//! request `{"inputText": string, "inputImage": base64-encoded string, "embeddingConfig":
//! {"outputEmbeddingLength": 256 | 384 | 1024}}`, at least one of `inputText` and `inputImage`;
//! with both, "an embeddings vector that averages the resulting text embeddings and image
//! embeddings vectors". Response `{"embedding": [float, ...], "inputTextTokenCount": int,
//! "message": string}` (`message` reports generation errors; left out on success).
//!
//! Limits (<https://docs.aws.amazon.com/bedrock/latest/userguide/titan-multiemb-models.html>):
//! 256 input text tokens, images up to 25 MB and 2048 x 2048 pixels.
//!
//! An image embeds as words standing for its coarse colour layout (a 4x4 grid), so
//! similar images get close vectors; a text and an image share the space only through the
//! mean of a combined request.

use bedrock_fm::catalog::Family;
use image::ImageFormat;
use serde_json::json;

use super::codec_support::{self, Problems};
use crate::engine::{count_tokens, embed};
use crate::errors::ServiceError;
use crate::models::{FamilyCodec, InvokeCall, InvokeOutput, Usage};

const FAMILY: Family = Family::TitanEmbedImage;

/// The largest input image, in bytes.
pub const MAX_IMAGE_BYTES: usize = 25 * 1024 * 1024;
/// The largest input image side, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 2048;
const INPUT_BOUNDS: codec_support::ImageBounds =
    codec_support::ImageBounds::bytes(MAX_IMAGE_BYTES).sides(MAX_IMAGE_SIDE);

/// The Titan Multimodal Embeddings codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct TitanEmbedImage;

impl FamilyCodec for TitanEmbedImage {
    fn family_id(&self) -> &'static str {
        FAMILY.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let body = codec_support::parse_object(call.body)?;
        let info = codec_support::model_info(call)?;
        let mut problems = Problems::of(FAMILY, &body);
        let text = codec_support::get_str(&body, &["inputText"]);
        let image_b64 = codec_support::get_str(&body, &["inputImage"]);
        let present = |key: &str| codec_support::get(&body, &[key]).is_some();
        if !present("inputText") && !present("inputImage") {
            problems.missing("#", "inputText");
            problems.missing("#", "inputImage");
        }
        if let Some(t) = text {
            problems.length("#/inputText", t, Some(1), None);
        }
        let length_path = ["embeddingConfig", "outputEmbeddingLength"];
        if let Some(d) = codec_support::get_u64(&body, &length_path)
            && !info.embedding_dimensions.iter().any(|x| u64::from(*x) == d)
        {
            problems.not_enum(&codec_support::pointer(&length_path), d);
        }
        problems.check()?;

        let tokens = text.map(count_tokens).unwrap_or(0);
        let max_tokens = info.context_window.unwrap_or(256);
        if tokens > max_tokens {
            return Err(ServiceError::validation(format!(
                "400 Bad Request: Too many input tokens. Max input tokens: {max_tokens}, request input token count: {tokens}"
            )));
        }
        let dims = codec_support::get_u64(&body, &length_path)
            .map(|d| d as usize)
            .unwrap_or_else(|| {
                codec_support::default_dimension(info, FAMILY.request_spec(), &length_path)
            });
        let mut parts = Vec::new();
        if let Some(t) = text {
            parts.push(embed(t, dims, true));
        }
        if let Some(b64) = image_b64 {
            let input = codec_support::decode_image(
                "#/inputImage",
                b64,
                &[ImageFormat::Png, ImageFormat::Jpeg],
                INPUT_BOUNDS,
            )?;
            parts.push(embed(&codec_support::image_words(&input.image), dims, true));
        }
        let vector = codec_support::mean_embedding(&parts, dims);
        let response = json!({
            "embedding": codec_support::floats_json(&vector),
            "inputTextTokenCount": tokens,
        });
        Ok(InvokeOutput::json(&response, Some(Usage::new(tokens, 0))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cosine;
    use crate::families::media::codec_support::testing::*;

    const MODEL: &str = "amazon.titan-embed-image-v1";

    #[test]
    fn documented_requests_are_answered() {
        // Text, image, and both, as in the page's examples.
        let r = ok(
            &TitanEmbedImage,
            MODEL,
            &json!({"inputText": "A family eating dinner"}),
        );
        assert_valid_response(FAMILY, &r);
        assert_eq!(floats(&r["embedding"]).len(), 1024);
        assert_eq!(r["inputTextTokenCount"], 4);
        let body = json!({
            "inputImage": png_b64(64, 64),
            "embeddingConfig": {"outputEmbeddingLength": 256},
        });
        let r = ok(&TitanEmbedImage, MODEL, &body);
        assert_valid_response(FAMILY, &r);
        assert_eq!(floats(&r["embedding"]).len(), 256);
        assert_eq!(r["inputTextTokenCount"], 0);
        let body = json!({
            "inputText": "a red square",
            "inputImage": jpeg_b64(32, 48),
            "embeddingConfig": {"outputEmbeddingLength": 384},
        });
        let r = ok(&TitanEmbedImage, MODEL, &body);
        assert_valid_response(FAMILY, &r);
        let v = floats(&r["embedding"]);
        assert_eq!(v.len(), 384);
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3);
    }

    #[test]
    fn similarity_follows_content() {
        let e = |body: serde_json::Value| floats(&ok(&TitanEmbedImage, MODEL, &body)["embedding"]);
        let a = e(json!({"inputText": "a small dog running on the beach"}));
        let b = e(json!({"inputText": "a small dog running in the park"}));
        let c = e(json!({"inputText": "stock market quarterly report"}));
        assert!(cosine(&a, &b) > cosine(&a, &c) + 0.3);
        // The same image twice is identical; an image is closer to itself plus text than to
        // an unrelated image.
        let i1 = e(json!({"inputImage": png_b64(64, 64)}));
        let i2 = e(json!({"inputImage": png_b64(64, 64)}));
        assert_eq!(i1, i2);
        let mixed = e(json!({"inputImage": png_b64(64, 64), "inputText": "red square"}));
        let other = e(json!({"inputImage": jpeg_b64(64, 64)}));
        assert!(cosine(&i1, &mixed) > cosine(&i1, &other));
    }

    #[test]
    fn bad_requests_are_rejected() {
        let m = rejected(
            &TitanEmbedImage,
            MODEL,
            &json!({"inputText": "x", "bogus": true}),
        );
        assert!(
            m.contains("#: extraneous key [bogus] is not permitted"),
            "{m}"
        );
        let m = rejected(&TitanEmbedImage, MODEL, &json!({}));
        assert!(m.contains("required key [inputText] not found"), "{m}");
        let body = json!({"inputText": "x", "embeddingConfig": {"outputEmbeddingLength": 512}});
        let m = rejected(&TitanEmbedImage, MODEL, &body);
        assert!(
            m.contains("#/embeddingConfig/outputEmbeddingLength: 512 is not a valid enum value"),
            "{m}"
        );
        let m = rejected(&TitanEmbedImage, MODEL, &json!({"inputImage": "@@@"}));
        assert!(m.contains("#/inputImage is not valid base64"), "{m}");
        let gif = codec_support::encode_base64(b"GIF89a not really");
        let m = rejected(&TitanEmbedImage, MODEL, &json!({"inputImage": gif}));
        assert!(m.contains("PNG, JPEG"), "{m}");
        let m = rejected(
            &TitanEmbedImage,
            MODEL,
            &json!({"inputImage": png_b64(2049, 8)}),
        );
        assert!(m.contains("2049x8"), "{m}");
        // A header claiming 10,000 x 10,000 is refused before any pixel is decoded.
        let m = rejected(
            &TitanEmbedImage,
            MODEL,
            &json!({"inputImage": png_claiming(10_000, 10_000)}),
        );
        assert_eq!(
            m,
            "The image at #/inputImage is 10000x10000 pixels; the maximum is 2048x2048."
        );
        let m = rejected(
            &TitanEmbedImage,
            MODEL,
            &json!({"inputText": "w ".repeat(257)}),
        );
        assert!(
            m.contains("Max input tokens: 256, request input token count: 257"),
            "{m}"
        );
        stream_rejected(&TitanEmbedImage, MODEL, &json!({"inputText": "x"}));
    }
}
