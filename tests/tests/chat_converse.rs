//! Chat over Converse against bedrock-fm-local over real HTTP: multimodal content, documents,
//! tool use and the tool loop, structured output, streaming, reasoning, guardrails, prompt
//! caching, latency-optimized inference and request metadata. Every check looks at the JSON
//! that went on the wire, against the shapes of the bedrock-runtime service model
//! (`ConverseRequest` and the shapes it names, in
//! `/work/shared/reference/bedrock-runtime-2023-09-30.service-2.json`), and at the typed result.

use base64::Engine as _;
use bedrock_fm::catalog::Model;
use bedrock_fm::chat::content::{Content, ImageInput, ToolResultContent};
use bedrock_fm::chat::tools::{Tool, ToolChoice};
use bedrock_fm::chat::{
    ChatError, ChatEvent, ChatOptions, Effort, Guardrail, ReasoningConfig, ToolHandlers,
};
use bedrock_fm::{
    Api, CallOptions, Claude3, Client, Conversation, ErrorKind, Nova, RetryPolicy, Role,
    StopReason, Titan,
};
use bedrock_fm_local::LocalServer;
use bedrock_fm_local::guardrails::{TEST_GUARDRAIL_BLOCKED_TERM, TEST_GUARDRAIL_ID};
use serde_json::{Value, json};
use std::io::Cursor;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";
/// Tool use, no vision.
const HAIKU_3_5: &str = "anthropic.claude-3-5-haiku-20241022-v1:0";
/// Reasoning with a token budget.
// Claude 3.7 Sonnet and Nova 2 Lite are offered only through inference profiles.
const SONNET_3_7: &str = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";
/// Reasoning with an effort level (adaptive thinking).
const OPUS_4_6: &str = "us.anthropic.claude-opus-4-6-v1";
/// Reasoning with an effort level (Nova).
const NOVA_2_LITE: &str = "us.amazon.nova-2-lite-v1:0";
const TITAN: &str = "amazon.titan-text-premier-v1:0";

fn setup() -> (LocalServer, Client) {
    let server = bedrock_fm_local::start();
    let retry = RetryPolicy::default()
        .initial_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5));
    let client = Client::from_sdk_config(&server.sdk_config()).with_retry_policy(retry);
    (server, client)
}

fn last_body(server: &LocalServer) -> Value {
    let record = server.last_request().expect("a request reached the server");
    serde_json::from_slice(&record.body).expect("a JSON body")
}

fn last_path(server: &LocalServer) -> String {
    server.last_request().expect("a request").path
}

fn claude(client: &Client, id: &str) -> Claude3 {
    Claude3::builder(client, id)
        .api(Api::Converse)
        .build()
        .unwrap()
}

fn encode(image: &image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().expect("base64 string"))
        .unwrap()
}

fn small_png() -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        4,
        3,
        image::Rgb([200, 30, 30]),
    ));
    encode(&img, image::ImageFormat::Png)
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[allow(dead_code)]
struct Weather {
    /// The city.
    city: String,
}

fn weather_tool() -> Tool {
    Tool::of::<Weather>("get_weather", "Today's weather in a city")
}

/// Block keys of a wire message, in order (`text`, `image`, ...): each `ContentBlock` is a
/// union with exactly one member.
fn block_kinds(message: &Value) -> Vec<String> {
    message["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let keys: Vec<&String> = b.as_object().unwrap().keys().collect();
            assert_eq!(keys.len(), 1, "a ContentBlock union has one member: {b}");
            keys[0].clone()
        })
        .collect()
}

