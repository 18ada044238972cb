//! A local Amazon Bedrock Runtime server for offline tests, examples and development.
//!
//! `bedrock-fm-local` serves the Bedrock Runtime REST-JSON API on loopback so that real
//! clients (`aws-sdk-bedrockruntime`, boto3) cannot tell it from the service at the protocol
//! level: the operation paths with percent-encoded model IDs, SigV4 verified against its
//! credentials (and bearer API keys), AWS error responses, and
//! `application/vnd.amazon.eventstream` streams written as tokens are produced. Its models are
//! deterministic (see [`engine`]), and it injects faults on demand (see [`faults`]).
//!
//! ```no_run
//! # async fn demo() {
//! use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};
//!
//! let server = bedrock_fm_local::start();
//! let client = server.client();
//! let reply = client
//!     .converse()
//!     .model_id("anthropic.claude-3-haiku-20240307-v1:0")
//!     .messages(
//!         Message::builder()
//!             .role(ConversationRole::User)
//!             .content(ContentBlock::Text("Hello there".into()))
//!             .build()
//!             .unwrap(),
//!     )
//!     .send()
//!     .await
//!     .unwrap();
//! assert_eq!(server.request_count(), 1);
//! # let _ = reply;
//! # }
//! ```
//!
//! # Credentials
//!
//! Unless configured otherwise, the server accepts exactly one SigV4 key pair and one bearer
//! token, all fixed and documented so that any client can use them:
//!
//! | what | value |
//! |------|-------|
//! | access key ID | `AKIDLOCALTESTKEY00001` ([`TEST_ACCESS_KEY_ID`]) |
//! | secret access key | `bedrock-fm-local/test/secret/key/0000000001` ([`TEST_SECRET_ACCESS_KEY`]) |
//! | bearer token (API key) | `bedrock-fm-local-test-api-key` ([`TEST_BEARER_TOKEN`]) |
//!
//! Signatures must be scoped to the service `bedrock`; any region is accepted.
//!
//! # Faults
//!
//! [`LocalServer::faults`] queues faults for the next requests; the request header
//! `x-bedrock-fm-local-fault` scripts them per request (for clients in any language); and
//! [`Config::faults`] sets them for the whole server. See [`faults`].
//!
//! # Guardrails, prompt caching, latency
//!
//! Guardrails are word filters configured on the server ([`Config::guardrail`]); every server
//! knows the test guardrail [`TEST_GUARDRAIL_ID`] (`localguardrail`, versions `1` and `DRAFT`),
//! which blocks the word [`TEST_GUARDRAIL_BLOCKED_TERM`] (`forbidden`). See [`guardrails`].
//! Prompt caching is simulated per server: the first request with a cached prefix writes it,
//! later ones read it (see [`prompt_cache`]). Latency-optimized requests are echoed with the
//! latency they are served with (`performanceConfig` in Converse, the
//! `x-amzn-bedrock-performanceconfig-latency` header in InvokeModel).
//!
//! # Model IDs, registered models, control plane
//!
//! Model IDs are answered like Bedrock: an unknown ID is "The provided model identifier is
//! invalid."; a catalog model not offered on demand, called by its bare ID or foundation-model
//! ARN, gets Bedrock's on-demand-throughput `ValidationException` (see [`catalog_backend`]),
//! while its inference profiles (`us.` + ID, ...) work. [`Config::register_model`] serves an ID
//! the catalog does not know, [`Config::application_profile`] an application inference
//! profile by its ARN (see [`registry`]). The control-plane operations ListFoundationModels,
//! GetFoundationModel, ListInferenceProfiles and GetInferenceProfile are served on the same
//! endpoint; point `aws-sdk-bedrock` at it with
//! `aws_sdk_bedrock::Client::new(&server.sdk_config())`.
//!
//! # Inspecting traffic
//!
//! [`LocalServer::request_count`] counts every request received (to prove that a client sent
//! nothing), and [`LocalServer::requests`] keeps the last ones (1,000 and 64 MiB by default,
//! see [`request_log`]): method, path, headers (with signatures and tokens redacted) and body.
#![deny(missing_docs)]

pub mod catalog_backend;
pub mod config;
mod control_plane;
mod converse;
mod converse_validate;
pub mod engine;
pub mod errors;
mod eventstream;
mod families;
pub mod faults;
pub mod guardrails;
pub mod http;
mod media_check;
pub mod models;
mod pattern;
mod performance;
pub mod prompt_cache;
pub mod registry;
pub mod request_log;
mod server;
mod service_model;
mod sigv4;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::thread::JoinHandle;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};
use tokio::sync::watch;

pub use catalog_backend::CatalogBackend;
pub use config::{
    ACCOUNT_ID, Config, DEFAULT_REGION, TEST_ACCESS_KEY_ID, TEST_BEARER_TOKEN,
    TEST_SECRET_ACCESS_KEY,
};
pub use errors::ServiceError;
pub use faults::{FAULT_HEADER, Fault, FaultConfig, FaultMatch, Faults, MAX_FAULT_DELAY};
pub use guardrails::{Guardrail, TEST_GUARDRAIL_BLOCKED_TERM, TEST_GUARDRAIL_ID};
pub use http::Operation;
pub use models::{FamilyCodec, ModelBackend, ModelCaps};
pub use registry::ApplicationProfile;
pub use request_log::{RequestLog, RequestRecord};
pub use sigv4::Credentials;

/// A running server. Dropping it stops the server (open connections are closed).
pub struct LocalServer {
    addr: SocketAddr,
    shared: Arc<server::Shared>,
    shutdown: Option<watch::Sender<bool>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for LocalServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalServer")
            .field("endpoint", &self.endpoint())
            .finish_non_exhaustive()
    }
}

