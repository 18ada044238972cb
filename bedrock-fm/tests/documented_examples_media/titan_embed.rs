//! Amazon Titan Text Embeddings (G1 - Text, V2) and Titan Multimodal Embeddings G1.

use crate::IMAGE_B64;
use crate::documented::{check_request, parse, with_unknown_field};
use bedrock_fm::bodies::titan_embed_image::*;
use bedrock_fm::bodies::titan_embed_text::*;
use serde_json::json;

#[test]
fn titan_embed_text() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html
    // (V2 code example: the `json.dumps` body with `input_text` substituted).
    let documented = json!({
        "inputText": "What are the different services that you offer?",
        "embeddingTypes": ["binary"]
    });
    let built = TitanEmbedRequest::builder()
        .input_text("What are the different services that you offer?")
        .embedding_types([TitanEmbedType::Binary])
        .build()
        .unwrap();
    check_request(&built, TitanEmbedRequest::spec(), documented);

    // Source: same page (G1 - Text code example: `inputText` only; trailing comma dropped).
    let documented = json!({"inputText": "What are the different services that you offer?"});
    let built = TitanEmbedRequest::builder()
        .input_text("What are the different services that you offer?")
        .build()
        .unwrap();
    check_request(&built, TitanEmbedRequest::spec(), documented);

    // Source: same page (the V2 request template, every field set; values from the documented
    // accepted values).
    let documented = json!({
        "inputText": "What are the different services that you offer?",
        "dimensions": 512,
        "normalize": true,
        "embeddingTypes": ["float", "binary"]
    });
    let built = TitanEmbedRequest::builder()
        .input_text("What are the different services that you offer?")
        .dimensions(512)
        .normalize(true)
        .embedding_types([TitanEmbedType::Float, TitanEmbedType::Binary])
        .build()
        .unwrap();
    check_request(&built, TitanEmbedRequest::spec(), documented);
}

#[test]
fn titan_embed_text_response() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html
    // (V2 response template `{"embedding": [float, ...], "inputTextTokenCount": int,
    // "embeddingsByType": {"binary": [int, ...], "float": [float, ...]}}`, vectors shortened).
    // As the page notes, `embedding` is absent when `embeddingTypes` only contains binary.
    let documented = json!({
        "inputTextTokenCount": 9,
        "embeddingsByType": {"binary": [1, 0, 1, 1]}
    });
    let response: TitanEmbedResponse = parse(&documented);
    assert_eq!(response.input_text_token_count, 9);
    assert_eq!(response.embedding, None);
    let by_type = response.embeddings_by_type.as_ref().unwrap();
    assert_eq!(by_type.binary.as_deref(), Some(&[1, 0, 1, 1][..]));
    assert_eq!(by_type.float, None);

    let documented = json!({
        "embedding": [0.0123, -0.0456, 0.0789],
        "inputTextTokenCount": 9,
        "embeddingsByType": {"binary": [1, 0, 1], "float": [0.0123, -0.0456, 0.0789]}
    });
    let response: TitanEmbedResponse = parse(&documented);
    assert_eq!(response.embedding, Some(vec![0.0123, -0.0456, 0.0789]));
    assert_eq!(
        response.embeddings_by_type.unwrap().float,
        Some(vec![0.0123, -0.0456, 0.0789])
    );
    assert!(response.extra.is_empty());
    let response: TitanEmbedResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));

    // G1 - Text: `{"embedding": [float, ...], "inputTextTokenCount": int}`.
    let response: TitanEmbedResponse =
        parse(&json!({"embedding": [0.5, -0.25], "inputTextTokenCount": 9}));
    assert_eq!(response.embedding, Some(vec![0.5, -0.25]));
    assert_eq!(response.embeddings_by_type, None);
}

// ------------------------------------------------------------------------------------------
// Amazon Titan Multimodal Embeddings G1
// ------------------------------------------------------------------------------------------

#[test]
fn titan_embed_image() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-mm.html
    // (text embeddings code example: the `json.dumps` body with `input_text` and
    // `output_embedding_length` substituted).
    let documented = json!({
        "inputText": "What are the different services that you offer?",
        "embeddingConfig": {
            "outputEmbeddingLength": 256
        }
    });
    let built = TitanMultimodalEmbedRequest::builder()
        .input_text("What are the different services that you offer?")
        .embedding_config(
            TitanMultimodalEmbedConfig::builder()
                .output_embedding_length(256)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    check_request(&built, TitanMultimodalEmbedRequest::spec(), documented);

    // Source: same page (text and image embeddings code example; `input_image` is read from
    // a file there, a stand-in here).
    let documented = json!({
        "inputText": "A family eating dinner",
        "inputImage": IMAGE_B64,
        "embeddingConfig": {
            "outputEmbeddingLength": 256
        }
    });
    let built = TitanMultimodalEmbedRequest::builder()
        .input_text("A family eating dinner")
        .input_image(IMAGE_B64)
        .embedding_config(
            TitanMultimodalEmbedConfig::builder()
                .output_embedding_length(256)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    check_request(&built, TitanMultimodalEmbedRequest::spec(), documented);
}

#[test]
fn titan_embed_image_response() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-mm.html
    // (response template `{"embedding": [float, ...], "inputTextTokenCount": int,
    // "message": string}`, vector shortened).
    let documented = json!({
        "embedding": [0.031, -0.012, 0.044],
        "inputTextTokenCount": 5,
        "message": null
    });
    let response: TitanMultimodalEmbedResponse = parse(&documented);
    assert_eq!(response.embedding, Some(vec![0.031, -0.012, 0.044]));
    assert_eq!(response.input_text_token_count, Some(5));
    assert_eq!(response.message, None);
    assert!(response.extra.is_empty());
    let response: TitanMultimodalEmbedResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));
}
