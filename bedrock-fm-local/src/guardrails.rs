//! Guardrails: word filters configured on the server, applied to Converse, ConverseStream,
//! InvokeModel and InvokeModelWithResponseStream the way Bedrock applies a guardrail.
//!
//! # Configuring
//!
//! A server knows the guardrails of its [`crate::Config`]: [`crate::Config::guardrail`] adds one
//! (an ID matching the service model's `GuardrailId` pattern `[a-z0-9]+`, a version — a number
//! or `DRAFT` — and the blocked terms). Every server also knows the test guardrail
//! [`TEST_GUARDRAIL_ID`] (`localguardrail`), versions `1` and `DRAFT`, which blocks the word
//! [`TEST_GUARDRAIL_BLOCKED_TERM`] (`forbidden`); [`crate::Config::without_guardrails`] removes
//! it. A blocked term matches case-insensitively as whole words (`forbidden` matches "The
//! Forbidden city", not "unforbiddenness").
//!
//! # Requesting one
//!
//! - Converse and ConverseStream: `guardrailConfig` `{guardrailIdentifier, guardrailVersion,
//!   trace}` (`streamProcessingMode` for ConverseStream), as in
//!   <https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-use-converse-api.html>.
//! - InvokeModel and InvokeModelWithResponseStream: the headers
//!   `X-Amzn-Bedrock-GuardrailIdentifier`, `X-Amzn-Bedrock-GuardrailVersion` and
//!   `X-Amzn-Bedrock-Trace` (`ENABLED`, `DISABLED`, `ENABLED_FULL`) of the service model, and
//!   optionally `"amazon-bedrock-guardrailConfig": {"tagSuffix": ...}` in the body (the sample
//!   request of the InvokeModel reference), which limits the assessment to the text between
//!   `<amazon-bedrock-guardrails-guardContent_SUFFIX>` and its closing tag (the tags are removed
//!   before the model reads the prompt).
//!
//! The identifier is the ID or the guardrail's ARN. An unknown ID answers a
//! `ValidationException` "The provided guardrail identifier is invalid." and an unknown version
//! "The guardrail identifier or version provided in the request does not exist." — both
//! recorded from real calls (openclaw/openclaw PR #58588; an AWS error-explainer test in a
//! WordPress plugin that lists both as captured, HTTP 400).
//!
//! # What is assessed
//!
//! Converse: the text of the messages and of the system prompt; when some message carries
//! `guardContent` blocks, only those (and likewise for the system prompt). Tool definitions,
//! tool results and the tool input the model generates are not assessed (the table of the
//! Converse guardrail page). The output: the text blocks of the reply. InvokeModel: every
//! string of the body (or the tagged text), and the text of the family's response.
//!
//! # When it intervenes
//!
//! On the input, the model is not called: Converse answers stop reason `guardrail_intervened`
//! with the guardrail's blocked-input message as the reply's only text and usage of 0 tokens
//! (ours: the model read nothing); InvokeModel answers the family's response shape with that
//! message as its text — for Claude exactly the recorded body `{"type": "message", "role":
//! "assistant", "content": [{"type": "text", "text": ...}], "amazon-bedrock-guardrailAction":
//! "INTERVENED", "amazon-bedrock-trace": ...}` (a model-invocation log in panther-labs
//! pypanther's rule `AWS.BedrockModelInvocation.GuardRailIntervened`). On the output, the
//! reply's text is replaced by the blocked-output message (tool calls dropped), with the same
//! stop reason. The default messages are the console's, "Sorry, the model cannot answer this
//! question." (a guardrail listed in turbot/steampipe-plugin-aws PR #2661).
//!
//! InvokeModel bodies, and the last chunk of an InvokeModel stream, carry
//! `"amazon-bedrock-guardrailAction": "INTERVENED"` or `"NONE"`, and with a trace
//! `"amazon-bedrock-trace": {"guardrail": {"input": {ID: assessment}, "outputs": [{ID:
//! assessment}], "actionReason": ...}}` (the InvokeModel reference's "Example response" and the
//! recorded log above). Converse responses carry `trace.guardrail`, a `GuardrailTraceAssessment`
//! of the service model (`inputAssessment`, `outputAssessments`, `modelOutput`, `actionReason`),
//! when the trace is enabled; ConverseStream puts it in its `metadata` event. An assessment
//! lists the blocked words (`wordPolicy.customWords`, action `BLOCKED`) and
//! `invocationMetrics` (latency, policy units, text coverage).
//!
//! Streams are assessed whole before any chunk is sent (the synchronous mode; the asynchronous
//! one is accepted and behaves the same here).

