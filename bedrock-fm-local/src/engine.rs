//! The deterministic "model": text, token counts, tool calls, embeddings and images that depend
//! only on the request and a seed, so tests can assert on them.
//!
//! # Tokenizer
//!
//! A token is a maximal run of alphanumeric characters, or any single other non-whitespace
//! character; whitespace is not a token. `"Hello, world!"` is 4 tokens (`Hello` `,` `world`
//! `!`). Input and output token counts in usage use this tokenizer.
//!
//! # Text
//!
//! A reply echoes the start of the *focus* text (the last user turn; at most 12 tokens), then
//! continues with sentences of words picked from a fixed vocabulary by hashing the seed, the
//! whole prompt and the position. Its natural length is 24 to 63 tokens, ending with `.`; the
//! stop reason is then `end_turn`. A reply is cut at `max_tokens` tokens (`max_tokens`), or just
//! before the first occurrence of a stop sequence (`stop_sequence`; the sequence itself is not
//! included). Because the reply echoes the focus text, a stop sequence that appears in the
//! user's message reliably stops the reply.
//!
//! # Tools
//!
//! See [`choose_tool`]: a tool is called when the tool choice forces it, or when the last user
//! message names it. Its input is generated from the tool's JSON schema by
//! [`value_for_schema`]: every required property, some optional ones, enum and const values,
//! numeric bounds, string lengths and formats, array item counts, `$ref`, `anyOf`/`oneOf`/
//! `allOf`.
//!
//! # Embeddings
//!
//! [`embed`] hashes the character trigrams of each lower-cased word of the text (the word
//! padded with `<` and `>`, so `river` is `<ri riv ive ver er>`) into one of `dimensions`
//! buckets with a hashed sign, each word weighing the same, then L2-normalizes: texts sharing
//! words or word stems (`river`, `rivers`) have a high cosine similarity, texts without common
//! character trigrams a similarity near 0. Embeddings do not depend on the seed.
//!
//! # Images
//!
//! [`render_image`] paints a gradient with stripes whose colours come from hashing the prompt,
//! the seed and the image index: same inputs, same pixels.

use std::io::Cursor;

use serde_json::{Map, Value, json};

