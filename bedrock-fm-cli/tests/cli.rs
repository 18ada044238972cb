//! End-to-end tests of the `bedrock-fm` program: the built binary, run as a user would.
//!
//! Most tests use `--local` (the program starts its own local server). The tests that must
//! see the traffic (no request on bad input, injected faults) start a local server here and
//! point the program at it through the AWS configuration chain's environment variables
//! (`AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, `AWS_ACCESS_KEY_ID`, ...), which also proves that the
//! standard variables apply.

use bedrock_fm_local::{
    Fault, LocalServer, ServiceError, TEST_ACCESS_KEY_ID, TEST_BEARER_TOKEN, TEST_SECRET_ACCESS_KEY,
};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const CLAUDE3: &str = "anthropic.claude-3-haiku-20240307-v1:0";
const NOVA: &str = "amazon.nova-lite-v1:0";
const EMBEDDING: &str = "amazon.titan-embed-text-v2:0";
const PROMPT: &str = "Name three rivers of Europe.";

/// The program with no AWS variable of the caller's environment.
fn program() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bedrock-fm"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("AWS_EC2_METADATA_DISABLED", "true");
    cmd
}

/// Runs the program with `args`.
fn run(args: &[&str]) -> Output {
    program().args(args).output().expect("the binary runs")
}

/// The program pointed at `server` through the AWS environment variables (no `--local`), with
/// no credentials, no region and no AWS config files.
fn aimed_at(server: &LocalServer) -> Command {
    let nowhere = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-aws-file");
    let mut cmd = program();
    cmd.env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.endpoint())
        .env("AWS_CONFIG_FILE", &nowhere)
        .env("AWS_SHARED_CREDENTIALS_FILE", &nowhere);
    cmd
}

/// Runs the program against `server` through the AWS environment variables (no `--local`),
/// signing with the server's test key pair in `us-east-1`.
fn run_against(server: &LocalServer, args: &[&str]) -> Output {
    aimed_at(server)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", TEST_SECRET_ACCESS_KEY)
        .env("AWS_REGION", "us-east-1")
        .output()
        .expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// Asserts success with nothing on stderr; returns stdout.
fn success(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status,
        stderr(out)
    );
    assert_eq!(stderr(out), "", "nothing on stderr on success");
    stdout(out)
}

/// Asserts a failure with exactly one line on stderr, `error: ...`; returns that line.
fn failure(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "expected a failure, got success with stdout {:?}",
        stdout(out)
    );
    let err = stderr(out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one stderr line, got {err:?}");
    assert!(err.ends_with('\n'), "{err:?}");
    assert!(lines[0].starts_with("error: "), "{err:?}");
    lines[0].to_owned()
}

/// Asserts an input error: exit status 2, one stderr line, nothing on stdout.
fn input_error(out: &Output) -> String {
    let line = failure(out);
    assert_eq!(out.status.code(), Some(2), "{line}");
    assert_eq!(stdout(out), "", "nothing on stdout: {line}");
    line
}

