//! The documented examples of the text families, checked against the generated bodies.
//!
//! For every family: the documented request example is rebuilt with the generated builders
//! and must serialize to exactly the documented JSON (numbers compare by value, since JSON
//! does not tell `1` from `1.0`), the family's request spec must accept the documented JSON
//! with no violation, the documented JSON must deserialize back to the built request, the
//! documented response example must deserialize into the typed response, and, where the
//! family streams, a documented (or doc-described) stream chunk must deserialize too.
//!
//! Each example names the AWS page it comes from (`// Source:`). Where a page gives only a
//! schema template (`"temperature": float, ...`) or builds its body from variables, the
//! comment says how the example was assembled from the template and the page's code example.

use bedrock_fm::bodies::claude_messages::*;
use bedrock_fm::bodies::claude_text::*;
use bedrock_fm::bodies::command::*;
use bedrock_fm::bodies::command_r::*;
use bedrock_fm::bodies::jamba::*;
use bedrock_fm::bodies::jurassic::*;
use bedrock_fm::bodies::llama2_chat::*;
use bedrock_fm::bodies::llama3::*;
use bedrock_fm::bodies::mistral::*;
use bedrock_fm::bodies::mistral_chat::*;
use bedrock_fm::bodies::nova::*;
use bedrock_fm::bodies::titan_text::*;
use bedrock_fm::spec::Problem;

mod documented;
use documented::{check_request, parse, with_unknown_field};
use serde_json::{Value, json};
use std::collections::BTreeMap;

// ------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------

/// The last chunk of every InvokeModelWithResponseStream stream carries Bedrock's metrics
/// (see DESIGN.md, "Wire facts"); the values are illustrative.
fn invocation_metrics() -> Value {
    json!({
        "inputTokenCount": 12,
        "outputTokenCount": 30,
        "invocationLatency": 900,
        "firstByteLatency": 250
    })
}

// ------------------------------------------------------------------------------------------
// Amazon Titan Text
// ------------------------------------------------------------------------------------------

/// The `prompt` variable of the Titan Text Premier code example, character for character
/// (a Python triple-quoted string: its line breaks and indentation are part of the value).
const TITAN_PROMPT: &str = concat!(
    "Meeting transcript: Miguel: Hi Brant, I want to discuss the workstream  \n",
    "            for our new product launch Brant: Sure Miguel, is there anything in particular you want\n",
    "            to discuss? Miguel: Yes, I want to talk about how users enter into the product.\n",
    "            Brant: Ok, in that case let me add in Namita. Namita: Hey everyone \n",
    "            Brant: Hi Namita, Miguel wants to discuss how users enter into the product.\n",
    "            Miguel: its too complicated and we should remove friction.  \n",
    "            for example, why do I need to fill out additional forms?  \n",
    "            I also find it difficult to find where to access the product\n",
    "            when I first land on the landing page. Brant: I would also add that\n",
    "            I think there are too many steps. Namita: Ok, I can work on the\n",
    "            landing page to make the product more discoverable but brant\n",
    "            can you work on the additonal forms? Brant: Yes but I would need \n",
    "            to work with James from another team as he needs to unblock the sign up workflow.\n",
    "            Miguel can you document any other concerns so that I can discuss with James only once?\n",
    "            Miguel: Sure.\n",
    "            From the meeting transcript above, Create a list of action items for each person. ",
);

