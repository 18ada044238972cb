//! [`ChatStream`]: every event of a streamed chat reply (text, tool calls, reasoning, stop
//! reason, usage), over ConverseStream or InvokeModelWithResponseStream, and a
//! [`ChatStream::collect`] that accumulates them into the same [`ChatReply`] as a
//! non-streaming call.

use super::content::{Content, Reasoning, ToolUse};
use super::{ChatEvent, ChatReply};
use crate::details::Details;
use crate::error::Result;
use crate::stream::{StreamCore, Timing};
use serde_json::Value;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A streamed chat reply. [`ChatStream::next`] (or the `futures::Stream` impl) yields
/// [`ChatEvent`]s in the order the model produces them: text deltas (never empty), a
/// [`ChatEvent::ToolUseStart`] followed by pieces of the call's JSON input, reasoning deltas
/// and the reasoning's signature, then the stop reason and usage (usage may come in parts, a
/// later count winning). [`ChatStream::collect`] reads the rest and returns the
/// [`ChatReply`] a non-streaming call would have returned, each tool call's input
/// accumulated across its deltas and parsed as JSON when the call's block ends.
///
/// A stream that fails before its first token (text, tool call or reasoning) is retried
/// like any call; an error after it is an [`Error::Stream`](crate::Error::Stream) that keeps
/// the text received so far.
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct ChatStream {
    core: StreamCore,
}

impl ChatStream {
    pub(crate) fn new(core: StreamCore) -> Self {
        Self { core }
    }

    /// The service's request id.
    pub fn request_id(&self) -> Option<&str> {
        self.core.request_id()
    }

    /// The text received so far.
    pub fn text_so_far(&self) -> &str {
        self.core.text()
    }

    /// The content blocks received so far (a tool call whose input is still arriving is
    /// left out).
    pub fn content_so_far(&self) -> Vec<Content> {
        self.core.accumulator().snapshot()
    }

    /// The next event; `None` at the end.
    pub async fn next(&mut self) -> Option<Result<ChatEvent>> {
        self.core.next_event().await
    }

    /// Reads the rest of the stream and returns the reply: content blocks in order, stop
    /// reason and usage, as [`TextModel::chat_with`](crate::TextModel::chat_with) returns it.
    pub async fn collect(self) -> Result<ChatReply> {
        Ok(self.details().await?.reply())
    }

    /// Reads the rest of the stream and returns its details: the content, the body as sent,
    /// usage, stop reason, request id, and time to the first and last generated content
    /// (text, tool call or reasoning). The typed response is `None`.
    pub async fn details(self) -> Result<Details<()>> {
        self.core.details(Timing::Content).await
    }
}

impl futures_core::Stream for ChatStream {
    type Item = Result<ChatEvent>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.core.poll_event(cx)
    }
}

/// The block being received.
#[derive(Debug)]
enum Open {
    Text(String),
    Tool {
        id: String,
        name: String,
        input: String,
    },
    Reasoning(Reasoning),
}

/// Builds content blocks from chat events. A block ends when another kind of block starts
/// (or another tool call), or at the end of the stream; a tool call's input is parsed as
/// JSON then (empty input is `{}`).
#[derive(Debug, Default)]
pub(crate) struct Accumulator {
    done: Vec<Content>,
    open: Option<Open>,
    /// The first tool input that was not JSON: the raw input and why.
    bad_input: Option<(String, String)>,
}

impl Accumulator {
    pub(crate) fn push(&mut self, event: &ChatEvent) {
        match event {
            ChatEvent::TextDelta(t) => match &mut self.open {
                Some(Open::Text(s)) => s.push_str(t),
                _ => self.start(Open::Text(t.clone())),
            },
            ChatEvent::ToolUseStart { id, name } => self.start(Open::Tool {
                id: id.clone(),
                name: name.clone(),
                input: String::new(),
            }),
            ChatEvent::ToolUseInputDelta(d) => {
                if let Some(Open::Tool { input, .. }) = &mut self.open {
                    input.push_str(d);
                }
            }
            ChatEvent::ReasoningDelta(t) => match &mut self.open {
                Some(Open::Reasoning(r)) if r.signature.is_none() => r.text.push_str(t),
                _ => self.start(Open::Reasoning(Reasoning::new(t.clone(), None))),
            },
            ChatEvent::ReasoningSignature(s) => match &mut self.open {
                Some(Open::Reasoning(r)) => r.signature.get_or_insert_with(String::new).push_str(s),
                _ => self.start(Open::Reasoning(Reasoning::new("", Some(s.clone())))),
            },
            _ => {}
        }
    }

