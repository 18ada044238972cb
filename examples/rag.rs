//! Retrieval-augmented generation: embed a small document set (shipped in
//! `examples/data/rivers/`), retrieve the passages closest to a question by cosine
//! similarity, and have a chat model answer from them, citing the passages it was given.
//!
//! ```sh
//! cargo run -p bedrock-fm-examples --example rag                       # local server, no AWS account
//! cargo run -p bedrock-fm-examples --example rag -- "Which rivers cross Paris?"
//! BEDROCK_FM_USE_AWS=1 cargo run -p bedrock-fm-examples --example rag  # your AWS account
//! ```
//!
//! On AWS, both models must be enabled in the account and region. `BEDROCK_FM_EMBED_MODEL`
//! picks another embedding model (e.g. `cohere.embed-english-v3`) and `BEDROCK_FM_MODEL`
//! another Claude 3+ model or inference profile. Against the local server the vectors follow
//! word overlap and the answer is the server's deterministic text, but the retrieval and the
//! citations are real.

use bedrock_fm::Claude3;
use bedrock_fm::catalog::Model;
use bedrock_fm::embeddings::{AnyEmbedModel, BatchOptions, Embedding};
use std::path::Path;

/// How many passages the model is given.
const TOP_K: usize = 3;

/// One paragraph of a document.
struct Passage {
    /// The file it comes from.
    source: String,
    /// Its position in the file, from 1.
    paragraph: usize,
    text: String,
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// Every paragraph of every `.txt` file in `dir`, in file-name order.
fn load_passages(dir: &Path) -> std::io::Result<Vec<Passage>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut passages = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path)?;
        let source = path.file_name().unwrap().to_string_lossy().into_owned();
        let paragraphs = text.split("\n\n").map(str::trim).filter(|p| !p.is_empty());
        for (i, p) in paragraphs.enumerate() {
            passages.push(Passage {
                source: source.clone(),
                paragraph: i + 1,
                text: p.to_owned(),
            });
        }
    }
    Ok(passages)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let backend = bedrock_fm_examples::connect().await?;
    let question = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .unwrap_or_else(|| "Which river flows through Vienna and Budapest?".to_owned());
    let embed_id = std::env::var("BEDROCK_FM_EMBED_MODEL")
        .unwrap_or_else(|_| Model::AmazonTitanEmbedTextV2_0.id().to_owned());
    let chat_id = std::env::var("BEDROCK_FM_MODEL")
        .unwrap_or_else(|_| Model::AnthropicClaude3Haiku20240307V1_0.id().to_owned());

    // 1. Index: every paragraph embedded as a document, in batches the model accepts (one
    //    text per Titan request, 96 per Cohere request), four requests in flight.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/rivers");
    let passages = load_passages(&dir)?;
    let embedder = AnyEmbedModel::builder(&backend.client, embed_id.as_str()).build()?;
    let texts: Vec<&str> = passages.iter().map(|p| p.text.as_str()).collect();
    let options = BatchOptions::new().concurrency(4).on_progress(|p| {
        eprint!("\rembedded {}/{} passages", p.embedded, p.total);
    });
    let report = embedder.embed_batch(texts, &options).await;
    eprintln!();
    for failure in &report.failures {
        eprintln!(
            "skipping {} ¶{}: {}",
            passages[failure.index].source, passages[failure.index].paragraph, failure.error
        );
    }
    let index: Vec<(&Passage, &Embedding)> =
        report.succeeded().map(|(i, e)| (&passages[i], e)).collect();
    println!(
        "Indexed {} passages from {} with {} ({} requests, {:?}).",
        index.len(),
        dir.display(),
        embedder.model_id(),
        report.requests,
        report.elapsed
    );

    // 2. Retrieve: the question embedded as a query, passages ranked by cosine similarity.
    let query = embedder.generate_for_query(&question).await?;
    let mut ranked: Vec<(f32, &Passage)> = index
        .iter()
        .map(|(p, e)| (query.cosine_similarity(e), *p))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top = &ranked[..TOP_K.min(ranked.len())];

    // 3. Answer: a chat model given the numbered passages, asked to cite them.
    let context: String = top
        .iter()
        .enumerate()
        .map(|(i, (_, p))| format!("[{}] {}\n", i + 1, p.text))
        .collect();
    let prompt = format!(
        "Answer the question using only the numbered passages below, and cite the passages \
         you use as [1], [2], ...\n\nPassages:\n{context}\nQuestion: {question}"
    );
    let claude = Claude3::builder(&backend.client, chat_id.as_str())
        .system("You answer questions about European rivers from the passages you are given.")
        .temperature(0.0)
        .max_tokens(300)
        .build()?;
    let answer = claude.generate(&prompt).await?;

    println!("\nQuestion: {question}\n");
    println!("Answer ({}):\n{}\n", claude.model_id(), answer[0].trim());
    println!("Sources:");
    for (i, (score, p)) in top.iter().enumerate() {
        println!(
            "  [{}] {} ¶{} (similarity {score:.3}): {}",
            i + 1,
            p.source,
            p.paragraph,
            p.text.chars().take(90).collect::<String>()
        );
    }
    if let Some(server) = &backend.server {
        println!(
            "\n(the local server received {} requests)",
            server.request_count()
        );
    }
    Ok(())
}
