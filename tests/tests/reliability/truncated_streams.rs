//! No silent truncation: a stream that ends cleanly at a frame boundary without its final
//! event (`messageStop` for ConverseStream, the family's last chunk with its stop reason for
//! InvokeModelWithResponseStream) is an `IncompleteStream` error that keeps the text so far;
//! an empty one is retried like any failed call. The cut is bedrock-fm-local's `end-after=N`
//! fault (a proxy, or a connection closed between frames).

use crate::HAIKU;
use bedrock_fm::{Api, Claude3, Client, ErrorKind, RetryPolicy};
use bedrock_fm_local::{Fault, LocalServer};
use std::time::Duration;

fn setup() -> (LocalServer, Client) {
    let server = bedrock_fm_local::start();
    let retry = RetryPolicy::default()
        .max_attempts(3)
        .initial_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5));
    let client = Client::from_sdk_config(&server.sdk_config()).with_retry_policy(retry);
    (server, client)
}

#[tokio::test]
async fn a_stream_cut_after_some_text_is_an_error_with_the_partial_text_on_both_apis() {
    for api in [Api::InvokeModel, Api::Converse] {
        let (server, client) = setup();
        let claude = Claude3::builder(&client, HAIKU)
            .api(api)
            .max_tokens(200)
            .build()
            .unwrap();
        server.faults().push(Fault::EndStreamAfter(3));
        let mut stream = claude
            .generate_stream("Describe the rivers and lakes of Europe in detail")
            .await
            .unwrap();
        let what = format!("{api:?}, a cut stream");
        let (received, err) = bedrock_fm_tests::read_until_error(&mut stream, &what).await;
        assert_eq!(err.kind(), ErrorKind::IncompleteStream, "{api:?}: {err}");
        assert!(!received.is_empty(), "{api:?}");
        assert_eq!(err.partial_output(), Some(received.as_str()), "{api:?}");
        // Text was yielded: not retried.
        assert_eq!(server.request_count(), 1, "{api:?}");
    }
}

#[tokio::test]
async fn an_empty_stream_is_retried_and_then_succeeds() {
    let (server, client) = setup();
    let claude = Claude3::builder(&client, HAIKU)
        .api(Api::Converse)
        .build()
        .unwrap();
    server.faults().push(Fault::EndStreamAfter(0));
    let text = claude
        .generate_stream("Hello")
        .await
        .unwrap()
        .collect_text()
        .await
        .unwrap();
    assert!(!text.is_empty());
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn an_empty_stream_past_the_policy_is_an_incomplete_stream_error() {
    let (server, client) = setup();
    let claude = Claude3::builder(&client, HAIKU).build().unwrap();
    for _ in 0..3 {
        server.faults().push(Fault::EndStreamAfter(0));
    }
    let err = claude.generate_stream("Hello").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::IncompleteStream);
    assert_eq!(server.request_count(), 3);
}
