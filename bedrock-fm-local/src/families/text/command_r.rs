//! Cohere Command R and Command R+: `message`, `chat_history`, `preamble`, `documents`,
//! `tools`, `tool_results`, `max_tokens`, `stop_sequences`, `seed`, `return_prompt`.
//!
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command-r-plus.html>
//!
//! - Response: `{"response_id", "text", "generation_id", "chat_history", "finish_reason",
//!   "tool_calls", "meta": {"api_version": {"version"}, "billed_units": {"input_tokens",
//!   "output_tokens"}}}` (and `prompt` with `return_prompt`); `finish_reason` `COMPLETE`
//!   (finished, or a stop sequence) or `MAX_TOKENS`. When the model calls tools, `text` is
//!   empty and `tool_calls` lists `{"name", "parameters"}`.
//! - Stream: Cohere's chat events, `event_type` `stream-start` (with `generation_id`),
//!   `text-generation` per text fragment, `tool-calls-generation`, and `stream-end` with the
//!   `finish_reason` and the whole `response`, which carries the invocation metrics.
//! - `seed` replaces the server's seed for the call. A tool's `parameter_definitions`
//!   (`str`, `int`, `float`, `bool`, `List[...]`, `Dict`) become its JSON schema.

use bedrock_fm::catalog::Family;
use serde_json::{Map, Value, json};

use super::codec_support::{self, Chat, Reply, Turn};
use crate::engine::{Engine, StopReason, ToolChoice, ToolSpec};
use crate::errors::ServiceError;
use crate::models::{ChunkStream, FamilyCodec, InvokeCall, InvokeOutput};

/// The Cohere Command R codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct CommandR;

fn finish_reason(reason: StopReason) -> &'static str {
    match reason {
        StopReason::MaxTokens => "MAX_TOKENS",
        _ => "COMPLETE",
    }
}

/// The JSON schema type of a Cohere parameter type.
fn schema_of(kind: &str) -> Value {
    let lower = kind.to_ascii_lowercase();
    if let Some(item) = lower
        .strip_prefix("list[")
        .and_then(|s| s.strip_suffix(']'))
    {
        return json!({"type": "array", "items": schema_of(item)});
    }
    match lower.as_str() {
        "int" | "integer" => json!({"type": "integer"}),
        "float" | "number" => json!({"type": "number"}),
        "bool" | "boolean" => json!({"type": "boolean"}),
        "dict" | "object" => json!({"type": "object"}),
        _ => json!({"type": "string"}),
    }
}

/// A Command R tool as a tool with a JSON schema.
fn tool_spec(tool: &Value) -> ToolSpec {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (name, def) in tool["parameter_definitions"]
        .as_object()
        .into_iter()
        .flatten()
    {
        let mut schema = schema_of(def["type"].as_str().unwrap_or("str"));
        if let Some(d) = def["description"].as_str() {
            schema["description"] = json!(d);
        }
        properties.insert(name.clone(), schema);
        if def["required"] == true {
            required.push(name.clone());
        }
    }
    codec_support::tool(
        tool["name"].as_str().unwrap_or_default(),
        tool["description"].as_str(),
        Some(&json!({"type": "object", "properties": properties, "required": required})),
    )
}

/// What a call asks for.
struct Request {
    chat: Chat,
    engine: Engine,
    message: String,
    history: Vec<Value>,
    return_prompt: bool,
}

fn request(call: &InvokeCall<'_>) -> Result<Request, ServiceError> {
    let body = codec_support::request(call, Family::CommandR)?;
    let max = codec_support::u32_at(&body, "/max_tokens");
    codec_support::check_model_limit(call.model, "#/max_tokens", max)?;
    let message = codec_support::str_at(&body, "/message")
        .unwrap_or_default()
        .to_owned();
    let history: Vec<Value> = body["chat_history"].as_array().cloned().unwrap_or_default();
    let mut turns: Vec<Turn> = history
        .iter()
        .map(|m| {
            let text = m["message"].as_str().unwrap_or_default();
            if m["role"] == "CHATBOT" {
                Turn::assistant(text)
            } else {
                Turn::user(text)
            }
        })
        .collect();
    let mut last = Turn::user(message.clone());
    for result in body["tool_results"].as_array().into_iter().flatten() {
        last.tool_results = true;
        last.other.push(result["outputs"].to_string());
    }
    turns.push(last);
    let context = body["documents"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| match d.as_object() {
            Some(fields) => fields
                .iter()
                .filter(|(k, _)| k.as_str() != "_excludes")
                .filter_map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            None => d.to_string(),
        })
        .collect();
    let chat = Chat {
        system: codec_support::str_at(&body, "/preamble")
            .map(str::to_owned)
            .into_iter()
            .collect(),
        turns,
        context,
        tools: body["tools"]
            .as_array()
            .into_iter()
            .flatten()
            .map(tool_spec)
            .collect(),
        tool_choice: ToolChoice::Auto,
        max_tokens: max.or(call.model.max_output_tokens),
        stop_sequences: codec_support::strings_at(&body, "/stop_sequences"),
        tool_id: ("", 8),
        ..Chat::default()
    };
    let engine = body["seed"]
        .as_u64()
        .map(Engine::new)
        .unwrap_or(call.engine);
    Ok(Request {
        chat,
        engine,
        message,
        history,
        return_prompt: body["return_prompt"] == true,
    })
}

