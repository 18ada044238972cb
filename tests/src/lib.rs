//! End-to-end tests live in tests/; what several of them share is here.

use bedrock_fm::{Error, TextStream};

/// Reads `stream` until its error: the text received before it, and the error. Panics if
/// the stream ends without one (`what` names the case).
pub async fn read_until_error(stream: &mut TextStream, what: &str) -> (String, Error) {
    let mut received = String::new();
    loop {
        match stream.next().await {
            Some(Ok(delta)) => received.push_str(&delta),
            Some(Err(e)) => return (received, e),
            None => panic!("{what}: the stream ended without an error: {received:?}"),
        }
    }
}
