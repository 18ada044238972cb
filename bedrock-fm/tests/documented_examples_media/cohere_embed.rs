//! Cohere Embed (v3, v4).

use crate::documented::{check_request, parse, with_unknown_field};
use bedrock_fm::bodies::cohere_embed::*;
use serde_json::json;

#[test]
fn cohere_embed() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed-v3.html
    // (code example: the `json.dumps` body with `text1`, `text2`, `input_type` and
    // `embedding_types` substituted).
    let documented = json!({
        "texts": ["hello world", "this is a test"],
        "input_type": "search_document",
        "embedding_types": ["int8", "float"]
    });
    let built = CohereEmbedRequest::builder()
        .texts(["hello world", "this is a test"])
        .input_type(CohereEmbedInputType::SearchDocument)
        .embedding_types([CohereEmbedType::Int8, CohereEmbedType::Float])
        .build()
        .unwrap();
    check_request(&built, CohereEmbedRequest::spec(), documented);

    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed-v4.html
    // ("A) Interleaved page (image + caption) with compact int8 vectors", request, verbatim).
    let documented = json!({
      "input_type": "search_document",
      "inputs": [
        {
          "content": [
            { "type": "text", "text": "Quarterly ARR growth chart; outlier in Q3." },
            { "type": "image_url", "image_url": {"url": "data:image/png;base64,{{BASE64_PAGE_IMG}}"} }
          ]
        }
      ],
      "embedding_types": ["int8"],
      "output_dimension": 512,
      "truncate": "RIGHT",
      "max_tokens": 128000
    });
    let text = CohereEmbedTextContent::builder()
        .text("Quarterly ARR growth chart; outlier in Q3.")
        .build()
        .unwrap();
    let image = CohereEmbedImageUrlContent::builder()
        .image_url(
            CohereEmbedImageUrl::builder()
                .url("data:image/png;base64,{{BASE64_PAGE_IMG}}")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let built = CohereEmbedRequest::builder()
        .input_type(CohereEmbedInputType::SearchDocument)
        .inputs([CohereEmbedInput::builder()
            .content([
                CohereEmbedContent::Text(text),
                CohereEmbedContent::ImageUrl(image),
            ])
            .build()
            .unwrap()])
        .embedding_types([CohereEmbedType::Int8])
        .output_dimension(512)
        .truncate(CohereEmbedTruncate::Right)
        .max_tokens(128000)
        .build()
        .unwrap();
    check_request(&built, CohereEmbedRequest::spec(), documented);

    // Source: same page ("B) Text-only corpus indexing", request, verbatim).
    let documented = json!({
      "input_type": "search_document",
      "texts": [
        "RAG system design patterns for insurance claims",
        "Actuarial loss triangles and reserving primer"
      ]
    });
    let built = CohereEmbedRequest::builder()
        .input_type(CohereEmbedInputType::SearchDocument)
        .texts([
            "RAG system design patterns for insurance claims",
            "Actuarial loss triangles and reserving primer",
        ])
        .build()
        .unwrap();
    check_request(&built, CohereEmbedRequest::spec(), documented);
}

#[test]
fn cohere_embed_response() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed-v4.html
    // ("A)", response; the page elides the vector with `...`, it ends after two values here).
    let documented = json!({
      "id": "836a33cc-61ec-4e65-afaf-c4628171a315",
      "embeddings": { "int8": [[ 7, -3 ]] },
      "response_type": "embeddings_by_type",
      "inputs": [
        { "content": [
          { "type": "text", "text": "Quarterly ARR growth chart; outlier in Q3." },
          { "type": "image_url", "image_url": {"url": "data:image/png;base64,{{...}}"} }
        ] }
      ]
    });
    let response: CohereEmbedResponse = parse(&documented);
    assert_eq!(
        response.id.as_deref(),
        Some("836a33cc-61ec-4e65-afaf-c4628171a315")
    );
    assert_eq!(
        response.response_type,
        Some(CohereEmbedResponseType::EmbeddingsByType)
    );
    assert_eq!(response.embeddings["int8"], json!([[7, -3]]));
    let inputs = response.inputs.as_ref().unwrap();
    match &inputs[0].content[..] {
        [CohereEmbedContent::Text(t), CohereEmbedContent::ImageUrl(i)] => {
            assert_eq!(t.text, "Quarterly ARR growth chart; outlier in Q3.");
            assert_eq!(i.image_url.url, "data:image/png;base64,{{...}}");
        }
        other => panic!("not a text and an image part: {other:?}"),
    }
    assert!(response.extra.is_empty());

    // Source: same page ("B)", response sample; vectors cut to the two values shown, the
    // `// length 1536` comment dropped).
    let documented = json!({
      "response_type": "embeddings_floats",
      "embeddings": [
        [0.0135, -0.0272],
        [0.0047,  0.0189]
      ]
    });
    let response: CohereEmbedResponse = parse(&documented);
    assert_eq!(
        response.response_type,
        Some(CohereEmbedResponseType::EmbeddingsFloats)
    );
    assert_eq!(response.embeddings[1], json!([0.0047, 0.0189]));
    assert_eq!(response.id, None);

    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed-v3.html
    // (v3 response template with `texts` and the `image_description` of `images`; filled).
    let documented = json!({
        "embeddings": [[0.25, -0.5]],
        "id": "5e6b0ee8-0b4f-4b3f-8f63-1f2a8a4b7c11",
        "response_type": "embeddings_floats",
        "texts": [],
        "images": [{"width": 400, "height": 400, "format": "jpeg", "bit_depth": 24}]
    });
    let response: CohereEmbedResponse = parse(&documented);
    let image = &response.images.as_ref().unwrap()[0];
    assert_eq!((image.width, image.height), (Some(400), Some(400)));
    assert_eq!(image.format.as_deref(), Some("jpeg"));
    assert_eq!(image.bit_depth, Some(24));
    let response: CohereEmbedResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));
}
