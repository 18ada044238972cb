//! AI21 Labs Jamba (Jamba-Instruct, Jamba 1.5 Mini and Large): OpenAI-style `messages`, `n`,
//! `max_tokens`, `stop`, `tools`, `response_format`.
//!
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jamba.html>
//!
//! - Response: `{"id": string, "choices": [{"index": int, "message": {"role": "assistant",
//!   "content": string, "tool_calls": [...]}, "finish_reason": string}], "usage":
//!   {"prompt_tokens", "completion_tokens", "total_tokens"}}`, `finish_reason` `stop` (ended, or
//!   a stop sequence) or `length` (cut at `max_tokens`); one choice per `n`.
//! - Stream chunks: `{"id", "choices": [{"index", "delta": {"role"?, "content"}, "finish_reason"}]}`,
//!   the finish reason and `usage` on the last one. `n` must be 1 for streaming.
//! - `max_tokens` defaults to 4,096. With `response_format` `{"type": "json_object"}` the
//!   content is a JSON object (`{"answer": "..."}`).
//! - The catalog's stream delta has no `tool_calls`, so a streamed request answers in text.

use bedrock_fm::catalog::Family;
use serde_json::{Value, json};

use super::codec_support::{self, Chat, Reply};
use crate::engine::{StopReason, ToolChoice};
use crate::errors::ServiceError;
use crate::models::{ChunkStream, FamilyCodec, InvokeCall, InvokeOutput, Usage};

/// The documented default of `max_tokens`.
const DEFAULT_MAX_TOKENS: u32 = 4096;

/// The AI21 Labs Jamba codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct Jamba;

fn finish_reason(reason: StopReason) -> &'static str {
    match reason {
        StopReason::MaxTokens => "length",
        _ => "stop",
    }
}

/// What a call asks for.
struct Request {
    chat: Chat,
    n: u32,
    json_mode: bool,
    id: String,
}

fn request(call: &InvokeCall<'_>, streaming: bool) -> Result<Request, ServiceError> {
    let body = codec_support::request(call, Family::Jamba)?;
    let max = codec_support::u32_at(&body, "/max_tokens");
    codec_support::check_model_limit(call.model, "#/max_tokens", max)?;
    let n = codec_support::u32_at(&body, "/n").unwrap_or(1);
    if streaming && n != 1 {
        return Err(ServiceError::malformed_input(&format!(
            "#/n: {n} is not valid for streaming, which requires n to be 1"
        )));
    }
    let messages = body["messages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let (system, turns) = codec_support::openai_turns(messages);
    let chat = Chat {
        system,
        turns,
        tools: codec_support::openai_tools(&body["tools"]),
        // The catalog's stream delta cannot carry tool calls.
        tool_choice: if streaming {
            ToolChoice::None
        } else {
            ToolChoice::Auto
        },
        max_tokens: Some(max.unwrap_or(DEFAULT_MAX_TOKENS)),
        stop_sequences: codec_support::strings_at(&body, "/stop"),
        tool_id: ("call_", 24),
        ..Chat::default()
    };
    let id = format!("chatcmpl-{}", call.engine.id("", &chat.prompt(), 32));
    Ok(Request {
        json_mode: codec_support::str_at(&body, "/response_format/type") == Some("json_object"),
        chat,
        n,
        id,
    })
}

/// The content pieces of a reply; in JSON mode, the text as the `answer` of a JSON object.
fn content_pieces(reply: &Reply, json_mode: bool) -> Vec<String> {
    let pieces = reply.text_pieces();
    if !json_mode {
        return pieces;
    }
    let escape = |p: &str| {
        let quoted = Value::String(p.to_owned()).to_string();
        quoted[1..quoted.len() - 1].to_owned()
    };
    let mut out = vec!["{\"answer\": \"".to_owned()];
    out.extend(pieces.iter().map(|p| escape(p)));
    out.push("\"}".to_owned());
    out
}

fn message(reply: &Reply, json_mode: bool) -> Value {
    let mut m = json!({"role": "assistant", "content": content_pieces(reply, json_mode).concat()});
    let calls: Vec<Value> = reply
        .tool_calls()
        .into_iter()
        .map(|(id, name, input)| {
            json!({"id": id, "type": "function", "function": {"name": name, "arguments": input.to_string()}})
        })
        .collect();
    if !calls.is_empty() {
        m["content"] = json!("");
        m["tool_calls"] = Value::Array(calls);
    }
    m
}

fn usage_json(usage: Usage) -> Value {
    json!({
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.input_tokens.saturating_add(usage.output_tokens),
    })
}

impl FamilyCodec for Jamba {
    fn family_id(&self) -> &'static str {
        Family::Jamba.id()
    }

    fn invoke(&self, call: &InvokeCall<'_>) -> Result<InvokeOutput, ServiceError> {
        let req = request(call, false)?;
        let mut usage = Usage::new(req.chat.input_tokens(), 0);
        let choices: Vec<Value> = (0..req.n)
            .map(|i| {
                let reply = req.chat.reply(codec_support::nth_engine(call.engine, i));
                usage.output_tokens = usage
                    .output_tokens
                    .saturating_add(reply.usage.output_tokens);
                json!({
                    "index": i,
                    "message": message(&reply, req.json_mode),
                    "finish_reason": finish_reason(reply.stop_reason),
                })
            })
            .collect();
        let response = json!({"id": req.id, "choices": choices, "usage": usage_json(usage)});
        Ok(InvokeOutput::json(&response, Some(usage)))
    }

    fn invoke_stream(&self, call: &InvokeCall<'_>) -> Result<ChunkStream, ServiceError> {
        let req = request(call, true)?;
        let reply = req.chat.reply(call.engine);
        let pieces = codec_support::stream_pieces(&content_pieces(&reply, req.json_mode));
        let n = pieces.len();
        let chunks: Vec<Value> = pieces
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let delta = if i == 0 {
                    json!({"role": "assistant", "content": p})
                } else {
                    json!({"content": p})
                };
                let last = i + 1 == n;
                let mut chunk = json!({
                    "id": req.id,
                    "choices": [{
                        "index": 0,
                        "delta": delta,
                        "finish_reason": last.then(|| finish_reason(reply.stop_reason)),
                    }],
                });
                if last {
                    chunk["usage"] = usage_json(reply.usage);
                }
                chunk
            })
            .collect();
        Ok(codec_support::stream(chunks, reply.usage))
    }
}

