//! The oracle the catalog cannot bend: requests and responses copied from the AWS pages (with
//! their URLs) in `tests/fixtures/aws/*.json`, checked against the SDK's typed bodies and the
//! local server.
//!
//! The fixture files are read at run time, so an example added to a JSON file is tested with
//! no code change. For every example:
//!
//! - `request`: it deserializes into its family's typed request and re-serializes to the same
//!   JSON (numbers compare by value: JSON does not tell `1` from `1.0`); sent as the
//!   InvokeModel body with the raw `aws-sdk-bedrockruntime` client to bedrock-fm-local (as
//!   InvokeModelWithResponseStream when the example says `"stream": true`), it is answered 200
//!   and the answer decodes into the family's typed response (or stream chunks);
//! - `response` / `stream_chunk`: it decodes into the family's typed response or chunk and
//!   re-serializes to the same JSON;
//! - `invalid_request`: the server refuses it with a 400 `ValidationException` whose message
//!   contains the documented wording (the example's `error`);
//! - Converse (`converse.json`): a documented request is sent to the server's Converse route
//!   and its answer checked against the `ConverseResponse` shape of the bedrock-runtime service
//!   model; a documented response is checked against the same shape by hand and decoded by
//!   bedrock-fm's chat API (served by a one-shot HTTP endpoint that answers with it).
//!
//! Nothing here judges the server by the SDK's spec tables or the SDK by the server: the
//! documented JSON is the reference for both. Where AWS's own example does not pass, the
//! example is not changed; it is listed in [`KNOWN_DIVERGENCES`] with the reason, and the
//! tests assert that exactly those examples diverge, so a fix makes them ask for the entry to
//! be removed.
//!
//! The last tests rebuild one literal documented request per family with the SDK's typed
//! builders and compare it with the fixture.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;

use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::invoke_model::InvokeModelError;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::ResponseStream;
use bedrock_fm::catalog::{ALL_MODELS, Family, InferenceType, Model};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

// ------------------------------------------------------------------------------------------
// Known divergences
// ------------------------------------------------------------------------------------------

/// Documented examples that the SDK or the local server does not handle as AWS documents
/// them: (`family/example`, check, why). The checks are `round_trip` (typed decode and
/// re-encode), `served` (the local server's answer to the documented request), `decoded`
/// (the answer decoded into the family's typed response or chunks), `refused` (a documented
/// invalid request), `shape` (a Converse body against the service model), `chat` (a
/// documented Converse response through bedrock-fm's chat API) and `builder` (the request
/// rebuilt with the SDK's builders).
const KNOWN_DIVERGENCES: &[(&str, &str, &str)] = &[
    (
        "claude_messages/multimodal_prompt",
        "served",
        "the page's image data is the literal placeholder \"iVBORw...\", not base64; the local \
         server answers 400 ValidationException \"messages.0.content.0.image.source.base64.data: \
         The image data is not valid base64.\"",
    ),
    (
        "claude_messages/refusal_response_fragment",
        "round_trip",
        "the page prints a fragment without `type` (nor id, model, role); \
         ClaudeMessagesResponse requires `type`: \"missing field `type`\"",
    ),
    (
        "claude_messages/tool_use_response_fragment",
        "round_trip",
        "fragment without `type`; ClaudeMessagesResponse requires it: \"missing field `type`\"",
    ),
    (
        "claude_messages/model_context_window_exceeded_fragment",
        "round_trip",
        "fragment without `type`; ClaudeMessagesResponse requires it: \"missing field `type`\"",
    ),
    (
        "claude_messages/tool_search_tool_response_fragment",
        "round_trip",
        "fragment without `type`; ClaudeMessagesResponse requires it: \"missing field `type`\"",
    ),
    (
        "claude_messages/context_management_stream_message_start",
        "round_trip",
        "the page abbreviates the message_start `message` to id, type and role; the chunk's \
         message decodes as ClaudeMessagesResponse, which requires `content`: \
         \"missing field `content`\"",
    ),
    (
        "claude_messages/top_song_tool_use_response",
        "round_trip",
        "ClaudeMessagesResponse drops the documented `\"stop_sequence\": null` when \
         re-serialized (None is skipped), so the JSON is not the documented one",
    ),
    (
        "claude_messages/memory_tool_response",
        "round_trip",
        "ClaudeMessagesResponse drops the documented `\"stop_sequence\": null` when \
         re-serialized (None is skipped)",
    ),
    (
        "converse/nova_text_hello_world_request",
        "builder",
        "bedrock-fm's chat API sends `\"topP\": 0.8999999761581421` for the documented 0.9: \
         aws-sdk-bedrockruntime's InferenceConfiguration holds topP and temperature as f32 \
         (the service model's `float`) and writes the f32 widened to f64 (0.5 is exact)",
    ),
];

// ------------------------------------------------------------------------------------------
// Fixtures
// ------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Example {
    family: String,
    name: String,
    url: String,
    model_id: Option<String>,
    kind: String,
    stream: bool,
    body: Value,
    error: Option<String>,
    omitted_by_page: Vec<String>,
}

impl Example {
    fn key(&self) -> String {
        format!("{}/{}", self.family, self.name)
    }
}

const KINDS: &[&str] = &["request", "response", "stream_chunk", "invalid_request"];

