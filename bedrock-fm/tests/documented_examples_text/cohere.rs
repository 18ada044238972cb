//! Cohere Command, and Command R and R+.

use crate::documented::{check_request, parse, with_unknown_field};
use crate::invocation_metrics;
use bedrock_fm::bodies::command::*;
use bedrock_fm::bodies::command_r::*;
use serde_json::json;
use std::collections::BTreeMap;

/// The `prompt` variable of the Cohere Command code example (triple-quoted, verbatim).
const COMMAND_PROMPT: &str = "Summarize this dialogue: \n\"Customer: Please connect me with a support agent.\nAI: Hi there, how can I assist you today?\nCustomer: I forgot my password and lost access to the email affiliated to my account. Can you please help me?\nAI: Yes of course. First I'll need to confirm your identity and then I can connect you with one of our support agents.\n";

#[test]
fn command() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command.html
    // ("Code example": the `json.dumps` body, `prompt` = the variable above; `p` is sent as
    // the integer 1, which equals 1.0).
    let documented = json!({
        "prompt": COMMAND_PROMPT,
        "max_tokens": 200,
        "temperature": 0.6,
        "p": 1,
        "k": 0,
        "num_generations": 2,
        "return_likelihoods": "GENERATION"
    });
    let built = CommandRequest::builder()
        .prompt(COMMAND_PROMPT)
        .max_tokens(200)
        .temperature(0.6)
        .p(1.0)
        .k(0)
        .num_generations(2)
        .return_likelihoods(bedrock_fm::bodies::command::CommandReturnLikelihoods::Generation)
        .build()
        .unwrap();
    check_request(&built, CommandRequest::spec(), documented);

    // The template's `logit_bias` (`{token_id: bias}`) and `stream`.
    let documented = json!({"prompt": "Hello", "stream": true, "logit_bias": {"11": -10.0}});
    let built = CommandRequest::builder()
        .prompt("Hello")
        .stream(true)
        .logit_bias(BTreeMap::from([("11".to_owned(), -10.0)]))
        .build()
        .unwrap();
    check_request(&built, CommandRequest::spec(), documented);
}

#[test]
fn command_response_and_stream_chunk() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command.html
    // ("Response" template, placeholders filled; two generations with likelihoods, as the
    // code example asks for).
    let documented = json!({
        "generations": [
            {
                "finish_reason": "COMPLETE",
                "id": "a1b2c3",
                "text": " The customer lost access to their account.",
                "likelihood": -1.25,
                "token_likelihoods": [{"token": " The", "likelihood": -0.5}]
            },
            {
                "finish_reason": "MAX_TOKENS",
                "id": "d4e5f6",
                "text": " A customer asks for help.",
                "likelihood": -1.5,
                "token_likelihoods": [{"token": " A", "likelihood": -0.75}]
            }
        ],
        "id": "req-123",
        "prompt": COMMAND_PROMPT
    });
    let response: CommandResponse = parse(&documented);
    assert_eq!(response.id, "req-123");
    assert_eq!(response.prompt.as_deref(), Some(COMMAND_PROMPT));
    assert_eq!(response.generations.len(), 2);
    let first = &response.generations[0];
    assert_eq!(first.text, " The customer lost access to their account.");
    assert_eq!(first.finish_reason, Some(CommandFinishReason::Complete));
    assert_eq!(first.likelihood, Some(-1.25));
    assert_eq!(first.token_likelihoods.as_ref().unwrap()[0].token, " The");
    assert_eq!(
        response.generations[1].finish_reason,
        Some(CommandFinishReason::MaxTokens)
    );
    let response: CommandResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));

    // Doc-described chunk (`stream: true`): `text`, `is_finished`, and on the last one
    // `finish_reason`.
    let chunk: CommandStreamChunk = parse(&json!({
        "text": " account.",
        "is_finished": true,
        "finish_reason": "COMPLETE",
        "amazon-bedrock-invocationMetrics": invocation_metrics()
    }));
    assert_eq!(chunk.text.as_deref(), Some(" account."));
    assert_eq!(chunk.is_finished, Some(true));
    assert_eq!(chunk.finish_reason, Some(CommandFinishReason::Complete));
    assert_eq!(chunk.invocation_metrics, Some(invocation_metrics()));
}

// ------------------------------------------------------------------------------------------
// Cohere Command R and R+
// ------------------------------------------------------------------------------------------