#[cfg(test)]
mod tests {
    use super::codec_support::testing::*;
    use super::*;

    const MODEL: &str = "ai21.jamba-1-5-mini-v1:0";

    // The documented request shape, model-parameters-jamba.html.
    fn documented() -> Value {
        json!({
            "messages": [
                {"role": "system", "content": "You are a helpful chatbot with a background in earth sciences."},
                {"role": "user", "content": "What are the rivers of Europe?"}
            ],
            "max_tokens": 1000,
            "temperature": 0.7,
            "top_p": 0.9,
            "stop": ["\n\n\n"],
            "n": 1
        })
    }

    fn content(v: &Value, i: usize) -> &str {
        v["choices"][i]["message"]["content"].as_str().unwrap()
    }

    #[test]
    fn a_documented_request_is_answered_with_a_valid_response() {
        let (v, usage) = invoke(&Jamba, MODEL, &documented()).unwrap();
        assert_valid(Family::Jamba.response_spec(), &v);
        assert!(v["id"].as_str().unwrap().starts_with("chatcmpl-"));
        assert!(
            content(&v, 0).starts_with("What are the rivers of Europe?"),
            "{v}"
        );
        assert_eq!(v["choices"][0]["finish_reason"], "stop");
        let usage = usage.unwrap();
        assert_eq!(v["usage"]["prompt_tokens"], usage.input_tokens);
        assert_eq!(v["usage"]["completion_tokens"], usage.output_tokens);
        assert_eq!(
            v["usage"]["total_tokens"],
            usage.input_tokens + usage.output_tokens
        );
    }