#[tokio::test]
async fn images_and_text_keep_their_order_with_the_bytes_as_fitted() {
    let (server, client) = setup();
    let model = claude(&client, HAIKU);
    let png = small_png();
    let jpeg = encode(
        &image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            8,
            8,
            image::Rgb([0, 90, 200]),
        )),
        image::ImageFormat::Jpeg,
    );
    // Wider than the 8,000 px Converse allows: fitted (scaled down) before sending.
    let wide =
        image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(9000, 2, image::Rgb([1, 2, 3])));
    let conversation = Conversation::new().human_with([
        Content::text("Compare the first image"),
        Content::image_bytes(png.clone()),
        Content::text("with these two"),
        Content::image(wide),
        Content::image_bytes(jpeg.clone()),
    ]);
    let details = model
        .chat_details(&conversation, &ChatOptions::new())
        .await
        .unwrap();
    assert!(!details.output.is_empty());
    assert_eq!(details.api, Api::Converse);
    assert!(last_path(&server).ends_with("/converse"));
    let body = last_body(&server);
    // Message.content: ContentBlock unions, in the order the user gave them.
    let message = &body["messages"][0];
    assert_eq!(message["role"], "user");
    assert_eq!(
        block_kinds(message),
        ["text", "image", "text", "image", "image"]
    );
    let content = &message["content"];
    assert_eq!(content[0]["text"], "Compare the first image");
    assert_eq!(content[2]["text"], "with these two");
    // ImageBlock {format: ImageFormat, source: ImageSource {bytes: blob (base64 on the
    // wire)}}: an accepted image is sent as it is.
    assert_eq!(content[1]["image"]["format"], "png");
    assert_eq!(content[1]["image"]["source"]["bytes"], b64(&png));
    assert_eq!(content[4]["image"]["format"], "jpeg");
    assert_eq!(content[4]["image"]["source"]["bytes"], b64(&jpeg));
    // A decoded image is encoded (PNG), scaled to the model's 8,000 px limit.
    assert_eq!(content[3]["image"]["format"], "png");
    let fitted = image::load_from_memory(&unb64(&content[3]["image"]["source"]["bytes"])).unwrap();
    assert_eq!(fitted.width(), 8000);
    // The body kept in the details is the request as sent.
    assert_eq!(details.body, body);
    // Input tokens count each image (the local server counts 100 per media block).
    assert!(details.usage.input_tokens.unwrap() >= 300);
}

#[tokio::test]
async fn a_document_is_sent_with_its_name_format_and_bytes() {
    let (server, client) = setup();
    let model = claude(&client, HAIKU);
    let csv = b"city,temp\nOslo,4\nLisbon,21\n".to_vec();
    let conversation = Conversation::new().human_with([
        Content::document("Temperatures (May) [v2]", "csv", csv.clone()),
        Content::text("Which city is warmest?"),
    ]);
    let reply = model.chat(&conversation).await.unwrap();
    assert!(!reply.text().is_empty());
    // DocumentBlock {format: DocumentFormat, name, source: DocumentSource {bytes}}.
    let doc = &last_body(&server)["messages"][0]["content"][0]["document"];
    assert_eq!(doc["format"], "csv");
    assert_eq!(doc["name"], "Temperatures (May) [v2]");
    assert_eq!(unb64(&doc["source"]["bytes"]), csv);
}

#[tokio::test]
async fn tool_use_end_to_end_with_a_tool_declared_from_a_rust_type() {
    let (server, client) = setup();
    let model = claude(&client, HAIKU);
    let options = ChatOptions::new()
        .tool(weather_tool())
        .tool_choice(ToolChoice::Tool("get_weather".into()));
    let conversation = Conversation::new().human("What is the weather in Lisbon today?");
    let reply = model.chat_with(&conversation, &options).await.unwrap();
    assert_eq!(reply.stop_reason, Some(StopReason::ToolUse));
    let call = reply.tool_uses()[0].clone();
    assert_eq!(call.name, "get_weather");
    assert_eq!(call.input_as::<Weather>().unwrap().city, "Lisbon");

    // ToolConfiguration {tools: [Tool {toolSpec: ToolSpecification {name, description,
    // inputSchema: ToolInputSchema {json}}}], toolChoice: ToolChoice {tool:
    // SpecificToolChoice {name}}}.
    let body = last_body(&server);
    let spec = &body["toolConfig"]["tools"][0]["toolSpec"];
    assert_eq!(spec["name"], "get_weather");
    assert_eq!(spec["description"], "Today's weather in a city");
    assert_eq!(spec["inputSchema"]["json"]["type"], "object");
    assert_eq!(
        spec["inputSchema"]["json"]["properties"]["city"]["type"],
        "string"
    );
    assert_eq!(spec["inputSchema"]["json"]["required"], json!(["city"]));
    assert!(spec["inputSchema"]["json"].get("$schema").is_none());
    assert_eq!(
        body["toolConfig"]["toolChoice"],
        json!({"tool": {"name": "get_weather"}})
    );

    // The reply and a tool result go back; the model answers in text.
    let conversation = conversation
        .assistant_with(reply.content.clone())
        .human_with([Content::tool_result_json(
            &call.id,
            json!({"celsius": 21, "sky": "clear"}),
        )]);
    let options = ChatOptions::new().tool(weather_tool());
    let answer = model.chat_with(&conversation, &options).await.unwrap();
    assert_eq!(answer.stop_reason, Some(StopReason::EndTurn));
    assert!(!answer.text().is_empty());
    let body = last_body(&server);
    let sent = &body["messages"];
    // ToolUseBlock {toolUseId, name, input: Document}.
    assert_eq!(
        sent[1]["content"][0]["toolUse"],
        json!({"toolUseId": call.id, "name": "get_weather", "input": {"city": "Lisbon"}})
    );
    // ToolResultBlock {toolUseId, content: [ToolResultContentBlock {json}]}, no status when
    // it succeeded.
    assert_eq!(
        sent[2]["content"][0]["toolResult"],
        json!({"toolUseId": call.id, "content": [{"json": {"celsius": 21, "sky": "clear"}}]})
    );
    assert!(body["toolConfig"].get("toolChoice").is_none());

    // An error result carries status "error" (ToolResultStatus); text and image parts.
    let failed = Conversation::new()
        .human("What is the weather in Lisbon today?")
        .assistant_with(reply.content.clone())
        .human_with([
            Content::tool_error(&call.id, "the weather service is down"),
            Content::text("Try to answer anyway."),
        ]);
    model.chat_with(&failed, &options).await.unwrap();
    assert_eq!(
        last_body(&server)["messages"][2]["content"][0]["toolResult"],
        json!({"toolUseId": call.id, "status": "error",
               "content": [{"text": "the weather service is down"}]})
    );
}

