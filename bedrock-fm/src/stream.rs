//! [`TextStream`]: the text deltas of a streamed answer, then its details; and the machinery
//! it shares with [`ChatStream`] (opening a stream with
//! retries before its first token, pumping decoded events to a channel, accumulating them).

use crate::chat::ChatEvent;
use crate::chat::stream::{Accumulator, ChatStream};
use crate::client::Client;
use crate::details::{Api, Details, StopReason, Usage};
use crate::error::{Error, Result, ServiceError};
use crate::text_families::Decoded;
use aws_sdk_bedrockruntime::types::GuardrailTraceAssessment;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// What a stream producer sends.
#[derive(Debug)]
pub(crate) enum StreamEvent {
    /// A chat event: a non-empty text delta, a tool-call start or input, reasoning, a stop
    /// reason or usage.
    Chat(ChatEvent),
    /// The stream failed.
    Failed(ServiceError),
}

/// A source of decoded stream events (InvokeModel chunks or Converse events).
pub(crate) trait EventSource: Send + 'static {
    /// The next event; `None` at the end of the stream.
    fn next_event(
        &mut self,
        idle: Duration,
    ) -> impl Future<Output = Result<Option<Decoded>, ServiceError>> + Send;
}

/// Whether a decoded event carries generated content (text, a tool call, reasoning): the
/// "first token" before which a failed stream is retried.
fn has_content(decoded: &Decoded) -> bool {
    !decoded.texts.is_empty()
        || decoded
            .events
            .iter()
            .any(|e| !matches!(e, ChatEvent::Stop(_) | ChatEvent::Usage(_)))
}

/// Whether a decoded event ends the answer: it carries the stop reason (Converse
/// `messageStop`; the family's last chunk, e.g. Claude's `message_delta`, Titan's
/// `completionReason`).
fn is_final(decoded: &Decoded) -> bool {
    decoded.stop_reason.is_some()
        || decoded
            .events
            .iter()
            .any(|e| matches!(e, ChatEvent::Stop(_)))
}

/// The error of a stream that ended without its final event.
pub(crate) fn incomplete_stream() -> ServiceError {
    ServiceError::new(
        crate::error::ErrorKind::IncompleteStream,
        "the stream ended before its final event (no stop reason): the answer may be cut",
    )
}

/// Opens a stream with the client's retry policy, reading up to the first generated content
/// (text, a tool call or reasoning): a stream that fails before its first token is retried
/// like any call, and so is one that ends before its first token without its final event
/// (an empty stream). Returns the source, the request id and the events read so far.
pub(crate) async fn open<S, Open, Fut>(
    client: &Client,
    model_id: &str,
    open: Open,
) -> Result<(S, Option<String>, Vec<Decoded>)>
where
    S: EventSource,
    Open: Fn() -> Fut,
    Fut: Future<Output = Result<(S, Option<String>)>>,
{
    let idle = client.stream_idle_timeout();
    client
        .with_retries(model_id, || async {
            let (mut source, request_id) = open().await?;
            let mut read = Vec::new();
            let mut ended = true;
            while let Some(decoded) = source.next_event(idle).await.map_err(Error::from)? {
                let first = has_content(&decoded);
                read.push(decoded);
                if first {
                    ended = false;
                    break;
                }
            }
            if ended && !read.iter().any(is_final) {
                let mut e = incomplete_stream();
                e.request_id = request_id;
                return Err(Error::from(e));
            }
            Ok((source, request_id, read))
        })
        .await
}

/// Forwards the events already read, then the rest of `source`, to a channel that a
/// [`TextStream`] or a [`ChatStream`] reads; stops when the reader is dropped. A source
/// that ends without its final event ends the channel with [`incomplete_stream`], never
/// silently.
pub(crate) fn pump<S: EventSource>(
    mut source: S,
    read: Vec<Decoded>,
    idle: Duration,
) -> mpsc::Receiver<StreamEvent> {
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        let mut complete = false;
        for decoded in read {
            complete |= is_final(&decoded);
            if !forward(&tx, decoded).await {
                return;
            }
        }
        loop {
            match source.next_event(idle).await {
                Ok(Some(decoded)) => {
                    complete |= is_final(&decoded);
                    if !forward(&tx, decoded).await {
                        return;
                    }
                }
                Ok(None) => {
                    if !complete {
                        let _ = tx.send(StreamEvent::Failed(incomplete_stream())).await;
                    }
                    return;
                }
                Err(e) => {
                    let _ = tx.send(StreamEvent::Failed(e)).await;
                    return;
                }
            }
        }
    });
    rx
}