fn tool_calls(reply: &Reply) -> Option<Value> {
    let calls: Vec<Value> = reply
        .tool_calls()
        .into_iter()
        .map(|(_, name, input)| json!({"name": name, "parameters": input}))
        .collect();
    (!calls.is_empty()).then_some(Value::Array(calls))
}

/// The whole response, and its generation ID.
fn response(req: &Request, reply: &Reply) -> (Value, String) {
    let prompt = req.chat.prompt();
    let generation_id = codec_support::uuid(req.engine, &format!("generation {prompt}"));
    let text = reply.text();
    let mut history = req.history.clone();
    history.push(json!({"role": "USER", "message": req.message}));
    history.push(json!({"role": "CHATBOT", "message": text}));
    let mut v = json!({
        "response_id": codec_support::uuid(req.engine, &format!("response {prompt}")),
        "text": text,
        "generation_id": generation_id,
        "chat_history": history,
        "finish_reason": finish_reason(reply.stop_reason),
        "meta": {
            "api_version": {"version": "1"},
            "billed_units": {
                "input_tokens": reply.usage.input_tokens,
                "output_tokens": reply.usage.output_tokens,
            },
        },
    });
    if let Some(calls) = tool_calls(reply) {
        v["tool_calls"] = calls;
    }
    if req.return_prompt {
        v["prompt"] = json!(prompt);
    }
    (v, generation_id)
}

impl FamilyCodec for CommandR {
    fn family_id(&self) -> &'static str {
        Family::CommandR.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let req = request(call)?;
        let reply = req.chat.reply(req.engine);
        let (v, _) = response(&req, &reply);
        Ok(InvokeOutput::json(&v, Some(reply.usage)))
    }

    fn invoke_stream(&self, call: &InvokeCall<'_>) -> Result<ChunkStream, ServiceError> {
        let req = request(call)?;
        let reply = req.chat.reply(req.engine);
        let (full, generation_id) = response(&req, &reply);
        let mut events = vec![json!({
            "is_finished": false,
            "event_type": "stream-start",
            "generation_id": generation_id,
        })];
        events.extend(
            reply
                .text_pieces()
                .into_iter()
                .map(|p| json!({"is_finished": false, "event_type": "text-generation", "text": p})),
        );
        if let Some(calls) = tool_calls(&reply) {
            events.push(json!({
                "is_finished": false,
                "event_type": "tool-calls-generation",
                "tool_calls": calls,
            }));
        }
        events.push(json!({
            "is_finished": true,
            "event_type": "stream-end",
            "finish_reason": finish_reason(reply.stop_reason),
            "response": full,
        }));
        Ok(codec_support::stream(events, reply.usage))
    }
}

#[cfg(test)]
mod tests {
    use super::codec_support::testing::*;
    use super::*;

    const MODEL: &str = "cohere.command-r-v1:0";

    // The documented request shape, model-parameters-cohere-command-r-plus.html.
    fn documented() -> Value {
        json!({
            "message": "What is the tallest penguin?",
            "chat_history": [
                {"role": "USER", "message": "Who discovered gravity?"},
                {"role": "CHATBOT", "message": "The man who is widely credited with discovering gravity is Sir Isaac Newton"}
            ],
            "documents": [
                {"title": "Tall penguins", "snippet": "Emperor penguins are the tallest."},
                {"title": "Penguin habitats", "snippet": "Emperor penguins only live in Antarctica."}
            ],
            "preamble": "You are a helpful zoologist.",
            "max_tokens": 300,
            "temperature": 0.3,
            "p": 0.75,
            "k": 0,
            "stop_sequences": ["\n\n\n"],
            "return_prompt": false
        })
    }

    fn penguin_tool() -> Value {
        json!([{
            "name": "penguin_height",
            "description": "The height of a penguin species",
            "parameter_definitions": {
                "species": {"description": "The species", "type": "str", "required": true},
                "unit": {"type": "str", "required": false}
            }
        }])
    }

    #[test]
    fn a_documented_request_is_answered_with_a_valid_response() {
        let (v, usage) = invoke(&CommandR, MODEL, &documented()).unwrap();
        assert_valid(Family::CommandR.response_spec(), &v);
        assert!(
            v["text"]
                .as_str()
                .unwrap()
                .starts_with("What is the tallest penguin?"),
            "{v}"
        );
        assert_eq!(v["finish_reason"], "COMPLETE");
        let usage = usage.unwrap();
        assert_eq!(
            v["meta"]["billed_units"]["input_tokens"],
            usage.input_tokens
        );
        assert_eq!(
            v["meta"]["billed_units"]["output_tokens"],
            usage.output_tokens
        );
        let history = v["chat_history"].as_array().unwrap();
        assert_eq!(history.len(), 4);
        assert_eq!(history[3]["role"], "CHATBOT");
        assert_eq!(history[3]["message"], v["text"]);
        assert!(v.get("prompt").is_none());
        // The documents are part of what the model reads.
        let mut body = documented();
        body["documents"] = json!([]);
        let (_, fewer) = invoke(&CommandR, MODEL, &body).unwrap();
        assert!(fewer.unwrap().input_tokens < usage.input_tokens);
    }

