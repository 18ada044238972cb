//! [`TextStream`]: the text deltas of a streamed answer, then its details.

use crate::client::Client;
use crate::details::{Api, Details, StopReason, Usage};
use crate::error::{Error, Result, ServiceError};
use crate::families::Decoded;
use serde_json::Value;
use std::future::Future;
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

/// A source of decoded stream events (InvokeModel chunks or Converse events).
pub(crate) trait EventSource: Send + 'static {
    /// The next event; `None` at the end of the stream.
    fn next_event(
        &mut self,
        idle: Duration,
    ) -> impl Future<Output = Result<Option<Decoded>, ServiceError>> + Send;
}

/// Opens a stream with the client's retry policy, reading up to the first text: a stream
/// that fails before its first token is retried like any call. Returns the source, the
/// request id and the events read so far.
pub(crate) async fn open<S, Open, Fut>(
    client: &Client,
    open: Open,
) -> Result<(S, Option<String>, Vec<Decoded>)>
where
    S: EventSource,
    Open: Fn() -> Fut,
    Fut: Future<Output = Result<(S, Option<String>)>>,
{
    let idle = client.stream_idle_timeout();
    client
        .retry_policy()
        .run(|| async {
            let (mut source, request_id) = open().await?;
            let mut read = Vec::new();
            while let Some(decoded) = source.next_event(idle).await.map_err(Error::from)? {
                let has_text = !decoded.texts.is_empty();
                read.push(decoded);
                if has_text {
                    break;
                }
            }
            Ok((source, request_id, read))
        })
        .await
}

/// Forwards the events already read, then the rest of `source`, to a channel that a
/// [`TextStream`] reads; stops when the reader is dropped.
pub(crate) fn pump<S: EventSource>(
    mut source: S,
    read: Vec<Decoded>,
    idle: Duration,
) -> mpsc::Receiver<StreamEvent> {
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        for decoded in read {
            if !forward(&tx, decoded).await {
                return;
            }
        }
        loop {
            match source.next_event(idle).await {
                Ok(Some(decoded)) => {
                    if !forward(&tx, decoded).await {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    let _ = tx.send(StreamEvent::Failed(e)).await;
                    return;
                }
            }
        }
    });
    rx
}

/// Sends a decoded event's deltas and metadata; false when the reader is gone.
async fn forward(tx: &mpsc::Sender<StreamEvent>, decoded: Decoded) -> bool {
    for text in decoded.texts {
        if tx.send(StreamEvent::Delta(text)).await.is_err() {
            return false;
        }
    }
    let meta = StreamEvent::Meta {
        usage: decoded.usage,
        stop_reason: decoded.stop_reason,
    };
    tx.send(meta).await.is_ok()
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
                    error: Box::new(error),
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
            content: vec![crate::chat::content::Content::Text(self.output.clone())],
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
