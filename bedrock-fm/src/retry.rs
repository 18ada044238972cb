//! Retries: jittered exponential backoff (backon's) on throttling and transient errors, never
//! on validation errors, bounded by a time budget (and attempts); in the adaptive mode
//! (chosen per client) a client-side rate limiter per model slows the whole client when the
//! service throttles ([`crate::rate_limit`]). A client's operation timeout bounds a whole call,
//! retries included.

use crate::error::{Error, ErrorKind, Result, ServiceError};
use crate::rate_limit::RateLimiter;
use backon::{BackoffBuilder, ExponentialBuilder};
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// How retries pace themselves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryMode {
    /// Backoff per call only: calls never wait for each other. The default, as in the AWS
    /// SDKs: it never delays a first attempt, and throttling that does not follow the
    /// client's own rate (another process sharing the quota, a gateway throttling at random)
    /// costs retries, not throughput.
    #[default]
    Standard,
    /// Backoff per call, plus a client-side rate limiter per model ID that cuts the client's
    /// sending rate when the service throttles and grows it back as calls succeed (the AWS
    /// SDKs' adaptive mode). For a client that owns a model's quota (a batch job, an
    /// embedding pipeline): Bedrock's quotas are per model and account, so there it is the
    /// whole client that must slow down, and one limiter per model keeps a throttled model
    /// from slowing the others (AWS's caveat for adaptive mode on a shared client). AWS
    /// recommends it for single-resource, throttling-heavy, latency-tolerant work only: each
    /// throttling cuts the rate by 30%.
    Adaptive,
}

