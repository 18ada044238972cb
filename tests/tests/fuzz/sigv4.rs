//! A minimal SigV4 signer for raw requests ("Create a signed AWS API request": canonical
//! request, string to sign, signing key), so that fuzzed requests can carry a valid signature
//! before one of its parts is mutated.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// UriEncode: everything but `A-Z a-z 0-9 - . _ ~` (and `/` when kept) as `%XX`.
fn uri_encode(input: &str, keep_slash: bool) -> String {
    let mut out = String::new();
    for &b in input.as_bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The path with `.`/`..` segments and repeated slashes removed, as non-S3 services sign it.
fn normalize_path(path: &str) -> String {
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
    let mut out = format!("/{}", segments.join("/"));
    if path.ends_with('/') && !segments.is_empty() {
        out.push('/');
    }
    out
}

fn canonical_query(query: Option<&str>) -> String {
    let Some(q) = query.filter(|q| !q.is_empty()) else {
        return String::new();
    };
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let mut pairs: Vec<(String, String)> = q
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (uri_encode(&decode(k), false), uri_encode(&decode(v), false))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// `YYYYMMDDTHHMMSSZ` for now.
pub(crate) fn amz_date_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let text = aws_smithy_types::DateTime::from_secs(secs as i64)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap();
    text.replace(['-', ':'], "")
}

/// The `Authorization` header of a request signed with the `host` and `x-amz-date` headers.
pub(crate) struct ToSign<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    pub(crate) host: &'a str,
    pub(crate) amz_date: &'a str,
    pub(crate) body: &'a [u8],
    pub(crate) region: &'a str,
    pub(crate) access_key_id: &'a str,
    pub(crate) secret_access_key: &'a str,
}

pub(crate) fn authorization(r: &ToSign<'_>) -> String {
    let date = r.amz_date.get(..8).unwrap_or(r.amz_date);
    let trim = |v: &str| v.split_whitespace().collect::<Vec<_>>().join(" ");
    let creq = format!(
        "{}\n{}\n{}\nhost:{}\nx-amz-date:{}\n\nhost;x-amz-date\n{}",
        r.method.to_ascii_uppercase(),
        uri_encode(
            &normalize_path(if r.path.is_empty() { "/" } else { r.path }),
            true
        ),
        canonical_query(r.query),
        trim(r.host),
        trim(r.amz_date),
        sha256_hex(r.body)
    );
    let scope = format!("{date}/{}/bedrock/aws4_request", r.region);
    let sts = format!(
        "AWS4-HMAC-SHA256\n{}\n{scope}\n{}",
        r.amz_date,
        sha256_hex(creq.as_bytes())
    );
    let k_date = hmac(
        format!("AWS4{}", r.secret_access_key).as_bytes(),
        date.as_bytes(),
    );
    let k_region = hmac(&k_date, r.region.as_bytes());
    let k_service = hmac(&k_region, b"bedrock");
    let key = hmac(&k_service, b"aws4_request");
    let signature = hex::encode(hmac(&key, sts.as_bytes()));
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders=host;x-amz-date, Signature={signature}",
        r.access_key_id
    )
}
