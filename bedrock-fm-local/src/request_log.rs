//! The request log: what the server received, for tests to inspect, within a bound.
//!
//! It keeps the last [`crate::Config::request_log_capacity`] requests and at most
//! [`crate::Config::request_log_max_bytes`] of them (bodies, headers and paths), evicting the
//! oldest first, so that a long-running server's memory does not grow with its traffic. The
//! counters ([`RequestLog::total`], [`RequestLog::evicted`]) count on regardless. A request
//! that fails authentication is logged without its body: nobody vouched for those bytes.
//! Credentials are never logged: `authorization` keeps its scheme and credential scope,
//! `x-amz-security-token` and bearer tokens are redacted.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use hyper::HeaderMap;

use crate::http::Operation;

/// What replaces a credential in the log.
const REDACTED: &str = "** redacted **";

/// One request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestRecord {
    /// The request ID the server answered with (`x-amzn-RequestId`).
    pub request_id: String,
    /// HTTP method.
    pub method: String,
    /// Path as sent (percent-encoded).
    pub path: String,
    /// Query string as sent, if any.
    pub query: Option<String>,
    /// Headers in arrival order, names lower-case. `authorization` and
    /// `x-amz-security-token` values are redacted.
    pub headers: Vec<(String, String)>,
    /// The body; empty when the server did not read it (too large) or did not keep it (the
    /// request failed authentication, or the body alone exceeds the log's byte budget).
    pub body: Bytes,
    /// The length of the body the server read, kept or not.
    pub body_len: usize,
    /// The operation, when the path named one.
    pub operation: Option<Operation>,
    /// The percent-decoded model ID, when the path had one.
    pub model_id: Option<String>,
}

impl RequestRecord {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The bytes this record holds, as the log's budget counts them.
    fn size(&self) -> usize {
        let headers: usize = self.headers.iter().map(|(n, v)| n.len() + v.len()).sum();
        self.request_id.len()
            + self.method.len()
            + self.path.len()
            + self.query.as_ref().map_or(0, String::len)
            + headers
            + self.body.len()
    }
}

#[derive(Debug)]
struct LogState {
    records: VecDeque<RequestRecord>,
    bytes: usize,
    capacity: usize,
    max_bytes: usize,
    count: u64,
    total: u64,
    evicted: u64,
}

/// The request log of a server (cheap to clone; clones share it).
#[derive(Debug, Clone)]
pub struct RequestLog {
    state: Arc<Mutex<LogState>>,
}

impl RequestLog {
    /// A log keeping the last `capacity` requests, within `max_bytes`.
    pub(crate) fn new(capacity: usize, max_bytes: usize) -> Self {
        Self {
            state: Arc::new(Mutex::new(LogState {
                records: VecDeque::new(),
                bytes: 0,
                capacity,
                max_bytes,
                count: 0,
                total: 0,
                evicted: 0,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, LogState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a request, evicting the oldest ones beyond the capacity or the byte budget. A
    /// record whose body alone breaks the budget is kept without it.
    pub(crate) fn record(&self, mut record: RequestRecord) {
        let mut st = self.lock();
        st.count += 1;
        st.total += 1;
        if record.size() > st.max_bytes {
            record.body = Bytes::new();
        }
        let size = record.size();
        if st.capacity == 0 || size > st.max_bytes {
            st.evicted += 1;
            return;
        }
        while st.records.len() >= st.capacity || st.bytes + size > st.max_bytes {
            let Some(old) = st.records.pop_front() else {
                break;
            };
            st.bytes -= old.size();
            st.evicted += 1;
        }
        st.bytes += size;
        st.records.push_back(record);
    }

    /// Requests received since the server started, or since [`RequestLog::clear`].
    pub fn count(&self) -> u64 {
        self.lock().count
    }

    /// Requests received since the server started ([`RequestLog::clear`] does not reset it).
    pub fn total(&self) -> u64 {
        self.lock().total
    }

    /// Records dropped to stay within the capacity and the byte budget since the server
    /// started ([`RequestLog::clear`] does not reset it).
    pub fn evicted(&self) -> u64 {
        self.lock().evicted
    }

    /// The bytes the kept records hold (see [`crate::Config::request_log_max_bytes`]).
    pub fn kept_bytes(&self) -> usize {
        self.lock().bytes
    }

    /// The kept requests, oldest first.
    pub fn records(&self) -> Vec<RequestRecord> {
        self.lock().records.iter().cloned().collect()
    }

    /// The most recent request, if kept.
    pub fn last(&self) -> Option<RequestRecord> {
        self.lock().records.back().cloned()
    }

    /// Forgets every kept request and resets [`RequestLog::count`].
    pub fn clear(&self) {
        let mut st = self.lock();
        st.count = 0;
        st.bytes = 0;
        st.records.clear();
    }
}

/// The headers of a request as the log keeps them: names lower-case, in arrival order,
/// credentials redacted (the `authorization` scheme and credential scope stay).
pub(crate) fn redacted_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let name = name.as_str().to_owned();
            let value = String::from_utf8_lossy(value.as_bytes());
            let value = match name.as_str() {
                "authorization" => redacted_authorization(&value),
                "x-amz-security-token" => REDACTED.to_owned(),
                _ => value.into_owned(),
            };
            (name, value)
        })
        .collect()
}

fn redacted_authorization(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, _)) if scheme.eq_ignore_ascii_case("bearer") => {
            format!("{scheme} {REDACTED}")
        }
        Some((scheme, rest)) => {
            let cred = rest
                .split(',')
                .map(str::trim)
                .filter(|p| !p.starts_with("Signature="))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{scheme} {cred}, Signature={REDACTED}")
        }
        None => REDACTED.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use hyper::header::HeaderValue;

