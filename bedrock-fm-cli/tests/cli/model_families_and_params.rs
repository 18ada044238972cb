//! Models missing from the catalog (and `--family`), and `--param` reaching the family's
//! typed parameters.

use crate::{PROMPT, details, failure, input_error, run, run_against, success};
use serde_json::Value;

#[test]
fn a_model_missing_from_the_catalog_is_sent_and_answered_by_the_service() {
    let config = bedrock_fm_local::Config::default().register_model(
        "anthropic.claude-opus-4-7-v1:0",
        bedrock_fm::catalog::Family::ClaudeMessages,
    );
    let server = bedrock_fm_local::start_with(config);
    // Served: over Converse and, by its prefix's family, over InvokeModel.
    for api in ["converse", "invoke"] {
        let args = [
            "generate",
            "--api",
            api,
            "--model",
            "anthropic.claude-opus-4-7-v1:0",
            PROMPT,
        ];
        assert!(!success(&run_against(&server, &args)).trim().is_empty());
    }
    // Unknown to the service: its ValidationException, exit 1, after one request.
    let before = server.request_count();
    let args = [
        "generate",
        "--api",
        "converse",
        "--stream",
        "--model",
        "us.writer.palmyra-x5-v1:0",
        PROMPT,
    ];
    let out = run_against(&server, &args);
    let line = failure(&out);
    assert_eq!(out.status.code(), Some(1), "{line}");
    assert_eq!(
        line,
        "error: Validation: The provided model identifier is invalid."
    );
    assert_eq!(server.request_count(), before + 1);
    // No family for InvokeModel: the user names one.
    let args = ["generate", "--model", "openai.gpt-oss-120b-1:0", PROMPT];
    assert!(input_error(&run_against(&server, &args)).contains("--family"));
    let args = [
        "generate",
        "--family",
        "llama",
        "--model",
        "openai.gpt-oss-120b-1:0",
        PROMPT,
    ];
    assert!(input_error(&run_against(&server, &args)).contains("is not a text family"));
    assert_eq!(server.request_count(), before + 1);
}

const COMMAND_R: &str = "cohere.command-r-v1:0";

#[test]
fn param_reaches_the_typed_parameter_of_the_family_in_the_wire_body() {
    let server = bedrock_fm_local::start();
    let args = [
        "generate",
        "--api",
        "invoke",
        "--model",
        COMMAND_R,
        "--param",
        "top_k=40",
        "--param=seed=7",
        "--param",
        "temperature=0.5",
        PROMPT,
    ];
    assert!(!success(&run_against(&server, &args)).trim().is_empty());
    assert_eq!(server.request_count(), 1);
    let request = server.last_request().expect("a request");
    assert!(request.path.ends_with("/invoke"), "{}", request.path);
    let body: Value = serde_json::from_slice(&request.body).expect("a JSON body");
    assert_eq!(body["k"], 40, "{body}");
    assert_eq!(body["seed"], 7, "{body}");
    assert_eq!(body["temperature"].as_f64(), Some(0.5), "{body}");
    // The same through chat, and with --details.
    let args = [
        "chat",
        "--local",
        "--details",
        "--model",
        COMMAND_R,
        "--param",
        "top_k=3",
        PROMPT,
    ];
    let d = details(&run(&args));
    assert_eq!(d["body"]["k"], 3, "{d}");
}

#[test]
fn an_unknown_or_malformed_param_fails_before_any_request() {
    let server = bedrock_fm_local::start();
    for command in ["generate", "chat"] {
        let args = [
            command,
            "--model",
            COMMAND_R,
            "--param",
            "top_kk=40",
            PROMPT,
        ];
        let line = input_error(&run_against(&server, &args));
        assert!(
            line.starts_with("error: InvalidInput: param top_kk: "),
            "{line}"
        );
        // The family's parameters are listed.
        assert!(line.contains("top_k") && line.contains("seed"), "{line}");
        for bad in ["top_k", "=40"] {
            let args = [command, "--model", COMMAND_R, "--param", bad, PROMPT];
            let line = input_error(&run_against(&server, &args));
            assert!(line.starts_with("error: Usage: `--param`"), "{line}");
        }
    }
    // A value the typed parameter refuses.
    let args = [
        "generate",
        "--model",
        COMMAND_R,
        "--param",
        "top_k=many",
        PROMPT,
    ];
    let line = input_error(&run_against(&server, &args));
    // The value is decoded into the parameter's type (u32) when it is set.
    assert!(
        line.starts_with("error: InvalidInput: param top_k: "),
        "{line}"
    );
    assert!(line.contains("\"many\" is not a valid value"), "{line}");
    assert!(line.contains("expected u32"), "{line}");
    // A value of the right type out of the declared range.
    let args = [
        "generate",
        "--model",
        COMMAND_R,
        "--param",
        "top_k=501",
        PROMPT,
    ];
    let line = input_error(&run_against(&server, &args));
    assert!(line.starts_with("error: InvalidInput: top_k: "), "{line}");
    assert!(line.contains("wire `k`"), "{line}");
    assert_eq!(server.request_count(), 0, "no request was sent");
}
