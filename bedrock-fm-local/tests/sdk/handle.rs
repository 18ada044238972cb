//! The in-process handle: the request log, shutdown on drop, the SDK config.

use super::*;

#[tokio::test]
async fn request_log_proves_no_request_was_sent() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    // A request the SDK refuses to build never reaches the server.
    let err = client.converse().send().await.unwrap_err();
    assert!(err.raw_response().is_none());
    assert_eq!(server.request_count(), 0);
    assert!(server.last_request().is_none());
    client
        .converse()
        .model_id(MODEL)
        .messages(user("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(server.request_count(), 1);
    server.requests().clear();
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn dropped_handle_stops_the_server() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let endpoint = server.endpoint();
    client
        .converse()
        .model_id(MODEL)
        .messages(user("x"))
        .send()
        .await
        .unwrap();
    drop(server);
    let err = client
        .converse()
        .model_id(MODEL)
        .messages(user("x"))
        .send()
        .await
        .unwrap_err();
    assert!(err.raw_response().is_none(), "{endpoint} still answers");
}

#[tokio::test]
async fn sdk_config_works_with_client_new() {
    let server = bedrock_fm_local::start();
    let client = aws_sdk_bedrockruntime::Client::new(&server.sdk_config());
    let out = client
        .converse()
        .model_id(MODEL)
        .messages(user("x"))
        .send()
        .await
        .unwrap();
    assert!(!reply_text(&out).is_empty());
}
