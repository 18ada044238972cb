//! The `bedrock-fm-local` binary: endpoint on the first stdout line, serving until killed.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str]) -> (Killed, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bedrock-fm-local"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let guard = Killed(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    (guard, line.trim_end().to_owned())
}

fn client(endpoint: &str, key: &str, secret: &str) -> aws_sdk_bedrockruntime::Client {
    let config = aws_sdk_bedrockruntime::Config::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-west-2"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_bedrockruntime::config::Credentials::new(
            key, secret, None, None, "test",
        ))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_bedrockruntime::Client::from_conf(config)
}

fn hello() -> Message {
    Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text("hello binary".into()))
        .build()
        .unwrap()
}

#[tokio::test]
async fn prints_its_endpoint_and_serves_with_the_documented_credentials() {
    let (_child, endpoint) = spawn(&[]);
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    let port: u16 = endpoint.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0);
    let c = client(
        &endpoint,
        bedrock_fm_local::TEST_ACCESS_KEY_ID,
        bedrock_fm_local::TEST_SECRET_ACCESS_KEY,
    );
    let out = c
        .converse()
        .model_id("anthropic.claude-3-haiku-20240307-v1:0")
        .messages(hello())
        .send()
        .await
        .unwrap();
    let msg = out.output().unwrap().as_message().unwrap();
    assert!(
        msg.content()[0]
            .as_text()
            .unwrap()
            .starts_with("hello binary.")
    );
}

#[tokio::test]
async fn flags_configure_credentials_and_faults() {
    let (_child, endpoint) = spawn(&[
        "--access-key-id",
        "AKIDBIN",
        "--secret-access-key",
        "binsecret",
        "--throttle-every",
        "1",
        "--seed",
        "9",
    ]);
    let err = client(&endpoint, "AKIDBIN", "binsecret")
        .converse()
        .model_id("anthropic.claude-3-haiku-20240307-v1:0")
        .messages(hello())
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_throttling_exception());
    let err = client(
        &endpoint,
        bedrock_fm_local::TEST_ACCESS_KEY_ID,
        bedrock_fm_local::TEST_SECRET_ACCESS_KEY,
    )
    .converse()
    .model_id("anthropic.claude-3-haiku-20240307-v1:0")
    .messages(hello())
    .send()
    .await
    .unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 403);
}

#[test]
fn help_and_bad_arguments() {
    let out = Command::new(env!("CARGO_BIN_EXE_bedrock-fm-local"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("usage: bedrock-fm-local [--port N] [--access-key-id ID --secret-access-key KEY] [--bearer-token T]"));
    let out = Command::new(env!("CARGO_BIN_EXE_bedrock-fm-local"))
        .arg("--nope")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown argument"));
}

/// `--model ID=FAMILY` and `--application-profile ID=MODEL_ID`: the registered model answers
/// Converse by its ID, and the application profile by its ARN; an unregistered ID still gets
/// "The provided model identifier is invalid."
#[tokio::test]
async fn serves_registered_models_and_application_profiles_given_as_flags() {
    let (_child, endpoint) = spawn(&[
        "--model",
        "acme.chat-v1=claude_messages",
        "--application-profile=teamprofile=acme.chat-v1",
    ]);
    let c = client(
        &endpoint,
        bedrock_fm_local::TEST_ACCESS_KEY_ID,
        bedrock_fm_local::TEST_SECRET_ACCESS_KEY,
    );
    let arn = "arn:aws:bedrock:us-west-2:123456789012:application-inference-profile/teamprofile";
    for model in ["acme.chat-v1", arn] {
        let out = c
            .converse()
            .model_id(model)
            .messages(hello())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{model}: {e:?}"));
        let text = out.output().unwrap().as_message().unwrap().content()[0]
            .as_text()
            .unwrap()
            .clone();
        assert!(text.starts_with("hello binary"), "{model}: {text}");
    }
    let err = c
        .converse()
        .model_id("acme.other-v1")
        .messages(hello())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");
    assert_eq!(
        aws_sdk_bedrockruntime::error::ProvideErrorMetadata::message(&err),
        Some("The provided model identifier is invalid.")
    );
}
