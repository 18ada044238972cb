//! What the embedding and image codecs share, by concern: request bodies ([`schema`]: strict
//! validation against the catalog's request schema with Bedrock's error wording, model lookup,
//! JSON accessors), [`embeddings`] (vectors and quantizations), [`images`] (decoding,
//! generating, editing, encoding) and the `taskType` image requests ([`tasks`]; masks are
//! validated, not composited).
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

mod embeddings;
mod images;
mod schema;
mod tasks;
#[cfg(test)]
pub(crate) mod testing;

pub(crate) use embeddings::*;
pub(crate) use images::*;
pub(crate) use schema::*;
pub(crate) use tasks::*;

#[cfg(test)]
mod tests {
    use image::ImageFormat;
    use serde_json::json;

    use super::*;
    use crate::engine::Engine;

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
    fn image_dimensions_are_bounded_before_decoding() {
        let bounds = ImageBounds::bytes(1 << 20);
        let bomb = testing::png_claiming(10_000, 10_000);
        let e = decode_image("#/image", &bomb, PNG_JPEG, bounds).unwrap_err();
        assert_eq!(e.error_type, "ValidationException");
        assert_eq!(
            e.message.as_deref(),
            Some(
                "The image at #/image is 10000x10000 pixels (100000000 in all); the maximum is 9437184 pixels."
            )
        );
        let e = decode_image(
            "#/image",
            &testing::png_claiming(20_000, 1),
            PNG_JPEG,
            bounds,
        )
        .unwrap_err();
        assert!(e.message.unwrap().contains("the maximum is 16383x16383"));
        let small = ImageBounds::bytes(1 << 20).sides(32).pixels(64 * 16);
        let e = decode_image("#/image", &testing::png_b64(33, 8), PNG_JPEG, small).unwrap_err();
        assert!(
            e.message
                .unwrap()
                .contains("33x8 pixels; the maximum is 32x32")
        );
        assert!(decode_image("#/image", &testing::png_b64(32, 32), PNG_JPEG, small).is_ok());
        let e = decode_image(
            "#/image",
            &testing::png_b64(32, 33),
            PNG_JPEG,
            small.sides(64),
        )
        .unwrap_err();
        assert!(e.message.unwrap().contains("(1056 in all)"));
        // Within the bounds, a header that lies about the pixels is undecodable, not a panic.
        let e =
            decode_image("#/image", &testing::png_claiming(64, 64), PNG_JPEG, bounds).unwrap_err();
        assert!(e.message.unwrap().contains("could not be decoded as PNG"));
        let e =
            decode_image("#/image", &testing::png_claiming(0, 5), PNG_JPEG, bounds).unwrap_err();
        assert!(e.message.unwrap().contains("could not be decoded as PNG"));
    }

    #[test]
    fn images_round_trip_and_backgrounds_are_removed() {
        let b64 = testing::png_b64(64, 32);
        let input = decode_image("#/image", &b64, PNG_JPEG, ImageBounds::bytes(1 << 20)).unwrap();
        assert_eq!((input.image.width(), input.image.height()), (64, 32));
        assert_eq!(input.format, ImageFormat::Png);
        assert!(
            decode_image(
                "#/image",
                "not base64!",
                PNG_JPEG,
                ImageBounds::bytes(1 << 20)
            )
            .is_err()
        );
        let gif = encode_base64(b"GIF89a....");
        let e = decode_image("#/image", &gif, PNG_JPEG, ImageBounds::bytes(1 << 20)).unwrap_err();
        assert!(e.message.unwrap().contains("PNG, JPEG"));
        let rgb = input.image.to_rgb8();
        let generated = generate(Engine::default(), "x", 64, 32, 1, 0);
        assert_eq!(generated.dimensions(), (64, 32));
        assert_eq!(generated, generate(Engine::default(), "x", 64, 32, 1, 0));
        assert_ne!(generated, generate(Engine::default(), "x", 64, 32, 2, 0));
        let nobg = remove_background(&rgb);
        assert_eq!(nobg.get_pixel(0, 0).0[3], 0);
        assert_eq!(nobg.get_pixel(32, 16).0[3], 255);
    }
}