/// Fixture files that are not an InvokeModel family of the SDK.
const NON_FAMILY_FILES: &[&str] = &["converse", "control_plane", "deepseek", "openai"];

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/aws")
}

/// Every fixture file, as (file stem, parsed JSON), sorted by name.
fn fixture_files() -> Vec<(String, Value)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
        .expect("tests/fixtures/aws")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).unwrap();
            let json: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (stem, json)
        })
        .collect()
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Every example of every fixture file.
fn examples() -> Vec<Example> {
    let mut out = Vec::new();
    for (stem, file) in fixture_files() {
        let family = str_field(&file, "family").unwrap_or_else(|| panic!("{stem}: no family"));
        let default_model = str_field(&file, "model_id");
        for e in file["examples"].as_array().unwrap_or(&Vec::new()) {
            out.push(Example {
                family: family.clone(),
                name: str_field(e, "name").unwrap_or_default(),
                url: str_field(e, "url").unwrap_or_default(),
                model_id: str_field(e, "model_id").or_else(|| default_model.clone()),
                kind: str_field(e, "kind").unwrap_or_default(),
                stream: e.get("stream").and_then(Value::as_bool).unwrap_or(false),
                body: e.get("body").cloned().unwrap_or(Value::Null),
                error: str_field(e, "error"),
                omitted_by_page: e
                    .get("omitted_by_page")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
    }
    out
}

fn examples_of(kinds: &[&str]) -> Vec<Example> {
    examples()
        .into_iter()
        .filter(|e| kinds.contains(&e.kind.as_str()))
        .collect()
}

/// One example of a family, by name (for the builder tests).
fn fixture(family: &str, name: &str) -> Example {
    examples()
        .into_iter()
        .find(|e| e.family == family && e.name == name)
        .unwrap_or_else(|| panic!("no fixture {family}/{name}"))
}

// ------------------------------------------------------------------------------------------
// JSON comparison
// ------------------------------------------------------------------------------------------

/// The first place where `got` differs from `want`, or `None` if they are the same JSON
/// (numbers by value).
fn json_diff(want: &Value, got: &Value, path: &str) -> Option<String> {
    match (want, got) {
        (Value::Number(a), Value::Number(b)) => {
            (a.as_f64() != b.as_f64()).then(|| format!("{path}: documented {a}, got {b}"))
        }
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                let p = format!("{path}/{k}");
                match b.get(k) {
                    None => return Some(format!("{p}: documented {va}, dropped")),
                    Some(vb) => {
                        if let Some(d) = json_diff(va, vb, &p) {
                            return Some(d);
                        }
                    }
                }
            }
            b.keys()
                .find(|k| !a.contains_key(*k))
                .map(|k| format!("{path}/{k}: not documented, added as {}", b[k]))
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Some(format!(
                    "{path}: documented {} items, got {}",
                    a.len(),
                    b.len()
                ));
            }
            a.iter()
                .zip(b)
                .enumerate()
                .find_map(|(i, (x, y))| json_diff(x, y, &format!("{path}/{i}")))
        }
        _ => (want != got).then(|| format!("{path}: documented {want}, got {got}")),
    }
}

// ------------------------------------------------------------------------------------------
// The family's typed bodies
// ------------------------------------------------------------------------------------------

/// Decodes `v` as a `T` and encodes it back.
fn round_trip<T: DeserializeOwned + Serialize>(v: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(v.clone()).map_err(|e| format!("decode: {e}"))?;
    serde_json::to_value(&typed).map_err(|e| format!("encode: {e}"))
}

type RoundTrip = fn(&Value) -> Result<Value, String>;

/// A family's root types (models.toml `[family.X]` request, response, stream_chunk).
struct Types {
    request: RoundTrip,
    response: RoundTrip,
    chunk: Option<RoundTrip>,
}

fn types(family: &str) -> Option<Types> {
    use bedrock_fm::bodies::*;
    macro_rules! t {
        ($m:ident, $req:ident, $resp:ident, $chunk:ident) => {
            Types {
                request: round_trip::<$m::$req>,
                response: round_trip::<$m::$resp>,
                chunk: Some(round_trip::<$m::$chunk>),
            }
        };
        ($m:ident, $req:ident, $resp:ident) => {
            Types {
                request: round_trip::<$m::$req>,
                response: round_trip::<$m::$resp>,
                chunk: None,
            }
        };
    }
    Some(match family {
        "titan_text" => t!(
            titan_text,
            TitanTextRequest,
            TitanTextResponse,
            TitanTextStreamChunk
        ),
        "claude_text" => t!(
            claude_text,
            ClaudeTextRequest,
            ClaudeTextResponse,
            ClaudeTextStreamChunk
        ),
        "claude_messages" => t!(
            claude_messages,
            ClaudeMessagesRequest,
            ClaudeMessagesResponse,
            ClaudeMessagesStreamChunk
        ),
        "llama2_chat" => t!(
            llama2_chat,
            Llama2ChatRequest,
            Llama2ChatResponse,
            Llama2ChatStreamChunk
        ),
        "llama3" => t!(llama3, Llama3Request, Llama3Response, Llama3StreamChunk),
        "mistral" => t!(mistral, MistralRequest, MistralResponse, MistralStreamChunk),
        "mistral_chat" => t!(
            mistral_chat,
            MistralChatRequest,
            MistralChatResponse,
            MistralChatStreamChunk
        ),
        "command" => t!(command, CommandRequest, CommandResponse, CommandStreamChunk),
        "command_r" => t!(
            command_r,
            CommandRRequest,
            CommandRResponse,
            CommandRStreamChunk
        ),
        "jurassic" => t!(jurassic, JurassicRequest, JurassicResponse),
        "jamba" => t!(jamba, JambaRequest, JambaResponse, JambaStreamChunk),
        "nova" => t!(nova, NovaRequest, NovaResponse, NovaStreamChunk),
        "titan_embed_text" => t!(titan_embed_text, TitanEmbedRequest, TitanEmbedResponse),
        "titan_embed_image" => t!(
            titan_embed_image,
            TitanMultimodalEmbedRequest,
            TitanMultimodalEmbedResponse
        ),
        "cohere_embed" => t!(cohere_embed, CohereEmbedRequest, CohereEmbedResponse),
        "titan_image" => t!(titan_image, TitanImageRequest, TitanImageResponse),
        "nova_canvas" => t!(nova_canvas, NovaCanvasRequest, NovaCanvasResponse),
        "stable_diffusion" => t!(
            stable_diffusion,
            StableDiffusionRequest,
            StableDiffusionResponse
        ),
        "stable_image" => t!(stable_image, StableImageRequest, StableImageResponse),
        _ => return None,
    })
}