/// FNV-1a over the parts (with a separator), then a splitmix64 finish.
pub fn hash64(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

/// The splitmix64 finalizer.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The tokens of `text` (see the module docs).
pub fn tokenize(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if let Some(s) = start.take() {
            out.push(&text[s..i]);
        }
        if !c.is_whitespace() {
            out.push(&text[i..i + c.len_utf8()]);
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// The number of tokens of `text`.
pub fn count_tokens(text: &str) -> u32 {
    u32::try_from(tokenize(text).len()).unwrap_or(u32::MAX)
}

/// Splits `text` into pieces that concatenate back to `text`, one token each with the
/// whitespace before it.
pub fn token_pieces(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut pending_ws = String::new();
    let mut word = String::new();
    let flush_word = |pieces: &mut Vec<String>, pending_ws: &mut String, word: &mut String| {
        if !word.is_empty() {
            pieces.push(format!("{pending_ws}{word}"));
            pending_ws.clear();
            word.clear();
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush_word(&mut pieces, &mut pending_ws, &mut word);
            if c.is_whitespace() {
                pending_ws.push(c);
            } else {
                pieces.push(format!("{pending_ws}{c}"));
                pending_ws.clear();
            }
        }
    }
    flush_word(&mut pieces, &mut pending_ws, &mut word);
    if !pending_ws.is_empty() {
        match pieces.last_mut() {
            Some(last) => last.push_str(&pending_ws),
            None => pieces.push(pending_ws),
        }
    }
    pieces
}

/// Why generation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopReason {
    /// The reply reached its natural end.
    EndTurn,
    /// `max_tokens` was reached.
    MaxTokens,
    /// A stop sequence was produced.
    StopSequence,
    /// The model asked for a tool.
    ToolUse,
    /// A guardrail blocked the input or the output (Converse `guardrail_intervened`).
    GuardrailIntervened,
}

impl StopReason {
    /// The Converse `stopReason` value.
    pub fn as_converse(self) -> &'static str {
        match self {
            StopReason::EndTurn => "end_turn",
            StopReason::MaxTokens => "max_tokens",
            StopReason::StopSequence => "stop_sequence",
            StopReason::ToolUse => "tool_use",
            StopReason::GuardrailIntervened => "guardrail_intervened",
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct TextRequest<'a> {
    /// Everything the model reads; it seeds the words and gives the input token count.
    pub prompt: &'a str,
    /// The text whose start the reply echoes (the last user turn); the prompt if `None`.
    pub focus: Option<&'a str>,
    /// Largest number of output tokens.
    pub max_tokens: Option<u32>,
    /// Stop sequences (empty strings are ignored).
    pub stop_sequences: &'a [String],
    /// A per-request seed, overriding the engine's.
    pub seed: Option<u64>,
}

impl<'a> TextRequest<'a> {
    /// A request for `prompt` with no limits.
    pub fn new(prompt: &'a str) -> Self {
        Self {
            prompt,
            ..Self::default()
        }
    }

    /// Sets the focus text.
    pub fn focus(mut self, focus: &'a str) -> Self {
        self.focus = Some(focus);
        self
    }

    /// Sets the token limit.
    pub fn max_tokens(mut self, max_tokens: Option<u32>) -> Self {
        self.max_tokens = max_tokens;
        self
    }

    /// Sets the stop sequences.
    pub fn stop_sequences(mut self, stop: &'a [String]) -> Self {
        self.stop_sequences = stop;
        self
    }

    /// Sets a per-request seed.
    pub fn seed(mut self, seed: Option<u64>) -> Self {
        self.seed = seed;
        self
    }
}

/// Generated text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Generation {
    /// The text.
    pub text: String,
    /// The text in stream order: one output token per piece (the last piece may be a partial
    /// token when a stop sequence cut it). Concatenated, they are `text`.
    pub pieces: Vec<String>,
    /// Why generation stopped.
    pub stop_reason: StopReason,
    /// The stop sequence that stopped it.
    pub stop_sequence: Option<String>,
    /// Tokens of the prompt.
    pub input_tokens: u32,
    /// Tokens generated (the number of pieces).
    pub output_tokens: u32,
}

const VOCABULARY: [&str; 64] = [
    "the", "model", "answer", "local", "signal", "river", "quiet", "bright", "system", "stone",
    "careful", "light", "gives", "makes", "finds", "holds", "a", "clear", "simple", "response",
    "about", "every", "request", "returns", "stable", "words", "north", "amber", "garden",
    "measure", "value", "orbit", "silver", "pattern", "moves", "through", "small", "window",
    "across", "deep", "field", "paper", "early", "green", "falls", "under", "careful", "record",
    "shows", "many", "tokens", "and", "then", "more", "seed", "over", "still", "open", "line",
    "wide", "blue", "echo", "point", "test",
];

/// The deterministic engine. Cheap to copy; holds the server's seed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Engine {
    /// The seed all outputs depend on (0 unless configured).
    pub seed: u64,
}

impl Engine {
    /// An engine with `seed`.
    pub fn new(seed: u64) -> Self {
        Self { seed }
    }

    /// The natural (unlimited) reply to a request, as pieces.
    fn natural_pieces(&self, req: &TextRequest<'_>) -> Vec<String> {
        let seed = req.seed.unwrap_or(self.seed);
        let h = hash64(&[&seed.to_le_bytes(), req.prompt.as_bytes()]);
        let focus = req.focus.unwrap_or(req.prompt);
        let mut pieces: Vec<String> = token_pieces(focus.trim())
            .into_iter()
            .take(12)
            .map(|p| {
                // Normalize the echoed whitespace to single spaces.
                let trimmed = p.trim_start();
                if p.len() != trimmed.len() {
                    format!(" {trimmed}")
                } else {
                    p
                }
            })
            .collect();
        let natural = 24 + (h % 40) as usize;
        if !pieces.is_empty() && pieces.len() < natural {
            pieces.push(".".into());
        }
        let mut i: u64 = 0;
        let mut sentence_len = 0usize;
        let mut sentence_target = 6 + (mix(h ^ 0x51) % 7) as usize;
        while pieces.len() < natural.saturating_sub(1) {
            let w = VOCABULARY[(mix(h.wrapping_add(i)) % VOCABULARY.len() as u64) as usize];
            let word = if sentence_len == 0 {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().chain(c).collect(),
                    None => String::new(),
                }
            } else {
                w.to_owned()
            };
            let lead = if pieces.is_empty() { "" } else { " " };
            pieces.push(format!("{lead}{word}"));
            sentence_len += 1;
            i += 1;
            if sentence_len >= sentence_target && pieces.len() < natural.saturating_sub(2) {
                pieces.push(".".into());
                sentence_len = 0;
                sentence_target = 6 + (mix(h ^ i) % 7) as usize;
            }
        }
        if pieces.last().map(String::as_str) != Some(".") {
            pieces.push(".".into());
        }
        pieces
    }

    /// Generates a reply (see the module docs for the rules).
    pub fn generate(&self, req: &TextRequest<'_>) -> Generation {
        let natural = self.natural_pieces(req);
        let limit = req.max_tokens.map(|m| m as usize).unwrap_or(usize::MAX);
        let stops: Vec<&String> = req
            .stop_sequences
            .iter()
            .filter(|s| !s.is_empty())
            .collect();
        let mut text = String::new();
        let mut pieces: Vec<String> = Vec::new();
        let mut stop_reason = StopReason::EndTurn;
        let mut stop_sequence = None;
        for (n, piece) in natural.iter().enumerate() {
            if n >= limit {
                stop_reason = StopReason::MaxTokens;
                break;
            }
            let before = text.len();
            text.push_str(piece);
            // The earliest stop sequence in the text so far.
            let found = stops
                .iter()
                .filter_map(|s| text.find(s.as_str()).map(|at| (at, *s)))
                .min_by_key(|(at, _)| *at);
            if let Some((at, s)) = found {
                text.truncate(at);
                if at > before {
                    pieces.push(text[before..].to_owned());
                } else {
                    // The stop sequence began in an earlier piece: rebuild the pieces.
                    pieces = rebuild_pieces(&pieces, at);
                }
                stop_reason = StopReason::StopSequence;
                stop_sequence = Some(s.clone());
                break;
            }
            pieces.push(piece.clone());
        }
        Generation {
            output_tokens: u32::try_from(pieces.len()).unwrap_or(u32::MAX),
            text,
            pieces,
            stop_reason,
            stop_sequence,
            input_tokens: count_tokens(req.prompt),
        }
    }

    /// A reasoning text for `prompt` ("chain of thought"), at most `budget` tokens.
    pub fn reasoning(&self, prompt: &str, budget: Option<u32>) -> Generation {
        let focus = format!("Let me think about {}", prompt.trim());
        let req = TextRequest {
            prompt,
            focus: Some(&focus),
            max_tokens: Some(budget.unwrap_or(64).clamp(1, 64)),
            stop_sequences: &[],
            seed: Some(self.seed ^ 0x7265_6173_6f6e),
        };
        self.generate(&req)
    }

    /// A deterministic identifier: `prefix` followed by `len` base62 characters.
    pub fn id(&self, prefix: &str, salt: &str, len: usize) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut h = hash64(&[&self.seed.to_le_bytes(), salt.as_bytes()]);
        let mut out = String::from(prefix);
        for i in 0..len {
            if i % 8 == 0 {
                h = mix(h.wrapping_add(i as u64));
            }
            out.push(ALPHABET[(h % 62) as usize] as char);
            h /= 62;
        }
        out
    }
}

