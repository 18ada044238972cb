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

use crate::errors::ServiceError;

/// The ID of the test guardrail every server knows (unless configured away).
pub const TEST_GUARDRAIL_ID: &str = "localguardrail";
/// The word the test guardrail blocks.
pub const TEST_GUARDRAIL_BLOCKED_TERM: &str = "forbidden";
/// The default blocked-input and blocked-output message (the console's default).
pub const DEFAULT_BLOCKED_MESSAGE: &str = "Sorry, the model cannot answer this question.";
/// The `actionReason` of an intervention (recorded).
pub const ACTION_REASON_BLOCKED: &str = "Guardrail blocked.";
/// The message for an unknown guardrail ID (recorded).
pub const INVALID_IDENTIFIER: &str = "The provided guardrail identifier is invalid.";
/// The message for an unknown guardrail version (recorded).
pub const UNKNOWN_VERSION: &str =
    "The guardrail identifier or version provided in the request does not exist.";
/// The account ID in the ARNs the server reports.
pub const ACCOUNT_ID: &str = "123456789012";

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
pub enum TraceMode {
    /// No trace (the default).
    Disabled,
    /// The trace.
    Enabled,
    /// The full trace.
    EnabledFull,
}

impl TraceMode {
    /// Whether a trace is returned.
    pub fn on(self) -> bool {
        self != TraceMode::Disabled
    }
}

/// The guardrail a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GuardrailRequest {
    /// The identifier as sent (ID or ARN).
    pub identifier: String,
    /// The version as sent.
    pub version: String,
    /// The trace.
    pub trace: TraceMode,
}