#[test]
fn titan_text() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html
    // ("Code examples", Titan Text Premier: the `json.dumps` body, `inputText` = the `prompt`
    // variable above).
    let documented = json!({
        "inputText": TITAN_PROMPT,
        "textGenerationConfig": {
            "maxTokenCount": 3072,
            "stopSequences": [],
            "temperature": 0.7,
            "topP": 0.9
        }
    });
    let built = TitanTextRequest::builder()
        .input_text(TITAN_PROMPT)
        .text_generation_config(
            TitanTextGenerationConfig::builder()
                .max_token_count(3072)
                .stop_sequences(Vec::<String>::new())
                .temperature(0.7)
                .top_p(0.9)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    check_request(&built, TitanTextRequest::spec(), documented);

    // Source: same page, Titan Text G1 - Express code example (integer `temperature` and
    // `topP`, which the spec accepts as numbers).
    let documented = json!({
        "inputText": TITAN_PROMPT,
        "textGenerationConfig": {
            "maxTokenCount": 4096,
            "stopSequences": [],
            "temperature": 0,
            "topP": 1
        }
    });
    let built = TitanTextRequest::builder()
        .input_text(TITAN_PROMPT)
        .text_generation_config(
            TitanTextGenerationConfig::builder()
                .max_token_count(4096)
                .stop_sequences(Vec::<String>::new())
                .temperature(0.0)
                .top_p(1.0)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    check_request(&built, TitanTextRequest::spec(), documented);
}

#[test]
fn titan_text_response_and_stream_chunk() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html
    // ("InvokeModel Response"). The page gives a template (`"tokenCount": int`); its
    // placeholders are filled here, `outputText` keeps the page's "\n<response>\n" shape and
    // `completionReason` is the documented FINISHED.
    let documented = json!({
        "inputTextTokenCount": 240,
        "results": [{
            "tokenCount": 118,
            "outputText": "\nMiguel: document other concerns.\n",
            "completionReason": "FINISHED"
        }]
    });
    let response: TitanTextResponse = parse(&documented);
    assert_eq!(response.input_text_token_count, 240);
    assert_eq!(response.results[0].token_count, 118);
    assert_eq!(
        response.results[0].output_text,
        "\nMiguel: document other concerns.\n"
    );
    assert_eq!(
        response.results[0].completion_reason,
        Some(TitanTextCompletionReason::Finished)
    );
    assert!(response.extra.is_empty());
    let response: TitanTextResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));

    // The service answers FINISH where the page says FINISHED (DESIGN.md, "Wire facts"); both
    // decode to their own variant, and a value nobody documented is kept.
    let mut finish = documented.clone();
    finish["results"][0]["completionReason"] = json!("FINISH");
    let response: TitanTextResponse = parse(&finish);
    assert_eq!(
        response.results[0].completion_reason,
        Some(TitanTextCompletionReason::Finish)
    );
    finish["results"][0]["completionReason"] = json!("SOMETHING_NEW");
    let response: TitanTextResponse = parse(&finish);
    assert_eq!(
        response.results[0].completion_reason,
        Some(TitanTextCompletionReason::Unknown("SOMETHING_NEW".into()))
    );

    // Source: same page ("InvokeModelWithResponseStream Response"): each chunk's decoded
    // `bytes` is `{"index", "inputTextTokenCount", "totalOutputTextTokenCount", "outputText",
    // "completionReason"}` (template; placeholders filled), the last one also carries the
    // invocation metrics.
    let chunk = json!({
        "index": 0,
        "inputTextTokenCount": 240,
        "totalOutputTextTokenCount": 118,
        "outputText": "\nMiguel: document other concerns.\n",
        "completionReason": "FINISHED",
        "amazon-bedrock-invocationMetrics": invocation_metrics()
    });
    let chunk: TitanTextStreamChunk = parse(&chunk);
    assert_eq!(chunk.index, Some(0));
    assert_eq!(chunk.input_text_token_count, Some(240));
    assert_eq!(chunk.total_output_text_token_count, Some(118));
    assert_eq!(chunk.output_text, "\nMiguel: document other concerns.\n");
    assert_eq!(
        chunk.completion_reason,
        Some(TitanTextCompletionReason::Finished)
    );
    assert_eq!(chunk.invocation_metrics, Some(invocation_metrics()));
    assert!(chunk.extra.is_empty());
}

// ------------------------------------------------------------------------------------------
// Anthropic Claude Text Completions
// ------------------------------------------------------------------------------------------

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

// ------------------------------------------------------------------------------------------
// Anthropic Claude Messages API
// ------------------------------------------------------------------------------------------

#[test]
fn claude_messages() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html
    // ("Multimodal prompts", verbatim).
    let documented = json!({ "anthropic_version": "bedrock-2023-05-31", "max_tokens": 1024, "messages": [ { "role": "user", "content": [ { "type": "image", "source": { "type": "base64", "media_type": "image/jpeg", "data": "iVBORw..." } }, { "type": "text", "text": "What's in these images?" } ] } ] });
    // `content` is free-form JSON in the catalog (a string or an array of blocks).
    let built = ClaudeMessagesRequest::builder()
        .anthropic_version("bedrock-2023-05-31")
        .max_tokens(1024)
        .messages([ClaudeMessagesMessage::builder()
            .role("user")
            .content(json!([
                {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "iVBORw..."}},
                {"type": "text", "text": "What's in these images?"}
            ]))
            .build()
            .unwrap()])
        .build()
        .unwrap();
    check_request(&built, ClaudeMessagesRequest::spec(), documented);

    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html
    // ("Effort parameter (beta)", verbatim).
    let documented = json!({
        "anthropic_version": "bedrock-2023-05-31",
        "anthropic_beta": [
            "effort-2025-11-24"
        ],
        "max_tokens": 4096,
        "output_config": {
            "effort": "medium"
        },
        "messages": [{
            "role": "user",
            "content": "Analyze this complex dataset and provide insights"
        }]
    });
    let built = ClaudeMessagesRequest::builder()
        .anthropic_version("bedrock-2023-05-31")
        .anthropic_beta(["effort-2025-11-24"])
        .max_tokens(4096)
        .output_config(
            ClaudeMessagesOutputConfig::builder()
                .effort("medium")
                .build()
                .unwrap(),
        )
        .messages([ClaudeMessagesMessage::builder()
            .role("user")
            .content("Analyze this complex dataset and provide insights")
            .build()
            .unwrap()])
        .build()
        .unwrap();
    check_request(&built, ClaudeMessagesRequest::spec(), documented);
}

