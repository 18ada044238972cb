//! The client-side rate limiter of the adaptive retry mode: a token bucket whose fill rate
//! follows CUBIC, cut on throttling and grown back on success, as the AWS SDKs' adaptive
//! mode does ("Retry behavior", AWS SDKs and Tools Reference Guide,
//! <https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html>; the
//! constants are those of aws-smithy-runtime's `ClientRateLimiter`, whose acquire and update
//! are private to that crate, hence this copy of the algorithm).
//!
//! One bucket per model ID: Bedrock's quotas are per model (tokens and requests per minute
//! per account and region), so throttling of one model never slows calls to another — the
//! caveat AWS gives for adaptive mode on a client shared across resources.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MIN_FILL_RATE: f64 = 0.5;
const MIN_CAPACITY: f64 = 1.0;
const SMOOTH: f64 = 0.8;
/// How much the rate is cut on throttling.
const BETA: f64 = 0.7;
/// How fast the rate grows back after throttling.
const SCALE_CONSTANT: f64 = 0.4;

/// The rate limiters of one client, by model ID.
#[derive(Debug, Clone, Default)]
pub(crate) struct RateLimiters {
    by_model: Arc<Mutex<HashMap<String, Arc<Mutex<Bucket>>>>>,
}

impl RateLimiters {
    /// The limiter of `model_id`.
    pub(crate) fn for_model(&self, model_id: &str) -> RateLimiter {
        let mut map = self
            .by_model
            .lock()
            .expect("the limiter map is never poisoned");
        // Looked up before inserting: no allocation on a call's path once the model is known.
        let bucket = match map.get(model_id) {
            Some(b) => b.clone(),
            None => map.entry(model_id.to_owned()).or_default().clone(),
        };
        RateLimiter { bucket }
    }
}

/// The limiter of one model: wait for a token before each attempt, report each outcome.
#[derive(Debug, Clone)]
pub(crate) struct RateLimiter {
    bucket: Arc<Mutex<Bucket>>,
}

impl RateLimiter {
    /// Waits until the bucket allows one more request (at once until the first throttling).
    pub(crate) async fn acquire(&self) {
        loop {
            let wait = self.lock().take(Instant::now());
            match wait {
                None => return,
                Some(d) => tokio::time::sleep(d).await,
            }
        }
    }

    /// Reports an attempt's outcome: throttled or not.
    pub(crate) fn update(&self, throttled: bool) {
        self.lock().update(Instant::now(), throttled);
    }

    /// The current sending rate, requests per second (`None` until the first throttling).
    #[cfg(test)]
    pub(crate) fn fill_rate(&self) -> Option<f64> {
        let b = self.lock();
        b.enabled.then_some(b.fill_rate)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Bucket> {
        self.bucket.lock().expect("a bucket is never poisoned")
    }
}

#[derive(Debug)]
struct Bucket {
    epoch: Instant,
    fill_rate: f64,
    max_capacity: f64,
    current_capacity: f64,
    last_refill: Option<f64>,
    /// Off until the first throttling: requests go out unlimited.
    enabled: bool,
    measured_tx_rate: f64,
    last_tx_rate_bucket: f64,
    request_count: u64,
    last_max_rate: f64,
    last_throttle_time: f64,
    time_window: f64,
}

impl Default for Bucket {
    fn default() -> Self {
        Self {
            epoch: Instant::now(),
            fill_rate: 0.0,
            max_capacity: 0.0,
            current_capacity: 0.0,
            last_refill: None,
            enabled: false,
            measured_tx_rate: 0.0,
            last_tx_rate_bucket: 0.0,
            request_count: 0,
            last_max_rate: 0.0,
            last_throttle_time: 0.0,
            time_window: 0.0,
        }
    }
}

impl Bucket {
    fn seconds(&self, now: Instant) -> f64 {
        now.duration_since(self.epoch).as_secs_f64()
    }

    /// Takes a token, or says how long to wait for one.
    fn take(&mut self, now: Instant) -> Option<Duration> {
        if !self.enabled {
            return None;
        }
        self.refill(self.seconds(now));
        if self.current_capacity >= 1.0 {
            self.current_capacity -= 1.0;
            return None;
        }
        let missing = 1.0 - self.current_capacity;
        Some(Duration::from_secs_f64(missing / self.fill_rate))
    }

