//! Prompt caching, simulated per server.
//!
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html>.
//! A request marks *cache checkpoints* (Converse `cachePoint` blocks in `system`, `messages`
//! and `toolConfig.tools`; Claude's native `cache_control` on tools, system blocks and content
//! blocks); each checkpoint ends a prompt prefix. The prompt is read in the order `tools`,
//! `system`, `messages` (Anthropic's processing order, quoted in the Bedrock error "Note that
//! blocks are processed in the following order: `tools`, `system`, `messages`", Portkey-AI
//! gateway issue #1762).
//!
//! What the server does with them, per model (the caches of two models never mix):
//!
//! - a checkpoint whose prefix is shorter than the model's minimum is ignored, as the guide
//!   says ("your inference will still succeed, but your prefix will not be cached");
//! - the longest checkpoint prefix already in the cache is *read*: its tokens are reported as
//!   cache-read tokens (and its lifetime is refreshed);
//! - the prefix of the last eligible checkpoint, beyond what was read, is *written*: those tokens
//!   are reported as cache-write tokens, and every eligible checkpoint prefix is stored;
//! - the other input tokens are reported as the plain input tokens, which exclude both cached
//!   figures, as Bedrock reports them: a recorded ConverseStream `metadata` event reads
//!   `"cacheReadInputTokens":1490,"cacheWriteInputTokens":0,"inputTokens":4,"outputTokens":832,
//!   "totalTokens":2326` (cline PR #4683), so `totalTokens` is the sum of all four.
//!
//! Entries live 5 minutes (or 1 hour with `ttl: "1h"`) from their last use. Token counts come
//! from the engine's tokenizer, so the figures are deterministic.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::engine;

/// How long a cache entry lives after its last use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CacheTtl {
    /// 5 minutes, the default (`"5m"` or no `ttl`).
    FiveMinutes,
    /// 1 hour (`"1h"`).
    OneHour,
}

impl CacheTtl {
    /// The TTL named by a `ttl` member (`None`: the default).
    pub fn parse(ttl: Option<&str>) -> Option<CacheTtl> {
        match ttl {
            None | Some("5m") => Some(CacheTtl::FiveMinutes),
            Some("1h") => Some(CacheTtl::OneHour),
            Some(_) => None,
        }
    }

    /// The duration.
    pub fn duration(self) -> Duration {
        match self {
            CacheTtl::FiveMinutes => Duration::from_secs(5 * 60),
            CacheTtl::OneHour => Duration::from_secs(60 * 60),
        }
    }
}

/// What a model accepts for prompt caching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheRules {
    /// Fewest prefix tokens a checkpoint needs to be cached.
    pub min_tokens: u32,
    /// Most checkpoints in one request.
    pub max_checkpoints: usize,
    /// Checkpoints are accepted in the tool definitions.
    pub tools: bool,
    /// The `1h` TTL is accepted.
    pub one_hour_ttl: bool,
    /// An Anthropic Claude model (its errors are Anthropic's).
    pub claude: bool,
}

/// The prompt-caching rules of a model (by model ID), `None` when the model does not
/// support prompt caching or the catalog does not know it.
///
/// The rules are the catalog's (`cache_min_tokens`, `cache_max_checkpoints`, `cache_tools`,
/// `cache_ttl_1h` in `models.toml`, from the supported-models table of prompt-caching.html
/// and Anthropic's per-model minimums); Claude models answer with Anthropic's errors.
pub fn rules_for(model_id: &str) -> Option<CacheRules> {
    let info = bedrock_fm::catalog::Model::resolve(model_id)
        .ok()?
        .model
        .info();
    let cache = info.prompt_cache?;
    Some(CacheRules {
        min_tokens: cache.min_tokens,
        max_checkpoints: cache.max_checkpoints as usize,
        tools: cache.tools,
        one_hour_ttl: cache.one_hour_ttl,
        claude: info.family == bedrock_fm::catalog::Family::ClaudeMessages,
    })
}

/// Where a checkpoint sits, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Section {
    /// The tool definitions.
    Tools,
    /// The system prompt.
    System,
    /// The messages.
    Messages,
}

/// One element of a prompt, in processing order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Content { key: u64, tokens: u32 },
    Checkpoint(Checkpoint),
}

/// A checkpoint as the request wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Its TTL.
    pub ttl: CacheTtl,
    /// Its section.
    pub section: Section,
    /// Its location in the request's own words (`messages.1.content.2`), for error messages.
    pub location: String,
}

/// A prompt as the cache sees it: content (hashed) and checkpoints, in processing order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prompt {
    pieces: Vec<Piece>,
}

/// Why a request's checkpoints are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheProblem {
    /// More checkpoints than the model takes.
    TooMany {
        /// The limit.
        max: usize,
        /// How many the request has.
        found: usize,
    },
    /// A checkpoint in the tool definitions of a model that takes none there.
    InTools(Checkpoint),
    /// A `1h` checkpoint on a model without the extended TTL.
    TtlUnsupported(Checkpoint),
    /// A `1h` checkpoint after a `5m` one.
    TtlOrder(Checkpoint),
}