/// How a client retries a failed call. The SDK's own retries are turned off for clients
/// bedrock-fm builds, so that this policy is the only one and attempts do not multiply.
///
/// Bounds: a retry starts only while the call is within its [`budget`](Self::budget) and
/// has attempts left; a client's operation timeout
/// ([`ClientBuilder::operation_timeout`](crate::ClientBuilder::operation_timeout)) ends the
/// whole call, retries included, when it expires.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 10; 1 disables retries).
    pub max_attempts: u32,
    /// Delay before the first retry, doubled each time (default 200 ms).
    pub initial_delay: Duration,
    /// Longest single delay (default 5 s).
    pub max_delay: Duration,
    /// No retry starts once this much time has passed since the call began, nor when its
    /// delay would end past it (default 60 s).
    pub budget: Duration,
    /// Randomize delays so that clients throttled together do not retry together (default on).
    pub jitter: bool,
    /// Standard or adaptive pacing (default [`RetryMode::Standard`]).
    pub mode: RetryMode,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 10,
            initial_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            budget: Duration::from_secs(60),
            jitter: true,
            mode: RetryMode::Standard,
        }
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the attempts in all.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first delay.
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// Sets the longest single delay.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets the time budget of retries.
    pub fn budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// Sets the pacing mode.
    pub fn mode(mut self, mode: RetryMode) -> Self {
        self.mode = mode;
        self
    }

    fn backoff(&self) -> ExponentialBuilder {
        let builder = ExponentialBuilder::default()
            .with_min_delay(self.initial_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_attempts.saturating_sub(1) as usize);
        if self.jitter {
            builder.with_jitter()
        } else {
            builder
        }
    }

    /// Runs `op` until it succeeds, fails with an error that is not retryable, or the policy
    /// is exhausted (then the last error is returned). No rate limiter, no timeout: a
    /// client's calls use its limiter and operation timeout too.
    pub async fn run<T, F, Fut>(&self, op: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.run_with(None, None, op).await
    }

    /// [`RetryPolicy::run`] with a rate limiter (waited on before each attempt, told of each
    /// outcome) and a timeout of the whole call. Each retry is logged at debug level (the
    /// error's kind and message, never a credential); the number of attempts is recorded in
    /// the current span's `attempts`.
    pub(crate) async fn run_with<T, F, Fut>(
        &self,
        limiter: Option<&RateLimiter>,
        timeout: Option<Duration>,
        mut op: F,
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let started = Instant::now();
        // Atomic, not a Cell: a call's future must stay `Send` (spawnable).
        let attempts = std::sync::atomic::AtomicU32::new(0);
        let work = async {
            let mut delays = self.backoff().build();
            loop {
                if let Some(l) = limiter {
                    l.acquire().await;
                }
                attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let result = op().await;
                if let Some(l) = limiter {
                    let throttled = matches!(&result, Err(e) if e.is_throttling());
                    l.update(throttled);
                }
                let err = match result {
                    Ok(v) => return Ok(v),
                    Err(e) if !e.is_retryable() => return Err(e),
                    Err(e) => e,
                };
                let Some(delay) = delays.next() else {
                    return Err(err);
                };
                let ends = started.elapsed() + delay;
                let past_timeout = timeout.is_some_and(|t| ends >= t);
                if ends >= self.budget || past_timeout {
                    return Err(err);
                }
                tracing::debug!(
                    attempt = attempts.load(std::sync::atomic::Ordering::Relaxed),
                    delay_ms = delay.as_millis() as u64,
                    error = %err,
                    "retrying"
                );
                tokio::time::sleep(delay).await;
            }
        };
        let result = match timeout {
            None => work.await,
            Some(t) => match tokio::time::timeout(t, work).await {
                Ok(result) => result,
                Err(_) => Err(Error::from(ServiceError::new(
                    ErrorKind::Timeout,
                    format!(
                        "the call did not complete within its operation timeout of {t:?} \
                         ({} attempts)",
                        attempts.load(std::sync::atomic::Ordering::Relaxed)
                    ),
                ))),
            },
        };
        tracing::Span::current().record(
            "attempts",
            attempts.load(std::sync::atomic::Ordering::Relaxed),
        );
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn fast() -> RetryPolicy {
        RetryPolicy::default()
            .initial_delay(Duration::from_millis(1))
            .max_delay(Duration::from_millis(2))
    }

    async fn count_attempts(policy: RetryPolicy, kind: ErrorKind, fail_times: u32) -> (u32, bool) {
        let calls = AtomicU32::new(0);
        let result = policy
            .run(|| async {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                if n < fail_times {
                    Err(Error::from(ServiceError::new(kind.clone(), "x")))
                } else {
                    Ok(())
                }
            })
            .await;
        (calls.load(Ordering::SeqCst), result.is_ok())
    }

    #[tokio::test]
    async fn throttling_is_retried_until_success() {
        assert_eq!(
            count_attempts(fast(), ErrorKind::Throttling, 2).await,
            (3, true)
        );
    }

    #[tokio::test]
    async fn validation_is_never_retried() {
        assert_eq!(
            count_attempts(fast(), ErrorKind::Validation, 5).await,
            (1, false)
        );
    }

    #[tokio::test]
    async fn attempts_are_bounded() {
        let policy = fast().max_attempts(3);
        assert_eq!(
            count_attempts(policy, ErrorKind::ServiceUnavailable, 10).await,
            (3, false)
        );
        assert_eq!(
            count_attempts(RetryPolicy::none(), ErrorKind::Throttling, 1).await,
            (1, false)
        );
    }

    // Issue 11: attempts are bounded by the time budget, not only by a count.
    #[tokio::test(start_paused = true)]
    async fn the_budget_bounds_the_attempts() {
        let policy = RetryPolicy::default()
            .max_attempts(1000)
            .initial_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(100))
            .budget(Duration::from_secs(1));
        let mut policy = policy;
        policy.jitter = false;
        let started = Instant::now();
        let (attempts, ok) = count_attempts(policy, ErrorKind::Throttling, u32::MAX).await;
        assert!(!ok);
        assert!((9..=11).contains(&attempts), "{attempts} attempts");
        assert!(started.elapsed() <= Duration::from_secs(1));
    }

    // Issue 11: a 1 s operation timeout ends the call in about 1 s, whatever the policy
    // (it took four attempts of 1 s plus backoff before).
    #[tokio::test(start_paused = true)]
    async fn the_operation_timeout_bounds_the_whole_call() {
        let mut policy = RetryPolicy::default().initial_delay(Duration::from_millis(50));
        policy.jitter = false;
        let started = Instant::now();
        let slow_failure = || async {
            tokio::time::sleep(Duration::from_millis(400)).await;
            Err::<(), _>(Error::from(ServiceError::new(
                ErrorKind::InternalServer,
                "x",
            )))
        };
        let err = policy
            .run_with(None, Some(Duration::from_secs(1)), slow_failure)
            .await
            .unwrap_err();
        let took = started.elapsed();
        assert_eq!(err.kind(), ErrorKind::Timeout);
        assert!(err.message().contains("operation timeout of 1s"), "{err}");
        assert!(
            took >= Duration::from_millis(800) && took <= Duration::from_millis(1050),
            "{took:?}"
        );
        // A retry that cannot end before the timeout is not started: the last error comes
        // back at once.
        let err = policy
            .run_with(None, Some(Duration::from_millis(420)), slow_failure)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InternalServer);
    }

    #[tokio::test]
    async fn the_adaptive_limiter_is_told_of_throttling() {
        let limiters = crate::rate_limit::RateLimiters::default();
        let limiter = limiters.for_model("m");
        let policy = fast().max_attempts(3);
        let _ = policy
            .run_with(Some(&limiter), None, || async {
                Err::<(), _>(Error::from(ServiceError::new(
                    ErrorKind::Throttling,
                    "slow down",
                )))
            })
            .await;
        assert!(
            limiter.fill_rate().is_some(),
            "throttling turns the limiter on"
        );
    }
}
