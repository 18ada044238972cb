//! The Converse API, family-independent: Bedrock's conversation rules, then a reply from the
//! deterministic engine, as a Converse response or as ConverseStream events.
//!
//! Conversation rules checked (with Bedrock's wording where users have recorded it):
//!
//! - the model supports Converse ("This action doesn't support the model that you provided.
//!   Try again with a supported text or chat model.") and, for ConverseStream, streaming;
//! - the conversation starts with a user message ("A conversation must start with a user
//!   message. Try again with a conversation that starts with a user message.", pydantic-ai
//!   issue #4495) and alternates roles ("A conversation must alternate between user and
//!   assistant roles. Make sure the conversation alternates between user and assistant roles
//!   and try again.", semantic-kernel issue #10281);
//! - no message is empty ("The content field in the Message object at messages.N is empty. Add
//!   a ContentBlock object to the content field and try again.", llmgateway PR #3127);
//! - `toolUse`/`toolResult` blocks need `toolConfig` ("The toolConfig field must be defined
//!   when using toolUse and toolResult content blocks.", pentagi issue #160), and `toolConfig`
//!   needs a model with tool use ("This model doesn't support tool use.", langchain-aws #447);
//! - images need a vision model; images and documents only in user messages, and a document
//!   needs a text block beside it (both documented on the service model's `Message.content`);
//! - `maxTokens` within the model's output limit.
//!
//! The reply: when [`crate::engine::choose_tool`] picks a tool, a `toolUse` block (after a short
//! text when the choice was `auto`) with input generated from the tool's schema and stop reason
//! `tool_use`; otherwise text from [`crate::engine::Engine::generate`], whose focus is the last
//! user turn. A reasoning block comes first when `additionalModelRequestFields` enables it
//! (`thinking: {"type": "enabled", "budget_tokens": N}` or `reasoningConfig: {"type":
//! "enabled"}`).
//!
//! Input tokens: the tokens of the system prompt, every text, tool result and tool input of the
//! conversation and the tool definitions, plus 100 per image, document, video or audio block.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::engine::{self, StopReason, TextRequest, ToolChoice, ToolSpec};
use crate::errors::ServiceError;
use crate::models::{ConverseCall, ConverseEvent, ConverseOutput, OutputBlock, Usage};

/// Tokens counted for each image, document, video or audio block.
pub const MEDIA_BLOCK_TOKENS: u32 = 100;

const MEDIA_KEYS: [&str; 4] = ["image", "document", "video", "audio"];