    #[test]
    fn n_gives_several_distinct_choices() {
        let mut body = documented();
        body["n"] = json!(3);
        let (v, usage) = invoke(&Jamba, MODEL, &body).unwrap();
        assert_valid(Family::Jamba.response_spec(), &v);
        let choices = v["choices"].as_array().unwrap();
        assert_eq!(choices.len(), 3);
        assert_eq!(choices[2]["index"], 2);
        assert_ne!(content(&v, 0), content(&v, 1));
        let (one, _) = invoke(&Jamba, MODEL, &documented()).unwrap();
        assert_eq!(content(&v, 0), content(&one, 0));
        assert_eq!(
            v["usage"]["completion_tokens"],
            usage.unwrap().output_tokens
        );
        let msg = validation_message(stream(&Jamba, MODEL, &body));
        assert!(msg.contains("#/n: 3"), "{msg}");
    }

    #[test]
    fn extraneous_keys_and_out_of_range_values_are_rejected() {
        let mut body = documented();
        body["stop_sequences"] = json!([]);
        let msg = validation_message(invoke(&Jamba, MODEL, &body));
        assert_eq!(
            msg,
            "Malformed input request: #: extraneous key [stop_sequences] is not permitted, please reformat your input and try again."
        );
        let mut body = documented();
        body["n"] = json!(17);
        let msg = validation_message(invoke(&Jamba, MODEL, &body));
        assert!(msg.contains("#/n: 17 is not less or equal to 16"), "{msg}");
    }

    #[test]
    fn max_tokens_and_stop_sequences_set_the_finish_reason() {
        let mut body = documented();
        body["max_tokens"] = json!(3);
        let (v, _) = invoke(&Jamba, MODEL, &body).unwrap();
        assert_eq!(content(&v, 0), "What are the");
        assert_eq!(v["choices"][0]["finish_reason"], "length");
        let mut body = documented();
        body["stop"] = json!(["rivers"]);
        let (v, _) = invoke(&Jamba, MODEL, &body).unwrap();
        assert_eq!(content(&v, 0), "What are the ");
        assert_eq!(v["choices"][0]["finish_reason"], "stop");
    }

    #[test]
    fn json_mode_answers_a_json_object_and_tools_are_called() {
        let mut body = documented();
        body["response_format"] = json!({"type": "json_object"});
        let (v, _) = invoke(&Jamba, MODEL, &body).unwrap();
        let answer: Value = serde_json::from_str(content(&v, 0)).unwrap();
        assert!(
            answer["answer"]
                .as_str()
                .unwrap()
                .starts_with("What are the rivers")
        );
        let chunks = stream(&Jamba, MODEL, &body).unwrap();
        let text: String = chunks
            .iter()
            .map(|c| c["choices"][0]["delta"]["content"].as_str().unwrap())
            .collect();
        assert_eq!(text, content(&v, 0));
        let mut body = documented();
        body["tools"] = json!([{"type": "function", "function": {
            "name": "river_facts",
            "parameters": {"type": "object", "properties": {"river": {"type": "string"}}, "required": ["river"]}
        }}]);
        body["messages"][1]["content"] = json!("Use river_facts for the Danube");
        let (v, _) = invoke(&Jamba, MODEL, &body).unwrap();
        assert_valid(Family::Jamba.response_spec(), &v);
        let call = &v["choices"][0]["message"]["tool_calls"][0];
        assert_eq!(call["type"], "function");
        assert_eq!(call["function"]["name"], "river_facts");
        let args: Value =
            serde_json::from_str(call["function"]["arguments"].as_str().unwrap()).unwrap();
        assert_eq!(args["river"], "Danube");
    }

    #[test]
    fn the_stream_carries_the_same_text_and_the_reason_on_the_last_chunk() {
        let (v, usage) = invoke(&Jamba, MODEL, &documented()).unwrap();
        let chunks = stream(&Jamba, MODEL, &documented()).unwrap();
        let usage = usage.unwrap();
        assert_stream(Family::Jamba.stream_chunk_spec().unwrap(), &chunks, usage);
        let text: String = chunks
            .iter()
            .map(|c| c["choices"][0]["delta"]["content"].as_str().unwrap())
            .collect();
        assert_eq!(text, content(&v, 0));
        assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
        assert!(chunks[0]["choices"][0]["finish_reason"].is_null());
        let last = chunks.last().unwrap();
        assert_eq!(last["choices"][0]["finish_reason"], "stop");
        assert_eq!(last["usage"]["completion_tokens"], usage.output_tokens);
        assert_eq!(last["id"], v["id"]);
    }
}
