//! Every bad input is refused before any request.

use crate::{NOVA, SD35, SDXL, TITAN_V1, TITAN_V2, ULTRA, photo, setup};
use bedrock_fm::ErrorKind;
use bedrock_fm::bodies::stable_image::StableImageOutputFormat;
use bedrock_fm::images::{
    ImageInput, ImageRequest, ImageTask, NovaCanvas, StableDiffusion, StableImage, TitanImage,
};

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
