//! Every InvokeModel family: a model, a documented request body, its typed request type, and
//! seeds (the responses and raw event streams bedrock-fm-local answers it with, plus the
//! documented responses of `tests/fixtures/aws/`).

use crate::loopback::{self, RawResponse};
use aws_sdk_bedrockruntime::primitives::Blob;
use bedrock_fm::catalog::{Family, Model};
use bedrock_fm::schema::{StructSpec, TypeSpec};
use bedrock_fm::{Client, Error, NativeRequest};
use bedrock_fm_local::LocalServer;
use serde::Serialize;
use serde_json::{Value, json};
use std::future::Future;
use std::pin::Pin;

pub(crate) type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Sends the typed request with `Client::invoke`; the typed response back as JSON.
pub(crate) type Invoke =
    for<'a> fn(&'a Client, &'a str, &'a Value) -> BoxFut<'a, Result<Value, Error>>;

/// Sends the typed request with `Client::invoke_stream` and reads every chunk; the chunks.
pub(crate) type InvokeStream =
    for<'a> fn(&'a Client, &'a str, &'a Value) -> BoxFut<'a, Result<usize, Error>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Embed,
    Image,
}

pub(crate) struct FamilyCase {
    pub(crate) model: &'static str,
    pub(crate) family: Family,
    pub(crate) kind: Kind,
    pub(crate) request: Value,
    pub(crate) invoke: Invoke,
    pub(crate) invoke_stream: InvokeStream,
    /// InvokeModel responses to mutate (bedrock-fm-local's answer first).
    pub(crate) responses: Vec<Value>,
    /// The raw `application/vnd.amazon.eventstream` body of an InvokeModelWithResponseStream
    /// answer, when the model streams.
    pub(crate) stream: Option<Vec<u8>>,
}

fn typed_invoke<'a, R: NativeRequest>(
    client: &'a Client,
    model: &'a str,
    request: &'a Value,
) -> BoxFut<'a, Result<Value, Error>>
where
    R::Response: Serialize,
{
    Box::pin(async move {
        let typed: R = serde_json::from_value(request.clone()).expect("the seed request decodes");
        let reply = client.invoke(model, &typed).await?;
        Ok(serde_json::to_value(&reply.body).expect("typed responses serialize"))
    })
}

/// At most this many chunks are read from one stream.
pub(crate) const MAX_CHUNKS: usize = 100_000;

fn typed_invoke_stream<'a, R: NativeRequest>(
    client: &'a Client,
    model: &'a str,
    request: &'a Value,
) -> BoxFut<'a, Result<usize, Error>> {
    Box::pin(async move {
        let typed: R = serde_json::from_value(request.clone()).expect("the seed request decodes");
        let mut stream = client.invoke_stream(model, &typed).await?;
        let mut n = 0;
        while stream.next().await?.is_some() {
            n += 1;
            assert!(n < MAX_CHUNKS, "a stream of a few frames yields {n} chunks");
        }
        Ok(n)
    })
}

const TEXT: &str = "Describe the rivers and lakes of Europe";

