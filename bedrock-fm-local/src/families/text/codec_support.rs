//! What the text codecs share: reading and validating a native body with Bedrock's wording,
//! reading values out of it, finding the last user turn of a templated prompt, answering a
//! conversation (text, tool calls, reasoning) with the engine, and turning chunk objects into a
//! stream.
//!
//! # Validation wording
//!
//! Bedrock validates InvokeModel bodies against a JSON schema per model and answers a
//! `ValidationException` whose message is `Malformed input request: <violations>, please
//! reformat your input and try again.`, each violation written `<JSON pointer>: <problem>` and
//! several of them concatenated with no separator. Recorded examples (dify PR #3326, Titan and
//! Jurassic): `Malformed input request: #/stopSequences: expected type: JSONArray, found:
//! String, please reformat your input and try again.` and `Malformed input request: #:
//! extraneous key [top_p] is not permitted#: extraneous key [max_tokens_to_sample] is not
//! permitted, please reformat your input and try again.`; the same for Claude (pingcap/autoflow
//! PR #574: `Malformed input request: #: subject must not be valid against schema
//! {"required":["messages"]}#: extraneous key [response_mime_type] is not permitted, please
//! reformat your input and try again.`) and for a nested block (crmne/ruby_llm issue #586:
//! `#/messages/0/content/0: extraneous key [type] is not permitted`). Ranges read `8192 is not
//! less or equal to 8191` (langchain issue #9697). The violations themselves come from the
//! catalog's strict schema, [`bedrock_fm::schema::StructSpec::validate`].

use bedrock_fm::catalog::Family;
use bedrock_fm::schema::Violation;
use serde_json::{Value, json};

use crate::converse::MEDIA_BLOCK_TOKENS;
use crate::engine::{self, Engine, Generation, StopReason, TextRequest, ToolChoice, ToolSpec};
use crate::errors::ServiceError;
use crate::models::{ChunkStream, InvokeCall, ModelCaps, OutputBlock, Usage, invocation_metrics};

/// The body of an InvokeModel call, parsed and validated against `family`'s request schema.
pub(crate) fn request(call: &InvokeCall<'_>, family: Family) -> Result<Value, ServiceError> {
    let body = parse_body(call.body)?;
    validate(family, &body)?;
    Ok(body)
}

/// Parses a body that must be a JSON object. A body that does not start with `{` gets the
/// message of the `org.json` parser behind Bedrock's validator (`A JSONObject text must begin
/// with '{' at 1 [character 2 line 1]`); other syntax errors are described by serde_json.
pub(crate) fn parse_body(body: &[u8]) -> Result<Value, ServiceError> {
    let text = String::from_utf8_lossy(body);
    if !text.trim_start().starts_with('{') {
        return Err(ServiceError::malformed_input(&format!(
            "A JSONObject text must begin with '{{'{}",
            tokener_position(&text)
        )));
    }
    serde_json::from_slice(body).map_err(|e| ServiceError::malformed_input(&e.to_string()))
}

/// `org.json`'s ` at <index> [character <c> line <l>]` after reading the first non-blank
/// character (or the end of the text).
fn tokener_position(text: &str) -> String {
    let (mut index, mut character, mut line) = (0usize, 1usize, 1usize);
    for c in text.chars() {
        index += 1;
        if c == '\n' {
            line += 1;
            character = 0;
        } else {
            character += 1;
        }
        if !c.is_whitespace() {
            break;
        }
    }
    format!(" at {index} [character {character} line {line}]")
}

/// Validates `body` against `family`'s request schema.
pub(crate) fn validate(family: Family, body: &Value) -> Result<(), ServiceError> {
    let violations = family.request_spec().validate(body);
    if violations.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::malformed_input(&describe(&violations)))
    }
}

/// The violations as Bedrock writes them: `pointer: problem`, concatenated.
pub(crate) fn describe(violations: &[Violation]) -> String {
    violations.iter().map(ToString::to_string).collect()
}

