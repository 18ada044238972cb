//! Shared setup of the bedrock-fm examples: every example runs against an in-process
//! `bedrock-fm-local` server by default (no AWS account, no network), and against AWS when
//! `BEDROCK_FM_USE_AWS=1` is set or `--aws` is passed, saying which one it uses.
//!
//! ```no_run
//! # async fn demo() -> bedrock_fm::Result<()> {
//! let backend = bedrock_fm_examples::connect().await?;
//! // `backend.client` is a `bedrock_fm::Client`; keep `backend` alive while you use it.
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

use bedrock_fm::{Client, Error};
use bedrock_fm_local::LocalServer;

/// The environment variable that sends the examples to AWS (`BEDROCK_FM_USE_AWS=1`).
pub const USE_AWS_VAR: &str = "BEDROCK_FM_USE_AWS";

/// Where the examples send their requests.
#[derive(Debug)]
pub struct Backend {
    /// The client to build wrappers with.
    pub client: Client,
    /// The local server, when running locally (it stops when dropped).
    pub server: Option<LocalServer>,
}

impl Backend {
    /// Whether the requests go to the in-process local server.
    pub fn is_local(&self) -> bool {
        self.server.is_some()
    }
}

/// Whether AWS was asked for: `BEDROCK_FM_USE_AWS` set to `1`/`true`/`yes`, or `--aws` among
/// the program's arguments (`cargo run -p bedrock-fm-examples --example quickstart -- --aws`).
pub fn wants_aws() -> bool {
    let by_env = std::env::var(USE_AWS_VAR)
        .map(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
        .unwrap_or(false);
    by_env || std::env::args().skip(1).any(|a| a == "--aws")
}

/// The backend the example uses, printed on stdout: a local server started in-process, or
/// AWS through the AWS configuration chain (profiles, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
/// `AWS_BEARER_TOKEN_BEDROCK`, ...) when [`wants_aws`].
pub async fn connect() -> bedrock_fm::Result<Backend> {
    if wants_aws() {
        let client = Client::builder().build().await?;
        let Some(region) = client.sdk().config().region().map(|r| r.to_string()) else {
            return Err(Error::invalid(
                "region",
                "no AWS region is configured: set AWS_REGION or a region in your AWS profile",
            ));
        };
        println!("Using AWS Bedrock in {region} (from the AWS configuration chain).");
        return Ok(Backend {
            client,
            server: None,
        });
    }
    let server = bedrock_fm_local::start();
    println!(
        "Using the local server bedrock-fm-local at {} (no AWS account needed; set \
         {USE_AWS_VAR}=1 or pass --aws to call AWS).",
        server.endpoint()
    );
    let client = Client::from_sdk_config(&server.sdk_config());
    Ok(Backend {
        client,
        server: Some(server),
    })
}
