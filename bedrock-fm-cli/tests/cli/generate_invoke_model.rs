//! `bedrock-fm generate --api invoke`: each family's native InvokeModel body carries the
//! common options under its own names.

use crate::{CLAUDE3, PROMPT, details, run, success};

/// Where a family's native InvokeModel body carries the common options.
pub(crate) struct Wire {
    pub(crate) temperature: &'static str,
    pub(crate) max_tokens: &'static str,
    /// `None`: the family's native format has no stop sequences.
    pub(crate) stop: Option<&'static str>,
}

/// `--api invoke` for `model`: text, streamed text, and the details of a call whose native
/// body carries `--temperature 0`, `--max-tokens 50` (and `--stop END`) under the family's
/// own names.
fn check_invoke(model: &str, wire: Wire) {
    let plain = success(&run(&[
        "generate", "--local", "--api", "invoke", "--model", model, PROMPT,
    ]));
    assert!(!plain.trim().is_empty(), "{model}");
    let streamed = success(&run(&[
        "generate", "--local", "--api", "invoke", "--stream", "--model", model, PROMPT,
    ]));
    assert!(!streamed.trim().is_empty(), "{model}");
    let mut args = vec![
        "generate",
        "--local",
        "--api",
        "invoke",
        "--details",
        "--temperature",
        "0",
        "--max-tokens",
        "50",
        "--model",
        model,
        PROMPT,
    ];
    if wire.stop.is_some() {
        args.extend(["--stop", "END"]);
    }
    let d = details(&run(&args));
    assert_eq!(d["api"], "invoke", "{d}");
    assert!(!d["output"].as_str().expect("output").is_empty(), "{d}");
    assert!(
        d["prompt"].as_str().expect("prompt").contains(PROMPT),
        "{d}"
    );
    assert!(d["response"].is_object(), "the typed response: {d}");
    let at = |path: &str| path.split('.').fold(&d["body"], |v, key| &v[key]).clone();
    assert_eq!(at(wire.temperature).as_f64(), Some(0.0), "{model}: {d}");
    assert_eq!(at(wire.max_tokens), 50, "{model}: {d}");
    if let Some(path) = wire.stop {
        let stop = at(path);
        assert!(
            stop == "END" || stop == serde_json::json!(["END"]),
            "{model}: {d}"
        );
    }
    let s = details(&run(&[
        "generate",
        "--local",
        "--api",
        "invoke",
        "--stream",
        "--details",
        "--model",
        model,
        PROMPT,
    ]));
    assert!(
        s["time_to_first_token_ms"].as_f64().is_some(),
        "{model}: {s}"
    );
}

#[test]
fn generate_over_invoke_model_with_titan() {
    check_invoke(
        "amazon.titan-text-premier-v1:0",
        Wire {
            temperature: "textGenerationConfig.temperature",
            max_tokens: "textGenerationConfig.maxTokenCount",
            stop: Some("textGenerationConfig.stopSequences"),
        },
    );
    // InvokeModel is the default API.
    let text = success(&run(&[
        "generate",
        "--local",
        "--model",
        "amazon.titan-text-express-v1",
        PROMPT,
    ]));
    assert!(!text.trim().is_empty());
}

#[test]
fn generate_over_invoke_model_with_llama3() {
    check_invoke(
        "meta.llama3-8b-instruct-v1:0",
        Wire {
            temperature: "temperature",
            max_tokens: "max_gen_len",
            stop: None,
        },
    );
}

#[test]
fn generate_over_invoke_model_with_mistral() {
    check_invoke(
        "mistral.mistral-7b-instruct-v0:2",
        Wire {
            temperature: "temperature",
            max_tokens: "max_tokens",
            stop: Some("stop"),
        },
    );
}

#[test]
fn generate_over_invoke_model_with_claude3() {
    check_invoke(
        CLAUDE3,
        Wire {
            temperature: "temperature",
            max_tokens: "max_tokens",
            stop: Some("stop_sequences"),
        },
    );
}