/// Rejects an output limit above the model's, in the validator's words (`#/maxTokens: 5000 is
/// not less or equal to 3072`): the schema allows the family's largest limit, the model may
/// allow less (Titan Text Premier: 3,072 of the family's 8,192).
pub(crate) fn check_model_limit(
    caps: &ModelCaps,
    pointer: &str,
    requested: Option<u32>,
) -> Result<(), ServiceError> {
    match (requested, caps.max_output_tokens) {
        (Some(n), Some(limit)) if n > limit => Err(ServiceError::malformed_input(&format!(
            "{pointer}: {n} is not less or equal to {limit}"
        ))),
        _ => Ok(()),
    }
}

/// The non-negative integer at a JSON pointer, saturated to `u32`.
pub(crate) fn u32_at(body: &Value, pointer: &str) -> Option<u32> {
    body.pointer(pointer)
        .and_then(Value::as_u64)
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

/// The string at a JSON pointer.
pub(crate) fn str_at<'a>(body: &'a Value, pointer: &str) -> Option<&'a str> {
    body.pointer(pointer).and_then(Value::as_str)
}

/// The strings of the array at a JSON pointer (none when absent).
pub(crate) fn strings_at(body: &Value, pointer: &str) -> Vec<String> {
    body.pointer(pointer)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The text after the last `open` marker of a templated prompt, up to the next `close` marker
/// (or the end), trimmed: the last user turn, which the engine's reply echoes.
pub(crate) fn last_between<'a>(prompt: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = prompt.rfind(open)? + open.len();
    let rest = &prompt[start..];
    let end = rest.find(close).unwrap_or(rest.len());
    let focus = rest[..end].trim();
    (!focus.is_empty()).then_some(focus)
}

/// The pieces of a generation for a stream: at least one (empty) piece, so that a reply of
/// no tokens still has a content chunk to carry its stop reason.
pub(crate) fn stream_pieces(pieces: &[String]) -> Vec<String> {
    if pieces.is_empty() {
        vec![String::new()]
    } else {
        pieces.to_vec()
    }
}

/// One chunk per piece of a generation (at least one, see [`stream_pieces`]), made by
/// `chunk(index, piece, last)`.
pub(crate) fn piece_chunks(
    pieces: &[String],
    mut chunk: impl FnMut(usize, String, bool) -> Value,
) -> Vec<Value> {
    let pieces = stream_pieces(pieces);
    let n = pieces.len();
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| chunk(i, piece, i + 1 == n))
        .collect()
}

/// The token usage of a generation.
pub(crate) fn usage(g: &Generation) -> Usage {
    Usage::new(g.input_tokens, g.output_tokens)
}