fn messages(request: &Value) -> &[Value] {
    request
        .get("messages")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn blocks(message: &Value) -> &[Value] {
    message
        .get("content")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn role(message: &Value) -> &str {
    message.get("role").and_then(Value::as_str).unwrap_or("")
}

/// The text a content block contributes to the prompt.
fn block_text(block: &Value) -> String {
    if let Some(t) = block.get("text").and_then(Value::as_str) {
        return t.to_owned();
    }
    if let Some(tr) = block.get("toolResult") {
        let parts: Vec<String> = tr
            .get("content")
            .and_then(Value::as_array)
            .map(|c| {
                c.iter()
                    .map(|part| match (part.get("text"), part.get("json")) {
                        (Some(Value::String(t)), _) => t.clone(),
                        (_, Some(j)) => j.to_string(),
                        _ => String::new(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        return parts.join("\n");
    }
    if let Some(tu) = block.get("toolUse") {
        return tu.get("input").map(Value::to_string).unwrap_or_default();
    }
    if let Some(r) = block.get("reasoningContent") {
        return r["reasoningText"]["text"].as_str().unwrap_or("").to_owned();
    }
    if let Some(d) = block.get("document") {
        return d
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
    }
    String::new()
}

fn is_media(block: &Value) -> bool {
    MEDIA_KEYS.iter().any(|k| block.get(*k).is_some())
}

fn system_text(system: Option<&Value>) -> String {
    system
        .and_then(Value::as_array)
        .map(|blocks| {
            blocks
                .iter()
                .filter_map(|b| b.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

fn tools(tool_config: Option<&Value>) -> Vec<ToolSpec> {
    tool_config
        .and_then(|c| c.get("tools"))
        .and_then(Value::as_array)
        .map(|tools| {
            tools
                .iter()
                .filter_map(|t| t.get("toolSpec"))
                .map(|spec| {
                    let mut t = ToolSpec::new(
                        spec.get("name").and_then(Value::as_str).unwrap_or(""),
                        spec["inputSchema"]["json"].clone(),
                    );
                    t.description = spec
                        .get("description")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    t
                })
                .collect()
        })
        .unwrap_or_default()
}

fn tool_choice(tool_config: Option<&Value>) -> ToolChoice {
    let Some(choice) = tool_config.and_then(|c| c.get("toolChoice")) else {
        return ToolChoice::Auto;
    };
    if choice.get("any").is_some() {
        ToolChoice::Any
    } else if let Some(name) = choice["tool"]["name"].as_str() {
        ToolChoice::Tool(name.to_owned())
    } else {
        ToolChoice::Auto
    }
}

/// The whole prompt text (system, messages, tool definitions) and the number of media blocks.
fn prompt_text(input: &Value) -> (String, u32) {
    let mut parts = vec![system_text(input.get("system"))];
    let mut media = 0u32;
    for m in messages(input) {
        for b in blocks(m) {
            if is_media(b) {
                media += 1;
            }
            parts.push(block_text(b));
        }
    }
    for t in tools(input.get("toolConfig")) {
        parts.push(t.name.clone());
        if let Some(d) = &t.description {
            parts.push(d.clone());
        }
        parts.push(t.input_schema.to_string());
    }
    parts.retain(|p| !p.is_empty());
    (parts.join("\n"), media)
}

/// Input tokens of a Converse-shaped input (`messages`, `system`, `toolConfig`).
pub fn input_tokens(input: &Value) -> u32 {
    let (text, media) = prompt_text(input);
    engine::count_tokens(&text).saturating_add(media.saturating_mul(MEDIA_BLOCK_TOKENS))
}

/// Input tokens of a CountTokens `input` union.
pub fn count_tokens_input(input: &Value) -> Result<u32, ServiceError> {
    if let Some(c) = input.get("converse") {
        return Ok(input_tokens(c));
    }
    if let Some(body) = input["invokeModel"]["body"].as_str() {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| {
                ServiceError::validation("The provided request body is not valid base64.")
            })?;
        let json: Value = serde_json::from_slice(&bytes).map_err(|e| {
            ServiceError::malformed_input(&format!("the body is not valid JSON ({e})"))
        })?;
        let mut text = Vec::new();
        collect_strings(&json, &mut text);
        return Ok(engine::count_tokens(&text.join("\n")));
    }
    Err(ServiceError::validation(
        "The input field must set either converse or invokeModel.",
    ))
}

fn collect_strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// Checks the conversation rules of the module docs.
pub fn check(call: &ConverseCall<'_>) -> Result<(), ServiceError> {
    let caps = call.model;
    let req = call.request;
    if !caps.converse {
        return Err(ServiceError::validation(
            "This action doesn't support the model that you provided. Try again with a supported text or chat model.",
        ));
    }
    if call.streaming && !caps.streaming {
        return Err(ServiceError::validation(
            "The model is unsupported for streaming.",
        ));
    }
    let msgs = messages(req);
    if msgs.first().map(role) != Some("user") {
        return Err(ServiceError::validation(
            "A conversation must start with a user message. Try again with a conversation that starts with a user message.",
        ));
    }
    let mut previous = "";
    let mut uses_tools = false;
    for (i, m) in msgs.iter().enumerate() {
        let r = role(m);
        if !matches!(r, "user" | "assistant") || r == previous {
            return Err(ServiceError::validation(
                "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.",
            ));
        }
        previous = r;
        let content = blocks(m);
        if content.is_empty() {
            return Err(ServiceError::validation(format!(
                "The content field in the Message object at messages.{i} is empty. Add a ContentBlock object to the content field and try again."
            )));
        }
        let has_text = content.iter().any(|b| b.get("text").is_some());
        for (j, b) in content.iter().enumerate() {
            if b.get("toolUse").is_some() || b.get("toolResult").is_some() {
                uses_tools = true;
            }
            if (b.get("image").is_some() || b.get("document").is_some()) && r != "user" {
                return Err(ServiceError::validation(format!(
                    "messages.{i}.content.{j}: images and documents can only be included in user messages. Move them to a user message and try again."
                )));
            }
            if b.get("image").is_some() && !caps.vision {
                return Err(ServiceError::validation(
                    "This model doesn't support the image content block that you provided. Try again with a model that supports images.",
                ));
            }
            if b.get("document").is_some() && !has_text {
                return Err(ServiceError::validation(
                    "A text block must be included when using documents. Add a text block to the message and try again.",
                ));
            }
        }
    }
    let tool_config = req.get("toolConfig");
    if uses_tools && tool_config.is_none() {
        return Err(ServiceError::validation(
            "The toolConfig field must be defined when using toolUse and toolResult content blocks.",
        ));
    }
    if tool_config.is_some() && !caps.tool_use {
        return Err(ServiceError::validation(
            "This model doesn't support tool use.",
        ));
    }
    if let ToolChoice::Tool(name) = tool_choice(tool_config)
        && !tools(tool_config).iter().any(|t| t.name == name)
    {
        return Err(ServiceError::validation(format!(
            "The tool {name} named in toolConfig.toolChoice.tool is not defined in toolConfig.tools. Define the tool and try again."
        )));
    }
    if let (Some(requested), Some(limit)) = (
        req["inferenceConfig"]["maxTokens"].as_u64(),
        caps.max_output_tokens,
    ) && requested > u64::from(limit)
    {
        return Err(ServiceError::validation(format!(
            "The maximum tokens you requested exceeds the model limit of {limit}. Try again with a maximum tokens value that is lower than {limit}."
        )));
    }
    Ok(())
}

fn reasoning_budget(req: &Value) -> Option<Option<u32>> {
    let extra = req.get("additionalModelRequestFields")?;
    let thinking = &extra["thinking"];
    if thinking["type"].as_str() == Some("enabled") {
        let budget = thinking["budget_tokens"]
            .as_u64()
            .map(|b| b.min(u32::MAX as u64) as u32);
        return Some(budget);
    }
    for key in ["reasoningConfig", "reasoning_config"] {
        if extra[key]["type"].as_str() == Some("enabled") {
            return Some(None);
        }
    }
    None
}

/// The generic Converse reply (after [`check`]).
pub fn generate(call: &ConverseCall<'_>) -> Result<ConverseOutput, ServiceError> {
    check(call)?;
    let req = call.request;
    let engine = call.engine;
    let (prompt, _) = prompt_text(req);
    let input = input_tokens(req);
    let msgs = messages(req);
    let last = msgs.last();
    let last_is_user = last.map(role) == Some("user");
    let last_blocks = last.map(blocks).unwrap_or(&[]);
    let has_tool_results =
        last_is_user && last_blocks.iter().any(|b| b.get("toolResult").is_some());
    let mut focus: Vec<String> = last_blocks
        .iter()
        .filter_map(|b| b.get("text").and_then(Value::as_str).map(str::to_owned))
        .collect();
    if focus.is_empty() {
        focus = last_blocks
            .iter()
            .map(block_text)
            .filter(|t| !t.is_empty())
            .collect();
    }
    let focus = focus.join(" ");
    let inference = &req["inferenceConfig"];
    let max_tokens = inference["maxTokens"]
        .as_u64()
        .map(|m| m.min(u32::MAX as u64) as u32)
        .or(call.model.max_output_tokens);
    let stop_sequences: Vec<String> = inference["stopSequences"]
        .as_array()
        .map(|s| {
            s.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();

    let mut blocks_out = Vec::new();
    let mut output_tokens = 0u32;
    if let Some(budget) = reasoning_budget(req) {
        let r = engine.reasoning(&focus, budget);
        output_tokens += r.output_tokens;
        blocks_out.push(OutputBlock::Reasoning {
            signature: engine.id("", &format!("signature:{}", r.text), 48),
            text: r.text,
            pieces: r.pieces,
        });
    }

    let tool_config = req.get("toolConfig");
    let offered = tools(tool_config);
    let choice = tool_choice(tool_config);
    let chosen = if last_is_user {
        engine::choose_tool(&offered, &choice, &focus, has_tool_results)
    } else {
        None
    };
    let stop_reason = if let Some(i) = chosen {
        let tool = &offered[i];
        if choice == ToolChoice::Auto {
            let preface = format!("I'll use the {} tool.", tool.name);
            output_tokens += engine::count_tokens(&preface);
            blocks_out.push(OutputBlock::text(preface));
        }
        let input = engine::value_for_schema(
            &tool.input_schema,
            &focus,
            engine.seed ^ engine::hash64(&[tool.name.as_bytes()]),
        );
        output_tokens += engine::count_tokens(&input.to_string());
        blocks_out.push(OutputBlock::ToolUse {
            id: engine.id("tooluse_", &format!("{}\u{0}{prompt}", tool.name), 22),
            name: tool.name.clone(),
            input,
        });
        StopReason::ToolUse
    } else {
        let g = engine.generate(
            &TextRequest::new(&prompt)
                .focus(&focus)
                .max_tokens(max_tokens)
                .stop_sequences(&stop_sequences),
        );
        output_tokens += g.output_tokens;
        blocks_out.push(OutputBlock::Text {
            text: g.text,
            pieces: g.pieces,
        });
        g.stop_reason
    };
    Ok(ConverseOutput {
        blocks: blocks_out,
        stop_reason,
        usage: Usage::new(input, output_tokens),
        additional_model_response_fields: None,
    })
}

/// Splits `s` into chunks of at most `n` characters.
fn chunks(s: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    chars.chunks(n.max(1)).map(|c| c.iter().collect()).collect()
}

/// The ConverseStream events of a reply, in the order Bedrock sends them: `messageStart`; per
/// block, `contentBlockStart` (tool use only), its `contentBlockDelta`s and
/// `contentBlockStop`; `messageStop`; `metadata`.
pub fn events(output: &ConverseOutput) -> Vec<ConverseEvent> {
    let mut ev = vec![ConverseEvent::MessageStart];
    for (index, block) in output.blocks.iter().enumerate() {
        match block {
            OutputBlock::Text { pieces, .. } => {
                if pieces.is_empty() {
                    ev.push(ConverseEvent::ContentBlockDelta {
                        index,
                        delta: json!({"text": ""}),
                    });
                }
                for p in pieces {
                    ev.push(ConverseEvent::ContentBlockDelta {
                        index,
                        delta: json!({"text": p}),
                    });
                }
            }
            OutputBlock::ToolUse { id, name, input } => {
                ev.push(ConverseEvent::ContentBlockStart {
                    index,
                    start: json!({"toolUse": {"toolUseId": id, "name": name}}),
                });
                for part in chunks(&input.to_string(), 12) {
                    ev.push(ConverseEvent::ContentBlockDelta {
                        index,
                        delta: json!({"toolUse": {"input": part}}),
                    });
                }
            }
            OutputBlock::Reasoning {
                pieces, signature, ..
            } => {
                for p in pieces {
                    ev.push(ConverseEvent::ContentBlockDelta {
                        index,
                        delta: json!({"reasoningContent": {"text": p}}),
                    });
                }
                ev.push(ConverseEvent::ContentBlockDelta {
                    index,
                    delta: json!({"reasoningContent": {"signature": signature}}),
                });
            }
        }
        ev.push(ConverseEvent::ContentBlockStop { index });
    }
    ev.push(ConverseEvent::MessageStop {
        stop_reason: output.stop_reason,
        additional_model_response_fields: output.additional_model_response_fields.clone(),
    });
    ev.push(ConverseEvent::Metadata {
        usage: output.usage,
    });
    ev
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::models::ModelCaps;

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
        let out = run(
            json!({"messages": [user("one two three four")], "inferenceConfig": {"maxTokens": 2}}),
        )
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
            err(json!({"messages": []}))
                .starts_with("A conversation must start with a user message.")
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
        let out = run(
            json!({"messages": [user("hello")], "toolConfig": weather_tools(json!({"auto": {}}))}),
        )
        .unwrap();
        assert_eq!(out.stop_reason, StopReason::EndTurn);
        // Any: forced, no preface.
        let out = run(
            json!({"messages": [user("hello")], "toolConfig": weather_tools(json!({"any": {}}))}),
        )
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
            "additionalModelRequestFields": {"thinking": {"type": "enabled", "budget_tokens": 1024}}})).unwrap();
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
}
