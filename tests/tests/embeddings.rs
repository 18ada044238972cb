//! Embeddings against bedrock-fm-local over real HTTP: the JSON body on the wire checked
//! against each family's documented request shape, the decoded vectors (dimension, similar
//! texts closer than unrelated ones), batches (order under injected throttling, progress,
//! partial failures), and every bad input refused before any request.

use bedrock_fm::catalog::Model;
use bedrock_fm::embeddings::{
    AnyEmbedModel, BatchOptions, BatchProgress, CohereEmbed, EmbedInput, EmbeddingType, InputType,
    TitanEmbed, TitanMultimodalEmbed, Truncation, cosine_similarity,
};
use bedrock_fm::{Client, ErrorKind, RetryPolicy};
use bedrock_fm_local::{Fault, LocalServer};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TITAN_V2: Model = Model::AmazonTitanEmbedTextV2_0;
const TITAN_G1: &str = "amazon.titan-embed-text-v1";
const COHERE_V3: Model = Model::CohereEmbedEnglishV3;

fn setup() -> (LocalServer, Client) {
    let server = bedrock_fm_local::start();
    let retry = RetryPolicy::default()
        .initial_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5));
    let client = Client::from_sdk_config(&server.sdk_config()).with_retry_policy(retry);
    (server, client)
}

fn last_body(server: &LocalServer) -> Value {
    let record = server.last_request().expect("a request reached the server");
    serde_json::from_slice(&record.body).expect("a JSON body")
}

fn bodies(server: &LocalServer) -> Vec<Value> {
    server
        .requests()
        .records()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).expect("a JSON body"))
        .collect()
}

fn norm(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}

const CAT: &str = "The cat sat on the warm mat by the fire";
const CAT2: &str = "A cat sat on a warm mat near the fire";
const MONEY: &str = "Quarterly revenue grew strongly in European markets";

#[tokio::test]
async fn titan_v2_sends_the_documented_body_and_decodes_unit_vectors() {
    let (server, client) = setup();
    let titan = TitanEmbed::builder(&client, TITAN_V2)
        .dimensions(512)
        .normalize(true)
        .build()
        .unwrap();
    let details = titan
        .generate_for_documents_details([CAT, CAT2, MONEY])
        .await
        .unwrap();
    // Source: model-parameters-titan-embed-text.html, V2 request
    // {"inputText": string, "dimensions": int, "normalize": boolean, "embeddingTypes": list}.
    assert_eq!(server.request_count(), 3, "one text per Titan request");
    let mut sent: Vec<Value> = bodies(&server);
    sent.sort_by_key(|b| b["inputText"].as_str().unwrap().to_owned());
    assert_eq!(
        sent[0],
        json!({"inputText": CAT2, "dimensions": 512, "normalize": true})
    );
    let [cat, cat2, money] = &details.embeddings[..] else {
        panic!("three embeddings")
    };
    for e in &details.embeddings {
        assert_eq!(e.dimension(), 512);
        assert!((norm(e.float().unwrap()) - 1.0).abs() < 1e-3);
    }
    assert!(cat.cosine_similarity(cat2) > cat.cosine_similarity(money) + 0.2);
    assert_eq!(details.requests, 3);
    assert_eq!(details.request_ids.len(), 3);
    assert!(details.usage.input_tokens.unwrap() > 0);
    assert_eq!(details.input_type, InputType::Document);

    let query = titan.generate_for_query("cat on a mat").await.unwrap();
    assert_eq!(query.dimension(), 512);
    assert!(query.cosine_similarity(cat) > query.cosine_similarity(money));
}

#[tokio::test]
async fn titan_g1_sends_only_the_text_and_gets_1536_dimensions() {
    let (server, client) = setup();
    let g1 = TitanEmbed::builder(&client, TITAN_G1).build().unwrap();
    let e = g1.generate_for_query("hello world").await.unwrap();
    // Source: model-parameters-titan-embed-text.html, G1 request {"inputText": string}.
    assert_eq!(last_body(&server), json!({"inputText": "hello world"}));
    assert_eq!(e.dimension(), 1536);
    assert_eq!(
        server.last_request().unwrap().path,
        "/model/amazon.titan-embed-text-v1/invoke"
    );
}

