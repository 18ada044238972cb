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
//! signature you provided. ..." for a wrong signature (its echo of the canonical request has
//! the session token and any presigned signature or token redacted), and "Signature expired:
//! ... is now earlier than ... (... - 5 min.)" outside the allowed clock skew. AWS allows five
//! minutes ("a request must reach AWS within five minutes of the time stamp in the request",
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_aws-signing.html>); the wording is
//! recorded in boto/botocore issue #149 (`Signature expired: 20131008T001036Z is now earlier
//! than 20131008T001112Z (20131008T001612Z - 5 min.)`);
//! `AccessDeniedException` `{"Message": "Authentication failed: Please make sure your API Key is
//! valid."}` for a wrong bearer key (as Bedrock answers, opencode issue #47073).
//!
//! Header values are bytes, not necessarily ASCII (HTTP allows obs-text): they are read
//! lossily and never sliced at a byte offset, so any `Authorization` gets one of the answers
//! above (an unknown scheme is `IncompleteSignatureException`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hyper::HeaderMap;

use crate::errors::ServiceError;

mod canonical;
#[cfg(test)]
mod tests;

use canonical::{
    canonical_request, format_amz_date, parse_amz_date, redact_canonical_request, sha256_hex,
    signature, signing_key, string_to_sign,
};

/// The only algorithm SigV4 headers use.
pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";

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
pub(crate) enum Identity {
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
pub(crate) struct AuthPolicy<'a> {
    /// Accepted SigV4 credentials.
    pub(crate) credentials: &'a [Credentials],
    /// Accepted bearer tokens.
    pub(crate) bearer_tokens: &'a [String],
    /// Largest accepted difference between the request's `x-amz-date` and the server clock.
    pub(crate) max_clock_skew: Duration,
    /// The service name the credential scope must carry (`bedrock`).
    pub(crate) service: &'a str,
    /// Accept requests with no `Authorization` header.
    pub(crate) allow_anonymous: bool,
}

/// The parts of a request that are signed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestToVerify<'a> {
    /// HTTP method.
    pub(crate) method: &'a str,
    /// The path exactly as sent (still percent-encoded).
    pub(crate) raw_path: &'a str,
    /// The query string as sent, without `?`.
    pub(crate) raw_query: Option<&'a str>,
    /// The request headers.
    pub(crate) headers: &'a HeaderMap,
    /// The request body.
    pub(crate) body: &'a [u8],
}

/// The fields of a SigV4 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) struct AuthorizationHeader {
    /// Access key ID from `Credential=`.
    pub(crate) access_key_id: String,
    /// Scope date (`YYYYMMDD`).
    pub(crate) date: String,
    /// Scope region.
    pub(crate) region: String,
    /// Scope service.
    pub(crate) service: String,
    /// Scope terminator (`aws4_request`).
    pub(crate) terminator: String,
    /// Lower-case signed header names, in the order given.
    pub(crate) signed_headers: Vec<String>,
    /// Hex signature.
    pub(crate) signature: String,
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
pub(crate) fn unrecognized_client() -> ServiceError {
    ServiceError::new(
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )
}

/// `AccessDeniedException` for a bearer key the server does not know.
pub(crate) fn bad_bearer_token() -> ServiceError {
    let mut e = ServiceError::access_denied(
        "Authentication failed: Please make sure your API Key is valid.",
    );
    e.message_key = "Message";
    e
}

/// Parses `AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
/// SignedHeaders=a;b, Signature=hex`.
pub(crate) fn parse_authorization(value: &str) -> Result<AuthorizationHeader, ServiceError> {
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
pub(crate) fn authenticate(
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
    // `get`, not `[..7]`: byte 7 may fall inside a multi-byte character.
    let bearer = trimmed
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("bearer "))
        .and_then(|_| trimmed.get(7..));
    if let Some(token) = bearer {
        let token = token.trim();
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
             been\n'{}'\n\nThe String-to-Sign should have been\n'{sts}'\n",
            redact_canonical_request(&creq)
        )));
    }
    let now_secs = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let skew = policy.max_clock_skew.as_secs();
    let minutes = skew / 60;
    if request_secs.saturating_add(skew) < now_secs {
        return Err(invalid_signature(format!(
            "Signature expired: {amz_date} is now earlier than {} ({} - {minutes} min.)",
            format_amz_date(now_secs.saturating_sub(skew)),
            format_amz_date(now_secs)
        )));
    }
    if request_secs > now_secs.saturating_add(skew) {
        return Err(invalid_signature(format!(
            "Signature not yet current: {amz_date} is still later than {} ({} + {minutes} min.)",
            format_amz_date(now_secs.saturating_add(skew)),
            format_amz_date(now_secs)
        )));
    }
    Ok(Identity::SigV4 {
        access_key_id: header.access_key_id.clone(),
        region: header.region.clone(),
    })
}