fn rebuild_pieces(pieces: &[String], cut: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut pos = 0;
    for p in pieces {
        if pos >= cut {
            break;
        }
        if pos + p.len() <= cut {
            out.push(p.clone());
        } else {
            out.push(p[..cut - pos].to_owned());
        }
        pos += p.len();
    }
    out.retain(|p| !p.is_empty());
    out
}

/// A tool the request offers.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ToolSpec {
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// Its input JSON schema.
    pub input_schema: Value,
}

impl ToolSpec {
    /// A tool named `name` with `input_schema`.
    pub fn new(name: impl Into<String>, input_schema: Value) -> Self {
        Self {
            name: name.into(),
            description: None,
            input_schema,
        }
    }
}

/// How the request lets the model pick tools.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ToolChoice {
    /// The model decides (the default).
    #[default]
    Auto,
    /// The model must call some tool.
    Any,
    /// The model must call this tool.
    Tool(String),
    /// The model must not call tools.
    None,
}

fn mentions(text: &str, name: &str) -> bool {
    let text = text.to_lowercase();
    let name = name.to_lowercase();
    text.contains(&name) || text.contains(&name.replace(['_', '-'], " "))
}

/// Which tool to call, if any:
///
/// - with [`ToolChoice::Tool`], that tool (if offered);
/// - with [`ToolChoice::Any`], the first tool the last user message names, else the first tool;
/// - with [`ToolChoice::Auto`], none when the last user turn returns tool results (the model
///   answers them in text), else the first tool the last user message names (its name,
///   case-insensitive, also with `_` and `-` read as spaces), else none;
/// - with [`ToolChoice::None`], none.
pub fn choose_tool(
    tools: &[ToolSpec],
    choice: &ToolChoice,
    last_user_text: &str,
    last_turn_has_tool_results: bool,
) -> Option<usize> {
    let named = || tools.iter().position(|t| mentions(last_user_text, &t.name));
    match choice {
        ToolChoice::None => None,
        ToolChoice::Tool(name) => tools.iter().position(|t| &t.name == name),
        ToolChoice::Any => named().or(if tools.is_empty() { None } else { Some(0) }),
        ToolChoice::Auto => {
            if last_turn_has_tool_results {
                None
            } else {
                named()
            }
        }
    }
}

