//! Request bodies against the service model's shapes, and the messages of what is wrong.

use super::*;
use serde_json::json;

fn msg(op: &str, body: Value) -> String {
    validate(op, &body).unwrap_err().message.unwrap()
}

fn ok(op: &str, body: Value) {
    if let Err(e) = validate(op, &body) {
        panic!("expected valid, got {e}");
    }
}

fn user(text: &str) -> Value {
    json!({"role": "user", "content": [{"text": text}]})
}

#[test]
fn a_full_valid_request_passes() {
    ok(
        "Converse",
        json!({
            "messages": [user("hi"), {"role": "assistant", "content": [{"text": "hello"}]}, user("more")],
            "system": [{"text": "be brief"}],
            "inferenceConfig": {"maxTokens": 100, "temperature": 0.0, "topP": 1.0, "stopSequences": ["END"]},
            "toolConfig": {"tools": [{"toolSpec": {"name": "get_weather", "description": "d",
                "inputSchema": {"json": {"type": "object"}}}}], "toolChoice": {"auto": {}}},
            "additionalModelRequestFields": {"top_k": 5},
            "requestMetadata": {"team": "a"}
        }),
    );
    ok("ConverseStream", json!({"messages": [user("hi")]}));
}

#[test]
fn structure_required_member() {
    assert_eq!(
        msg(
            "Converse",
            json!({"messages": [{"content": [{"text": "x"}]}]})
        ),
        "1 validation error detected: Value null at 'messages.1.member.role' failed to satisfy constraint: Member must not be null"
    );
    assert_eq!(
        msg(
            "Converse",
            json!({"messages": [user("a"), {"role": "assistant", "content": null}]})
        ),
        "1 validation error detected: Value null at 'messages.2.member.content' failed to satisfy constraint: Member must not be null"
    );
}

#[test]
fn structure_unknown_member() {
    let m = msg(
        "Converse",
        json!({"messages": [user("a")], "inferenceConfig": {"max_tokens": 5}}),
    );
    assert_eq!(
        m,
        "The value at inferenceConfig has an unknown field \"max_tokens\". Remove \"max_tokens\" and try again."
    );
    // The URI-bound modelId is not a body member.
    assert!(validate("Converse", &json!({"modelId": "x", "messages": []})).is_err());
}

