//! The documented examples of the embedding and image families, checked against the
//! generated bodies.
//!
//! For every family: the documented request example is rebuilt with the generated builders
//! and must serialize to exactly the documented JSON (numbers compare by value, since JSON
//! does not tell `10` from `10.0`), the family's request spec must accept the documented JSON
//! with no violation, the documented JSON must deserialize back to the built request, and the
//! documented response example must deserialize into the typed response. None of these
//! families streams.
//!
//! Each example names the AWS page it comes from (`// Source:`). Most of these pages give a
//! schema template (`"dimensions": int`) and a Python code example whose body is built from
//! variables; the comment says how each example was assembled from them. Base64 payloads the
//! pages read from files are replaced by short stand-ins.

use bedrock_fm::bodies::cohere_embed::*;
use bedrock_fm::bodies::nova_canvas::*;
use bedrock_fm::bodies::stable_diffusion::*;
use bedrock_fm::bodies::stable_image::*;
use bedrock_fm::bodies::titan_embed_image::*;
use bedrock_fm::bodies::titan_embed_text::*;
use bedrock_fm::bodies::titan_image::*;
use bedrock_fm::spec::Problem;

mod documented;
use documented::{check_request, parse, with_unknown_field};
use serde_json::{Value, json};

// ------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------

/// Stand-in for the base64 images the code examples read from files.
const IMAGE_B64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk";

// ------------------------------------------------------------------------------------------
// Amazon Titan Text Embeddings (G1 - Text, V2)
// ------------------------------------------------------------------------------------------

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

// ------------------------------------------------------------------------------------------
// Cohere Embed (v3, v4)
// ------------------------------------------------------------------------------------------

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

// ------------------------------------------------------------------------------------------
// Amazon Titan Image Generator G1
// ------------------------------------------------------------------------------------------

#[test]
fn titan_image() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-image.html
    // (text-to-image code example: the `json.dumps` body with `prompt` substituted).
    let documented = json!({
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {
            "text": "A photograph of a cup of coffee from the side."
        },
        "imageGenerationConfig": {
            "numberOfImages": 1,
            "height": 1024,
            "width": 1024,
            "cfgScale": 8.0,
            "seed": 0
        }
    });
    let config = TitanImageGenerationConfig::builder()
        .number_of_images(1)
        .height(1024)
        .width(1024)
        .cfg_scale(8.0)
        .seed(0)
        .build()
        .unwrap();
    let built = TitanImageRequest::builder()
        .task_type(TitanImageTaskType::TextImage)
        .text_to_image_params(
            TitanImageTextToImageParams::builder()
                .text("A photograph of a cup of coffee from the side.")
                .build()
                .unwrap(),
        )
        .image_generation_config(config)
        .build()
        .unwrap();
    check_request(&built, TitanImageRequest::spec(), documented);

    // Source: same page (inpainting code example; `input_image` read from a file there).
    let documented = json!({
        "taskType": "INPAINTING",
        "inPaintingParams": {
            "text": "Modernize the windows of the house",
            "negativeText": "bad quality, low res",
            "image": IMAGE_B64,
            "maskPrompt": "windows"
        },
        "imageGenerationConfig": {
            "numberOfImages": 1,
            "height": 512,
            "width": 512,
            "cfgScale": 8.0
        }
    });
    let config_512 = || {
        TitanImageGenerationConfig::builder()
            .number_of_images(1)
            .height(512)
            .width(512)
            .cfg_scale(8.0)
            .build()
            .unwrap()
    };
    let built = TitanImageRequest::builder()
        .task_type(TitanImageTaskType::Inpainting)
        .in_painting_params(
            TitanImageInPaintingParams::builder()
                .text("Modernize the windows of the house")
                .negative_text("bad quality, low res")
                .image(IMAGE_B64)
                .mask_prompt("windows")
                .build()
                .unwrap(),
        )
        .image_generation_config(config_512())
        .build()
        .unwrap();
    check_request(&built, TitanImageRequest::spec(), documented);

    // Source: same page (outpainting code example; `input_image` and `input_mask_image` read
    // from files there).
    let documented = json!({
        "taskType": "OUTPAINTING",
        "outPaintingParams": {
            "text": "Draw a chocolate chip cookie",
            "negativeText": "bad quality, low res",
            "image": IMAGE_B64,
            "maskImage": IMAGE_B64,
            "outPaintingMode": "DEFAULT"
        },
        "imageGenerationConfig": {
            "numberOfImages": 1,
            "height": 512,
            "width": 512,
            "cfgScale": 8.0
        }
    });
    let built = TitanImageRequest::builder()
        .task_type(TitanImageTaskType::Outpainting)
        .out_painting_params(
            TitanImageOutPaintingParams::builder()
                .text("Draw a chocolate chip cookie")
                .negative_text("bad quality, low res")
                .image(IMAGE_B64)
                .mask_image(IMAGE_B64)
                .out_painting_mode(TitanImageOutPaintingMode::Default)
                .build()
                .unwrap(),
        )
        .image_generation_config(config_512())
        .build()
        .unwrap();
    check_request(&built, TitanImageRequest::spec(), documented);

    // Source: same page (background removal request; its image is a placeholder string).
    let documented = json!({
        "taskType": "BACKGROUND_REMOVAL",
        "backgroundRemovalParams": {
            "image": "base64-encoded string"
        }
    });
    let built = TitanImageRequest::builder()
        .task_type(TitanImageTaskType::BackgroundRemoval)
        .background_removal_params(
            TitanImageBackgroundRemovalParams::builder()
                .image("base64-encoded string")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    check_request(&built, TitanImageRequest::spec(), documented);
}