#[test]
fn claude_messages_tool_use() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-tool-use.html
    // ("Fine-grained tool streaming" request, verbatim).
    let documented = json!({
      "anthropic_version": "bedrock-2023-05-31",
      "max_tokens": 1024,
      "anthropic_beta": ["fine-grained-tool-streaming-2025-05-14"],
      "messages": [
        {
          "role": "user",
          "content": "Can you write a long poem and make a file called poem.txt?"
        }
      ],
      "tools": [
        {
          "name": "make_file",
          "description": "Write text to a file",
          "input_schema": {
            "type": "object",
            "properties": {
              "filename": {
                "type": "string",
                "description": "The filename to write text to"
              },
              "lines_of_text": {
                "type": "array",
                "description": "An array of lines of text to write to the file"
              }
            },
            "required": [
              "filename",
              "lines_of_text"
            ]
          }
        }
      ]
    });
    let built = ClaudeMessagesRequest::builder()
        .anthropic_version("bedrock-2023-05-31")
        .max_tokens(1024)
        .anthropic_beta(["fine-grained-tool-streaming-2025-05-14"])
        .messages([ClaudeMessagesMessage::builder()
            .role("user")
            .content("Can you write a long poem and make a file called poem.txt?")
            .build()
            .unwrap()])
        .tools([ClaudeMessagesTool::builder()
            .name("make_file")
            .description("Write text to a file")
            .input_schema(json!({
                "type": "object",
                "properties": {
                    "filename": {"type": "string", "description": "The filename to write text to"},
                    "lines_of_text": {"type": "array", "description": "An array of lines of text to write to the file"}
                },
                "required": ["filename", "lines_of_text"]
            }))
            .build()
            .unwrap()])
        .build()
        .unwrap();
    check_request(&built, ClaudeMessagesRequest::spec(), documented);

    // Source: same page ("Memory Tool (Beta)", "Example Request", verbatim): an
    // Anthropic-defined tool, typed by `type` and without a schema.
    let documented = json!({
        "max_tokens": 2048,
        "anthropic_version": "bedrock-2023-05-31",
        "anthropic_beta": ["context-management-2025-06-27"],
        "tools": [{
            "type": "memory_20250818",
            "name": "memory"
        }],
        "messages": [
            {
                "role": "user",
                "content": [{"type": "text", "text": "Remember that my favorite color is blue and I work at Amazon?"}]
            }
        ]
    });
    let built = ClaudeMessagesRequest::builder()
        .max_tokens(2048)
        .anthropic_version("bedrock-2023-05-31")
        .anthropic_beta(["context-management-2025-06-27"])
        .tools([ClaudeMessagesTool::builder()
            .kind("memory_20250818")
            .name("memory")
            .build()
            .unwrap()])
        .messages([ClaudeMessagesMessage::builder()
            .role("user")
            .content(json!([{"type": "text", "text": "Remember that my favorite color is blue and I work at Amazon?"}]))
            .build()
            .unwrap()])
        .build()
        .unwrap();
    check_request(&built, ClaudeMessagesRequest::spec(), documented);

    // Source: same page: the user turn that returns the tool result (verbatim), as a message.
    let documented = json!({
        "role": "user",
        "content": [
            {
                "type": "tool_result",
                "tool_use_id": "toolu_bdrk_01SnXQc6YVWD8Dom5jz7KhHy",
                "content": "Elemental Hotel"
            }
        ]
    });
    let built = ClaudeMessagesMessage::builder()
        .role("user")
        .content(documented["content"].clone())
        .build()
        .unwrap();
    check_request(&built, ClaudeMessagesMessage::spec(), documented.clone());
    // Its block is a typed tool result once decoded.
    let block: ClaudeMessagesContentBlock = parse(&documented["content"][0]);
    match block {
        ClaudeMessagesContentBlock::ToolResult(r) => {
            assert_eq!(r.tool_use_id, "toolu_bdrk_01SnXQc6YVWD8Dom5jz7KhHy");
            assert_eq!(r.content, Some(json!("Elemental Hotel")));
        }
        other => panic!("not a tool_result: {other:?}"),
    }
}

