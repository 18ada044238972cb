//! The documented examples that the SDK or the local server does not handle as AWS documents
//! them, and the bookkeeping that asserts exactly those diverge.

use crate::fixtures::Example;
use std::collections::{BTreeMap, BTreeSet};

/// Documented examples that the SDK or the local server does not handle as AWS documents
/// them: (`family/example`, check, why). The checks are `round_trip` (typed decode and
/// re-encode), `served` (the local server's answer to the documented request), `decoded`
/// (the answer decoded into the family's typed response or chunks), `refused` (a documented
/// invalid request), `shape` (a Converse body against the service model), `chat` (a
/// documented Converse response through bedrock-fm's chat API) and `builder` (the request
/// rebuilt with the SDK's builders).
pub(crate) const KNOWN_DIVERGENCES: &[(&str, &str, &str)] = &[
    (
        "claude_messages/multimodal_prompt",
        "served",
        "the page's image data is the literal placeholder \"iVBORw...\", not base64; the local \
         server answers 400 ValidationException \"messages.0.content.0.image.source.base64.data: \
         The image data is not valid base64.\"",
    ),
    (
        "claude_messages/refusal_response_fragment",
        "round_trip",
        "the page prints a fragment without `type` (nor id, model, role); \
         ClaudeMessagesResponse requires `type`: \"missing field `type`\"",
    ),
    (
        "claude_messages/tool_use_response_fragment",
        "round_trip",
        "fragment without `type`; ClaudeMessagesResponse requires it: \"missing field `type`\"",
    ),
    (
        "claude_messages/model_context_window_exceeded_fragment",
        "round_trip",
        "fragment without `type`; ClaudeMessagesResponse requires it: \"missing field `type`\"",
    ),
    (
        "claude_messages/tool_search_tool_response_fragment",
        "round_trip",
        "fragment without `type`; ClaudeMessagesResponse requires it: \"missing field `type`\"",
    ),
    (
        "claude_messages/context_management_stream_message_start",
        "round_trip",
        "the page abbreviates the message_start `message` to id, type and role; the chunk's \
         message decodes as ClaudeMessagesResponse, which requires `content`: \
         \"missing field `content`\"",
    ),
    (
        "claude_messages/top_song_tool_use_response",
        "round_trip",
        "ClaudeMessagesResponse drops the documented `\"stop_sequence\": null` when \
         re-serialized (None is skipped), so the JSON is not the documented one",
    ),
    (
        "claude_messages/memory_tool_response",
        "round_trip",
        "ClaudeMessagesResponse drops the documented `\"stop_sequence\": null` when \
         re-serialized (None is skipped)",
    ),
    (
        "converse/nova_text_hello_world_request",
        "builder",
        "bedrock-fm's chat API sends `\"topP\": 0.8999999761581421` for the documented 0.9: \
         aws-sdk-bedrockruntime's InferenceConfiguration holds topP and temperature as f32 \
         (the service model's `float`) and writes the f32 widened to f64 (0.5 is exact)",
    ),
];

/// Failures of one test: (`family/example`, check) -> error.
#[derive(Default)]
pub(crate) struct Outcomes {
    pub(crate) checked: BTreeMap<String, usize>,
    pub(crate) failures: BTreeMap<(String, String), String>,
}

impl Outcomes {
    pub(crate) fn count(&mut self, what: &str) {
        *self.checked.entry(what.to_owned()).or_default() += 1;
    }

    pub(crate) fn fail(&mut self, ex: &Example, check: &str, error: impl Into<String>) {
        self.failures
            .insert((ex.key(), check.to_owned()), error.into());
    }

    /// Asserts that exactly the [`KNOWN_DIVERGENCES`] of `checks` failed.
    pub(crate) fn assert_only_known(self, checks: &[&str]) {
        eprintln!("examples checked: {:?}", self.checked);
        assert!(
            !self.checked.is_empty(),
            "no documented example was checked"
        );
        let known: BTreeSet<(String, String)> = KNOWN_DIVERGENCES
            .iter()
            .filter(|(_, check, _)| checks.contains(check))
            .map(|(key, check, _)| ((*key).to_owned(), (*check).to_owned()))
            .collect();
        let mut report = Vec::new();
        for ((key, check), error) in &self.failures {
            eprintln!("divergence {key} [{check}]: {error}");
            if !known.contains(&(key.clone(), check.clone())) {
                report.push(format!("NEW divergence {key} [{check}]: {error}"));
            }
        }
        for (key, check) in &known {
            if !self.failures.contains_key(&(key.clone(), check.clone())) {
                report.push(format!(
                    "{key} [{check}] now passes: remove it from KNOWN_DIVERGENCES"
                ));
            }
        }
        assert!(report.is_empty(), "\n{}", report.join("\n"));
    }
}