    #[test]
    fn seed_and_return_prompt() {
        let mut body = documented();
        body["seed"] = json!(42);
        body["return_prompt"] = json!(true);
        let (a, _) = invoke(&CommandR, MODEL, &body).unwrap();
        assert!(
            a["prompt"]
                .as_str()
                .unwrap()
                .contains("You are a helpful zoologist.")
        );
        body["seed"] = json!(43);
        let (b, _) = invoke(&CommandR, MODEL, &body).unwrap();
        assert_ne!(a["text"], b["text"]);
        assert_valid(Family::CommandR.response_spec(), &b);
    }

    #[test]
    fn tools_are_called_and_their_results_answered() {
        let mut body = documented();
        body["message"] = json!("Use penguin_height for the Emperor penguin");
        body["tools"] = penguin_tool();
        let (v, _) = invoke(&CommandR, MODEL, &body).unwrap();
        assert_valid(Family::CommandR.response_spec(), &v);
        assert_eq!(v["text"], "");
        let call = &v["tool_calls"][0];
        assert_eq!(call["name"], "penguin_height");
        assert_eq!(call["parameters"]["species"], "Emperor");
        body["tool_results"] = json!([{"call": call, "outputs": [{"height": "1.1 m"}]}]);
        let (v, _) = invoke(&CommandR, MODEL, &body).unwrap();
        assert!(v.get("tool_calls").is_none());
        assert!(!v["text"].as_str().unwrap().is_empty());
    }

    #[test]
    fn extraneous_keys_and_out_of_range_values_are_rejected() {
        let mut body = documented();
        body["prompt"] = json!("x");
        let msg = validation_message(invoke(&CommandR, MODEL, &body));
        assert_eq!(
            msg,
            "Malformed input request: #: extraneous key [prompt] is not permitted, please reformat your input and try again."
        );
        let mut body = documented();
        body["p"] = json!(1.0);
        let msg = validation_message(invoke(&CommandR, MODEL, &body));
        assert!(
            msg.contains("#/p: 1.0 is not less or equal to 0.99"),
            "{msg}"
        );
        let mut body = documented();
        body["chat_history"][0]["role"] = json!("SYSTEM");
        let msg = validation_message(invoke(&CommandR, MODEL, &body));
        assert!(
            msg.contains("#/chat_history/0/role: SYSTEM is not a valid enum value"),
            "{msg}"
        );
    }

    #[test]
    fn max_tokens_and_stop_sequences_set_the_finish_reason() {
        let body = json!({"message": "one two three four", "max_tokens": 2});
        let (v, _) = invoke(&CommandR, MODEL, &body).unwrap();
        assert_eq!(v["text"], "one two");
        assert_eq!(v["finish_reason"], "MAX_TOKENS");
        let body = json!({"message": "one two three four", "stop_sequences": ["three"]});
        let (v, _) = invoke(&CommandR, MODEL, &body).unwrap();
        assert_eq!(v["text"], "one two ");
        assert_eq!(v["finish_reason"], "COMPLETE");
    }

    #[test]
    fn the_stream_carries_the_same_text_and_cohere_events() {
        let (v, usage) = invoke(&CommandR, MODEL, &documented()).unwrap();
        let chunks = stream(&CommandR, MODEL, &documented()).unwrap();
        let spec = Family::CommandR.stream_chunk_spec().unwrap();
        assert_stream(spec, &chunks, usage.unwrap());
        let kinds: Vec<&str> = chunks
            .iter()
            .map(|c| c["event_type"].as_str().unwrap())
            .collect();
        assert_eq!(kinds[0], "stream-start");
        assert_eq!(*kinds.last().unwrap(), "stream-end");
        assert!(
            kinds[1..kinds.len() - 1]
                .iter()
                .all(|k| *k == "text-generation")
        );
        let text: String = chunks
            .iter()
            .filter(|c| c["event_type"] == "text-generation")
            .map(|c| c["text"].as_str().unwrap())
            .collect();
        assert_eq!(text, v["text"].as_str().unwrap());
        let end = chunks.last().unwrap();
        assert_eq!(end["is_finished"], true);
        assert_eq!(end["finish_reason"], "COMPLETE");
        assert_eq!(end["response"]["text"], v["text"]);
        assert_eq!(chunks[0]["generation_id"], v["generation_id"]);
        // A tool call has its own event.
        let mut body = documented();
        body["message"] = json!("Use penguin_height for the Emperor penguin");
        body["tools"] = penguin_tool();
        let (_, usage) = invoke(&CommandR, MODEL, &body).unwrap();
        let chunks = stream(&CommandR, MODEL, &body).unwrap();
        assert_stream(spec, &chunks, usage.unwrap());
        assert!(
            chunks
                .iter()
                .any(|c| c["event_type"] == "tool-calls-generation")
        );
    }
}
