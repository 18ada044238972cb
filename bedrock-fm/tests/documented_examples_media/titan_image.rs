//! Amazon Titan Image Generator G1.

use crate::IMAGE_B64;
use crate::documented::{check_request, parse, with_unknown_field};
use bedrock_fm::bodies::titan_image::*;
use serde_json::json;

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