#[test]
fn claude_messages_tool_search_and_tool_examples() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-tool-use.html
    // ("Tool search tool (beta)", "Request example", verbatim): deferred tools carry
    // `defer_loading`.
    let documented = json!({
        "anthropic_version": "bedrock-2023-05-31",
        "anthropic_beta": [
            "tool-search-tool-2025-10-19"
        ],
        "max_tokens": 4096,
        "tools": [{
                "type": "tool_search_tool_regex",
                "name": "tool_search_tool_regex"
            },
            {
                "name": "get_weather",
                "description": "Get current weather for a location",
                "input_schema": {
                    "type": "object",
                    "properties": {
                        "location": {
                            "type": "string"
                        },
                        "unit": {
                            "type": "string",
                            "enum": ["celsius", "fahrenheit"]
                        }
                    },
                    "required": ["location"]
                },
                "defer_loading": true
            },
            {
                "name": "search_files",
                "description": "Search through files in the workspace",
                "input_schema": {
                    "type": "object",
                    "properties": {
                        "query": {
                            "type": "string"
                        },
                        "file_types": {
                            "type": "array",
                            "items": {
                                "type": "string"
                            }
                        }
                    },
                    "required": ["query"]
                },
                "defer_loading": true
            }
        ],
        "messages": [{
            "role": "user",
            "content": "What's the weather in Seattle?"
        }]
    });
    let built = ClaudeMessagesRequest::builder()
        .anthropic_version("bedrock-2023-05-31")
        .anthropic_beta(["tool-search-tool-2025-10-19"])
        .max_tokens(4096)
        .tools([
            ClaudeMessagesTool::builder()
                .kind("tool_search_tool_regex")
                .name("tool_search_tool_regex")
                .build()
                .unwrap(),
            ClaudeMessagesTool::builder()
                .name("get_weather")
                .description("Get current weather for a location")
                .input_schema(json!({
                    "type": "object",
                    "properties": {
                        "location": {"type": "string"},
                        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}
                    },
                    "required": ["location"]
                }))
                .defer_loading(true)
                .build()
                .unwrap(),
            ClaudeMessagesTool::builder()
                .name("search_files")
                .description("Search through files in the workspace")
                .input_schema(json!({
                    "type": "object",
                    "properties": {
                        "query": {"type": "string"},
                        "file_types": {"type": "array", "items": {"type": "string"}}
                    },
                    "required": ["query"]
                }))
                .defer_loading(true)
                .build()
                .unwrap(),
        ])
        .messages([ClaudeMessagesMessage::builder()
            .role("user")
            .content("What's the weather in Seattle?")
            .build()
            .unwrap()])
        .build()
        .unwrap();
    check_request(&built, ClaudeMessagesRequest::spec(), documented);

    // Source: same page ("Tool use examples (beta)", "Tool definition example", verbatim).
    let documented = json!({
        "name": "get_weather",
        "description": "Get the current weather in a given location",
        "input_schema": {
            "type": "object",
            "properties": {
                "location": {
                    "type": "string",
                    "description": "The city and state, e.g. San Francisco, CA"
                },
                "unit": {
                    "type": "string",
                    "enum": ["celsius", "fahrenheit"],
                    "description": "Temperature unit"
                }
            },
            "required": ["location"]
        },
        "input_examples": [{
                "location": "San Francisco, CA",
                "unit": "fahrenheit"
            },
            {
                "location": "Tokyo, Japan",
                "unit": "celsius"
            },
            {
                "location": "New York, NY"
            }
        ]
    });
    let built = ClaudeMessagesTool::builder()
        .name("get_weather")
        .description("Get the current weather in a given location")
        .input_schema(documented["input_schema"].clone())
        .input_examples([
            json!({"location": "San Francisco, CA", "unit": "fahrenheit"}),
            json!({"location": "Tokyo, Japan", "unit": "celsius"}),
            json!({"location": "New York, NY"}),
        ])
        .build()
        .unwrap();
    check_request(&built, ClaudeMessagesTool::spec(), documented);

    // Source: same page ("Cost considerations for tool use": the tool choices are "auto or
    // none" and "any or tool").
    for kind in ["auto", "none", "any"] {
        let built = ClaudeMessagesToolChoice::builder()
            .kind(kind)
            .build()
            .unwrap();
        check_request(
            &built,
            ClaudeMessagesToolChoice::spec(),
            json!({"type": kind}),
        );
    }
    let built = ClaudeMessagesToolChoice::builder()
        .kind("tool")
        .name("top_song")
        .build()
        .unwrap();
    check_request(
        &built,
        ClaudeMessagesToolChoice::spec(),
        json!({"type": "tool", "name": "top_song"}),
    );

    // Source: same page ("Streaming example", event 1, verbatim without its `#` comment):
    // a content block type the catalog does not describe is kept as received.
    let chunk: ClaudeMessagesStreamChunk = parse(&json!({
        "type": "content_block_start",
        "index": 0,
        "content_block": {
            "type": "server_tool_use",
            "id": "srvtoolu_01ABC123",
            "name": "tool_search_tool_regex"
        }
    }));
    let block = chunk.content_block.unwrap();
    assert_eq!(block.tag(), Some("server_tool_use"));
    match block {
        ClaudeMessagesContentBlock::Unknown(v) => assert_eq!(v["id"], "srvtoolu_01ABC123"),
        other => panic!("not kept as unknown: {other:?}"),
    }
}

