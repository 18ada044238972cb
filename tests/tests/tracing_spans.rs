//! Every call has a `tracing` span with the model, the API, the attempts, the latency, the
//! tokens and the request id; retries are logged at debug level; no credential ever appears.

use bedrock_fm::embeddings::TitanEmbed;
use bedrock_fm::{Api, Client, Nova, RetryPolicy};
use bedrock_fm_local::{Fault, TEST_SECRET_ACCESS_KEY};
use bedrock_fm_tests::{Captured, subscriber};
use std::time::Duration;

#[tokio::test]
async fn calls_have_spans_with_their_outcome_and_retries_are_logged() {
    let captured = Captured::default();
    let _guard = tracing::subscriber::set_default(subscriber(&captured));
    let server = bedrock_fm_local::start();
    let retry = RetryPolicy::default()
        .initial_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(2));
    let client = Client::from_sdk_config(&server.sdk_config()).with_retry_policy(retry);

    server.faults().push(Fault::Throttle);
    let nova = Nova::builder(&client, "amazon.nova-lite-v1:0")
        .api(Api::Converse)
        .build()
        .unwrap();
    let details = nova.generate_details("Name a river").await.unwrap();
    let request_id = details.request_id.clone().unwrap();
    let titan = TitanEmbed::builder(&client, "amazon.titan-embed-text-v2:0")
        .build()
        .unwrap();
    titan.generate_for_query("a river").await.unwrap();

    let text = captured.text();
    let call = text
        .lines()
        .find(|l| l.contains("bedrock_fm.call") && l.contains("Converse") && l.contains("close"))
        .unwrap_or_else(|| panic!("a Converse call span: {text}"));
    assert!(call.contains("model=amazon.nova-lite-v1:0"), "{call}");
    assert!(call.contains("attempts=2"), "{call}");
    assert!(call.contains(&format!("request_id={request_id}")), "{call}");
    assert!(
        call.contains("input_tokens=") && call.contains("latency_ms="),
        "{call}"
    );
    assert!(
        text.contains("retrying") && text.contains("Throttling"),
        "{text}"
    );
    let embed = text
        .lines()
        .find(|l| {
            l.contains("bedrock_fm.call")
                && l.contains("titan-embed-text-v2")
                && l.contains("close")
        })
        .unwrap_or_else(|| panic!("an embedding call span: {text}"));
    assert!(embed.contains("attempts=1"), "{embed}");
    assert!(
        !text.contains(TEST_SECRET_ACCESS_KEY),
        "a secret in the logs: {text}"
    );
}