#[tokio::test]
async fn tool_choices_auto_and_any_are_sent_as_their_unions() {
    let (server, client) = setup();
    let model = claude(&client, HAIKU);
    let conversation = Conversation::new().human("Hello there");
    for (choice, wire) in [
        (ToolChoice::Auto, json!({"auto": {}})),
        (ToolChoice::Any, json!({"any": {}})),
    ] {
        let options = ChatOptions::new()
            .tool(weather_tool())
            .tool_choice(choice.clone());
        let reply = model.chat_with(&conversation, &options).await.unwrap();
        assert_eq!(last_body(&server)["toolConfig"]["toolChoice"], wire);
        // The local model calls a tool only when forced or named.
        assert_eq!(reply.tool_uses().is_empty(), choice == ToolChoice::Auto);
    }
}

#[tokio::test]
async fn a_tool_result_image_is_fitted_and_sent() {
    let (server, client) = setup();
    let model = claude(&client, HAIKU);
    let options = ChatOptions::new()
        .tool(weather_tool())
        .tool_choice(ToolChoice::Any);
    let conversation = Conversation::new().human("Weather in Oslo?");
    let reply = model.chat_with(&conversation, &options).await.unwrap();
    let id = reply.tool_uses()[0].id.clone();
    let png = small_png();
    let mut result = Content::tool_result_text(&id, "A radar image:");
    if let Content::ToolResult(r) = &mut result {
        r.content
            .push(ToolResultContent::Image(ImageInput::Bytes(png.clone())));
    }
    let conversation = conversation
        .assistant_with(reply.content)
        .human_with([result]);
    model
        .chat_with(&conversation, &ChatOptions::new().tool(weather_tool()))
        .await
        .unwrap();
    let sent = &last_body(&server)["messages"][2]["content"][0]["toolResult"]["content"];
    assert_eq!(sent[0], json!({"text": "A radar image:"}));
    assert_eq!(sent[1]["image"]["format"], "png");
    assert_eq!(sent[1]["image"]["source"]["bytes"], b64(&png));
}

#[tokio::test]
async fn the_tool_loop_runs_async_handlers_until_the_model_answers() {
    let (server, client) = setup();
    let model = claude(&client, HAIKU);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let handlers = ToolHandlers::new().typed(
        "get_weather",
        "Today's weather in a city",
        move |w: Weather| {
            let log = log.clone();
            async move {
                tokio::task::yield_now().await;
                log.lock().unwrap().push(w.city.clone());
                Ok(json!({"city": w.city, "celsius": 21}))
            }
        },
    );
    let conversation = Conversation::new().human("Use get_weather for Lisbon please");
    let before = server.request_count();
    let run = model
        .run_tools(&conversation, &ChatOptions::new(), &handlers, 5)
        .await
        .unwrap();
    assert_eq!(server.request_count() - before, 2);
    assert_eq!(run.iterations, 2);
    assert_eq!(run.tool_calls, 1);
    assert_eq!(*seen.lock().unwrap(), ["Lisbon"]);
    assert_eq!(run.reply.stop_reason, Some(StopReason::EndTurn));
    assert!(run.usage.input_tokens.unwrap() > 0);
    let roles: Vec<Role> = run.conversation.turns().iter().map(|t| t.role).collect();
    assert_eq!(
        roles,
        [Role::Human, Role::Assistant, Role::Human, Role::Assistant]
    );
    // The handler's output went back as a JSON tool result for the model's call.
    let body = last_body(&server);
    let call_id = &body["messages"][1]["content"][1]["toolUse"]["toolUseId"];
    assert_eq!(
        body["messages"][2]["content"][0]["toolResult"],
        json!({"toolUseId": call_id, "content": [{"json": {"city": "Lisbon", "celsius": 21}}]})
    );
    // The handlers' tool was offered.
    assert_eq!(
        body["toolConfig"]["tools"][0]["toolSpec"]["name"],
        "get_weather"
    );
}