#[test]
fn claude_messages_response() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-tool-use.html
    // (the response requesting the tool, verbatim).
    let documented = json!({
        "id": "msg_bdrk_01USsY5m3XRUF4FCppHP8KBx",
        "type": "message",
        "role": "assistant",
        "model": "claude-3-sonnet-20240229",
        "stop_sequence": null,
        "usage": {
            "input_tokens": 375,
            "output_tokens": 36
        },
        "content": [
            {
                "type": "tool_use",
                "id": "toolu_bdrk_01SnXQc6YVWD8Dom5jz7KhHy",
                "name": "top_song",
                "input": {
                    "sign": "WZPZ"
                }
            }
        ],
        "stop_reason": "tool_use"
    });
    let response: ClaudeMessagesResponse = parse(&documented);
    assert_eq!(
        response.id.as_deref(),
        Some("msg_bdrk_01USsY5m3XRUF4FCppHP8KBx")
    );
    assert_eq!(response.model.as_deref(), Some("claude-3-sonnet-20240229"));
    assert_eq!(response.kind, "message");
    assert_eq!(response.role, "assistant");
    assert_eq!(
        response.stop_reason,
        Some(ClaudeMessagesStopReason::ToolUse)
    );
    assert_eq!(response.stop_sequence, None);
    let usage = response.usage.as_ref().unwrap();
    assert_eq!(
        (usage.input_tokens, usage.output_tokens),
        (Some(375), Some(36))
    );
    match &response.content[..] {
        [ClaudeMessagesContentBlock::ToolUse(t)] => {
            assert_eq!(t.id, "toolu_bdrk_01SnXQc6YVWD8Dom5jz7KhHy");
            assert_eq!(t.name, "top_song");
            assert_eq!(t.input, json!({"sign": "WZPZ"}));
        }
        other => panic!("not one tool_use block: {other:?}"),
    }
    assert!(response.extra.is_empty());

    // Source: same page, the final response (verbatim; it has no `usage`).
    let documented = json!({
        "id": "msg_bdrk_012AaqvTiKuUSc6WadhUkDLP",
        "type": "message",
        "role": "assistant",
        "model": "claude-3-sonnet-20240229",
        "content": [
            {
                "type": "text",
                "text": "According to the tool, the most popular song played on radio station WZPZ is \"Elemental Hotel\"."
            }
        ],
        "stop_reason": "end_turn"
    });
    let response: ClaudeMessagesResponse = parse(&documented);
    assert_eq!(
        response.stop_reason,
        Some(ClaudeMessagesStopReason::EndTurn)
    );
    assert_eq!(response.usage, None);
    match &response.content[..] {
        [ClaudeMessagesContentBlock::Text(t)] => assert_eq!(
            t.text,
            "According to the tool, the most popular song played on radio station WZPZ is \"Elemental Hotel\"."
        ),
        other => panic!("not one text block: {other:?}"),
    }

    // Source: same page ("Memory Tool (Beta)", "Example Response", verbatim): cache token
    // counts, and `context_management`, which the catalog does not describe and which is
    // kept in `extra`.
    let documented = json!({
        "id": "msg_vrtx_014mQ5ficCRB6PEa5k5sKqHd",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-20250514",
        "content": [
            {
                "type": "text",
                "text": "I'll start by checking your memory directory and then record this important information about you."
            },
            {
                "type": "tool_use",
                "id": "toolu_vrtx_01EU1UrCDigyPMRntr3VYvUB",
                "name": "memory",
                "input": {
                    "command": "view",
                    "path": "/memories"
                }
            }
        ],
        "stop_reason": "tool_use",
        "stop_sequence": null,
        "usage": {
            "input_tokens": 1403,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": 87
        },
        "context_management": {
            "applied_edits": []
        }
    });
    let response: ClaudeMessagesResponse = parse(&documented);
    assert_eq!(response.content.len(), 2);
    assert_eq!(response.content[0].tag(), Some("text"));
    assert_eq!(response.content[1].tag(), Some("tool_use"));
    let usage = response.usage.as_ref().unwrap();
    assert_eq!(usage.input_tokens, Some(1403));
    assert_eq!(usage.output_tokens, Some(87));
    assert_eq!(usage.cache_creation_input_tokens, Some(0));
    assert_eq!(usage.cache_read_input_tokens, Some(0));
    assert_eq!(
        response.extra["context_management"],
        json!({"applied_edits": []})
    );
}

#[test]
fn claude_messages_stream_chunks() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-tool-use.html
    // ("Automatic tool call clearing", "Streaming Response": the `data:` events, verbatim).
    // Its abridged `message_start` (a message without `model` and `content`, which every
    // real message_start carries) is not checked here.
    let start: ClaudeMessagesStreamChunk = parse(
        &json!({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "toolu_456", "name": "data_analyzer", "input": {}}}),
    );
    assert_eq!(start.kind, ClaudeMessagesStreamEventType::ContentBlockStart);
    assert_eq!(start.index, Some(0));
    match start.content_block {
        Some(ClaudeMessagesContentBlock::ToolUse(t)) => {
            assert_eq!(
                (t.id.as_str(), t.name.as_str()),
                ("toolu_456", "data_analyzer")
            );
            assert_eq!(t.input, json!({}));
        }
        other => panic!("not a tool_use block: {other:?}"),
    }

    let delta: ClaudeMessagesStreamChunk = parse(
        &json!({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": "{\"data\": \"sample"}}),
    );
    assert_eq!(delta.kind, ClaudeMessagesStreamEventType::ContentBlockDelta);
    let d = delta.delta.unwrap();
    assert_eq!(d.kind, Some(ClaudeMessagesDeltaType::InputJsonDelta));
    assert_eq!(d.partial_json.as_deref(), Some("{\"data\": \"sample"));

    let stop: ClaudeMessagesStreamChunk = parse(&json!({"type": "content_block_stop", "index": 0}));
    assert_eq!(stop.kind, ClaudeMessagesStreamEventType::ContentBlockStop);

    let message_delta: ClaudeMessagesStreamChunk =
        parse(&json!({"type": "message_delta", "delta": {"stop_reason": "tool_use"}}));
    assert_eq!(
        message_delta.kind,
        ClaudeMessagesStreamEventType::MessageDelta
    );
    assert_eq!(
        message_delta.delta.unwrap().stop_reason,
        Some(ClaudeMessagesStopReason::ToolUse)
    );

    // The last event, with the metrics Bedrock adds to it.
    let message_stop: ClaudeMessagesStreamChunk = parse(&json!({
        "type": "message_stop",
        "amazon-bedrock-invocationMetrics": invocation_metrics()
    }));
    assert_eq!(
        message_stop.kind,
        ClaudeMessagesStreamEventType::MessageStop
    );
    assert_eq!(message_stop.invocation_metrics, Some(invocation_metrics()));
    assert!(message_stop.extra.is_empty());
}

