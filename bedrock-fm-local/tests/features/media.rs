//! Images and documents in Converse messages, validated as Bedrock validates them.

use super::*;

#[tokio::test]
async fn images_and_documents_are_validated() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let out = client
        .converse()
        .model_id(HAIKU3)
        .messages(user_blocks(vec![
            image(ImageFormat::Png, png(8, 6)),
            ContentBlock::Text("What is in this image?".into()),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(out.stop_reason(), &StopReason::EndTurn);
    let err = client
        .converse()
        .model_id(HAIKU3)
        .messages(user_blocks(vec![
            image(ImageFormat::Jpeg, png(8, 6)),
            ContentBlock::Text("What is in this image?".into()),
        ]))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_validation_exception());
    assert_eq!(
        err.message(),
        Some(
            "The model returned the following errors: messages.0.content.0.image.source.bytes: The image was specified using the image/jpeg media type, but the image appears to be a image/png image"
        )
    );
    let mut blocks: Vec<ContentBlock> = (0..21)
        .map(|_| image(ImageFormat::Png, png(2, 2)))
        .collect();
    blocks.push(ContentBlock::Text("Compare them".into()));
    let err = client
        .converse()
        .model_id(HAIKU3)
        .messages(user_blocks(blocks))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        err.message(),
        Some("You can't include more than 20 images in a request.")
    );
    let err = client
        .converse()
        .model_id(HAIKU3)
        .messages(user_blocks(vec![
            image(ImageFormat::Png, png(8_001, 1)),
            ContentBlock::Text("Wide".into()),
        ]))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        err.message()
            .unwrap()
            .ends_with("At least one of the image dimensions exceed max allowed size: 8000 pixels")
    );
    // Documents: five at most, a text block beside them.
    let mut blocks: Vec<ContentBlock> = (0..6).map(|i| document(&format!("report{i}"))).collect();
    blocks.push(ContentBlock::Text("Summarize".into()));
    let err = client
        .converse()
        .model_id(HAIKU3)
        .messages(user_blocks(blocks))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        err.message(),
        Some("You can't include more than 5 documents in a request.")
    );
    let err = client
        .converse()
        .model_id(HAIKU3)
        .messages(user_blocks(vec![document("report")]))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        err.message()
            .unwrap()
            .starts_with("A text block must be included")
    );
    // An image for a text-only model.
    let err = client
        .converse()
        .model_id("meta.llama3-8b-instruct-v1:0")
        .messages(user_blocks(vec![
            image(ImageFormat::Png, png(2, 2)),
            ContentBlock::Text("What is it?".into()),
        ]))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.message().unwrap().contains("image"), "{err:?}");
}
