//! The media families' InvokeModel codecs, one file per family under `families/media/`:
//! embeddings ([`titan_embed_text`], [`titan_embed_image`], [`cohere_embed`]) and images
//! ([`titan_image`], [`nova_canvas`], [`stable_diffusion`], [`stable_image`]).
//!
//! Each validates the body strictly against the catalog's request schema and the model's own
//! limits (dimensions, sizes, counts, lengths, input images), answering a `ValidationException`
//! worded as Bedrock's (`Malformed input request: #: extraneous key [bogus] is not permitted,
//! please reformat your input and try again.`), then answers with the family's documented
//! response JSON: deterministic embeddings whose cosine similarity follows word overlap, and
//! deterministic images of the requested size, count and seed. None of these families
//! streams: InvokeModelWithResponseStream gets the trait's "The model is unsupported for
//! streaming." `ValidationException`.

mod codec_support;
pub mod cohere_embed;
pub mod nova_canvas;
pub mod stable_diffusion;
pub mod stable_image;
pub mod titan_embed_image;
pub mod titan_embed_text;
pub mod titan_image;

pub use cohere_embed::CohereEmbed;
pub use nova_canvas::NovaCanvas;
pub use stable_diffusion::StableDiffusion;
pub use stable_image::StableImage;
pub use titan_embed_image::TitanEmbedImage;
pub use titan_embed_text::TitanEmbedText;
pub use titan_image::TitanImage;

#[cfg(test)]
mod tests {
    /// Every media family through the default server and the AWS SDK: one documented request
    /// each, the response valid against the family's schema; streams and bad bodies refused.
    #[tokio::test]
    async fn every_media_family_answers_over_http() {
        use aws_sdk_bedrockruntime::primitives::Blob;
        use bedrock_fm::catalog::Family;
        use serde_json::{Value, json};

        let server = crate::start();
        let client = server.client();
        let cases = [
            (
                "amazon.titan-embed-text-v2:0",
                Family::TitanEmbedText,
                json!({"inputText": "hello", "dimensions": 256}),
            ),
            (
                "amazon.titan-embed-image-v1",
                Family::TitanEmbedImage,
                json!({"inputText": "hello"}),
            ),
            (
                "us.cohere.embed-v4:0",
                Family::CohereEmbed,
                json!({"texts": ["hello"], "input_type": "search_query"}),
            ),
            (
                "amazon.titan-image-generator-v2:0",
                Family::TitanImage,
                json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a dog"},
                       "imageGenerationConfig": {"width": 512, "height": 512}}),
            ),
            (
                "amazon.nova-canvas-v1:0",
                Family::NovaCanvas,
                json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a dog"},
                       "imageGenerationConfig": {"width": 320, "height": 320}}),
            ),
            (
                "stability.stable-diffusion-xl-v1",
                Family::StableDiffusion,
                json!({"text_prompts": [{"text": "a dog"}]}),
            ),
            (
                "stability.stable-image-core-v1:1",
                Family::StableImage,
                json!({"prompt": "a dog", "aspect_ratio": "21:9"}),
            ),
        ];
        for (model, family, body) in cases {
            let out = client
                .invoke_model()
                .model_id(model)
                .content_type("application/json")
                .accept("application/json")
                .body(Blob::new(serde_json::to_vec(&body).unwrap()))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{model}: {e:?}"));
            let v: Value = serde_json::from_slice(out.body().as_ref()).unwrap();
            let problems = family.response_spec().validate(&v);
            assert!(problems.is_empty(), "{model}: {problems:?}");

            let mut bad = body.clone();
            bad["bogus"] = json!(true);
            let err = client
                .invoke_model()
                .model_id(model)
                .body(Blob::new(serde_json::to_vec(&bad).unwrap()))
                .send()
                .await
                .unwrap_err();
            let err = err.into_service_error();
            assert!(err.is_validation_exception(), "{model}: {err:?}");
            assert!(
                err.meta()
                    .message()
                    .unwrap()
                    .contains("extraneous key [bogus] is not permitted"),
                "{model}: {err:?}"
            );

            let err = client
                .invoke_model_with_response_stream()
                .model_id(model)
                .body(Blob::new(serde_json::to_vec(&body).unwrap()))
                .send()
                .await
                .unwrap_err()
                .into_service_error();
            assert!(err.is_validation_exception(), "{model}: {err:?}");
            assert_eq!(
                err.meta().message(),
                Some("The model is unsupported for streaming.")
            );
        }
    }
}
