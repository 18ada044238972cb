//! Negative cases: builders and specs refuse what the documentation does not allow, and name
//! where.

use bedrock_fm::bodies::cohere_embed::*;
use bedrock_fm::bodies::nova_canvas::*;
use bedrock_fm::bodies::stable_image::*;
use bedrock_fm::bodies::titan_embed_text::*;
use bedrock_fm::bodies::titan_image::*;
use bedrock_fm::schema::Problem;
use serde_json::json;

#[test]
fn an_image_builder_rejects_out_of_range_values_and_names_the_field() {
    // The Nova Canvas page: cfgScale is 1.1 to 10.
    let err = NovaCanvasImageGenerationConfig::builder()
        .cfg_scale(11.0)
        .build()
        .unwrap_err();
    assert_eq!(err.type_name, "NovaCanvasImageGenerationConfig");
    assert_eq!(err.field, "cfg_scale");
    assert_eq!(
        err.problem,
        Problem::OutOfRange {
            value: 11.0,
            min: Some(1.1),
            max: Some(10.0)
        }
    );
    // The Titan Image page: numberOfImages is 1 to 5.
    let err = TitanImageGenerationConfig::builder()
        .number_of_images(6)
        .build()
        .unwrap_err();
    assert_eq!(err.field, "number_of_images");
    assert!(err.to_string().contains("number_of_images"), "{err}");
    // Stable Image: a prompt longer than 10,000 characters.
    let err = StableImageRequest::builder()
        .prompt("a".repeat(10_001))
        .build()
        .unwrap_err();
    assert_eq!(err.field, "prompt");
    assert!(matches!(
        err.problem,
        Problem::BadLength { len: 10_001, .. }
    ));
}

#[test]
fn an_embedding_builder_rejects_a_missing_required_field() {
    let err = CohereEmbedRequest::builder()
        .texts(["hello world"])
        .build()
        .unwrap_err();
    assert_eq!(err.type_name, "CohereEmbedRequest");
    assert_eq!(err.field, "input_type");
    assert_eq!(err.problem, Problem::Missing);
    let err = TitanImageRequest::builder().build().unwrap_err();
    assert_eq!(err.field, "task_type");
    assert_eq!(err.problem, Problem::Missing);
}

#[test]
fn a_media_spec_rejects_extraneous_keys() {
    // The Titan Image code example with `steps` (a Stable Diffusion parameter) added to its
    // generation config.
    let body = json!({
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "A photograph of a cup of coffee from the side."},
        "imageGenerationConfig": {"numberOfImages": 1, "steps": 30}
    });
    let messages: Vec<String> = TitanImageRequest::spec()
        .validate(&body)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        messages,
        ["#/imageGenerationConfig: extraneous key [steps] is not permitted"]
    );

    // Titan Text Embeddings V2 with Cohere's `input_type`.
    let body = json!({"inputText": "hello", "input_type": "search_document"});
    let violations = TitanEmbedRequest::spec().validate(&body);
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(
        violations[0].message,
        "extraneous key [input_type] is not permitted"
    );
}
