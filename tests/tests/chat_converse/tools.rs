//! Tool use: tools declared from Rust types, tool choices, tool results and the tool loop.

use crate::{HAIKU, Weather, b64, claude, last_body, setup, small_png, weather_tool};
use bedrock_fm::chat::content::{Content, ImageInput, ToolResultContent};
use bedrock_fm::chat::tools::ToolChoice;
use bedrock_fm::chat::{ChatError, ChatOptions, ToolHandlers};
use bedrock_fm::{Conversation, ErrorKind, Role, StopReason};
use serde_json::json;
use std::sync::{Arc, Mutex};

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
