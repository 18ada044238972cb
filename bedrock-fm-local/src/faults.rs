//! Fault injection: throttling, 5xx, latency, slow first tokens, errors in the middle of a
//! stream, dropped connections, ModelNotReady and ModelTimeout.
//!
//! Three sources, combined per model request (InvokeModel, InvokeModelWithResponseStream,
//! Converse, ConverseStream, CountTokens; authentication and routing come first):
//!
//! 1. the request header `x-bedrock-fm-local-fault`, a comma-separated list of
//!    `throttle | unavailable | internal | not-ready | timeout | model-error | drop |
//!    stream-error-after=N | drop-after=N | end-after=N | latency-ms=N | first-token-ms=N`, so that clients
//!    written in any language (boto3 with an event hook adding the header) can script faults;
//! 2. the queue on the server handle, [`Faults::push`]: each queued fault is consumed by the
//!    next request its [`FaultMatch`] accepts;
//! 3. the server-wide [`FaultConfig`]: throttle every Nth model request, throttle at a rate
//!    (a deterministic pseudo-random sequence from the seed), added latency, first-token
//!    latency, token interval, and failing every stream after N chunks.
//!
//! The header wins over the queue, which wins over the configuration, for the error returned;
//! latencies add up, to at most [`MAX_FAULT_DELAY`] each: a header asking for more is a
//! `ValidationException`, and a longer configured or queued delay is cut to it, so that no
//! request waits for ever (`latency-ms=18446744073709551615` is 584 million years).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::errors::ServiceError;
use crate::http::Operation;

/// The request header that scripts faults per request.
pub const FAULT_HEADER: &str = "x-bedrock-fm-local-fault";

/// The longest injected wait (latency, first-token latency, token interval): 10 minutes, well
/// past the SDKs' default read timeouts (the Rust SDK has none, botocore waits 60 s).
pub const MAX_FAULT_DELAY: Duration = Duration::from_secs(10 * 60);

/// One injected fault.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Fault {
    /// `ThrottlingException` (429).
    Throttle,
    /// `ServiceUnavailableException` (503).
    ServiceUnavailable,
    /// `InternalServerException` (500).
    InternalServer,
    /// `ModelNotReadyException` (429).
    ModelNotReady,
    /// `ModelTimeoutException` (408).
    ModelTimeout,
    /// `ModelErrorException` (424).
    ModelError,
    /// Any error response.
    Error(ServiceError),
    /// Close the connection without answering.
    DropConnection,
    /// In a stream, send a `modelStreamErrorException` after N chunks (content deltas for
    /// ConverseStream) and end the stream.
    StreamErrorAfter(u32),
    /// In a stream, abort the connection after N chunks (a truncated response). As on a real
    /// network, data in flight when the connection drops may be lost: the client sees at most
    /// N chunks, then an error, never a clean end.
    DropStreamAfter(u32),
    /// In a stream, end the stream cleanly after N chunks, at a frame boundary and without
    /// its final event, as a proxy or a connection closed between frames does.
    EndStreamAfter(u32),
    /// Wait this long before answering.
    Latency(Duration),
    /// In a stream, wait this long before the first event.
    FirstTokenLatency(Duration),
}

/// Which requests a queued fault applies to (every field `None`: any model request).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FaultMatch {
    /// Only this operation.
    pub operation: Option<Operation>,
    /// Only requests naming this model ID (as sent, percent-decoded).
    pub model_id: Option<String>,
}

impl FaultMatch {
    /// Matches every model request.
    pub fn any() -> Self {
        Self::default()
    }

    /// Matches one operation.
    pub fn operation(operation: Operation) -> Self {
        Self {
            operation: Some(operation),
            model_id: None,
        }
    }

    /// Also requires this model ID.
    pub fn model(mut self, model_id: impl Into<String>) -> Self {
        self.model_id = Some(model_id.into());
        self
    }

    fn matches(&self, operation: Operation, model_id: &str) -> bool {
        self.operation.is_none_or(|o| o == operation)
            && self.model_id.as_deref().is_none_or(|m| m == model_id)
    }
}

/// Server-wide faults and pacing (all off by default).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct FaultConfig {
    /// Throttle every Nth model request (the Nth, 2Nth, ...).
    pub throttle_every: Option<u32>,
    /// Throttle this fraction of model requests (0.0 to 1.0), chosen by a pseudo-random
    /// sequence seeded with the server seed.
    pub throttle_rate: Option<f64>,
    /// Added latency before every model response.
    pub latency: Duration,
    /// Wait before the first event of a stream.
    pub first_token_latency: Duration,
    /// Wait between stream chunks.
    pub token_interval: Duration,
    /// Fail every stream with a `modelStreamErrorException` after N chunks.
    pub fail_stream_after: Option<u32>,
}

