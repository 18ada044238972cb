//! Request authentication: AWS Signature Version 4 and Bedrock API keys (bearer tokens).
//!
//! SigV4 is verified the way AWS documents it in "Create a signed AWS API request"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html>):
//!
//! ```text
//! CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n
//!                    SignedHeaders \n HexEncode(SHA256(payload))
//! StringToSign     = "AWS4-HMAC-SHA256" \n X-Amz-Date \n Date/Region/Service/aws4_request \n
//!                    HexEncode(SHA256(CanonicalRequest))
//! SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, Date), Region), Service), "aws4_request")
//! Signature        = HexEncode(HMAC(SigningKey, StringToSign))
//! ```
//!
//! For every service but S3 the canonical URI is the *normalized* path (dot segments removed,
//! repeated slashes collapsed) URI-encoded once more on top of its encoding on the wire, so a
//! model ID `...-v1:0` sent as `...-v1%3A0` is signed as `...-v1%253A0` (AWS SigV4 test suite
//! cases `double-url-encode`, `double-encode-path`, `get-slashes-normalized`; botocore's
//! `SigV4Auth._normalize_url_path` and the Rust `aws-sigv4` crate do the same). UriEncode
//! leaves only `A-Z a-z 0-9 - . _ ~` (and `/` in paths) unencoded, with upper-case hex.
//!
//! The payload hash is `x-amz-content-sha256` when the client sends it (it must then match the
//! body unless it is `UNSIGNED-PAYLOAD`), else the SHA-256 of the body. The credential scope
//! must name the service `bedrock` (the model's `signingName`); any region is accepted.
//!
//! Failures answer as AWS does, with HTTP 403:
//! `MissingAuthenticationTokenException` "Missing Authentication Token";
//! `IncompleteSignatureException` for a malformed `Authorization` header;
//! `UnrecognizedClientException` "The security token included in the request is invalid." for an
//! unknown access key or session token (seen in langchain issue #19677, claude-code #2260);
//! `InvalidSignatureException` "The request signature we calculated does not match the
//! signature you provided. ..." for a wrong signature, and "Signature expired: ... is now earlier
//! than ... (... - 15 min.)" outside the allowed clock skew (wording as in aws-sdk-js #254);
//! `AccessDeniedException` `{"Message": "Authentication failed: Please make sure your API Key is
//! valid."}` for a wrong bearer key (as Bedrock answers, opencode issue #47073).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use hyper::HeaderMap;
use sha2::{Digest, Sha256};

use crate::errors::ServiceError;

type HmacSha256 = Hmac<Sha256>;

/// The only algorithm SigV4 headers use.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The SHA-256 of an empty payload.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A pair of AWS access keys the server accepts, optionally with a session token.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Credentials {
    /// The access key ID (`AKID...`).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token that must accompany the key (`x-amz-security-token`), if any.
    pub session_token: Option<String>,
}

impl Credentials {
    /// Long-term credentials (no session token).
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
        }
    }

    /// Requires `token` as `x-amz-security-token` with these keys.
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .finish()
    }
}

/// Who a request authenticated as.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Identity {
    /// A SigV4 signature by this access key, scoped to this region.
    SigV4 {
        /// The access key ID that signed.
        access_key_id: String,
        /// The region of the credential scope.
        region: String,
    },
    /// A Bedrock API key (`Authorization: Bearer ...`).
    Bearer,
    /// Authentication is switched off ([`crate::Config::allow_anonymous`]).
    Anonymous,
}

/// What the server accepts.
#[derive(Debug, Clone, Copy)]
pub struct AuthPolicy<'a> {
    /// Accepted SigV4 credentials.
    pub credentials: &'a [Credentials],
    /// Accepted bearer tokens.
    pub bearer_tokens: &'a [String],
    /// Largest accepted difference between the request's `x-amz-date` and the server clock.
    pub max_clock_skew: Duration,
    /// The service name the credential scope must carry (`bedrock`).
    pub service: &'a str,
    /// Accept requests with no `Authorization` header.
    pub allow_anonymous: bool,
}

