//! The verifier against the AWS SigV4 test suite and independently computed signatures.

use super::canonical::*;
use super::*;
use hmac::{Hmac, Mac};
use hyper::header::{HeaderName, HeaderValue};
use sha2::{Digest, Sha256};

/// The SHA-256 of an empty payload.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

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
            // The server's default, so that the skew tests check what clients meet.
            max_clock_skew: crate::Config::default().max_clock_skew,
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
fn clock_skew_is_accepted_within_5_minutes_only() {
    let f = Fixture::new();
    let auth = signed();
    let h = bedrock_request(&auth, DATE);
    let t = at(DATE);
    let five = Duration::from_secs(5 * 60);
    let second = Duration::from_secs(1);
    assert!(check(&f, &h, BODY, t + five).is_ok());
    assert!(check(&f, &h, BODY, t - five).is_ok());
    let e = check(&f, &h, BODY, t + five + second).unwrap_err();
    assert_eq!(e.status, 403);
    assert_eq!(e.error_type, "InvalidSignatureException");
    assert_eq!(
        e.message.as_deref(),
        Some(
            "Signature expired: 20240615T101500Z is now earlier than 20240615T101501Z \
             (20240615T102001Z - 5 min.)"
        )
    );
    let e = check(&f, &h, BODY, t - five - second).unwrap_err();
    assert_eq!(e.error_type, "InvalidSignatureException");
    assert_eq!(
        e.message.as_deref(),
        Some(
            "Signature not yet current: 20240615T101500Z is still later than 20240615T101459Z \
             (20240615T100959Z + 5 min.)"
        )
    );
}

#[test]
fn a_huge_clock_skew_setting_does_not_overflow() {
    let f = Fixture::new();
    let mut policy = f.policy();
    policy.max_clock_skew = Duration::MAX;
    let h = bedrock_request(&signed(), DATE);
    let req = RequestToVerify {
        method: "POST",
        raw_path: PATH,
        raw_query: None,
        headers: &h,
        body: BODY,
    };
    assert!(authenticate(&req, &policy, UNIX_EPOCH).is_ok());
    assert!(authenticate(&req, &policy, at(DATE) + Duration::from_secs(1 << 40)).is_ok());
}

#[test]
fn non_ascii_authorization_headers_get_aws_errors_not_panics() {
    let f = Fixture::new();
    let with_auth = |auth: &[u8]| {
        let mut h = headers(&[("host", "x"), ("x-amz-date", DATE)]);
        h.insert("authorization", HeaderValue::from_bytes(auth).unwrap());
        check(&f, &h, BODY, at(DATE))
    };
    // Byte 7 falls inside the replacement character of 0xFF, or inside 'é'.
    for auth in [
        &b"Beare\xffxyz"[..],
        "Bearé€ token".as_bytes(),
        b"\xff\xfe\xfd",
    ] {
        let e = with_auth(auth).unwrap_err();
        assert_eq!(e.status, 403, "{auth:?}");
        assert_eq!(e.error_type, "IncompleteSignatureException", "{auth:?}");
    }
    let e = with_auth("Bearer tökén".as_bytes()).unwrap_err();
    assert_eq!(e.error_type, "AccessDeniedException");
    let e = with_auth(
        "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20240615/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=é"
            .as_bytes(),
    )
    .unwrap_err();
    assert_eq!(e.error_type, "InvalidSignatureException");
    let e = with_auth(
        "AWS4-HMAC-SHA256 Credential=AKIDé/20240615/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=00"
            .as_bytes(),
    )
    .unwrap_err();
    assert_eq!(e.error_type, "UnrecognizedClientException");
}

#[test]
fn the_echoed_canonical_request_redacts_the_session_token() {
    const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLEsessiontoken";
    let f = Fixture {
        creds: vec![Credentials::new("AKIDTOKEN", "token-secret").with_session_token(TOKEN)],
        tokens: Vec::new(),
    };
    let h = headers(&[
        ("host", "127.0.0.1:4000"),
        ("x-amz-date", DATE),
        ("x-amz-security-token", TOKEN),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDTOKEN/20240615/us-east-1/bedrock/aws4_request, \
             SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=0000",
        ),
    ]);
    let e = check(&f, &h, BODY, at(DATE)).unwrap_err();
    assert_eq!(e.error_type, "InvalidSignatureException");
    let msg = e.message.unwrap();
    assert!(!msg.contains(TOKEN), "{msg}");
    assert!(
        msg.contains("\nhost:127.0.0.1:4000\nx-amz-date:20240615T101500Z\nx-amz-security-token:** redacted **\n"),
        "{msg}"
    );
    // The parameters of a presigned request that carry credentials are redacted too.
    let creq = "GET\n/\nX-Amz-Credential=AKID%2F20240615&X-Amz-Security-Token=secret&X-Amz-Signature=abc\nhost:x\n\nhost\nUNSIGNED-PAYLOAD";
    assert_eq!(
        redact_canonical_request(creq),
        "GET\n/\nX-Amz-Credential=AKID%2F20240615&X-Amz-Security-Token=** redacted **&X-Amz-Signature=** redacted **\nhost:x\n\nhost\nUNSIGNED-PAYLOAD"
    );
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