/// What the server does to one request.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub(crate) struct FaultPlan {
    /// Answer with this error.
    pub(crate) error: Option<ServiceError>,
    /// Close the connection without answering.
    pub(crate) drop_connection: bool,
    /// Wait before answering.
    pub(crate) latency: Duration,
    /// Wait before the first stream event.
    pub(crate) first_token_latency: Duration,
    /// Wait between stream chunks.
    pub(crate) token_interval: Duration,
    /// Send `modelStreamErrorException` after this many chunks.
    pub(crate) stream_error_after: Option<u32>,
    /// Abort the connection after this many chunks.
    pub(crate) drop_stream_after: Option<u32>,
    /// End the stream cleanly, without its final event, after this many chunks.
    pub(crate) end_stream_after: Option<u32>,
}

impl FaultPlan {
    fn apply(&mut self, fault: &Fault) {
        let error = match fault {
            Fault::Throttle => Some(ServiceError::throttling()),
            Fault::ServiceUnavailable => Some(ServiceError::service_unavailable()),
            Fault::InternalServer => Some(ServiceError::internal_server()),
            Fault::ModelNotReady => Some(ServiceError::model_not_ready()),
            Fault::ModelTimeout => Some(ServiceError::model_timeout()),
            Fault::ModelError => Some(ServiceError::model_error(
                "The model returned an error. Try your request again.",
                500,
                "bedrock-fm-local",
            )),
            Fault::Error(e) => Some(e.clone()),
            Fault::DropConnection => {
                self.drop_connection = true;
                None
            }
            Fault::StreamErrorAfter(n) => {
                self.stream_error_after = Some(*n);
                None
            }
            Fault::DropStreamAfter(n) => {
                self.drop_stream_after = Some(*n);
                None
            }
            Fault::EndStreamAfter(n) => {
                self.end_stream_after = Some(*n);
                None
            }
            Fault::Latency(d) => {
                self.latency = self.latency.saturating_add(*d);
                None
            }
            Fault::FirstTokenLatency(d) => {
                self.first_token_latency = self.first_token_latency.saturating_add(*d);
                None
            }
        };
        if error.is_some() && self.error.is_none() {
            self.error = error;
        }
    }
}

/// Parses the `x-bedrock-fm-local-fault` header.
pub(crate) fn parse_fault_header(value: &str) -> Result<Vec<Fault>, ServiceError> {
    let bad = |item: &str| {
        ServiceError::validation(format!(
            "Invalid {FAULT_HEADER} header item {item:?}: expected throttle, unavailable, internal, \
             not-ready, timeout, model-error, drop, stream-error-after=N, drop-after=N, end-after=N, \
             latency-ms=N or first-token-ms=N."
        ))
    };
    let mut out = Vec::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let fault = match item.split_once('=') {
            None => match item {
                "throttle" => Fault::Throttle,
                "unavailable" => Fault::ServiceUnavailable,
                "internal" => Fault::InternalServer,
                "not-ready" => Fault::ModelNotReady,
                "timeout" => Fault::ModelTimeout,
                "model-error" => Fault::ModelError,
                "drop" => Fault::DropConnection,
                _ => return Err(bad(item)),
            },
            Some((key, n)) => {
                let n: u64 = n.trim().parse().map_err(|_| bad(item))?;
                let n32 = || u32::try_from(n).map_err(|_| bad(item));
                let delay = || {
                    let max = MAX_FAULT_DELAY.as_millis();
                    if u128::from(n) > max {
                        return Err(ServiceError::validation(format!(
                            "Invalid {FAULT_HEADER} header item {item:?}: {} is at most {max} \
                             (10 minutes).",
                            key.trim()
                        )));
                    }
                    Ok(Duration::from_millis(n))
                };
                match key.trim() {
                    "stream-error-after" => Fault::StreamErrorAfter(n32()?),
                    "drop-after" => Fault::DropStreamAfter(n32()?),
                    "end-after" => Fault::EndStreamAfter(n32()?),
                    "latency-ms" => Fault::Latency(delay()?),
                    "first-token-ms" => Fault::FirstTokenLatency(delay()?),
                    _ => return Err(bad(item)),
                }
            }
        };
        out.push(fault);
    }
    Ok(out)
}

#[derive(Debug)]
struct State {
    config: FaultConfig,
    queue: VecDeque<(FaultMatch, Fault)>,
    model_requests: u64,
    rng: u64,
}