/// The chat events of one decoded event, in order: text deltas, the family's other events
/// (tool calls, reasoning), then the stop reason and usage when reported. Empty deltas are
/// dropped.
pub(crate) fn chat_events(decoded: Decoded) -> Vec<ChatEvent> {
    let mut events: Vec<ChatEvent> = decoded
        .texts
        .into_iter()
        .filter(|t| !t.is_empty())
        .map(ChatEvent::TextDelta)
        .collect();
    events.extend(decoded.events.into_iter().filter(|e| match e {
        ChatEvent::TextDelta(t)
        | ChatEvent::ReasoningDelta(t)
        | ChatEvent::ToolUseInputDelta(t) => !t.is_empty(),
        _ => true,
    }));
    if let Some(reason) = decoded.stop_reason {
        events.push(ChatEvent::Stop(StopReason::from_wire(&reason)));
    }
    if decoded.usage != Usage::default() {
        events.push(ChatEvent::Usage(decoded.usage));
    }
    events
}

/// Sends a decoded event's chat events; false when the reader is gone.
async fn forward(tx: &mpsc::Sender<StreamEvent>, decoded: Decoded) -> bool {
    for event in chat_events(decoded) {
        if tx.send(StreamEvent::Chat(event)).await.is_err() {
            return false;
        }
    }
    true
}

/// The error of a stream that stayed silent too long.
pub(crate) fn idle_timeout(idle: Duration) -> ServiceError {
    ServiceError::new(
        crate::error::ErrorKind::Timeout,
        format!("the stream was silent for {idle:?}"),
    )
}

/// What is known of a stream before its first event.
#[derive(Debug, Clone)]
pub(crate) struct StreamStart {
    pub prompt: String,
    pub body: Value,
    pub api: Api,
    pub model_id: String,
    pub request_id: Option<String>,
    pub started: Instant,
}

/// Where a Converse stream's source leaves the guardrail trace of its `metadata` event for
/// the reader (set before the channel closes, read after).
pub(crate) type TraceSlot = Arc<Mutex<Option<GuardrailTraceAssessment>>>;

/// The reading side shared by [`TextStream`] and [`ChatStream`]: the channel, what has been
/// accumulated, and timings.
#[derive(Debug)]
pub(crate) struct StreamCore {
    rx: mpsc::Receiver<StreamEvent>,
    start: StreamStart,
    trace: TraceSlot,
    acc: Accumulator,
    text: String,
    usage: Usage,
    stop_reason: Option<StopReason>,
    first_text: Option<Duration>,
    last_text: Option<Duration>,
    first_content: Option<Duration>,
    last_content: Option<Duration>,
    ended: Option<Duration>,
    failed: bool,
}

/// Which timings a stream's details report as first and last token.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Timing {
    /// Text deltas only ([`TextStream`]).
    Text,
    /// Any generated content: text, tool calls, reasoning ([`ChatStream`]).
    Content,
}

impl StreamCore {
    fn new(rx: mpsc::Receiver<StreamEvent>, start: StreamStart) -> Self {
        Self {
            rx,
            start,
            trace: TraceSlot::default(),
            acc: Accumulator::default(),
            text: String::new(),
            usage: Usage::default(),
            stop_reason: None,
            first_text: None,
            last_text: None,
            first_content: None,
            last_content: None,
            ended: None,
            failed: false,
        }
    }

    pub(crate) fn request_id(&self) -> Option<&str> {
        self.start.request_id.as_deref()
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn accumulator(&self) -> &Accumulator {
        &self.acc
    }

    /// Handles one event from the channel: `None` is the end of the stream.
    fn absorb(&mut self, event: Option<StreamEvent>) -> Option<Result<ChatEvent>> {
        let elapsed = self.start.started.elapsed();
        match event {
            None => {
                self.ended.get_or_insert(elapsed);
                None
            }
            Some(StreamEvent::Chat(event)) => {
                match &event {
                    ChatEvent::TextDelta(text) => {
                        self.first_text.get_or_insert(elapsed);
                        self.last_text = Some(elapsed);
                        self.text.push_str(text);
                    }
                    ChatEvent::Stop(reason) => self.stop_reason = Some(reason.clone()),
                    ChatEvent::Usage(usage) => self.usage = usage.or(self.usage),
                    _ => {}
                }
                if !matches!(event, ChatEvent::Stop(_) | ChatEvent::Usage(_)) {
                    self.first_content.get_or_insert(elapsed);
                    self.last_content = Some(elapsed);
                }
                self.acc.push(&event);
                Some(Ok(event))
            }
            Some(StreamEvent::Failed(mut error)) => {
                self.failed = true;
                self.ended = Some(elapsed);
                error.request_id = error.request_id.or(self.start.request_id.clone());
                Some(Err(Error::Stream {
                    error: Box::new(error),
                    partial_output: self.text.clone(),
                }))
            }
        }
    }

    /// The next event; `None` at the end (and after a failure).
    pub(crate) async fn next_event(&mut self) -> Option<Result<ChatEvent>> {
        if self.failed {
            return None;
        }
        let event = self.rx.recv().await;
        self.absorb(event)
    }

    pub(crate) fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<ChatEvent>>> {
        if self.failed {
            return Poll::Ready(None);
        }
        match self.rx.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(event) => Poll::Ready(self.absorb(event)),
        }
    }

