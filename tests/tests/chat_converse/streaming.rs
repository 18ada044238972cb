//! Streaming: a streamed reply (with tool calls) accumulates into the same reply as a unary
//! call's, over Converse and over InvokeModel.

use crate::{HAIKU, claude, last_path, setup, weather_tool};
use bedrock_fm::chat::content::Content;
use bedrock_fm::chat::tools::ToolChoice;
use bedrock_fm::chat::{ChatEvent, ChatOptions};
use bedrock_fm::{Claude3, Conversation, StopReason};
use serde_json::json;

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