struct SchemaGen<'a> {
    root: &'a Value,
    /// Capitalized words that do not start a sentence (names, places).
    proper: Vec<String>,
    /// Every word of the prompt.
    words: Vec<String>,
    h: u64,
}

impl SchemaGen<'_> {
    fn next(&mut self) -> u64 {
        self.h = mix(self.h.wrapping_add(0x9e37));
        self.h
    }

    fn resolve<'v>(&'v self, schema: &'v Value) -> &'v Value {
        let mut s = schema;
        for _ in 0..16 {
            match s.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    let target = r.strip_prefix('#').and_then(|ptr| self.root.pointer(ptr));
                    match target {
                        Some(t) => s = t,
                        None => return s,
                    }
                }
                None => return s,
            }
        }
        s
    }

    fn word(&mut self) -> String {
        let h = self.next();
        // Prefer a capitalized prompt word (a place, a name), else any prompt word, else the
        // vocabulary.
        if !self.proper.is_empty() {
            return self.proper[(h % self.proper.len() as u64) as usize].clone();
        }
        let long: Vec<&String> = self.words.iter().filter(|w| w.len() > 3).collect();
        if !long.is_empty() {
            return long[(h % long.len() as u64) as usize].clone();
        }
        VOCABULARY[(h % VOCABULARY.len() as u64) as usize].to_owned()
    }

    fn string(&mut self, s: &Value) -> Value {
        let format = s.get("format").and_then(Value::as_str).unwrap_or("");
        let mut out = match format {
            "date" => "2024-01-15".to_owned(),
            "date-time" => "2024-01-15T10:30:00Z".to_owned(),
            "time" => "10:30:00".to_owned(),
            "email" => format!("{}@example.com", self.word().to_lowercase()),
            "uri" | "url" => format!("https://example.com/{}", self.word().to_lowercase()),
            "uuid" => {
                let a = self.next();
                let b = self.next();
                format!(
                    "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                    a >> 32,
                    (a >> 16) & 0xffff,
                    a & 0xfff,
                    b >> 52,
                    b & 0xffff_ffff_ffff
                )
            }
            _ => self.word(),
        };
        let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = s
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        while out.chars().count() < min {
            out.push('x');
        }
        if let Some(max) = max
            && out.chars().count() > max
        {
            out = out.chars().take(max).collect();
        }
        Value::String(out)
    }

    fn number(&mut self, s: &Value, integer: bool) -> Value {
        let get = |k: &str| s.get(k).and_then(Value::as_f64);
        let mut lo = get("minimum");
        let mut hi = get("maximum");
        if let Some(x) = get("exclusiveMinimum") {
            lo = Some(if integer { x.floor() + 1.0 } else { x + 0.5 });
        }
        if let Some(x) = get("exclusiveMaximum") {
            hi = Some(if integer { x.ceil() - 1.0 } else { x - 0.5 });
        }
        let h = self.next();
        let v = match (lo, hi) {
            (Some(a), Some(b)) if b >= a => {
                if integer {
                    let (a, b) = (a.ceil() as i64, b.floor() as i64);
                    if b >= a {
                        (a + (h % ((b - a) as u64 + 1)) as i64) as f64
                    } else {
                        a as f64
                    }
                } else {
                    a + (b - a) * ((h % 1000) as f64 / 1000.0)
                }
            }
            (Some(a), _) => a.ceil() + (h % 10) as f64,
            (_, Some(b)) => b.floor() - (h % 10) as f64,
            _ => (h % 100) as f64,
        };
        if integer { json!(v as i64) } else { json!(v) }
    }

    fn value(&mut self, schema: &Value, depth: usize) -> Value {
        if depth > 8 {
            return Value::Null;
        }
        let s = self.resolve(schema).clone();
        if let Some(c) = s.get("const") {
            return c.clone();
        }
        if let Some(values) = s.get("enum").and_then(Value::as_array)
            && !values.is_empty()
        {
            let h = self.next();
            return values[(h % values.len() as u64) as usize].clone();
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(options) = s.get(key).and_then(Value::as_array) {
                let pick = options
                    .iter()
                    .find(|o| self.resolve(o).get("type").and_then(Value::as_str) != Some("null"))
                    .or(options.first());
                if let Some(o) = pick {
                    return self.value(o, depth + 1);
                }
            }
        }
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            let mut last = Value::Null;
            for part in all {
                match self.value(part, depth + 1) {
                    Value::Object(o) => merged.extend(o),
                    other => last = other,
                }
            }
            return if merged.is_empty() {
                last
            } else {
                Value::Object(merged)
            };
        }
        let ty = match s.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or("null")
                .to_owned(),
            _ if s.get("properties").is_some() => "object".into(),
            _ if s.get("items").is_some() => "array".into(),
            _ => "string".into(),
        };
        match ty.as_str() {
            "object" => {
                let mut out = Map::new();
                let required: Vec<&str> = s
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if let Some(props) = s.get("properties").and_then(Value::as_object) {
                    for (name, prop) in props {
                        let include =
                            required.contains(&name.as_str()) || self.next().is_multiple_of(2);
                        if include {
                            let v = self.value(prop, depth + 1);
                            out.insert(name.clone(), v);
                        }
                    }
                }
                for name in required {
                    if !out.contains_key(name) {
                        let v = self.string(&Value::Null);
                        out.insert(name.to_owned(), v);
                    }
                }
                Value::Object(out)
            }
            "array" => {
                let min = s.get("minItems").and_then(Value::as_u64).unwrap_or(1);
                let max = s
                    .get("maxItems")
                    .and_then(Value::as_u64)
                    .unwrap_or(min.max(2));
                let n = if max > min {
                    min + self.next() % (max - min + 1).min(3)
                } else {
                    min.min(max)
                };
                let items = s.get("items").cloned().unwrap_or(json!({"type": "string"}));
                Value::Array((0..n).map(|_| self.value(&items, depth + 1)).collect())
            }
            "integer" => self.number(&s, true),
            "number" => self.number(&s, false),
            "boolean" => Value::Bool(self.next().is_multiple_of(2)),
            "null" => Value::Null,
            _ => self.string(&s),
        }
    }
}

