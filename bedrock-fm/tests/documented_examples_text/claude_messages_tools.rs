//! Anthropic Claude Messages API: tool use, tool search and tool examples.

use crate::documented::{check_request, parse};
use bedrock_fm::bodies::claude_messages::*;
use serde_json::json;

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
        .anthropic_version(ClaudeMessagesRequestAnthropicVersion::Bedrock20230531)
        .max_tokens(1024)
        .anthropic_beta(["fine-grained-tool-streaming-2025-05-14"])
        .messages([ClaudeMessagesMessage::builder()
            .role(ClaudeMessagesMessageRole::User)
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
        .anthropic_version(ClaudeMessagesRequestAnthropicVersion::Bedrock20230531)
        .anthropic_beta(["context-management-2025-06-27"])
        .tools([ClaudeMessagesTool::builder()
            .kind("memory_20250818")
            .name("memory")
            .build()
            .unwrap()])
        .messages([ClaudeMessagesMessage::builder()
            .role(ClaudeMessagesMessageRole::User)
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
        .role(ClaudeMessagesMessageRole::User)
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
        .anthropic_version(ClaudeMessagesRequestAnthropicVersion::Bedrock20230531)
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
            .role(ClaudeMessagesMessageRole::User)
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
            .kind(ClaudeMessagesToolChoiceKind::from(kind))
            .build()
            .unwrap();
        check_request(
            &built,
            ClaudeMessagesToolChoice::spec(),
            json!({"type": kind}),
        );
    }
    let built = ClaudeMessagesToolChoice::builder()
        .kind(ClaudeMessagesToolChoiceKind::Tool)
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
