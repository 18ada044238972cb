//! Chat over InvokeModel against bedrock-fm-local over real HTTP: images, documents, tools,
//! thinking, guardrails and latency settings in each family's native body (checked against
//! the family's documented shapes), and the typed replies.

use base64::Engine as _;
use bedrock_fm::catalog::Model;
use bedrock_fm::chat::content::{Content, Reasoning};
use bedrock_fm::chat::tools::{Tool, ToolChoice};
use bedrock_fm::chat::{ChatEvent, ChatOptions, Effort, Guardrail, ReasoningConfig};
use bedrock_fm::{
    CallOptions, Claude3, Client, Conversation, ErrorKind, Llama3, Nova, RetryPolicy, StopReason,
    Titan,
};
use bedrock_fm_local::LocalServer;
use bedrock_fm_local::guardrails::TEST_GUARDRAIL_ID;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use serde_json::{Value, json};

/// Claude 3.7 Sonnet is offered only through inference profiles.
const PROFILE_SONNET_3_7: &str = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";
use std::io::Cursor;
use std::time::Duration;

const HAIKU: Model = Model::AnthropicClaude3Haiku20240307V1_0;

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

fn gradient(w: u32, h: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x % 251) as u8, (y % 241) as u8, 90])
    }))
}

fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(value: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(value.as_str().expect("a Base64 string"))
        .expect("valid Base64")
}

fn weather_tool() -> Tool {
    Tool::new(
        "get_weather",
        "The current weather of a city",
        json!({
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city"}},
            "required": ["city"]
        }),
    )
}

// Wire shapes: image blocks `{"type": "image", "source": {"type": "base64", "media_type",
// "data"}}` and text blocks in the order given,
// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html
#[tokio::test]
async fn claude3_multimodal_chat_sends_images_in_order_and_resizes_an_oversized_one() {
    let (server, client) = setup();
    let claude = Claude3::builder(&client, HAIKU).build().unwrap();
    let small_png = encoded(&gradient(64, 32), ImageFormat::Png);
    let small_jpeg = encoded(&gradient(40, 40), ImageFormat::Jpeg);
    // Wider than Claude's 8,000 px (catalog image_input.max_dimension).
    let wide_png = encoded(&gradient(9000, 30), ImageFormat::Png);
    let conversation = Conversation::new()
        .system("You describe images.")
        .human_with([
            Content::text("Compare the first image"),
            Content::image_bytes(small_png.clone()),
            Content::text("with the second"),
            Content::image_bytes(small_jpeg.clone()),
            Content::image_bytes(wide_png),
        ]);
    let details = claude
        .chat_details(&conversation, &ChatOptions::new())
        .await
        .unwrap();
    let body = last_body(&server);
    assert_eq!(details.body, body, "the details carry the body as sent");
    assert_eq!(body["system"], "You describe images.");
    let content = body["messages"][0]["content"].as_array().unwrap();
    let kinds: Vec<&str> = content
        .iter()
        .map(|b| b["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["text", "image", "text", "image", "image"]);
    assert_eq!(content[0]["text"], "Compare the first image");
    assert_eq!(
        content[1]["source"],
        json!({"type": "base64", "media_type": "image/png", "data": b64(&small_png)})
    );
    assert_eq!(content[2]["text"], "with the second");
    // Accepted and within limits: the original JPEG bytes, untouched.
    assert_eq!(content[3]["source"]["media_type"], "image/jpeg");
    assert_eq!(unb64(&content[3]["source"]["data"]), small_jpeg);
    // The oversized one was scaled to 8,000 px wide, keeping its aspect ratio.
    assert_eq!(content[4]["source"]["media_type"], "image/png");
    let sent = image::load_from_memory(&unb64(&content[4]["source"]["data"])).unwrap();
    assert_eq!(sent.width(), 8000);
    assert!((26..=27).contains(&sent.height()), "{}", sent.height());

    let reply = details.reply();
    assert!(!reply.text().is_empty());
    assert_eq!(reply.stop_reason, Some(StopReason::EndTurn));
    assert!(reply.usage.input_tokens.unwrap() > 0);
}

#[tokio::test]
async fn too_many_or_undecodable_images_fail_before_any_request() {
    let (server, client) = setup();
    let claude = Claude3::builder(&client, HAIKU).build().unwrap();
    let png = encoded(&gradient(4, 4), ImageFormat::Png);
    let before = server.request_count();
    // Claude 3 Haiku takes 20 images per request (catalog image_input.max_count).
    let many = Conversation::new().human_with(
        std::iter::once(Content::text("Count these"))
            .chain((0..21).map(|_| Content::image_bytes(png.clone()))),
    );
    let err = claude.chat(&many).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string()
            .contains("conversation turn 1, image 21: the conversation has 21 images; the model takes at most 20"),
        "{err}"
    );
    let broken = Conversation::new().human_with([
        Content::text("What is this?"),
        Content::image_bytes(b"not an image at all".to_vec()),
    ]);
    let err = claude.chat(&broken).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("conversation turn 1, image 1: the bytes are not an image"),
        "{err}"
    );
    assert_eq!(server.request_count(), before);
}

