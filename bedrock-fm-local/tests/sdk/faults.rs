//! Injected faults as the SDK sees them: throttling, stream errors, latency.

use super::*;

#[tokio::test]
async fn injected_throttle_is_a_throttling_exception() {
    let server = bedrock_fm_local::start();
    let client = server.client();
    server.faults().push(Fault::Throttle);
    let err = client
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 429);
    let svc = err.into_service_error();
    assert!(svc.is_throttling_exception(), "{svc:?}");
    assert_eq!(
        svc.message(),
        Some("Too many requests, please wait before trying again.")
    );
    // Consumed: the next call succeeds.
    client
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .unwrap();

    // Matched by operation: a Converse call does not consume a ConverseStream fault.
    server.faults().push_for(
        FaultMatch::operation(Operation::ConverseStream),
        Fault::ServiceUnavailable,
    );
    client
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .unwrap();
    let err = client
        .converse_stream()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 503);
    assert!(err.into_service_error().is_service_unavailable_exception());

    for (fault, status, code) in [
        (Fault::InternalServer, 500, "InternalServerException"),
        (Fault::ModelNotReady, 429, "ModelNotReadyException"),
        (Fault::ModelTimeout, 408, "ModelTimeoutException"),
        (Fault::ModelError, 424, "ModelErrorException"),
    ] {
        server.faults().push(fault);
        let err = client
            .converse()
            .model_id(MODEL)
            .messages(user("hi"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.raw_response().unwrap().status().as_u16(), status);
        assert_eq!(err.into_service_error().code(), Some(code));
    }
}

#[tokio::test]
async fn throttle_every_nth_request() {
    let mut faults = FaultConfig::default();
    faults.throttle_every = Some(2);
    let server = bedrock_fm_local::start_with(Config::new().faults(faults));
    let client = server.client();
    let mut results = Vec::new();
    for _ in 0..4 {
        results.push(
            client
                .converse()
                .model_id(MODEL)
                .messages(user("hi"))
                .send()
                .await
                .is_ok(),
        );
    }
    assert_eq!(results, vec![true, false, true, false]);
}

#[tokio::test]
async fn stream_error_in_the_middle_keeps_the_partial_output() {
    let server = bedrock_fm_local::start();
    server.faults().push(Fault::StreamErrorAfter(3));
    let mut out = server
        .client()
        .converse_stream()
        .model_id(MODEL)
        .messages(user("one two three four five six"))
        .send()
        .await
        .unwrap();
    let mut text = String::new();
    let err = loop {
        match out.stream.recv().await {
            Ok(Some(ConverseStreamOutput::ContentBlockDelta(d))) => {
                if let Some(ContentBlockDelta::Text(t)) = d.delta() {
                    text.push_str(t);
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => panic!("the stream ended without the injected error"),
            Err(e) => break e,
        }
    };
    assert_eq!(text, "one two three");
    let svc = err.into_service_error();
    assert!(svc.is_model_stream_error_exception(), "{svc:?}");
    assert_eq!(
        svc.message(),
        Some("An error occurred while streaming the response. Retry your request.")
    );
}

#[tokio::test]
async fn latency_fault_delays_the_answer() {
    let server = bedrock_fm_local::start();
    server
        .faults()
        .push(Fault::Latency(Duration::from_millis(200)));
    let started = std::time::Instant::now();
    server
        .client()
        .converse()
        .model_id(MODEL)
        .messages(user("x"))
        .send()
        .await
        .unwrap();
    // A lower bound only: the server must not answer before the injected latency.
    assert!(started.elapsed() >= Duration::from_millis(200));
}