#[test]
fn titan_image_response() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-image.html
    // (response template `{"images": ["base64-encoded string", ...], "error": "string"}`;
    // a success and a moderated request).
    let documented = json!({"images": [IMAGE_B64]});
    let response: TitanImageResponse = parse(&documented);
    assert_eq!(response.images, Some(vec![IMAGE_B64.to_owned()]));
    assert_eq!(response.error, None);
    assert!(response.extra.is_empty());
    let response: TitanImageResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));

    let response: TitanImageResponse = parse(&json!({
        "images": [],
        "error": "This request has been blocked by our content filters."
    }));
    assert_eq!(response.images, Some(vec![]));
    assert!(response.error.unwrap().contains("content filters"));
}

// ------------------------------------------------------------------------------------------
// Amazon Nova Canvas
// ------------------------------------------------------------------------------------------

#[test]
fn nova_canvas() {
    // Source: https://docs.aws.amazon.com/nova/latest/userguide/code-examples-image.html
    // (`native_request` with `prompt` substituted; the example draws `seed` at random in
    // [0, 858993460], 12 here; trailing commas dropped).
    let documented = json!({
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "A stylized picture of a cute old steampunk robot."},
        "imageGenerationConfig": {
            "seed": 12,
            "quality": "standard",
            "height": 512,
            "width": 512,
            "numberOfImages": 1
        }
    });
    let built = NovaCanvasRequest::builder()
        .task_type(NovaCanvasTaskType::TextImage)
        .text_to_image_params(
            NovaCanvasTextToImageParams::builder()
                .text("A stylized picture of a cute old steampunk robot.")
                .build()
                .unwrap(),
        )
        .image_generation_config(
            NovaCanvasImageGenerationConfig::builder()
                .seed(12)
                .quality(NovaCanvasQuality::Standard)
                .height(512)
                .width(512)
                .number_of_images(1)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    check_request(&built, NovaCanvasRequest::spec(), documented);

    // Source: https://docs.aws.amazon.com/nova/latest/userguide/image-gen-req-resp-structure.html
    // (text-to-image template with `negativeText` and `style`, values from its lists).
    let documented = json!({
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {
            "text": "A stylized picture of a cute old steampunk robot.",
            "negativeText": "blurry",
            "style": "GRAPHIC_NOVEL_ILLUSTRATION"
        },
        "imageGenerationConfig": {"width": 1024, "height": 1024, "quality": "premium", "cfgScale": 6.5}
    });
    let built = NovaCanvasRequest::builder()
        .task_type(NovaCanvasTaskType::TextImage)
        .text_to_image_params(
            NovaCanvasTextToImageParams::builder()
                .text("A stylized picture of a cute old steampunk robot.")
                .negative_text("blurry")
                .style(NovaCanvasStyle::GraphicNovelIllustration)
                .build()
                .unwrap(),
        )
        .image_generation_config(
            NovaCanvasImageGenerationConfig::builder()
                .width(1024)
                .height(1024)
                .quality(NovaCanvasQuality::Premium)
                .cfg_scale(6.5)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    check_request(&built, NovaCanvasRequest::spec(), documented);

    // Source: same page (background removal template; the image is a stand-in).
    let documented = json!({
        "taskType": "BACKGROUND_REMOVAL",
        "backgroundRemovalParams": {"image": IMAGE_B64}
    });
    let built = NovaCanvasRequest::builder()
        .task_type(NovaCanvasTaskType::BackgroundRemoval)
        .background_removal_params(
            NovaCanvasBackgroundRemovalParams::builder()
                .image(IMAGE_B64)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    check_request(&built, NovaCanvasRequest::spec(), documented);
}

#[test]
fn nova_canvas_response() {
    // Source: https://docs.aws.amazon.com/nova/latest/userguide/image-gen-req-resp-structure.html
    // (response template `{"images": string[], "maskImage": string, "error": string}`; the
    // page's code example reads `images[0]`).
    let documented = json!({"images": [IMAGE_B64], "maskImage": IMAGE_B64});
    let response: NovaCanvasResponse = parse(&documented);
    assert_eq!(response.images, Some(vec![IMAGE_B64.to_owned()]));
    assert_eq!(response.mask_image.as_deref(), Some(IMAGE_B64));
    assert_eq!(response.error, None);
    assert!(response.extra.is_empty());
    let response: NovaCanvasResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));
}

