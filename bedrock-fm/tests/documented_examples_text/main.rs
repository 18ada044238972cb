//! The documented examples of the text families, checked against the generated bodies.
//!
//! For every family: the documented request example is rebuilt with the generated builders
//! and must serialize to exactly the documented JSON (numbers compare by value, since JSON
//! does not tell `1` from `1.0`), the family's request spec must accept the documented JSON
//! with no violation, the documented JSON must deserialize back to the built request, the
//! documented response example must deserialize into the typed response, and, where the
//! family streams, a documented (or doc-described) stream chunk must deserialize too.
//!
//! Each example names the AWS page it comes from (`// Source:`). Where a page gives only a
//! schema template (`"temperature": float, ...`) or builds its body from variables, the
//! comment says how the example was assembled from the template and the page's code example.
//!
//! One file per provider's families; the negative cases have theirs.

// The helpers shared with `documented_examples_media`.
#[path = "../documented/mod.rs"]
mod documented;

mod ai21;
mod claude_messages;
mod claude_messages_tools;
mod claude_text;
mod cohere;
mod llama;
mod mistral;
mod negative_cases;
mod nova;
mod titan_text;

use serde_json::{Value, json};

/// The last chunk of every InvokeModelWithResponseStream stream carries Bedrock's metrics
/// (see DESIGN.md, "Wire facts"); the values are illustrative.
pub(crate) fn invocation_metrics() -> Value {
    json!({
        "inputTokenCount": 12,
        "outputTokenCount": 30,
        "invocationLatency": 900,
        "firstByteLatency": 250
    })
}