use serde_json::{Map, Value, json};

use crate::config::ACCOUNT_ID;
use crate::errors::ServiceError;

#[cfg(test)]
mod tests;
mod texts;

pub(crate) use texts::{
    chunks_text, claude_blocked_input_body, converse_input_texts, invoke_input,
    replace_chunks_text, replace_response_text, response_text,
};

/// The ID of the test guardrail every server knows (unless configured away).
pub const TEST_GUARDRAIL_ID: &str = "localguardrail";

/// The word the test guardrail blocks.
pub const TEST_GUARDRAIL_BLOCKED_TERM: &str = "forbidden";

/// The default blocked-input and blocked-output message (the console's default).
pub const DEFAULT_BLOCKED_MESSAGE: &str = "Sorry, the model cannot answer this question.";

/// The `actionReason` of an intervention (recorded).
pub(crate) const ACTION_REASON_BLOCKED: &str = "Guardrail blocked.";

/// The message for an unknown guardrail ID (recorded).
pub(crate) const INVALID_IDENTIFIER: &str = "The provided guardrail identifier is invalid.";

/// The message for an unknown guardrail version (recorded).
pub(crate) const UNKNOWN_VERSION: &str =
    "The guardrail identifier or version provided in the request does not exist.";

/// A guardrail the server applies: a word filter.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Guardrail {
    /// Its ID (`[a-z0-9]+`).
    pub id: String,
    /// Its version: a number (`1`) or `DRAFT`.
    pub version: String,
    /// Words and phrases it blocks (case-insensitive, whole words).
    pub blocked_terms: Vec<String>,
    /// The reply when it blocks an input.
    pub blocked_input_message: String,
    /// The reply when it blocks an output.
    pub blocked_output_message: String,
}

impl Guardrail {
    /// A guardrail blocking `blocked_terms`, with the default messages.
    ///
    /// # Panics
    ///
    /// If `id` is not `[a-z0-9]+` or `version` is not a number from 1 or `DRAFT` (the patterns
    /// of the service model, which requests must match).
    pub fn new(id: &str, version: &str, blocked_terms: &[&str]) -> Self {
        assert!(
            !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
            "a guardrail ID is [a-z0-9]+, not {id:?}"
        );
        assert!(
            version == "DRAFT"
                || (version.len() <= 8
                    && !version.starts_with('0')
                    && !version.is_empty()
                    && version.chars().all(|c| c.is_ascii_digit())),
            "a guardrail version is a number from 1 or DRAFT, not {version:?}"
        );
        Self {
            id: id.to_owned(),
            version: version.to_owned(),
            blocked_terms: blocked_terms.iter().map(|t| (*t).to_owned()).collect(),
            blocked_input_message: DEFAULT_BLOCKED_MESSAGE.to_owned(),
            blocked_output_message: DEFAULT_BLOCKED_MESSAGE.to_owned(),
        }
    }

    /// Sets the messages that replace a blocked input and a blocked output.
    pub fn messages(mut self, blocked_input: &str, blocked_output: &str) -> Self {
        self.blocked_input_message = blocked_input.to_owned();
        self.blocked_output_message = blocked_output.to_owned();
        self
    }

    /// The test guardrail at `version`.
    pub fn test(version: &str) -> Self {
        Self::new(TEST_GUARDRAIL_ID, version, &[TEST_GUARDRAIL_BLOCKED_TERM])
    }

    /// Its ARN (in `us-east-1`, account [`ACCOUNT_ID`]).
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:bedrock:us-east-1:{ACCOUNT_ID}:guardrail/{}",
            self.id
        )
    }

    /// The blocked terms found in `texts`, each once, as they appear in the text.
    pub fn find(&self, texts: &[String]) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        for term in &self.blocked_terms {
            for text in texts {
                if let Some(m) = find_word(text, term)
                    && !found.iter().any(|f| f.eq_ignore_ascii_case(&m))
                {
                    found.push(m);
                    break;
                }
            }
        }
        found
    }
}

/// The first whole-word, case-insensitive occurrence of `term` in `text`, as written there.
fn find_word(text: &str, term: &str) -> Option<String> {
    let term = term.trim();
    if term.is_empty() {
        return None;
    }
    let lower = text.to_lowercase();
    let needle = term.to_lowercase();
    // Lower-casing may change byte lengths; only compare when it does not.
    if lower.len() != text.len() {
        return None;
    }
    let mut from = 0;
    while let Some(at) = lower[from..].find(&needle) {
        let start = from + at;
        let end = start + needle.len();
        let before = lower[..start].chars().next_back();
        let after = lower[end..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return Some(text[start..end].to_owned());
        }
        from = start + needle.len().max(1);
        while !lower.is_char_boundary(from) {
            from += 1;
        }
    }
    None
}

