use bedrock_fm::Client;
use bedrock_fm::embeddings::{BatchOptions, CohereEmbed, TitanEmbed};
use std::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn measure() {
    let server = bedrock_fm_local::start();
    let client = Client::from_sdk_config(&server.sdk_config());
    let texts: Vec<String> = (0..2000)
        .map(|i| format!("document {i} about rivers lakes and seas number {}", i % 97))
        .collect();
    let titan = TitanEmbed::builder(&client, "amazon.titan-embed-text-v2:0")
        .build()
        .unwrap();
    for c in [1, 4, 16] {
        let t = Instant::now();
        let r = titan
            .embed_batch(&texts, &BatchOptions::new().concurrency(c))
            .await;
        assert!(r.is_complete());
        println!(
            "titan v2 2000 texts concurrency {c}: {:?} ({} requests)",
            t.elapsed(),
            r.requests
        );
    }
    let cohere = CohereEmbed::builder(&client, "cohere.embed-english-v3")
        .build()
        .unwrap();
    for c in [1, 4] {
        let t = Instant::now();
        let r = cohere
            .embed_batch(&texts, &BatchOptions::new().concurrency(c))
            .await;
        assert!(r.is_complete());
        println!(
            "cohere v3 2000 texts concurrency {c}: {:?} ({} requests)",
            t.elapsed(),
            r.requests
        );
    }
}