    fn refill(&mut self, t: f64) {
        if let Some(last) = self.last_refill {
            let added = (t - last) * self.fill_rate;
            self.current_capacity = (self.current_capacity + added).min(self.max_capacity);
        }
        self.last_refill = Some(t);
    }

    fn update(&mut self, now: Instant, throttled: bool) {
        let t = self.seconds(now);
        self.update_measured_rate(t);
        let calculated = if throttled {
            let rate = if self.enabled {
                self.measured_tx_rate.min(self.fill_rate)
            } else {
                self.measured_tx_rate
            };
            self.last_max_rate = rate;
            self.time_window = (self.last_max_rate * (1.0 - BETA) / SCALE_CONSTANT).cbrt();
            self.last_throttle_time = t;
            self.enabled = true;
            rate * BETA
        } else {
            self.time_window = (self.last_max_rate * (1.0 - BETA) / SCALE_CONSTANT).cbrt();
            SCALE_CONSTANT * (t - self.last_throttle_time - self.time_window).powi(3)
                + self.last_max_rate
        };
        let rate = calculated.min(2.0 * self.measured_tx_rate);
        self.refill(t);
        self.fill_rate = rate.max(MIN_FILL_RATE);
        self.max_capacity = rate.max(MIN_CAPACITY);
        self.current_capacity = self.current_capacity.min(self.max_capacity);
    }

    /// The measured sending rate, smoothed over half-second buckets.
    fn update_measured_rate(&mut self, t: f64) {
        let bucket = (t * 2.0).floor() / 2.0;
        self.request_count += 1;
        if bucket > self.last_tx_rate_bucket {
            let current = self.request_count as f64 / (bucket - self.last_tx_rate_bucket);
            self.measured_tx_rate = current * SMOOTH + self.measured_tx_rate * (1.0 - SMOOTH);
            self.request_count = 0;
            self.last_tx_rate_bucket = bucket;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` outcomes at `rate` requests per second, from `start` seconds.
    fn drive(b: &mut Bucket, start: f64, rate: f64, n: usize, throttled: bool) -> f64 {
        let mut t = start;
        for _ in 0..n {
            t += 1.0 / rate;
            b.update(b.epoch + Duration::from_secs_f64(t), throttled);
        }
        t
    }

    #[test]
    fn unlimited_until_throttled_then_cut_then_grown_back() {
        let mut b = Bucket::default();
        let t = drive(&mut b, 0.0, 20.0, 40, false);
        assert!(!b.enabled);
        assert_eq!(b.take(b.epoch + Duration::from_secs_f64(t)), None);
        let t = drive(&mut b, t, 20.0, 1, true);
        assert!(b.enabled);
        let cut = b.fill_rate;
        assert!(cut < 20.0 * 0.8, "cut to {cut}");
        let t = drive(&mut b, t, cut, 20, false);
        assert!(b.fill_rate > cut, "grown back: {} > {cut}", b.fill_rate);
        // Repeated throttling drives the rate down to the floor.
        drive(&mut b, t, 5.0, 60, true);
        assert!(b.fill_rate <= 1.0, "{}", b.fill_rate);
        assert!(b.fill_rate >= MIN_FILL_RATE);
    }

    #[test]
    fn a_drained_bucket_says_how_long_to_wait() {
        let mut b = Bucket::default();
        let t = drive(&mut b, 0.0, 10.0, 10, false);
        let t = drive(&mut b, t, 10.0, 1, true);
        let now = b.epoch + Duration::from_secs_f64(t);
        let mut waits = 0;
        for _ in 0..50 {
            if b.take(now).is_some() {
                waits += 1;
            }
        }
        assert!(waits > 0, "a throttled bucket must make callers wait");
    }

    #[test]
    fn models_have_their_own_buckets() {
        let limiters = RateLimiters::default();
        let a = limiters.for_model("a");
        for _ in 0..5 {
            a.update(true);
        }
        assert!(a.fill_rate().is_some());
        assert_eq!(limiters.for_model("b").fill_rate(), None);
        assert!(limiters.for_model("a").fill_rate().is_some());
    }
}