/// How much trace a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum TraceMode {
    /// No trace (the default).
    Disabled,
    /// The trace.
    Enabled,
    /// The full trace.
    EnabledFull,
}

impl TraceMode {
    /// Whether a trace is returned.
    pub(crate) fn on(self) -> bool {
        self != TraceMode::Disabled
    }
}

/// The guardrail a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) struct GuardrailRequest {
    /// The identifier as sent (ID or ARN).
    pub(crate) identifier: String,
    /// The version as sent.
    pub(crate) version: String,
    /// The trace.
    pub(crate) trace: TraceMode,
}

impl GuardrailRequest {
    /// The `guardrailConfig` of a Converse or ConverseStream body (valid against the service
    /// model), if any.
    pub(crate) fn from_converse(body: &Value) -> Option<Self> {
        let config = body.get("guardrailConfig")?;
        Some(Self {
            identifier: config["guardrailIdentifier"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            version: config["guardrailVersion"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            trace: match config["trace"].as_str() {
                Some("enabled") => TraceMode::Enabled,
                Some("enabled_full") => TraceMode::EnabledFull,
                _ => TraceMode::Disabled,
            },
        })
    }

    /// The guardrail headers of an InvokeModel request (`identifier`, `version`, `trace`
    /// values), if an identifier or a version is set. The trace value must be one of the
    /// service model's `Trace` values.
    pub(crate) fn from_headers(
        identifier: Option<&str>,
        version: Option<&str>,
        trace: Option<&str>,
    ) -> Result<Option<Self>, ServiceError> {
        let trace = match trace {
            None | Some("DISABLED") => TraceMode::Disabled,
            Some("ENABLED") => TraceMode::Enabled,
            Some("ENABLED_FULL") => TraceMode::EnabledFull,
            Some(other) => {
                return Err(ServiceError::validation(format!(
                    "1 validation error detected: Value '{other}' at 'trace' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_FULL]"
                )));
            }
        };
        if identifier.is_none() && version.is_none() {
            return Ok(None);
        }
        // The headers are members of the service model's InvokeModelRequest: their patterns
        // apply, in Coral's words.
        let mut problems = Vec::new();
        for (member, shape, value) in [
            ("guardrailIdentifier", "GuardrailIdentifier", identifier),
            ("guardrailVersion", "GuardrailVersion", version),
        ] {
            if let Some(v) = value {
                for p in crate::converse_validate::problems(shape, &json!(v)) {
                    if let crate::converse_validate::Problem::Constraint {
                        value, constraint, ..
                    } = p
                    {
                        problems.push(crate::converse_validate::Problem::Constraint {
                            value,
                            path: member.to_owned(),
                            constraint,
                        });
                    }
                }
            }
        }
        if let Some(e) = crate::converse_validate::to_error(&problems) {
            return Err(e);
        }
        Ok(Some(Self {
            identifier: identifier.unwrap_or_default().to_owned(),
            version: version.unwrap_or_default().to_owned(),
            trace,
        }))
    }

    /// The ID the identifier names (the last segment of an ARN).
    pub(crate) fn id(&self) -> &str {
        match self.identifier.rsplit_once(":guardrail/") {
            Some((_, id)) => id,
            None => &self.identifier,
        }
    }

    /// The configured guardrail this request names, or Bedrock's error.
    pub(crate) fn resolve<'g>(
        &self,
        guardrails: &'g [Guardrail],
    ) -> Result<&'g Guardrail, ServiceError> {
        let id = self.id();
        if id.is_empty() || !guardrails.iter().any(|g| g.id == id) {
            return Err(ServiceError::validation(INVALID_IDENTIFIER));
        }
        guardrails
            .iter()
            .find(|g| g.id == id && g.version == self.version)
            .ok_or_else(|| ServiceError::validation(UNKNOWN_VERSION))
    }
}

/// The assessment of one text source by one guardrail.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) struct Assessment {
    /// The blocked terms found.
    pub(crate) matches: Vec<String>,
    /// Characters assessed.
    pub(crate) characters: usize,
}

impl Assessment {
    /// Assesses `texts` with `guardrail`.
    pub(crate) fn of(guardrail: &Guardrail, texts: &[String]) -> Self {
        Self {
            matches: guardrail.find(texts),
            characters: texts.iter().map(|t| t.chars().count()).sum(),
        }
    }