/// A value valid against the JSON `schema`, chosen deterministically from the seed and the
/// prompt (string values prefer words of the prompt, capitalized ones first).
pub fn value_for_schema(schema: &Value, prompt: &str, seed: u64) -> Value {
    let tokens = tokenize(prompt);
    let is_word = |t: &str| t.chars().all(char::is_alphanumeric);
    let words = tokens
        .iter()
        .filter(|t| is_word(t))
        .map(|t| (*t).to_owned())
        .collect();
    let proper = tokens
        .iter()
        .enumerate()
        .filter(|(i, t)| {
            let sentence_start = *i == 0 || matches!(tokens[i - 1], "." | "?" | "!" | ":");
            !sentence_start
                && is_word(t)
                && t.chars().count() > 1
                && t.chars().next().is_some_and(char::is_uppercase)
        })
        .map(|(_, t)| (*t).to_owned())
        .collect();
    let mut g = SchemaGen {
        root: schema,
        proper,
        words,
        h: hash64(&[
            &seed.to_le_bytes(),
            prompt.as_bytes(),
            schema.to_string().as_bytes(),
        ]),
    };
    g.value(schema, 0)
}

/// An embedding of `text` with `dimensions` components (feature hashing of the character
/// trigrams of lower-cased words, L2-normalized). When `normalize` is false the raw sums are
/// returned: each word adds a vector of norm 1 (up to hash collisions).
pub fn embed(text: &str, dimensions: usize, normalize: bool) -> Vec<f32> {
    let dims = dimensions.max(1);
    let mut v = vec![0f32; dims];
    let lower = text.to_lowercase();
    let words: Vec<&str> = tokenize(&lower)
        .into_iter()
        .filter(|t| t.chars().all(char::is_alphanumeric))
        .collect();
    if words.is_empty() {
        v[(hash64(&[b"<empty>"]) % dims as u64) as usize] = 1.0;
    }
    for w in words {
        let padded: Vec<char> = std::iter::once('<')
            .chain(w.chars())
            .chain(std::iter::once('>'))
            .collect();
        let grams: Vec<String> = padded.windows(3).map(|g| g.iter().collect()).collect();
        let weight = 1.0 / (grams.len().max(1) as f32).sqrt();
        for g in grams {
            let h = hash64(&[b"trigram:", g.as_bytes()]);
            let sign = if h >> 63 == 0 { 1.0 } else { -1.0 };
            v[(h % dims as u64) as usize] += sign * weight;
        }
    }
    if normalize {
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            for x in &mut v {
                *x /= norm;
            }
        }
    }
    v
}