/// (model, request type's invoke functions, documented request body).
fn table() -> Vec<(&'static str, Invoke, InvokeStream, Value)> {
    use bedrock_fm::bodies::*;
    macro_rules! f {
        ($model:expr, $m:ident :: $req:ident, $body:expr) => {
            (
                $model,
                typed_invoke::<$m::$req> as Invoke,
                typed_invoke_stream::<$m::$req> as InvokeStream,
                $body,
            )
        };
    }
    vec![
        f!(
            "amazon.titan-text-premier-v1:0",
            titan_text::TitanTextRequest,
            json!({"inputText": TEXT, "textGenerationConfig": {"maxTokenCount": 40}})
        ),
        f!(
            "anthropic.claude-v2:1",
            claude_text::ClaudeTextRequest,
            json!({"prompt": format!("\n\nHuman: {TEXT}\n\nAssistant:"), "max_tokens_to_sample": 40})
        ),
        f!(
            "anthropic.claude-3-haiku-20240307-v1:0",
            claude_messages::ClaudeMessagesRequest,
            json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 40,
                   "messages": [{"role": "user", "content": [{"type": "text", "text": TEXT}]}]})
        ),
        f!(
            "meta.llama2-13b-chat-v1",
            llama2_chat::Llama2ChatRequest,
            json!({"prompt": format!("<s>[INST] {TEXT} [/INST]"), "max_gen_len": 40})
        ),
        f!(
            "meta.llama3-8b-instruct-v1:0",
            llama3::Llama3Request,
            json!({"prompt": format!("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n{TEXT}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"), "max_gen_len": 40})
        ),
        f!(
            "mistral.mistral-7b-instruct-v0:2",
            mistral::MistralRequest,
            json!({"prompt": format!("<s>[INST] {TEXT} [/INST]"), "max_tokens": 40})
        ),
        f!(
            "mistral.mistral-large-2407-v1:0",
            mistral_chat::MistralChatRequest,
            json!({"messages": [{"role": "user", "content": TEXT}], "max_tokens": 40})
        ),
        f!(
            "us.deepseek.r1-v1:0",
            deepseek::DeepSeekRequest,
            json!({"prompt": TEXT, "max_tokens": 40})
        ),
        f!(
            "cohere.command-text-v14",
            command::CommandRequest,
            json!({"prompt": TEXT, "max_tokens": 40})
        ),
        f!(
            "cohere.command-r-v1:0",
            command_r::CommandRRequest,
            json!({"message": TEXT, "max_tokens": 40})
        ),
        f!(
            "ai21.j2-ultra-v1",
            jurassic::JurassicRequest,
            json!({"prompt": TEXT, "maxTokens": 40})
        ),
        f!(
            "ai21.jamba-1-5-mini-v1:0",
            jamba::JambaRequest,
            json!({"messages": [{"role": "user", "content": TEXT}], "max_tokens": 40})
        ),
        f!(
            "amazon.nova-lite-v1:0",
            nova::NovaRequest,
            json!({"schemaVersion": "messages-v1", "messages": [{"role": "user", "content": [{"text": TEXT}]}],
                   "inferenceConfig": {"maxTokens": 40}})
        ),
        f!(
            "amazon.titan-embed-text-v2:0",
            titan_embed_text::TitanEmbedRequest,
            json!({"inputText": TEXT, "dimensions": 256})
        ),
        f!(
            "amazon.titan-embed-image-v1",
            titan_embed_image::TitanMultimodalEmbedRequest,
            json!({"inputText": TEXT})
        ),
        f!(
            "cohere.embed-english-v3",
            cohere_embed::CohereEmbedRequest,
            json!({"texts": [TEXT], "input_type": "search_document"})
        ),
        f!(
            "amazon.titan-image-generator-v2:0",
            titan_image::TitanImageRequest,
            json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
                   "imageGenerationConfig": {"numberOfImages": 1, "width": 512, "height": 512}})
        ),
        f!(
            "amazon.nova-canvas-v1:0",
            nova_canvas::NovaCanvasRequest,
            json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
                   "imageGenerationConfig": {"numberOfImages": 1, "width": 512, "height": 512}})
        ),
        f!(
            "stability.stable-diffusion-xl-v1",
            stable_diffusion::StableDiffusionRequest,
            json!({"text_prompts": [{"text": "a lighthouse"}], "width": 1024, "height": 1024})
        ),
        f!(
            "stability.sd3-5-large-v1:0",
            stable_image::StableImageRequest,
            json!({"prompt": "a lighthouse"})
        ),
    ]
}

/// The documented responses of `family` in `tests/fixtures/aws/` (kind `response`).
fn documented_responses(family: Family) -> Vec<Value> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/aws");
    let Ok(text) = std::fs::read_to_string(dir.join(format!("{}.json", family.id()))) else {
        return Vec::new();
    };
    let file: Value = serde_json::from_str(&text).expect("fixture JSON");
    file["examples"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "response")
        .map(|e| e["body"].clone())
        .collect()
}

/// The documented Converse responses (`tests/fixtures/aws/converse.json`).
pub(crate) fn documented_converse_responses() -> Vec<Value> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/aws");
    let text = std::fs::read_to_string(dir.join("converse.json")).expect("converse.json");
    let file: Value = serde_json::from_str(&text).expect("fixture JSON");
    file["examples"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "response")
        .map(|e| e["body"].clone())
        .collect()
}