/// The parts of a request that are signed.
#[derive(Debug, Clone, Copy)]
pub struct RequestToVerify<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// The path exactly as sent (still percent-encoded).
    pub raw_path: &'a str,
    /// The query string as sent, without `?`.
    pub raw_query: Option<&'a str>,
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The request body.
    pub body: &'a [u8],
}

/// The fields of a SigV4 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthorizationHeader {
    /// Access key ID from `Credential=`.
    pub access_key_id: String,
    /// Scope date (`YYYYMMDD`).
    pub date: String,
    /// Scope region.
    pub region: String,
    /// Scope service.
    pub service: String,
    /// Scope terminator (`aws4_request`).
    pub terminator: String,
    /// Lower-case signed header names, in the order given.
    pub signed_headers: Vec<String>,
    /// Hex signature.
    pub signature: String,
}

fn missing_token() -> ServiceError {
    ServiceError::new(
        "MissingAuthenticationTokenException",
        "Missing Authentication Token",
    )
}

fn incomplete(message: String) -> ServiceError {
    ServiceError::new("IncompleteSignatureException", message)
}

fn invalid_signature(message: impl Into<String>) -> ServiceError {
    ServiceError::new("InvalidSignatureException", message)
}

/// `UnrecognizedClientException`: unknown access key or session token.
pub fn unrecognized_client() -> ServiceError {
    ServiceError::new(
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )
}

/// `AccessDeniedException` for a bearer key the server does not know.
pub fn bad_bearer_token() -> ServiceError {
    let mut e = ServiceError::access_denied(
        "Authentication failed: Please make sure your API Key is valid.",
    );
    e.message_key = "Message";
    e
}

/// Parses `AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
/// SignedHeaders=a;b, Signature=hex`.
pub fn parse_authorization(value: &str) -> Result<AuthorizationHeader, ServiceError> {
    let value = value.trim();
    let Some(rest) = value.strip_prefix(ALGORITHM) else {
        return Err(incomplete(format!(
            "Authorization header requires 'Credential' parameter. Authorization header requires \
             'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. \
             Authorization={}",
            redact_authorization(value)
        )));
    };
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v.trim());
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v.trim());
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v.trim());
        }
    }
    let mut problems = Vec::new();
    if credential.is_none() {
        problems.push("Authorization header requires 'Credential' parameter.");
    }
    if signature.is_none() {
        problems.push("Authorization header requires 'Signature' parameter.");
    }
    if signed.is_none() {
        problems.push("Authorization header requires 'SignedHeaders' parameter.");
    }
    let (Some(credential), Some(signed), Some(signature)) = (credential, signed, signature) else {
        return Err(incomplete(format!(
            "{} Authorization={}",
            problems.join(" "),
            redact_authorization(value)
        )));
    };
    let scope: Vec<&str> = credential.split('/').collect();
    if scope.len() != 5 || scope.iter().any(|s| s.is_empty()) {
        return Err(incomplete(format!(
            "Credential should have at least 5 slash-separated parts, not {}",
            scope.len()
        )));
    }
    Ok(AuthorizationHeader {
        access_key_id: scope[0].to_owned(),
        date: scope[1].to_owned(),
        region: scope[2].to_owned(),
        service: scope[3].to_owned(),
        terminator: scope[4].to_owned(),
        signed_headers: signed
            .split(';')
            .filter(|h| !h.is_empty())
            .map(|h| h.to_ascii_lowercase())
            .collect(),
        signature: signature.to_owned(),
    })
}

fn redact_authorization(value: &str) -> String {
    // Never echo a secret-looking value: keep the scheme only.
    let scheme = value.split_whitespace().next().unwrap_or("");
    format!("{scheme} ...")
}