impl Prompt {
    /// An empty prompt.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds content: `canonical` identifies it (the block's JSON without its cache marker),
    /// `tokens` is what it counts as input.
    pub fn content(&mut self, canonical: &str, tokens: u32) {
        self.pieces.push(Piece::Content {
            key: engine::hash64(&[canonical.as_bytes()]),
            tokens,
        });
    }

    /// Adds a checkpoint ending the prefix so far.
    pub fn checkpoint(&mut self, ttl: CacheTtl, section: Section, location: impl Into<String>) {
        self.pieces.push(Piece::Checkpoint(Checkpoint {
            ttl,
            section,
            location: location.into(),
        }));
    }

    /// The checkpoints, in order.
    pub fn checkpoints(&self) -> Vec<&Checkpoint> {
        self.pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Checkpoint(c) => Some(c),
                Piece::Content { .. } => None,
            })
            .collect()
    }

    /// Whether the prompt marks any checkpoint.
    pub fn has_checkpoints(&self) -> bool {
        self.pieces
            .iter()
            .any(|p| matches!(p, Piece::Checkpoint(_)))
    }

    /// The tokens of all content.
    pub fn tokens(&self) -> u32 {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Content { tokens, .. } => *tokens,
                Piece::Checkpoint(_) => 0,
            })
            .fold(0u32, u32::saturating_add)
    }

    /// Checks the checkpoints against the model's rules.
    pub fn check(&self, rules: &CacheRules) -> Result<(), CacheProblem> {
        let cps = self.checkpoints();
        if cps.len() > rules.max_checkpoints {
            return Err(CacheProblem::TooMany {
                max: rules.max_checkpoints,
                found: cps.len(),
            });
        }
        let mut seen_short = false;
        for c in cps {
            if c.section == Section::Tools && !rules.tools {
                return Err(CacheProblem::InTools(c.clone()));
            }
            match c.ttl {
                CacheTtl::OneHour if !rules.one_hour_ttl => {
                    return Err(CacheProblem::TtlUnsupported(c.clone()));
                }
                CacheTtl::OneHour if seen_short => return Err(CacheProblem::TtlOrder(c.clone())),
                CacheTtl::FiveMinutes => seen_short = true,
                _ => {}
            }
        }
        Ok(())
    }
}

/// The cache figures of one request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheAccount {
    /// Input tokens read from the cache.
    pub read: u32,
    /// Input tokens written to the cache.
    pub write: u32,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    expires: Instant,
    ttl: CacheTtl,
}

/// A server's prompt cache.
#[derive(Debug, Default)]
pub struct PromptCache {
    entries: Mutex<HashMap<u64, Entry>>,
}

