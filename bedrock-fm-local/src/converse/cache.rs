//! Prompt caching in Converse: the prompt the cache sees, the model's rules on checkpoints,
//! and the cache account of a request.

use serde_json::Value;

use super::check::model_error;
use super::{MEDIA_BLOCK_TOKENS, block_text, blocks, is_media, messages, role};
use crate::engine;
use crate::errors::ServiceError;
use crate::models::ModelCaps;
use crate::prompt_cache::{
    self, CacheAccount, CacheProblem, CacheRules, CacheTtl, Prompt, Section,
};

/// The message of a request with cache checkpoints to a model without prompt caching
/// (`AccessDeniedException`).
pub(crate) const CACHING_UNSUPPORTED: &str =
    "You invoked an unsupported model or your request did not allow prompt caching.";

/// The prompt of a Converse-shaped input as the prompt cache sees it: tools, system, messages,
/// with their `cachePoint` blocks. A checkpoint is located at the block before it, where the
/// model's own format puts its cache marker (`messages.1.content.0`).
pub(crate) fn cache_prompt(input: &Value) -> Prompt {
    let mut p = Prompt::new();
    let ttl = |cp: &Value| CacheTtl::parse(cp["ttl"].as_str()).unwrap_or(CacheTtl::FiveMinutes);
    let mut last = 0usize;
    for (i, t) in input["toolConfig"]["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        if let Some(cp) = t.get("cachePoint") {
            p.checkpoint(ttl(cp), Section::Tools, format!("tools.{last}"));
        } else if let Some(spec) = t.get("toolSpec") {
            let tokens = [
                spec["name"].as_str().unwrap_or_default().to_owned(),
                spec["description"].as_str().unwrap_or_default().to_owned(),
                spec["inputSchema"]["json"].to_string(),
            ]
            .iter()
            .map(|s| engine::count_tokens(s))
            .sum();
            p.content(&spec.to_string(), tokens);
            last = i;
        }
    }
    last = 0;
    for (i, b) in input["system"].as_array().into_iter().flatten().enumerate() {
        if let Some(cp) = b.get("cachePoint") {
            p.checkpoint(ttl(cp), Section::System, format!("system.{last}"));
        } else {
            p.content(
                &format!("system\u{0}{b}"),
                engine::count_tokens(&block_text(b)),
            );
            last = i;
        }
    }
    for (i, m) in messages(input).iter().enumerate() {
        last = 0;
        for (j, b) in blocks(m).iter().enumerate() {
            if let Some(cp) = b.get("cachePoint") {
                p.checkpoint(
                    ttl(cp),
                    Section::Messages,
                    format!("messages.{i}.content.{last}"),
                );
            } else {
                let media = if is_media(b) { MEDIA_BLOCK_TOKENS } else { 0 };
                p.content(
                    &format!("{}\u{0}{b}", role(m)),
                    engine::count_tokens(&block_text(b)).saturating_add(media),
                );
                last = j;
            }
        }
    }
    p
}

/// The error of a request whose checkpoints break the model's rules.
pub(crate) fn cache_problem_error(problem: &CacheProblem, rules: &CacheRules) -> ServiceError {
    match problem {
        CacheProblem::TooMany { max, found } if rules.claude => model_error(&format!(
            "A maximum of {max} blocks with cache_control may be provided. Found {found}."
        )),
        // Ours: no recorded message for these.
        CacheProblem::TooMany { max, found } => ServiceError::validation(format!(
            "The request has {found} cache checkpoints; the model takes at most {max}. Remove some cachePoint blocks and try again."
        )),
        CacheProblem::InTools(c) => ServiceError::validation(format!(
            "The model doesn't support cache checkpoints in the tool configuration (after {}). Remove the cachePoint and try again.",
            c.location
        )),
        CacheProblem::TtlUnsupported(c) => ServiceError::validation(format!(
            "The model doesn't support the cache TTL 1h (after {}). Use 5m and try again.",
            c.location
        )),
        CacheProblem::TtlOrder(c) => model_error(&format!(
            "{}.cache_control.ttl: a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block. Note that blocks are processed in the following order: `tools`, `system`, `messages`.",
            c.location
        )),
    }
}

/// Checks the checkpoints of `prompt` for `caps` and, with a cache, reads and writes it:
/// `None` when the prompt marks no checkpoint.
pub(crate) fn cache_account(
    caps: &ModelCaps,
    prompt: &Prompt,
    cache: Option<&prompt_cache::PromptCache>,
    problem_error: fn(&CacheProblem, &CacheRules) -> ServiceError,
) -> Result<Option<(CacheRules, CacheAccount)>, ServiceError> {
    if !prompt.has_checkpoints() {
        return Ok(None);
    }
    let rules = prompt_cache::rules_for(&caps.model_id)
        .ok_or_else(|| ServiceError::access_denied(CACHING_UNSUPPORTED))?;
    prompt
        .check(&rules)
        .map_err(|p| problem_error(&p, &rules))?;
    let account = cache
        .map(|c| c.account(&caps.model_id, prompt, &rules))
        .unwrap_or_default();
    Ok(Some((rules, account)))
}
