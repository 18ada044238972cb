//! Tests of the stream machinery: text and chat streams, truncation, opening with retries.
use super::*;
use crate::chat::content::{Content, ToolUse};
use serde_json::json;

fn start() -> StreamStart {
    StreamStart {
        prompt: "p".into(),
        body: json!({}),
        api: Api::Converse,
        model_id: "m".into(),
        request_id: Some("r-1".into()),
        started: Instant::now(),
    }
}

async fn feed(events: Vec<Decoded>) -> mpsc::Receiver<StreamEvent> {
    let (tx, rx) = mpsc::channel(64);
    for d in events {
        assert!(forward(&tx, d).await);
    }
    rx
}

fn event(e: ChatEvent) -> Decoded {
    Decoded {
        events: vec![e],
        ..Decoded::default()
    }
}

fn tool_stream() -> Vec<Decoded> {
    vec![
        Decoded::text(Some("Let me ")),
        Decoded::text(Some("check.")),
        event(ChatEvent::ToolUseStart {
            id: "t-1".into(),
            name: "weather".into(),
        }),
        event(ChatEvent::ToolUseInputDelta("{\"city\": ".into())),
        event(ChatEvent::ToolUseInputDelta("\"Oslo\"}".into())),
        Decoded::default().with_stop(Some("tool_use")),
        Decoded::default().merge_usage(Usage::new(Some(5), Some(7))),
    ]
}

#[tokio::test]
async fn a_text_stream_yields_text_only_and_details_keep_the_tool_call() {
    let mut s = TextStream::new(feed(tool_stream()).await, start());
    let mut deltas = Vec::new();
    while let Some(d) = s.next().await {
        deltas.push(d.unwrap());
    }
    assert_eq!(deltas, ["Let me ", "check."]);
    let details = s.details().await.unwrap();
    assert_eq!(details.output, "Let me check.");
    assert_eq!(details.stop_reason, Some(StopReason::ToolUse));
    assert_eq!(details.usage, Usage::new(Some(5), Some(7)));
    assert_eq!(
        details.content,
        vec![
            Content::text("Let me check."),
            Content::ToolUse(ToolUse::new("t-1", "weather", json!({"city": "Oslo"})))
        ]
    );
}

#[tokio::test]
async fn a_chat_stream_yields_every_event_and_collects_the_reply() {
    let mut s = TextStream::new(feed(tool_stream()).await, start()).into_chat();
    let mut events = Vec::new();
    while let Some(e) = s.next().await {
        events.push(e.unwrap());
    }
    assert_eq!(events.len(), 7);
    assert_eq!(
        events[2],
        ChatEvent::ToolUseStart {
            id: "t-1".into(),
            name: "weather".into()
        }
    );
    assert_eq!(events[5], ChatEvent::Stop(StopReason::ToolUse));
    let reply = TextStream::new(feed(tool_stream()).await, start())
        .into_chat()
        .collect()
        .await
        .unwrap();
    assert_eq!(reply.tool_uses()[0].input, json!({"city": "Oslo"}));
    assert_eq!(reply.text(), "Let me check.");
}

#[tokio::test]
async fn a_tool_input_that_is_not_json_is_a_decode_error_with_the_raw_input() {
    let events = vec![
        event(ChatEvent::ToolUseStart {
            id: "t".into(),
            name: "f".into(),
        }),
        event(ChatEvent::ToolUseInputDelta("{\"a\": ".into())),
    ];
    let err = TextStream::new(feed(events).await, start())
        .into_chat()
        .collect()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), crate::error::ErrorKind::Decode);
    assert_eq!(err.raw_body(), Some("{\"a\": "));
}

/// A source that yields `events`, then ends.
struct Scripted(std::collections::VecDeque<Decoded>);

impl EventSource for Scripted {
    async fn next_event(&mut self, _: Duration) -> Result<Option<Decoded>, ServiceError> {
        Ok(self.0.pop_front())
    }
}

fn client() -> Client {
    crate::embeddings::model::test_client().with_retry_policy(
        crate::RetryPolicy::default()
            .max_attempts(3)
            .initial_delay(Duration::from_millis(1)),
    )
}

// Issue 11: a stream cut at a frame boundary (no stop reason) is an error that keeps
// the text, never an `Ok` with the text so far.
#[tokio::test]
async fn a_stream_that_ends_without_its_final_event_is_an_error_with_the_partial_text() {
    let events = vec![
        Decoded::text(Some("The answer is ")),
        Decoded::text(Some("4")),
    ];
    let source = Scripted(events.clone().into());
    let rx = pump(source, Vec::new(), Duration::from_secs(1));
    let err = TextStream::new(rx, start()).details().await.unwrap_err();
    assert_eq!(err.kind(), crate::error::ErrorKind::IncompleteStream);
    assert_eq!(err.partial_output(), Some("The answer is 4"));
    // With its final event, the same stream is complete.
    let mut complete = events;
    complete.push(Decoded::default().with_stop(Some("end_turn")));
    let rx = pump(
        Scripted(complete.into()),
        Vec::new(),
        Duration::from_secs(1),
    );
    let details = TextStream::new(rx, start()).details().await.unwrap();
    assert_eq!(details.output, "The answer is 4");
    assert_eq!(details.stop_reason, Some(StopReason::EndTurn));
}

// An empty stream (or one that ends before any content without a stop reason) is
// retried like a failed call, then an error: never `Ok("")`.
#[tokio::test]
async fn an_empty_stream_is_retried_then_an_incomplete_stream_error() {
    let opened = std::sync::atomic::AtomicU32::new(0);
    let result = open(&client(), "m", || async {
        opened.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok((Scripted(Default::default()), Some("r".to_owned())))
    })
    .await;
    let err = result.map(|_| ()).unwrap_err();
    assert_eq!(err.kind(), crate::error::ErrorKind::IncompleteStream);
    assert!(err.is_retryable());
    assert_eq!(err.request_id(), Some("r"));
    assert_eq!(opened.load(std::sync::atomic::Ordering::SeqCst), 3);
    // A stream whose only event is its stop reason (an empty answer) is complete.
    let (_, _, read) = open(&client(), "m", || async {
        let only_stop = vec![Decoded::default().with_stop(Some("max_tokens"))];
        Ok((Scripted(only_stop.into()), None))
    })
    .await
    .unwrap();
    assert_eq!(read.len(), 1);
}
