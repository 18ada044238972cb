//! `AnyImageModel`: a model chosen by its ID dispatches to its family.

use crate::setup;
use bedrock_fm::images::AnyImageModel;
use image::GenericImageView;

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