#[tokio::test]
async fn titan_v2_binary_embeddings_are_one_bit_per_dimension() {
    let (server, client) = setup();
    let titan = TitanEmbed::builder(&client, TITAN_V2)
        .dimensions(256)
        .embedding_types([EmbeddingType::Float, EmbeddingType::Binary])
        .build()
        .unwrap();
    let e = titan.generate_for_query("binary please").await.unwrap();
    assert_eq!(
        last_body(&server)["embeddingTypes"],
        json!(["float", "binary"])
    );
    let bits = e.bits.as_ref().expect("binary vector");
    assert_eq!(bits.len(), 256);
    assert!(bits.iter().all(|b| *b <= 1));
    assert_eq!(e.float().unwrap().len(), 256);

    let binary_only = TitanEmbed::builder(&client, TITAN_V2)
        .embedding_types([EmbeddingType::Binary])
        .build()
        .unwrap();
    let e = binary_only.generate_for_query("binary only").await.unwrap();
    assert_eq!(last_body(&server)["embeddingTypes"], json!(["binary"]));
    // The page: `embedding` is always the float vector; `embeddingsByType` has what was asked.
    assert_eq!(e.bits.as_ref().unwrap().len(), 1024);
}

#[tokio::test]
async fn titan_multimodal_embeds_text_images_and_both() {
    let (server, client) = setup();
    let mm = TitanMultimodalEmbed::builder(&client, Model::AmazonTitanEmbedImageV1)
        .output_embedding_length(384)
        .build()
        .unwrap();
    let red = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        64,
        64,
        image::Rgb([220, 20, 20]),
    ));
    let text = mm.generate_for_query("a red square").await.unwrap();
    // Source: model-parameters-titan-embed-mm.html,
    // {"inputText": string, "inputImage": base64, "embeddingConfig": {"outputEmbeddingLength": 256 | 384 | 1024}}.
    assert_eq!(
        last_body(&server),
        json!({"inputText": "a red square", "embeddingConfig": {"outputEmbeddingLength": 384}})
    );
    let img = mm.generate_for_image(red.clone()).await.unwrap();
    let body = last_body(&server);
    assert!(body.get("inputText").is_none());
    let sent = base64_decode(body["inputImage"].as_str().unwrap());
    let decoded = image::load_from_memory(&sent).unwrap();
    assert_eq!(decoded.to_rgb8(), red.to_rgb8());
    let both = mm
        .generate(
            [EmbedInput::text_and_image("a red square", red)],
            InputType::Document,
        )
        .await
        .unwrap();
    let body = last_body(&server);
    assert!(body["inputText"].is_string() && body["inputImage"].is_string());
    for e in [&text, &img, &both.embeddings[0]] {
        assert_eq!(e.dimension(), 384);
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

#[tokio::test]
async fn cohere_v3_batches_texts_with_the_input_type_and_embedding_types() {
    let (server, client) = setup();
    let cohere = CohereEmbed::builder(&client, COHERE_V3)
        .embedding_types([EmbeddingType::Float, EmbeddingType::Int8])
        .build()
        .unwrap();
    let docs = cohere
        .generate_for_documents([CAT, CAT2, MONEY])
        .await
        .unwrap();
    // Source: model-parameters-embed-v3.html,
    // {"input_type": "search_document|search_query|...", "texts": [string], "truncate": ..., "embedding_types": [...]}.
    assert_eq!(
        server.request_count(),
        1,
        "three texts fit one Cohere request"
    );
    assert_eq!(
        last_body(&server),
        json!({"input_type": "search_document", "texts": [CAT, CAT2, MONEY],
               "embedding_types": ["float", "int8"]})
    );
    for e in &docs {
        assert_eq!(e.float().unwrap().len(), 1024);
        assert_eq!(e.int8.as_ref().unwrap().len(), 1024);
    }
    assert!(docs[0].cosine_similarity(&docs[1]) > docs[0].cosine_similarity(&docs[2]) + 0.2);
    let q = cohere.generate_for_query("warm cat").await.unwrap();
    assert_eq!(last_body(&server)["input_type"], "search_query");
    assert!(q.cosine_similarity(&docs[0]) > q.cosine_similarity(&docs[2]));
}

#[tokio::test]
async fn cohere_v3_floats_only_and_usage_from_the_token_header() {
    let (server, client) = setup();
    let cohere = CohereEmbed::builder(&client, Model::CohereEmbedMultilingualV3)
        .build()
        .unwrap();
    let d = cohere
        .generate(
            [EmbedInput::text("un chat sur le tapis")],
            InputType::Clustering,
        )
        .await
        .unwrap();
    assert_eq!(
        last_body(&server),
        json!({"input_type": "clustering", "texts": ["un chat sur le tapis"]})
    );
    assert_eq!(d.embeddings[0].types(), vec![EmbeddingType::Float]);
    assert!(d.request_id().is_some());
    assert!(d.usage.input_tokens.is_some_and(|t| t > 0), "{:?}", d.usage);
}

#[tokio::test]
async fn cohere_v4_sends_output_dimension_and_its_truncate_values() {
    let (server, client) = setup();
    let v4 = CohereEmbed::builder(&client, Model::CohereEmbedV4_0)
        .output_dimension(256)
        .truncation(Truncation::End)
        .embedding_types([EmbeddingType::Ubinary])
        .build()
        .unwrap();
    let e = v4.generate_for_query("cats and mats").await.unwrap();
    // Source: model-parameters-embed-v4.html: output_dimension 256 | 512 | 1024 | 1536,
    // truncate "NONE | LEFT | RIGHT".
    assert_eq!(
        last_body(&server),
        json!({"input_type": "search_query", "texts": ["cats and mats"], "truncate": "RIGHT",
               "embedding_types": ["ubinary"], "output_dimension": 256})
    );
    assert_eq!(e.ubinary.as_ref().unwrap().len(), 256 / 8);
    assert_eq!(e.dimension(), 256);
}

#[tokio::test]
async fn any_embed_model_dispatches_by_id() {
    let (server, client) = setup();
    let any = AnyEmbedModel::builder(&client, "cohere.embed-v4:0")
        .dimensions(512)
        .build()
        .unwrap();
    let e = any.generate_for_query("hello").await.unwrap();
    assert_eq!(e.dimension(), 512);
    assert_eq!(last_body(&server)["output_dimension"], 512);
    let e = AnyEmbedModel::builder(&client, "anthropic.claude-3-haiku-20240307-v1:0")
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("not an embedding model"), "{e}");
}

