//! Server configuration.

use std::sync::Arc;
use std::time::Duration;

use crate::faults::FaultConfig;
use crate::guardrails::Guardrail;
use crate::models::{ModelBackend, ModelCaps};
use crate::registry::ApplicationProfile;
use crate::sigv4::Credentials;

/// The access key ID the server accepts when no credentials are configured.
pub const TEST_ACCESS_KEY_ID: &str = "AKIDLOCALTESTKEY00001";
/// The secret access key paired with [`TEST_ACCESS_KEY_ID`].
pub const TEST_SECRET_ACCESS_KEY: &str = "bedrock-fm-local/test/secret/key/0000000001";
/// The bearer token (Bedrock API key) the server accepts when none is configured.
pub const TEST_BEARER_TOKEN: &str = "bedrock-fm-local-test-api-key";
/// The region the handle's clients use (the server accepts any region).
pub const DEFAULT_REGION: &str = "us-east-1";

/// The account ID in the ARNs the server writes (inference profiles, application inference
/// profiles): `123456789012`, the example account of the AWS documentation.
pub const ACCOUNT_ID: &str = "123456789012";

/// The clock skew SigV4 allows: "a request must reach AWS within five minutes of the time
/// stamp in the request" (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_aws-signing.html>).
pub const DEFAULT_MAX_CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

/// How a server runs.
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// TCP port on 127.0.0.1; 0 (the default) picks a free one.
    pub port: u16,
    /// Accepted SigV4 credentials; default: [`TEST_ACCESS_KEY_ID`] / [`TEST_SECRET_ACCESS_KEY`].
    pub credentials: Vec<Credentials>,
    /// Accepted bearer tokens; default: [`TEST_BEARER_TOKEN`].
    pub bearer_tokens: Vec<String>,
    /// Accept requests without an `Authorization` header (default false: they get
    /// `MissingAuthenticationTokenException`).
    pub allow_anonymous: bool,
    /// Largest accepted difference between a signature's date and the server clock
    /// (default 5 minutes, as AWS allows; see [`DEFAULT_MAX_CLOCK_SKEW`]).
    pub max_clock_skew: Duration,
    /// Seed of the deterministic engine and of the throttle-rate sequence (default 0).
    pub seed: u64,
    /// Server-wide faults and pacing (default: none).
    pub faults: FaultConfig,
    /// How many requests the request log keeps (default 1,000; every request is counted).
    pub request_log_capacity: usize,
    /// How many bytes (bodies, headers, paths) the request log keeps at most (default 64 MiB);
    /// the oldest requests go first.
    pub request_log_max_bytes: usize,
    /// Largest request body read (default 64 MiB); larger bodies get HTTP 413.
    pub max_body_bytes: usize,
    /// The model behaviour; default: the catalog backend.
    pub backend: Option<Arc<dyn ModelBackend>>,
    /// The guardrails requests may name (see [`crate::guardrails`]); default: the test
    /// guardrail [`crate::guardrails::TEST_GUARDRAIL_ID`], versions `1` and `DRAFT`, blocking
    /// [`crate::guardrails::TEST_GUARDRAIL_BLOCKED_TERM`].
    pub guardrails: Vec<Guardrail>,
    /// Models the catalog does not know, served by the server (see [`crate::registry`]);
    /// default: none.
    pub registered_models: Vec<ModelCaps>,
    /// Application inference profiles (see [`crate::registry`]); default: none.
    pub application_profiles: Vec<ApplicationProfile>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("port", &self.port)
            .field("credentials", &self.credentials)
            .field(
                "bearer_tokens",
                &format!("{} token(s)", self.bearer_tokens.len()),
            )
            .field("allow_anonymous", &self.allow_anonymous)
            .field("max_clock_skew", &self.max_clock_skew)
            .field("seed", &self.seed)
            .field("faults", &self.faults)
            .field("request_log_capacity", &self.request_log_capacity)
            .field("request_log_max_bytes", &self.request_log_max_bytes)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("backend", &self.backend.as_ref().map(|_| "custom"))
            .field("guardrails", &self.guardrails)
            .field("registered_models", &self.registered_models)
            .field("application_profiles", &self.application_profiles)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            port: 0,
            credentials: vec![Credentials::new(TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY)],
            bearer_tokens: vec![TEST_BEARER_TOKEN.to_owned()],
            allow_anonymous: false,
            max_clock_skew: DEFAULT_MAX_CLOCK_SKEW,
            seed: 0,
            faults: FaultConfig::default(),
            request_log_capacity: 1000,
            request_log_max_bytes: 64 * 1024 * 1024,
            max_body_bytes: 64 * 1024 * 1024,
            backend: None,
            guardrails: vec![Guardrail::test("1"), Guardrail::test("DRAFT")],
            registered_models: Vec::new(),
            application_profiles: Vec::new(),
        }
    }
}

