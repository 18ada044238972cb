//! Nova Canvas: its size rules, styles and documented body.

use crate::{NOVA, last_body, photo, setup};
use bedrock_fm::bodies::nova_canvas::NovaCanvasStyle;
use bedrock_fm::images::{ImageRequest, NovaCanvas};
use image::GenericImageView;
use serde_json::json;

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
