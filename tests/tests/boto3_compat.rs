//! boto3, a client nobody here wrote, against bedrock-fm-local: all four operations for one
//! model of every family, streams decoded by botocore, a wrong secret rejected, an injected
//! throttle seen as ThrottlingException. The Python with boto3 is `BEDROCK_FM_PYTHON`
//! (`.ci/run` creates it); without it the test is skipped, except in CI where it fails.

use bedrock_fm::catalog::ALL_MODELS;
use bedrock_fm_local::config::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};
use serde_json::{Map, Value, json};
use std::process::Command;

#[test]
fn boto3_drives_every_family_through_all_four_operations() {
    let Some(python) = std::env::var_os("BEDROCK_FM_PYTHON") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set BEDROCK_FM_PYTHON (see .ci/run)"
        );
        eprintln!("skipped: BEDROCK_FM_PYTHON is not set (a Python with boto3)");
        return;
    };
    let server = bedrock_fm_local::start();
    let caps: Map<String, Value> = ALL_MODELS
        .iter()
        .map(|m| {
            (
                m.id.to_owned(),
                json!({"streaming": m.streaming, "converse": m.converse}),
            )
        })
        .collect();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/boto3/compat.py");
    let out = Command::new(python)
        .arg(script)
        .arg(server.endpoint())
        .arg(TEST_ACCESS_KEY_ID)
        .arg(TEST_SECRET_ACCESS_KEY)
        .arg(Value::Object(caps).to_string())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run the boto3 script");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "boto3 checks failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(" passed, 0 failed"));
}