fn family(id: &str) -> Option<Family> {
    Family::ALL.iter().copied().find(|f| f.id() == id)
}

/// The model ID to invoke for an example: its own, or the first catalog model of its family;
/// an inference-profile ID (`us.`) when the catalog says the model is not offered on demand.
fn invocation_id(ex: &Example) -> Result<String, String> {
    let (id, model) = match &ex.model_id {
        Some(id) => {
            let resolved = Model::resolve(id).map_err(|e| e.to_string())?;
            if resolved.profile.is_some() {
                return Ok(id.clone());
            }
            (id.clone(), resolved.model)
        }
        None => {
            let fam = family(&ex.family).ok_or("no SDK family and no model_id")?;
            let info = ALL_MODELS
                .iter()
                .find(|m| m.family == fam)
                .ok_or("no catalog model of the family")?;
            (info.id.to_owned(), info.model)
        }
    };
    if model
        .info()
        .inference_types
        .contains(&InferenceType::OnDemand)
    {
        Ok(id)
    } else {
        Ok(format!("us.{id}"))
    }
}

// ------------------------------------------------------------------------------------------
// Divergence bookkeeping
// ------------------------------------------------------------------------------------------

/// Failures of one test: (`family/example`, check) -> error.
#[derive(Default)]
struct Outcomes {
    checked: BTreeMap<String, usize>,
    failures: BTreeMap<(String, String), String>,
}

impl Outcomes {
    fn count(&mut self, what: &str) {
        *self.checked.entry(what.to_owned()).or_default() += 1;
    }

    fn fail(&mut self, ex: &Example, check: &str, error: impl Into<String>) {
        self.failures
            .insert((ex.key(), check.to_owned()), error.into());
    }

    /// Asserts that exactly the [`KNOWN_DIVERGENCES`] of `checks` failed.
    fn assert_only_known(self, checks: &[&str]) {
        eprintln!("examples checked: {:?}", self.checked);
        assert!(
            !self.checked.is_empty(),
            "no documented example was checked"
        );
        let known: BTreeSet<(String, String)> = KNOWN_DIVERGENCES
            .iter()
            .filter(|(_, check, _)| checks.contains(check))
            .map(|(key, check, _)| ((*key).to_owned(), (*check).to_owned()))
            .collect();
        let mut report = Vec::new();
        for ((key, check), error) in &self.failures {
            eprintln!("divergence {key} [{check}]: {error}");
            if !known.contains(&(key.clone(), check.clone())) {
                report.push(format!("NEW divergence {key} [{check}]: {error}"));
            }
        }
        for (key, check) in &known {
            if !self.failures.contains_key(&(key.clone(), check.clone())) {
                report.push(format!(
                    "{key} [{check}] now passes: remove it from KNOWN_DIVERGENCES"
                ));
            }
        }
        assert!(report.is_empty(), "\n{}", report.join("\n"));
    }
}

// ------------------------------------------------------------------------------------------
// Fixture files
// ------------------------------------------------------------------------------------------

