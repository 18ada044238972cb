//! Image generation against bedrock-fm-local over real HTTP: the JSON body on the wire checked
//! against each family's documented request shape, the decoded images (size, count, the same
//! seed giving the same pixels), the editing tasks, inputs as images, paths and bytes, and
//! every bad input refused before any request.

use bedrock_fm::bodies::nova_canvas::NovaCanvasStyle;
use bedrock_fm::bodies::stable_diffusion::StableDiffusionStylePreset;
use bedrock_fm::bodies::stable_image::{StableImageAspectRatio, StableImageOutputFormat};
use bedrock_fm::catalog::Model;
use bedrock_fm::images::{
    AnyImageModel, ControlMode, FinishReason, ImageInput, ImageRequest, ImageTask, NovaCanvas,
    OutpaintingMode, Quality, StableDiffusion, StableImage, TitanImage,
};
use bedrock_fm::{Client, ErrorKind, RetryPolicy};
use bedrock_fm_local::LocalServer;
use image::{DynamicImage, GenericImageView, ImageFormat, Rgb, RgbImage};
use serde_json::{Value, json};
use std::time::Duration;

const TITAN_V2: Model = Model::AmazonTitanImageGeneratorV2_0;
const TITAN_V1: Model = Model::AmazonTitanImageGeneratorV1;
const NOVA: Model = Model::AmazonNovaCanvasV1_0;
const SDXL: Model = Model::StabilityStableDiffusionXlV1;
const SD35: Model = Model::StabilitySd3_5LargeV1_0;
const ULTRA: Model = Model::StabilityStableImageUltraV1_1;

fn setup() -> (LocalServer, Client) {
    let server = bedrock_fm_local::start();
    let retry = RetryPolicy::default()
        .initial_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5));
    let client = Client::from_sdk_config(&server.sdk_config()).with_retry_policy(retry);
    (server, client)
}

fn last_body(server: &LocalServer) -> Value {
    let record = server.last_request().expect("a request reached the server");
    serde_json::from_slice(&record.body).expect("a JSON body")
}

/// The body with every base64 image replaced by its decoded size, `"<WxH>"`.
fn shape(body: &Value) -> Value {
    match body {
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), shape(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        Value::String(s) if s.len() > 200 => {
            use base64::Engine as _;
            let bytes = base64::engine::general_purpose::STANDARD.decode(s).unwrap();
            let img = image::load_from_memory(&bytes).unwrap();
            Value::String(format!("<{}x{}>", img.width(), img.height()))
        }
        other => other.clone(),
    }
}

fn photo(w: u32, h: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 128])
    }))
}

fn png_bytes(img: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), ImageFormat::Png)
        .unwrap();
    out
}

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

