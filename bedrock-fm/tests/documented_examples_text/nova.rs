//! Amazon Nova (understanding models).

use crate::documented::{check_request, parse};
use crate::invocation_metrics;
use bedrock_fm::bodies::nova::*;
use serde_json::json;

#[test]
fn nova() {
    // Source: https://docs.aws.amazon.com/nova/latest/userguide/using-invoke-api.html
    // (the Invoke streaming example: `request_body` with its `system_list`, `message_list`
    // and `inf_params` variables substituted).
    let documented = json!({
        "schemaVersion": "messages-v1",
        "messages": [{"role": "user", "content": [{"text": "A camping trip"}]}],
        "system": [
            {
                "text": "Act as a creative writing assistant. When the user provides you with a topic, write a short story about that topic."
            }
        ],
        "inferenceConfig": {"maxTokens": 500, "topP": 0.9, "topK": 20, "temperature": 0.7}
    });
    let built = NovaRequest::builder()
        .schema_version(NovaRequestSchemaVersion::MessagesV1)
        .messages([NovaMessage::builder()
            .role(NovaMessageRole::User)
            .content([NovaContentBlock::builder()
                .text("A camping trip")
                .build()
                .unwrap()])
            .build()
            .unwrap()])
        .system([NovaSystemBlock::builder()
            .text("Act as a creative writing assistant. When the user provides you with a topic, write a short story about that topic.")
            .build()
            .unwrap()])
        .inference_config(
            NovaInferenceConfig::builder()
                .max_tokens(500)
                .top_p(0.9)
                .top_k(20)
                .temperature(0.7)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    check_request(&built, NovaRequest::spec(), documented);

    // Source: https://docs.aws.amazon.com/nova/latest/userguide/modalities-image-examples.html
    // (image understanding: `native_request` with its variables substituted; the page reads
    // `base64_string` from media/sunset.png, a stand-in is used here).
    let documented = json!({
        "schemaVersion": "messages-v1",
        "messages": [
            {
                "role": "user",
                "content": [
                    {"image": {"format": "png", "source": {"bytes": "iVBORw0KGgo="}}},
                    {"text": "Provide art titles for this image."}
                ]
            }
        ],
        "system": [
            {"text": "You are an expert artist. When the user provides you with an image, provide 3 potential art titles"}
        ],
        "inferenceConfig": {"maxTokens": 300, "topP": 0.1, "topK": 20, "temperature": 0.3}
    });
    let image = NovaImage::builder()
        .format(NovaImageFormat::Png)
        .source(
            NovaImageSource::builder()
                .bytes("iVBORw0KGgo=")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let built = NovaRequest::builder()
        .schema_version(NovaRequestSchemaVersion::MessagesV1)
        .messages([NovaMessage::builder()
            .role(NovaMessageRole::User)
            .content([
                NovaContentBlock::builder().image(image).build().unwrap(),
                NovaContentBlock::builder()
                    .text("Provide art titles for this image.")
                    .build()
                    .unwrap(),
            ])
            .build()
            .unwrap()])
        .system([NovaSystemBlock::builder()
            .text("You are an expert artist. When the user provides you with an image, provide 3 potential art titles")
            .build()
            .unwrap()])
        .inference_config(
            NovaInferenceConfig::builder()
                .max_tokens(300)
                .top_p(0.1)
                .top_k(20)
                .temperature(0.3)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    check_request(&built, NovaRequest::spec(), documented);
}

#[test]
fn nova_response_and_stream_chunks() {
    // Source: https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema-response.html
    // (response template, placeholders filled; without `ResponseMetadata`, which is boto3's
    // envelope, not part of the body). `metrics` is not in the catalog and lands in `extra`.
    let documented = json!({
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {"text": "The campfire crackled as the stars came out."}
                ]
            }
        },
        "stopReason": "end_turn",
        "usage": {"inputTokens": 30, "outputTokens": 11, "totalTokens": 41},
        "metrics": {"latencyMs": 420}
    });
    let response: NovaResponse = parse(&documented);
    let message = &response.output.message;
    assert_eq!(message.role, NovaMessageRole::Assistant);
    assert_eq!(
        message.content[0].text.as_deref(),
        Some("The campfire crackled as the stars came out.")
    );
    assert_eq!(response.stop_reason, NovaStopReason::EndTurn);
    let usage = response.usage.as_ref().unwrap();
    assert_eq!(
        (usage.input_tokens, usage.output_tokens, usage.total_tokens),
        (Some(30), Some(11), Some(41))
    );
    assert_eq!(response.extra["metrics"], json!({"latencyMs": 420}));

    // Source: same template, a tool call (`toolUse` block, `tool_use` stop reason).
    let documented = json!({
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {"toolUse": {"toolUseId": "tooluse_1", "name": "top_song", "input": {"sign": "WZPZ"}}}
                ]
            }
        },
        "stopReason": "tool_use",
        "usage": {"inputTokens": 400, "outputTokens": 30, "totalTokens": 430}
    });
    let response: NovaResponse = parse(&documented);
    let tool_use = response.output.message.content[0]
        .tool_use
        .as_ref()
        .unwrap();
    assert_eq!(tool_use.tool_use_id, "tooluse_1");
    assert_eq!(tool_use.name, "top_song");
    assert_eq!(tool_use.input, json!({"sign": "WZPZ"}));
    assert_eq!(response.stop_reason, NovaStopReason::ToolUse);

    // Source: https://docs.aws.amazon.com/nova/latest/userguide/using-invoke-api.html
    // Doc-described chunk: the example prints `chunk_json["contentBlockDelta"]["delta"]["text"]`.
    let chunk: NovaStreamChunk = parse(&json!({
        "contentBlockDelta": {"delta": {"text": "The campfire"}, "contentBlockIndex": 0}
    }));
    let delta = chunk.content_block_delta.unwrap();
    assert_eq!(delta.delta.text.as_deref(), Some("The campfire"));
    assert_eq!(delta.content_block_index, Some(0));
    // The message stop and the metadata event (Converse stream event shapes, which the Invoke
    // API keeps), the latter with the Bedrock metrics of the last chunk.
    let chunk: NovaStreamChunk = parse(&json!({"messageStop": {"stopReason": "end_turn"}}));
    assert_eq!(
        chunk.message_stop.unwrap().stop_reason,
        NovaStopReason::EndTurn
    );
    let chunk: NovaStreamChunk = parse(&json!({
        "metadata": {
            "usage": {"inputTokens": 30, "outputTokens": 11},
            "metrics": {"latencyMs": 420}
        },
        "amazon-bedrock-invocationMetrics": invocation_metrics()
    }));
    let metadata = chunk.metadata.unwrap();
    assert_eq!(metadata.usage.unwrap().output_tokens, Some(11));
    assert_eq!(metadata.metrics, Some(json!({"latencyMs": 420})));
    assert_eq!(chunk.invocation_metrics, Some(invocation_metrics()));
}