// ------------------------------------------------------------------------------------------
// Meta Llama 2 Chat
// ------------------------------------------------------------------------------------------

/// The Llama 2 Chat prompt the page gives as its example (system prompt included), as its
/// extracted text shows it (line breaks collapsed to spaces).
const LLAMA2_PROMPT: &str = "<s>[INST] <<SYS>> You are a helpful, respectful and honest assistant. Always answer as helpfully as possible, while being safe. Your answers should not include any harmful, unethical, racist, sexist, toxic, dangerous, or illegal content. Please ensure that your responses are socially unbiased and positive in nature. If a question does not make any sense, or is not factually coherent, explain why instead of answering something not correct. If you don't know the answer to a question, please don't share false information. <</SYS>> There's a llama in my garden What should I do? [/INST]";

#[test]
fn llama2_chat() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
    // (the Llama 2 section, since removed from the page). Built from the request template
    // `{"prompt": string, "temperature": float, "top_p": float, "max_gen_len": int}` with the
    // page's example Llama 2 Chat prompt and the documented defaults (0.5, 0.9, 512).
    let documented = json!({
        "prompt": LLAMA2_PROMPT,
        "temperature": 0.5,
        "top_p": 0.9,
        "max_gen_len": 512
    });
    let built = Llama2ChatRequest::builder()
        .prompt(LLAMA2_PROMPT)
        .temperature(0.5)
        .top_p(0.9)
        .max_gen_len(512)
        .build()
        .unwrap();
    check_request(&built, Llama2ChatRequest::spec(), documented);
}

#[test]
fn llama2_chat_response_and_stream_chunk() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
    // (response template `{"generation": "\n\n<response>", "prompt_token_count": int,
    // "generation_token_count": int, "stop_reason": string}`, placeholders filled).
    let documented = json!({
        "generation": "\n\nKeep calm and call a local animal control service.",
        "prompt_token_count": 116,
        "generation_token_count": 12,
        "stop_reason": "stop"
    });
    let response: Llama2ChatResponse = parse(&documented);
    assert_eq!(
        response.generation,
        "\n\nKeep calm and call a local animal control service."
    );
    assert_eq!(response.prompt_token_count, Some(116));
    assert_eq!(response.generation_token_count, Some(12));
    assert_eq!(response.stop_reason, Some(Llama2ChatStopReason::Stop));
    assert!(response.extra.is_empty());
    let response: Llama2ChatResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));

    // Doc-described chunk: a stream's chunks carry the same fields; the last one has the
    // stop reason and the invocation metrics.
    let chunk: Llama2ChatStreamChunk = parse(&json!({
        "generation": " service.",
        "prompt_token_count": null,
        "generation_token_count": 12,
        "stop_reason": "length",
        "amazon-bedrock-invocationMetrics": invocation_metrics()
    }));
    assert_eq!(chunk.generation.as_deref(), Some(" service."));
    assert_eq!(chunk.prompt_token_count, None);
    assert_eq!(chunk.generation_token_count, Some(12));
    assert_eq!(chunk.stop_reason, Some(Llama2ChatStopReason::Length));
    assert_eq!(chunk.invocation_metrics, Some(invocation_metrics()));
}

// ------------------------------------------------------------------------------------------
// Meta Llama 3 and later
// ------------------------------------------------------------------------------------------

/// The code example's `formatted_prompt` template (an f-string starting with a line break)
/// with the `prompt` of the AWS SDK Llama 3 example substituted.
const LLAMA3_PROMPT: &str = "\n<|begin_of_text|><|start_header_id|>user<|end_header_id|>\nDescribe the purpose of a 'hello world' program in one line.\n<|eot_id|>\n<|start_header_id|>assistant<|end_header_id|>\n";