/// Percent-encodes a model ID for a path segment.
pub(crate) fn encode_id(id: &str) -> String {
    let mut out = String::new();
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A POST of `body` to `path` on `server`, authenticated with its bearer token.
pub(crate) async fn bearer_post(server: &LocalServer, path: &str, body: &[u8]) -> RawResponse {
    let token = format!("Bearer {}", bedrock_fm_local::TEST_BEARER_TOKEN);
    let request = loopback::post(
        path,
        &[
            ("Authorization", &token),
            ("Content-Type", "application/json"),
        ],
        body,
    );
    loopback::exchange(
        server.addr(),
        &request,
        false,
        std::time::Duration::from_secs(30),
    )
    .await
    .expect("bedrock-fm-local answers")
    .expect("a response")
}

/// Every family with its seeds, captured from a fresh bedrock-fm-local.
pub(crate) async fn families(server: &LocalServer) -> Vec<FamilyCase> {
    let sdk = server.client();
    let mut out = Vec::new();
    for (model, invoke, invoke_stream, request) in table() {
        let resolved = Model::resolve(model).expect("a catalog model");
        let family = resolved.model.family();
        let kind = match family.id() {
            "titan_embed_text" | "titan_embed_image" | "cohere_embed" => Kind::Embed,
            "titan_image" | "nova_canvas" | "stable_diffusion" | "stable_image" => Kind::Image,
            _ => Kind::Text,
        };
        let answer = sdk
            .invoke_model()
            .model_id(model)
            .body(Blob::new(serde_json::to_vec(&request).unwrap()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{model}: {e:?}"));
        let mut responses = vec![serde_json::from_slice::<Value>(answer.body.as_ref()).unwrap()];
        if kind == Kind::Image {
            // Decoding a full-size image per case is slow in debug builds: seed with a tiny one.
            shrink_images(&mut responses[0]);
        }
        responses.extend(documented_responses(family));
        let stream = if resolved.model.info().streaming && family.stream_chunk_spec().is_some() {
            let path = format!("/model/{}/invoke-with-response-stream", encode_id(model));
            let r = bearer_post(server, &path, &serde_json::to_vec(&request).unwrap()).await;
            assert_eq!(
                r.status,
                200,
                "{model}: {}",
                String::from_utf8_lossy(&r.body)
            );
            Some(r.body)
        } else {
            None
        };
        out.push(FamilyCase {
            model,
            family,
            kind,
            request,
            invoke,
            invoke_stream,
            responses,
            stream,
        });
    }
    out
}

/// A 4x4 PNG, base64.
pub(crate) fn tiny_png_base64() -> String {
    use base64::Engine;
    let img = image::RgbImage::from_pixel(4, 4, image::Rgb([200, 40, 40]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    img.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    base64::engine::general_purpose::STANDARD.encode(bytes.into_inner())
}

/// Replaces every long base64 string (an image) with a tiny PNG.
fn shrink_images(v: &mut Value) {
    match v {
        Value::String(s) if s.len() > 1000 => *s = tiny_png_base64(),
        Value::Array(a) => a.iter_mut().for_each(shrink_images),
        Value::Object(m) => m.values_mut().for_each(shrink_images),
        _ => {}
    }
}

/// The first required member of `spec` missing from `v` (recursively through nested objects,
/// arrays and maps of objects), as a JSON pointer; `Some` also when `v` is not an object.
pub(crate) fn missing_required(spec: &StructSpec, v: &Value, at: &str) -> Option<String> {
    let Value::Object(m) = v else {
        return Some(format!("{at} (not an object)"));
    };
    for field in spec.fields {
        let here = format!("{at}/{}", field.wire);
        match m.get(field.wire) {
            None if field.required => return Some(here),
            None | Some(Value::Null) => {}
            Some(value) => {
                if let Some(missing) = missing_in_type(&field.ty, value, &here) {
                    return Some(missing);
                }
            }
        }
    }
    None
}

fn missing_in_type(ty: &TypeSpec, v: &Value, at: &str) -> Option<String> {
    match (ty, v) {
        (TypeSpec::Struct(spec), _) => missing_required(spec, v, at),
        (TypeSpec::Array(item), Value::Array(items)) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| missing_in_type(item, x, &format!("{at}/{i}"))),
        (TypeSpec::Map(item), Value::Object(m)) => m
            .iter()
            .find_map(|(k, x)| missing_in_type(item, x, &format!("{at}/{k}"))),
        (TypeSpec::Union(union), Value::Object(m)) => {
            let tag = m.get(union.tag).and_then(Value::as_str)?;
            let (_, spec) = union.variants.iter().find(|(t, _)| *t == tag)?;
            missing_required(spec, v, at)
        }
        _ => None,
    }
}
