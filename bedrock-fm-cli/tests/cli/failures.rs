//! Failures: bad input before any request, service errors, throttling and a broken stream,
//! each one line on stderr with its exit status.

use crate::{CLAUDE3, EMBEDDING, NOVA, PROMPT, failure, input_error, run, run_against, stdout};
use bedrock_fm_local::{Fault, ServiceError};

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