// ------------------------------------------------------------------------------------------
// Stability AI Stable Diffusion XL 1.0
// ------------------------------------------------------------------------------------------

#[test]
fn stable_diffusion() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/bedrock-runtime_example_bedrock-runtime_InvokeModel_StableDiffusion_section.html
    // (`native_request` with `prompt` substituted; the example draws `seed` at random in
    // [0, 4294967295], 42 here). `cfg_scale` is the integer 10, which equals 10.0.
    let documented = json!({
        "text_prompts": [{"text": "A stylized picture of a cute old steampunk robot."}],
        "style_preset": "photographic",
        "seed": 42,
        "cfg_scale": 10,
        "steps": 30
    });
    let built = StableDiffusionRequest::builder()
        .text_prompts([StableDiffusionTextPrompt::builder()
            .text("A stylized picture of a cute old steampunk robot.")
            .build()
            .unwrap()])
        .style_preset(StableDiffusionStylePreset::Photographic)
        .seed(42)
        .cfg_scale(10.0)
        .steps(30)
        .build()
        .unwrap();
    check_request(&built, StableDiffusionRequest::spec(), documented);

    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-diffusion-1-0-image-image.html
    // (image-to-image template, every field but `extras` set; values from the page's lists).
    let documented = json!({
        "text_prompts": [{"text": "A steampunk robot", "weight": 1.0}, {"text": "blurry", "weight": -1.0}],
        "init_image": IMAGE_B64,
        "init_image_mode": "IMAGE_STRENGTH",
        "image_strength": 0.35,
        "cfg_scale": 7,
        "clip_guidance_preset": "FAST_BLUE",
        "sampler": "K_DPMPP_2M",
        "samples": 1,
        "seed": 0,
        "steps": 30,
        "style_preset": "digital-art"
    });
    let built = StableDiffusionRequest::builder()
        .text_prompts([
            StableDiffusionTextPrompt::builder()
                .text("A steampunk robot")
                .weight(1.0)
                .build()
                .unwrap(),
            StableDiffusionTextPrompt::builder()
                .text("blurry")
                .weight(-1.0)
                .build()
                .unwrap(),
        ])
        .init_image(IMAGE_B64)
        .init_image_mode(StableDiffusionInitImageMode::ImageStrength)
        .image_strength(0.35)
        .cfg_scale(7.0)
        .clip_guidance_preset(StableDiffusionClipGuidancePreset::FastBlue)
        .sampler(StableDiffusionSampler::KDpmpp2m)
        .samples(1)
        .seed(0)
        .steps(30)
        .style_preset(StableDiffusionStylePreset::DigitalArt)
        .build()
        .unwrap();
    check_request(&built, StableDiffusionRequest::spec(), documented);
}

