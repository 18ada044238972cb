//! The `pattern` constraints of the service model (`ToolName: [a-zA-Z0-9_-]+`,
//! `ToolUseId: [a-zA-Z0-9_.:-]+`, ...), matched with `regex-lite`.
//!
//! The whole value must match (Coral validates with a full match: an empty tool name fails
//! `[a-zA-Z0-9_-]+`, as in the message quoted in litellm issue #19384). A pattern regex-lite
//! cannot compile (lookaround, Unicode classes) is `None`, and the validator then skips it.
//! Compiled patterns are cached: the model has a few dozen and every request checks them.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use regex_lite::Regex;

/// A compiled pattern.
#[derive(Debug, Clone)]
pub(crate) struct Pattern(Regex);

impl Pattern {
    /// Compiles `src` anchored at both ends; `None` if regex-lite does not support it.
    pub(crate) fn compile(src: &str) -> Option<Pattern> {
        static CACHE: OnceLock<Mutex<HashMap<String, Option<Regex>>>> = OnceLock::new();
        let mut cache = CACHE
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        cache
            .entry(src.to_owned())
            .or_insert_with(|| Regex::new(&format!("^(?:{src})$")).ok())
            .clone()
            .map(Pattern)
    }

    /// Whether the whole of `input` matches.
    pub(crate) fn is_full_match(&self, input: &str) -> bool {
        self.0.is_match(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Pattern::compile(p).unwrap().is_full_match(s)
    }

    #[test]
    fn tool_name_pattern_from_the_model() {
        let p = "[a-zA-Z0-9_-]+";
        assert!(m(p, "get_weather"));
        assert!(m(p, "top-song-1"));
        assert!(!m(p, ""));
        assert!(!m(p, "get weather"));
        assert!(!m(p, "a.b"));
    }

    #[test]
    fn tool_use_id_and_metadata_patterns() {
        assert!(m("[a-zA-Z0-9_.:-]+", "tooluse_abc.1:2-3"));
        assert!(!m("[a-zA-Z0-9_.:-]+", "tool use"));
        let meta = "[a-zA-Z0-9\\s:_@$#=/+,-.]{1,256}";
        assert!(m(meta, "team: a/b"));
        assert!(!m(meta, ""));
        assert!(!m(meta, "a!b"));
    }

    #[test]
    fn groups_alternation_and_counts() {
        let v = "(|([1-9][0-9]{0,7})|(DRAFT))";
        assert!(m(v, ""));
        assert!(m(v, "12"));
        assert!(m(v, "DRAFT"));
        assert!(!m(v, "012"));
        assert!(!m(v, "123456789"));
        assert!(m("[0-9]{12}", "123456789012"));
        assert!(!m("[0-9]{12}", "12345678901"));
        assert!(m(
            "s3://[a-z0-9][\\.\\-a-z0-9]{1,61}[a-z0-9](/.*)?",
            "s3://my-bucket/key"
        ));
        assert!(!m(
            "s3://[a-z0-9][\\.\\-a-z0-9]{1,61}[a-z0-9](/.*)?",
            "http://x"
        ));
    }

    #[test]
    fn model_id_pattern_compiles_and_matches() {
        let p = crate::service_model::shape("ConversationalModelId").unwrap()["pattern"]
            .as_str()
            .unwrap();
        let p = Pattern::compile(p).expect("the model ID pattern is in the supported subset");
        assert!(p.is_full_match("anthropic.claude-3-haiku-20240307-v1:0"));
    }

    #[test]
    fn unsupported_syntax_does_not_compile() {
        assert!(Pattern::compile("a(?=b)").is_none());
        assert!(Pattern::compile("[abc").is_none());
        assert!(Pattern::compile("\\p{L}+").is_none());
    }

    #[test]
    fn pathological_patterns_terminate() {
        let p = Pattern::compile("(a*)*b").unwrap();
        assert!(!p.is_full_match(&"a".repeat(40)));
    }
}