fn details(out: &Output) -> Value {
    let text = success(out);
    assert_eq!(
        text.lines().count(),
        1,
        "one JSON object on one line: {text}"
    );
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

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
fn generate_over_converse_with_claude3_and_nova() {
    for model in [CLAUDE3, NOVA, "us.amazon.nova-micro-v1:0"] {
        let args = [
            "generate", "--local", "--api", "converse", "--model", model, PROMPT,
        ];
        let text = success(&run(&args));
        assert!(!text.trim().is_empty(), "{model}: empty output");
        assert!(text.ends_with('\n'));
    }
}

#[test]
fn generate_reads_the_aws_configuration_chain() {
    let server = bedrock_fm_local::start();
    let out = run_against(
        &server,
        &["generate", "--api=converse", "--model", NOVA, PROMPT],
    );
    assert!(!success(&out).trim().is_empty());
    assert_eq!(server.request_count(), 1);
    let request = server.last_request().expect("a request");
    assert!(request.path.ends_with("/converse"), "{}", request.path);
}

#[test]
fn a_bedrock_api_key_from_the_environment_is_used() {
    let server = bedrock_fm_local::start();
    let args = ["generate", "--api", "converse", "--model", NOVA, PROMPT];
    let out = aimed_at(&server)
        .args(args)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_BEARER_TOKEN_BEDROCK", TEST_BEARER_TOKEN)
        .output()
        .expect("the binary runs");
    assert!(!success(&out).trim().is_empty());
    let request = server.last_request().expect("a request");
    let auth = request.header("authorization").unwrap_or_default();
    assert!(auth.starts_with("Bearer"), "{auth}");

    let out = aimed_at(&server)
        .args(args)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_BEARER_TOKEN_BEDROCK", "not-the-key")
        .output()
        .expect("the binary runs");
    assert!(failure(&out).starts_with("error: AccessDenied: "));
}

#[test]
fn the_region_comes_from_the_flag_or_the_chain() {
    let server = bedrock_fm_local::start();
    let with_keys = |args: &[&str]| {
        aimed_at(&server)
            .args(args)
            .env("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", TEST_SECRET_ACCESS_KEY)
            .output()
            .expect("the binary runs")
    };
    let args = ["generate", "--api", "converse", "--model", NOVA, PROMPT];
    let line = input_error(&with_keys(&args));
    assert!(line.starts_with("error: InvalidInput: region: "), "{line}");
    assert_eq!(server.request_count(), 0);
    let mut with_region = args.to_vec();
    with_region.extend(["--region", "eu-west-1"]);
    assert!(!success(&with_keys(&with_region)).trim().is_empty());
    let request = server.last_request().expect("a request");
    let auth = request.header("authorization").unwrap_or_default();
    assert!(auth.starts_with("AWS4-HMAC-SHA256"), "{auth}");
    assert!(
        auth.contains("/eu-west-1/bedrock/"),
        "signed for --region: {auth}"
    );
}

#[test]
fn details_json_has_every_key_with_its_type() {
    let out = run(&[
        "generate",
        "--local",
        "--api",
        "converse",
        "--details",
        "--model",
        CLAUDE3,
        PROMPT,
    ]);
    let d = details(&out);
    assert!(!d["output"].as_str().expect("output").is_empty(), "{d}");
    assert!(
        d["prompt"].as_str().expect("prompt").contains(PROMPT),
        "{d}"
    );
    assert!(d["body"].is_object(), "{d}");
    assert!(d["latency_ms"].as_f64().expect("latency_ms") >= 0.0, "{d}");
    assert!(
        d["usage"]["input_tokens"].as_u64().expect("input") > 0,
        "{d}"
    );
    assert!(
        d["usage"]["output_tokens"].as_u64().expect("output") > 0,
        "{d}"
    );
    assert!(d["stop_reason"].is_string(), "{d}");
    assert!(
        !d["request_id"].as_str().expect("request_id").is_empty(),
        "{d}"
    );
    assert!(
        d.get("time_to_first_token_ms").is_none(),
        "not a stream: {d}"
    );
}

#[test]
fn options_reach_the_wire_body() {
    let out = run(&[
        "generate",
        "--local",
        "--api",
        "converse",
        "--details",
        "--model",
        CLAUDE3,
        "--temperature",
        "0",
        "--top-p",
        "0.5",
        "--max-tokens",
        "64",
        "--stop",
        "END",
        "--stop",
        "STOP",
        "--extra-args",
        r#"{"anthropic_beta": ["token-efficient-tools-2025-02-19"]}"#,
        PROMPT,
    ]);
    let d = details(&out);
    let config = &d["body"]["inferenceConfig"];
    assert_eq!(config["temperature"].as_f64(), Some(0.0), "explicit 0: {d}");
    assert_eq!(config["topP"].as_f64(), Some(0.5), "{d}");
    assert_eq!(config["maxTokens"], 64, "{d}");
    assert_eq!(config["stopSequences"], serde_json::json!(["END", "STOP"]));
    assert_eq!(
        d["body"]["additionalModelRequestFields"]["anthropic_beta"],
        serde_json::json!(["token-efficient-tools-2025-02-19"]),
        "{d}"
    );
}

#[test]
fn stream_prints_the_text() {
    let plain = success(&run(&[
        "generate", "--local", "--api", "converse", "--model", CLAUDE3, PROMPT,
    ]));
    let streamed = success(&run(&[
        "generate", "--local", "--api", "converse", "--stream", "--model", CLAUDE3, PROMPT,
    ]));
    assert!(!streamed.trim().is_empty());
    assert_eq!(streamed, plain, "the local models are deterministic");
}

#[test]
fn stream_details_has_time_to_first_token() {
    let out = run(&[
        "generate",
        "--local",
        "--api",
        "converse",
        "--stream",
        "--details",
        "--model",
        NOVA,
        PROMPT,
    ]);
    let d = details(&out);
    assert!(!d["output"].as_str().expect("output").is_empty(), "{d}");
    let first = d["time_to_first_token_ms"].as_f64().expect("ttft");
    let latency = d["latency_ms"].as_f64().expect("latency");
    assert!(first >= 0.0 && first <= latency, "{d}");
    assert!(d["usage"]["output_tokens"].as_u64().is_some(), "{d}");
    assert!(d["stop_reason"].is_string(), "{d}");
    assert!(d["request_id"].is_string(), "{d}");
    assert!(d["prompt"].is_string() && d["body"].is_object(), "{d}");
}

/// Where a family's native InvokeModel body carries the common options.
struct Wire {
    temperature: &'static str,
    max_tokens: &'static str,
    /// `None`: the family's native format has no stop sequences.
    stop: Option<&'static str>,
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

#[test]
fn bad_input_fails_with_one_line_before_any_request() {
    let server = bedrock_fm_local::start();
    let base = ["generate", "--api", "converse", "--model"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![CLAUDE3, "--extra-args", "{not json", PROMPT],
            "--extra-args",
        ),
        (
            vec![CLAUDE3, "--extra-args", "[1, 2]", PROMPT],
            "--extra-args",
        ),
        (
            vec![CLAUDE3, "--temperature", "abc", PROMPT],
            "--temperature",
        ),
        (
            vec![CLAUDE3, "--max-tokens", "many", PROMPT],
            "--max-tokens",
        ),
        (vec![CLAUDE3, ""], "prompt"),
        (vec![CLAUDE3, "  \n "], "prompt"),
        (vec![EMBEDDING, PROMPT], "not a text family"),
        (
            vec!["amazon.titan-image-generator-v2:0", PROMPT],
            "not a text family",
        ),
        (vec!["acme.no such model", PROMPT], "whitespace"),
        (vec![CLAUDE3, "--bogus", PROMPT], "--bogus"),
        (vec![CLAUDE3, "--api", "grpc", PROMPT], "--api"),
        // Checked by the library against the catalog, the family's ranges and its typed
        // parameters.
        (vec!["meta.llama2-13b-v1", PROMPT], "Converse"),
        (
            vec!["ai21.j2-mid-v1", "--stream", PROMPT],
            "does not stream",
        ),
        (vec![CLAUDE3, "--temperature", "7", PROMPT], "temperature"),
        (
            vec![CLAUDE3, "--extra-args", r#"{"temperature": 0.2}"#, PROMPT],
            ".temperature(...)",
        ),
    ];
    for (extra, needle) in cases {
        let args: Vec<&str> = base.iter().copied().chain(extra.iter().copied()).collect();
        let line = input_error(&run_against(&server, &args));
        assert!(line.contains(needle), "{args:?}: {line}");
        let local: Vec<&str> = args.iter().copied().chain(["--local"]).collect();
        input_error(&run(&local));
    }
    for args in [
        &["generate", "--model", CLAUDE3][..],
        &["generate", PROMPT][..],
        &["frobnicate"][..],
        &[][..],
        &["models", "--yaml"][..],
    ] {
        let line = input_error(&run_against(&server, args));
        assert!(line.starts_with("error: Usage: "), "{args:?}: {line}");
    }
    assert_eq!(server.request_count(), 0, "no request was sent");
}

#[test]
fn service_errors_name_the_kind_and_the_message() {
    let server = bedrock_fm_local::start();
    server.faults().push(Fault::Error(ServiceError::validation(
        "The model rejected this request.",
    )));
    let args = ["generate", "--api", "converse", "--model", NOVA, PROMPT];
    let out = run_against(&server, &args);
    assert_eq!(
        failure(&out),
        "error: Validation: The model rejected this request."
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        server.request_count(),
        1,
        "validation errors are not retried"
    );
}

#[test]
fn throttling_that_outlasts_the_retries_is_reported() {
    let server = bedrock_fm_local::start();
    for _ in 0..10 {
        server.faults().push(Fault::Throttle);
    }
    let args = ["generate", "--api", "converse", "--model", NOVA, PROMPT];
    let out = run_against(&server, &args);
    assert_eq!(
        failure(&out),
        "error: Throttling: Too many requests, please wait before trying again."
    );
    assert!(server.request_count() > 1, "throttling was retried");
}

#[test]
fn a_stream_error_keeps_the_partial_text_on_stdout() {
    for (api, model) in [
        ("invoke", "amazon.titan-text-premier-v1:0"),
        ("converse", CLAUDE3),
    ] {
        let server = bedrock_fm_local::start();
        server.faults().push(Fault::StreamErrorAfter(2));
        let args = [
            "generate", "--api", api, "--stream", "--model", model, PROMPT,
        ];
        let out = run_against(&server, &args);
        let line = failure(&out);
        assert!(
            line.starts_with("error: ModelStreamError: "),
            "--api {api}: {line}"
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(
            !stdout(&out).trim().is_empty(),
            "--api {api}: the partial text was printed"
        );
    }
}

#[test]
fn local_accepts_a_region() {
    let args = [
        "generate",
        "--local",
        "--region",
        "eu-west-3",
        "--api",
        "converse",
        "--model",
        NOVA,
        PROMPT,
    ];
    assert!(!success(&run(&args)).trim().is_empty());
}

#[test]
fn help_and_version_succeed() {
    for args in [
        &["--help"][..],
        &["generate", "--help"][..],
        &["models", "-h"][..],
        &["--version"][..],
    ] {
        let text = success(&run(args));
        assert!(text.contains("bedrock-fm"), "{args:?}: {text}");
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
        "us.deepseek.r1-v1:0",
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

#[test]
fn completions_print_a_script_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = success(&run(&["completions", shell]));
        assert!(script.contains("bedrock-fm"), "{shell}: {script}");
        assert!(script.contains("generate"), "{shell}");
    }
    let bash = success(&run(&["completions", "bash"]));
    assert!(bash.contains("--param"), "{bash}");
    let line = input_error(&run(&["completions", "tcsh"]));
    assert!(
        line.starts_with("error: Usage: ") && line.contains("tcsh"),
        "{line}"
    );
}

#[test]
fn clap_errors_are_one_usage_line_naming_the_flag() {
    for (args, needle) in [
        (
            &["generate", "--model", CLAUDE3, "--temprature", "1", PROMPT][..],
            "--temperature",
        ),
        (
            &["generate", "--model", CLAUDE3, "--model", NOVA, PROMPT][..],
            "--model",
        ),
        (
            &["generate", "--model", CLAUDE3, "--stream=yes", PROMPT][..],
            "--stream",
        ),
        (
            &["generate", "--model", CLAUDE3, PROMPT, "--max-tokens"][..],
            "--max-tokens",
        ),
        (&["generate", "--model", CLAUDE3, "-t", PROMPT][..], "-t"),
        (
            &["generate", "--model", CLAUDE3, PROMPT, "again"][..],
            "again",
        ),
    ] {
        let line = input_error(&run(args));
        assert!(line.starts_with("error: Usage: "), "{args:?}: {line}");
        assert!(line.contains(needle), "{args:?}: {line}");
    }
}
