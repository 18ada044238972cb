//! Latency-optimized inference and request metadata.

use super::*;

#[tokio::test]
async fn performance_config_is_echoed_and_request_metadata_accepted() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    let optimized = PerformanceConfiguration::builder()
        .latency(PerformanceConfigLatency::Optimized)
        .build();
    let out = client
        .converse()
        .model_id("us.anthropic.claude-3-5-haiku-20241022-v1:0")
        .messages(user("Quick!"))
        .performance_config(optimized.clone())
        .request_metadata("team", "search")
        .request_metadata("run", "42")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.performance_config().unwrap().latency(),
        &PerformanceConfigLatency::Optimized
    );
    let body: Value = serde_json::from_slice(&server.last_request().unwrap().body).unwrap();
    assert_eq!(
        body["requestMetadata"],
        json!({"team": "search", "run": "42"})
    );
    // A model without an optimized version is served at standard latency.
    let out = client
        .converse()
        .model_id(HAIKU3)
        .messages(user("Quick!"))
        .performance_config(optimized.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.performance_config().unwrap().latency(),
        &PerformanceConfigLatency::Standard
    );
    // Nothing asked, nothing echoed.
    let out = client
        .converse()
        .model_id(HAIKU3)
        .messages(user("Quick!"))
        .send()
        .await
        .unwrap();
    assert!(out.performance_config().is_none());
    // The stream's metadata event.
    let mut stream = client
        .converse_stream()
        .model_id(NOVA_PRO)
        .messages(user("Quick!"))
        .performance_config(optimized)
        .send()
        .await
        .unwrap();
    let mut perf = None;
    while let Some(event) = stream.stream.recv().await.unwrap() {
        if let ConverseStreamOutput::Metadata(m) = event {
            perf = m.performance_config().cloned();
        }
    }
    assert_eq!(
        perf.unwrap().latency(),
        &PerformanceConfigLatency::Optimized
    );
    // InvokeModel: the header both ways.
    let out = client
        .invoke_model()
        .model_id("meta.llama3-1-70b-instruct-v1:0")
        .body(Blob::new(
            br#"{"prompt": "Quick!", "max_gen_len": 20}"#.to_vec(),
        ))
        .performance_config_latency(PerformanceConfigLatency::Optimized)
        .request_metadata(r#"{"team": "search"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.performance_config_latency(),
        Some(&PerformanceConfigLatency::Optimized)
    );
    // Invalid request metadata: the service model's constraints.
    let mut bad = HashMap::new();
    bad.insert("team".to_owned(), "not allowed!".to_owned());
    let err = client
        .converse()
        .model_id(HAIKU3)
        .messages(user("x"))
        .set_request_metadata(Some(bad))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        err.message()
            .unwrap()
            .contains("at 'requestMetadata.team.member' failed to satisfy constraint: Member must satisfy regular expression pattern"),
        "{err:?}"
    );
    let err = client
        .invoke_model()
        .model_id(HAIKU3)
        .body(Blob::new(claude_body("x")))
        .request_metadata(r#"{"team": "not allowed!"}"#)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_validation_exception());
}
