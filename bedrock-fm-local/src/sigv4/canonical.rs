//! The SigV4 canonical request, string to sign and signature, as "Create a signed AWS API
//! request" defines them, and the `x-amz-date` timestamp format.

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format as DateTimeFormat;
use hmac::{Hmac, Mac};
use hyper::HeaderMap;
use sha2::{Digest, Sha256};

use super::{ALGORITHM, RequestToVerify};

type HmacSha256 = Hmac<Sha256>;

/// UriEncode as SigV4 defines it: everything but `A-Z a-z 0-9 - . _ ~` becomes `%XX` with
/// upper-case hex; `/` is kept when `keep_slash`.
pub(crate) fn uri_encode(input: &str, keep_slash: bool) -> String {
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
pub(crate) fn normalize_path(path: &str) -> String {
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
pub(crate) fn canonical_uri(raw_path: &str) -> String {
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
pub(crate) fn canonical_query(raw_query: Option<&str>) -> String {
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
pub(crate) fn canonical_headers(headers: &HeaderMap, signed: &[String]) -> String {
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
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The SigV4 signing key for `date` (`YYYYMMDD`), region and service.
pub(crate) fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// The canonical request.
pub(crate) fn canonical_request(
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

/// What replaces a credential in an echoed canonical request.
const REDACTED: &str = "** redacted **";

/// The query parameters of a presigned request that carry credentials.
const SECRET_QUERY_PARAMS: &[&str] = &["X-Amz-Security-Token", "X-Amz-Signature"];

/// `creq` (a [`canonical_request`]) fit to echo in an error message: the value of the
/// `x-amz-security-token` header (a session token) and of the presigned-URL parameters
/// `X-Amz-Security-Token` and `X-Amz-Signature` are redacted. A header value holds no line
/// break and a canonical query no `:`, so lines tell the parts apart.
pub(crate) fn redact_canonical_request(creq: &str) -> String {
    let redact_query = |query: &str| {
        query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if SECRET_QUERY_PARAMS.contains(&name) => {
                    format!("{name}={REDACTED}")
                }
                _ => pair.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("&")
    };
    creq.split('\n')
        .enumerate()
        .map(|(i, line)| match line.split_once(':') {
            _ if i == 2 => redact_query(line),
            Some(("x-amz-security-token", _)) => format!("x-amz-security-token:{REDACTED}"),
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The string to sign.
pub(crate) fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// The hex signature of `string_to_sign`.
pub(crate) fn signature(key: &[u8], string_to_sign: &str) -> String {
    hex::encode(hmac(key, string_to_sign.as_bytes()))
}

/// Seconds since the epoch of an ISO 8601 basic timestamp `YYYYMMDDTHHMMSSZ`.
pub(crate) fn parse_amz_date(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' || !digits(0..8) || !digits(9..15) {
        return None;
    }
    // The same instant in RFC 3339 form, which `DateTime` parses (and range-checks).
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        &s[13..15]
    );
    let t = DateTime::from_str(&rfc3339, DateTimeFormat::DateTime).ok()?;
    u64::try_from(t.secs()).ok()
}

/// Formats seconds since the epoch as `YYYYMMDDTHHMMSSZ`.
pub(crate) fn format_amz_date(secs: u64) -> String {
    let t = DateTime::from_secs(i64::try_from(secs).unwrap_or(i64::MAX));
    // RFC 3339 without fractional seconds (`2015-08-30T12:36:00Z`) minus its separators.
    t.fmt(DateTimeFormat::DateTime)
        .unwrap_or_default()
        .replace(['-', ':'], "")
}
