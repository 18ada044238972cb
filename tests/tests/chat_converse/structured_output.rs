//! Structured output: the reply decoded into a Rust type, or the raw JSON when it does not fit.

use crate::{HAIKU, claude, last_body, setup};
use bedrock_fm::chat::ChatOptions;
use bedrock_fm::{Conversation, ErrorKind};
use serde_json::json;

#[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct City {
    /// The city's name.
    pub(crate) name: String,
    /// Its population.
    pub(crate) population: u32,
}

/// A type whose schema (a string) does not say what it decodes (a number): the model's
/// schema-valid output does not fit it.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[allow(dead_code)]
pub(crate) struct Misdeclared {
    #[schemars(with = "String")]
    pub(crate) count: u32,
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
