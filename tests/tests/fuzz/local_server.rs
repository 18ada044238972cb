//! Target (c): bedrock-fm-local's request parsing and SigV4 verification, over raw TCP.
//! Requests are built from parts — method, path (operation paths with valid, odd and
//! percent-mangled model IDs, control-plane paths, anything), query, `Authorization` (none,
//! bearer keys, valid SigV4 signatures with one part mutated, anything), `X-Amz-Date`, other
//! headers (visible ASCII and obs-text), the fault header (without long waits), bodies
//! (mutated documented bodies, random bytes) and `Content-Length` (exact, missing, short, long).
//! Six cases in ten are valid requests with up to three parts taken from an arbitrary one (so
//! that most reach the body's validation and the models), three are arbitrary from the start,
//! one is raw bytes.
//!
//! Properties: no panic on any server thread; an answer within the time bound; for a request
//! that is valid HTTP/1.1, every response carries `x-amzn-RequestId` and is either a 200 (JSON
//! that parses, or an event stream whose frames all decode with valid CRCs) or an AWS error
//! (status 4xx/5xx, `x-amzn-ErrorType: Name[:namespace]`, a JSON object with a `message` or
//! `Message` member); no answer only where asked for (the `drop` faults, a body shorter than
//! its `Content-Length`). A 500 `InternalServerException` without an injected fault is a
//! handler panic. After the run the server still answers a valid request.

use crate::loopback::{RawResponse, exchange};
use crate::mutate::mutate_body;
use crate::request_cases::*;
use crate::sigv4::{ToSign, amz_date_now, authorization};
use crate::{Tally, report, run, runtime};
use bedrock_fm_local::{TEST_ACCESS_KEY_ID, TEST_BEARER_TOKEN, TEST_SECRET_ACCESS_KEY};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::Value;
use std::cell::RefCell;
use std::time::Duration;

const CASE_TIMEOUT: Duration = Duration::from_secs(20);

fn edit_signature(auth: &str, edit: &SigEdit) -> String {
    let replace_part = |i: usize, with: &str| {
        let (head, rest) = auth.split_once("Credential=").unwrap();
        let (cred, tail) = rest.split_once(',').unwrap();
        let mut parts: Vec<String> = cred.split('/').map(str::to_owned).collect();
        parts[i] = with.to_owned();
        format!("{head}Credential={},{tail}", parts.join("/"))
    };
    let char_at = |per_mille: u16| {
        let chars: Vec<(usize, char)> = auth.char_indices().collect();
        let i = chars.len() * usize::from(per_mille % 1000) / 1000;
        chars.get(i).map_or(auth.len(), |(b, _)| *b)
    };
    match edit {
        SigEdit::None => auth.to_owned(),
        SigEdit::AccessKey(s) => replace_part(0, s),
        SigEdit::Date(s) => replace_part(1, s),
        SigEdit::Region(s) => replace_part(2, s),
        SigEdit::Service(s) => replace_part(3, s),
        SigEdit::Terminator(s) => replace_part(4, s),
        SigEdit::CredentialParts(n) => {
            let (head, rest) = auth.split_once("Credential=").unwrap();
            let (cred, tail) = rest.split_once(',').unwrap();
            let parts: Vec<&str> = cred.split('/').collect();
            let n = usize::from(*n);
            let cred = if n <= parts.len() {
                parts[..n].join("/")
            } else {
                format!("{cred}{}", "/x".repeat(n - parts.len()))
            };
            format!("{head}Credential={cred},{tail}")
        }
        SigEdit::SignedHeaders(s) => auth.replace("host;x-amz-date", s),
        SigEdit::Signature(s) => {
            let (head, _) = auth.split_once("Signature=").unwrap();
            format!("{head}Signature={s}")
        }
        SigEdit::Algorithm(s) => auth.replacen("AWS4-HMAC-SHA256", s, 1),
        SigEdit::Delete { at, len } => {
            let start = char_at(*at);
            let mut out = auth[..start].to_owned();
            out.extend(auth[start..].chars().skip(usize::from(*len)));
            out
        }
        SigEdit::Insert { at, text } => {
            let i = char_at(*at);
            format!("{}{text}{}", &auth[..i], &auth[i..])
        }
    }
}