#[test]
fn llama3() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
    // ("Example code": `native_request = {"prompt": formatted_prompt, "max_gen_len": 512,
    // "temperature": 0.5}`; no literal JSON on the page).
    let documented = json!({
        "prompt": LLAMA3_PROMPT,
        "max_gen_len": 512,
        "temperature": 0.5
    });
    let built = Llama3Request::builder()
        .prompt(LLAMA3_PROMPT)
        .max_gen_len(512)
        .temperature(0.5)
        .build()
        .unwrap();
    check_request(&built, Llama3Request::spec(), documented);
}

#[test]
fn llama3_response_and_stream_chunk() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
    // (response skeleton `{"generation": "\n\n<response>", "prompt_token_count": int,
    // "generation_token_count": int, "stop_reason": string}`, placeholders filled).
    let documented = json!({
        "generation": "\n\nA 'hello world' program shows the basic syntax of a language.",
        "prompt_token_count": 26,
        "generation_token_count": 15,
        "stop_reason": "stop"
    });
    let response: Llama3Response = parse(&documented);
    assert_eq!(
        response.generation,
        "\n\nA 'hello world' program shows the basic syntax of a language."
    );
    assert_eq!(response.prompt_token_count, Some(26));
    assert_eq!(response.generation_token_count, Some(15));
    assert_eq!(response.stop_reason, Some(Llama3StopReason::Stop));
    let response: Llama3Response = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));

    // Doc-described chunk: the streaming code example prints `chunk["generation"]`.
    let chunk: Llama3StreamChunk = parse(&json!({
        "generation": " program",
        "prompt_token_count": null,
        "generation_token_count": 4,
        "stop_reason": null
    }));
    assert_eq!(chunk.generation.as_deref(), Some(" program"));
    assert_eq!(chunk.generation_token_count, Some(4));
    assert_eq!(chunk.stop_reason, None);
    assert!(chunk.extra.is_empty());
}

// ------------------------------------------------------------------------------------------
// Mistral AI text completion
// ------------------------------------------------------------------------------------------

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
        .kind("function")
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
            .role("user")
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
            .role("user")
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
        .role("user")
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
    assert_eq!(message.role, "assistant");
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

// ------------------------------------------------------------------------------------------
// Cohere Command
// ------------------------------------------------------------------------------------------

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
                .role("USER")
                .message("What is an interesting new role in AI if I don't have an ML background?")
                .build()
                .unwrap(),
            CommandRChatMessage::builder()
                .role("CHATBOT")
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

// ------------------------------------------------------------------------------------------
// AI21 Labs Jurassic-2
// ------------------------------------------------------------------------------------------

#[test]
fn jurassic() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jurassic2.html
    // ("Code example": the `json.dumps` body, verbatim).
    let documented = json!({
        "prompt": "Translate to spanish: 'Amazon Bedrock is the easiest way to build and scale generative AI applications with base models (FMs)'.",
        "maxTokens": 200,
        "temperature": 0.5,
        "topP": 0.5
    });
    let built = JurassicRequest::builder()
        .prompt("Translate to spanish: 'Amazon Bedrock is the easiest way to build and scale generative AI applications with base models (FMs)'.")
        .max_tokens(200)
        .temperature(0.5)
        .top_p(0.5)
        .build()
        .unwrap();
    check_request(&built, JurassicRequest::spec(), documented);

    // Source: same page: the penalty objects of the request template, with the special-token
    // fields the page adds to `countPenalty` (values filled).
    let documented = json!({
        "prompt": "Hello",
        "countPenalty": {
            "scale": 0.5,
            "applyToWhitespaces": true,
            "applyToPunctuations": true,
            "applyToNumbers": false,
            "applyToStopwords": true,
            "applyToEmojis": true
        },
        "presencePenalty": {"scale": 1.0},
        "frequencyPenalty": {"scale": 100.0}
    });
    let built = JurassicRequest::builder()
        .prompt("Hello")
        .count_penalty(
            JurassicCountPenalty::builder()
                .scale(0.5)
                .apply_to_whitespaces(true)
                .apply_to_punctuations(true)
                .apply_to_numbers(false)
                .apply_to_stopwords(true)
                .apply_to_emojis(true)
                .build()
                .unwrap(),
        )
        .presence_penalty(
            JurassicPresencePenalty::builder()
                .scale(1.0)
                .build()
                .unwrap(),
        )
        .frequency_penalty(
            JurassicFrequencyPenalty::builder()
                .scale(100.0)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    check_request(&built, JurassicRequest::spec(), documented);
}

#[test]
fn jurassic_response() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jurassic2.html
    // The page defers to the AI21 API reference for the response and notes that Bedrock
    // returns `id` as an integer; its code example reads `completions[0].data.text`. Built
    // from that (J2 complete) format; values filled.
    let documented = json!({
        "id": 1234,
        "prompt": {"text": "Translate to spanish: ...", "tokens": []},
        "completions": [{
            "data": {
                "text": "\nAmazon Bedrock es la forma más fácil de crear y escalar aplicaciones de IA generativa.",
                "tokens": []
            },
            "finishReason": {"reason": "endoftext"}
        }]
    });
    let response: JurassicResponse = parse(&documented);
    assert_eq!(response.id, 1234);
    assert!(
        response.completions[0]
            .data
            .text
            .contains("Amazon Bedrock es")
    );
    assert_eq!(
        response.completions[0]
            .finish_reason
            .as_ref()
            .unwrap()
            .reason
            .as_deref(),
        Some("endoftext")
    );
    let response: JurassicResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));
}

