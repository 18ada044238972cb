//! Stability AI Stable Diffusion XL 1.0, and Stable Diffusion 3 / 3.5 Large, Stable Image
//! Ultra / Core.

use crate::IMAGE_B64;
use crate::documented::{check_request, parse, with_unknown_field};
use bedrock_fm::bodies::stable_diffusion::*;
use bedrock_fm::bodies::stable_image::*;
use serde_json::{Value, json};

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
