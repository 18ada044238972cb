//! Titan Image Generator: text to image with its documented body, and the v2 editing tasks.

use crate::{TITAN_V2, last_body, photo, setup, shape};
use bedrock_fm::images::{
    ControlMode, FinishReason, ImageRequest, ImageTask, OutpaintingMode, Quality, TitanImage,
};
use image::{DynamicImage, GenericImageView, ImageFormat, Rgb, RgbImage};
use serde_json::json;

#[tokio::test]
async fn titan_text_to_image_sends_the_documented_body_and_decodes_images() {
    let (server, client) = setup();
    let titan = TitanImage::builder(&client, TITAN_V2)
        .size(512, 512)
        .cfg_scale(8.0)
        .build()
        .unwrap();
    let request = ImageRequest::text_to_image("a lighthouse at dusk")
        .negative_prompt("people")
        .count(2)
        .seed(7)
        .quality(Quality::Premium);
    let details = titan.run(&request).await.unwrap();
    // Source: model-parameters-titan-image.html, TEXT_IMAGE request: taskType,
    // textToImageParams {text, negativeText}, imageGenerationConfig {numberOfImages, height,
    // width, cfgScale, seed, quality}.
    assert_eq!(
        last_body(&server),
        json!({
            "taskType": "TEXT_IMAGE",
            "textToImageParams": {"text": "a lighthouse at dusk", "negativeText": "people"},
            "imageGenerationConfig": {"numberOfImages": 2, "quality": "premium", "width": 512,
                                      "height": 512, "cfgScale": 8.0, "seed": 7}
        })
    );
    assert_eq!(details.images.len(), 2);
    for img in &details.images {
        assert_eq!(img.dimensions(), (512, 512));
    }
    assert_ne!(details.images[0], details.images[1], "two different images");
    assert_eq!(details.seeds, vec![Some(7), Some(7)]);
    assert!(details.finish_reasons.iter().all(FinishReason::is_success));
    assert_eq!(details.formats, vec![ImageFormat::Png; 2]);
    let raw = image::load_from_memory(&details.raw[0]).unwrap();
    assert_eq!(raw, details.images[0]);
    assert!(details.request_id.is_some());
    assert_eq!(details.task, ImageTask::TextToImage);

    // The same seed gives the same pixels; another seed other pixels.
    let again = titan.run(&request).await.unwrap();
    assert_eq!(again.images, details.images);
    let other = titan.run(&request.clone().seed(8)).await.unwrap();
    assert_ne!(other.images[0], details.images[0]);

    // Defaults only: no imageGenerationConfig keys beyond the builder's, the default seed.
    let d = titan.generate_details("a red barn").await.unwrap();
    assert_eq!(
        last_body(&server)["imageGenerationConfig"],
        json!({"width": 512, "height": 512, "cfgScale": 8.0})
    );
    assert_eq!(d.seeds, vec![Some(42)], "Titan's documented default seed");
}

#[tokio::test]
async fn titan_v2_editing_tasks() {
    let (server, client) = setup();
    let titan = TitanImage::builder(&client, TITAN_V2)
        .size(384, 576)
        .build()
        .unwrap();
    let input = photo(512, 512);

    // Inpainting with a mask prompt: the output has the input's size; the builder's size is
    // not sent.
    let d = titan
        .run(
            &ImageRequest::inpainting(input.clone())
                .mask_prompt("the sky")
                .prompt("a starry sky"),
        )
        .await
        .unwrap();
    assert_eq!(
        shape(&last_body(&server)),
        json!({"taskType": "INPAINTING",
               "inPaintingParams": {"text": "a starry sky", "image": "<512x512>", "maskPrompt": "the sky"}})
    );
    assert_eq!(d.images[0].dimensions(), (512, 512));

    // Outpainting with a mask image and the precise mode.
    let mask = DynamicImage::ImageRgb8(RgbImage::from_fn(512, 512, |x, _| {
        if x < 256 {
            Rgb([0, 0, 0])
        } else {
            Rgb([255, 255, 255])
        }
    }));
    let d = titan
        .run(
            &ImageRequest::outpainting(input.clone())
                .mask_image(mask)
                .prompt("a garden")
                .outpainting_mode(OutpaintingMode::Precise)
                .seed(3),
        )
        .await
        .unwrap();
    assert_eq!(
        shape(&last_body(&server)),
        json!({"taskType": "OUTPAINTING",
               "outPaintingParams": {"text": "a garden", "image": "<512x512>",
                                     "maskImage": "<512x512>", "outPaintingMode": "PRECISE"},
               "imageGenerationConfig": {"seed": 3}})
    );
    assert_eq!(d.images[0].dimensions(), (512, 512));

    // Variation of two images.
    let d = titan
        .run(
            &ImageRequest::variation([input.clone(), photo(512, 512).fliph()])
                .similarity_strength(0.6)
                .count(3),
        )
        .await
        .unwrap();
    assert_eq!(
        shape(&last_body(&server)),
        json!({"taskType": "IMAGE_VARIATION",
               "imageVariationParams": {"images": ["<512x512>", "<512x512>"], "similarityStrength": 0.6},
               "imageGenerationConfig": {"numberOfImages": 3, "width": 384, "height": 576}})
    );
    assert_eq!(d.images.len(), 3);
    assert!(d.images.iter().all(|i| i.dimensions() == (384, 576)));

    // Background removal: no settings, a transparent background.
    let d = titan
        .run(&ImageRequest::background_removal(input.clone()))
        .await
        .unwrap();
    assert_eq!(
        shape(&last_body(&server)),
        json!({"taskType": "BACKGROUND_REMOVAL", "backgroundRemovalParams": {"image": "<512x512>"}})
    );
    assert!(d.images[0].color().has_alpha());

    // Color-guided generation with a reference image.
    titan
        .run(
            &ImageRequest::color_guided("a harbour", ["#1F4E79", "#F2C14E"])
                .reference_image(input.clone()),
        )
        .await
        .unwrap();
    assert_eq!(
        shape(&last_body(&server)),
        json!({"taskType": "COLOR_GUIDED_GENERATION",
               "colorGuidedGenerationParams": {"text": "a harbour", "colors": ["#1F4E79", "#F2C14E"],
                                               "referenceImage": "<512x512>"},
               "imageGenerationConfig": {"width": 384, "height": 576}})
    );

    // Conditioned text-to-image.
    titan
        .run(
            &ImageRequest::text_to_image("a city")
                .condition_image(input)
                .control_mode(ControlMode::Segmentation)
                .control_strength(0.5),
        )
        .await
        .unwrap();
    assert_eq!(
        shape(&last_body(&server))["textToImageParams"],
        json!({"text": "a city", "conditionImage": "<512x512>", "controlMode": "SEGMENTATION",
               "controlStrength": 0.5})
    );
}