    use super::*;

    fn rec(i: usize, body: &'static [u8]) -> RequestRecord {
        RequestRecord {
            request_id: format!("r{i}"),
            method: "POST".into(),
            path: "/".into(),
            query: None,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Bytes::from_static(body),
            body_len: body.len(),
            operation: None,
            model_id: None,
        }
    }

    fn ids(log: &RequestLog) -> Vec<String> {
        log.records().into_iter().map(|r| r.request_id).collect()
    }

    #[test]
    fn request_log_keeps_the_last_n_and_counts_all() {
        let log = RequestLog::new(2, usize::MAX);
        for i in 0..5 {
            log.record(rec(i, b"{\"a\":1}"));
        }
        assert_eq!(log.count(), 5);
        assert_eq!(ids(&log), vec!["r3", "r4"]);
        let last = log.last().unwrap();
        assert_eq!(last.header("content-type"), Some("application/json"));
        assert_eq!(last.json().unwrap()["a"], 1);
        assert_eq!((log.total(), log.evicted()), (5, 3));
        log.clear();
        assert_eq!(log.count(), 0);
        assert!(log.last().is_none());
        assert_eq!(log.kept_bytes(), 0);
        // The lifetime counters go on counting.
        log.record(rec(5, b"{}"));
        assert_eq!((log.count(), log.total(), log.evicted()), (1, 6, 3));
    }

    #[test]
    fn request_log_stays_within_its_byte_budget() {
        const BODY: &[u8] = &[b'x'; 1000];
        let one = rec(0, BODY).size();
        let log = RequestLog::new(1000, 3 * one);
        for i in 0..10 {
            log.record(rec(i, BODY));
            assert!(log.kept_bytes() <= 3 * one);
        }
        assert_eq!(ids(&log), vec!["r7", "r8", "r9"]);
        assert_eq!(log.kept_bytes(), 3 * one);
        assert_eq!((log.total(), log.evicted()), (10, 7));
        // A body larger than the whole budget is dropped; the request is still logged.
        let log = RequestLog::new(10, one - 1);
        log.record(rec(0, BODY));
        let last = log.last().unwrap();
        assert!(last.body.is_empty());
        assert_eq!(last.body_len, 1000);
        // A log of capacity 0 keeps nothing and counts everything.
        let log = RequestLog::new(0, usize::MAX);
        log.record(rec(0, BODY));
        assert!(log.records().is_empty());
        assert_eq!((log.count(), log.total(), log.evicted()), (1, 1, 1));
    }

    #[test]
    fn authorization_is_redacted_in_the_log() {
        let mut h = HeaderMap::new();
        h.insert(
            "authorization",
            HeaderValue::from_static(
                "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=abcdef",
            ),
        );
        h.insert(
            "x-amz-security-token",
            HeaderValue::from_static("secret-token"),
        );
        let r = redacted_headers(&h);
        let auth = &r.iter().find(|(n, _)| n == "authorization").unwrap().1;
        assert!(auth.contains("Credential=AKID/20240101/us-east-1/bedrock/aws4_request"));
        assert!(!auth.contains("abcdef"));
        let tok = &r
            .iter()
            .find(|(n, _)| n == "x-amz-security-token")
            .unwrap()
            .1;
        assert!(!tok.contains("secret"));
        let mut h = HeaderMap::new();
        h.insert("authorization", HeaderValue::from_static("Bearer sekrit"));
        assert!(!redacted_headers(&h)[0].1.contains("sekrit"));
    }
}
