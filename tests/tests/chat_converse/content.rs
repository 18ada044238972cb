//! Multimodal content: images and text in order, documents, and the catalog's vision models.

use crate::{
    HAIKU, b64, block_kinds, claude, encode, last_body, last_path, setup, small_png, unb64,
};
use bedrock_fm::catalog::Model;
use bedrock_fm::chat::ChatOptions;
use bedrock_fm::chat::content::Content;
use bedrock_fm::{Api, Conversation, Nova};

#[tokio::test]
async fn images_and_text_keep_their_order_with_the_bytes_as_fitted() {
    let (server, client) = setup();
    let model = claude(&client, HAIKU);
    let png = small_png();
    let jpeg = encode(
        &image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            8,
            8,
            image::Rgb([0, 90, 200]),
        )),
        image::ImageFormat::Jpeg,
    );
    // Wider than the 8,000 px Converse allows: fitted (scaled down) before sending.
    let wide =
        image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(9000, 2, image::Rgb([1, 2, 3])));
    let conversation = Conversation::new().human_with([
        Content::text("Compare the first image"),
        Content::image_bytes(png.clone()),
        Content::text("with these two"),
        Content::image(wide),
        Content::image_bytes(jpeg.clone()),
    ]);
    let details = model
        .chat_details(&conversation, &ChatOptions::new())
        .await
        .unwrap();
    assert!(!details.output.is_empty());
    assert_eq!(details.api, Api::Converse);
    assert!(last_path(&server).ends_with("/converse"));
    let body = last_body(&server);
    // Message.content: ContentBlock unions, in the order the user gave them.
    let message = &body["messages"][0];
    assert_eq!(message["role"], "user");
    assert_eq!(
        block_kinds(message),
        ["text", "image", "text", "image", "image"]
    );
    let content = &message["content"];
    assert_eq!(content[0]["text"], "Compare the first image");
    assert_eq!(content[2]["text"], "with these two");
    // ImageBlock {format: ImageFormat, source: ImageSource {bytes: blob (base64 on the
    // wire)}}: an accepted image is sent as it is.
    assert_eq!(content[1]["image"]["format"], "png");
    assert_eq!(content[1]["image"]["source"]["bytes"], b64(&png));
    assert_eq!(content[4]["image"]["format"], "jpeg");
    assert_eq!(content[4]["image"]["source"]["bytes"], b64(&jpeg));
    // A decoded image is encoded (PNG), scaled to the model's 8,000 px limit.
    assert_eq!(content[3]["image"]["format"], "png");
    let fitted = image::load_from_memory(&unb64(&content[3]["image"]["source"]["bytes"])).unwrap();
    assert_eq!(fitted.width(), 8000);
    // The body kept in the details is the request as sent.
    assert_eq!(details.body, body);
    // Input tokens count each image (the local server counts 100 per media block).
    assert!(details.usage.input_tokens.unwrap() >= 300);
}

#[tokio::test]
async fn a_document_is_sent_with_its_name_format_and_bytes() {
    let (server, client) = setup();
    let model = claude(&client, HAIKU);
    let csv = b"city,temp\nOslo,4\nLisbon,21\n".to_vec();
    let conversation = Conversation::new().human_with([
        Content::document("Temperatures (May) [v2]", "csv", csv.clone()),
        Content::text("Which city is warmest?"),
    ]);
    let reply = model.chat(&conversation).await.unwrap();
    assert!(!reply.text().is_empty());
    // DocumentBlock {format: DocumentFormat, name, source: DocumentSource {bytes}}.
    let doc = &last_body(&server)["messages"][0]["content"][0]["document"];
    assert_eq!(doc["format"], "csv");
    assert_eq!(doc["name"], "Temperatures (May) [v2]");
    assert_eq!(unb64(&doc["source"]["bytes"]), csv);
}

#[tokio::test]
async fn models_of_the_catalog_with_vision_take_images_over_converse() {
    let (server, client) = setup();
    // Llama 3.2 vision and Nova, through the same Converse shapes.
    let png = small_png();
    let conversation = Conversation::new()
        .human_with([Content::text("Describe"), Content::image_bytes(png.clone())]);
    let nova = Nova::builder(&client, Model::AmazonNovaLiteV1_0)
        .api(Api::Converse)
        .build()
        .unwrap();
    let reply = nova.chat(&conversation).await.unwrap();
    assert!(!reply.text().is_empty());
    let body = last_body(&server);
    assert_eq!(body["messages"][0]["content"][1]["image"]["format"], "png");
    assert!(last_path(&server).contains("amazon.nova-lite-v1"));
}