impl PromptCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets every entry (the next request with a checkpoint writes again).
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// How many prefixes are cached (expired ones included until the next request).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Entry>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reads and writes the cache for a request to `model_id` (the canonical model ID) with
    /// `prompt`, after [`Prompt::check`].
    pub fn account(&self, model_id: &str, prompt: &Prompt, rules: &CacheRules) -> CacheAccount {
        // (prefix hash, prefix tokens, ttl) of every eligible checkpoint, in order.
        let mut eligible: Vec<(u64, u32, CacheTtl)> = Vec::new();
        let mut h = engine::hash64(&[b"prompt-cache", model_id.as_bytes()]);
        let mut tokens = 0u32;
        for p in &prompt.pieces {
            match p {
                Piece::Content { key, tokens: t } => {
                    h = engine::hash64(&[&h.to_le_bytes(), &key.to_le_bytes()]);
                    tokens = tokens.saturating_add(*t);
                }
                Piece::Checkpoint(c) => {
                    if tokens >= rules.min_tokens.max(1)
                        && eligible.last().is_none_or(|(_, t, _)| *t < tokens)
                    {
                        eligible.push((h, tokens, c.ttl));
                    }
                }
            }
        }
        let now = Instant::now();
        let mut entries = self.lock();
        entries.retain(|_, e| e.expires > now);
        let mut account = CacheAccount::default();
        if let Some((key, t, _)) = eligible
            .iter()
            .rev()
            .find(|(key, _, _)| entries.contains_key(key))
        {
            account.read = *t;
            if let Some(e) = entries.get_mut(key) {
                e.expires = now + e.ttl.duration();
            }
        }
        if let Some((_, last, _)) = eligible.last()
            && *last > account.read
        {
            account.write = last - account.read;
            for (key, t, ttl) in &eligible {
                if *t > account.read {
                    entries.insert(
                        *key,
                        Entry {
                            expires: now + ttl.duration(),
                            ttl: *ttl,
                        },
                    );
                }
            }
        }
        account
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = "anthropic.claude-3-7-sonnet-20250219-v1:0";

    fn rules() -> CacheRules {
        rules_for(MODEL).unwrap()
    }

    fn prompt(parts: &[(&str, u32)], checkpoints_after: &[usize]) -> Prompt {
        let mut p = Prompt::new();
        for (i, (text, tokens)) in parts.iter().enumerate() {
            p.content(text, *tokens);
            if checkpoints_after.contains(&i) {
                p.checkpoint(CacheTtl::FiveMinutes, Section::Messages, format!("m.{i}"));
            }
        }
        p
    }

    #[test]
    fn the_first_request_writes_and_the_next_reads() {
        let cache = PromptCache::new();
        let p = prompt(&[("system", 1_500), ("question one", 10)], &[0]);
        let a = cache.account(MODEL, &p, &rules());
        assert_eq!(
            a,
            CacheAccount {
                read: 0,
                write: 1_500
            }
        );
        let p2 = prompt(&[("system", 1_500), ("another question", 12)], &[0]);
        let b = cache.account(MODEL, &p2, &rules());
        assert_eq!(
            b,
            CacheAccount {
                read: 1_500,
                write: 0
            }
        );
        // Another model has its own cache.
        let c = cache.account("anthropic.claude-sonnet-4-20250514-v1:0", &p2, &rules());
        assert_eq!(c.write, 1_500);
        cache.clear();
        assert!(cache.is_empty());
        assert_eq!(cache.account(MODEL, &p2, &rules()).write, 1_500);
    }

    #[test]
    fn a_longer_prefix_reads_the_cached_part_and_writes_the_rest() {
        let cache = PromptCache::new();
        let first = prompt(&[("doc", 2_000), ("q1", 5)], &[0]);
        cache.account(MODEL, &first, &rules());
        let longer = prompt(
            &[("doc", 2_000), ("q1", 5), ("a1", 300), ("q2", 4)],
            &[0, 2],
        );
        assert_eq!(
            cache.account(MODEL, &longer, &rules()),
            CacheAccount {
                read: 2_000,
                write: 305
            }
        );
        assert_eq!(
            cache.account(MODEL, &longer, &rules()),
            CacheAccount {
                read: 2_305,
                write: 0
            }
        );
    }

    #[test]
    fn short_prefixes_are_not_cached_and_changed_prefixes_miss() {
        let cache = PromptCache::new();
        let short = prompt(&[("tiny", 100)], &[0]);
        assert_eq!(
            cache.account(MODEL, &short, &rules()),
            CacheAccount::default()
        );
        let a = prompt(&[("doc A", 1_100)], &[0]);
        let b = prompt(&[("doc B", 1_100)], &[0]);
        assert_eq!(cache.account(MODEL, &a, &rules()).write, 1_100);
        assert_eq!(cache.account(MODEL, &b, &rules()).write, 1_100);
        assert_eq!(cache.account(MODEL, &a, &rules()).read, 1_100);
    }

    #[test]
    fn checkpoint_rules() {
        let mut p = Prompt::new();
        for i in 0..5 {
            p.content("x", 1);
            p.checkpoint(CacheTtl::FiveMinutes, Section::Messages, format!("m.{i}"));
        }
        assert_eq!(
            p.check(&rules()),
            Err(CacheProblem::TooMany { max: 4, found: 5 })
        );
        let nova = rules_for("amazon.nova-pro-v1:0").unwrap();
        let mut p = Prompt::new();
        p.checkpoint(CacheTtl::FiveMinutes, Section::Tools, "toolConfig.tools.1");
        assert!(matches!(p.check(&nova), Err(CacheProblem::InTools(_))));
        let mut p = Prompt::new();
        p.checkpoint(CacheTtl::OneHour, Section::System, "system.1");
        assert!(matches!(
            p.check(&rules()),
            Err(CacheProblem::TtlUnsupported(_))
        ));
        let sonnet45 = rules_for("anthropic.claude-sonnet-4-5-20250929-v1:0").unwrap();
        assert!(p.check(&sonnet45).is_ok());
        p.checkpoint(CacheTtl::FiveMinutes, Section::System, "system.2");
        p.checkpoint(CacheTtl::OneHour, Section::Messages, "messages.0.content.1");
        assert!(matches!(p.check(&sonnet45), Err(CacheProblem::TtlOrder(_))));
    }

    #[test]
    fn supported_models() {
        assert!(rules_for("anthropic.claude-3-haiku-20240307-v1:0").is_none());
        assert!(rules_for("meta.llama3-1-70b-instruct-v1:0").is_none());
        assert_eq!(
            rules_for("anthropic.claude-3-5-haiku-20241022-v1:0")
                .unwrap()
                .min_tokens,
            2_048
        );
        assert_eq!(
            rules_for("anthropic.claude-opus-4-6-v1")
                .unwrap()
                .min_tokens,
            4_096
        );
        assert_eq!(
            rules_for("anthropic.claude-opus-4-1-20250805-v1:0")
                .unwrap()
                .min_tokens,
            1_024
        );
        assert!(!rules_for("amazon.nova-lite-v1:0:300k").unwrap().tools);
        assert_eq!(CacheTtl::parse(Some("1h")), Some(CacheTtl::OneHour));
        assert_eq!(CacheTtl::parse(Some("2h")), None);
    }
}
