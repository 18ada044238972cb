//! `cargo run --release -p bedrock-fm-tests --bin bench [-- N]`: measures, in one run against
//! bedrock-fm-local on loopback, the cost of bedrock-fm's typed layer over the raw SDK and the
//! streaming figures, and prints a table. Figures are for comparison within one run only.

use aws_sdk_bedrockruntime::primitives::Blob;
use bedrock_fm::{Api, Client, Titan};
use std::time::{Duration, Instant};

const TITAN: &str = "amazon.titan-text-premier-v1:0";
const PROMPT: &str = "Describe the rivers and lakes of Europe";

struct Row {
    name: &'static str,
    total: Duration,
    count: usize,
}

impl Row {
    fn per_call_us(&self) -> f64 {
        self.total.as_secs_f64() * 1e6 / self.count as f64
    }
}

async fn time<F, Fut>(name: &'static str, count: usize, mut f: F) -> Row
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    f().await; // warm-up: connection pool, first-use allocations
    let start = Instant::now();
    for _ in 0..count {
        f().await;
    }
    Row {
        name,
        total: start.elapsed(),
        count,
    }
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let server = bedrock_fm_local::start();
    let sdk = server.client();
    let client = Client::from_sdk_config(&server.sdk_config());
    let body =
        serde_json::json!({"inputText": PROMPT, "textGenerationConfig": {"maxTokenCount": 64}});
    let body = serde_json::to_vec(&body).unwrap();

    let raw = time("raw SDK InvokeModel (Titan)", count, || {
        let (sdk, body) = (sdk.clone(), body.clone());
        async move {
            let out = sdk
                .invoke_model()
                .model_id(TITAN)
                .body(Blob::new(body))
                .send()
                .await
                .unwrap();
            assert!(!out.body.as_ref().is_empty());
        }
    })
    .await;
    let titan = Titan::builder(&client, TITAN)
        .max_tokens(64)
        .build()
        .unwrap();
    let typed = time(
        "bedrock-fm Titan::generate (InvokeModel)",
        count,
        || async {
            assert!(!titan.generate(PROMPT).await.unwrap()[0].is_empty());
        },
    )
    .await;
    let converse = Titan::builder(&client, TITAN)
        .max_tokens(64)
        .api(Api::Converse)
        .build()
        .unwrap();
    let conv = time("bedrock-fm Titan::generate (Converse)", count, || async {
        assert!(!converse.generate(PROMPT).await.unwrap()[0].is_empty());
    })
    .await;
    let first_tokens = std::sync::Mutex::new(Vec::new());
    let stream = time(
        "bedrock-fm Titan stream, 64 tokens (InvokeModel)",
        count / 4,
        || async {
            let s = titan.generate_stream(PROMPT).await.unwrap();
            let d = s.details().await.unwrap();
            first_tokens
                .lock()
                .unwrap()
                .push(d.time_to_first_token.unwrap());
        },
    )
    .await;

    println!("{:<50} {:>8} {:>14}", "operation", "calls", "µs per call");
    for row in [&raw, &typed, &conv, &stream] {
        println!(
            "{:<50} {:>8} {:>14.1}",
            row.name,
            row.count,
            row.per_call_us()
        );
    }
    let mut first_tokens = first_tokens.into_inner().unwrap();
    first_tokens.sort();
    let median = first_tokens[first_tokens.len() / 2];
    println!();
    println!(
        "typed InvokeModel / raw SDK InvokeModel: {:.2}x",
        typed.per_call_us() / raw.per_call_us()
    );
    println!(
        "Converse / InvokeModel (typed):          {:.2}x",
        conv.per_call_us() / typed.per_call_us()
    );
    println!("stream median time to first token:       {median:?}");
}