// Tool use: `tools` with `input_schema`, `tool_choice`, a `tool_use` block in the reply and
// a `tool_result` block sent back,
// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-tool-use.html
#[tokio::test]
async fn claude3_tool_use_round_trip_with_a_tool_result() {
    let (server, client) = setup();
    let claude = Claude3::builder(&client, HAIKU).build().unwrap();
    let options = ChatOptions::new()
        .tool(weather_tool())
        .tool_choice(ToolChoice::Auto);
    let conversation = Conversation::new().human("What is the weather in Paris? Use get_weather.");
    let reply = claude.chat_with(&conversation, &options).await.unwrap();
    let body = last_body(&server);
    assert_eq!(
        body["tools"],
        json!([{
            "name": "get_weather",
            "description": "The current weather of a city",
            "input_schema": {
                "type": "object",
                "properties": {"city": {"type": "string", "description": "The city"}},
                "required": ["city"]
            }
        }])
    );
    assert_eq!(body["tool_choice"], json!({"type": "auto"}));
    assert_eq!(reply.stop_reason, Some(StopReason::ToolUse));
    let call = reply.tool_uses()[0].clone();
    assert_eq!(call.name, "get_weather");
    assert_eq!(call.input["city"], "Paris");

    let conversation = conversation
        .assistant_with(reply.content.clone())
        .human_with([Content::tool_result_text(call.id.clone(), "Sunny, 21 C")]);
    let answer = claude.chat_with(&conversation, &options).await.unwrap();
    let body = last_body(&server);
    let assistant = body["messages"][1]["content"].as_array().unwrap();
    assert_eq!(
        assistant.last().unwrap(),
        &json!({"type": "tool_use", "id": call.id, "name": "get_weather", "input": call.input})
    );
    assert_eq!(
        body["messages"][2]["content"],
        json!([{"type": "tool_result", "tool_use_id": call.id,
                "content": [{"type": "text", "text": "Sunny, 21 C"}]}])
    );
    assert_eq!(answer.stop_reason, Some(StopReason::EndTurn));
    assert!(answer.tool_uses().is_empty());
    assert!(!answer.text().is_empty());
}

// Extended thinking: `thinking: {type: enabled, budget_tokens}` (at least 1,024, below
// max_tokens), `thinking` blocks with a `signature`, passed back unchanged,
// https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-extended-thinking.html
#[tokio::test]
async fn claude_thinking_is_returned_with_its_signature_and_sent_back() {
    let (server, client) = setup();
    let sonnet = Claude3::builder(&client, PROFILE_SONNET_3_7)
        .build()
        .unwrap();
    let options = ChatOptions::new().reasoning(ReasoningConfig::Budget(1024));
    let conversation = Conversation::new().human("Why is the sky blue?");
    let details = sonnet.chat_details(&conversation, &options).await.unwrap();
    let body = last_body(&server);
    assert_eq!(
        body["thinking"],
        json!({"type": "enabled", "budget_tokens": 1024})
    );
    assert!(body["max_tokens"].as_u64().unwrap() > 1024);
    let reply = details.reply();
    let reasoning: Reasoning = reply.reasoning().cloned().expect("thinking returned");
    assert!(!reasoning.text.is_empty());
    assert!(
        reasoning
            .signature
            .as_deref()
            .is_some_and(|s| !s.is_empty())
    );
    assert!(!reply.text().is_empty());
    let typed = details.response.as_ref().unwrap();
    assert_eq!(typed.content.len(), 2);

    let next = conversation
        .clone()
        .assistant_with(reply.content.clone())
        .human("Say it shorter.");
    sonnet.chat_with(&next, &options).await.unwrap();
    let body = last_body(&server);
    assert_eq!(
        body["messages"][1]["content"][0],
        json!({"type": "thinking", "thinking": reasoning.text, "signature": reasoning.signature})
    );

    // A budget not below max_tokens is refused before the request.
    let before = server.request_count();
    let tight = ChatOptions::new()
        .reasoning(ReasoningConfig::Budget(1024))
        .params(CallOptions::new().max_tokens(1024));
    let err = sonnet.chat_with(&conversation, &tight).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("max_tokens: 1024 must be greater than the thinking budget"),
        "{err}"
    );
    // Claude 3 Haiku does not reason (catalog).
    let haiku = Claude3::builder(&client, HAIKU).build().unwrap();
    let err = haiku.chat_with(&conversation, &options).await.unwrap_err();
    assert!(err.to_string().contains("does not reason"), "{err}");
    assert_eq!(server.request_count(), before);
}