#[tokio::test]
async fn a_failing_handler_is_reported_to_the_model_and_the_bound_is_typed() {
    let (server, client) = setup();
    let model = claude(&client, HAIKU);
    let handlers = ToolHandlers::new().on("get_weather", |_input| async {
        Err("the weather service is down".to_owned())
    });
    let options = ChatOptions::new().tool(weather_tool());
    let conversation = Conversation::new().human("Use get_weather for Oslo");
    let run = model
        .run_tools(&conversation, &options, &handlers, 3)
        .await
        .unwrap();
    assert_eq!(run.iterations, 2);
    let result = &last_body(&server)["messages"][2]["content"][0]["toolResult"];
    assert_eq!(result["status"], "error");
    assert_eq!(
        result["content"],
        json!([{"text": "the weather service is down"}])
    );

    // One iteration allowed, and the model calls a tool in it.
    let before = server.request_count();
    let err = model
        .run_tools(&conversation, &options, &handlers, 1)
        .await
        .unwrap_err();
    assert_eq!(server.request_count() - before, 1);
    assert_eq!(err.kind(), ErrorKind::ToolLoopLimit);
    let Some(ChatError::ToolLoopLimit {
        iterations,
        conversation: so_far,
        ..
    }) = err.chat_error()
    else {
        panic!("{err}")
    };
    assert_eq!(*iterations, 1);
    // The conversation so far ends with the tool results, ready to continue.
    assert_eq!(so_far.turns().len(), 3);
    assert!(matches!(
        so_far.turns()[2].content[0],
        Content::ToolResult(_)
    ));

    // Handlers and tools must match, before any request.
    let before = server.request_count();
    let stray = ToolHandlers::new().on("nope", |_| async { Ok(json!({})) });
    let err = model
        .run_tools(&conversation, &options, &stray, 3)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(server.request_count(), before);
}

#[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema)]
struct City {
    /// The city's name.
    name: String,
    /// Its population.
    population: u32,
}

/// A type whose schema (a string) does not say what it decodes (a number): the model's
/// schema-valid output does not fit it.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[allow(dead_code)]
struct Misdeclared {
    #[schemars(with = "String")]
    count: u32,
}

#[tokio::test]
async fn structured_output_fits_the_type_or_fails_with_the_raw_json() {
    let (server, client) = setup();
    let model = claude(&client, HAIKU);
    let conversation = Conversation::new().human("Tell me about Lisbon, the capital");
    let city: City = model
        .chat_structured(&conversation, &ChatOptions::new())
        .await
        .unwrap();
    assert_eq!(city.name, "Lisbon");
    let body = last_body(&server);
    assert_eq!(
        body["toolConfig"]["toolChoice"],
        json!({"tool": {"name": "City"}})
    );
    let schema = &body["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"];
    assert_eq!(schema["properties"]["population"]["type"], "integer");

    let before = server.request_count();
    let err = model
        .chat_structured::<Misdeclared>(&conversation, &ChatOptions::new())
        .await
        .unwrap_err();
    assert_eq!(server.request_count() - before, 1);
    assert_eq!(err.kind(), ErrorKind::OutputMismatch);
    assert!(
        err.to_string().contains("does not fit `Misdeclared`"),
        "{err}"
    );
    let raw = err.chat_error().unwrap().raw_output().unwrap();
    assert!(raw["count"].is_string(), "{raw}");
}