#[test]
fn command_r() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command-r-plus.html
    // ("Code example": the `json.dumps` body, `message` and `chat_history` = the page's
    // variables).
    let documented = json!({
        "message": "What are some skills I should have?",
        "chat_history": [
            {"role": "USER", "message": "What is an interesting new role in AI if I don't have an ML background?"},
            {"role": "CHATBOT", "message": "You could explore being a prompt engineer!"}
        ],
        "max_tokens": 2000,
        "temperature": 0.6,
        "p": 0.5,
        "k": 250
    });
    let built = CommandRRequest::builder()
        .message("What are some skills I should have?")
        .chat_history([
            CommandRChatMessage::builder()
                .role(CommandRChatMessageRole::User)
                .message("What is an interesting new role in AI if I don't have an ML background?")
                .build()
                .unwrap(),
            CommandRChatMessage::builder()
                .role(CommandRChatMessageRole::Chatbot)
                .message("You could explore being a prompt engineer!")
                .build()
                .unwrap(),
        ])
        .max_tokens(2000)
        .temperature(0.6)
        .p(0.5)
        .k(250)
        .build()
        .unwrap();
    check_request(&built, CommandRRequest::spec(), documented);
}

#[test]
fn command_r_tools_and_documents() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command-r-plus.html
    // (the `documents`, `tools` and `tool_results` examples, verbatim, in one request).
    let documented = json!({
        "message": "What is the most popular song on WZPZ?",
        "documents": [
            {"title": "Tall penguins", "snippet": "Emperor penguins are the tallest."},
            {"title": "Penguin habitats", "snippet": "Emperor penguins only live in Antarctica."}
        ],
        "tools": [
            {
                "name": "top_song",
                "description": "Get the most popular song played on a radio station.",
                "parameter_definitions": {
                    "sign": {
                        "description": "The call sign for the radio station for which you want the most popular song. Example calls signs are WZPZ and WKRP.",
                        "type": "str",
                        "required": true
                    }
                }
            }
        ],
        "tool_results": [
            {
                "call": {
                    "name": "top_song",
                    "parameters": {
                        "sign": "WZPZ"
                    }
                },
                "outputs": [
                    {
                        "song": "Elemental Hotel"
                    }
                ]
            }
        ]
    });
    let sign = CommandRParameterDefinition::builder()
        .description("The call sign for the radio station for which you want the most popular song. Example calls signs are WZPZ and WKRP.")
        .kind("str")
        .required(true)
        .build()
        .unwrap();
    let built = CommandRRequest::builder()
        .message("What is the most popular song on WZPZ?")
        .documents([
            json!({"title": "Tall penguins", "snippet": "Emperor penguins are the tallest."}),
            json!({"title": "Penguin habitats", "snippet": "Emperor penguins only live in Antarctica."}),
        ])
        .tools([CommandRTool::builder()
            .name("top_song")
            .description("Get the most popular song played on a radio station.")
            .parameter_definitions(BTreeMap::from([("sign".to_owned(), sign)]))
            .build()
            .unwrap()])
        .tool_results([CommandRToolResult::builder()
            .call(
                CommandRToolCall::builder()
                    .name("top_song")
                    .parameters(json!({"sign": "WZPZ"}))
                    .build()
                    .unwrap(),
            )
            .outputs([json!({"song": "Elemental Hotel"})])
            .build()
            .unwrap()])
        .build()
        .unwrap();
    check_request(&built, CommandRRequest::spec(), documented);
}

#[test]
fn command_r_response_and_stream_chunk() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command-r-plus.html
    // (response template, placeholders filled; `tool_calls` is the page's example, verbatim).
    let documented = json!({
        "response_id": "resp-1",
        "text": "",
        "generation_id": "gen-1",
        "finish_reason": "COMPLETE",
        "tool_calls": [
            {
                "name": "top_song",
                "parameters": {
                    "sign": "WZPZ"
                }
            }
        ],
        "meta": {
            "api_version": {"version": "1"},
            "billed_units": {"input_tokens": 682, "output_tokens": 24}
        }
    });
    let response: CommandRResponse = parse(&documented);
    assert_eq!(response.response_id.as_deref(), Some("resp-1"));
    assert_eq!(response.text.as_deref(), Some(""));
    assert_eq!(response.finish_reason, Some(CommandRFinishReason::Complete));
    let call = &response.tool_calls.as_ref().unwrap()[0];
    assert_eq!(call.name, "top_song");
    assert_eq!(call.parameters, Some(json!({"sign": "WZPZ"})));
    let billed = response
        .meta
        .as_ref()
        .unwrap()
        .billed_units
        .as_ref()
        .unwrap();
    assert_eq!(
        (billed.input_tokens, billed.output_tokens),
        (Some(682), Some(24))
    );
    let response: CommandRResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));

    // Doc-described chunk (Cohere chat stream events): a text-generation event.
    let chunk: CommandRStreamChunk = parse(&json!({
        "is_finished": false,
        "event_type": "text-generation",
        "text": "Prompt engineering"
    }));
    assert_eq!(chunk.is_finished, Some(false));
    assert_eq!(chunk.event_type.as_deref(), Some("text-generation"));
    assert_eq!(chunk.text.as_deref(), Some("Prompt engineering"));
}