#[test]
fn every_family_has_a_fixture_file_and_every_example_names_its_aws_page() {
    let files = fixture_files();
    let stems: BTreeSet<&str> = files.iter().map(|(s, _)| s.as_str()).collect();
    for f in Family::ALL {
        assert!(
            stems.contains(f.id()),
            "no tests/fixtures/aws/{}.json",
            f.id()
        );
    }
    for (stem, file) in &files {
        assert_eq!(file["family"], *stem.as_str(), "{stem}.json: family");
        assert!(
            family(stem).is_some() || NON_FAMILY_FILES.contains(&stem.as_str()),
            "{stem}.json names no SDK family"
        );
    }
    let all = examples();
    assert!(all.len() > 40, "{} examples", all.len());
    let mut names = BTreeSet::new();
    for ex in &all {
        let key = ex.key();
        assert!(
            !ex.name.is_empty(),
            "an example of {} has no name",
            ex.family
        );
        assert!(names.insert(key.clone()), "{key}: duplicate name");
        assert!(ex.url.starts_with("https://"), "{key}: url {:?}", ex.url);
        assert!(
            KINDS.contains(&ex.kind.as_str()),
            "{key}: kind {:?}",
            ex.kind
        );
        assert!(ex.body.is_object(), "{key}: body is not a JSON object");
        if ex.kind == "invalid_request" {
            assert!(
                ex.error.as_deref().is_some_and(|e| !e.is_empty()),
                "{key}: an invalid_request needs the documented \"error\" wording"
            );
        }
        if ex.stream {
            assert_eq!(ex.kind, "request", "{key}: only a request streams");
        }
    }
    for (key, check, why) in KNOWN_DIVERGENCES {
        assert!(names.contains(*key), "KNOWN_DIVERGENCES names {key}");
        assert!(!check.is_empty() && !why.is_empty(), "{key}");
    }
}

// ------------------------------------------------------------------------------------------
// Typed decode and re-encode
// ------------------------------------------------------------------------------------------

#[test]
fn every_documented_body_decodes_into_its_family_type_and_re_serializes_unchanged() {
    let mut outcomes = Outcomes::default();
    for ex in examples() {
        if ex.family == "converse" {
            // No bedrock-fm type takes raw Converse JSON; see the Converse tests below.
            continue;
        }
        let Some(types) = types(&ex.family) else {
            outcomes.fail(&ex, "round_trip", "no typed bodies for this family");
            continue;
        };
        let rt = match ex.kind.as_str() {
            "request" => types.request,
            "response" => types.response,
            "stream_chunk" => match types.chunk {
                Some(c) => c,
                None => {
                    outcomes.fail(&ex, "round_trip", "the family has no stream-chunk type");
                    continue;
                }
            },
            _ => continue,
        };
        outcomes.count(&ex.kind);
        match rt(&ex.body) {
            Err(e) => outcomes.fail(&ex, "round_trip", e),
            Ok(back) => {
                if let Some(d) = json_diff(&ex.body, &back, "") {
                    outcomes.fail(&ex, "round_trip", d);
                }
            }
        }
    }
    outcomes.assert_only_known(&["round_trip"]);
}

// ------------------------------------------------------------------------------------------
// The local server
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn every_documented_request_is_served_and_every_invalid_one_refused_with_bedrocks_wording() {
    let server = bedrock_fm_local::start();
    let sdk = server.client();
    let mut outcomes = Outcomes::default();
    for ex in examples_of(&["request", "invalid_request"]) {
        let id = match invocation_id(&ex) {
            Ok(id) => id,
            Err(e) => {
                outcomes.fail(&ex, "served", format!("model ID: {e}"));
                continue;
            }
        };
        outcomes.count(if ex.stream {
            "request (stream)"
        } else {
            ex.kind.as_str()
        });
        if ex.family == "converse" {
            serve_converse(&server, &ex, &id, &mut outcomes);
            continue;
        }
        let body = Blob::new(serde_json::to_vec(&ex.body).unwrap());
        if ex.kind == "invalid_request" {
            let want = ex.error.clone().unwrap_or_default();
            match sdk.invoke_model().model_id(&id).body(body).send().await {
                Ok(_) => outcomes.fail(&ex, "refused", "answered 200"),
                Err(e) => {
                    let status = e.raw_response().map(|r| r.status().as_u16());
                    match e.into_service_error() {
                        InvokeModelError::ValidationException(v)
                            if status == Some(400)
                                && v.message().is_some_and(|m| m.contains(&want)) => {}
                        other => outcomes.fail(
                            &ex,
                            "refused",
                            format!("{status:?} {other:?}, documented {want:?}"),
                        ),
                    }
                }
            }
            continue;
        }
        let Some(types) = types(&ex.family) else {
            outcomes.fail(&ex, "decoded", "no typed bodies for this family");
            continue;
        };
        if ex.stream {
            let out = match sdk
                .invoke_model_with_response_stream()
                .model_id(&id)
                .body(body)
                .send()
                .await
            {
                Ok(out) => out,
                Err(e) => {
                    outcomes.fail(&ex, "served", format!("{id}: {}", sdk_error(&e)));
                    continue;
                }
            };
            let Some(chunk_type) = types.chunk else {
                outcomes.fail(&ex, "decoded", "the family has no stream-chunk type");
                continue;
            };
            let mut rx = out.body;
            let mut chunks = 0;
            loop {
                match rx.recv().await {
                    Ok(Some(ResponseStream::Chunk(part))) => {
                        let bytes = part.bytes.map(|b| b.into_inner()).unwrap_or_default();
                        let decoded = serde_json::from_slice::<Value>(&bytes)
                            .map_err(|e| e.to_string())
                            .and_then(|v| chunk_type(&v));
                        if let Err(e) = decoded {
                            outcomes.fail(&ex, "decoded", format!("chunk {chunks}: {e}"));
                            break;
                        }
                        chunks += 1;
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(e) => {
                        outcomes.fail(&ex, "served", format!("stream: {}", sdk_error(&e)));
                        break;
                    }
                }
            }
            if chunks == 0 {
                outcomes.fail(&ex, "decoded", "no chunk");
            }
            continue;
        }
        match sdk.invoke_model().model_id(&id).body(body).send().await {
            Err(e) => outcomes.fail(&ex, "served", format!("{id}: {}", sdk_error(&e))),
            Ok(out) => {
                let decoded = serde_json::from_slice::<Value>(out.body.as_ref())
                    .map_err(|e| e.to_string())
                    .and_then(|v| (types.response)(&v));
                if let Err(e) = decoded {
                    outcomes.fail(&ex, "decoded", e);
                }
            }
        }
    }
    outcomes.assert_only_known(&["served", "decoded", "refused", "shape"]);
}

/// An SDK error as the service said it: error code and message.
fn sdk_error<E, R>(e: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e {
        SdkError::ServiceError(_) => {
            format!("{}: {}", e.code().unwrap_or("?"), e.message().unwrap_or(""))
        }
        other => format!(
            "{}",
            aws_sdk_bedrockruntime::error::DisplayErrorContext(other)
        ),
    }
}

/// Posts a documented Converse request body to the server's Converse route (the raw SDK has
/// no way to send raw Converse JSON) and checks the answer against the service model.
fn serve_converse(
    server: &bedrock_fm_local::LocalServer,
    ex: &Example,
    id: &str,
    outcomes: &mut Outcomes,
) {
    let token = server.bearer_token().expect("a bearer token");
    let path = format!("/model/{}/converse", id.replace(':', "%3A"));
    let (status, body) = http_post(server.addr(), &path, token, &ex.body);
    if ex.kind == "invalid_request" {
        let want = ex.error.clone().unwrap_or_default();
        let message = body["message"].as_str().or(body["Message"].as_str());
        if status != 400 || !message.is_some_and(|m| m.contains(&want)) {
            outcomes.fail(
                ex,
                "refused",
                format!("{status} {body}, documented {want:?}"),
            );
        }
        return;
    }
    if status != 200 {
        outcomes.fail(ex, "served", format!("{status} {body}"));
        return;
    }
    if let Err(e) = converse_response_shape(&body, &[]) {
        outcomes.fail(ex, "shape", format!("the server's answer: {e}"));
    }
}

/// A minimal HTTP/1.1 POST with a bearer token (Bedrock API key); returns status and JSON.
fn http_post(addr: SocketAddr, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let body = serde_json::to_vec(body).unwrap();
    let mut stream = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nAccept: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response");
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let mut payload = raw[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        payload = dechunk(&payload);
    }
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (
        status,
        serde_json::from_slice(&payload).unwrap_or(Value::Null),
    )
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[eol + 4 + size..];
    }
    out
}

