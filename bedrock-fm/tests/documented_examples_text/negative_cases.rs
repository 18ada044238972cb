//! Negative cases: builders and specs refuse what the documentation does not allow, and name
//! where.

use bedrock_fm::bodies::claude_messages::*;
use bedrock_fm::bodies::claude_text::*;
use bedrock_fm::bodies::nova::*;
use bedrock_fm::bodies::titan_text::*;
use bedrock_fm::schema::Problem;
use serde_json::json;

#[test]
fn a_builder_rejects_an_out_of_range_value_and_names_the_field() {
    let err = TitanTextGenerationConfig::builder()
        .temperature(1.5)
        .build()
        .unwrap_err();
    assert_eq!(err.type_name, "TitanTextGenerationConfig");
    assert_eq!(err.field, "temperature");
    assert_eq!(
        err.problem,
        Problem::OutOfRange {
            value: 1.5,
            min: Some(0.0),
            max: Some(1.0)
        }
    );
    assert!(err.to_string().contains("temperature"), "{err}");

    let err = ClaudeMessagesRequest::builder()
        .anthropic_version(ClaudeMessagesRequestAnthropicVersion::Bedrock20230531)
        .max_tokens(1024)
        .messages([ClaudeMessagesMessage::builder()
            .role(ClaudeMessagesMessageRole::User)
            .content("Hello, Claude")
            .build()
            .unwrap()])
        .top_k(501)
        .build()
        .unwrap_err();
    assert_eq!(err.field, "top_k");
    assert!(matches!(err.problem, Problem::OutOfRange { .. }));

    // A string outside its documented values: a typo in a closed value set does not
    // compile any more (`ClaudeMessagesMessageRole::Sytem`); a value the catalog does not
    // know yet is still sendable as `Unknown` (the catalog informs, it never forbids), and
    // the request schema names it.
    let message = ClaudeMessagesMessage::builder()
        .role(ClaudeMessagesMessageRole::Unknown("system".into()))
        .content("Hello")
        .build()
        .unwrap();
    let body = serde_json::to_value(&message).unwrap();
    assert_eq!(body["role"], "system");
    let spec = ClaudeMessagesMessage::spec();
    let problems = spec.validate(&body);
    assert!(
        problems.iter().any(|p| p.pointer == "#/role"),
        "{problems:?}"
    );
}

#[test]
fn a_builder_rejects_a_missing_required_field_and_names_it() {
    let err = TitanTextRequest::builder().build().unwrap_err();
    assert_eq!(err.type_name, "TitanTextRequest");
    assert_eq!(err.field, "input_text");
    assert_eq!(err.problem, Problem::Missing);

    let err = ClaudeMessagesRequest::builder()
        .anthropic_version(ClaudeMessagesRequestAnthropicVersion::Bedrock20230531)
        .messages([ClaudeMessagesMessage::builder()
            .role(ClaudeMessagesMessageRole::User)
            .content("Hello, Claude")
            .build()
            .unwrap()])
        .build()
        .unwrap_err();
    assert_eq!(err.field, "max_tokens");
    assert_eq!(err.problem, Problem::Missing);
    assert!(err.to_string().contains("max_tokens"), "{err}");
}

#[test]
fn a_spec_rejects_extraneous_keys_and_names_them() {
    // The Claude text example with Messages API's `max_tokens` added at the top level.
    let body = json!({
        "prompt": "\n\nHuman: explain black holes to 8th graders\n\nAssistant:",
        "max_tokens_to_sample": 300,
        "max_tokens": 300
    });
    let messages: Vec<String> = ClaudeTextRequest::spec()
        .validate(&body)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        messages,
        ["#: extraneous key [max_tokens] is not permitted"]
    );

    // A nested one: the Titan example with a snake_case key inside textGenerationConfig.
    let body = json!({
        "inputText": "Hello",
        "textGenerationConfig": {"maxTokenCount": 512, "max_tokens": 512}
    });
    let violations = TitanTextRequest::spec().validate(&body);
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].pointer, "#/textGenerationConfig");
    assert!(violations[0].message.contains("max_tokens"));

    // And the documented Nova body with the older snake_case inference names (PDF edition).
    let body = json!({
        "schemaVersion": "messages-v1",
        "messages": [{"role": "user", "content": [{"text": "A camping trip"}]}],
        "inferenceConfig": {"max_new_tokens": 300, "top_p": 0.1, "top_k": 20, "temperature": 0.3}
    });
    let mut pointers: Vec<String> = NovaRequest::spec()
        .validate(&body)
        .into_iter()
        .map(|v| v.to_string())
        .collect();
    pointers.sort();
    assert_eq!(
        pointers,
        [
            "#/inferenceConfig: extraneous key [top_k] is not permitted",
            "#/inferenceConfig: extraneous key [top_p] is not permitted",
        ]
    );
}
