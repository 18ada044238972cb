//! Every call has a `tracing` span with the model, the API, the attempts, the latency, the
//! tokens and the request id; retries are logged at debug level; no credential ever appears.

use bedrock_fm::embeddings::TitanEmbed;
use bedrock_fm::{Api, Client, Nova, RetryPolicy};
use bedrock_fm_local::{Fault, TEST_SECRET_ACCESS_KEY};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;

/// Everything the subscriber writes, shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A subscriber for bedrock-fm's own spans and events (debug and up), printing each span's
/// fields when it closes, into `captured`.
fn subscriber(captured: &Captured) -> impl tracing::Subscriber + Send + Sync {
    let writer = captured.clone();
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_span_events(FmtSpan::CLOSE);
    let only_ours =
        tracing_subscriber::filter::Targets::new().with_target("bedrock_fm", tracing::Level::DEBUG);
    tracing_subscriber::registry().with(layer).with(only_ours)
}

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
