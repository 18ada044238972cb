//! A 200 whose body is empty or not the operation's output is a decode error with the
//! request id, never an empty success. Converse's `output` and `stopReason` are required
//! members of `ConverseResponse` (bedrock-runtime service model, operation Converse;
//! <https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html>).

use crate::raw_server::{Auth, RawServer, client, response, serve_bytes};
use crate::{HAIKU, TITAN};
use bedrock_fm::{Api, Claude3, ErrorKind, Titan};
use bedrock_fm_local::config::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};

const REQUEST_ID: &str = "0f5e0a3c-1b7e-4c9f-9a51-5b0d8e1f2a64";

async fn ok(content_type: &str, body: &str) -> RawServer {
    let headers = [
        ("Content-Type", content_type),
        ("x-amzn-RequestId", REQUEST_ID),
    ];
    serve_bytes(response("200 OK", &headers, body)).await
}

fn haiku(server: &RawServer) -> Claude3 {
    let client = client(
        &server.endpoint,
        Auth::Static(TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY),
    );
    Claude3::builder(&client, HAIKU)
        .api(Api::Converse)
        .build()
        .unwrap()
}

#[tokio::test]
async fn converse_200_with_an_empty_object_is_a_decode_error() {
    let server = ok("application/json", "{}").await;
    let err = haiku(&server).generate("Hello").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert_eq!(err.request_id(), Some(REQUEST_ID));
    assert!(err.message().contains("output"), "{err}");
    assert_eq!(server.requests(), 1, "decode errors are not retried");
}

#[tokio::test]
async fn converse_200_with_an_empty_body_is_a_decode_error() {
    let server = ok("application/json", "").await;
    let err = haiku(&server).generate("Hello").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert_eq!(err.request_id(), Some(REQUEST_ID));
}

#[tokio::test]
async fn converse_200_without_a_stop_reason_is_a_decode_error() {
    let body = r#"{"output":{"message":{"role":"assistant","content":[{"text":"Hi"}]}},
        "usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2},"metrics":{"latencyMs":1}}"#;
    let server = ok("application/json", body).await;
    let err = haiku(&server).generate("Hello").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert!(err.message().contains("stopReason"), "{err}");
}

#[tokio::test]
async fn converse_200_with_a_complete_body_still_succeeds() {
    let body = r#"{"output":{"message":{"role":"assistant","content":[{"text":"Hi"}]}},
        "stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2},
        "metrics":{"latencyMs":1}}"#;
    let server = ok("application/json", body).await;
    let details = haiku(&server).generate_details("Hello").await.unwrap();
    assert_eq!(details.output, "Hi");
    assert_eq!(details.request_id.as_deref(), Some(REQUEST_ID));
}

#[tokio::test]
async fn converse_200_with_an_html_page_is_a_decode_error_with_the_raw_body() {
    let page = "<html><body>Maintenance</body></html>";
    let server = ok("text/html", page).await;
    let err = haiku(&server).generate("Hello").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.raw_body(), Some(page));
    assert_eq!(err.request_id(), Some(REQUEST_ID));
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn invoke_model_200_with_an_empty_body_is_a_decode_error() {
    let server = ok("application/json", "").await;
    let client = client(
        &server.endpoint,
        Auth::Static(TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY),
    );
    let titan = Titan::builder(&client, TITAN).build().unwrap();
    let err = titan.generate("Hello").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert_eq!(err.request_id(), Some(REQUEST_ID));
}