// ------------------------------------------------------------------------------------------
// AI21 Labs Jamba
// ------------------------------------------------------------------------------------------

#[test]
fn jamba() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jamba.html
    // Assembled from the page's schema: the system message is its example system prompt
    // ("Required fields"), `n` and `max_tokens` are at their documented defaults. The page's
    // code example sends one user turn; its text could not be re-checked against a stored
    // copy of the page, so the user turn here is illustrative.
    let documented = json!({
        "messages": [
            {"role": "system", "content": "You are a helpful chatbot with a background in earth sciences and a charming French accent."},
            {"role": "user", "content": "which llm are you?"}
        ],
        "n": 1,
        "max_tokens": 4096
    });
    let built = JambaRequest::builder()
        .messages([
            JambaMessage::builder()
                .role("system")
                .content("You are a helpful chatbot with a background in earth sciences and a charming French accent.")
                .build()
                .unwrap(),
            JambaMessage::builder()
                .role("user")
                .content("which llm are you?")
                .build()
                .unwrap(),
        ])
        .n(1)
        .max_tokens(4096)
        .build()
        .unwrap();
    check_request(&built, JambaRequest::spec(), documented);
}

#[test]
fn jamba_response_and_stream_chunk() {
    // Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jamba.html
    // Built from the response fields the page describes (`id`, `choices` with `index`,
    // `message` and `finish_reason`, `usage`); its own example could not be re-checked
    // against a stored copy, so the values are illustrative.
    let documented = json!({
        "id": "chatcmpl-1",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": "Bonjour! I am Jamba, from AI21 Labs."},
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 38, "completion_tokens": 12, "total_tokens": 50}
    });
    let response: JambaResponse = parse(&documented);
    assert_eq!(response.id.as_deref(), Some("chatcmpl-1"));
    let choice = &response.choices[0];
    assert_eq!(
        choice.message.content.as_deref(),
        Some("Bonjour! I am Jamba, from AI21 Labs.")
    );
    assert_eq!(choice.finish_reason, Some(JambaFinishReason::Stop));
    let usage = response.usage.as_ref().unwrap();
    assert_eq!(
        (
            usage.prompt_tokens,
            usage.completion_tokens,
            usage.total_tokens
        ),
        (Some(38), Some(12), Some(50))
    );
    let response: JambaResponse = parse(&with_unknown_field(&documented));
    assert_eq!(response.extra["someFutureField"], json!({"added": "later"}));

    // Doc-described chunk: `choices[].delta` carries the new text, the last chunk the usage.
    let chunk: JambaStreamChunk = parse(&json!({
        "id": "chatcmpl-1",
        "choices": [{"index": 0, "delta": {"content": "Bonjour"}, "finish_reason": null}]
    }));
    let choices = chunk.choices.unwrap();
    assert_eq!(
        choices[0].delta.as_ref().unwrap().content.as_deref(),
        Some("Bonjour")
    );
    assert_eq!(choices[0].finish_reason, None);
}

// ------------------------------------------------------------------------------------------
// Amazon Nova (understanding models)
// ------------------------------------------------------------------------------------------

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
        .schema_version("messages-v1")
        .messages([NovaMessage::builder()
            .role("user")
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
        .format("png")
        .source(
            NovaImageSource::builder()
                .bytes("iVBORw0KGgo=")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let built = NovaRequest::builder()
        .schema_version("messages-v1")
        .messages([NovaMessage::builder()
            .role("user")
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
    assert_eq!(message.role, "assistant");
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

// ------------------------------------------------------------------------------------------
// Negative cases
// ------------------------------------------------------------------------------------------

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
        .anthropic_version("bedrock-2023-05-31")
        .max_tokens(1024)
        .messages([ClaudeMessagesMessage::builder()
            .role("user")
            .content("Hello, Claude")
            .build()
            .unwrap()])
        .top_k(501)
        .build()
        .unwrap_err();
    assert_eq!(err.field, "top_k");
    assert!(matches!(err.problem, Problem::OutOfRange { .. }));

    // A string outside its documented values.
    let err = ClaudeMessagesMessage::builder()
        .role("system")
        .content("Hello")
        .build()
        .unwrap_err();
    assert_eq!(err.field, "role");
    assert!(matches!(err.problem, Problem::NotAllowed { .. }));
}

#[test]
fn a_builder_rejects_a_missing_required_field_and_names_it() {
    let err = TitanTextRequest::builder().build().unwrap_err();
    assert_eq!(err.type_name, "TitanTextRequest");
    assert_eq!(err.field, "input_text");
    assert_eq!(err.problem, Problem::Missing);

    let err = ClaudeMessagesRequest::builder()
        .anthropic_version("bedrock-2023-05-31")
        .messages([ClaudeMessagesMessage::builder()
            .role("user")
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