    /// Whether the guardrail blocks it.
    pub(crate) fn blocked(&self) -> bool {
        !self.matches.is_empty()
    }

    /// The `GuardrailAssessment` JSON (service model shape).
    pub(crate) fn to_json(&self, guardrail: &Guardrail) -> Value {
        // A text unit is up to 1,000 characters (Bedrock's guardrail pricing unit).
        let units = self.characters.div_ceil(1000).max(1);
        let mut v = Map::new();
        if self.blocked() {
            v.insert(
                "wordPolicy".into(),
                json!({
                    "customWords": self.matches.iter().map(|m| json!({
                        "match": m, "action": "BLOCKED", "detected": true,
                    })).collect::<Vec<_>>(),
                    "managedWordLists": [],
                }),
            );
        }
        v.insert(
            "invocationMetrics".into(),
            json!({
                "guardrailProcessingLatency": 1,
                "usage": {
                    "topicPolicyUnits": 0,
                    "contentPolicyUnits": 0,
                    "wordPolicyUnits": units,
                    "sensitiveInformationPolicyUnits": 0,
                    "sensitiveInformationPolicyFreeUnits": 0,
                    "contextualGroundingPolicyUnits": 0,
                },
                "guardrailCoverage": {
                    "textCharacters": {"guarded": self.characters, "total": self.characters},
                },
            }),
        );
        v.insert(
            "appliedGuardrailDetails".into(),
            json!({
                "guardrailId": guardrail.id,
                "guardrailVersion": guardrail.version,
                "guardrailArn": guardrail.arn(),
                "guardrailOrigin": ["REQUEST"],
                "guardrailOwnership": "SELF",
            }),
        );
        Value::Object(v)
    }
}

/// The outcome of applying a guardrail to one call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) struct Outcome {
    /// The input assessment.
    pub(crate) input: Assessment,
    /// The output assessment (`None` when the input was blocked and the model not called).
    pub(crate) output: Option<Assessment>,
    /// The model's output text before it was replaced.
    pub(crate) model_output: Option<String>,
}

impl Outcome {
    /// Whether the guardrail intervened.
    pub(crate) fn intervened(&self) -> bool {
        self.input.blocked() || self.output.as_ref().is_some_and(Assessment::blocked)
    }

    /// The Converse `trace` object (`{"guardrail": GuardrailTraceAssessment}`).
    pub(crate) fn converse_trace(&self, guardrail: &Guardrail) -> Value {
        let mut g = Map::new();
        g.insert(
            "inputAssessment".into(),
            json!({ guardrail.id.clone(): self.input.to_json(guardrail) }),
        );
        if let Some(out) = &self.output {
            g.insert(
                "outputAssessments".into(),
                json!({ guardrail.id.clone(): [out.to_json(guardrail)] }),
            );
            if out.blocked()
                && let Some(text) = &self.model_output
            {
                g.insert("modelOutput".into(), json!([text]));
            }
        }
        if self.intervened() {
            g.insert("actionReason".into(), json!(ACTION_REASON_BLOCKED));
        }
        json!({"guardrail": Value::Object(g)})
    }

    /// The InvokeModel `amazon-bedrock-trace` object.
    pub(crate) fn invoke_trace(&self, guardrail: &Guardrail) -> Value {
        let mut g = Map::new();
        g.insert(
            "input".into(),
            json!({ guardrail.id.clone(): self.input.to_json(guardrail) }),
        );
        if let Some(out) = &self.output {
            g.insert(
                "outputs".into(),
                json!([{ guardrail.id.clone(): out.to_json(guardrail) }]),
            );
        }
        if self.intervened() {
            g.insert("actionReason".into(), json!(ACTION_REASON_BLOCKED));
        }
        json!({"guardrail": Value::Object(g)})
    }

    /// `INTERVENED` or `NONE`.
    pub(crate) fn action(&self) -> &'static str {
        if self.intervened() {
            "INTERVENED"
        } else {
            "NONE"
        }
    }

    /// Adds `amazon-bedrock-guardrailAction` (and, with a trace, `amazon-bedrock-trace`) to an
    /// InvokeModel body or last chunk.
    pub(crate) fn annotate(&self, target: &mut Value, guardrail: &Guardrail, trace: TraceMode) {
        if let Some(obj) = target.as_object_mut() {
            obj.insert(
                "amazon-bedrock-guardrailAction".into(),
                json!(self.action()),
            );
            if trace.on() {
                obj.insert("amazon-bedrock-trace".into(), self.invoke_trace(guardrail));
            }
        }
    }
}