/// Starts a server with the default [`Config`] on `127.0.0.1` and a free port.
///
/// # Panics
///
/// If no loopback port can be bound; use [`try_start_with`] to handle that.
pub fn start() -> LocalServer {
    start_with(Config::default())
}

/// Starts a server with `config`.
///
/// # Panics
///
/// If the port cannot be bound; use [`try_start_with`] to handle that.
pub fn start_with(config: Config) -> LocalServer {
    try_start_with(config).expect("bedrock-fm-local: cannot bind 127.0.0.1")
}

/// Starts a server with `config`, or says why it could not bind.
///
/// The server runs on its own thread and Tokio runtime, so it works from synchronous code and
/// from any async runtime alike; it accepts connections as soon as this returns.
pub fn try_start_with(mut config: Config) -> io::Result<LocalServer> {
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let backend: Arc<dyn ModelBackend> = match config.backend.take() {
        Some(b) => b,
        None => Arc::new(CatalogBackend::new()),
    };
    let shared = Arc::new(server::Shared {
        faults: Faults::new(config.faults.clone(), config.seed),
        log: RequestLog::new(config.request_log_capacity, config.request_log_max_bytes),
        ids: http::RequestIds::new(),
        engine: engine::Engine::new(config.seed),
        prompt_cache: prompt_cache::PromptCache::new(),
        backend,
        config,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("bedrock-fm-local")
        .enable_all()
        .build()?;
    let (tx, rx) = watch::channel(false);
    let serve_shared = shared.clone();
    let thread = std::thread::Builder::new()
        .name("bedrock-fm-local".into())
        .spawn(move || {
            runtime.block_on(async move {
                match tokio::net::TcpListener::from_std(listener) {
                    Ok(listener) => server::serve(listener, serve_shared, rx).await,
                    Err(e) => eprintln!("bedrock-fm-local: {e}"),
                }
            });
            // Streams blocked in model iterators must not hold the shutdown.
            runtime.shutdown_background();
        })?;
    Ok(LocalServer {
        addr,
        shared,
        shutdown: Some(tx),
        thread: Some(thread),
    })
}

impl LocalServer {
    /// The endpoint URL, `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The credentials the handle's clients sign with (the first configured pair).
    pub fn credentials(&self) -> Option<&Credentials> {
        self.shared.config.credentials.first()
    }

    /// The first accepted bearer token.
    pub fn bearer_token(&self) -> Option<&str> {
        self.shared.config.bearer_tokens.first().map(String::as_str)
    }

    /// The server's seed.
    pub fn seed(&self) -> u64 {
        self.shared.config.seed
    }

    fn sdk_credentials(&self) -> aws_credential_types::Credentials {
        let (id, secret, token) = match self.credentials() {
            Some(c) => (
                c.access_key_id.clone(),
                c.secret_access_key.clone(),
                c.session_token.clone(),
            ),
            None => (
                TEST_ACCESS_KEY_ID.into(),
                TEST_SECRET_ACCESS_KEY.into(),
                None,
            ),
        };
        aws_credential_types::Credentials::new(id, secret, token, None, "bedrock-fm-local")
    }

    /// An `SdkConfig` for this server: its endpoint, its credentials, region `us-east-1`, and
    /// retries disabled (so a test sees exactly what the server answered).
    pub fn sdk_config(&self) -> aws_config::SdkConfig {
        aws_config::SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(DEFAULT_REGION))
            .endpoint_url(self.endpoint())
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(
                    self.sdk_credentials(),
                ),
            )
            .retry_config(RetryConfig::disabled())
            .build()
    }

    /// The configuration of [`LocalServer::client`].
    pub fn client_config(&self) -> aws_sdk_bedrockruntime::Config {
        aws_sdk_bedrockruntime::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(DEFAULT_REGION))
            .endpoint_url(self.endpoint())
            .credentials_provider(self.sdk_credentials())
            .retry_config(RetryConfig::disabled())
            .build()
    }

    /// A Bedrock Runtime client for this server, signing with SigV4 (retries disabled).
    pub fn client(&self) -> aws_sdk_bedrockruntime::Client {
        aws_sdk_bedrockruntime::Client::from_conf(self.client_config())
    }

    /// A Bedrock Runtime client for this server that authenticates with the bearer token
    /// (an API key) instead of SigV4 (retries disabled).
    pub fn bearer_client(&self) -> aws_sdk_bedrockruntime::Client {
        let token = self.bearer_token().unwrap_or(TEST_BEARER_TOKEN);
        let config = aws_sdk_bedrockruntime::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(DEFAULT_REGION))
            .endpoint_url(self.endpoint())
            .bearer_token(aws_sdk_bedrockruntime::config::Token::new(token, None))
            .retry_config(RetryConfig::disabled())
            .build();
        aws_sdk_bedrockruntime::Client::from_conf(config)
    }

    /// The fault controls.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// The server's prompt cache (see [`prompt_cache`]); [`prompt_cache::PromptCache::clear`]
    /// makes the next request with a cache checkpoint write again.
    pub fn prompt_cache(&self) -> &prompt_cache::PromptCache {
        &self.shared.prompt_cache
    }

    /// The guardrails requests may name (see [`guardrails`]).
    pub fn guardrails(&self) -> &[guardrails::Guardrail] {
        &self.shared.config.guardrails
    }

    /// The request log.
    pub fn requests(&self) -> &RequestLog {
        &self.shared.log
    }

    /// Requests received so far.
    pub fn request_count(&self) -> u64 {
        self.shared.log.count()
    }

    /// The most recent request.
    pub fn last_request(&self) -> Option<RequestRecord> {
        self.shared.log.last()
    }

    /// Stops the server and waits for its thread.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.stop();
    }
}