/// The fault controls of a running server (cheap to clone; clones share state).
#[derive(Debug, Clone)]
pub struct Faults {
    state: Arc<Mutex<State>>,
}

impl Faults {
    /// Fault controls with `config`, the rate sequence seeded with `seed`.
    pub(crate) fn new(config: FaultConfig, seed: u64) -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                config,
                queue: VecDeque::new(),
                model_requests: 0,
                rng: seed,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `fault` for the next model request.
    pub fn push(&self, fault: Fault) {
        self.push_for(FaultMatch::any(), fault);
    }

    /// Queues `fault` for the next model request `matcher` accepts.
    pub fn push_for(&self, matcher: FaultMatch, fault: Fault) {
        self.lock().queue.push_back((matcher, fault));
    }

    /// Faults still queued.
    pub fn pending(&self) -> usize {
        self.lock().queue.len()
    }

    /// Empties the queue.
    pub fn clear(&self) {
        self.lock().queue.clear();
    }

    /// The server-wide configuration.
    pub fn config(&self) -> FaultConfig {
        self.lock().config.clone()
    }

    /// Replaces the server-wide configuration.
    pub fn set_config(&self, config: FaultConfig) {
        self.lock().config = config;
    }

    /// Model requests seen so far (the count `throttle_every` uses).
    pub fn model_requests(&self) -> u64 {
        self.lock().model_requests
    }