#[tokio::test]
async fn a_streamed_tool_call_accumulates_into_the_same_reply() {
    let (server, client) = setup();
    let model = claude(&client, HAIKU);
    let options = ChatOptions::new().tool(weather_tool());
    let conversation = Conversation::new().human("Use get_weather for Lisbon please");
    let mut stream = model.chat_stream(&conversation, &options).await.unwrap();
    assert!(last_path(&server).ends_with("/converse-stream"));
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        events.push(event.unwrap());
    }
    let starts: Vec<&ChatEvent> = events
        .iter()
        .filter(|e| matches!(e, ChatEvent::ToolUseStart { .. }))
        .collect();
    assert_eq!(starts.len(), 1);
    let pieces: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::ToolUseInputDelta(d) => Some(d.as_str()),
            _ => None,
        })
        .collect();
    assert!(pieces.len() > 1, "the input arrives in several deltas");
    assert!(events.contains(&ChatEvent::Stop(StopReason::ToolUse)));
    assert!(events.iter().any(|e| matches!(e, ChatEvent::Usage(_))));
    assert!(events.iter().all(|e| match e {
        ChatEvent::TextDelta(t) => !t.is_empty(),
        _ => true,
    }));

    let streamed = model
        .chat_stream(&conversation, &options)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let mut unary = model.chat_with(&conversation, &options).await.unwrap();
    // Tool-use IDs are the service's (the local server derives them per operation): the
    // rest of the reply is the same as the unary call's.
    let streamed_id = streamed.tool_uses()[0].id.clone();
    assert!(streamed_id.starts_with("tooluse_"));
    for block in &mut unary.content {
        if let Content::ToolUse(u) = block {
            u.id = streamed_id.clone();
        }
    }
    assert_eq!(streamed, unary);
    assert_eq!(streamed.tool_uses()[0].input, json!({"city": "Lisbon"}));
    assert_eq!(streamed.text(), "I'll use the get_weather tool.");
}

#[tokio::test]
async fn reasoning_with_a_budget_returns_a_signature_that_is_sent_back() {
    let (server, client) = setup();
    let model = claude(&client, SONNET_3_7);
    let options = ChatOptions::new()
        .params(CallOptions::new().max_tokens(4096))
        .reasoning(ReasoningConfig::Budget(2048));
    let conversation = Conversation::new().human("Why is the sky blue?");
    let reply = model.chat_with(&conversation, &options).await.unwrap();
    // additionalModelRequestFields.thinking, model-parameters of Claude extended thinking.
    assert_eq!(
        last_body(&server)["additionalModelRequestFields"],
        json!({"thinking": {"type": "enabled", "budget_tokens": 2048}})
    );
    let reasoning = reply.reasoning().expect("a reasoning block").clone();
    assert!(!reasoning.text.is_empty());
    let signature = reasoning.signature.clone().expect("a signature");
    assert!(matches!(reply.content[0], Content::Reasoning(_)));
    assert!(!reply.text().is_empty());

    // Streamed: reasoning deltas and the signature, collected into the same reply.
    let mut stream = model.chat_stream(&conversation, &options).await.unwrap();
    let mut saw = (false, false);
    while let Some(e) = stream.next().await {
        match e.unwrap() {
            ChatEvent::ReasoningDelta(_) => saw.0 = true,
            ChatEvent::ReasoningSignature(s) => {
                assert_eq!(s, signature);
                saw.1 = true;
            }
            _ => {}
        }
    }
    assert_eq!(saw, (true, true));
    let streamed = model
        .chat_stream(&conversation, &options)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(streamed, reply);

    // Sent back unmodified: ReasoningContentBlock {reasoningText: {text, signature}}.
    let next = conversation
        .assistant_with(reply.content.clone())
        .human("And at sunset?");
    model.chat_with(&next, &options).await.unwrap();
    assert_eq!(
        last_body(&server)["messages"][1]["content"][0],
        json!({"reasoningContent": {"reasoningText": {"text": reasoning.text, "signature": signature}}})
    );
}

#[tokio::test]
async fn reasoning_effort_takes_each_family_s_documented_shape() {
    let (server, client) = setup();
    let conversation = Conversation::new().human("Plan a three-city trip");
    let nova = Nova::builder(&client, NOVA_2_LITE)
        .api(Api::Converse)
        .build()
        .unwrap();
    let reply = nova
        .chat_with(
            &conversation,
            &ChatOptions::new().reasoning(ReasoningConfig::Effort(Effort::High)),
        )
        .await
        .unwrap();
    // Nova 2 extended thinking: reasoningConfig {type: enabled, maxReasoningEffort}.
    assert_eq!(
        last_body(&server)["additionalModelRequestFields"],
        json!({"reasoningConfig": {"type": "enabled", "maxReasoningEffort": "high"}})
    );
    assert!(reply.reasoning().is_some());

    let opus = claude(&client, OPUS_4_6);
    opus.chat_with(
        &conversation,
        &ChatOptions::new().reasoning(ReasoningConfig::Effort(Effort::Medium)),
    )
    .await
    .unwrap();
    // Claude adaptive thinking: thinking {type: adaptive} with output_config.effort.
    assert_eq!(
        last_body(&server)["additionalModelRequestFields"],
        json!({"thinking": {"type": "adaptive"}, "output_config": {"effort": "medium"}})
    );
}

