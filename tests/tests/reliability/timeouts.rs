//! Timeouts: an operation timeout bounds a whole call, retries included (a 1 s timeout used
//! to take about 6.3 s: four attempts of 1 s plus backoff), and every client has connect
//! and read timeouts, so that no call waits for ever on a server that never answers.

use crate::TITAN;
use bedrock_fm::client::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT};
use bedrock_fm::{Client, ErrorKind, Titan};
use bedrock_fm_local::Fault;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_one_second_operation_timeout_ends_a_slow_call_in_about_one_second() {
    let server = bedrock_fm_local::start();
    let client = Client::from_sdk_config(&server.sdk_config())
        .with_operation_timeout(Some(Duration::from_secs(1)));
    for _ in 0..5 {
        server.faults().push(Fault::Latency(Duration::from_secs(3)));
    }
    let titan = Titan::builder(&client, TITAN).build().unwrap();
    let started = Instant::now();
    let err = titan.generate("Hello").await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    // A bound, not a performance figure: well under one slow attempt (3 s).
    assert!(took < Duration::from_millis(2500), "took {took:?}");
}

#[tokio::test]
async fn clients_have_connect_and_read_timeouts_by_default() {
    let server = bedrock_fm_local::start();
    let client = Client::from_sdk_config(&server.sdk_config());
    let config = client.sdk().config();
    let timeouts = config.timeout_config().expect("a timeout configuration");
    assert_eq!(timeouts.connect_timeout(), Some(DEFAULT_CONNECT_TIMEOUT));
    assert_eq!(timeouts.read_timeout(), Some(DEFAULT_READ_TIMEOUT));
}