impl Config {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the port (0 picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Accepts only these SigV4 credentials (replacing the test pair).
    pub fn credentials(mut self, access_key_id: &str, secret_access_key: &str) -> Self {
        self.credentials = vec![Credentials::new(access_key_id, secret_access_key)];
        self
    }

    /// Also accepts these credentials.
    pub fn add_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials.push(credentials);
        self
    }

    /// Accepts only this bearer token (replacing the test token).
    pub fn bearer_token(mut self, token: &str) -> Self {
        self.bearer_tokens = vec![token.to_owned()];
        self
    }

    /// Accepts unauthenticated requests.
    pub fn allow_anonymous(mut self, allow: bool) -> Self {
        self.allow_anonymous = allow;
        self
    }

    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the server-wide faults.
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.faults = faults;
        self
    }

    /// Sets the model backend.
    pub fn backend(mut self, backend: impl ModelBackend) -> Self {
        self.backend = Some(Arc::new(backend));
        self
    }

    /// Sets how many requests the log keeps.
    pub fn request_log_capacity(mut self, capacity: usize) -> Self {
        self.request_log_capacity = capacity;
        self
    }

    /// Sets how many bytes the log keeps at most.
    pub fn request_log_max_bytes(mut self, max: usize) -> Self {
        self.request_log_max_bytes = max;
        self
    }

    /// Sets the largest request body.
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// Adds a guardrail: version `version` (a number, or `DRAFT`) of guardrail `id`
    /// (`[a-z0-9]+`), blocking `blocked_terms` (whole words, case-insensitive) with the default
    /// blocked messages. A guardrail with the same ID and version is replaced.
    ///
    /// # Panics
    ///
    /// If `id` or `version` do not match the service model's patterns (see
    /// [`Guardrail::new`]).
    pub fn guardrail(self, id: &str, version: &str, blocked_terms: &[&str]) -> Self {
        self.add_guardrail(Guardrail::new(id, version, blocked_terms))
    }

    /// Adds a guardrail built with [`Guardrail::new`] (for custom blocked messages), replacing
    /// one with the same ID and version.
    pub fn add_guardrail(mut self, guardrail: Guardrail) -> Self {
        self.guardrails
            .retain(|g| !(g.id == guardrail.id && g.version == guardrail.version));
        self.guardrails.push(guardrail);
        self
    }

    /// Removes every guardrail, the test guardrail included.
    pub fn without_guardrails(mut self) -> Self {
        self.guardrails.clear();
        self
    }

    /// Serves `model_id`, an ID the catalog does not know, with `family`'s InvokeModel codec
    /// and over Converse, with the capabilities of `crate::registry::caps_for_family` (a
    /// text family: a text-only chat model with tool use and streaming). Registering an ID
    /// again replaces it; a registered ID takes precedence over the catalog.
    pub fn register_model(
        self,
        model_id: impl Into<String>,
        family: bedrock_fm::catalog::Family,
    ) -> Self {
        let model_id = model_id.into();
        let caps = crate::registry::caps_for_family(&model_id, family);
        self.register_model_caps(caps)
    }

    /// Serves a model with exactly these capabilities (`caps.family` names the codec, a
    /// family ID such as `claude_messages`), replacing one with the same ID.
    pub fn register_model_caps(mut self, caps: ModelCaps) -> Self {
        self.registered_models
            .retain(|c| c.model_id != caps.model_id);
        self.registered_models.push(caps);
        self
    }

    /// Adds the application inference profile `id`, invokable by its ARN
    /// `arn:aws:bedrock:{region}:{account}:application-inference-profile/{id}` and resolving
    /// to `model_id` (a catalog model, a system-defined profile ID or a registered model);
    /// replaces a profile with the same ID.
    pub fn application_profile(
        mut self,
        id: impl Into<String>,
        model_id: impl Into<String>,
    ) -> Self {
        let profile = ApplicationProfile::new(id, model_id);
        self.application_profiles.retain(|p| p.id != profile.id);
        self.application_profiles.push(profile);
        self
    }
}