#[tokio::test]
async fn guardrail_latency_and_metadata_are_on_the_wire() {
    let (server, client) = setup();
    let model = claude(&client, HAIKU);
    let options = ChatOptions::new()
        .guardrail(Guardrail::new(TEST_GUARDRAIL_ID, "DRAFT").with_trace())
        .latency_optimized()
        .metadata("team", "search")
        .metadata("run", "2024-05-01T10:00");
    let conversation = Conversation::new().human("Hello");
    let details = model.chat_details(&conversation, &options).await.unwrap();
    let body = last_body(&server);
    // GuardrailConfiguration {guardrailIdentifier, guardrailVersion, trace: GuardrailTrace}.
    assert_eq!(
        body["guardrailConfig"],
        json!({"guardrailIdentifier": TEST_GUARDRAIL_ID, "guardrailVersion": "DRAFT", "trace": "enabled"})
    );
    // PerformanceConfiguration {latency: PerformanceConfigLatency}.
    assert_eq!(body["performanceConfig"], json!({"latency": "optimized"}));
    // RequestMetadata: a string map.
    assert_eq!(
        body["requestMetadata"],
        json!({"team": "search", "run": "2024-05-01T10:00"})
    );
    // With trace enabled the guardrail's assessment comes back (GuardrailTraceAssessment).
    assert!(details.guardrail_trace.is_some());
    assert_ne!(details.stop_reason, Some(StopReason::GuardrailIntervened));

    // A blocked term in the input: the guardrail intervenes instead of the model.
    let blocked = Conversation::new().human(format!(
        "Tell me about {TEST_GUARDRAIL_BLOCKED_TERM} things"
    ));
    let reply = model.chat_with(&blocked, &options).await.unwrap();
    assert_eq!(reply.stop_reason, Some(StopReason::GuardrailIntervened));

    // ConverseStream takes the same (GuardrailStreamConfiguration).
    model
        .chat_stream(&conversation, &options)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let body = last_body(&server);
    assert!(last_path(&server).ends_with("/converse-stream"));
    assert_eq!(body["guardrailConfig"]["trace"], "enabled");
    assert_eq!(body["performanceConfig"], json!({"latency": "optimized"}));
}

#[tokio::test]
async fn cache_points_go_in_the_system_prompt_and_the_messages() {
    let (server, client) = setup();
    // Prompt caching needs a model that supports it (Claude 3.7 Sonnet, 1,024-token minimum).
    let model = claude(&client, SONNET_3_7);
    let long_context = "The Danube flows through ten countries. ".repeat(200);
    let conversation = Conversation::new()
        .push_content(
            Role::System,
            [
                Content::text("You are a careful analyst."),
                Content::CachePoint,
            ],
        )
        .human_with([
            Content::text(long_context.clone()),
            Content::CachePoint,
            Content::text("The question."),
        ]);
    let first = model.chat(&conversation).await.unwrap();
    let body = last_body(&server);
    // SystemContentBlock and ContentBlock unions with CachePointBlock {type: "default"}.
    assert_eq!(
        body["system"],
        json!([{"text": "You are a careful analyst."}, {"cachePoint": {"type": "default"}}])
    );
    assert_eq!(
        body["messages"][0]["content"][1],
        json!({"cachePoint": {"type": "default"}})
    );
    // TokenUsage: the first call writes the cached prefix, the same prefix is then read.
    let written = first.usage.cache_write_tokens.unwrap();
    assert!(written >= 1024, "{:?}", first.usage);
    let second = model.chat(&conversation).await.unwrap();
    assert_eq!(second.usage.cache_read_tokens, Some(written));
    assert!(
        second.usage.input_tokens.unwrap() < written,
        "cached tokens are not input tokens"
    );
}