/// UriEncode as SigV4 defines it: everything but `A-Z a-z 0-9 - . _ ~` becomes `%XX` with
/// upper-case hex; `/` is kept when `keep_slash`.
pub fn uri_encode(input: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(input.len());
    for &b in input.as_bytes() {
        let unreserved = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        if unreserved || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Removes `.` and `..` segments and collapses repeated slashes (RFC 3986 section 5.2.4, and
/// "AWS services require consecutive slashes to be removed"), keeping a trailing slash.
pub fn normalize_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = String::from("/");
    out.push_str(&segments.join("/"));
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    if trailing && !segments.is_empty() {
        out.push('/');
    }
    out
}

/// The canonical URI of a non-S3 request: the normalized wire path, URI-encoded again.
pub fn canonical_uri(raw_path: &str) -> String {
    let path = if raw_path.is_empty() { "/" } else { raw_path };
    uri_encode(&normalize_path(path), true)
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The canonical query string: each name and value URI-encoded (after decoding what the
/// client encoded), sorted by name then value, joined with `&`.
pub fn canonical_query(raw_query: Option<&str>) -> String {
    let Some(q) = raw_query.filter(|q| !q.is_empty()) else {
        return String::new();
    };
    let mut pairs: Vec<(String, String)> = q
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                uri_encode(&percent_decode(k), false),
                uri_encode(&percent_decode(v), false),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn header_values(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

fn trim_collapse(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The canonical headers block (`name:value\n` per signed header, sorted by name, values of a
/// repeated header joined with `,`, whitespace trimmed and collapsed).
pub fn canonical_headers(headers: &HeaderMap, signed: &[String]) -> String {
    let mut names: Vec<&String> = signed.iter().collect();
    names.sort();
    names.dedup();
    let mut out = String::new();
    for name in names {
        let values: Vec<String> = header_values(headers, name)
            .iter()
            .map(|v| trim_collapse(v))
            .collect();
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The SigV4 signing key for `date` (`YYYYMMDD`), region and service.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// The canonical request.
pub fn canonical_request(
    req: &RequestToVerify<'_>,
    signed_headers: &[String],
    payload_hash: &str,
) -> String {
    let mut signed_sorted: Vec<String> = signed_headers.to_vec();
    signed_sorted.sort();
    signed_sorted.dedup();
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method.to_ascii_uppercase(),
        canonical_uri(req.raw_path),
        canonical_query(req.raw_query),
        canonical_headers(req.headers, &signed_sorted),
        signed_sorted.join(";"),
        payload_hash
    )
}

/// The string to sign.
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// The hex signature of `string_to_sign`.
pub fn signature(key: &[u8], string_to_sign: &str) -> String {
    hex::encode(hmac(key, string_to_sign.as_bytes()))
}

/// Seconds since the epoch of an ISO 8601 basic timestamp `YYYYMMDDTHHMMSSZ`.
pub fn parse_amz_date(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u64> {
        let part = s.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (h, mi, se) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let days = days_from_civil(y as i64, mo as i64, d as i64);
    u64::try_from(days)
        .ok()
        .map(|days| days * 86400 + h * 3600 + mi * 60 + se)
}

/// Formats seconds since the epoch as `YYYYMMDDTHHMMSSZ`.
pub fn format_amz_date(secs: u64) -> String {
    let days = (secs / 86400) as i64;
    let rem = secs % 86400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

// Howard Hinnant's algorithms for the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Authenticates a request: a bearer key or a SigV4 signature, checked against `policy` at
/// time `now`.
pub fn authenticate(
    req: &RequestToVerify<'_>,
    policy: &AuthPolicy<'_>,
    now: SystemTime,
) -> Result<Identity, ServiceError> {
    let Some(auth) = req.headers.get("authorization") else {
        return if policy.allow_anonymous {
            Ok(Identity::Anonymous)
        } else {
            Err(missing_token())
        };
    };
    let auth = String::from_utf8_lossy(auth.as_bytes()).into_owned();
    let trimmed = auth.trim();
    if trimmed.len() >= 7 && trimmed[..7].eq_ignore_ascii_case("bearer ") {
        let token = trimmed[7..].trim();
        let known = policy
            .bearer_tokens
            .iter()
            .any(|t| constant_time_eq(t.as_bytes(), token.as_bytes()));
        return if known {
            Ok(Identity::Bearer)
        } else {
            Err(bad_bearer_token())
        };
    }
    verify_sigv4(req, policy, &parse_authorization(trimmed)?, now)
}

fn verify_sigv4(
    req: &RequestToVerify<'_>,
    policy: &AuthPolicy<'_>,
    header: &AuthorizationHeader,
    now: SystemTime,
) -> Result<Identity, ServiceError> {
    let Some(amz_date) = header_str(req.headers, "x-amz-date") else {
        return Err(incomplete(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
                .into(),
        ));
    };
    if !header.signed_headers.iter().any(|h| h == "host") {
        return Err(invalid_signature(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    if header.terminator != "aws4_request" {
        return Err(invalid_signature(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'.",
            header.terminator
        )));
    }
    if header.service != policy.service {
        return Err(invalid_signature(format!(
            "Credential should be scoped to correct service: '{}'. ",
            policy.service
        )));
    }
    let Some(request_secs) = parse_amz_date(amz_date) else {
        return Err(incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See \
             http://en.wikipedia.org/wiki/ISO_8601"
        )));
    };
    if !amz_date.starts_with(&header.date) || header.date.len() != 8 {
        return Err(invalid_signature(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from \
             HTTP: '{}' != '{}', from '{amz_date}'.",
            header.date,
            &amz_date[..8]
        )));
    }
    let Some(creds) = policy
        .credentials
        .iter()
        .find(|c| c.access_key_id == header.access_key_id)
    else {
        return Err(unrecognized_client());
    };
    if let Some(expected) = &creds.session_token {
        let sent = header_str(req.headers, "x-amz-security-token");
        if sent.map(|s| s.as_bytes()) != Some(expected.as_bytes()) {
            return Err(unrecognized_client());
        }
    }
    let body_hash = sha256_hex(req.body);
    let payload_hash = match header_str(req.headers, "x-amz-content-sha256") {
        Some(h) if h == "UNSIGNED-PAYLOAD" || h.starts_with("STREAMING-") => h.to_owned(),
        Some(h) => {
            if !h.eq_ignore_ascii_case(&body_hash) {
                return Err(invalid_signature(
                    "The provided 'x-amz-content-sha256' header does not match what was computed.",
                ));
            }
            h.to_owned()
        }
        None => body_hash,
    };
    let creq = canonical_request(req, &header.signed_headers, &payload_hash);
    let scope = format!(
        "{}/{}/{}/{}",
        header.date, header.region, header.service, header.terminator
    );
    let sts = string_to_sign(amz_date, &scope, &creq);
    let key = signing_key(
        &creds.secret_access_key,
        &header.date,
        &header.region,
        &header.service,
    );
    let expected = signature(&key, &sts);
    if !constant_time_eq(
        expected.as_bytes(),
        header.signature.to_ascii_lowercase().as_bytes(),
    ) {
        return Err(invalid_signature(format!(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service \
             documentation for details.\n\nThe Canonical String for this request should have \
             been\n'{creq}'\n\nThe String-to-Sign should have been\n'{sts}'\n"
        )));
    }
    let now_secs = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let skew = policy.max_clock_skew.as_secs();
    let minutes = skew / 60;
    if request_secs + skew < now_secs {
        return Err(invalid_signature(format!(
            "Signature expired: {amz_date} is now earlier than {} ({} - {minutes} min.)",
            format_amz_date(now_secs - skew),
            format_amz_date(now_secs)
        )));
    }
    if request_secs > now_secs + skew {
        return Err(invalid_signature(format!(
            "Signature not yet current: {amz_date} is still later than {} ({} + {minutes} min.)",
            format_amz_date(now_secs + skew),
            format_amz_date(now_secs)
        )));
    }
    Ok(Identity::SigV4 {
        access_key_id: header.access_key_id.clone(),
        region: header.region.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::{HeaderName, HeaderValue};

    // The credentials of the AWS SigV4 test suite (aws-signing-test-suite/v4, as published by
    // AWS and shipped in the `aws-sigv4` crate): context.json of every case.
    const SUITE_KEY: &str = "AKIDEXAMPLE";
    const SUITE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const SUITE_DATE: &str = "20150830T123600Z";

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    fn suite_policy<'a>(creds: &'a [Credentials], tokens: &'a [String]) -> AuthPolicy<'a> {
        AuthPolicy {
            credentials: creds,
            bearer_tokens: tokens,
            max_clock_skew: Duration::from_secs(15 * 60),
            service: "service",
            allow_anonymous: false,
        }
    }

    fn at(amz_date: &str) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(parse_amz_date(amz_date).unwrap())
    }

    #[test]
    fn aws_test_suite_post_vanilla() {
        // post-vanilla: header-canonical-request.txt, header-string-to-sign.txt and
        // header-signature.txt of the AWS SigV4 test suite.
        let h = headers(&[
            ("host", "example.amazonaws.com"),
            ("x-amz-date", SUITE_DATE),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
                 SignedHeaders=host;x-amz-date, \
                 Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
            ),
        ]);
        let req = RequestToVerify {
            method: "POST",
            raw_path: "/",
            raw_query: None,
            headers: &h,
            body: b"",
        };
        let signed = vec!["host".to_owned(), "x-amz-date".to_owned()];
        let creq = canonical_request(&req, &signed, EMPTY_SHA256);
        assert_eq!(
            creq,
            "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let sts = string_to_sign(SUITE_DATE, "20150830/us-east-1/service/aws4_request", &creq);
        assert_eq!(
            sts,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\
             553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87"
        );
        let key = signing_key(SUITE_SECRET, "20150830", "us-east-1", "service");
        assert_eq!(
            signature(&key, &sts),
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        );
        let creds = [Credentials::new(SUITE_KEY, SUITE_SECRET)];
        let id = authenticate(&req, &suite_policy(&creds, &[]), at(SUITE_DATE)).unwrap();
        assert_eq!(
            id,
            Identity::SigV4 {
                access_key_id: SUITE_KEY.into(),
                region: "us-east-1".into()
            }
        );
    }

    #[test]
    fn aws_test_suite_get_vanilla_with_session_token() {
        let token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
        let h = headers(&[
            ("host", "example.amazonaws.com"),
            ("x-amz-date", SUITE_DATE),
            ("x-amz-security-token", token),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
                 SignedHeaders=host;x-amz-date;x-amz-security-token, \
                 Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
            ),
        ]);
        let req = RequestToVerify {
            method: "GET",
            raw_path: "/",
            raw_query: None,
            headers: &h,
            body: b"",
        };
        let creds = [Credentials::new(SUITE_KEY, SUITE_SECRET).with_session_token(token)];
        assert!(authenticate(&req, &suite_policy(&creds, &[]), at(SUITE_DATE)).is_ok());
        // A different expected token: the security token is invalid.
        let creds = [Credentials::new(SUITE_KEY, SUITE_SECRET).with_session_token("other")];
        let e = authenticate(&req, &suite_policy(&creds, &[]), at(SUITE_DATE)).unwrap_err();
        assert_eq!(e.error_type, "UnrecognizedClientException");
    }

    #[test]
    fn aws_test_suite_header_value_trim_and_utf8_path() {
        // get-header-value-trim: values are trimmed and inner runs of spaces collapsed.
        let h = headers(&[
            ("host", "example.amazonaws.com"),
            ("my-header1", " value1"),
            ("my-header2", "\"a   b   c\""),
            ("x-amz-date", SUITE_DATE),
        ]);
        let req = RequestToVerify {
            method: "GET",
            raw_path: "/",
            raw_query: None,
            headers: &h,
            body: b"",
        };
        let signed: Vec<String> = ["host", "my-header1", "my-header2", "x-amz-date"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let creq = canonical_request(&req, &signed, EMPTY_SHA256);
        let sts = string_to_sign(SUITE_DATE, "20150830/us-east-1/service/aws4_request", &creq);
        let key = signing_key(SUITE_SECRET, "20150830", "us-east-1", "service");
        assert_eq!(
            signature(&key, &sts),
            "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"
        );
        // get-utf8: the path `/ሴ` is signed as `/%E1%88%B4`.
        assert_eq!(canonical_uri("/\u{1234}"), "/%E1%88%B4");
    }

    #[test]
    fn canonical_uri_double_encodes_like_the_test_suite() {
        // double-url-encode and double-encode-path cases of the AWS SigV4 test suite.
        assert_eq!(
            canonical_uri(
                "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-west-2%3A892717189312%3Afunction%3Amy-rusty-fun/invocations"
            ),
            "/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-west-2%253A892717189312%253Afunction%253Amy-rusty-fun/invocations"
        );
        assert_eq!(
            canonical_uri("/test/@connections/JBDvjfGEIAMCERw%3D"),
            "/test/%40connections/JBDvjfGEIAMCERw%253D"
        );
        // get-slashes-normalized, get-slash-pointless-dot-normalized,
        // get-relative-relative-normalized, get-space-normalized, get-unreserved.
        assert_eq!(canonical_uri("//example//"), "/example/");
        assert_eq!(canonical_uri("/./example"), "/example");
        assert_eq!(canonical_uri("/example1/example2/../.."), "/");
        assert_eq!(canonical_uri("/example%20space/"), "/example%2520space/");
        let unreserved = "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        assert_eq!(canonical_uri(unreserved), unreserved);
        // A Bedrock model ID as the SDKs send it.
        assert_eq!(
            canonical_uri("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"),
            "/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse"
        );
    }

    #[test]
    fn canonical_query_sorts_and_encodes() {
        // get-vanilla-query-order-key-case and get-vanilla-query-unreserved.
        assert_eq!(
            canonical_query(Some("Param2=value2&Param1=value1")),
            "Param1=value1&Param2=value2"
        );
        assert_eq!(canonical_query(Some("b=2&a=2&a=1")), "a=1&a=2&b=2");
        assert_eq!(canonical_query(Some("k=a%20b&e")), "e=&k=a%20b");
        assert_eq!(canonical_query(None), "");
    }

    #[test]
    fn amz_dates_round_trip() {
        assert_eq!(parse_amz_date("19700101T000000Z"), Some(0));
        assert_eq!(parse_amz_date("20150830T123600Z"), Some(1_440_938_160));
        assert_eq!(format_amz_date(1_440_938_160), "20150830T123600Z");
        assert_eq!(format_amz_date(951_782_400), "20000229T000000Z");
        assert_eq!(parse_amz_date("2015-08-30T12:36:00Z"), None);
        assert_eq!(parse_amz_date("20151330T123600Z"), None);
    }

    /// Signs a request with an implementation written here from the AWS documentation, with
    /// hmac and sha2 directly, independent of the verifier's helpers.
    #[allow(clippy::too_many_arguments)]
    fn independent_sign(
        method: &str,
        path_canonical: &str,
        host: &str,
        amz_date: &str,
        body: &[u8],
        key_id: &str,
        secret: &str,
        region: &str,
    ) -> String {
        fn mac(key: &[u8], data: &str) -> Vec<u8> {
            let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
            m.update(data.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        let date = &amz_date[..8];
        let body_hash = hex::encode(Sha256::digest(body));
        let creq = format!(
            "{method}\n{path_canonical}\n\ncontent-type:application/json\nhost:{host}\nx-amz-date:{amz_date}\n\ncontent-type;host;x-amz-date\n{body_hash}"
        );
        let sts = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{date}/{region}/bedrock/aws4_request\n{}",
            hex::encode(Sha256::digest(creq.as_bytes()))
        );
        let k = mac(format!("AWS4{secret}").as_bytes(), date);
        let k = mac(&k, region);
        let k = mac(&k, "bedrock");
        let k = mac(&k, "aws4_request");
        let sig = hex::encode(mac(&k, &sts));
        format!(
            "AWS4-HMAC-SHA256 Credential={key_id}/{date}/{region}/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature={sig}"
        )
    }

    struct Fixture {
        creds: Vec<Credentials>,
        tokens: Vec<String>,
    }

    impl Fixture {
        fn new() -> Self {
            Self {
                creds: vec![Credentials::new("AKIDLOCAL", "local-secret")],
                tokens: vec!["good-token".into()],
            }
        }
        fn policy(&self) -> AuthPolicy<'_> {
            AuthPolicy {
                credentials: &self.creds,
                bearer_tokens: &self.tokens,
                max_clock_skew: Duration::from_secs(15 * 60),
                service: "bedrock",
                allow_anonymous: false,
            }
        }
    }

    fn bedrock_request(auth: &str, amz_date: &str) -> HeaderMap {
        headers(&[
            ("host", "127.0.0.1:4000"),
            ("content-type", "application/json"),
            ("x-amz-date", amz_date),
            ("authorization", auth),
        ])
    }

    const PATH: &str = "/model/us.anthropic.claude-3-haiku-20240307-v1%3A0/converse";
    const PATH_CANONICAL: &str = "/model/us.anthropic.claude-3-haiku-20240307-v1%253A0/converse";
    const BODY: &[u8] = br#"{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"#;
    const DATE: &str = "20240615T101500Z";

    /// The signature of the tests' request (`POST` of `BODY` at `DATE`) with these credentials
    /// and region.
    fn signed_as(key_id: &str, secret: &str, region: &str) -> String {
        independent_sign(
            "POST",
            PATH_CANONICAL,
            "127.0.0.1:4000",
            DATE,
            BODY,
            key_id,
            secret,
            region,
        )
    }

    /// The signature of the tests' request with the fixture's credentials in `us-east-1`.
    fn signed() -> String {
        signed_as("AKIDLOCAL", "local-secret", "us-east-1")
    }

    fn check(
        f: &Fixture,
        h: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Identity, ServiceError> {
        let req = RequestToVerify {
            method: "POST",
            raw_path: PATH,
            raw_query: None,
            headers: h,
            body,
        };
        authenticate(&req, &f.policy(), now)
    }

    #[test]
    fn accepts_an_independently_computed_signature_in_any_region() {
        let f = Fixture::new();
        for region in ["us-east-1", "eu-central-1", "ap-southeast-2"] {
            let auth = signed_as("AKIDLOCAL", "local-secret", region);
            let id = check(&f, &bedrock_request(&auth, DATE), BODY, at(DATE)).unwrap();
            assert_eq!(
                id,
                Identity::SigV4 {
                    access_key_id: "AKIDLOCAL".into(),
                    region: region.into()
                }
            );
        }
    }

    #[test]
    fn rejects_a_wrong_secret_with_invalid_signature() {
        let f = Fixture::new();
        let auth = signed_as("AKIDLOCAL", "wrong-secret", "us-east-1");
        let e = check(&f, &bedrock_request(&auth, DATE), BODY, at(DATE)).unwrap_err();
        assert_eq!(e.status, 403);
        assert_eq!(e.error_type, "InvalidSignatureException");
        let msg = e.message.unwrap();
        assert!(msg.starts_with(
            "The request signature we calculated does not match the signature you provided."
        ));
        assert!(msg.contains(PATH_CANONICAL), "{msg}");
    }

    #[test]
    fn rejects_a_tampered_body_or_path() {
        let f = Fixture::new();
        let auth = signed();
        let e = check(&f, &bedrock_request(&auth, DATE), b"{}", at(DATE)).unwrap_err();
        assert_eq!(e.error_type, "InvalidSignatureException");
        // Signing the singly-encoded path (a signer that forgets the second encoding) fails.
        let auth = independent_sign(
            "POST",
            PATH,
            "127.0.0.1:4000",
            DATE,
            BODY,
            "AKIDLOCAL",
            "local-secret",
            "us-east-1",
        );
        let e = check(&f, &bedrock_request(&auth, DATE), BODY, at(DATE)).unwrap_err();
        assert_eq!(e.error_type, "InvalidSignatureException");
    }

    #[test]
    fn rejects_an_unknown_key_with_unrecognized_client() {
        let f = Fixture::new();
        let auth = signed_as("AKIDOTHER", "local-secret", "us-east-1");
        let e = check(&f, &bedrock_request(&auth, DATE), BODY, at(DATE)).unwrap_err();
        assert_eq!(e.status, 403);
        assert_eq!(e.error_type, "UnrecognizedClientException");
        assert_eq!(
            e.message.as_deref(),
            Some("The security token included in the request is invalid.")
        );
    }

    #[test]
    fn clock_skew_is_accepted_within_15_minutes_only() {
        let f = Fixture::new();
        let auth = signed();
        let h = bedrock_request(&auth, DATE);
        let t = at(DATE);
        assert!(check(&f, &h, BODY, t + Duration::from_secs(14 * 60)).is_ok());
        assert!(check(&f, &h, BODY, t - Duration::from_secs(14 * 60)).is_ok());
        let e = check(&f, &h, BODY, t + Duration::from_secs(16 * 60)).unwrap_err();
        assert_eq!(e.error_type, "InvalidSignatureException");
        assert_eq!(
            e.message.as_deref(),
            Some(
                "Signature expired: 20240615T101500Z is now earlier than 20240615T101600Z \
                 (20240615T103100Z - 15 min.)"
            )
        );
        let e = check(&f, &h, BODY, t - Duration::from_secs(16 * 60)).unwrap_err();
        assert!(e.message.unwrap().starts_with("Signature not yet current"));
    }

    #[test]
    fn scope_must_name_bedrock_and_match_the_date() {
        let f = Fixture::new();
        let auth = signed().replace("/bedrock/", "/s3/");
        let e = check(&f, &bedrock_request(&auth, DATE), BODY, at(DATE)).unwrap_err();
        assert!(e.message.unwrap().contains("correct service: 'bedrock'"));
        let auth = signed().replace("/20240615/", "/20240614/");
        let e = check(&f, &bedrock_request(&auth, DATE), BODY, at(DATE)).unwrap_err();
        assert!(
            e.message
                .unwrap()
                .contains("Date in Credential scope does not match")
        );
    }

    #[test]
    fn content_sha256_header_must_match_the_body() {
        let f = Fixture::new();
        let auth = signed();
        let mut h = bedrock_request(&auth, DATE);
        h.insert(
            "x-amz-content-sha256",
            HeaderValue::from_static(EMPTY_SHA256),
        );
        let e = check(&f, &h, BODY, at(DATE)).unwrap_err();
        assert!(e.message.unwrap().contains("x-amz-content-sha256"));
        h.insert(
            "x-amz-content-sha256",
            HeaderValue::from_str(&sha256_hex(BODY)).unwrap(),
        );
        assert!(check(&f, &h, BODY, at(DATE)).is_ok());
    }

    #[test]
    fn missing_and_malformed_authorization() {
        let f = Fixture::new();
        let h = headers(&[("host", "x")]);
        let e = check(&f, &h, BODY, at(DATE)).unwrap_err();
        assert_eq!(e.error_type, "MissingAuthenticationTokenException");
        assert_eq!(e.status, 403);
        let h = headers(&[("host", "x"), ("authorization", "Basic dXNlcjpwYXNz")]);
        let e = check(&f, &h, BODY, at(DATE)).unwrap_err();
        assert_eq!(e.error_type, "IncompleteSignatureException");
        assert!(!e.message.unwrap().contains("dXNlcjpwYXNz"));
        let h = headers(&[
            ("host", "x"),
            ("x-amz-date", DATE),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20240615/us-east-1/bedrock/aws4_request",
            ),
        ]);
        let e = check(&f, &h, BODY, at(DATE)).unwrap_err();
        assert_eq!(e.error_type, "IncompleteSignatureException");
    }

    #[test]
    fn bearer_tokens() {
        let f = Fixture::new();
        let h = headers(&[("host", "x"), ("authorization", "Bearer good-token")]);
        assert_eq!(check(&f, &h, BODY, at(DATE)).unwrap(), Identity::Bearer);
        let h = headers(&[("host", "x"), ("authorization", "bearer good-token")]);
        assert_eq!(check(&f, &h, BODY, at(DATE)).unwrap(), Identity::Bearer);
        let h = headers(&[("host", "x"), ("authorization", "Bearer bad-token")]);
        let e = check(&f, &h, BODY, at(DATE)).unwrap_err();
        assert_eq!(e.status, 403);
        assert_eq!(e.error_type, "AccessDeniedException");
        assert_eq!(
            e.body_json(),
            serde_json::json!({"Message": "Authentication failed: Please make sure your API Key is valid."})
        );
    }

    #[test]
    fn debug_redacts_secrets() {
        let c = Credentials::new("AKID", "topsecret").with_session_token("tok");
        let d = format!("{c:?}");
        assert!(d.contains("AKID"));
        assert!(!d.contains("topsecret"));
        assert!(!d.contains("tok\""));
    }
}
