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

mod media;
#[cfg(test)]
mod tests;
mod tools;

pub use media::{cosine, embed, render_image, render_png};
pub use tools::{ToolChoice, ToolSpec, choose_tool, value_for_schema};

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

/// A version-4 UUID string from two 64-bit values.
pub(crate) fn uuid_of(a: u64, b: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
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