/// A completion whose response and stream chunks have one shape, `shape(text, stop_reason)`
/// (Mistral's `outputs`, DeepSeek's `choices`): the whole response, with `reason`.
pub(crate) fn shaped_answer(
    g: &Generation,
    reason: &'static str,
    shape: impl Fn(&str, Option<&'static str>) -> Value,
) -> crate::models::InvokeOutput {
    crate::models::InvokeOutput::json(&shape(&g.text, Some(reason)), Some(usage(g)))
}

/// The stream of [`shaped_answer`]: one chunk per piece, `reason` on the last only.
pub(crate) fn shaped_stream(
    g: &Generation,
    reason: &'static str,
    shape: impl Fn(&str, Option<&'static str>) -> Value,
) -> ChunkStream {
    let chunks = piece_chunks(&g.pieces, |_, piece, last| {
        shape(&piece, last.then_some(reason))
    });
    stream(chunks, usage(g))
}

/// A check of a prompt beyond its schema (Claude Text's turn structure).
pub(crate) type PromptCheck = fn(&str) -> Result<(), ServiceError>;

/// How a prompt-completion family (Claude Text, Titan Text, Mistral, Llama) lays out its body:
/// where it keeps the prompt, the output limit and the stop sequences, and how the last user
/// turn of its prompt template is found.
pub(crate) struct Completion {
    /// The family whose request schema the body is validated against.
    pub family: Family,
    /// JSON pointer of the prompt.
    pub prompt: &'static str,
    /// JSON pointer of the output limit.
    pub max_tokens: &'static str,
    /// JSON pointer of the stop sequences (`None`: the family takes none).
    pub stop: Option<&'static str>,
    /// The last user turn of a prompt, which the reply echoes (`None`: the whole prompt).
    pub focus: fn(&str) -> Option<&str>,
    /// A check of the prompt beyond its schema.
    pub check_prompt: Option<PromptCheck>,
}

impl Completion {
    /// Reads and validates the body of `call` (the output limit against the model's too) and
    /// generates the completion of its prompt, at most `default_max` tokens when the body sets
    /// no limit. Returns the body as well.
    pub fn generate(
        &self,
        call: &InvokeCall<'_>,
        default_max: Option<u32>,
    ) -> Result<(Generation, Value), ServiceError> {
        let body = request(call, self.family)?;
        let max = u32_at(&body, self.max_tokens);
        check_model_limit(call.model, &format!("#{}", self.max_tokens), max)?;
        let prompt = str_at(&body, self.prompt).unwrap_or_default();
        if let Some(check) = self.check_prompt {
            check(prompt)?;
        }
        let stop = self
            .stop
            .map(|pointer| strings_at(&body, pointer))
            .unwrap_or_default();
        let focus = (self.focus)(prompt).unwrap_or(prompt);
        let g = call.engine.generate(
            &TextRequest::new(prompt)
                .focus(focus)
                .max_tokens(max.or(default_max))
                .stop_sequences(&stop),
        );
        Ok((g, body))
    }
}

/// The chunks of an InvokeModel stream: the last one gets `amazon-bedrock-invocationMetrics`.
pub(crate) fn stream(mut chunks: Vec<Value>, usage: Usage) -> ChunkStream {
    if let Some(last) = chunks.last_mut().and_then(Value::as_object_mut) {
        last.insert(
            "amazon-bedrock-invocationMetrics".into(),
            invocation_metrics(usage),
        );
    }
    Box::new(chunks.into_iter().map(Ok))
}

/// The engine of the `index`-th of several generations of one request (the first is the
/// engine itself, so asking for one generation answers like any other call).
pub(crate) fn nth_engine(engine: Engine, index: u32) -> Engine {
    if index == 0 {
        engine
    } else {
        Engine::new(engine::mix(engine.seed ^ u64::from(index)))
    }
}

/// A UUID-shaped identifier, deterministic in the engine's seed and `salt` (Cohere's
/// `id`, `generation_id` and `response_id` are UUIDs).
pub(crate) fn uuid(engine: Engine, salt: &str) -> String {
    let a = engine::hash64(&[&engine.seed.to_le_bytes(), salt.as_bytes()]);
    let b = engine::mix(a);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

/// Splits `s` into parts of at most `n` characters (streamed tool input).
pub(crate) fn char_chunks(s: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    chars.chunks(n.max(1)).map(|c| c.iter().collect()).collect()
}

/// One turn of a conversation read from a native body.
#[derive(Debug, Clone, Default)]
pub(crate) struct Turn {
    /// The user's turn (tool results included); else the assistant's.
    pub user: bool,
    /// Its text blocks.
    pub texts: Vec<String>,
    /// The text of its other blocks (tool results, tool calls, document titles).
    pub other: Vec<String>,
    /// Its image, document and video blocks.
    pub media: u32,
    /// It returns tool results.
    pub tool_results: bool,
}

impl Turn {
    /// A user turn with one text.
    pub fn user(text: impl Into<String>) -> Self {
        Self {
            user: true,
            texts: vec![text.into()],
            ..Self::default()
        }
    }

    /// An assistant turn with one text.
    pub fn assistant(text: impl Into<String>) -> Self {
        Self {
            user: false,
            texts: vec![text.into()],
            ..Self::default()
        }
    }
}

/// A conversation read from a native body, and how to answer it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Chat {
    /// System prompt parts.
    pub system: Vec<String>,
    /// The turns, oldest first.
    pub turns: Vec<Turn>,
    /// Other text the model reads (documents).
    pub context: Vec<String>,
    /// The tools offered.
    pub tools: Vec<ToolSpec>,
    /// How the model may pick them.
    pub tool_choice: ToolChoice,
    /// Largest number of output tokens.
    pub max_tokens: Option<u32>,
    /// Stop sequences.
    pub stop_sequences: Vec<String>,
    /// Reasoning first, with this token budget (`Some(None)`: the engine's default budget).
    pub reasoning: Option<Option<u32>>,
    /// A short text before a tool call the model chose itself (Claude does so; OpenAI-style
    /// families answer tool calls with empty content).
    pub preface: bool,
    /// Prefix and length of generated tool-call IDs.
    pub tool_id: (&'static str, usize),
}

/// The reply to a [`Chat`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    /// Content blocks, in order.
    pub blocks: Vec<OutputBlock>,
    /// Why the model stopped.
    pub stop_reason: StopReason,
    /// The stop sequence that stopped it.
    pub stop_sequence: Option<String>,
    /// Token usage.
    pub usage: Usage,
}

impl Reply {
    /// The text of the reply (its text blocks, concatenated).
    pub fn text(&self) -> String {
        self.text_pieces().concat()
    }

    /// The pieces of the text blocks, in stream order.
    pub fn text_pieces(&self) -> Vec<String> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                OutputBlock::Text { pieces, .. } => Some(pieces.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// The tool calls: ID, name and input.
    pub fn tool_calls(&self) -> Vec<(&str, &str, &Value)> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                OutputBlock::ToolUse { id, name, input } => {
                    Some((id.as_str(), name.as_str(), input))
                }
                _ => None,
            })
            .collect()
    }
}

