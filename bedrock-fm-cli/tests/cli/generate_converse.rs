//! `bedrock-fm generate` over Converse: the AWS configuration chain, credentials and region,
//! `--details`, the options on the wire, and `--stream`.

use crate::{
    CLAUDE3, NOVA, PROMPT, aimed_at, details, failure, input_error, run, run_against, success,
};
use bedrock_fm_local::{TEST_ACCESS_KEY_ID, TEST_BEARER_TOKEN, TEST_SECRET_ACCESS_KEY};

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