/// The cosine similarity of two vectors (0 when either is zero).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}

/// A `width` x `height` image for `prompt`, `seed` and `index` (the n-th image of a request).
pub fn render_image(
    prompt: &str,
    width: u32,
    height: u32,
    seed: u64,
    index: u32,
) -> image::RgbImage {
    let h = hash64(&[prompt.as_bytes(), &seed.to_le_bytes(), &index.to_le_bytes()]);
    let c1 = [
        (h & 0xff) as f32,
        ((h >> 8) & 0xff) as f32,
        ((h >> 16) & 0xff) as f32,
    ];
    let c2 = [
        ((h >> 24) & 0xff) as f32,
        ((h >> 32) & 0xff) as f32,
        ((h >> 40) & 0xff) as f32,
    ];
    let stripe = 4 + ((h >> 48) % 28) as u32;
    let (w, hgt) = (width.max(1), height.max(1));
    image::RgbImage::from_fn(w, hgt, |x, y| {
        let t = (x + y) as f32 / (w + hgt) as f32;
        let band = ((x / stripe) + (y / stripe)).is_multiple_of(2);
        let px = |i: usize| {
            let v = c1[i] * (1.0 - t) + c2[i] * t;
            let v = if band { v } else { 255.0 - v };
            v.clamp(0.0, 255.0) as u8
        };
        image::Rgb([px(0), px(1), px(2)])
    })
}