// ------------------------------------------------------------------------------------------
// Converse: the service model's shapes
// ------------------------------------------------------------------------------------------

/// `ConverseResponse` members and required members, `StopReason` and `ConversationRole`
/// values and `ContentBlock` members, from the bedrock-runtime service model
/// (`bedrock-runtime-2023-09-30.service-2.json`, shapes of the same names).
const CONVERSE_RESPONSE_MEMBERS: &[&str] = &[
    "output",
    "stopReason",
    "usage",
    "metrics",
    "additionalModelResponseFields",
    "trace",
    "performanceConfig",
    "serviceTier",
];
const CONVERSE_RESPONSE_REQUIRED: &[&str] = &["output", "stopReason", "usage", "metrics"];
const STOP_REASONS: &[&str] = &[
    "end_turn",
    "tool_use",
    "max_tokens",
    "stop_sequence",
    "guardrail_intervened",
    "content_filtered",
    "malformed_model_output",
    "malformed_tool_use",
    "model_context_window_exceeded",
];
const CONVERSATION_ROLES: &[&str] = &["user", "assistant", "system"];
const CONTENT_BLOCK_MEMBERS: &[&str] = &[
    "text",
    "image",
    "document",
    "video",
    "audio",
    "toolUse",
    "toolResult",
    "guardContent",
    "cachePoint",
    "reasoningContent",
    "citationsContent",
    "searchResult",
    "toolAddition",
    "toolRemoval",
];

/// Checks a Converse response body against the service model's shapes; `omitted` names
/// required members the AWS page leaves out of its example.
fn converse_response_shape(body: &Value, omitted: &[String]) -> Result<(), String> {
    let obj = body.as_object().ok_or("not an object")?;
    for k in obj.keys() {
        if !CONVERSE_RESPONSE_MEMBERS.contains(&k.as_str()) {
            return Err(format!("{k} is not a ConverseResponse member"));
        }
    }
    for k in CONVERSE_RESPONSE_REQUIRED {
        if !obj.contains_key(*k) && !omitted.iter().any(|o| o == k) {
            return Err(format!("required {k} missing"));
        }
    }
    let stop = body["stopReason"].as_str().ok_or("stopReason")?;
    if !STOP_REASONS.contains(&stop) {
        return Err(format!("stopReason {stop:?} is not a StopReason value"));
    }
    // ConverseOutput is a union: exactly `message`.
    let output = body["output"].as_object().ok_or("output")?;
    if output.len() != 1 || !output.contains_key("message") {
        return Err(format!("output {:?}", output.keys().collect::<Vec<_>>()));
    }
    let message = &body["output"]["message"];
    let role = message["role"].as_str().ok_or("message.role")?;
    if !CONVERSATION_ROLES.contains(&role) {
        return Err(format!("role {role:?}"));
    }
    for block in message["content"].as_array().ok_or("message.content")? {
        let b = block.as_object().ok_or("a content block")?;
        // ContentBlock is a union: one member set.
        if b.len() != 1 || !CONTENT_BLOCK_MEMBERS.contains(&b.keys().next().unwrap().as_str()) {
            return Err(format!("content block {block}"));
        }
        if let Some(t) = b.get("text") {
            t.as_str().ok_or("text is not a string")?;
        }
        if let Some(u) = b.get("toolUse") {
            // ToolUseBlock: toolUseId, name and input are required.
            for k in ["toolUseId", "name", "input"] {
                u.get(k).ok_or(format!("toolUse.{k} missing"))?;
            }
        }
    }
    if let Some(usage) = body.get("usage") {
        for k in ["inputTokens", "outputTokens", "totalTokens"] {
            usage[k].as_u64().ok_or(format!("usage.{k}"))?;
        }
    }
    if let Some(metrics) = body.get("metrics") {
        metrics["latencyMs"].as_u64().ok_or("metrics.latencyMs")?;
    }
    Ok(())
}