impl GuardrailRequest {
    /// The `guardrailConfig` of a Converse or ConverseStream body (valid against the service
    /// model), if any.
    pub fn from_converse(body: &Value) -> Option<Self> {
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
    pub fn from_headers(
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
    pub fn id(&self) -> &str {
        match self.identifier.rsplit_once(":guardrail/") {
            Some((_, id)) => id,
            None => &self.identifier,
        }
    }

    /// The configured guardrail this request names, or Bedrock's error.
    pub fn resolve<'g>(&self, guardrails: &'g [Guardrail]) -> Result<&'g Guardrail, ServiceError> {
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
pub struct Assessment {
    /// The blocked terms found.
    pub matches: Vec<String>,
    /// Characters assessed.
    pub characters: usize,
}

impl Assessment {
    /// Assesses `texts` with `guardrail`.
    pub fn of(guardrail: &Guardrail, texts: &[String]) -> Self {
        Self {
            matches: guardrail.find(texts),
            characters: texts.iter().map(|t| t.chars().count()).sum(),
        }
    }

    /// Whether the guardrail blocks it.
    pub fn blocked(&self) -> bool {
        !self.matches.is_empty()
    }

    /// The `GuardrailAssessment` JSON (service model shape).
    pub fn to_json(&self, guardrail: &Guardrail) -> Value {
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
pub struct Outcome {
    /// The input assessment.
    pub input: Assessment,
    /// The output assessment (`None` when the input was blocked and the model not called).
    pub output: Option<Assessment>,
    /// The model's output text before it was replaced.
    pub model_output: Option<String>,
}

impl Outcome {
    /// Whether the guardrail intervened.
    pub fn intervened(&self) -> bool {
        self.input.blocked() || self.output.as_ref().is_some_and(Assessment::blocked)
    }

    /// The Converse `trace` object (`{"guardrail": GuardrailTraceAssessment}`).
    pub fn converse_trace(&self, guardrail: &Guardrail) -> Value {
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
    pub fn invoke_trace(&self, guardrail: &Guardrail) -> Value {
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
    pub fn action(&self) -> &'static str {
        if self.intervened() {
            "INTERVENED"
        } else {
            "NONE"
        }
    }

    /// Adds `amazon-bedrock-guardrailAction` (and, with a trace, `amazon-bedrock-trace`) to an
    /// InvokeModel body or last chunk.
    pub fn annotate(&self, target: &mut Value, guardrail: &Guardrail, trace: TraceMode) {
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

// ---------------------------------------------------------------------------------------
// Converse
// ---------------------------------------------------------------------------------------

fn text_of_block(b: &Value) -> Option<String> {
    b.get("text")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            b["guardContent"]["text"]["text"]
                .as_str()
                .map(str::to_owned)
        })
}

/// The texts of a Converse input a guardrail assesses (see the module docs).
pub fn converse_input_texts(req: &Value) -> Vec<String> {
    let mut texts = Vec::new();
    let messages = req["messages"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let guarded = |blocks: &[Value]| blocks.iter().any(|b| b.get("guardContent").is_some());
    let all_blocks: Vec<Value> = messages
        .iter()
        .flat_map(|m| m["content"].as_array().cloned().unwrap_or_default())
        .collect();
    let only_guarded = guarded(&all_blocks);
    for b in &all_blocks {
        if only_guarded && b.get("guardContent").is_none() {
            continue;
        }
        texts.extend(text_of_block(b));
    }
    let system = req["system"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let system_guarded = guarded(system);
    for b in system {
        if system_guarded && b.get("guardContent").is_none() {
            continue;
        }
        texts.extend(text_of_block(b));
    }
    texts.retain(|t| !t.is_empty());
    texts
}

// ---------------------------------------------------------------------------------------
// InvokeModel
// ---------------------------------------------------------------------------------------

const OPEN_TAG: &str = "<amazon-bedrock-guardrails-guardContent_";
const CLOSE_TAG: &str = "</amazon-bedrock-guardrails-guardContent_";

/// Keys whose string values are not prompt text (versions, roles, encodings, data).
const NOT_TEXT: [&str; 10] = [
    "anthropic_version",
    "schemaVersion",
    "role",
    "type",
    "media_type",
    "data",
    "bytes",
    "format",
    "id",
    "tool_use_id",
];

fn collect_strings(v: &Value, key: Option<&str>, out: &mut Vec<String>) {
    match v {
        Value::String(s) if !key.is_some_and(|k| NOT_TEXT.contains(&k)) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, key, out)),
        Value::Object(o) => o
            .iter()
            .for_each(|(k, x)| collect_strings(x, Some(k.as_str()), out)),
        _ => {}
    }
}

/// The text between the guard-content tags of `suffix` in `s`.
fn tagged(s: &str, suffix: &str) -> Vec<String> {
    let open = format!("{OPEN_TAG}{suffix}>");
    let close = format!("{CLOSE_TAG}{suffix}>");
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        let end = after.find(&close).unwrap_or(after.len());
        out.push(after[..end].to_owned());
        rest = &after[(end + close.len()).min(after.len())..];
    }
    out
}

fn strip_tags(v: &mut Value, suffix: &str) {
    let open = format!("{OPEN_TAG}{suffix}>");
    let close = format!("{CLOSE_TAG}{suffix}>");
    match v {
        Value::String(s) if s.contains(&open) || s.contains(&close) => {
            *s = s.replace(&open, "").replace(&close, "");
        }
        Value::Array(a) => a.iter_mut().for_each(|x| strip_tags(x, suffix)),
        Value::Object(o) => o.values_mut().for_each(|x| strip_tags(x, suffix)),
        _ => {}
    }
}

/// An InvokeModel body prepared for a guardrail: the texts it assesses and the body the model
/// reads (without `amazon-bedrock-guardrailConfig` and the guard-content tags).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct InvokeInput {
    /// The assessed texts.
    pub texts: Vec<String>,
    /// The body for the model.
    pub body: Vec<u8>,
}

/// Prepares an InvokeModel body. A body that is not a JSON object is passed on unchanged (the
/// model's own validation answers it), with nothing to assess.
pub fn invoke_input(body: &[u8]) -> InvokeInput {
    let Ok(Value::Object(mut obj)) = serde_json::from_slice::<Value>(body) else {
        return InvokeInput {
            texts: Vec::new(),
            body: body.to_vec(),
        };
    };
    let config = obj.remove("amazon-bedrock-guardrailConfig");
    let suffix = config
        .as_ref()
        .and_then(|c| c["tagSuffix"].as_str())
        .map(str::to_owned);
    let mut strings = Vec::new();
    let mut value = Value::Object(obj);
    collect_strings(&value, None, &mut strings);
    let texts = match &suffix {
        Some(sfx) => {
            let t = strings.iter().flat_map(|s| tagged(s, sfx)).collect();
            strip_tags(&mut value, sfx);
            t
        }
        None => strings,
    };
    InvokeInput {
        texts,
        body: serde_json::to_vec(&value).unwrap_or_else(|_| body.to_vec()),
    }
}

/// Where a family's response and stream chunks carry generated text (JSON pointers, `*`
/// standing for every array index).
fn text_slots(family: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match family {
        "claude_messages" => (&["/content/*/text"], &["/delta/text"]),
        "claude_text" => (&["/completion"], &["/completion"]),
        "titan_text" => (&["/results/*/outputText"], &["/outputText"]),
        "llama3" | "llama2_chat" => (&["/generation"], &["/generation"]),
        "mistral" => (&["/outputs/*/text"], &["/outputs/*/text"]),
        "mistral_chat" => (
            &["/choices/*/message/content"],
            &["/choices/*/message/content"],
        ),
        "jamba" => (
            &["/choices/*/message/content"],
            &["/choices/*/delta/content"],
        ),
        "command" => (&["/generations/*/text"], &["/text"]),
        "command_r" => (&["/text"], &["/text"]),
        "jurassic" => (&["/completions/*/data/text"], &[]),
        "nova" => (
            &["/output/message/content/*/text"],
            &["/contentBlockDelta/delta/text"],
        ),
        _ => (&[], &[]),
    }
}

fn walk<'v>(v: &'v Value, path: &[&str], out: &mut Vec<&'v str>) {
    let Some((head, rest)) = path.split_first() else {
        out.extend(v.as_str());
        return;
    };
    if *head == "*" {
        for item in v.as_array().into_iter().flatten() {
            walk(item, rest, out);
        }
    } else if let Some(child) = v.get(*head) {
        walk(child, rest, out);
    }
}

fn walk_mut(v: &mut Value, path: &[&str], f: &mut dyn FnMut(&mut Value)) {
    let Some((head, rest)) = path.split_first() else {
        if v.is_string() {
            f(v);
        }
        return;
    };
    if *head == "*" {
        if let Value::Array(items) = v {
            for item in items {
                walk_mut(item, rest, f);
            }
        }
    } else if let Some(child) = v.get_mut(*head) {
        walk_mut(child, rest, f);
    }
}

fn split(pointer: &str) -> Vec<&str> {
    pointer.trim_start_matches('/').split('/').collect()
}

/// The text at `pointers` of `v`, concatenated.
fn texts_at(v: &Value, pointers: &[&str]) -> String {
    let mut out = Vec::new();
    for p in pointers {
        walk(v, &split(p), &mut out);
    }
    out.concat()
}

/// Sets the text slots at `pointers` of `v`: the first one seen (`first`) to `message`, the
/// others to "".
fn replace_at(v: &mut Value, pointers: &[&str], message: &str, first: &mut bool) {
    for p in pointers {
        walk_mut(v, &split(p), &mut |slot| {
            *slot = json!(if *first { message } else { "" });
            *first = false;
        });
    }
}

/// The generated text of a family's response body.
pub fn response_text(family: &str, body: &Value) -> String {
    texts_at(body, text_slots(family).0)
}

/// Replaces the generated text of a family's response body with `message` (tool calls are
/// dropped).
pub fn replace_response_text(family: &str, body: &mut Value, message: &str) {
    if family == "claude_messages" {
        if let Some(obj) = body.as_object_mut() {
            obj.insert("content".into(), json!([{"type": "text", "text": message}]));
            if obj.contains_key("stop_reason") {
                obj.insert("stop_reason".into(), json!("end_turn"));
                obj.insert("stop_sequence".into(), Value::Null);
            }
        }
        return;
    }
    if family == "nova" {
        body["output"]["message"]["content"] = json!([{"text": message}]);
        return;
    }
    replace_at(body, text_slots(family).0, message, &mut true);
    if let Some(choices) = body["choices"].as_array_mut() {
        for c in choices {
            if let Some(m) = c["message"].as_object_mut() {
                m.remove("tool_calls");
            }
        }
    }
    if let Some(obj) = body.as_object_mut() {
        obj.remove("tool_calls");
    }
}

/// The Claude body Bedrock answers when a guardrail blocks the input (recorded; see the module
/// docs).
pub fn claude_blocked_input_body(message: &str) -> Value {
    json!({
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": message}],
    })
}

/// The generated text of a family's stream chunks.
pub fn chunks_text(family: &str, chunks: &[Value]) -> String {
    let pointers = text_slots(family).1;
    chunks.iter().map(|c| texts_at(c, pointers)).collect()
}

/// Replaces the generated text of a family's stream chunks with `message`: the first text
/// slot carries it, the others become empty (a Cohere Command R `stream-end` chunk's
/// `response.text` becomes the message).
pub fn replace_chunks_text(family: &str, chunks: &mut [Value], message: &str) {
    let pointers = text_slots(family).1;
    let mut first = true;
    for c in chunks.iter_mut() {
        replace_at(c, pointers, message, &mut first);
        if family == "command_r" && c["response"]["text"].is_string() {
            c["response"]["text"] = json!(message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_match_whole_and_case_insensitively() {
        let g = Guardrail::test("1");
        assert_eq!(
            g.find(&["The Forbidden city".into()]),
            vec!["Forbidden".to_owned()]
        );
        assert!(g.find(&["unforbiddenness".into()]).is_empty());
        assert_eq!(g.find(&["x".into(), "forbidden!".into()]).len(), 1);
        let g = Guardrail::new("g1", "DRAFT", &["secret plan", "x"]);
        assert_eq!(g.find(&["my Secret Plan is".into()]), vec!["Secret Plan"]);
        assert!(find_word("naïve forbidden", "forbidden").is_some());
    }

    #[test]
    #[should_panic(expected = "[a-z0-9]+")]
    fn ids_follow_the_service_model_pattern() {
        Guardrail::new("local-guardrail", "1", &["x"]);
    }

    #[test]
    fn requests_resolve_by_id_or_arn_and_version() {
        let gs = vec![Guardrail::test("1"), Guardrail::test("DRAFT")];
        let r = |id: &str, v: &str| GuardrailRequest {
            identifier: id.into(),
            version: v.into(),
            trace: TraceMode::Disabled,
        };
        assert_eq!(r(TEST_GUARDRAIL_ID, "1").resolve(&gs).unwrap().version, "1");
        let arn = format!("arn:aws:bedrock:us-west-2:{ACCOUNT_ID}:guardrail/{TEST_GUARDRAIL_ID}");
        assert_eq!(r(&arn, "DRAFT").resolve(&gs).unwrap().version, "DRAFT");
        let e = r("nosuchguardrail", "1").resolve(&gs).unwrap_err();
        assert_eq!(e.error_type, "ValidationException");
        assert_eq!(e.message.as_deref(), Some(INVALID_IDENTIFIER));
        let e = r(TEST_GUARDRAIL_ID, "7").resolve(&gs).unwrap_err();
        assert_eq!(e.message.as_deref(), Some(UNKNOWN_VERSION));
        assert!(
            GuardrailRequest::from_headers(None, None, None)
                .unwrap()
                .is_none()
        );
        assert!(GuardrailRequest::from_headers(Some("x"), Some("1"), Some("on")).is_err());
        let e = GuardrailRequest::from_headers(Some("gr-abc"), Some("v2"), None).unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some(
                "2 validation errors detected: Value 'gr-abc' at 'guardrailIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+)); Value 'v2' at 'guardrailVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (|([1-9][0-9]{0,7})|(DRAFT))"
            )
        );
        assert_eq!(
            GuardrailRequest::from_headers(Some("x"), Some("1"), Some("ENABLED_FULL"))
                .unwrap()
                .unwrap()
                .trace,
            TraceMode::EnabledFull
        );
    }

    #[test]
    fn converse_input_is_the_text_or_only_the_guarded_content() {
        let req = json!({"system": [{"text": "be nice"}], "messages": [
            {"role": "user", "content": [{"text": "hello"}, {"toolResult": {"toolUseId": "t", "content": [{"text": "forbidden"}]}}]}
        ]});
        assert_eq!(converse_input_texts(&req), vec!["hello", "be nice"]);
        let req = json!({"messages": [
            {"role": "user", "content": [{"text": "forbidden context"}, {"guardContent": {"text": {"text": "the question"}}}]}
        ]});
        assert_eq!(converse_input_texts(&req), vec!["the question"]);
    }

    #[test]
    fn traces_have_the_service_model_shapes() {
        let g = Guardrail::test("1");
        let outcome = Outcome {
            input: Assessment::of(&g, &["a forbidden thing".into()]),
            output: None,
            model_output: None,
        };
        assert!(outcome.intervened());
        let trace = outcome.converse_trace(&g);
        let problems = crate::converse_validate::problems("ConverseTrace", &trace);
        assert!(problems.is_empty(), "{problems:?}");
        let a = &trace["guardrail"]["inputAssessment"][TEST_GUARDRAIL_ID];
        assert_eq!(a["wordPolicy"]["customWords"][0]["match"], "forbidden");
        assert_eq!(a["wordPolicy"]["customWords"][0]["action"], "BLOCKED");
        assert_eq!(trace["guardrail"]["actionReason"], ACTION_REASON_BLOCKED);
        let ok = Outcome {
            input: Assessment::of(&g, &["fine".into()]),
            output: Some(Assessment::of(&g, &["also fine".into()])),
            model_output: Some("also fine".into()),
        };
        assert!(!ok.intervened());
        let t = ok.converse_trace(&g);
        assert!(t["guardrail"]["outputAssessments"][TEST_GUARDRAIL_ID][0]["wordPolicy"].is_null());
        assert!(t["guardrail"].get("modelOutput").is_none());
        assert!(crate::converse_validate::problems("ConverseTrace", &t).is_empty());
        let mut body = json!({"generation": "x"});
        ok.annotate(&mut body, &g, TraceMode::Enabled);
        assert_eq!(body["amazon-bedrock-guardrailAction"], "NONE");
        assert!(body["amazon-bedrock-trace"]["guardrail"]["input"][TEST_GUARDRAIL_ID].is_object());
        assert!(
            body["amazon-bedrock-trace"]["guardrail"]["outputs"][0][TEST_GUARDRAIL_ID].is_object()
        );
    }

    #[test]
    fn invoke_bodies_lose_the_config_and_tags() {
        let body = json!({
            "prompt": "context <amazon-bedrock-guardrails-guardContent_xyz>the question</amazon-bedrock-guardrails-guardContent_xyz>",
            "amazon-bedrock-guardrailConfig": {"tagSuffix": "xyz"}
        });
        let input = invoke_input(&serde_json::to_vec(&body).unwrap());
        assert_eq!(input.texts, vec!["the question"]);
        let model_body: Value = serde_json::from_slice(&input.body).unwrap();
        assert_eq!(model_body, json!({"prompt": "context the question"}));
        let input = invoke_input(br#"{"anthropic_version": "bedrock-2023-05-31", "messages": [{"role": "user", "content": "hi"}]}"#);
        assert_eq!(input.texts, vec!["hi"]);
        assert_eq!(invoke_input(b"[1]").body, b"[1]");
    }

    #[test]
    fn family_texts_are_found_and_replaced() {
        let mut claude = json!({"content": [{"type": "text", "text": "a "}, {"type": "tool_use", "id": "t", "name": "f", "input": {}}, {"type": "text", "text": "b"}], "stop_reason": "tool_use"});
        assert_eq!(response_text("claude_messages", &claude), "a b");
        replace_response_text("claude_messages", &mut claude, "no");
        assert_eq!(claude["content"], json!([{"type": "text", "text": "no"}]));
        assert_eq!(claude["stop_reason"], "end_turn");
        let mut titan = json!({"results": [{"outputText": "x"}, {"outputText": "y"}]});
        assert_eq!(response_text("titan_text", &titan), "xy");
        replace_response_text("titan_text", &mut titan, "no");
        assert_eq!(titan["results"][0]["outputText"], "no");
        assert_eq!(titan["results"][1]["outputText"], "");
        let mut chunks = vec![
            json!({"is_finished": false, "event_type": "text-generation", "text": "one"}),
            json!({"is_finished": true, "event_type": "stream-end", "response": {"text": "one"}}),
        ];
        assert_eq!(chunks_text("command_r", &chunks), "one");
        replace_chunks_text("command_r", &mut chunks, "no");
        assert_eq!(chunks[0]["text"], "no");
        assert_eq!(chunks[1]["response"]["text"], "no");
    }
}