/// The PNG encoding of [`render_image`].
pub fn render_png(prompt: &str, width: u32, height: u32, seed: u64, index: u32) -> Vec<u8> {
    let img = render_image(prompt, width, height, seed, index);
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encoding a PNG in memory does not fail");
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_splits_words_and_punctuation() {
        assert_eq!(tokenize("Hello, world!"), vec!["Hello", ",", "world", "!"]);
        assert_eq!(count_tokens("  don't  stop "), 4);
        assert_eq!(count_tokens(""), 0);
        assert_eq!(tokenize("naïve café 42"), vec!["naïve", "café", "42"]);
        let text = " Hello,  world!\n";
        assert_eq!(token_pieces(text).concat(), text);
        assert_eq!(token_pieces("a b").len(), 2);
    }

    #[test]
    fn generation_is_deterministic_and_depends_on_prompt_and_seed() {
        let e = Engine::new(1);
        let a = e.generate(&TextRequest::new("Tell me about rivers"));
        let b = e.generate(&TextRequest::new("Tell me about rivers"));
        assert_eq!(a, b);
        let c = e.generate(&TextRequest::new("Tell me about mountains"));
        assert_ne!(a.text, c.text);
        let d = Engine::new(2).generate(&TextRequest::new("Tell me about rivers"));
        assert_ne!(a.text, d.text);
        assert_eq!(a.stop_reason, StopReason::EndTurn);
        assert!(a.text.starts_with("Tell me about rivers."), "{}", a.text);
        assert!(a.text.ends_with('.'));
        assert!((24..64).contains(&a.output_tokens), "{}", a.output_tokens);
        assert_eq!(a.output_tokens as usize, a.pieces.len());
        assert_eq!(a.pieces.concat(), a.text);
        assert_eq!(count_tokens(&a.text), a.output_tokens);
        assert_eq!(a.input_tokens, 4);
    }

    #[test]
    fn max_tokens_cuts_the_reply() {
        let e = Engine::default();
        let g = e.generate(&TextRequest::new("one two three four five").max_tokens(Some(3)));
        assert_eq!(g.text, "one two three");
        assert_eq!(g.output_tokens, 3);
        assert_eq!(g.stop_reason, StopReason::MaxTokens);
        let full = e.generate(&TextRequest::new("one two three four five"));
        let exact = e.generate(
            &TextRequest::new("one two three four five").max_tokens(Some(full.output_tokens)),
        );
        assert_eq!(exact.stop_reason, StopReason::EndTurn);
    }

    #[test]
    fn stop_sequences_cut_before_the_sequence() {
        let e = Engine::default();
        let stops = vec!["four".to_owned(), "zzz".to_owned()];
        let g = e.generate(&TextRequest::new("one two three four five").stop_sequences(&stops));
        assert_eq!(g.text, "one two three ");
        assert_eq!(g.stop_reason, StopReason::StopSequence);
        assert_eq!(g.stop_sequence.as_deref(), Some("four"));
        assert_eq!(g.pieces.concat(), g.text);
        // A stop sequence spanning pieces.
        let stops = vec!["two thr".to_owned()];
        let g = e.generate(&TextRequest::new("one two three").stop_sequences(&stops));
        assert_eq!(g.text, "one ");
        assert_eq!(g.pieces.concat(), "one ");
        // The earliest of several.
        let stops = vec!["three".to_owned(), "two".to_owned()];
        let g = e.generate(&TextRequest::new("one two three").stop_sequences(&stops));
        assert_eq!(g.stop_sequence.as_deref(), Some("two"));
    }

    #[test]
    fn focus_is_echoed_not_the_whole_prompt() {
        let e = Engine::default();
        let g = e
            .generate(&TextRequest::new("System: be kind\nUser: hello there").focus("hello there"));
        assert!(g.text.starts_with("hello there."), "{}", g.text);
    }

    #[test]
    fn ids_are_deterministic() {
        let e = Engine::new(3);
        assert_eq!(e.id("tooluse_", "x", 22), e.id("tooluse_", "x", 22));
        assert_ne!(e.id("tooluse_", "x", 22), e.id("tooluse_", "y", 22));
        assert_eq!(e.id("tooluse_", "x", 22).len(), 30);
    }

    #[test]
    fn tool_choice_rules() {
        let tools = vec![
            ToolSpec::new("get_weather", json!({})),
            ToolSpec::new("top_song", json!({})),
        ];
        assert_eq!(
            choose_tool(&tools, &ToolChoice::Auto, "What is the top song?", false),
            Some(1)
        );
        assert_eq!(
            choose_tool(&tools, &ToolChoice::Auto, "use get_weather please", false),
            Some(0)
        );
        assert_eq!(choose_tool(&tools, &ToolChoice::Auto, "hello", false), None);
        assert_eq!(
            choose_tool(&tools, &ToolChoice::Auto, "top song", true),
            None
        );
        assert_eq!(
            choose_tool(&tools, &ToolChoice::Any, "hello", false),
            Some(0)
        );
        assert_eq!(
            choose_tool(&tools, &ToolChoice::Tool("top_song".into()), "x", false),
            Some(1)
        );
        assert_eq!(
            choose_tool(&tools, &ToolChoice::None, "top song", false),
            None
        );
    }

    #[test]
    fn schema_values_are_valid() {
        let schema = json!({
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "City"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7},
                "ratio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 4},
                "when": {"type": "string", "format": "date"},
                "code": {"type": "string", "minLength": 5, "maxLength": 5},
                "flag": {"type": "boolean"},
                "kind": {"const": "fixed"},
                "maybe": {"type": ["null", "integer"]},
                "nested": {"$ref": "#/$defs/Inner"}
            },
            "required": ["location", "unit", "days", "ratio", "tags", "when", "code", "flag", "kind", "maybe", "nested"],
            "$defs": {"Inner": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}}
        });
        for seed in 0..20 {
            let v = value_for_schema(&schema, "What's the weather in Paris this week?", seed);
            assert_eq!(v["location"], "Paris");
            assert!(["celsius", "fahrenheit"].contains(&v["unit"].as_str().unwrap()));
            let days = v["days"].as_i64().unwrap();
            assert!((1..=7).contains(&days));
            let ratio = v["ratio"].as_f64().unwrap();
            assert!(ratio > 0.0 && ratio <= 1.0, "{ratio}");
            let tags = v["tags"].as_array().unwrap();
            assert!((2..=4).contains(&tags.len()));
            assert_eq!(v["when"], "2024-01-15");
            assert_eq!(v["code"].as_str().unwrap().chars().count(), 5);
            assert!(v["flag"].is_boolean());
            assert_eq!(v["kind"], "fixed");
            assert!(v["maybe"].is_i64());
            assert!(v["nested"]["x"].is_i64());
        }
        assert_eq!(
            value_for_schema(&schema, "Paris", 1),
            value_for_schema(&schema, "Paris", 1)
        );
    }

    #[test]
    fn embeddings_follow_word_overlap() {
        let a = embed("The cat sat on the mat", 256, true);
        let b = embed("the cat sat on a mat", 256, true);
        let c = embed("Quantum chromodynamics lecture notes", 256, true);
        assert_eq!(a.len(), 256);
        let norm: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!(cosine(&a, &b) > 0.7, "{}", cosine(&a, &b));
        assert!(cosine(&a, &c).abs() < 0.3, "{}", cosine(&a, &c));
        assert_eq!(embed("same text", 8, true), embed("same text", 8, true));
        assert_eq!(embed("", 4, true).iter().filter(|x| **x != 0.0).count(), 1);
        assert_eq!(
            embed("x", 1024, false).iter().map(|x| x.abs()).sum::<f32>(),
            1.0
        );
    }

    #[test]
    fn embeddings_follow_character_trigram_overlap() {
        let e = |t: &str| embed(t, 1024, true);
        let close = cosine(&e("river"), &e("rivers"));
        let far = cosine(&e("river"), &e("lyon"));
        assert!(close > 0.6, "{close}");
        assert!(far.abs() < 0.2, "{far}");
        assert!(close - far > 0.5, "{close} vs {far}");
        // Case does not matter; word order does not either.
        assert_eq!(e("River Douro"), e("douro river"));
        let raw = embed("river", 1024, false);
        let norm: f32 = raw.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "{norm}");
    }

    #[test]
    fn images_have_the_requested_size_and_are_deterministic() {
        let png = render_png("a red fox", 64, 32, 7, 0);
        let img = image::load_from_memory(&png).unwrap();
        assert_eq!((img.width(), img.height()), (64, 32));
        assert_eq!(png, render_png("a red fox", 64, 32, 7, 0));
        assert_ne!(png, render_png("a red fox", 64, 32, 8, 0));
        assert_ne!(png, render_png("a red fox", 64, 32, 7, 1));
        assert_ne!(png, render_png("a blue fox", 64, 32, 7, 0));
    }

    #[test]
    fn reasoning_is_bounded() {
        let r = Engine::new(1).reasoning("why is the sky blue", Some(10));
        assert!(r.output_tokens <= 10);
        assert!(r.text.starts_with("Let me think"));
    }
}
