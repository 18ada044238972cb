//! The conversation rules, replies, reasoning, caching and stream events of Converse.

use super::cache::*;
use super::*;
use crate::engine::Engine;
use crate::models::ModelCaps;
use crate::{media_check, prompt_cache};

fn caps() -> ModelCaps {
    ModelCaps::text_chat("test.model-v1:0", "test")
}

fn run(req: Value) -> Result<ConverseOutput, ServiceError> {
    let caps = caps();
    generate(&ConverseCall {
        model: &caps,
        model_id: "test.model-v1:0",
        request: &req,
        engine: Engine::new(0),
        streaming: false,
        prompt_cache: None,
    })
}

fn err(req: Value) -> String {
    run(req).unwrap_err().message.unwrap()
}

fn user(text: &str) -> Value {
    json!({"role": "user", "content": [{"text": text}]})
}

fn assistant(text: &str) -> Value {
    json!({"role": "assistant", "content": [{"text": text}]})
}

fn text_of(out: &ConverseOutput) -> String {
    out.blocks
        .iter()
        .filter_map(|b| match b {
            OutputBlock::Text { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn replies_with_text_that_depends_on_the_prompt() {
    let a = run(json!({"messages": [user("Tell me about rivers")]})).unwrap();
    assert!(text_of(&a).starts_with("Tell me about rivers."));
    assert_eq!(a.stop_reason, StopReason::EndTurn);
    assert_eq!(a.usage.input_tokens, 4);
    assert_eq!(a.usage.output_tokens, engine::count_tokens(&text_of(&a)));
    let b = run(json!({"messages": [user("Tell me about lakes")]})).unwrap();
    assert_ne!(text_of(&a), text_of(&b));
    // Same request, same reply.
    assert_eq!(
        a,
        run(json!({"messages": [user("Tell me about rivers")]})).unwrap()
    );
}

#[test]
fn honours_max_tokens_and_stop_sequences() {
    let out =
        run(json!({"messages": [user("one two three four")], "inferenceConfig": {"maxTokens": 2}}))
            .unwrap();
    assert_eq!(text_of(&out), "one two");
    assert_eq!(out.stop_reason, StopReason::MaxTokens);
    assert_eq!(out.usage.output_tokens, 2);
    let out = run(json!({"messages": [user("one two three four")], "inferenceConfig": {"stopSequences": ["three"]}})).unwrap();
    assert_eq!(text_of(&out), "one two ");
    assert_eq!(out.stop_reason, StopReason::StopSequence);
}

#[test]
fn conversation_rules() {
    assert!(
        err(json!({"messages": []})).starts_with("A conversation must start with a user message.")
    );
    assert!(
        err(json!({"messages": [assistant("hi")]}))
            .starts_with("A conversation must start with a user message.")
    );
    assert!(
        err(json!({"messages": [user("a"), user("b")]}))
            .starts_with("A conversation must alternate")
    );
    assert_eq!(
        err(json!({"messages": [user("a"), {"role": "assistant", "content": []}]})),
        "The content field in the Message object at messages.1 is empty. Add a ContentBlock object to the content field and try again."
    );
    assert_eq!(
        err(
            json!({"messages": [user("a"), {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t", "name": "f", "input": {}}}]}]})
        ),
        "The toolConfig field must be defined when using toolUse and toolResult content blocks."
    );
    assert!(
        err(json!({"messages": [user("a")], "inferenceConfig": {"maxTokens": 5000}}))
            .contains("exceeds the model limit of 4096")
    );
    // An assistant prefill as the last turn is accepted.
    assert!(run(json!({"messages": [user("a"), assistant("b")]})).is_ok());
}

#[test]
fn capabilities_are_enforced() {
    let mut caps = caps();
    caps.tool_use = false;
    caps.vision = false;
    let call = |req: &Value, caps: &ModelCaps, streaming| {
        generate(&ConverseCall {
            model: caps,
            model_id: "m",
            request: req,
            engine: Engine::default(),
            streaming,
            prompt_cache: None,
        })
    };
    let tools = json!({"messages": [user("x")], "toolConfig": {"tools": [{"toolSpec": {"name": "f", "inputSchema": {"json": {}}}}]}});
    assert_eq!(
        call(&tools, &caps, false).unwrap_err().message.unwrap(),
        "This model doesn't support tool use."
    );
    let image = json!({"messages": [{"role": "user", "content": [{"text": "what"}, {"image": {"format": "png", "source": {"bytes": "AAAA"}}}]}]});
    assert!(
        call(&image, &caps, false)
            .unwrap_err()
            .message
            .unwrap()
            .contains("image")
    );
    caps.converse = false;
    assert!(
        call(&json!({"messages": [user("x")]}), &caps, false)
            .unwrap_err()
            .message
            .unwrap()
            .starts_with("This action doesn't support the model")
    );
    let mut caps = self::caps();
    caps.streaming = false;
    assert!(call(&json!({"messages": [user("x")]}), &caps, true).is_err());
    assert!(call(&json!({"messages": [user("x")]}), &caps, false).is_ok());
}

fn weather_tools(choice: Value) -> Value {
    json!({"tools": [{"toolSpec": {"name": "get_weather", "description": "Weather for a city",
        "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"enum": ["C", "F"]}}, "required": ["city", "unit"]}}}}],
        "toolChoice": choice})
}

#[test]
fn calls_a_tool_when_asked() {
    let out = run(json!({"messages": [user("Use get_weather for Lisbon please")], "toolConfig": weather_tools(json!({"auto": {}}))})).unwrap();
    assert_eq!(out.stop_reason, StopReason::ToolUse);
    assert_eq!(out.blocks.len(), 2);
    let OutputBlock::ToolUse { id, name, input } = &out.blocks[1] else {
        panic!()
    };
    assert!(id.starts_with("tooluse_"));
    assert_eq!(name, "get_weather");
    assert_eq!(input["city"], "Lisbon");
    assert!(input["unit"] == "C" || input["unit"] == "F");
    // Not named, auto: text.
    let out =
        run(json!({"messages": [user("hello")], "toolConfig": weather_tools(json!({"auto": {}}))}))
            .unwrap();
    assert_eq!(out.stop_reason, StopReason::EndTurn);
    // Any: forced, no preface.
    let out =
        run(json!({"messages": [user("hello")], "toolConfig": weather_tools(json!({"any": {}}))}))
            .unwrap();
    assert_eq!(out.stop_reason, StopReason::ToolUse);
    assert_eq!(out.blocks.len(), 1);
    // After a tool result, auto answers in text.
    let out = run(json!({"messages": [
        user("Use get_weather for Lisbon"),
        {"role": "assistant", "content": [{"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Lisbon"}}}]},
        {"role": "user", "content": [{"toolResult": {"toolUseId": "tooluse_1", "content": [{"json": {"temp": 21}}]}}]}
    ], "toolConfig": weather_tools(json!({"auto": {}}))})).unwrap();
    assert_eq!(out.stop_reason, StopReason::EndTurn);
    // An unknown forced tool.
    assert!(err(json!({"messages": [user("x")], "toolConfig": weather_tools(json!({"tool": {"name": "nope"}}))})).contains("nope"));
}

#[test]
fn reasoning_block_when_enabled() {
    let out = run(json!({"messages": [user("why is the sky blue")],
        "additionalModelRequestFields": {"thinking": {"type": "enabled", "budget_tokens": 1024}}}))
    .unwrap();
    assert!(
        matches!(&out.blocks[0], OutputBlock::Reasoning { text, .. } if text.starts_with("Let me think"))
    );
    assert!(matches!(&out.blocks[1], OutputBlock::Text { .. }));
}

#[test]
fn events_are_in_bedrock_order() {
    let out = run(json!({"messages": [user("Use get_weather for Oslo")], "toolConfig": weather_tools(json!({"auto": {}}))})).unwrap();
    let ev = events(&out);
    let types: Vec<&str> = ev.iter().map(ConverseEvent::event_type).collect();
    assert_eq!(types[0], "messageStart");
    assert_eq!(types[types.len() - 2], "messageStop");
    assert_eq!(types[types.len() - 1], "metadata");
    // Block 0 (text): deltas then stop, no start. Block 1 (tool): start, deltas, stop.
    let starts: Vec<usize> = ev
        .iter()
        .filter_map(|e| match e {
            ConverseEvent::ContentBlockStart { index, .. } => Some(*index),
            _ => None,
        })
        .collect();
    assert_eq!(starts, vec![1]);
    let input: String = ev
        .iter()
        .filter_map(|e| match e {
            ConverseEvent::ContentBlockDelta { index: 1, delta } => {
                delta["toolUse"]["input"].as_str().map(str::to_owned)
            }
            _ => None,
        })
        .collect();
    let OutputBlock::ToolUse {
        input: expected, ..
    } = &out.blocks[1]
    else {
        panic!()
    };
    assert_eq!(serde_json::from_str::<Value>(&input).unwrap(), *expected);
    let text: String = ev
        .iter()
        .filter_map(|e| match e {
            ConverseEvent::ContentBlockDelta { index: 0, delta } => {
                delta["text"].as_str().map(str::to_owned)
            }
            _ => None,
        })
        .collect();
    assert_eq!(text, "I'll use the get_weather tool.");
}

#[test]
fn count_tokens_inputs() {
    assert_eq!(
        count_tokens_input(
            &json!({"converse": {"messages": [user("a b c")], "system": [{"text": "s"}]}})
        )
        .unwrap(),
        4
    );
    let body = base64::engine::general_purpose::STANDARD
        .encode(br#"{"prompt": "hello world", "max_tokens": 5}"#);
    assert_eq!(
        count_tokens_input(&json!({"invokeModel": {"body": body}})).unwrap(),
        2
    );
    let bad = base64::engine::general_purpose::STANDARD.encode(b"not json");
    assert!(count_tokens_input(&json!({"invokeModel": {"body": bad}})).is_err());
    let img = json!({"converse": {"messages": [{"role": "user", "content": [{"text": "x"}, {"image": {"format": "png", "source": {"bytes": "AAAA"}}}]}]}});
    assert_eq!(count_tokens_input(&img).unwrap(), 1 + MEDIA_BLOCK_TOKENS);
}

fn run_with(
    caps: &ModelCaps,
    req: &Value,
    cache: Option<&prompt_cache::PromptCache>,
) -> Result<ConverseOutput, ServiceError> {
    generate(&ConverseCall {
        model: caps,
        model_id: &caps.model_id,
        request: req,
        engine: Engine::new(0),
        streaming: false,
        prompt_cache: cache,
    })
}

fn catalog(id: &str) -> ModelCaps {
    crate::catalog_backend::caps_of(id.parse().unwrap())
}

fn long_text(words: usize) -> String {
    (0..words)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn cache_points_write_then_read_and_input_excludes_them() {
    let caps = catalog("anthropic.claude-3-7-sonnet-20250219-v1:0");
    let cache = prompt_cache::PromptCache::new();
    let system = long_text(1_100);
    let req = |q: &str| {
        json!({"system": [{"text": system}, {"cachePoint": {"type": "default"}}],
               "messages": [user(q)]})
    };
    let total = input_tokens(&req("What is in it?"));
    let first = run_with(&caps, &req("What is in it?"), Some(&cache)).unwrap();
    assert_eq!(first.usage.cache_write_input_tokens, Some(1_100));
    assert_eq!(first.usage.cache_read_input_tokens, Some(0));
    assert_eq!(first.usage.input_tokens, total - 1_100);
    let second = run_with(&caps, &req("Summarize it"), Some(&cache)).unwrap();
    assert_eq!(second.usage.cache_read_input_tokens, Some(1_100));
    assert_eq!(second.usage.cache_write_input_tokens, Some(0));
    assert_eq!(second.usage.input_tokens, 2);
    let json = second.usage.to_converse_json();
    assert_eq!(json["cacheReadInputTokens"], 1_100);
    assert_eq!(
        json["totalTokens"],
        2 + second.usage.output_tokens + 1_100,
        "{json}"
    );
    // Below the model's minimum: nothing cached, the figures are 0.
    let short = json!({"system": [{"text": "short"}, {"cachePoint": {"type": "default"}}], "messages": [user("hi")]});
    let out = run_with(&caps, &short, Some(&cache)).unwrap();
    assert_eq!(out.usage.cache_write_input_tokens, Some(0));
    // Messages and tools take checkpoints too.
    let tools = json!({"tools": [
        {"toolSpec": {"name": "lookup", "description": long_text(1_200), "inputSchema": {"json": {"type": "object"}}}},
        {"cachePoint": {"type": "default"}}
    ]});
    let req = json!({"messages": [user("hello")], "toolConfig": tools});
    let out = run_with(&caps, &req, Some(&cache)).unwrap();
    assert!(out.usage.cache_write_input_tokens.unwrap() > 1_200);
    let req = json!({"messages": [{"role": "user", "content": [{"text": long_text(1_500)}, {"cachePoint": {"type": "default"}}, {"text": "q"}]}]});
    assert_eq!(
        run_with(&caps, &req, Some(&cache))
            .unwrap()
            .usage
            .cache_write_input_tokens,
        Some(1_500)
    );
    assert_eq!(
        run_with(&caps, &req, Some(&cache))
            .unwrap()
            .usage
            .cache_read_input_tokens,
        Some(1_500)
    );
}

#[test]
fn cache_point_rules() {
    let haiku3 = catalog("anthropic.claude-3-haiku-20240307-v1:0");
    let req = json!({"system": [{"text": "s"}, {"cachePoint": {"type": "default"}}], "messages": [user("hi")]});
    let e = run_with(&haiku3, &req, None).unwrap_err();
    assert_eq!(e.error_type, "AccessDeniedException");
    assert_eq!(e.status, 403);
    assert_eq!(e.message.as_deref(), Some(CACHING_UNSUPPORTED));
    let sonnet = catalog("anthropic.claude-3-7-sonnet-20250219-v1:0");
    let cp = json!({"cachePoint": {"type": "default"}});
    let req = json!({"system": [{"text": "a"}, cp, {"text": "b"}, cp, {"text": "c"}, cp], "messages": [{"role": "user", "content": [{"text": "d"}, cp, {"text": "e"}, cp]}]});
    assert_eq!(
        run_with(&sonnet, &req, None).unwrap_err().message.unwrap(),
        "The model returned the following errors: A maximum of 4 blocks with cache_control may be provided. Found 5."
    );
    let req = json!({"system": [{"text": "a"}, {"cachePoint": {"type": "default", "ttl": "1h"}}], "messages": [user("x")]});
    assert!(
        run_with(&sonnet, &req, None)
            .unwrap_err()
            .message
            .unwrap()
            .contains("1h")
    );
    let sonnet45 = catalog("anthropic.claude-sonnet-4-5-20250929-v1:0");
    assert!(run_with(&sonnet45, &req, None).is_ok());
    let req = json!({"system": [{"text": "a"}, cp, {"text": "b"}, {"cachePoint": {"type": "default", "ttl": "1h"}}], "messages": [user("x")]});
    assert_eq!(
        run_with(&sonnet45, &req, None)
            .unwrap_err()
            .message
            .unwrap(),
        "The model returned the following errors: system.2.cache_control.ttl: a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block. Note that blocks are processed in the following order: `tools`, `system`, `messages`."
    );
    let nova = catalog("amazon.nova-pro-v1:0");
    let req = json!({"messages": [user("x")], "toolConfig": {"tools": [
        {"toolSpec": {"name": "f", "inputSchema": {"json": {"type": "object"}}}}, cp]}});
    assert!(
        run_with(&nova, &req, None)
            .unwrap_err()
            .message
            .unwrap()
            .contains("tool configuration")
    );
}

fn image_block(format: &str, bytes: &[u8]) -> Value {
    json!({"image": {"format": format, "source": {"bytes": base64::engine::general_purpose::STANDARD.encode(bytes)}}})
}

#[test]
fn images_must_be_real_images_within_the_limits() {
    use crate::media_check::testing::encoded;
    let png = encoded("png", 4, 4);
    let ok = json!({"messages": [{"role": "user", "content": [{"text": "what is it"}, image_block("png", &png)]}]});
    assert!(run(ok).is_ok());
    let wrong = json!({"messages": [{"role": "user", "content": [{"text": "what"}, image_block("jpeg", &png)]}]});
    assert_eq!(
        err(wrong),
        "The model returned the following errors: messages.0.content.1.image.source.bytes: The image was specified using the image/jpeg media type, but the image appears to be a image/png image"
    );
    let junk = json!({"messages": [{"role": "user", "content": [{"text": "what"}, image_block("png", b"not an image at all")]}]});
    assert_eq!(
        err(junk),
        "The model returned the following errors: Could not process image"
    );
    let mut content = vec![json!({"text": "many"})];
    content.extend((0..21).map(|_| image_block("png", &png)));
    assert_eq!(
        err(json!({"messages": [{"role": "user", "content": content}]})),
        "You can't include more than 20 images in a request."
    );
    // An image in a tool result is checked too.
    let tool_image = json!({"messages": [
        user("Use f"),
        {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "f", "input": {}}}]},
        {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [image_block("gif", &png)]}}]}
    ], "toolConfig": {"tools": [{"toolSpec": {"name": "f", "inputSchema": {"json": {"type": "object"}}}}]}});
    assert!(err(tool_image).contains("messages.2.content.0.toolResult.content.0.image.source.bytes: The image was specified using the image/gif media type"));
}

#[test]
fn documents_within_the_limits() {
    let doc = |name: &str| json!({"document": {"format": "txt", "name": name, "source": {"bytes": "aGVsbG8="}}});
    let mut content = vec![json!({"text": "read these"})];
    content.extend((0..6).map(|i| doc(&format!("doc{i}"))));
    assert_eq!(
        err(json!({"messages": [{"role": "user", "content": content}]})),
        "You can't include more than 5 documents in a request."
    );
    assert_eq!(
        err(
            json!({"messages": [{"role": "user", "content": [{"text": "x"}, doc("a"), doc("a")]}]})
        ),
        "Messages can't contain duplicate document names."
    );
    let big =
        base64::engine::general_purpose::STANDARD
            .encode(vec![b'a'; media_check::MAX_DOCUMENT_BYTES + 1]);
    let big = json!({"document": {"format": "txt", "name": "big", "source": {"bytes": big}}});
    assert!(
        err(json!({"messages": [{"role": "user", "content": [{"text": "x"}, big]}]}))
            .contains("4.5 MB")
    );
    assert!(
        run(
            json!({"messages": [{"role": "user", "content": [{"text": "x"}, doc("a"), doc("b")]}]})
        )
        .is_ok()
    );
}

#[test]
fn adaptive_thinking_and_effort() {
    let opus46 = catalog("anthropic.claude-opus-4-6-v1");
    let req = |effort: &str| {
        json!({"messages": [user("why is the sky blue")], "additionalModelRequestFields": {
            "thinking": {"type": "adaptive"}, "output_config": {"effort": effort}}})
    };
    let out = run_with(&opus46, &req("low"), None).unwrap();
    let OutputBlock::Reasoning {
        text,
        signature,
        pieces,
    } = &out.blocks[0]
    else {
        panic!("{:?}", out.blocks)
    };
    assert!(text.starts_with("Let me think"));
    assert!(!signature.is_empty());
    assert!(pieces.len() <= 16);
    let high = run_with(&opus46, &req("high"), None).unwrap();
    let OutputBlock::Reasoning { pieces: p2, .. } = &high.blocks[0] else {
        panic!()
    };
    assert!(p2.len() >= pieces.len());
    // The JSON and the stream carry reasoningContent.
    let v = high.to_response_json(0);
    assert!(
        v["output"]["message"]["content"][0]["reasoningContent"]["reasoningText"]["signature"]
            .is_string()
    );
    let ev = events(&high);
    assert!(ev.iter().any(|e| matches!(e, ConverseEvent::ContentBlockDelta { index: 0, delta } if delta["reasoningContent"]["signature"].is_string())));
    let sonnet45 = catalog("anthropic.claude-sonnet-4-5-20250929-v1:0");
    assert_eq!(
        run_with(&sonnet45, &req("high"), None)
            .unwrap_err()
            .message
            .unwrap(),
        "The model returned the following errors: thinking: Input tag 'adaptive' found using 'type' does not match any of the expected tags: 'disabled', 'enabled'"
    );
    let budget = json!({"messages": [user("x")], "inferenceConfig": {"maxTokens": 1000},
        "additionalModelRequestFields": {"thinking": {"type": "enabled", "budget_tokens": 1024}}});
    assert!(
        run_with(&sonnet45, &budget, None)
            .unwrap_err()
            .message
            .unwrap()
            .contains("budget_tokens")
    );
    let nova = json!({"messages": [user("x")], "additionalModelRequestFields": {
        "reasoningConfig": {"type": "enabled", "maxReasoningEffort": "low"}}});
    let out = run(nova).unwrap();
    assert!(matches!(&out.blocks[0], OutputBlock::Reasoning { pieces, .. } if pieces.len() <= 16));
}