#[test]
fn every_documented_converse_response_has_the_service_models_shape() {
    let mut outcomes = Outcomes::default();
    for ex in examples_of(&["response"]) {
        if ex.family != "converse" {
            continue;
        }
        outcomes.count("converse response");
        if let Err(e) = converse_response_shape(&ex.body, &ex.omitted_by_page) {
            outcomes.fail(&ex, "shape", e);
        }
    }
    outcomes.assert_only_known(&["shape"]);
}

/// Serves `body` as the answer to every request on a loopback port (a stand-in endpoint
/// for one documented response).
fn answer_with(body: Value) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let payload = serde_json::to_vec(&body).unwrap();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut raw = Vec::new();
            let mut buf = [0u8; 8192];
            // Read the head, then the declared body.
            loop {
                let n = stream.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break;
                }
                raw.extend_from_slice(&buf[..n]);
                if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if raw.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                 x-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                payload.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&payload);
        }
    });
    addr
}

#[tokio::test]
async fn every_documented_converse_response_decodes_through_bedrock_fm_chat() {
    use bedrock_fm::chat::ChatOptions;
    use bedrock_fm::chat::content::Content;
    use bedrock_fm::{Api, Claude3, Client, Conversation, StopReason};

    let server = bedrock_fm_local::start();
    let mut outcomes = Outcomes::default();
    for ex in examples_of(&["response"]) {
        if ex.family != "converse" {
            continue;
        }
        outcomes.count("converse response");
        let addr = answer_with(ex.body.clone());
        let config = server
            .sdk_config()
            .to_builder()
            .endpoint_url(format!("http://{addr}"))
            .build();
        let client = Client::from_sdk_config(&config);
        let model = Claude3::builder(&client, "anthropic.claude-3-haiku-20240307-v1:0")
            .api(Api::Converse)
            .build()
            .unwrap();
        let conversation = Conversation::new().human("What is the most popular song on WZPZ?");
        let reply = match model.chat_with(&conversation, &ChatOptions::new()).await {
            Ok(reply) => reply,
            Err(e) => {
                outcomes.fail(&ex, "chat", e.to_string());
                continue;
            }
        };
        // The reply holds the documented content, block for block.
        let blocks = ex.body["output"]["message"]["content"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut problems = Vec::new();
        if blocks.len() != reply.content.len() {
            problems.push(format!(
                "{} blocks, documented {}",
                reply.content.len(),
                blocks.len()
            ));
        }
        for (block, content) in blocks.iter().zip(&reply.content) {
            match content {
                Content::Text(t) if block["text"] == *t.as_str() => {}
                Content::ToolUse(u)
                    if block["toolUse"]["toolUseId"] == *u.id.as_str()
                        && block["toolUse"]["name"] == *u.name.as_str()
                        && block["toolUse"]["input"] == u.input => {}
                other => problems.push(format!("{other:?} for documented {block}")),
            }
        }
        let stop = ex.body["stopReason"].as_str().unwrap_or_default();
        if reply.stop_reason != Some(StopReason::from_wire(stop))
            || matches!(reply.stop_reason, Some(StopReason::Unknown(_)) | None)
        {
            problems.push(format!(
                "stop reason {:?}, documented {stop}",
                reply.stop_reason
            ));
        }
        if !problems.is_empty() {
            outcomes.fail(&ex, "chat", problems.join("; "));
        }
    }
    outcomes.assert_only_known(&["chat"]);
}

// ------------------------------------------------------------------------------------------
// Reproducible with the SDK's builders: one literal documented request per family
// ------------------------------------------------------------------------------------------

/// Asserts that `built` serializes to the fixture's documented body (or, for a known
/// `builder` divergence, that it still differs).
fn assert_builds(family: &str, name: &str, built: impl Serialize) {
    let ex = fixture(family, name);
    assert_eq!(ex.kind, "request", "{family}/{name}");
    let built = serde_json::to_value(built).unwrap();
    let key = ex.key();
    let known = KNOWN_DIVERGENCES
        .iter()
        .any(|(k, check, _)| *k == key && *check == "builder");
    match json_diff(&ex.body, &built, "") {
        None => assert!(
            !known,
            "{key} [builder] now passes: remove it from KNOWN_DIVERGENCES"
        ),
        Some(d) if known => eprintln!("known divergence {key} [builder]: {d}"),
        Some(d) => panic!(
            "{key} ({}): {d}\ndocumented: {}\nbuilt:      {built}",
            ex.url, ex.body
        ),
    }
}

/// The fixture's string at a JSON pointer (long prompts are not copied twice).
fn text_at(family: &str, name: &str, pointer: &str) -> String {
    fixture(family, name)
        .body
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{family}/{name}{pointer}"))
        .to_owned()
}

#[test]
fn titan_text_five_first_names_from_cdk_aws_stepfunctions_tasks_bedrock_invoke_model() {
    use bedrock_fm::bodies::titan_text::*;
    let built = TitanTextRequest::builder()
        .input_text("Generate a list of five first names.")
        .text_generation_config(
            TitanTextGenerationConfig::builder()
                .max_token_count(100)
                .temperature(1.0)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    assert_builds("titan_text", "cdk_step_functions_invoke_model", built);
}

#[test]
fn claude_text_explain_black_holes_from_model_parameters_anthropic_claude_text_completion() {
    use bedrock_fm::bodies::claude_text::*;
    let built = ClaudeTextRequest::builder()
        .prompt("\n\nHuman: explain black holes to 8th graders\n\nAssistant:")
        .max_tokens_to_sample(300)
        .temperature(0.1)
        .top_p(0.9)
        .build()
        .unwrap();
    assert_builds("claude_text", "explain_black_holes", built);
}

#[test]
fn claude_messages_effort_parameter_from_model_parameters_anthropic_claude_messages_request_response()
 {
    use bedrock_fm::bodies::claude_messages::*;
    let built = ClaudeMessagesRequest::builder()
        .anthropic_version("bedrock-2023-05-31")
        .anthropic_beta(["effort-2025-11-24"])
        .max_tokens(4096)
        .output_config(
            ClaudeMessagesOutputConfig::builder()
                .effort("medium")
                .build()
                .unwrap(),
        )
        .messages([ClaudeMessagesMessage::builder()
            .role("user")
            .content("Analyze this complex dataset and provide insights")
            .build()
            .unwrap()])
        .build()
        .unwrap();
    assert_builds("claude_messages", "effort_parameter_beta", built);
}

#[test]
fn llama2_chat_hello_world_from_aws_doc_sdk_examples_llama2_invoke_model() {
    use bedrock_fm::bodies::llama2_chat::*;
    let built = Llama2ChatRequest::builder()
        .prompt("<s>[INST] Describe the purpose of a 'hello world' program in one line. [/INST]")
        .max_gen_len(512)
        .temperature(0.5)
        .build()
        .unwrap();
    assert_builds("llama2_chat", "hello_world_native_request", built);
}

#[test]
fn llama3_hello_world_from_model_parameters_meta() {
    use bedrock_fm::bodies::llama3::*;
    let built = Llama3Request::builder()
        .prompt(
            "\n<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\
             Describe the purpose of a 'hello world' program in one line.\n\
             <|eot_id|>\n<|start_header_id|>assistant<|end_header_id|>\n",
        )
        .max_gen_len(512)
        .temperature(0.5)
        .build()
        .unwrap();
    assert_builds("llama3", "hello_world_native_request", built);
}

#[test]
fn mistral_hello_world_from_bedrock_runtime_example_invoke_model_mistral_ai() {
    use bedrock_fm::bodies::mistral::*;
    let built = MistralRequest::builder()
        .prompt("<s>[INST] Describe the purpose of a 'hello world' program in one line. [/INST]")
        .max_tokens(512)
        .temperature(0.5)
        .build()
        .unwrap();
    assert_builds("mistral", "hello_world_native_request", built);
}

#[test]
fn mistral_chat_french_meal_json_output_from_model_parameters_mistral_large_2407() {
    use bedrock_fm::bodies::mistral_chat::*;
    let built = MistralChatRequest::builder()
        .messages([MistralChatMessage::builder()
            .role("user")
            .content(
                "What is the best French meal? Return the name and the ingredients in short \
                 JSON object.",
            )
            .build()
            .unwrap()])
        .build()
        .unwrap();
    assert_builds("mistral_chat", "json_output_french_meal", built);
}

#[test]
fn command_summarize_dialogue_from_model_parameters_cohere_command() {
    use bedrock_fm::bodies::command::*;
    let built = CommandRequest::builder()
        .prompt(text_at("command", "summarize_dialogue", "/prompt"))
        .max_tokens(200)
        .temperature(0.6)
        .p(1.0)
        .k(0)
        .num_generations(2)
        .return_likelihoods(CommandReturnLikelihoods::Generation)
        .build()
        .unwrap();
    assert_builds("command", "summarize_dialogue", built);
}

#[test]
fn command_r_skills_with_chat_history_from_model_parameters_cohere_command_r_plus() {
    use bedrock_fm::bodies::command_r::*;
    let turn = |role: &str, message: &str| {
        CommandRChatMessage::builder()
            .role(role)
            .message(message)
            .build()
            .unwrap()
    };
    let built = CommandRRequest::builder()
        .message("What are some skills I should have?")
        .chat_history([
            turn(
                "USER",
                "What is an interesting new role in AI if I don't have an ML background?",
            ),
            turn("CHATBOT", "You could explore being a prompt engineer!"),
        ])
        .max_tokens(2000)
        .temperature(0.6)
        .p(0.5)
        .k(250)
        .build()
        .unwrap();
    assert_builds("command_r", "skills_chat_history", built);
}

#[test]
fn jurassic_translate_to_spanish_from_model_parameters_jurassic2() {
    use bedrock_fm::bodies::jurassic::*;
    let built = JurassicRequest::builder()
        .prompt(
            "Translate to spanish: 'Amazon Bedrock is the easiest way to build and scale \
             generative AI applications with base models (FMs)'.",
        )
        .max_tokens(200)
        .temperature(0.5)
        .top_p(0.5)
        .build()
        .unwrap();
    assert_builds("jurassic", "translate_to_spanish", built);
}

#[test]
fn nova_what_is_machine_learning_from_nova2_userguide_using_invoke_api() {
    use bedrock_fm::bodies::nova::*;
    let built = NovaRequest::builder()
        .messages([NovaMessage::builder()
            .role("user")
            .content([NovaContentBlock::builder()
                .text("What is machine learning?")
                .build()
                .unwrap()])
            .build()
            .unwrap()])
        .inference_config(
            NovaInferenceConfig::builder()
                .max_tokens(512)
                .temperature(0.7)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    assert_builds("nova", "nova2_what_is_machine_learning", built);
}

#[test]
fn titan_embed_text_v2_binary_embedding_from_model_parameters_titan_embed_text() {
    use bedrock_fm::bodies::titan_embed_text::*;
    let built = TitanEmbedRequest::builder()
        .input_text("What are the different services that you offer?")
        .embedding_types([TitanEmbedType::Binary])
        .build()
        .unwrap();
    assert_builds("titan_embed_text", "v2_binary_embedding", built);
}

#[test]
fn titan_embed_image_text_embeddings_256_from_model_parameters_titan_embed_mm() {
    use bedrock_fm::bodies::titan_embed_image::*;
    let built = TitanMultimodalEmbedRequest::builder()
        .input_text("What are the different services that you offer?")
        .embedding_config(
            TitanMultimodalEmbedConfig::builder()
                .output_embedding_length(256)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    assert_builds("titan_embed_image", "text_embeddings_256", built);
}

#[test]
fn cohere_embed_v3_int8_and_float_from_model_parameters_embed_v3() {
    use bedrock_fm::bodies::cohere_embed::*;
    let built = CohereEmbedRequest::builder()
        .texts(["hello world", "this is a test"])
        .input_type(CohereEmbedInputType::SearchDocument)
        .embedding_types([CohereEmbedType::Int8, CohereEmbedType::Float])
        .build()
        .unwrap();
    assert_builds("cohere_embed", "v3_texts_int8_float", built);
}

#[test]
fn titan_image_cup_of_coffee_from_model_parameters_titan_image() {
    use bedrock_fm::bodies::titan_image::*;
    let built = TitanImageRequest::builder()
        .task_type(TitanImageTaskType::TextImage)
        .text_to_image_params(
            TitanImageTextToImageParams::builder()
                .text("A photograph of a cup of coffee from the side.")
                .build()
                .unwrap(),
        )
        .image_generation_config(
            TitanImageGenerationConfig::builder()
                .number_of_images(1)
                .height(1024)
                .width(1024)
                .cfg_scale(8.0)
                .seed(0)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    assert_builds("titan_image", "text_to_image_coffee", built);
}

#[test]
fn stable_image_car_of_vegetables_from_model_parameters_diffusion_3_5_large() {
    use bedrock_fm::bodies::stable_image::*;
    let built = StableImageRequest::builder()
        .prompt("A car made out of vegetables.")
        .build()
        .unwrap();
    assert_builds("stable_image", "sd35_large_text_to_image_car", built);
}

/// Converse: the documented request is what bedrock-fm's chat API sends for the same
/// conversation and inference parameters (the body as it reached the local server).
#[tokio::test]
async fn converse_nova_hello_world_from_bedrock_runtime_example_converse_amazon_nova_text() {
    use bedrock_fm::chat::ChatOptions;
    use bedrock_fm::{Api, CallOptions, Client, Conversation, Nova};
    let ex = fixture("converse", "nova_text_hello_world_request");
    let server = bedrock_fm_local::start();
    let client = Client::from_sdk_config(&server.sdk_config());
    let model = Nova::builder(&client, ex.model_id.as_deref().unwrap())
        .api(Api::Converse)
        .build()
        .unwrap();
    let conversation =
        Conversation::new().human("Describe the purpose of a 'hello world' program in one line.");
    let options = ChatOptions::new().params(
        CallOptions::new()
            .max_tokens(512)
            .temperature(0.5)
            .top_p(0.9),
    );
    let reply = model.chat_with(&conversation, &options).await.unwrap();
    assert!(!reply.text().is_empty());
    let record = server.last_request().expect("a request reached the server");
    assert!(record.path.ends_with("/converse"), "{}", record.path);
    let sent: Value = serde_json::from_slice(&record.body).unwrap();
    assert_builds("converse", "nova_text_hello_world_request", sent);
}
