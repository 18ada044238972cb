//! Retries: jittered exponential backoff (backon) on throttling and transient errors,
//! never on validation errors, bounded by attempts and by total time.

use crate::error::{Error, Result};
use backon::{BackoffBuilder, ExponentialBuilder, Retryable};
use std::future::Future;
use std::time::Duration;

/// How a client retries a failed call. The SDK's own retries are turned off for clients
/// bedrock-fm builds, so that this policy is the only one and attempts do not multiply.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 4; 1 disables retries).
    pub max_attempts: u32,
    /// Delay before the first retry, doubled each time (default 200 ms).
    pub initial_delay: Duration,
    /// Longest single delay (default 5 s).
    pub max_delay: Duration,
    /// Longest total time spent waiting between attempts (default 30 s).
    pub max_total_delay: Duration,
    /// Randomize delays so that clients throttled together do not retry together (default on).
    pub jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_total_delay: Duration::from_secs(30),
            jitter: true,
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

    /// Sets the longest total delay.
    pub fn max_total_delay(mut self, delay: Duration) -> Self {
        self.max_total_delay = delay;
        self
    }

    fn backoff(&self) -> ExponentialBuilder {
        let builder = ExponentialBuilder::default()
            .with_min_delay(self.initial_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_attempts.saturating_sub(1) as usize)
            .with_total_delay(Some(self.max_total_delay));
        if self.jitter {
            builder.with_jitter()
        } else {
            builder
        }
    }

    /// Runs `op` until it succeeds, fails with an error that is not retryable, or the policy
    /// is exhausted (then the last error is returned).
    /// Each retry is logged at debug level (the error's kind and message, never a
    /// credential); the number of attempts is recorded in the current span's `attempts`.
    pub async fn run<T, F, Fut>(&self, mut op: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let attempts = std::cell::Cell::new(0u32);
        let result = (|| {
            attempts.set(attempts.get() + 1);
            op()
        })
        .retry(self.backoff().build())
        .sleep(tokio::time::sleep)
        .when(Error::is_retryable)
        .notify(|err: &Error, delay: Duration| {
            tracing::debug!(
                attempt = attempts.get(),
                delay_ms = delay.as_millis() as u64,
                error = %err,
                "retrying"
            );
        })
        .await;
        tracing::Span::current().record("attempts", attempts.get());
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorKind, ServiceError};
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
}
