//! `bedrock-fm models`: the catalog, as lines or JSON, and `--live` what the account offers.

use crate::{CLAUDE3, EMBEDDING, aimed_at, run, success};
use bedrock_fm_local::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};
use serde_json::Value;

#[test]
fn models_json_lists_the_catalog() {
    let text = success(&run(&["models", "--json"]));
    let models: Vec<Value> = serde_json::from_str(&text).expect("a JSON array");
    assert!(models.len() >= 100, "{} models", models.len());
    for m in &models {
        for key in ["id", "family", "provider", "name", "lifecycle"] {
            assert!(m[key].is_string(), "{key} in {m}");
        }
        for key in ["streaming", "converse", "tool_use", "vision"] {
            assert!(m[key].is_boolean(), "{key} in {m}");
        }
        assert!(m["input_modalities"].is_array() && m["output_modalities"].is_array());
    }
    let haiku = models.iter().find(|m| m["id"] == CLAUDE3).expect("Haiku");
    assert_eq!(haiku["family"], "claude_messages");
    assert_eq!(haiku["provider"], "Anthropic");
    assert_eq!(haiku["converse"], true);
    let embed = models
        .iter()
        .find(|m| m["id"] == EMBEDDING)
        .expect("Titan v2");
    assert_eq!(embed["output_modalities"], serde_json::json!(["embedding"]));
}

#[test]
fn models_prints_one_line_per_model() {
    let json: Vec<Value> =
        serde_json::from_str(&success(&run(&["models", "--json"]))).expect("JSON");
    let text = success(&run(&["models"]));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), json.len());
    for (line, model) in lines.iter().zip(&json) {
        let id = model["id"].as_str().unwrap();
        assert_eq!(line.split_whitespace().next(), Some(id), "{line}");
        assert!(line.contains(model["family"].as_str().unwrap()), "{line}");
    }
}

#[test]
fn models_live_lists_the_account_s_models_with_what_the_catalog_knows() {
    let config = bedrock_fm_local::Config::default().register_model(
        "anthropic.claude-opus-4-7-v1:0",
        bedrock_fm::catalog::Family::ClaudeMessages,
    );
    let server = bedrock_fm_local::start_with(config);
    // The control plane's endpoint variable, beside the runtime's.
    let out = aimed_at(&server)
        .args(["models", "--live"])
        .env("AWS_ENDPOINT_URL_BEDROCK", server.endpoint())
        .env("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", TEST_SECRET_ACCESS_KEY)
        .env("AWS_REGION", "us-east-1")
        .output()
        .unwrap();
    let text = success(&out);
    let line = |id: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{id} ")))
            .unwrap_or_else(|| panic!("{id} listed: {text}"))
            .to_owned()
    };
    assert!(line("anthropic.claude-opus-4-7-v1:0").contains("prefix:claude_messages"));
    let sonnet = line("anthropic.claude-3-7-sonnet-20250219-v1:0");
    assert!(
        sonnet.contains("catalog") && sonnet.contains("INFERENCE_PROFILE"),
        "{sonnet}"
    );
    assert!(
        sonnet.contains("us.anthropic.claude-3-7-sonnet-20250219-v1:0"),
        "{sonnet}"
    );
    // --local and --json.
    let all: Value =
        serde_json::from_str(&success(&run(&["models", "--live", "--local", "--json"]))).unwrap();
    let haiku = all
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == CLAUDE3)
        .unwrap();
    assert_eq!(haiku["known"], "catalog");
    assert_eq!(haiku["catalog"]["family"], "claude_messages");
}