#[test]
fn list_min_and_member_null() {
    // ToolConfigurationToolsList has min 1.
    assert_eq!(
        msg(
            "Converse",
            json!({"messages": [], "toolConfig": {"tools": []}})
        ),
        "1 validation error detected: Value '[]' at 'toolConfig.tools' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    assert!(msg("Converse", json!({"messages": [null]})).contains("Member must not be null"));
}

#[test]
fn list_max_on_stop_sequences() {
    let shape = service_model::shape("NonEmptyStringList");
    // The model caps additionalModelResponseFieldPaths at 10 entries.
    let paths: Vec<String> = (0..11).map(|i| format!("/p{i}")).collect();
    let m = msg(
        "Converse",
        json!({"messages": [], "additionalModelResponseFieldPaths": paths}),
    );
    assert!(
        m.contains("at 'additionalModelResponseFieldPaths' failed to satisfy constraint: Member must have length less than or equal to 10"),
        "{m} {shape:?}"
    );
}

#[test]
fn map_min_max_and_value_patterns() {
    // RequestMetadata: min 1, max 16 entries; keys and values have patterns.
    let m = msg("Converse", json!({"messages": [], "requestMetadata": {}}));
    assert!(m.contains("at 'requestMetadata' failed to satisfy constraint: Member must have length greater than or equal to 1"), "{m}");
    let many: serde_json::Map<String, Value> =
        (0..17).map(|i| (format!("k{i}"), json!("v"))).collect();
    let m = msg("Converse", json!({"messages": [], "requestMetadata": many}));
    assert!(
        m.contains("Member must have length less than or equal to 16"),
        "{m}"
    );
    let m = msg(
        "Converse",
        json!({"messages": [], "requestMetadata": {"k": "bad!"}}),
    );
    assert!(
        m.contains("Member must satisfy regular expression pattern"),
        "{m}"
    );
    let m = msg(
        "Converse",
        json!({"messages": [], "requestMetadata": ["k"]}),
    );
    assert!(m.contains("Provide a json object"), "{m}");
}

#[test]
fn union_exactly_one_member() {
    let m = msg(
        "Converse",
        json!({"messages": [{"role": "user", "content": [{"text": "a", "image": {"format": "png", "source": {"bytes": "AAAA"}}}]}]}),
    );
    assert!(
        m.starts_with("The value at messages.0.content.0 must set exactly one of the fields ["),
        "{m}"
    );
    assert!(
        m.contains("but sets text, image") || m.contains("but sets image, text"),
        "{m}"
    );
    let m = msg(
        "Converse",
        json!({"messages": [{"role": "user", "content": [{}]}]}),
    );
    assert!(m.contains("but sets none"), "{m}");
}

#[test]
fn string_enum_length_and_pattern() {
    assert_eq!(
        msg(
            "Converse",
            json!({"messages": [{"role": "robot", "content": []}]})
        ),
        "1 validation error detected: Value 'robot' at 'messages.1.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant, system]"
    );
    // Two problems on one value, as in the real message of litellm issue #19384.
    let m = msg(
        "Converse",
        json!({"messages": [], "toolConfig": {"tools": [{"toolSpec": {"name": "", "inputSchema": {"json": {}}}}]}}),
    );
    assert!(m.starts_with("2 validation errors detected: Value '' at 'toolConfig.tools.1.member.toolSpec.name' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'toolConfig.tools.1.member.toolSpec.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+"), "{m}");
    let long = "x".repeat(65);
    let m = msg(
        "Converse",
        json!({"messages": [], "toolConfig": {"tools": [{"toolSpec": {"name": long, "inputSchema": {"json": {}}}}]}}),
    );
    assert!(
        m.contains("Member must have length less than or equal to 64"),
        "{m}"
    );
    assert!(
        msg(
            "Converse",
            json!({"messages": [{"role": 5, "content": []}]})
        )
        .contains("Provide a string")
    );
}

#[test]
fn integer_ranges_and_types() {
    // InferenceConfigurationMaxTokensInteger: min 1.
    assert_eq!(
        msg(
            "Converse",
            json!({"messages": [], "inferenceConfig": {"maxTokens": 0}})
        ),
        "1 validation error detected: Value '0' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
    assert!(
        msg(
            "Converse",
            json!({"messages": [], "inferenceConfig": {"maxTokens": 1.5}})
        )
        .contains("Provide a whole number")
    );
    assert!(
        msg(
            "Converse",
            json!({"messages": [], "inferenceConfig": {"maxTokens": "5"}})
        )
        .contains("Provide a whole number")
    );
    assert!(
        msg(
            "Converse",
            json!({"messages": [], "inferenceConfig": {"maxTokens": 3_000_000_000u64}})
        )
        .contains("32-bit")
    );
}

#[test]
fn float_ranges() {
    assert_eq!(
        msg(
            "Converse",
            json!({"messages": [], "inferenceConfig": {"temperature": 1.5}})
        ),
        "1 validation error detected: Value '1.5' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1"
    );
    assert!(
        msg(
            "Converse",
            json!({"messages": [], "inferenceConfig": {"topP": -0.1}})
        )
        .contains("greater than or equal to 0")
    );
    ok(
        "Converse",
        json!({"messages": [], "inferenceConfig": {"temperature": 1}}),
    );
    assert!(
        msg(
            "Converse",
            json!({"messages": [], "inferenceConfig": {"temperature": 3}})
        )
        .contains("Value '3.0' at 'inferenceConfig.temperature'")
    );
}

#[test]
fn booleans() {
    let m = msg(
        "Converse",
        json!({"messages": [], "toolConfig": {"tools": [{"toolSpec": {"name": "t", "strict": "yes", "inputSchema": {"json": {}}}}]}}),
    );
    assert!(m.contains("Provide a boolean"), "{m}");
}

#[test]
fn blobs_are_base64() {
    let img = |bytes: &str| json!({"messages": [{"role": "user", "content": [{"image": {"format": "png", "source": {"bytes": bytes}}}]}]});
    ok("Converse", img("iVBORw0KGgo="));
    let m = msg("Converse", img("not base64!"));
    assert_eq!(
        m,
        "The format of the value at messages.0.content.0.image.source.bytes is invalid. Provide a base64-encoded string for the field and try again."
    );
    // ImageSourceBytesBlob: min 1 byte.
    assert!(
        msg("Converse", img("")).contains("Member must have length greater than or equal to 1")
    );
}

#[test]
fn documents_must_be_objects() {
    let m = msg(
        "Converse",
        json!({"messages": [], "toolConfig": {"tools": [{"toolSpec": {"name": "t", "inputSchema": {"json": "schema"}}}]}}),
    );
    assert_eq!(
        m,
        "The format of the value at toolConfig.tools.0.toolSpec.inputSchema.json is invalid. Provide a json object for the field and try again."
    );
    let m = msg(
        "Converse",
        json!({"messages": [{"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"json": []}]}}]}]}),
    );
    assert_eq!(
        m,
        "The format of the value at messages.0.content.0.toolResult.content.0.json is invalid. Provide a json object for the field and try again."
    );
    ok(
        "Converse",
        json!({"messages": [], "additionalModelRequestFields": {"a": [1, {"b": null}]}}),
    );
}

#[test]
fn timestamps() {
    // The only timestamp shape reachable from these operations: none in Converse today, so
    // check the walker directly on the model's `Timestamp` shape.
    assert!(problems("Timestamp", &json!(1_700_000_000)).is_empty());
    assert!(problems("Timestamp", &json!("2024-06-15T10:00:00Z")).is_empty());
    assert_eq!(problems("Timestamp", &json!(true)).len(), 1);
}

#[test]
fn count_tokens_input_union() {
    ok(
        "CountTokens",
        json!({"input": {"converse": {"messages": [user("hi")]}}}),
    );
    ok(
        "CountTokens",
        json!({"input": {"invokeModel": {"body": "e30="}}}),
    );
    assert!(msg("CountTokens", json!({})).contains("Value null at 'input'"));
    assert!(msg("CountTokens", json!({"input": {}})).contains("exactly one"));
}

#[test]
fn root_must_be_an_object() {
    assert_eq!(
        msg("Converse", json!([1])),
        "The format of the value at the request body is invalid. Provide a json object for the field and try again."
    );
}
