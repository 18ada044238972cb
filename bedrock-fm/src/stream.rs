//! [`TextStream`]: the text deltas of a streamed answer, then its details.

use crate::details::{Api, Details, StopReason, Usage};
use crate::error::{Error, Result, ServiceError};
use serde_json::Value;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// What a stream producer sends.
#[derive(Debug)]
pub(crate) enum StreamEvent {
    /// A non-empty piece of text.
    Delta(String),
    /// Usage or a stop reason, from any event.
    Meta {
        usage: Usage,
        stop_reason: Option<String>,
    },
    /// The stream failed.
    Failed(ServiceError),
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

/// The text of an answer as it is generated. Use [`TextStream::next`] (or the
/// `futures::Stream` impl) for the deltas, which are never empty; then
/// [`TextStream::details`] for the output, usage, stop reason and timings. An error in the
/// middle of the stream is an [`Error::Stream`] that keeps the text received so far.
#[derive(Debug)]
pub struct TextStream {
    rx: mpsc::Receiver<StreamEvent>,
    start: StreamStart,
    output: String,
    usage: Usage,
    stop_reason: Option<String>,
    first_token: Option<Duration>,
    last_token: Option<Duration>,
    ended: Option<Duration>,
    failed: bool,
}

impl TextStream {
    pub(crate) fn new(rx: mpsc::Receiver<StreamEvent>, start: StreamStart) -> Self {
        Self {
            rx,
            start,
            output: String::new(),
            usage: Usage::default(),
            stop_reason: None,
            first_token: None,
            last_token: None,
            ended: None,
            failed: false,
        }
    }

    /// The service's request id.
    pub fn request_id(&self) -> Option<&str> {
        self.start.request_id.as_deref()
    }

    /// The text received so far.
    pub fn text_so_far(&self) -> &str {
        &self.output
    }

    /// Handles one event; returns what `next` yields, or `None` to keep reading.
    fn absorb(&mut self, event: Option<StreamEvent>) -> Option<Option<Result<String>>> {
        let elapsed = self.start.started.elapsed();
        match event {
            None => {
                self.ended.get_or_insert(elapsed);
                Some(None)
            }
            Some(StreamEvent::Delta(text)) => {
                self.first_token.get_or_insert(elapsed);
                self.last_token = Some(elapsed);
                self.output.push_str(&text);
                Some(Some(Ok(text)))
            }
            Some(StreamEvent::Meta { usage, stop_reason }) => {
                self.usage = usage.or(self.usage);
                self.stop_reason = stop_reason.or(self.stop_reason.take());
                None
            }
            Some(StreamEvent::Failed(mut error)) => {
                self.failed = true;
                self.ended = Some(elapsed);
                error.request_id = error.request_id.or(self.start.request_id.clone());
                Some(Some(Err(Error::Stream {
                    error,
                    partial_output: self.output.clone(),
                })))
            }
        }
    }

    /// The next text delta; `None` at the end.
    pub async fn next(&mut self) -> Option<Result<String>> {
        if self.failed {
            return None;
        }
        loop {
            let event = self.rx.recv().await;
            if let Some(item) = self.absorb(event) {
                return item;
            }
        }
    }

    /// Reads the rest of the stream and returns its details (the typed response is `None`:
    /// a stream has chunks, not one response).
    pub async fn details(mut self) -> Result<Details<()>> {
        while let Some(item) = self.next().await {
            item?;
        }
        let latency = self.ended.unwrap_or_else(|| self.start.started.elapsed());
        Ok(Details {
            output: self.output.clone(),
            completions: vec![self.output],
            response: None,
            prompt: self.start.prompt,
            body: self.start.body,
            api: self.start.api,
            model_id: self.start.model_id,
            latency,
            usage: self.usage,
            stop_reason: self.stop_reason.as_deref().map(StopReason::from_wire),
            request_id: self.start.request_id,
            time_to_first_token: self.first_token,
            time_to_last_token: self.last_token,
        })
    }

    /// Reads the rest of the stream and returns the whole text.
    pub async fn collect_text(self) -> Result<String> {
        Ok(self.details().await?.output)
    }
}

impl futures_core::Stream for TextStream {
    type Item = Result<String>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.failed {
            return Poll::Ready(None);
        }
        loop {
            let event = match self.rx.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(event) => event,
            };
            if let Some(item) = self.absorb(event) {
                return Poll::Ready(item);
            }
        }
    }
}
