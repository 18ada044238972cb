//! The client: an `aws-sdk-bedrockruntime` client plus bedrock-fm's retry policy and timeouts.

use crate::control_plane::ProfileCache;
use crate::error::Result;
use crate::model_id::{CrossRegion, Routing};
use crate::rate_limit::RateLimiters;
use crate::retry::{RetryMode, RetryPolicy};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_bedrockruntime::config::{
    StalledStreamProtectionConfig, Token, retry::RetryConfig, timeout::TimeoutConfig,
};
use aws_smithy_runtime_api::client::auth::AuthSchemeId;
use std::fmt;
use std::time::Duration;

/// The default time a stream may stay silent before it fails with a timeout.
pub const DEFAULT_STREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(120);

/// The default time to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The default time an attempt may wait for the first byte of its response: an hour, as
/// long generations need (Amazon Nova documents inference calls of up to 60 minutes and
/// configures boto3's `read_timeout=3600` in its code library,
/// <https://docs.aws.amazon.com/nova/latest/nova2-userguide/code-library.html>). A server
/// that accepts the connection and never answers fails after it, not never.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(3600);

/// Which limits are checked before a request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limits {
    /// The catalog's limits from the AWS pages (parameter ranges, output caps) and the
    /// service model's own constraints (default).
    #[default]
    Catalog,
    /// Only the service model's own constraints: for the day AWS changes a limit before the
    /// catalog does. The service judges the rest.
    ServiceModelOnly,
}

/// A Bedrock Runtime client shared by every wrapper; cheap to clone.
#[derive(Clone)]
pub struct Client {
    sdk: aws_sdk_bedrockruntime::Client,
    control: Option<aws_sdk_bedrock::Client>,
    profiles: ProfileCache,
    retry: RetryPolicy,
    limiters: RateLimiters,
    operation_timeout: Option<Duration>,
    stream_idle_timeout: Duration,
    cross_region: CrossRegion,
    limits: Limits,
}

impl fmt::Debug for Client {
    // Never prints configuration that may hold credentials or bearer tokens.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("retry", &self.retry)
            .field("stream_idle_timeout", &self.stream_idle_timeout)
            .field("cross_region", &self.cross_region)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client from the AWS configuration chain: region, profiles, environment
    /// (`AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, `AWS_BEARER_TOKEN_BEDROCK`, ...), instance roles.
    pub async fn from_env() -> Self {
        let config = aws_config::defaults(BehaviorVersion::latest()).load().await;
        Self::from_sdk_config(&config)
    }

    /// A client from an existing SDK configuration, with a Bedrock control-plane client
    /// from the same configuration. The SDK's own retries are turned off: bedrock-fm's
    /// [`RetryPolicy`] retries instead.
    pub fn from_sdk_config(config: &SdkConfig) -> Self {
        let sdk_config = aws_sdk_bedrockruntime::config::Builder::from(config)
            .retry_config(RetryConfig::disabled())
            .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
            .timeout_config(timeouts(config.timeout_config(), None))
            .build();
        Self::from_sdk_client(aws_sdk_bedrockruntime::Client::from_conf(sdk_config))
            .with_control_plane(control_plane_client(config))
    }

    /// Wraps an existing SDK client as it is (its retry configuration included). It has no
    /// control-plane client unless given one with [`Client::with_control_plane`].
    pub fn from_sdk_client(sdk: aws_sdk_bedrockruntime::Client) -> Self {
        Self {
            sdk,
            control: None,
            profiles: ProfileCache::default(),
            retry: RetryPolicy::default(),
            limiters: RateLimiters::default(),
            operation_timeout: None,
            stream_idle_timeout: DEFAULT_STREAM_IDLE_TIMEOUT,
            cross_region: CrossRegion::default(),
            limits: Limits::default(),
        }
    }

    /// The same client with a Bedrock control-plane client, used to resolve application
    /// inference profiles (GetInferenceProfile) and to list what the account offers.
    pub fn with_control_plane(mut self, control: aws_sdk_bedrock::Client) -> Self {
        self.control = Some(control);
        self
    }

    /// The Bedrock control-plane client, if the client has one.
    pub fn control_plane(&self) -> Option<&aws_sdk_bedrock::Client> {
        self.control.as_ref()
    }

