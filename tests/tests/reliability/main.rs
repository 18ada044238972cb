//! Reliability (issue 11) end to end, through a `bedrock_fm::Client` over real HTTP:
//! errors that carry no AWS error code (a proxy's or gateway's) are classified by status and
//! retried when transient, empty or undecodable success bodies are decode errors, and no
//! credential reaches an error's `Display` or `Debug`; a stream that ends without its final
//! event is an error, never a silent truncation.

mod empty_success;
mod proxy_errors;
mod raw_server;
mod secrets;
mod timeouts;
mod truncated_streams;

pub(crate) const TITAN: &str = "amazon.titan-text-premier-v1:0";
pub(crate) const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";