#[test]
fn stable_diffusion_response() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-diffusion-1-0-text-image.html
    // (response template `{"result": string, "artifacts": [{"seed": int, "base64": string,
    // "finishReason": string}]}`; the code example reads `artifacts[0]["base64"]`).
    let documented = json!({
        "result": "success",
        "artifacts": [{"seed": 42, "base64": IMAGE_B64, "finishReason": "SUCCESS"}]
    });
    let response: StableDiffusionResponse = parse(&documented);
    assert_eq!(response.result, "success");
    let artifact = &response.artifacts[0];
    assert_eq!(artifact.seed, Some(42));
    assert_eq!(artifact.base64.as_deref(), Some(IMAGE_B64));
    assert_eq!(
        artifact.finish_reason,
        Some(StableDiffusionFinishReason::Success)
    );
    assert!(response.extra.is_empty());
    let response: StableDiffusionResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));

    let response: StableDiffusionResponse = parse(&json!({
        "result": "success",
        "artifacts": [{"seed": 7, "base64": IMAGE_B64, "finishReason": "CONTENT_FILTERED"}]
    }));
    assert_eq!(
        response.artifacts[0].finish_reason,
        Some(StableDiffusionFinishReason::ContentFiltered)
    );
}

// ------------------------------------------------------------------------------------------
// Stability AI Stable Diffusion 3 / 3.5 Large, Stable Image Ultra / Core
// ------------------------------------------------------------------------------------------

#[test]
fn stable_image() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-diffusion-stable-image-core-text-image-request-response.html
    // (request example; printed with Python quotes, JSON quotes here).
    let documented = json!({"prompt": "Create an image of a panda"});
    let built = StableImageRequest::builder()
        .prompt("Create an image of a panda")
        .build()
        .unwrap();
    check_request(&built, StableImageRequest::spec(), documented);

    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-diffusion-3-5-large.html
    // (image-to-image code example: the `json.dumps` body; `image_base64` read from a file
    // there).
    let documented = json!({
        "prompt": "A car made out of vegetables.",
        "image": IMAGE_B64,
        "strength": 0.7
    });
    let built = StableImageRequest::builder()
        .prompt("A car made out of vegetables.")
        .image(IMAGE_B64)
        .strength(0.7)
        .build()
        .unwrap();
    check_request(&built, StableImageRequest::spec(), documented);

    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-diffusion-3-text-image.html
    // (SD3 Large image-to-image code example, with `mode`).
    let documented = json!({
        "prompt": "A car made out of fruits",
        "image": IMAGE_B64,
        "strength": 0.75,
        "mode": "image-to-image"
    });
    let built = StableImageRequest::builder()
        .prompt("A car made out of fruits")
        .image(IMAGE_B64)
        .strength(0.75)
        .mode(StableImageMode::ImageToImage)
        .build()
        .unwrap();
    check_request(&built, StableImageRequest::spec(), documented);
}

#[test]
fn stable_image_response() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-diffusion-3-5-large.html
    // (response example; its `'seeds'` key printed with Python quotes, JSON quotes here).
    let documented = json!({"seeds": [2130420379], "finish_reasons": [null], "images": ["..."]});
    let response: StableImageResponse = parse(&documented);
    assert_eq!(response.seeds, Some(vec![2130420379]));
    assert_eq!(response.finish_reasons, vec![Value::Null]);
    assert_eq!(response.images, Some(vec!["...".to_owned()]));
    assert!(response.extra.is_empty());
    let response: StableImageResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));

    // Source: same page (filtered response, verbatim).
    let response: StableImageResponse = parse(&json!({
        "finish_reasons":["Filter reason: prompt"]
    }));
    assert_eq!(
        response.finish_reasons,
        vec![json!("Filter reason: prompt")]
    );
    assert_eq!(response.seeds, None);
    assert_eq!(response.images, None);
}

// ------------------------------------------------------------------------------------------
// Negative cases
// ------------------------------------------------------------------------------------------

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
