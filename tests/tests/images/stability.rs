//! Stability AI: SDXL (weighted prompts, image to image, masking) and the Stable Image
//! models (aspect ratios, output formats, image to image).

use crate::{SD35, SDXL, ULTRA, last_body, photo, setup, shape};
use bedrock_fm::bodies::stable_diffusion::StableDiffusionStylePreset;
use bedrock_fm::bodies::stable_image::{StableImageAspectRatio, StableImageOutputFormat};
use bedrock_fm::images::{FinishReason, ImageRequest, StableDiffusion, StableImage};
use image::{DynamicImage, GenericImageView, ImageFormat, Rgb, RgbImage};
use serde_json::json;

#[tokio::test]
async fn sdxl_weighted_prompts_settings_and_image_to_image() {
    let (server, client) = setup();
    let sdxl = StableDiffusion::builder(&client, SDXL)
        .steps(30)
        .style_preset(StableDiffusionStylePreset::Photographic)
        .cfg_scale(7.0)
        .build()
        .unwrap();
    let request = ImageRequest::text_to_image("a castle on a hill")
        .weighted_prompt("fog", 0.5)
        .negative_prompt("people")
        .size(1152, 896)
        .seed(1234);
    let d = sdxl.run(&request).await.unwrap();
    // Source: model-parameters-diffusion-1-0-text-image.html: text_prompts [{text, weight}],
    // height, width, cfg_scale, seed, steps, style_preset.
    assert_eq!(
        last_body(&server),
        json!({"text_prompts": [{"text": "a castle on a hill"}, {"text": "fog", "weight": 0.5},
                                {"text": "people", "weight": -1.0}],
               "height": 896, "width": 1152, "cfg_scale": 7.0, "seed": 1234, "steps": 30,
               "style_preset": "photographic"})
    );
    assert_eq!(d.images.len(), 1);
    assert_eq!(d.images[0].dimensions(), (1152, 896));
    assert_eq!(d.seeds, vec![Some(1234)]);
    assert_eq!(d.finish_reasons, vec![FinishReason::Success]);
    assert_eq!(sdxl.run(&request).await.unwrap().images, d.images);

    // Image to image: init_image and image_strength; the output keeps the init image's size.
    let d = sdxl
        .run(&ImageRequest::image_to_image("the castle at night", photo(512, 768)).strength(0.35))
        .await
        .unwrap();
    // Source: model-parameters-diffusion-1-0-image-image.html: init_image, image_strength.
    let body = shape(&last_body(&server));
    assert_eq!(body["init_image"], "<512x768>");
    assert_eq!(body["image_strength"], 0.35);
    assert!(body.get("width").is_none());
    assert_eq!(d.images[0].dimensions(), (512, 768));

    // Masking: the mask image over the init image, black pixels replaced.
    let mask = DynamicImage::ImageRgb8(RgbImage::from_fn(512, 512, |_, y| {
        if y < 256 {
            Rgb([0, 0, 0])
        } else {
            Rgb([255, 255, 255])
        }
    }));
    sdxl.run(
        &ImageRequest::inpainting(photo(512, 512))
            .mask_image(mask)
            .prompt("a dragon in the sky"),
    )
    .await
    .unwrap();
    // Source: model-parameters-diffusion-1-0-image-image-mask.html: init_image, mask_source,
    // mask_image.
    let body = shape(&last_body(&server));
    assert_eq!(body["init_image"], "<512x512>");
    assert_eq!(body["mask_source"], "MASK_IMAGE_BLACK");
    assert_eq!(body["mask_image"], "<512x512>");
}

#[tokio::test]
async fn stable_image_aspect_ratios_formats_and_image_to_image() {
    let (server, client) = setup();
    let sd35 = StableImage::builder(&client, SD35)
        .aspect_ratio(StableImageAspectRatio::Ratio16x9)
        .build()
        .unwrap();
    let d = sd35
        .run(
            &ImageRequest::text_to_image("a mountain lake")
                .negative_prompt("boats")
                .seed(99)
                .output_format(StableImageOutputFormat::Jpeg),
        )
        .await
        .unwrap();
    // Source: model-parameters-diffusion-3-5-large.html: prompt, negative_prompt,
    // aspect_ratio, seed, output_format; one image with seeds and finish_reasons.
    assert_eq!(
        last_body(&server),
        json!({"prompt": "a mountain lake", "aspect_ratio": "16:9", "seed": 99,
               "negative_prompt": "boats", "output_format": "jpeg"})
    );
    assert_eq!(d.images[0].dimensions(), (1344, 768));
    assert_eq!(d.formats, vec![ImageFormat::Jpeg]);
    assert_eq!(d.seeds, vec![Some(99)]);
    assert_eq!(d.finish_reasons, vec![FinishReason::Success]);
    // A width and height become their aspect ratio.
    sd35.run(&ImageRequest::text_to_image("x").size(1920, 1080))
        .await
        .unwrap();
    assert_eq!(last_body(&server)["aspect_ratio"], "16:9");
    // Image to image on SD3.5 Large.
    let d = sd35
        .run(&ImageRequest::image_to_image("the lake in winter", photo(640, 512)).strength(0.6))
        .await
        .unwrap();
    let body = shape(&last_body(&server));
    assert_eq!(
        body,
        json!({"prompt": "the lake in winter", "mode": "image-to-image", "image": "<640x512>",
               "strength": 0.6})
    );
    assert_eq!(d.images[0].dimensions(), (640, 512));
    // Ultra generates from text only.
    let ultra = StableImage::builder(&client, ULTRA).build().unwrap();
    let before = server.request_count();
    let e = ultra
        .run(&ImageRequest::image_to_image("x", photo(64, 64)).strength(0.5))
        .await
        .unwrap_err();
    assert!(e.to_string().starts_with("InvalidInput: image:"), "{e}");
    assert_eq!(server.request_count(), before);
    let images = ultra.generate("a fox").await.unwrap();
    assert_eq!(images[0].dimensions(), (1024, 1024));
}