/// The request's bytes, and whether it may go unanswered.
fn render(case: &RequestCase, port: u16, seeds: &[Value]) -> (Vec<u8>, bool) {
    let path = render_path(&case.path);
    let body = match &case.body {
        BodyCase::Matching(m) | BodyCase::Seed(_, m) => {
            let i = match &case.body {
                BodyCase::Seed(i, _) => i % seeds.len(),
                _ => matching_seed(&case.path),
            };
            match m {
                Some(m) => mutate_body(&seeds[i], m),
                None => serde_json::to_vec(&seeds[i]).unwrap(),
            }
        }
        BodyCase::Bytes(b) => b.clone(),
        BodyCase::Empty => Vec::new(),
    };
    let host = format!("127.0.0.1:{port}");
    let amz_date = match &case.date {
        DateCase::Now => Some(amz_date_now().into_bytes()),
        DateCase::Missing => None,
        DateCase::Offset(secs) => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs() as i64;
            let t = aws_smithy_types::DateTime::from_secs(now.saturating_add(*secs));
            Some(
                t.fmt(aws_smithy_types::date_time::Format::DateTime)
                    .map(|s| s.replace(['-', ':'], ""))
                    .unwrap_or_else(|_| "99991231T235959Z".to_owned())
                    .into_bytes(),
            )
        }
        DateCase::Any(b) => Some(b.clone()),
    };
    let date_text = amz_date
        .as_deref()
        .map(|d| String::from_utf8_lossy(d).into_owned())
        .unwrap_or_else(amz_date_now);
    let auth: Option<Vec<u8>> = match &case.auth {
        AuthCase::Missing => None,
        AuthCase::Bearer => Some(format!("Bearer {TEST_BEARER_TOKEN}").into_bytes()),
        AuthCase::BearerOther(t) => Some(format!("Bearer {t}").into_bytes()),
        AuthCase::SigV4(edit) => {
            let signed = authorization(&ToSign {
                method: &case.method,
                path: &path,
                query: case.query.as_deref(),
                host: &host,
                amz_date: &date_text,
                body: &body,
                region: "us-east-1",
                access_key_id: TEST_ACCESS_KEY_ID,
                secret_access_key: TEST_SECRET_ACCESS_KEY,
            });
            Some(edit_signature(&signed, edit).into_bytes())
        }
        AuthCase::Any(s) => Some(s.clone().into_bytes()),
    };
    let target = match &case.query {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };
    let mut out = format!("{} {target} HTTP/1.1\r\nHost: {host}\r\n", case.method).into_bytes();
    let mut header = |name: &str, value: &[u8]| {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    };
    if let Some(a) = &auth {
        header("Authorization", a);
    }
    if let Some(d) = &amz_date {
        header("X-Amz-Date", d);
    }
    if let Some(c) = &case.content_type {
        header("Content-Type", c);
    }
    for (k, v) in &case.headers {
        header(k, v);
    }
    if let Some(f) = &case.fault {
        header(bedrock_fm_local::FAULT_HEADER, f.join(",").as_bytes());
    }
    let sent_len = match case.length {
        Length::Exact => Some(body.len()),
        Length::Missing => None,
        Length::Long => Some(body.len() + 10),
        Length::Short => Some(body.len() / 2),
    };
    if let Some(n) = sent_len {
        header("Content-Length", n.to_string().as_bytes());
    }
    header("Connection", b"close");
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&body);
    let dropping = case.fault.as_ref().is_some_and(|f| {
        f.iter()
            .any(|i| i.trim() == "drop" || i.trim().starts_with("drop-after"))
    });
    (out, dropping || case.length == Length::Long)
}

fn is_json_object_with_message(body: &[u8]) -> bool {
    let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    ["message", "Message"]
        .iter()
        .any(|k| m.get(*k).is_some_and(|v| v.is_string() || v.is_null()))
}

