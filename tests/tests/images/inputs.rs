//! Image inputs given as images, paths or bytes, and outputs saved as files.

use crate::{TITAN_V2, last_body, photo, png_bytes, setup};
use bedrock_fm::images::{ImageInput, ImageRequest, TitanImage};
use image::{GenericImageView, ImageFormat};

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
