//! End-to-end tests live in tests/; what several of them share is here.

use bedrock_fm::{Error, TextStream};
use std::io::Write;
use std::sync::{Arc, Mutex};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;

/// Reads `stream` until its error: the text received before it, and the error. Panics if
/// the stream ends without one (`what` names the case).
pub async fn read_until_error(stream: &mut TextStream, what: &str) -> (String, Error) {
    let mut received = String::new();
    loop {
        match stream.next().await {
            Some(Ok(delta)) => received.push_str(&delta),
            Some(Err(e)) => return (received, e),
            None => panic!("{what}: the stream ended without an error: {received:?}"),
        }
    }
}

/// Everything the subscriber writes, shared with the test.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// What was written so far.
    pub fn text(&self) -> String {
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
pub fn subscriber(captured: &Captured) -> impl tracing::Subscriber + Send + Sync {
    let writer = captured.clone();
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_span_events(FmtSpan::CLOSE);
    let only_ours =
        tracing_subscriber::filter::Targets::new().with_target("bedrock_fm", tracing::Level::DEBUG);
    tracing_subscriber::registry().with(layer).with(only_ours)
}