    pub(crate) fn profile_cache(&self) -> &ProfileCache {
        &self.profiles
    }

    /// The cross-region policy (default [`CrossRegion::Off`]: nothing crosses regions).
    pub fn cross_region(&self) -> CrossRegion {
        self.cross_region
    }

    /// The same client with another cross-region policy.
    pub fn with_cross_region(mut self, policy: CrossRegion) -> Self {
        self.cross_region = policy;
        self
    }

    /// The limits checked before a request (default [`Limits::Catalog`]).
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The same client checking other limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The client's region, if configured.
    pub fn region(&self) -> Option<&str> {
        self.sdk.config().region().map(|r| r.as_ref())
    }

    pub(crate) fn routing(&self) -> Routing<'_> {
        Routing {
            region: self.region(),
            cross_region: self.cross_region,
        }
    }

    /// A builder for explicit region, endpoint, bearer key, retries and timeouts.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The SDK client inside.
    pub fn sdk(&self) -> &aws_sdk_bedrockruntime::Client {
        &self.sdk
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// Runs a call to `model_id` (`op` is one attempt) under the client's retry policy, its
    /// rate limiter for the model (adaptive mode) and its operation timeout.
    pub(crate) async fn with_retries<T, F, Fut>(&self, model_id: &str, op: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let limiter =
            (self.retry.mode == RetryMode::Adaptive).then(|| self.limiters.for_model(model_id));
        self.retry
            .run_with(limiter.as_ref(), self.operation_timeout, op)
            .await
    }

    /// The time a whole call may take, retries included (`None`: no such bound; each
    /// attempt still has the connect and read timeouts).
    pub fn operation_timeout(&self) -> Option<Duration> {
        self.operation_timeout
    }

    /// The same client with another operation timeout. A streaming call's opening (up to
    /// its first generated content) is bounded by it; the rest of a stream by the stream
    /// idle timeout.
    pub fn with_operation_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// The same client with another retry policy.
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// How long a stream may stay silent before it fails with a timeout.
    pub fn stream_idle_timeout(&self) -> Duration {
        self.stream_idle_timeout
    }

    /// The same client with another stream idle timeout.
    pub fn with_stream_idle_timeout(mut self, timeout: Duration) -> Self {
        self.stream_idle_timeout = timeout;
        self
    }
}

/// Builds a [`Client`] on top of the AWS configuration chain; every setter overrides it.
#[derive(Default)]
#[must_use = "builders do nothing until `build()`"]
pub struct ClientBuilder {
    region: Option<String>,
    endpoint_url: Option<String>,
    bearer_token: Option<String>,
    credentials: Option<aws_credential_types::Credentials>,
    retry: Option<RetryPolicy>,
    connect_timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    stream_idle_timeout: Option<Duration>,
    cross_region: CrossRegion,
    limits: Limits,
}

