//! Amazon Nova Canvas.

use crate::IMAGE_B64;
use crate::documented::{check_request, parse, with_unknown_field};
use bedrock_fm::bodies::nova_canvas::*;
use serde_json::json;

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