    /// Reads the rest of the stream and returns its details (the typed response is `None`:
    /// a stream has chunks, not one response).
    pub(crate) async fn details(mut self, timing: Timing) -> Result<Details<()>> {
        while let Some(item) = self.next_event().await {
            item?;
        }
        let latency = self.ended.unwrap_or_else(|| self.start.started.elapsed());
        let request_id = self.start.request_id.clone();
        let content = self.acc.finish().map_err(|(raw, why)| {
            let mut e = ServiceError::new(
                crate::error::ErrorKind::Decode,
                format!("a streamed tool call's input is not JSON: {why}"),
            );
            e.raw_body = Some(raw);
            e.request_id = request_id.clone();
            Error::from(e)
        })?;
        let (first, last) = match timing {
            Timing::Text => (self.first_text, self.last_text),
            Timing::Content => (self.first_content, self.last_content),
        };
        let guardrail_trace = self.trace.lock().ok().and_then(|mut t| t.take());
        Ok(Details {
            output: self.text.clone(),
            content,
            completions: vec![self.text],
            response: None,
            prompt: self.start.prompt,
            body: self.start.body,
            api: self.start.api,
            model_id: self.start.model_id,
            latency,
            usage: self.usage,
            stop_reason: self.stop_reason,
            request_id,
            time_to_first_token: first,
            time_to_last_token: last,
            guardrail_trace,
        })
    }
}

/// The text of an answer as it is generated. Use [`TextStream::next`] (or the
/// `futures::Stream` impl) for the deltas, which are never empty; then
/// [`TextStream::details`] for the output, usage, stop reason and timings. An error in the
/// middle of the stream is an [`Error::Stream`] that keeps the text received so far.
///
/// Only text is yielded; tool calls and reasoning are still accumulated into
/// [`Details::content`]. For every event, use [`ChatStream`] (`TextModel::chat_stream`).
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct TextStream {
    core: StreamCore,
}

impl TextStream {
    pub(crate) fn new(rx: mpsc::Receiver<StreamEvent>, start: StreamStart) -> Self {
        Self {
            core: StreamCore::new(rx, start),
        }
    }

    /// The same stream, with the slot where its source leaves a guardrail trace.
    pub(crate) fn with_trace(mut self, trace: TraceSlot) -> Self {
        self.core.trace = trace;
        self
    }

    /// The same stream, yielding every chat event.
    pub(crate) fn into_chat(self) -> ChatStream {
        ChatStream::new(self.core)
    }

    /// The service's request id.
    pub fn request_id(&self) -> Option<&str> {
        self.core.request_id()
    }

    /// The text received so far.
    pub fn text_so_far(&self) -> &str {
        self.core.text()
    }

    /// The next text delta; `None` at the end.
    pub async fn next(&mut self) -> Option<Result<String>> {
        loop {
            match self.core.next_event().await? {
                Ok(ChatEvent::TextDelta(text)) => return Some(Ok(text)),
                Ok(_) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }

    /// Reads the rest of the stream and returns its details (the typed response is `None`:
    /// a stream has chunks, not one response). Time to first and last token are those of
    /// the text.
    pub async fn details(self) -> Result<Details<()>> {
        self.core.details(Timing::Text).await
    }

    /// Reads the rest of the stream and returns the whole text.
    pub async fn collect_text(self) -> Result<String> {
        Ok(self.details().await?.output)
    }
}

impl futures_core::Stream for TextStream {
    type Item = Result<String>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            match self.core.poll_event(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Ok(ChatEvent::TextDelta(text)))) => {
                    return Poll::Ready(Some(Ok(text)));
                }
                Poll::Ready(Some(Ok(_))) => continue,
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
            }
        }
    }
}

#[cfg(test)]
mod tests;