/// Every bad input of issue 5 (and of Converse's documented rules) is refused with a typed
/// error that names where, and no request is sent.
#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    let (server, client) = setup();
    let haiku = claude(&client, HAIKU);
    let no_vision = claude(&client, HAIKU_3_5);
    let sonnet = claude(&client, SONNET_3_7);
    let titan = Titan::builder(&client, TITAN)
        .api(Api::Converse)
        .build()
        .unwrap();
    let png = small_png();
    let none = || ChatOptions::new();
    let tools = || ChatOptions::new().tool(weather_tool());
    let twenty_one: Vec<Content> = std::iter::once(Content::text("Look"))
        .chain((0..21).map(|_| Content::image_bytes(png.clone())))
        .collect();
    let cases: Vec<(&str, Result<(), bedrock_fm::Error>, &str, &str)> = vec![
        (
            "two system messages",
            haiku
                .chat_with(
                    &Conversation::new().system("a").system("b").human("x"),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 2",
            "a second system message",
        ),
        (
            "a system message not first",
            haiku
                .chat_with(&Conversation::new().human("x").system("a"), &none())
                .await
                .map(drop),
            "conversation turn 2",
            "must be the first turn",
        ),
        (
            "two human turns in a row",
            haiku
                .chat_with(&Conversation::new().human("a").human("b"), &none())
                .await
                .map(drop),
            "conversation turn 2",
            "two human turns in a row",
        ),
        (
            "ending with the assistant (no prefill over Converse)",
            haiku
                .chat_with(&Conversation::new().human("a").assistant("b"), &none())
                .await
                .map(drop),
            "conversation turn 2",
            "ends with the assistant",
        ),
        (
            "an image that cannot be read or converted",
            haiku
                .chat_with(
                    &Conversation::new().human_with([
                        Content::text("What is this?"),
                        Content::image_bytes(b"GIF87 not really".to_vec()),
                    ]),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 1, image 1",
            "not an image",
        ),
        (
            "more images than allowed",
            haiku
                .chat_with(&Conversation::new().human_with(twenty_one), &none())
                .await
                .map(drop),
            "conversation turn 1",
            "at most 20",
        ),
        (
            "an image for a text-only model",
            no_vision
                .chat_with(
                    &Conversation::new()
                        .human_with([Content::text("What?"), Content::image_bytes(png.clone())]),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 1",
            "takes no images",
        ),
        (
            "a tool schema that is not an object",
            haiku
                .chat_with(
                    &Conversation::new().human("x"),
                    &ChatOptions::new().tool(Tool::new("t", "d", json!({"type": "string"}))),
                )
                .await
                .map(drop),
            "tool \"t\"",
            "not an object schema",
        ),
        (
            "a tool result for an unknown tool-use ID",
            haiku
                .chat_with(
                    &Conversation::new().human_with([Content::tool_result_text("t-9", "42")]),
                    &tools(),
                )
                .await
                .map(drop),
            "conversation turn 1",
            "unknown tool-use ID \"t-9\"",
        ),
        (
            "tools for a model without tool use",
            titan
                .chat_with(
                    &Conversation::new().human("x"),
                    &ChatOptions::new().tool(weather_tool()),
                )
                .await
                .map(drop),
            "tools",
            "does not support tool use",
        ),
        (
            "reasoning for a model without a reasoning style",
            haiku
                .chat_with(
                    &Conversation::new().human("x"),
                    &ChatOptions::new().reasoning(ReasoningConfig::Budget(2048)),
                )
                .await
                .map(drop),
            "reasoning",
            "does not reason",
        ),
        (
            "reasoning in the other style",
            sonnet
                .chat_with(
                    &Conversation::new().human("x"),
                    &ChatOptions::new().reasoning(ReasoningConfig::Effort(Effort::Low)),
                )
                .await
                .map(drop),
            "reasoning",
            "takes a reasoning token budget",
        ),
        (
            "a reasoning budget below the minimum",
            sonnet
                .chat_with(
                    &Conversation::new().human("x"),
                    &ChatOptions::new().reasoning(ReasoningConfig::Budget(100)),
                )
                .await
                .map(drop),
            "reasoning",
            "below the minimum of 1024",
        ),
        (
            "a reasoning budget not below max_tokens",
            sonnet
                .chat_with(
                    &Conversation::new().human("x"),
                    &ChatOptions::new()
                        .params(CallOptions::new().max_tokens(2000))
                        .reasoning(ReasoningConfig::Budget(4000)),
                )
                .await
                .map(drop),
            "reasoning",
            "must be less than max_tokens",
        ),
        (
            "a document without a text block",
            haiku
                .chat_with(
                    &Conversation::new().human_with([Content::document(
                        "notes",
                        "txt",
                        b"hello".to_vec(),
                    )]),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 1",
            "needs a text block",
        ),
        (
            "a document format Converse does not take",
            haiku
                .chat_with(
                    &Conversation::new().human_with([
                        Content::document("notes", "rtf", b"hello".to_vec()),
                        Content::text("Summarize"),
                    ]),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 1",
            "format \"rtf\"",
        ),
        (
            "a document name Converse does not take",
            haiku
                .chat_with(
                    &Conversation::new().human_with([
                        Content::document("notes.txt", "txt", b"hello".to_vec()),
                        Content::text("Summarize"),
                    ]),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 1",
            "document name",
        ),
        (
            "a document for a model that reads none",
            titan
                .chat_with(
                    &Conversation::new().human_with([
                        Content::document("notes", "txt", b"hello".to_vec()),
                        Content::text("Summarize"),
                    ]),
                    &ChatOptions::new(),
                )
                .await
                .map(drop),
            "conversation turn 1",
            "reads no documents",
        ),
        (
            "tool calls without the tools offered",
            haiku
                .chat_with(
                    &Conversation::new()
                        .human("Weather?")
                        .assistant_with([Content::ToolUse(
                            bedrock_fm::chat::content::ToolUse::new(
                                "t-1",
                                "get_weather",
                                json!({"city": "Oslo"}),
                            ),
                        )])
                        .human_with([Content::tool_result_text("t-1", "4 C")]),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 2",
            "needs the tools offered",
        ),
        (
            "a tool choice naming a tool not offered",
            haiku
                .chat_with(
                    &Conversation::new().human("x"),
                    &tools().tool_choice(ToolChoice::Tool("other".into())),
                )
                .await
                .map(drop),
            "tool_choice",
            "not among the tools offered",
        ),
        (
            "a guardrail version that is not one",
            haiku
                .chat_with(
                    &Conversation::new().human("x"),
                    &ChatOptions::new().guardrail(Guardrail::new("gr1", "latest")),
                )
                .await
                .map(drop),
            "guardrail.version",
            "not a guardrail version",
        ),
        (
            "request metadata with characters Converse refuses",
            haiku
                .chat_with(
                    &Conversation::new().human("x"),
                    &ChatOptions::new().metadata("team", "a&b"),
                )
                .await
                .map(drop),
            "request_metadata.team",
            "keys (1 to 256)",
        ),
        (
            "streaming refuses the same way",
            haiku
                .chat_stream(
                    &Conversation::new()
                        .human_with([Content::text("x"), Content::image_bytes(b"nope".to_vec())]),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 1, image 1",
            "not an image",
        ),
        (
            "structured output refuses the same way",
            no_vision
                .chat_structured::<City>(
                    &Conversation::new()
                        .human_with([Content::text("x"), Content::image_bytes(png.clone())]),
                    &none(),
                )
                .await
                .map(drop),
            "conversation turn 1",
            "takes no images",
        ),
    ];
    for (case, result, location, message) in cases {
        let err = result.expect_err(case);
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{case}: {err}");
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!("InvalidInput: {location}")),
            "{case}: {shown}"
        );
        assert!(shown.contains(message), "{case}: {shown}");
    }
    assert_eq!(server.request_count(), 0, "no request was sent");
}

#[tokio::test]
async fn models_of_the_catalog_with_vision_take_images_over_converse() {
    let (server, client) = setup();
    // Llama 3.2 vision and Nova, through the same Converse shapes.
    let png = small_png();
    let conversation = Conversation::new()
        .human_with([Content::text("Describe"), Content::image_bytes(png.clone())]);
    let nova = Nova::builder(&client, Model::AmazonNovaLiteV1_0)
        .api(Api::Converse)
        .build()
        .unwrap();
    let reply = nova.chat(&conversation).await.unwrap();
    assert!(!reply.text().is_empty());
    let body = last_body(&server);
    assert_eq!(body["messages"][0]["content"][1]["image"]["format"], "png");
    assert!(last_path(&server).contains("amazon.nova-lite-v1"));
}

/// The same `ChatStream` over InvokeModelWithResponseStream, fed by the Claude Messages
/// family's chunk decoder (`content_block_start` tool_use, `input_json_delta`).
#[tokio::test]
async fn a_chat_stream_over_invoke_model_accumulates_the_same_way() {
    let (server, client) = setup();
    let model = Claude3::builder(&client, HAIKU).build().unwrap();
    let options = ChatOptions::new()
        .tool(weather_tool())
        .tool_choice(ToolChoice::Tool("get_weather".into()));
    let conversation = Conversation::new().human("What is the weather in Lisbon today?");
    let mut stream = model.chat_stream(&conversation, &options).await.unwrap();
    assert!(last_path(&server).ends_with("/invoke-with-response-stream"));
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        events.push(event.unwrap());
    }
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ChatEvent::ToolUseStart { name, .. } if name == "get_weather"))
    );
    assert!(events.contains(&ChatEvent::Stop(StopReason::ToolUse)));
    let streamed = model
        .chat_stream(&conversation, &options)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let unary = model.chat_with(&conversation, &options).await.unwrap();
    assert_eq!(streamed.tool_uses()[0].input, unary.tool_uses()[0].input);
    assert_eq!(streamed.tool_uses()[0].name, "get_weather");
    assert_eq!(streamed.stop_reason, unary.stop_reason);
    assert_eq!(streamed.text(), unary.text());
}