    fn start(&mut self, block: Open) {
        self.close();
        self.open = Some(block);
    }

    fn close(&mut self) {
        match self.open.take() {
            None => {}
            Some(Open::Text(t)) => self.done.push(Content::Text(t)),
            Some(Open::Reasoning(r)) => self.done.push(Content::Reasoning(r)),
            Some(Open::Tool { id, name, input }) => {
                let parsed = if input.trim().is_empty() {
                    Ok(Value::Object(Default::default()))
                } else {
                    serde_json::from_str::<Value>(&input)
                };
                match parsed {
                    Ok(value) => self
                        .done
                        .push(Content::ToolUse(ToolUse::new(id, name, value))),
                    Err(e) => {
                        if self.bad_input.is_none() {
                            self.bad_input = Some((input.clone(), e.to_string()));
                        }
                        self.done.push(Content::ToolUse(ToolUse::new(
                            id,
                            name,
                            Value::String(input),
                        )));
                    }
                }
            }
        }
    }

    /// The finished blocks, and the open one unless it is a tool call.
    pub(crate) fn snapshot(&self) -> Vec<Content> {
        let mut out = self.done.clone();
        match &self.open {
            Some(Open::Text(t)) => out.push(Content::Text(t.clone())),
            Some(Open::Reasoning(r)) => out.push(Content::Reasoning(r.clone())),
            _ => {}
        }
        out
    }

    /// Every block; an error with the raw input when a tool call's input is not JSON.
    pub(crate) fn finish(&mut self) -> std::result::Result<Vec<Content>, (String, String)> {
        self.close();
        match self.bad_input.take() {
            Some(bad) => Err(bad),
            None => Ok(std::mem::take(&mut self.done)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(events: &[ChatEvent]) -> Vec<Content> {
        let mut acc = Accumulator::default();
        for e in events {
            acc.push(e);
        }
        acc.finish().unwrap()
    }

    #[test]
    fn blocks_are_kept_in_order_and_tool_inputs_parsed_at_their_end() {
        let content = run(&[
            ChatEvent::ReasoningDelta("Think".into()),
            ChatEvent::ReasoningDelta("ing.".into()),
            ChatEvent::ReasoningSignature("sig".into()),
            ChatEvent::TextDelta("Hi".into()),
            ChatEvent::ToolUseStart {
                id: "a".into(),
                name: "f".into(),
            },
            ChatEvent::ToolUseInputDelta("{\"x\":".into()),
            ChatEvent::ToolUseInputDelta("1}".into()),
            ChatEvent::ToolUseStart {
                id: "b".into(),
                name: "g".into(),
            },
            ChatEvent::Stop(crate::StopReason::ToolUse),
        ]);
        assert_eq!(
            content,
            vec![
                Content::Reasoning(Reasoning::new("Thinking.", Some("sig".into()))),
                Content::text("Hi"),
                Content::ToolUse(ToolUse::new("a", "f", json!({"x": 1}))),
                Content::ToolUse(ToolUse::new("b", "g", json!({}))),
            ]
        );
    }

    #[test]
    fn bad_tool_input_is_reported_raw() {
        let mut acc = Accumulator::default();
        acc.push(&ChatEvent::ToolUseStart {
            id: "a".into(),
            name: "f".into(),
        });
        acc.push(&ChatEvent::ToolUseInputDelta("{oops".into()));
        assert_eq!(acc.finish().unwrap_err().0, "{oops");
    }
}