/// The control-plane client of `config`, its retries off like the runtime client's.
fn control_plane_client(config: &SdkConfig) -> aws_sdk_bedrock::Client {
    let conf = aws_sdk_bedrock::config::Builder::from(config)
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_bedrock::Client::from_conf(conf)
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "** redacted **"),
            )
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "** redacted **"),
            )
            .field("retry", &self.retry)
            .field("cross_region", &self.cross_region)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Whether bare IDs of profile-only models go through a cross-region inference profile
    /// (default [`CrossRegion::Off`]).
    pub fn cross_region(mut self, policy: CrossRegion) -> Self {
        self.cross_region = policy;
        self
    }

    /// Which limits are checked before a request (default [`Limits::Catalog`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The AWS region (default: from the configuration chain).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The endpoint URL, e.g. a proxy or `bedrock-fm-local` (default: the region's endpoint).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// A Bedrock API key, sent as `Authorization: Bearer` in preference to SigV4.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer_token = Some(token.into());
        self
    }

    /// Static AWS credentials, signed with SigV4 (default: the credential chain).
    pub fn credentials(mut self, access_key_id: &str, secret_access_key: &str) -> Self {
        let creds = aws_credential_types::Credentials::new(
            access_key_id,
            secret_access_key,
            None,
            None,
            "bedrock-fm",
        );
        self.credentials = Some(creds);
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Connection timeout (default: [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Timeout of a whole call, retries included: a call with a 1 s timeout ends in about
    /// 1 s whatever the retry policy (default: none; each attempt still has the connect
    /// timeout and [`DEFAULT_READ_TIMEOUT`]). For a stream, it bounds the opening, up to the
    /// first generated content.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// How long a stream may stay silent (default: [`DEFAULT_STREAM_IDLE_TIMEOUT`]).
    pub fn stream_idle_timeout(mut self, timeout: Duration) -> Self {
        self.stream_idle_timeout = Some(timeout);
        self
    }

    /// Loads the configuration chain, applies the overrides and builds the client.
    pub async fn build(self) -> Result<Client> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = &self.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &self.endpoint_url {
            loader = loader.endpoint_url(url.clone());
        }
        if let Some(creds) = self.credentials.clone() {
            loader = loader.credentials_provider(creds);
        }
        let config = loader.load().await;
        let mut builder = aws_sdk_bedrockruntime::config::Builder::from(&config)
            .retry_config(RetryConfig::disabled())
            .stalled_stream_protection(StalledStreamProtectionConfig::disabled());
        // An explicit key or explicit credentials decide the scheme, whatever the
        // environment holds (AWS_BEARER_TOKEN_BEDROCK otherwise puts bearer first).
        if let Some(token) = &self.bearer_token {
            builder = builder
                .bearer_token(Token::new(token.clone(), None))
                .auth_scheme_preference([AuthSchemeId::from("httpBearerAuth")]);
        } else if self.credentials.is_some() {
            builder = builder.auth_scheme_preference([AuthSchemeId::from("sigv4")]);
        }
        builder = builder.timeout_config(timeouts(config.timeout_config(), self.connect_timeout));
        let mut client =
            Client::from_sdk_client(aws_sdk_bedrockruntime::Client::from_conf(builder.build()))
                .with_control_plane(self.control_plane(&config))
                .with_cross_region(self.cross_region)
                .with_limits(self.limits);
        if let Some(retry) = self.retry {
            client.retry = retry;
        }
        client.operation_timeout = self.operation_timeout;
        if let Some(t) = self.stream_idle_timeout {
            client.stream_idle_timeout = t;
        }
        Ok(client)
    }

    /// The control-plane client, with the same explicit key and timeouts as the runtime's.
    fn control_plane(&self, config: &SdkConfig) -> aws_sdk_bedrock::Client {
        let mut builder =
            aws_sdk_bedrock::config::Builder::from(config).retry_config(RetryConfig::disabled());
        if let Some(token) = &self.bearer_token {
            builder = builder
                .bearer_token(Token::new(token.clone(), None))
                .auth_scheme_preference([AuthSchemeId::from("httpBearerAuth")]);
        } else if self.credentials.is_some() {
            builder = builder.auth_scheme_preference([AuthSchemeId::from("sigv4")]);
        }
        aws_sdk_bedrock::Client::from_conf(builder.build())
    }
}

/// The SDK timeouts of a client: the configuration's own, and where it has none a connect timeout of
/// [`DEFAULT_CONNECT_TIMEOUT`] (or `connect`) and a read timeout of [`DEFAULT_READ_TIMEOUT`],
/// so that no attempt waits for ever.
fn timeouts(configured: Option<&TimeoutConfig>, connect: Option<Duration>) -> TimeoutConfig {
    let connect = connect
        .or_else(|| configured.and_then(|c| c.connect_timeout()))
        .unwrap_or(DEFAULT_CONNECT_TIMEOUT);
    let read = configured
        .and_then(|c| c.read_timeout())
        .unwrap_or(DEFAULT_READ_TIMEOUT);
    let mut builder = TimeoutConfig::builder()
        .connect_timeout(connect)
        .read_timeout(read);
    // The configuration's own operation bounds are kept as they are.
    builder.set_operation_timeout(configured.and_then(|c| c.operation_timeout()));
    builder.set_operation_attempt_timeout(configured.and_then(|c| c.operation_attempt_timeout()));
    builder.build()
}