// Nova: `image: {format, source: {bytes: <Base64>}}`, `toolConfig.tools[].toolSpec` with
// `inputSchema.json`, `toolChoice`, `toolUse` and `toolResult` blocks,
// https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html
#[tokio::test]
async fn nova_image_and_tool_use() {
    let (server, client) = setup();
    let nova = Nova::builder(&client, Model::AmazonNovaLiteV1_0)
        .build()
        .unwrap();
    let png = encoded(&gradient(32, 32), ImageFormat::Png);
    let options = ChatOptions::new()
        .tool(weather_tool())
        .tool_choice(ToolChoice::Tool("get_weather".into()));
    let conversation = Conversation::new().human_with([
        Content::image_bytes(png.clone()),
        Content::text("Which city is this? Then tell me its weather."),
    ]);
    let reply = nova.chat_with(&conversation, &options).await.unwrap();
    let body = last_body(&server);
    assert_eq!(body["schemaVersion"], "messages-v1");
    assert_eq!(
        body["messages"][0]["content"],
        json!([
            {"image": {"format": "png", "source": {"bytes": b64(&png)}}},
            {"text": "Which city is this? Then tell me its weather."}
        ])
    );
    assert_eq!(
        body["toolConfig"],
        json!({
            "tools": [{"toolSpec": {
                "name": "get_weather",
                "description": "The current weather of a city",
                "inputSchema": {"json": weather_tool().input_schema}
            }}],
            "toolChoice": {"tool": {"name": "get_weather"}}
        })
    );
    assert_eq!(reply.stop_reason, Some(StopReason::ToolUse));
    let call = reply.tool_uses()[0].clone();
    assert_eq!(call.name, "get_weather");
    assert!(call.input["city"].is_string());

    let conversation = conversation
        .assistant_with(reply.content.clone())
        .human_with([Content::tool_result_json(
            call.id.clone(),
            json!({"sky": "clear", "c": 18}),
        )]);
    let options = ChatOptions::new().tool(weather_tool());
    let answer = nova.chat_with(&conversation, &options).await.unwrap();
    let body = last_body(&server);
    assert_eq!(
        body["messages"][1]["content"]
            .as_array()
            .unwrap()
            .last()
            .unwrap(),
        &json!({"toolUse": {"toolUseId": call.id, "name": "get_weather", "input": call.input}})
    );
    assert_eq!(
        body["messages"][2]["content"],
        json!([{"toolResult": {"toolUseId": call.id, "content": [{"json": {"sky": "clear", "c": 18}}]}}])
    );
    assert_eq!(answer.stop_reason, Some(StopReason::EndTurn));
    assert!(!answer.text().is_empty());
}

// Llama 3.2 vision: `images` (Base64 strings) in the body, `<|image|>` in the prompt where
// the image is, https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
// and Meta's Llama 3.2 vision prompt format.
#[tokio::test]
async fn llama32_vision_sends_images_with_the_image_token() {
    let (server, client) = setup();
    let llama = Llama3::builder(&client, "us.meta.llama3-2-11b-instruct-v1:0")
        .build()
        .unwrap();
    let jpeg = encoded(&gradient(48, 24), ImageFormat::Jpeg);
    let conversation = Conversation::new().human_with([
        Content::image_bytes(jpeg.clone()),
        Content::text("Describe it."),
    ]);
    let details = llama
        .chat_details(&conversation, &ChatOptions::new())
        .await
        .unwrap();
    let body = last_body(&server);
    assert_eq!(
        body["prompt"],
        "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n<|image|>Describe it.<|eot_id|>\
         <|start_header_id|>assistant<|end_header_id|>\n\n"
    );
    assert_eq!(body["images"], json!([b64(&jpeg)]));
    assert!(!details.output.is_empty());
    assert!(details.usage.input_tokens.unwrap() > 0);

    // Llama 3 8B takes no images (catalog), whatever the API.
    let before = server.request_count();
    let text_only = Llama3::builder(&client, Model::MetaLlama3_8bInstructV1_0)
        .build()
        .unwrap();
    let err = text_only.chat(&conversation).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("conversation turn 1, image 1: meta.llama3-8b-instruct-v1:0 takes no images"),
        "{err}"
    );
    assert_eq!(server.request_count(), before);
}