#[tokio::test]
async fn a_batch_keeps_input_order_under_throttling_and_reports_progress() {
    let (server, client) = setup();
    // Enough attempts that no request can exhaust them on the six faults, whatever the timing.
    let client = client.with_retry_policy(
        RetryPolicy::default()
            .max_attempts(8)
            .initial_delay(Duration::from_millis(1))
            .max_delay(Duration::from_millis(5)),
    );
    let titan = TitanEmbed::builder(&client, TITAN_V2)
        .dimensions(256)
        .build()
        .unwrap();
    let texts: Vec<String> = (0..24)
        .map(|i| format!("document number {i} about topic {}", i % 5))
        .collect();
    // The reference vectors, one request at a time and without faults.
    let mut expected = Vec::new();
    for t in &texts {
        expected.push(titan.generate_for_query(t).await.unwrap());
    }
    let before = server.request_count();
    for _ in 0..6 {
        server.faults().push(Fault::Throttle);
    }
    let seen: Arc<Mutex<Vec<BatchProgress>>> = Arc::default();
    let log = seen.clone();
    let options = BatchOptions::new()
        .concurrency(4)
        .on_progress(move |p| log.lock().unwrap().push(*p));
    let report = titan.embed_batch(&texts, &options).await;
    assert!(report.is_complete(), "{:?}", report.failures);
    assert_eq!(report.requests, 24);
    assert_eq!(
        server.request_count() - before,
        24 + 6,
        "each throttled request was retried"
    );
    for (i, e) in report.embeddings.iter().enumerate() {
        assert_eq!(e.as_ref().unwrap(), &expected[i], "input {i} in its place");
    }
    let progress = seen.lock().unwrap();
    assert_eq!(progress.len(), 24, "one callback per request");
    assert!(progress.windows(2).all(|w| w[0].embedded < w[1].embedded));
    let last = progress.last().unwrap();
    assert_eq!((last.embedded, last.failed, last.total), (24, 0, 24));
    assert_eq!((last.requests_done, last.requests_total), (24, 24));
}

#[tokio::test]
async fn cohere_batches_are_the_largest_the_model_accepts() {
    let (server, client) = setup();
    let cohere = CohereEmbed::builder(&client, COHERE_V3).build().unwrap();
    let texts: Vec<String> = (0..200).map(|i| format!("passage {i}")).collect();
    let report = cohere.embed_batch(&texts, &BatchOptions::new()).await;
    assert!(report.is_complete());
    assert_eq!(report.requests, 3);
    let mut sizes: Vec<usize> = bodies(&server)
        .iter()
        .map(|b| b["texts"].as_array().unwrap().len())
        .collect();
    sizes.sort_unstable();
    assert_eq!(sizes, vec![8, 96, 96]);
    // In order: passage i is closest to its own re-embedding.
    let probe = cohere
        .generate_for_documents(["passage 150"])
        .await
        .unwrap();
    let best = report
        .succeeded()
        .max_by(|a, b| {
            let sa = a.1.cosine_similarity(&probe[0]);
            let sb = b.1.cosine_similarity(&probe[0]);
            sa.total_cmp(&sb)
        })
        .unwrap();
    assert_eq!(best.0, 150);
    // A smaller cap splits further.
    let report = cohere
        .embed_batch(&texts[..50], &BatchOptions::new().batch_size(20))
        .await;
    assert_eq!(report.requests, 3);
}