impl Chat {
    /// Everything the model reads: system, context, turns and tool definitions.
    pub fn prompt(&self) -> String {
        let mut parts: Vec<String> = self.system.clone();
        parts.extend(self.context.iter().cloned());
        for t in &self.turns {
            parts.extend(t.texts.iter().cloned());
            parts.extend(t.other.iter().cloned());
        }
        for t in &self.tools {
            parts.push(t.name.clone());
            parts.extend(t.description.iter().cloned());
            parts.push(t.input_schema.to_string());
        }
        parts.retain(|p| !p.is_empty());
        parts.join("\n")
    }

    /// Input tokens: the prompt's, plus [`MEDIA_BLOCK_TOKENS`] per media block.
    pub fn input_tokens(&self) -> u32 {
        let media: u32 = self.turns.iter().map(|t| t.media).sum();
        engine::count_tokens(&self.prompt())
            .saturating_add(media.saturating_mul(MEDIA_BLOCK_TOKENS))
    }

    /// The text of the last user turn (its text blocks, else its other blocks).
    pub fn focus(&self) -> String {
        let Some(last) = self.turns.iter().rev().find(|t| t.user) else {
            return String::new();
        };
        let parts = if last.texts.iter().any(|t| !t.is_empty()) {
            &last.texts
        } else {
            &last.other
        };
        parts
            .iter()
            .filter(|t| !t.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The engine's reply: reasoning first when asked; then a tool call when
    /// [`engine::choose_tool`] picks one for the last user turn (input generated from the
    /// tool's schema, stop reason `tool_use`), else text honouring the limits.
    pub fn reply(&self, engine: Engine) -> Reply {
        let prompt = self.prompt();
        let focus = self.focus();
        let mut blocks = Vec::new();
        let mut output_tokens = 0u32;
        if let Some(budget) = self.reasoning {
            let r = engine.reasoning(&focus, budget);
            output_tokens += r.output_tokens;
            blocks.push(OutputBlock::Reasoning {
                signature: engine.id("", &format!("signature:{}", r.text), 48),
                text: r.text,
                pieces: r.pieces,
            });
        }
        let last = self.turns.last();
        let chosen = match last {
            Some(t) if t.user => {
                engine::choose_tool(&self.tools, &self.tool_choice, &focus, t.tool_results)
            }
            _ => None,
        };
        let (stop_reason, stop_sequence) = if let Some(i) = chosen {
            let tool = &self.tools[i];
            if self.preface && self.tool_choice == ToolChoice::Auto {
                let preface = format!("I'll use the {} tool.", tool.name);
                output_tokens += engine::count_tokens(&preface);
                blocks.push(OutputBlock::text(preface));
            }
            let input = engine::value_for_schema(
                &tool.input_schema,
                &focus,
                engine.seed ^ engine::hash64(&[tool.name.as_bytes()]),
            );
            output_tokens += engine::count_tokens(&input.to_string());
            let (prefix, len) = self.tool_id;
            blocks.push(OutputBlock::ToolUse {
                id: engine.id(prefix, &format!("{}\u{0}{prompt}", tool.name), len),
                name: tool.name.clone(),
                input,
            });
            (StopReason::ToolUse, None)
        } else {
            let g = engine.generate(
                &TextRequest::new(&prompt)
                    .focus(&focus)
                    .max_tokens(self.max_tokens)
                    .stop_sequences(&self.stop_sequences),
            );
            output_tokens += g.output_tokens;
            blocks.push(OutputBlock::Text {
                text: g.text,
                pieces: g.pieces,
            });
            (g.stop_reason, g.stop_sequence)
        };
        Reply {
            blocks,
            stop_reason,
            stop_sequence,
            usage: Usage::new(self.input_tokens(), output_tokens),
        }
    }
}

/// The JSON schema of a tool whose definition has none (an Anthropic-defined tool).
pub(crate) fn empty_object_schema() -> Value {
    json!({"type": "object", "properties": {}})
}

/// A tool offered to the model.
pub(crate) fn tool(name: &str, description: Option<&str>, schema: Option<&Value>) -> ToolSpec {
    let mut t = ToolSpec::new(
        name,
        schema
            .filter(|s| s.is_object())
            .cloned()
            .unwrap_or_else(empty_object_schema),
    );
    t.description = description.map(str::to_owned);
    t
}

/// Adds a message's content to a turn: a string, or text and image parts (Pixtral).
fn add_content(turn: &mut Turn, content: &Value) {
    match content {
        Value::String(s) => turn.texts.push(s.clone()),
        Value::Array(parts) => {
            for p in parts {
                match p["type"].as_str() {
                    Some("image_url") => turn.media += 1,
                    _ => turn.texts.extend(p["text"].as_str().map(str::to_owned)),
                }
            }
        }
        _ => {}
    }
}

/// The conversation of an OpenAI-style `messages` array (Mistral chat, Jamba): `system`
/// messages are the system prompt; consecutive `user` and `tool` messages make one user turn,
/// which returns tool results when its last message is a `tool` message.
pub(crate) fn openai_turns(messages: &[Value]) -> (Vec<String>, Vec<Turn>) {
    let mut system = Vec::new();
    let mut turns: Vec<Turn> = Vec::new();
    for m in messages {
        let role = m["role"].as_str().unwrap_or_default();
        if role == "system" {
            system.extend(m["content"].as_str().map(str::to_owned));
            continue;
        }
        let user = role != "assistant";
        if turns.last().is_none_or(|t| t.user != user) {
            turns.push(Turn {
                user,
                ..Turn::default()
            });
        }
        let turn = turns.last_mut().expect("pushed above");
        if role == "tool" {
            turn.tool_results = true;
            turn.other.extend(m["content"].as_str().map(str::to_owned));
        } else {
            turn.tool_results = false;
            add_content(turn, &m["content"]);
        }
        for call in m["tool_calls"].as_array().into_iter().flatten() {
            turn.other
                .extend(call["function"]["arguments"].as_str().map(str::to_owned));
        }
    }
    (system, turns)
}

/// The tools of an OpenAI-style `tools` array (`{"type": "function", "function": {...}}`).
pub(crate) fn openai_tools(tools: &Value) -> Vec<ToolSpec> {
    tools
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let f = &t["function"];
            tool(
                f["name"].as_str().unwrap_or_default(),
                f["description"].as_str(),
                f.get("parameters"),
            )
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod testing {
    //! Calling a codec as the server does, and checking what it answers.

    use bedrock_fm::catalog::{Family, Model};
    use bedrock_fm::schema::StructSpec;
    use serde_json::Value;

    use crate::catalog_backend::caps_of;
    use crate::engine::Engine;
    use crate::errors::ServiceError;
    use crate::models::{FamilyCodec, InvokeCall, ModelCaps, Usage};

    /// The seed of the tests' engine.
    pub const SEED: u64 = 7;

    /// The capabilities of a catalog model.
    pub fn caps(model_id: &str) -> ModelCaps {
        let model: Model = model_id.parse().expect("a catalog model ID");
        caps_of(model)
    }

    fn call<'a>(caps: &'a ModelCaps, body: &'a [u8]) -> InvokeCall<'a> {
        InvokeCall {
            model: caps,
            model_id: &caps.model_id,
            body,
            content_type: Some("application/json"),
            accept: Some("application/json"),
            engine: Engine::new(SEED),
            prompt_cache: None,
        }
    }

    /// InvokeModel with raw bytes.
    pub fn invoke_bytes(
        codec: &dyn FamilyCodec,
        model_id: &str,
        body: &[u8],
    ) -> Result<(Value, Option<Usage>), ServiceError> {
        let caps = caps(model_id);
        let out = codec.invoke(&call(&caps, body))?;
        assert_eq!(out.content_type, "application/json");
        let json = serde_json::from_slice(&out.body).expect("a JSON response");
        Ok((json, out.usage))
    }

    /// InvokeModel with a JSON body.
    pub fn invoke(
        codec: &dyn FamilyCodec,
        model_id: &str,
        body: &Value,
    ) -> Result<(Value, Option<Usage>), ServiceError> {
        invoke_bytes(codec, model_id, &serde_json::to_vec(body).unwrap())
    }

    /// InvokeModelWithResponseStream: every chunk, or the error of the call.
    pub fn stream(
        codec: &dyn FamilyCodec,
        model_id: &str,
        body: &Value,
    ) -> Result<Vec<Value>, ServiceError> {
        let caps = caps(model_id);
        let bytes = serde_json::to_vec(body).unwrap();
        let chunks = codec.invoke_stream(&call(&caps, &bytes))?;
        Ok(chunks.map(|c| c.expect("no error chunk")).collect())
    }

    /// The message of the `ValidationException` that answers `body` with `key` set to `value`.
    pub fn rejection_with(
        codec: &dyn FamilyCodec,
        model_id: &str,
        body: &Value,
        key: &str,
        value: Value,
    ) -> String {
        let mut body = body.clone();
        body[key] = value;
        validation_message(invoke(codec, model_id, &body))
    }

    /// InvokeModel and InvokeModelWithResponseStream with the same body: asserts that the
    /// chunks are valid against `family`'s chunk schema and carry the usage of the response
    /// (see [`assert_stream`]), and that the texts of the chunks (at the JSON pointer
    /// `chunk_text`) make the response's (at `response_text`). Returns both.
    pub fn invoke_and_stream(
        codec: &dyn FamilyCodec,
        family: Family,
        model_id: &str,
        body: &Value,
        response_text: &str,
        chunk_text: &str,
    ) -> (Value, Vec<Value>) {
        let (v, usage) = invoke(codec, model_id, body).unwrap();
        let chunks = stream(codec, model_id, body).unwrap();
        let spec = family.stream_chunk_spec().expect("a streaming family");
        assert_stream(spec, &chunks, usage.unwrap());
        let text: String = chunks
            .iter()
            .map(|c| c.pointer(chunk_text).and_then(Value::as_str).unwrap())
            .collect();
        assert_eq!(
            text,
            v.pointer(response_text).and_then(Value::as_str).unwrap()
        );
        (v, chunks)
    }

    /// The message of a `ValidationException`.
    pub fn validation_message<T: std::fmt::Debug>(result: Result<T, ServiceError>) -> String {
        let err = result.expect_err("a ValidationException");
        assert_eq!(err.error_type, "ValidationException", "{err}");
        assert_eq!(err.status, 400);
        err.message.unwrap_or_default()
    }

    /// Asserts that `value` is valid against `spec`.
    pub fn assert_valid(spec: &StructSpec, value: &Value) {
        let violations = spec.validate(value);
        assert!(
            violations.is_empty(),
            "{} violations: {violations:?}\nin {value:#}",
            spec.name
        );
    }

    /// Asserts that every chunk is valid against `spec`, that only the last carries the
    /// invocation metrics, and that their token counts match `usage`.
    pub fn assert_stream(spec: &StructSpec, chunks: &[Value], usage: Usage) {
        assert!(!chunks.is_empty());
        for c in chunks {
            assert_valid(spec, c);
        }
        let (last, rest) = chunks.split_last().unwrap();
        for c in rest {
            assert!(c.get("amazon-bedrock-invocationMetrics").is_none(), "{c}");
        }
        let m = &last["amazon-bedrock-invocationMetrics"];
        assert_eq!(m["inputTokenCount"], usage.input_tokens, "{last}");
        assert_eq!(m["outputTokenCount"], usage.output_tokens, "{last}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_that_are_not_objects_get_the_org_json_message() {
        let msg = |b: &[u8]| parse_body(b).unwrap_err().message.unwrap();
        assert_eq!(
            msg(b"[1]"),
            "Malformed input request: A JSONObject text must begin with '{' at 1 [character 2 line 1], please reformat your input and try again."
        );
        assert!(
            msg(b"").contains("at 0 [character 1 line 1]"),
            "{}",
            msg(b"")
        );
        assert!(msg(b"\n x").contains("at 3 [character 2 line 2]"));
        let e = parse_body(b"{\"a\": }").unwrap_err();
        assert_eq!(e.error_type, "ValidationException");
        assert!(e.message.unwrap().starts_with("Malformed input request: "));
        assert_eq!(parse_body(b" {\"a\": 1}").unwrap(), json!({"a": 1}));
    }

    #[test]
    fn violations_are_concatenated_as_bedrock_does() {
        let err = validate(
            Family::TitanText,
            &json!({"inputText": "x", "top_p": 1, "max_tokens_to_sample": 2}),
        )
        .unwrap_err();
        assert_eq!(
            err.message.as_deref(),
            Some(
                "Malformed input request: #: extraneous key [top_p] is not permitted#: extraneous key [max_tokens_to_sample] is not permitted, please reformat your input and try again."
            )
        );
    }

    #[test]
    fn last_between_finds_the_last_turn() {
        let p = "<s>[INST] one [/INST] a</s>[INST] two [/INST]";
        assert_eq!(last_between(p, "[INST]", "[/INST]"), Some("two"));
        assert_eq!(last_between("plain", "[INST]", "[/INST]"), None);
        assert_eq!(last_between("User: hi", "User:", "\nBot:"), Some("hi"));
    }

    #[test]
    fn a_chat_reply_calls_a_named_tool_or_answers_in_text() {
        let mut chat = Chat {
            turns: vec![Turn::user("What is the weather in Paris?")],
            tools: vec![tool(
                "weather",
                Some("Weather by city"),
                Some(
                    &json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
                ),
            )],
            preface: true,
            tool_id: ("toolu_", 10),
            ..Chat::default()
        };
        let r = chat.reply(Engine::new(1));
        assert_eq!(r.stop_reason, StopReason::ToolUse);
        let calls = r.tool_calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].1, "weather");
        assert_eq!(calls[0].2["city"], "Paris");
        assert!(calls[0].0.starts_with("toolu_"));
        assert_eq!(r.text(), "I'll use the weather tool.");
        chat.tool_choice = ToolChoice::None;
        let r = chat.reply(Engine::new(1));
        assert_eq!(r.stop_reason, StopReason::EndTurn);
        assert!(r.text().starts_with("What is the weather in Paris?"));
        assert!(r.usage.input_tokens > engine::count_tokens("What is the weather in Paris?"));
    }

    #[test]
    fn uuids_are_uuid_shaped_and_deterministic() {
        let u = uuid(Engine::new(1), "a");
        assert_eq!(u.len(), 36);
        assert_eq!(u, uuid(Engine::new(1), "a"));
        assert_ne!(u, uuid(Engine::new(1), "b"));
    }
}