/// Checks one response; its tally key.
fn check(r: &RawResponse, may_drop: bool, faulted: bool) -> Result<String, String> {
    if r.header("x-amzn-RequestId").is_none_or(str::is_empty) {
        return Err(format!("no x-amzn-RequestId on a {}", r.status));
    }
    if r.status == 200 {
        let content_type = r.header("content-type").unwrap_or("");
        if content_type == "application/vnd.amazon.eventstream" {
            if !r.complete && !may_drop {
                return Err("an event stream cut short without a drop fault".into());
            }
            let frames = crate::frames::split_frames(&r.body);
            let framed: usize = frames.iter().map(Vec::len).sum();
            if r.complete && framed != r.body.len() {
                return Err(format!(
                    "{} stray bytes after the frames",
                    r.body.len() - framed
                ));
            }
            for f in &frames {
                aws_smithy_eventstream::frame::read_message_from(&f[..])
                    .map_err(|e| format!("a frame that does not decode: {e}"))?;
            }
            return Ok("200 event stream".into());
        }
        serde_json::from_slice::<Value>(&r.body)
            .map_err(|e| format!("a 200 whose body is not JSON ({e}): {content_type}"))?;
        return Ok("200".into());
    }
    if !(400..600).contains(&r.status) {
        return Err(format!("status {}", r.status));
    }
    let error_type = r
        .header("x-amzn-ErrorType")
        .ok_or_else(|| format!("a {} without x-amzn-ErrorType", r.status))?;
    let name = error_type.split(':').next().unwrap_or("");
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!("x-amzn-ErrorType {error_type:?}"));
    }
    if r.header("content-type") != Some("application/json") {
        return Err(format!(
            "{name} with content-type {:?}",
            r.header("content-type")
        ));
    }
    if !is_json_object_with_message(&r.body) {
        return Err(format!(
            "{name} body without a message: {}",
            String::from_utf8_lossy(&r.body)
        ));
    }
    if r.status == 500 && name == "InternalServerException" && !faulted {
        return Err("InternalServerException without an injected fault (a handler panic?)".into());
    }
    Ok(format!("{} {name}", r.status))
}

#[test]
fn requests_to_the_local_server() {
    crate::on_big_stack(requests_to_the_local_server_body);
}

fn requests_to_the_local_server_body() {
    let rt = runtime();
    let server = bedrock_fm_local::start();
    let addr = server.addr();
    let seeds = seed_bodies();
    // The signer must produce signatures the server accepts, or the SigV4 cases are shallow.
    let valid = RequestCase {
        method: "POST".into(),
        path: PathCase::Model {
            model: 0,
            encode: true,
            op: "invoke".into(),
        },
        query: None,
        auth: AuthCase::SigV4(SigEdit::None),
        date: DateCase::Now,
        content_type: Some(b"application/json".to_vec()),
        headers: Vec::new(),
        fault: None,
        body: BodyCase::Matching(None),
        length: Length::Exact,
    };
    let (bytes, _) = render(&valid, addr.port(), &seeds);
    let r = rt
        .block_on(exchange(addr, &bytes, false, CASE_TIMEOUT))
        .unwrap()
        .unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));

    let tally = RefCell::new(Tally::default());
    let strategy = prop_oneof![
        6 => near_valid_case().prop_map(Ok),
        3 => request_case().prop_map(Ok),
        1 => vec(any::<u8>(), 0..300).prop_map(Err),
    ];
    run(
        "local-server/requests",
        strategy,
        |case: Result<RequestCase, Vec<u8>>| {
            rt.block_on(async {
                match case {
                    Ok(case) => {
                        let (bytes, may_drop) = render(&case, addr.port(), &seeds);
                        let half_close = case.length == Length::Long;
                        let answer = exchange(addr, &bytes, half_close, CASE_TIMEOUT)
                            .await
                            .map_err(TestCaseError::fail)?;
                        let mut t = tally.borrow_mut();
                        match answer {
                            None if may_drop => {
                                t.err("no answer (drop fault or long Content-Length)")
                            }
                            None => return Err(TestCaseError::fail("closed without an answer")),
                            Some(r) => {
                                let key =
                                    check(&r, may_drop, case.fault.is_some()).map_err(|e| {
                                        TestCaseError::fail(format!(
                                            "{e}\nrequest: {}",
                                            String::from_utf8_lossy(&bytes)
                                        ))
                                    })?;
                                if r.status == 200 {
                                    t.executions += 1;
                                    t.ok += 1;
                                    t.note(key);
                                } else {
                                    t.err(key);
                                }
                            }
                        }
                    }
                    Err(raw) => {
                        let answer = exchange(addr, &raw, true, CASE_TIMEOUT)
                            .await
                            .map_err(TestCaseError::fail)?;
                        let mut t = tally.borrow_mut();
                        match answer {
                            None => t.err("raw bytes: no answer"),
                            Some(r) => t.err(format!("raw bytes: {}", r.status)),
                        }
                    }
                }
                Ok(())
            })
        },
    );
    // Still serving.
    let r = rt
        .block_on(exchange(addr, &bytes, false, CASE_TIMEOUT))
        .unwrap()
        .unwrap();
    assert_eq!(r.status, 200);
    report("local-server/requests", &tally.borrow());
}