#[tokio::test]
async fn partial_failures_name_the_inputs_and_keep_the_rest() {
    let (server, client) = setup();
    let client = client.with_retry_policy(RetryPolicy::none());
    let titan = TitanEmbed::builder(&client, TITAN_V2).build().unwrap();
    let mut texts: Vec<String> = (0..8).map(|i| format!("text {i}")).collect();
    texts[3] = String::new();
    texts[6] = "x".repeat(50_001);
    // The first request sent (input 0, with one request in flight) fails at the service.
    server.faults().push(Fault::ModelError);
    let report = titan
        .embed_batch(&texts, &BatchOptions::new().concurrency(1))
        .await;
    assert_eq!(report.failed_indices(), vec![0, 3, 6]);
    assert_eq!(report.failures[0].error.kind(), ErrorKind::ModelError);
    assert_eq!(report.failures[1].error.kind(), ErrorKind::InvalidInput);
    assert!(
        report.failures[2]
            .error
            .to_string()
            .contains("50001 characters")
    );
    assert_eq!(server.request_count(), 6, "invalid inputs are never sent");
    for i in [1, 2, 4, 5, 7] {
        assert_eq!(report.embeddings[i].as_ref().unwrap().dimension(), 1024);
    }
    assert!(report.embeddings[0].is_none());
    assert!(report.into_embeddings().is_err());
}

#[tokio::test]
async fn throttling_beyond_the_retry_policy_is_a_reported_failure() {
    let (server, client) = setup();
    let client = client.with_retry_policy(
        RetryPolicy::default()
            .max_attempts(2)
            .initial_delay(Duration::from_millis(1)),
    );
    let cohere = CohereEmbed::builder(&client, COHERE_V3).build().unwrap();
    let texts: Vec<String> = (0..150).map(|i| format!("passage {i}")).collect();
    server.faults().push(Fault::Throttle);
    server.faults().push(Fault::Throttle);
    let report = cohere
        .embed_batch(&texts, &BatchOptions::new().concurrency(1))
        .await;
    // The first request (inputs 0..96) was throttled twice, its retry budget; the second ran.
    assert_eq!(report.failed_indices(), (0..96).collect::<Vec<_>>());
    assert!(report.failures.iter().all(|f| f.error.is_throttling()));
    assert_eq!(report.succeeded().count(), 54);
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn bad_inputs_fail_before_any_request() {
    let (server, client) = setup();
    // A dimension the model does not offer (from the catalog).
    let e = TitanEmbed::builder(&client, TITAN_V2)
        .dimensions(1536)
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        e.to_string().starts_with("InvalidInput: dimensions: 1536"),
        "{e}"
    );
    let e = TitanMultimodalEmbed::builder(&client, Model::AmazonTitanEmbedImageV1)
        .output_embedding_length(512)
        .build()
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("InvalidInput: output_embedding_length: 512"),
        "{e}"
    );
    let e = CohereEmbed::builder(&client, Model::CohereEmbedV4_0)
        .output_dimension(768)
        .build()
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("InvalidInput: output_dimension: 768"),
        "{e}"
    );
    // A model of another family.
    let e = CohereEmbed::builder(&client, TITAN_V2).build().unwrap_err();
    assert!(e.to_string().starts_with("InvalidInput: model:"), "{e}");

    let titan = TitanEmbed::builder(&client, TITAN_V2).build().unwrap();
    // An empty text anywhere in the list: nothing is sent.
    let e = titan
        .generate_for_documents(["fine", "", "also fine"])
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "InvalidInput: inputs[1]: the text is empty");
    let e = titan.generate_for_query("   ").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    // Over the model's input limit, no truncation chosen.
    let e = titan
        .generate_for_query(&"y".repeat(50_001))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("at most 50000"), "{e}");
    let cohere = CohereEmbed::builder(&client, COHERE_V3).build().unwrap();
    let e = cohere
        .generate_for_documents(["ok", &"z".repeat(2049)])
        .await
        .unwrap_err();
    assert!(e.to_string().starts_with("InvalidInput: inputs[1]:"), "{e}");
    // An image too large for Titan Multimodal (2048 x 2048 at most).
    let mm = TitanMultimodalEmbed::builder(&client, Model::AmazonTitanEmbedImageV1)
        .build()
        .unwrap();
    let wide = image::DynamicImage::ImageRgb8(image::RgbImage::new(2049, 8));
    let e = mm.generate_for_image(wide).await.unwrap_err();
    assert!(e.to_string().contains("at most 2048x2048"), "{e}");
    // An image to a text-only model.
    let e = titan
        .generate(
            [EmbedInput::image(image::DynamicImage::new_rgb8(8, 8))],
            InputType::Document,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("embeds text only"), "{e}");
    assert_eq!(server.request_count(), 0, "no request was sent");
}