#[tokio::test]
async fn inputs_are_images_paths_or_bytes() {
    let (server, client) = setup();
    let titan = TitanImage::builder(&client, TITAN_V2).build().unwrap();
    let dir = std::env::temp_dir().join(format!("bedrock-fm-images-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("input.png");
    photo(320, 320).save(&path).unwrap();
    let mut jpeg = Vec::new();
    photo(320, 320)
        .write_to(&mut std::io::Cursor::new(&mut jpeg), ImageFormat::Jpeg)
        .unwrap();
    let webp_input = {
        let mut out = Vec::new();
        photo(320, 320)
            .write_to(&mut std::io::Cursor::new(&mut out), ImageFormat::WebP)
            .unwrap();
        out
    };
    for input in [
        ImageInput::path(&path),
        ImageInput::bytes(png_bytes(&photo(320, 320))),
        ImageInput::bytes(jpeg.clone()),
        ImageInput::bytes(webp_input),
    ] {
        let d = titan
            .run(&ImageRequest::background_removal(input))
            .await
            .unwrap();
        assert_eq!(d.images[0].dimensions(), (320, 320));
    }
    // JPEG bytes are sent as they are; WebP (which Titan does not take) was re-encoded as PNG.
    let sent = last_body(&server)["backgroundRemovalParams"]["image"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(sent.starts_with("iVBORw0KGgo"), "PNG");
    let d = titan
        .run(&ImageRequest::background_removal(ImageInput::bytes(
            jpeg.clone(),
        )))
        .await
        .unwrap();
    use base64::Engine as _;
    let sent = last_body(&server)["backgroundRemovalParams"]["image"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(sent)
            .unwrap(),
        jpeg
    );
    // Outputs save as PNG files.
    let paths = d.save_png(&dir, "cutout").unwrap();
    assert_eq!(paths, vec![dir.join("cutout-1.png")]);
    assert_eq!(image::open(&paths[0]).unwrap().dimensions(), (320, 320));
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn nova_canvas_follows_its_size_rules_and_styles() {
    let (server, client) = setup();
    let canvas = NovaCanvas::builder(&client, NOVA)
        .size(640, 384)
        .style(NovaCanvasStyle::FlatVectorIllustration)
        .build()
        .unwrap();
    let d = canvas
        .run(
            &ImageRequest::text_to_image("a paper boat")
                .count(3)
                .seed(12),
        )
        .await
        .unwrap();
    // Source: Nova user guide, image-gen-req-resp-structure.html: textToImageParams {text,
    // negativeText, style, conditionImage, controlMode, controlStrength};
    // imageGenerationConfig {width, height, quality, cfgScale, seed, numberOfImages}.
    assert_eq!(
        last_body(&server),
        json!({"taskType": "TEXT_IMAGE",
               "textToImageParams": {"text": "a paper boat", "style": "FLAT_VECTOR_ILLUSTRATION"},
               "imageGenerationConfig": {"numberOfImages": 3, "width": 640, "height": 384, "seed": 12}})
    );
    assert_eq!(d.images.len(), 3);
    assert!(d.images.iter().all(|i| i.dimensions() == (640, 384)));
    let same = canvas
        .run(
            &ImageRequest::text_to_image("a paper boat")
                .count(3)
                .seed(12),
        )
        .await
        .unwrap();
    assert_eq!(same.images, d.images);
    // A size the rules forbid, before any request.
    let before = server.request_count();
    let e = canvas
        .run(&ImageRequest::text_to_image("x").size(1000, 1000))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not divisible by 16"), "{e}");
    let e = NovaCanvas::builder(&client, NOVA)
        .size(320, 1600)
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("aspect ratio"), "{e}");
    assert_eq!(server.request_count(), before);
    // Inpainting: the style is refused, the size of the input kept.
    let d = canvas
        .run(&ImageRequest::inpainting(photo(640, 480)).mask_prompt("the boat"))
        .await
        .unwrap();
    assert_eq!(d.images[0].dimensions(), (640, 480));
    assert!(last_body(&server)["inPaintingParams"].get("text").is_none());
}

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

#[tokio::test]
async fn any_image_model_dispatches_by_id() {
    let (_server, client) = setup();
    for (id, size) in [
        ("amazon.titan-image-generator-v2:0", (512, 512)),
        ("amazon.nova-canvas-v1:0", (512, 512)),
        ("stability.stable-diffusion-xl-v1", (1024, 1024)),
    ] {
        let model = AnyImageModel::builder(&client, id)
            .size(size.0, size.1)
            .seed(5)
            .build()
            .unwrap();
        let images = model.generate("a teapot").await.unwrap();
        assert_eq!(images[0].dimensions(), size, "{id}");
    }
    let e = AnyImageModel::builder(&client, "amazon.titan-embed-text-v2:0")
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("not an image model"), "{e}");
    // A default the family lacks is named.
    let e = AnyImageModel::builder(&client, "stability.sd3-5-large-v1:0")
        .cfg_scale(5.0)
        .build()
        .unwrap_err();
    assert!(e.to_string().starts_with("InvalidInput: cfg_scale:"), "{e}");
}

#[tokio::test]
async fn bad_inputs_fail_before_any_request() {
    let (server, client) = setup();
    let titan = TitanImage::builder(&client, TITAN_V2).build().unwrap();
    let v1 = TitanImage::builder(&client, TITAN_V1).build().unwrap();
    let canvas = NovaCanvas::builder(&client, NOVA).build().unwrap();
    let sdxl = StableDiffusion::builder(&client, SDXL).build().unwrap();
    let sd35 = StableImage::builder(&client, SD35).build().unwrap();
    let img = photo(512, 512);
    let cases: Vec<(&str, bedrock_fm::Result<bedrock_fm::images::ImageDetails>)> = vec![
        // An image size the model does not generate (the catalog's list).
        (
            "size",
            titan
                .run(&ImageRequest::text_to_image("x").size(1000, 1000))
                .await,
        ),
        (
            "size",
            sdxl.run(&ImageRequest::text_to_image("x").size(512, 512))
                .await,
        ),
        (
            "size",
            sd35.run(&ImageRequest::text_to_image("x").size(1000, 300))
                .await,
        ),
        // A count the model does not accept.
        (
            "count",
            titan.run(&ImageRequest::text_to_image("x").count(6)).await,
        ),
        (
            "count",
            canvas.run(&ImageRequest::text_to_image("x").count(0)).await,
        ),
        (
            "count",
            sdxl.run(&ImageRequest::text_to_image("x").count(2)).await,
        ),
        (
            "count",
            sd35.run(&ImageRequest::text_to_image("x").count(2)).await,
        ),
        // A prompt over the length limit, or empty.
        (
            "prompt",
            titan
                .run(&ImageRequest::text_to_image("p".repeat(513)))
                .await,
        ),
        (
            "prompt",
            canvas
                .run(&ImageRequest::text_to_image("p".repeat(1025)))
                .await,
        ),
        (
            "prompt",
            sdxl.run(&ImageRequest::text_to_image("p".repeat(2001)))
                .await,
        ),
        (
            "prompt",
            sd35.run(&ImageRequest::text_to_image("p".repeat(10_001)))
                .await,
        ),
        ("prompt", titan.run(&ImageRequest::text_to_image("")).await),
        (
            "negative_prompt",
            titan
                .run(&ImageRequest::text_to_image("x").negative_prompt("n".repeat(513)))
                .await,
        ),
        // A mask without an image, or on a task without one.
        (
            "image",
            titan
                .run(&ImageRequest::new(ImageTask::Inpainting).mask_prompt("sky"))
                .await,
        ),
        (
            "mask_prompt",
            canvas
                .run(&ImageRequest::text_to_image("x").mask_prompt("sky"))
                .await,
        ),
        (
            "mask",
            sdxl.run(&ImageRequest::text_to_image("x").mask_image(img.clone()))
                .await,
        ),
        // Inpainting without a mask; a mask of another size.
        (
            "mask",
            titan.run(&ImageRequest::inpainting(img.clone())).await,
        ),
        (
            "mask_image",
            canvas
                .run(&ImageRequest::inpainting(img.clone()).mask_image(photo(64, 64)))
                .await,
        ),
        // Tasks and settings the model does not have.
        (
            "task",
            v1.run(&ImageRequest::background_removal(img.clone())).await,
        ),
        (
            "condition_image",
            v1.run(&ImageRequest::text_to_image("x").condition_image(img.clone()))
                .await,
        ),
        (
            "task",
            sdxl.run(&ImageRequest::variation([img.clone()])).await,
        ),
        (
            "steps",
            titan.run(&ImageRequest::text_to_image("x").steps(30)).await,
        ),
        (
            "cfg_scale",
            titan
                .run(&ImageRequest::text_to_image("x").cfg_scale(20.0))
                .await,
        ),
        (
            "seed",
            canvas
                .run(&ImageRequest::text_to_image("x").seed(3_000_000_000))
                .await,
        ),
        (
            "images",
            titan
                .run(&ImageRequest::variation(vec![img.clone(); 6]))
                .await,
        ),
        (
            "colors[1]",
            titan
                .run(&ImageRequest::color_guided("x", ["#FFFFFF", "blue"]))
                .await,
        ),
        (
            "size",
            titan
                .run(
                    &ImageRequest::inpainting(img.clone())
                        .mask_prompt("x")
                        .size(512, 512),
                )
                .await,
        ),
        (
            "strength",
            sd35.run(&ImageRequest::image_to_image("x", img.clone()))
                .await,
        ),
        (
            "image",
            sdxl.run(&ImageRequest::image_to_image("x", photo(500, 500)))
                .await,
        ),
        (
            "image",
            titan
                .run(&ImageRequest::background_removal(ImageInput::bytes(
                    b"nope".to_vec(),
                )))
                .await,
        ),
        (
            "output_format",
            StableImage::builder(&client, ULTRA)
                .build()
                .unwrap()
                .run(&ImageRequest::text_to_image("x").output_format(StableImageOutputFormat::Webp))
                .await,
        ),
    ];
    for (location, result) in cases {
        let e = result.expect_err(location);
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        assert!(
            e.to_string()
                .starts_with(&format!("InvalidInput: {location}:")),
            "expected {location}: {e}"
        );
    }
    // Builders check their defaults too.
    assert!(
        TitanImage::builder(&client, TITAN_V2)
            .count(9)
            .build()
            .is_err()
    );
    assert!(TitanImage::builder(&client, SDXL).build().is_err());
    assert_eq!(server.request_count(), 0, "no request was sent");
}