#[tokio::test]
async fn a_text_only_family_refuses_an_image_before_any_request() {
    let (server, client) = setup();
    let titan = Titan::builder(&client, Model::AmazonTitanTextPremierV1_0)
        .build()
        .unwrap();
    let before = server.request_count();
    let conversation = Conversation::new().human_with([
        Content::text("What is in this picture?"),
        Content::image_bytes(encoded(&gradient(8, 8), ImageFormat::Png)),
    ]);
    let err = titan.chat(&conversation).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string().contains(
            "conversation turn 1: amazon.titan-text-premier-v1:0 takes no images (it has no vision)"
        ),
        "{err}"
    );
    let tools = ChatOptions::new().tool(weather_tool());
    let err = titan
        .chat_with(&Conversation::new().human("Weather in Paris?"), &tools)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("takes no tools; use Api::Converse"),
        "{err}"
    );
    assert_eq!(server.request_count(), before);
}

// Guardrail, trace, latency and request metadata are InvokeModel headers in the service
// model (bedrock-runtime-2023-09-30, InvokeModelRequest): X-Amzn-Bedrock-GuardrailIdentifier,
// X-Amzn-Bedrock-GuardrailVersion, X-Amzn-Bedrock-Trace,
// X-Amzn-Bedrock-PerformanceConfig-Latency, X-Amzn-Bedrock-Request-Metadata.
#[tokio::test]
async fn guardrail_latency_and_metadata_go_on_the_wire_as_headers() {
    let (server, client) = setup();
    let claude = Claude3::builder(&client, HAIKU).build().unwrap();
    let options = ChatOptions::new()
        .guardrail(Guardrail::new(TEST_GUARDRAIL_ID, "1").with_trace())
        .latency_optimized()
        .metadata("team", "search");
    let reply = claude
        .chat_with(&Conversation::new().human("Hello"), &options)
        .await
        .unwrap();
    assert!(!reply.text().is_empty());
    let record = server.last_request().unwrap();
    assert_eq!(
        record.header("X-Amzn-Bedrock-GuardrailIdentifier"),
        Some(TEST_GUARDRAIL_ID)
    );
    assert_eq!(record.header("X-Amzn-Bedrock-GuardrailVersion"), Some("1"));
    assert_eq!(record.header("X-Amzn-Bedrock-Trace"), Some("ENABLED"));
    assert_eq!(
        record.header("X-Amzn-Bedrock-PerformanceConfig-Latency"),
        Some("optimized")
    );
    let metadata: Value =
        serde_json::from_str(record.header("X-Amzn-Bedrock-Request-Metadata").unwrap()).unwrap();
    assert_eq!(metadata, json!({"team": "search"}));
    // The body carries none of them.
    let body = last_body(&server);
    assert!(body.get("guardrailConfig").is_none());

    // Without them, no such headers.
    claude
        .chat(&Conversation::new().human("Hello"))
        .await
        .unwrap();
    let record = server.last_request().unwrap();
    assert!(
        record
            .header("X-Amzn-Bedrock-GuardrailIdentifier")
            .is_none()
    );
    assert!(record.header("X-Amzn-Bedrock-Trace").is_none());
    assert!(
        record
            .header("X-Amzn-Bedrock-PerformanceConfig-Latency")
            .is_none()
    );
}

// Documents: a `document` block with a base64 PDF source, model-parameters-anthropic-claude-messages.html.
#[tokio::test]
async fn claude_reads_a_pdf_document() {
    let (server, client) = setup();
    let sonnet = Claude3::builder(&client, PROFILE_SONNET_3_7)
        .build()
        .unwrap();
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF".to_vec();
    let conversation = Conversation::new().human_with([
        Content::document("Quarterly report", "pdf", pdf.clone()),
        Content::text("Summarize the report."),
    ]);
    sonnet.chat(&conversation).await.unwrap();
    let body = last_body(&server);
    assert_eq!(
        body["messages"][0]["content"][0],
        json!({"type": "document", "title": "Quarterly report",
               "source": {"type": "base64", "media_type": "application/pdf", "data": b64(&pdf)}})
    );
}

