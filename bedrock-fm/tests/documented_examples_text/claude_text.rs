//! Anthropic Claude Text Completions.

use crate::documented::{check_request, parse, with_unknown_field};
use crate::invocation_metrics;
use bedrock_fm::bodies::claude_text::*;
use serde_json::json;

#[test]
fn claude_text() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-text-completion.html
    // ("Code example": the `json.dumps` body, Python trailing comma dropped).
    let documented = json!({
        "prompt": "\n\nHuman: explain black holes to 8th graders\n\nAssistant:",
        "max_tokens_to_sample": 300,
        "temperature": 0.1,
        "top_p": 0.9
    });
    let built = ClaudeTextRequest::builder()
        .prompt("\n\nHuman: explain black holes to 8th graders\n\nAssistant:")
        .max_tokens_to_sample(300)
        .temperature(0.1)
        .top_p(0.9)
        .build()
        .unwrap();
    check_request(&built, ClaudeTextRequest::spec(), documented);

    // Source: same page, the streaming code example.
    let documented = json!({
        "prompt": "\n\nHuman: write an essay for living on mars in 1000 words\n\nAssistant:",
        "max_tokens_to_sample": 4000
    });
    let built = ClaudeTextRequest::builder()
        .prompt("\n\nHuman: write an essay for living on mars in 1000 words\n\nAssistant:")
        .max_tokens_to_sample(4000)
        .build()
        .unwrap();
    check_request(&built, ClaudeTextRequest::spec(), documented);
}

#[test]
fn claude_text_response_and_stream_chunk() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-text-completion.html
    // (the `stop` example response, verbatim).
    let documented = json!({
        "completion": " Here is a simple explanation of black ",
        "stop_reason": "stop_sequence",
        "stop": "holes"
    });
    let response: ClaudeTextResponse = parse(&documented);
    assert_eq!(
        response.completion,
        " Here is a simple explanation of black "
    );
    assert_eq!(
        response.stop_reason,
        Some(ClaudeTextStopReason::StopSequence)
    );
    assert_eq!(response.stop.as_deref(), Some("holes"));
    assert!(response.extra.is_empty());
    let response: ClaudeTextResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));

    // Doc-described chunk: the streaming code example prints each chunk's decoded `bytes`,
    // which carry the response fields; here the last chunk of the example above, with the
    // invocation metrics Bedrock adds to it.
    let chunk = json!({
        "completion": "",
        "stop_reason": "stop_sequence",
        "stop": "holes",
        "amazon-bedrock-invocationMetrics": invocation_metrics()
    });
    let chunk: ClaudeTextStreamChunk = parse(&chunk);
    assert_eq!(chunk.completion.as_deref(), Some(""));
    assert_eq!(chunk.stop_reason, Some(ClaudeTextStopReason::StopSequence));
    assert_eq!(chunk.stop.as_deref(), Some("holes"));
    assert_eq!(chunk.invocation_metrics, Some(invocation_metrics()));
    // A middle chunk: `stop_reason` and `stop` are null.
    let chunk: ClaudeTextStreamChunk =
        parse(&json!({"completion": " Here is", "stop_reason": null, "stop": null}));
    assert_eq!(chunk.completion.as_deref(), Some(" Here is"));
    assert_eq!(chunk.stop_reason, None);
}
