//! Mistral AI text completion and chat completion.

use crate::documented::{check_request, parse, with_unknown_field};
use bedrock_fm::bodies::mistral::*;
use bedrock_fm::bodies::mistral_chat::*;
use serde_json::json;

#[test]
fn mistral() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html
    // No literal JSON on the page: the request template (`prompt`, `max_tokens`, `stop`,
    // `temperature`, `top_p`, `top_k`) with the page's example prompt and the documented
    // Mistral 7B defaults (512, 0.5, 0.9, 50).
    let documented = json!({
        "prompt": "<s>[INST] What is your favourite condiment? [/INST]",
        "max_tokens": 512,
        "temperature": 0.5,
        "top_p": 0.9,
        "top_k": 50
    });
    let built = MistralRequest::builder()
        .prompt("<s>[INST] What is your favourite condiment? [/INST]")
        .max_tokens(512)
        .temperature(0.5)
        .top_p(0.9)
        .top_k(50)
        .build()
        .unwrap();
    check_request(&built, MistralRequest::spec(), documented);
}

#[test]
fn mistral_response_and_stream_chunk() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html
    // (response template `{"outputs": [{"text": string, "stop_reason": string}]}`; the text is
    // the answer of the page's multi-turn prompt example).
    let documented = json!({
        "outputs": [{
            "text": "Well, I'm quite partial to a good squeeze of fresh lemon juice. It adds just the right amount of zesty flavour to whatever I'm cooking up in the kitchen!",
            "stop_reason": "stop"
        }]
    });
    let response: MistralResponse = parse(&documented);
    assert!(
        response.outputs[0]
            .text
            .starts_with("Well, I'm quite partial")
    );
    assert_eq!(
        response.outputs[0].stop_reason,
        Some(MistralStopReason::Stop)
    );
    assert!(response.extra.is_empty());
    let response: MistralResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));

    // Doc-described chunk: the same `outputs` shape, one fragment per chunk.
    let chunk: MistralStreamChunk = parse(&json!({
        "outputs": [{"text": " lemon juice", "stop_reason": null}]
    }));
    let outputs = chunk.outputs.unwrap();
    assert_eq!(outputs[0].text, " lemon juice");
    assert_eq!(outputs[0].stop_reason, None);
}

// ------------------------------------------------------------------------------------------
// Mistral AI chat completion
// ------------------------------------------------------------------------------------------

fn payment_tool(name: &str, description: &str) -> MistralChatTool {
    MistralChatTool::builder()
        .kind(MistralChatToolKind::Function)
        .function(
            MistralChatFunction::builder()
                .name(name)
                .description(description)
                .parameters(json!({
                    "type": "object",
                    "properties": {
                        "transaction_id": {"type": "string", "description": "The transaction id."}
                    },
                    "required": ["transaction_id"]
                }))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

#[test]
fn mistral_chat() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-large-2407.html
    // ("Request": the invoke_model body, Python trailing commas dropped).
    let documented = json!({ "messages": [ { "role": "user", "content": "which llm are you?" } ] });
    let built = MistralChatRequest::builder()
        .messages([MistralChatMessage::builder()
            .role(MistralChatMessageRole::User)
            .content("which llm are you?")
            .build()
            .unwrap()])
        .build()
        .unwrap();
    check_request(&built, MistralChatRequest::spec(), documented);

    // Source: same page ("Tooling": `{"messages": message, "tools": tools}` with the page's
    // `message` and `tools` values substituted, Python trailing commas dropped).
    let documented = json!({
        "messages": [{"role": "user", "content": "What's the status of my transaction T1001?"}],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "retrieve_payment_status",
                    "description": "Get payment status of a transaction",
                    "parameters": {
                        "type": "object",
                        "properties": {
                            "transaction_id": {
                                "type": "string",
                                "description": "The transaction id."
                            }
                        },
                        "required": ["transaction_id"]
                    }
                }
            },
            {
                "type": "function",
                "function": {
                    "name": "retrieve_payment_date",
                    "description": "Get payment date of a transaction",
                    "parameters": {
                        "type": "object",
                        "properties": {
                            "transaction_id": {
                                "type": "string",
                                "description": "The transaction id."
                            }
                        },
                        "required": ["transaction_id"]
                    }
                }
            }
        ]
    });
    let built = MistralChatRequest::builder()
        .messages([MistralChatMessage::builder()
            .role(MistralChatMessageRole::User)
            .content("What's the status of my transaction T1001?")
            .build()
            .unwrap()])
        .tools([
            payment_tool(
                "retrieve_payment_status",
                "Get payment status of a transaction",
            ),
            payment_tool("retrieve_payment_date", "Get payment date of a transaction"),
        ])
        .build()
        .unwrap();
    check_request(&built, MistralChatRequest::spec(), documented);

    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-chat-completion.html
    // (the `messages` example, verbatim).
    let documented =
        json!([ { "role": "user", "content": "What is the most popular song on WZPZ?" } ]);
    let built = MistralChatMessage::builder()
        .role(MistralChatMessageRole::User)
        .content("What is the most popular song on WZPZ?")
        .build()
        .unwrap();
    check_request(&built, MistralChatMessage::spec(), documented[0].clone());
}

#[test]
fn mistral_chat_response_and_stream_chunk() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-chat-completion.html
    // (response template `{"choices": [{"index": 0, "message": {"role": "assistant",
    // "content": str, "tool_calls": [...]}, "stop_reason": "stop"|"length"|"tool_calls"}]}`;
    // the tool call is the one the Mistral Large (24.07) "Tooling" example reads back).
    let documented = json!({
        "choices": [{
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "",
                "tool_calls": [{
                    "id": "v6RMMiRlT7ygYkT4uULjtg",
                    "function": {
                        "name": "retrieve_payment_status",
                        "arguments": "{\"transaction_id\": \"T1001\"}"
                    }
                }]
            },
            "stop_reason": "tool_calls"
        }]
    });
    let response: MistralChatResponse = parse(&documented);
    let choice = &response.choices[0];
    assert_eq!(choice.index, Some(0));
    assert_eq!(choice.stop_reason, Some(MistralChatStopReason::ToolCalls));
    let message = choice.message.as_ref().unwrap();
    assert_eq!(message.role, MistralChatMessageRole::Assistant);
    let call = &message.tool_calls.as_ref().unwrap()[0];
    assert_eq!(call.id, "v6RMMiRlT7ygYkT4uULjtg");
    assert_eq!(call.function.name, "retrieve_payment_status");
    assert_eq!(call.function.arguments, "{\"transaction_id\": \"T1001\"}");
    let response: MistralChatResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));

    // Doc-described chunk (the invoke_model_with_response_stream example prints each chunk):
    // the `choices` shape, one fragment per chunk.
    let chunk: MistralChatStreamChunk = parse(&json!({
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": "Comté"},
            "stop_reason": null
        }]
    }));
    let choices = chunk.choices.unwrap();
    assert_eq!(
        choices[0].message.as_ref().unwrap().content,
        Some(json!("Comté"))
    );
    assert_eq!(choices[0].stop_reason, None);
}
