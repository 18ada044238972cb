//! End-to-end tests of the `bedrock-fm` program: the built binary, run as a user would.
//!
//! Most tests use `--local` (the program starts its own local server). The tests that must
//! see the traffic (no request on bad input, injected faults) start a local server here and
//! point the program at it through the AWS configuration chain's environment variables
//! (`AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, `AWS_ACCESS_KEY_ID`, ...), which also proves that the
//! standard variables apply.
//!
//! This file holds the models and the helpers that run the program; each command or concern
//! has a file.

mod failures;
mod generate_converse;
mod generate_invoke_model;
mod help_and_usage;
mod model_families_and_params;
mod models;

use bedrock_fm_local::{LocalServer, TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

pub(crate) const CLAUDE3: &str = "anthropic.claude-3-haiku-20240307-v1:0";
pub(crate) const NOVA: &str = "amazon.nova-lite-v1:0";
pub(crate) const EMBEDDING: &str = "amazon.titan-embed-text-v2:0";
pub(crate) const PROMPT: &str = "Name three rivers of Europe.";

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
pub(crate) fn run(args: &[&str]) -> Output {
    program().args(args).output().expect("the binary runs")
}

/// The program pointed at `server` through the AWS environment variables (no `--local`), with
/// no credentials, no region and no AWS config files.
pub(crate) fn aimed_at(server: &LocalServer) -> Command {
    let nowhere = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-aws-file");
    let mut cmd = program();
    cmd.env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.endpoint())
        .env("AWS_CONFIG_FILE", &nowhere)
        .env("AWS_SHARED_CREDENTIALS_FILE", &nowhere);
    cmd
}

/// Runs the program against `server` through the AWS environment variables (no `--local`),
/// signing with the server's test key pair in `us-east-1`.
pub(crate) fn run_against(server: &LocalServer, args: &[&str]) -> Output {
    aimed_at(server)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", TEST_SECRET_ACCESS_KEY)
        .env("AWS_REGION", "us-east-1")
        .output()
        .expect("the binary runs")
}

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// Asserts success with nothing on stderr; returns stdout.
pub(crate) fn success(out: &Output) -> String {
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
pub(crate) fn failure(out: &Output) -> String {
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
pub(crate) fn input_error(out: &Output) -> String {
    let line = failure(out);
    assert_eq!(out.status.code(), Some(2), "{line}");
    assert_eq!(stdout(out), "", "nothing on stdout: {line}");
    line
}

pub(crate) fn details(out: &Output) -> Value {
    let text = success(out);
    assert_eq!(
        text.lines().count(),
        1,
        "one JSON object on one line: {text}"
    );
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}