#[tokio::test]
async fn over_long_texts_are_cut_when_truncation_is_chosen() {
    let (server, client) = setup();
    // Characters: cut before sending.
    let titan = TitanEmbed::builder(&client, TITAN_V2)
        .truncation(Truncation::End)
        .build()
        .unwrap();
    let long = format!("start {}", "y".repeat(60_000));
    let d = titan.generate_for_query_details(&long).await.unwrap();
    let sent = last_body(&server)["inputText"].as_str().unwrap().to_owned();
    assert_eq!(sent.chars().count(), 50_000);
    assert!(sent.starts_with("start "));
    assert_eq!(d.truncated, vec![0]);
    // Tokens: the service's count says how much to cut (8,192 tokens, 9,000 words here).
    let words = "word ".repeat(9_000);
    let strict = TitanEmbed::builder(&client, TITAN_V2).build().unwrap();
    let e = strict.generate_for_query(&words).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.message().contains("Too many input tokens"), "{e}");
    let d = titan.generate_for_query_details(&words).await.unwrap();
    assert_eq!(d.truncated, vec![0]);
    assert_eq!(d.embeddings[0].dimension(), 1024);
    // Cohere v3: cut to 2,048 characters and `truncate` sent for the tokens.
    let cohere = CohereEmbed::builder(&client, COHERE_V3)
        .truncation(Truncation::Start)
        .build()
        .unwrap();
    cohere
        .generate_for_documents([format!("{} end", "a".repeat(3000))])
        .await
        .unwrap();
    let body = last_body(&server);
    assert_eq!(body["truncate"], "START");
    let text = body["texts"][0].as_str().unwrap();
    assert_eq!(text.chars().count(), 2048);
    assert!(text.ends_with(" end"));
}

#[test]
fn cosine_similarity_is_exported_for_retrieval() {
    assert!((cosine_similarity(&[1.0, 2.0], &[2.0, 4.0]) - 1.0).abs() < 1e-6);
}

#[tokio::test]
async fn foundation_model_arns_and_inference_profiles_are_accepted() {
    let (server, client) = setup();
    let arn = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0";
    let titan = TitanEmbed::builder(&client, arn)
        .dimensions(256)
        .build()
        .unwrap();
    assert_eq!(titan.model(), Some(TITAN_V2));
    let e = titan.generate_for_query("via an ARN").await.unwrap();
    assert_eq!(e.dimension(), 256);
    assert_eq!(
        server.last_request().unwrap().model_id.as_deref(),
        Some(arn)
    );
    let v4 = CohereEmbed::builder(&client, "us.cohere.embed-v4:0")
        .build()
        .unwrap();
    assert_eq!(
        v4.generate_for_query("profile").await.unwrap().dimension(),
        1536
    );
}

/// Retrieval on the local server finds the passage a query is about even when the words
/// differ in form ("rivers" / "river", "flows" / "flow"): its embeddings follow character
/// n-gram overlap.
#[tokio::test]
async fn retrieval_on_the_local_server_finds_the_right_passage() {
    let (_server, client) = setup();
    let cohere = CohereEmbed::builder(&client, COHERE_V3).build().unwrap();
    let passages = [
        "Lyon is a large city in France, known for its food.",
        "The Seine is a river that flows through Paris to the sea.",
        "Vienna hosts many concerts and museums every year.",
    ];
    let docs = cohere.generate_for_documents(&passages).await.unwrap();
    let query = cohere
        .generate_for_query("Which rivers flow through Paris?")
        .await
        .unwrap();
    let best = docs
        .iter()
        .enumerate()
        .max_by(|a, b| {
            let (sa, sb) = (query.cosine_similarity(a.1), query.cosine_similarity(b.1));
            sa.partial_cmp(&sb).unwrap()
        })
        .map(|(i, _)| i);
    assert_eq!(best, Some(1));
}