async fn all_events(mut stream: bedrock_fm::chat::ChatStream) -> Vec<ChatEvent> {
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        events.push(event.unwrap());
    }
    events
}

fn streamed_input(events: &[ChatEvent]) -> Value {
    let json: String = events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::ToolUseInputDelta(piece) => Some(piece.as_str()),
            _ => None,
        })
        .collect();
    serde_json::from_str(&json).expect("the input deltas make one JSON object")
}

// Stream events of the Messages API: `content_block_start` of a `tool_use` block,
// `input_json_delta`, `thinking_delta` and `signature_delta`
// (model-parameters-anthropic-claude-messages-tool-use.html,
// claude-messages-extended-thinking.html), read from InvokeModelWithResponseStream.
#[tokio::test]
async fn claude_streams_thinking_and_a_tool_call_as_chat_events() {
    let (server, client) = setup();
    let sonnet = Claude3::builder(&client, PROFILE_SONNET_3_7)
        .build()
        .unwrap();
    let options = ChatOptions::new()
        .tool(weather_tool())
        .reasoning(ReasoningConfig::Budget(1024))
        .guardrail(Guardrail::new(TEST_GUARDRAIL_ID, "DRAFT"))
        .latency_optimized();
    let conversation = Conversation::new().human("What is the weather in Lyon? Use get_weather.");
    let events = all_events(sonnet.chat_stream(&conversation, &options).await.unwrap()).await;
    let record = server.last_request().unwrap();
    assert!(
        record.path.ends_with("/invoke-with-response-stream"),
        "{}",
        record.path
    );
    assert_eq!(
        record.header("X-Amzn-Bedrock-GuardrailIdentifier"),
        Some(TEST_GUARDRAIL_ID)
    );
    assert_eq!(
        record.header("X-Amzn-Bedrock-GuardrailVersion"),
        Some("DRAFT")
    );
    assert_eq!(
        record.header("X-Amzn-Bedrock-PerformanceConfig-Latency"),
        Some("optimized")
    );

    let position = |pred: &dyn Fn(&ChatEvent) -> bool| events.iter().position(pred);
    let thinking = position(&|e| matches!(e, ChatEvent::ReasoningDelta(_))).expect("thinking");
    let signature = position(&|e| matches!(e, ChatEvent::ReasoningSignature(s) if !s.is_empty()))
        .expect("a signature");
    let start =
        position(&|e| matches!(e, ChatEvent::ToolUseStart { name, .. } if name == "get_weather"))
            .expect("a tool call");
    assert!(thinking < signature && signature < start, "{events:?}");
    assert_eq!(streamed_input(&events)["city"], "Lyon");
    assert_eq!(
        events.iter().find(|e| matches!(e, ChatEvent::Stop(_))),
        Some(&ChatEvent::Stop(StopReason::ToolUse))
    );

    // Collected, the stream gives the reply a non-streaming call gives.
    let streamed = sonnet
        .chat_stream(&conversation, &options)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let unary = sonnet.chat_with(&conversation, &options).await.unwrap();
    assert_eq!(streamed.content, unary.content);
    assert_eq!(streamed.stop_reason, unary.stop_reason);
}

// Nova stream chunks: `contentBlockStart.start.toolUse`, `contentBlockDelta.delta.toolUse.input`
// and `reasoningContent` (complete-request-schema.html and the Converse stream shapes).
#[tokio::test]
async fn nova_streams_reasoning_and_a_tool_call_as_chat_events() {
    let (_server, client) = setup();
    let nova = Nova::builder(&client, "us.amazon.nova-2-lite-v1:0")
        .build()
        .unwrap();
    let options = ChatOptions::new()
        .tool(weather_tool())
        .reasoning(ReasoningConfig::Effort(Effort::Low));
    let conversation = Conversation::new().human("Weather in Bergen please, use get_weather.");
    let events = all_events(nova.chat_stream(&conversation, &options).await.unwrap()).await;
    assert!(
        events.contains(&ChatEvent::ReasoningDelta("[REDACTED]".into())),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ChatEvent::ToolUseStart { name, .. } if name == "get_weather"))
    );
    assert_eq!(streamed_input(&events)["city"], "Bergen");
    let unary = nova.chat_with(&conversation, &options).await.unwrap();
    assert_eq!(unary.tool_uses()[0].input["city"], "Bergen");
    assert_eq!(unary.reasoning().unwrap().text, "[REDACTED]");
}