    /// Decides the faults of one model request; `header` is the value of
    /// [`FAULT_HEADER`], if sent. A malformed header is a `ValidationException`.
    pub(crate) fn plan(
        &self,
        operation: Operation,
        model_id: &str,
        header: Option<&str>,
    ) -> Result<FaultPlan, ServiceError> {
        let header_faults = match header {
            Some(h) => parse_fault_header(h)?,
            None => Vec::new(),
        };
        let mut plan = FaultPlan::default();
        for f in &header_faults {
            plan.apply(f);
        }
        let mut st = self.lock();
        if let Some(pos) = st
            .queue
            .iter()
            .position(|(m, _)| m.matches(operation, model_id))
            && let Some((_, fault)) = st.queue.remove(pos)
        {
            plan.apply(&fault);
        }
        st.model_requests += 1;
        let n = st.model_requests;
        let config = st.config.clone();
        if config
            .throttle_every
            .is_some_and(|every| every > 0 && n.is_multiple_of(u64::from(every)))
        {
            plan.apply(&Fault::Throttle);
        }
        if let Some(rate) = config.throttle_rate {
            st.rng = crate::engine::mix(st.rng);
            let draw = (st.rng >> 11) as f64 / (1u64 << 53) as f64;
            if draw < rate {
                plan.apply(&Fault::Throttle);
            }
        }
        let bounded = |a: Duration, b: Duration| a.saturating_add(b).min(MAX_FAULT_DELAY);
        plan.latency = bounded(plan.latency, config.latency);
        plan.first_token_latency = bounded(plan.first_token_latency, config.first_token_latency);
        plan.token_interval = bounded(plan.token_interval, config.token_interval);
        if plan.stream_error_after.is_none() {
            plan.stream_error_after = config.fail_stream_after;
        }
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OP: Operation = Operation::Converse;

    #[test]
    fn header_parsing() {
        assert_eq!(
            parse_fault_header("throttle, latency-ms=250,stream-error-after=3").unwrap(),
            vec![
                Fault::Throttle,
                Fault::Latency(Duration::from_millis(250)),
                Fault::StreamErrorAfter(3)
            ]
        );
        for (s, f) in [
            ("unavailable", Fault::ServiceUnavailable),
            ("internal", Fault::InternalServer),
            ("not-ready", Fault::ModelNotReady),
            ("timeout", Fault::ModelTimeout),
            ("drop", Fault::DropConnection),
            ("drop-after=2", Fault::DropStreamAfter(2)),
            ("end-after=3", Fault::EndStreamAfter(3)),
            (
                "first-token-ms=9",
                Fault::FirstTokenLatency(Duration::from_millis(9)),
            ),
        ] {
            assert_eq!(parse_fault_header(s).unwrap(), vec![f]);
        }
        let e = parse_fault_header("explode").unwrap_err();
        assert_eq!(e.error_type, "ValidationException");
        assert!(parse_fault_header("latency-ms=abc").is_err());
    }

    #[test]
    fn queued_faults_are_consumed_once_by_the_next_matching_request() {
        let f = Faults::new(FaultConfig::default(), 0);
        f.push_for(
            FaultMatch::operation(Operation::InvokeModel),
            Fault::Throttle,
        );
        f.push(Fault::ServiceUnavailable);
        assert_eq!(f.pending(), 2);
        // A Converse request skips the InvokeModel-only fault and takes the second.
        let p = f.plan(OP, "m", None).unwrap();
        assert_eq!(p.error.unwrap().error_type, "ServiceUnavailableException");
        let p = f.plan(Operation::InvokeModel, "m", None).unwrap();
        assert_eq!(p.error.unwrap().error_type, "ThrottlingException");
        assert_eq!(f.pending(), 0);
        assert!(f.plan(OP, "m", None).unwrap().error.is_none());
        f.push_for(FaultMatch::any().model("a"), Fault::DropConnection);
        assert!(!f.plan(OP, "b", None).unwrap().drop_connection);
        assert!(f.plan(OP, "a", None).unwrap().drop_connection);
    }

    #[test]
    fn throttle_every_nth() {
        let c = FaultConfig {
            throttle_every: Some(3),
            ..FaultConfig::default()
        };
        let f = Faults::new(c, 0);
        let throttled: Vec<bool> = (0..9)
            .map(|_| f.plan(OP, "m", None).unwrap().error.is_some())
            .collect();
        assert_eq!(
            throttled,
            vec![false, false, true, false, false, true, false, false, true]
        );
        assert_eq!(f.model_requests(), 9);
    }

    #[test]
    fn throttle_rate_is_deterministic_per_seed() {
        let mut c = FaultConfig {
            throttle_rate: Some(0.3),
            ..FaultConfig::default()
        };
        let run = |c: &FaultConfig, seed| {
            let f = Faults::new(c.clone(), seed);
            (0..1000)
                .map(|_| f.plan(OP, "m", None).unwrap().error.is_some())
                .collect::<Vec<_>>()
        };
        let a = run(&c, 7);
        assert_eq!(a, run(&c, 7));
        assert_ne!(a, run(&c, 8));
        let n = a.iter().filter(|t| **t).count();
        assert!((220..380).contains(&n), "{n}");
        c.throttle_rate = Some(0.0);
        assert!(run(&c, 1).iter().all(|t| !t));
        c.throttle_rate = Some(1.0);
        assert!(run(&c, 1).iter().all(|t| *t));
    }

    #[test]
    fn delays_are_bounded_to_ten_minutes() {
        let ok = parse_fault_header("latency-ms=600000, first-token-ms=600000").unwrap();
        assert_eq!(
            ok,
            vec![
                Fault::Latency(MAX_FAULT_DELAY),
                Fault::FirstTokenLatency(MAX_FAULT_DELAY)
            ]
        );
        for item in ["latency-ms=600001", "first-token-ms=18446744073709551615"] {
            let e = parse_fault_header(item).unwrap_err();
            assert_eq!(e.error_type, "ValidationException");
            assert!(
                e.message
                    .unwrap()
                    .contains("is at most 600000 (10 minutes)")
            );
        }
        // Configured and queued delays add up to at most the bound, and never overflow.
        let c = FaultConfig {
            latency: Duration::from_millis(u64::MAX),
            token_interval: Duration::MAX,
            ..FaultConfig::default()
        };
        let f = Faults::new(c, 0);
        f.push(Fault::Latency(Duration::MAX));
        f.push(Fault::FirstTokenLatency(Duration::from_secs(3600)));
        let p = f.plan(OP, "m", Some("latency-ms=600000")).unwrap();
        assert_eq!(p.latency, MAX_FAULT_DELAY);
        assert_eq!(p.token_interval, MAX_FAULT_DELAY);
        let p = f.plan(OP, "m", None).unwrap();
        assert_eq!(p.first_token_latency, MAX_FAULT_DELAY);
    }

    #[test]
    fn header_wins_and_latencies_add_up() {
        let c = FaultConfig {
            throttle_every: Some(1),
            latency: Duration::from_millis(10),
            token_interval: Duration::from_millis(5),
            fail_stream_after: Some(4),
            ..FaultConfig::default()
        };
        let f = Faults::new(c, 0);
        f.push(Fault::InternalServer);
        let p = f.plan(OP, "m", Some("timeout, latency-ms=20")).unwrap();
        assert_eq!(p.error.unwrap().error_type, "ModelTimeoutException");
        assert_eq!(p.latency, Duration::from_millis(30));
        assert_eq!(p.token_interval, Duration::from_millis(5));
        assert_eq!(p.stream_error_after, Some(4));
        let p = f.plan(OP, "m", Some("stream-error-after=1")).unwrap();
        assert_eq!(p.stream_error_after, Some(1));
    }
}
