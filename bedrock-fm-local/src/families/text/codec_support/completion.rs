//! Prompt-completion generation and its streams: chunk pieces, invocation metrics on the last
//! chunk, several generations of one request, and generated identifiers.

use bedrock_fm::catalog::Family;
use serde_json::Value;

use super::body::{check_model_limit, request, str_at, strings_at, u32_at};
use crate::engine::{self, Engine, Generation, TextRequest};
use crate::errors::ServiceError;
use crate::models::{ChunkStream, InvokeCall, Usage, invocation_metrics};

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
    engine::uuid_of(a, engine::mix(a))
}

/// Splits `s` into parts of at most `n` characters (streamed tool input).
pub(crate) fn char_chunks(s: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    chars.chunks(n.max(1)).map(|c| c.iter().collect()).collect()
}
