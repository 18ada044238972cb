//! Embedding many inputs: split into the largest batches each model accepts (one text per
//! Titan request, up to 96 per Cohere request), sent with bounded concurrency, each request
//! retried by the client's [`crate::RetryPolicy`] (throttling and transient errors), results
//! in input order, progress reported as requests complete, and failures reported per input
//! while the rest are kept.

use super::details::EmbedDetails;
use super::input::{EmbedInput, InputType, Truncation, shorten};
use super::model::{ModelId, ModelParts, check_body, clone_error};
use super::vector::{Embedding, EmbeddingType};
use crate::client::Client;
use crate::details::Usage;
use crate::error::{Error, ErrorKind, Result};
use crate::images::input::EncodedImage;
use crate::invoke::invoke_bytes;
use crate::native::NativeRequest;
use futures_util::StreamExt;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) use super::methods::{embed_methods, itself};

/// The default number of requests in flight at once.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// An input checked and ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// The text to send (after truncation).
    pub text: Option<String>,
    /// The encoded image.
    pub image: Option<EncodedImage>,
    /// Whether the text was cut.
    pub truncated: bool,
}

impl Prepared {
    /// Inputs of the same kind may share a request.
    fn kind(&self) -> u8 {
        match (&self.text, &self.image) {
            (Some(_), None) => 0,
            (None, Some(_)) => 1,
            _ => 2,
        }
    }
}

/// The settings every embedding family shares, for [`crate::embeddings::AnyEmbedModel`].
#[derive(Debug, Clone, Default)]
pub(crate) struct EmbedSettings {
    /// The vector length.
    pub dimensions: Option<u32>,
    /// What to do with over-long texts.
    pub truncation: Option<Truncation>,
    /// The vector types to return.
    pub embedding_types: Option<Vec<EmbeddingType>>,
}

/// The typed response of an embedding family.
pub(crate) type ResponseOf<B> = <<B as EmbedBackend>::Request as NativeRequest>::Response;

/// What one embedding family does, over its generated request and response types; the
/// batch engine does the rest.
pub(crate) trait EmbedBackend: ModelParts + Sync + Sized {
    /// The family's generated request body (its response is `Request::Response`).
    type Request: NativeRequest;
    /// The wrapper built from the settings every family shares (for `AnyEmbedModel`).
    fn from_settings(client: &Client, model: ModelId, settings: &EmbedSettings) -> Result<Self>;
    /// The truncation chosen, if any.
    fn truncation(&self) -> Option<Truncation>;
    /// Checks one input (`location` names it in errors) and prepares it.
    fn prepare(&self, location: &str, input: &EmbedInput) -> Result<Prepared>;
    /// The largest number of inputs like `p` one request takes.
    fn batch_limit(&self, p: &Prepared) -> usize;
    /// The typed body of one request.
    fn body(&self, items: &[&Prepared], input_type: InputType) -> Result<Self::Request>;
    /// The vectors of a typed response, one per input of the request, and the input tokens
    /// (`request_id` for errors).
    fn decode(
        &self,
        response: &ResponseOf<Self>,
        request_id: Option<&str>,
        n: usize,
    ) -> Result<(Vec<Embedding>, Option<u32>)>;
}

/// Progress of a batch, passed to the callback after each request completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchProgress {
    /// Inputs embedded so far.
    pub embedded: usize,
    /// Inputs failed so far (invalid inputs included).
    pub failed: usize,
    /// All inputs.
    pub total: usize,
    /// Requests completed (successfully or not).
    pub requests_done: usize,
    /// Requests the batch needs.
    pub requests_total: usize,
}

type ProgressFn = dyn Fn(&BatchProgress) + Send + Sync;

/// How [`crate::embeddings::TitanEmbed::embed_batch`] (and the other wrappers') run a batch.
#[derive(Clone)]
pub struct BatchOptions {
    concurrency: usize,
    input_type: InputType,
    batch_size: Option<usize>,
    progress: Option<Arc<ProgressFn>>,
}

impl Default for BatchOptions {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            input_type: InputType::Document,
            batch_size: None,
            progress: None,
        }
    }
}

impl fmt::Debug for BatchOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchOptions")
            .field("concurrency", &self.concurrency)
            .field("input_type", &self.input_type)
            .field("batch_size", &self.batch_size)
            .field("progress", &self.progress.as_ref().map(|_| "Fn"))
            .finish()
    }
}

impl BatchOptions {
    /// Defaults: [`DEFAULT_CONCURRENCY`] requests in flight, [`InputType::Document`], the
    /// model's largest batches, no progress callback.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests in flight at once (at least 1; default [`DEFAULT_CONCURRENCY`]).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// What the inputs are for (default [`InputType::Document`]).
    pub fn input_type(mut self, input_type: InputType) -> Self {
        self.input_type = input_type;
        self
    }

    /// At most this many inputs per request, below the model's own limit (default: the
    /// model's limit).
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = Some(n.max(1));
        self
    }

    /// Called after each request completes, from the task awaiting the batch.
    pub fn on_progress(mut self, f: impl Fn(&BatchProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }
}

/// One input that could not be embedded.
#[derive(Debug)]
#[non_exhaustive]
pub struct BatchFailure {
    /// Its position in the inputs.
    pub index: usize,
    /// Why: an invalid input (never sent), or the error of its request after retries.
    pub error: Error,
}

/// The outcome of a batch: every embedding in input order, and the inputs that failed.
#[derive(Debug)]
#[non_exhaustive]
pub struct BatchReport {
    /// One entry per input, in input order; `None` where the input failed.
    pub embeddings: Vec<Option<Embedding>>,
    /// The failed inputs, by index.
    pub failures: Vec<BatchFailure>,
    /// Input tokens of the successful requests, where the model reports them.
    pub usage: Usage,
    /// The request ids of the successful requests, in completion order.
    pub request_ids: Vec<String>,
    /// Requests sent (retries not counted).
    pub requests: usize,
    /// Inputs whose text was cut to fit the model (with [`Truncation::End`] or `Start`).
    pub truncated: Vec<usize>,
    /// Wall time of the whole batch.
    pub elapsed: Duration,
}

impl BatchReport {
    /// Whether every input was embedded.
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty()
    }

    /// The embedded inputs with their indexes.
    pub fn succeeded(&self) -> impl Iterator<Item = (usize, &Embedding)> {
        self.embeddings
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.as_ref().map(|e| (i, e)))
    }

    /// The indexes of the failed inputs.
    pub fn failed_indices(&self) -> Vec<usize> {
        self.failures.iter().map(|f| f.index).collect()
    }

    /// Every embedding in input order, or the error of the first failed input.
    pub fn into_embeddings(self) -> Result<Vec<Embedding>> {
        if let Some(first) = self.failures.into_iter().next() {
            return Err(first.error);
        }
        Ok(self.embeddings.into_iter().flatten().collect())
    }
}

/// A request's inputs with their positions.
struct Chunk {
    items: Vec<(usize, Prepared)>,
}

struct Outcome {
    indices: Vec<usize>,
    result: Result<Done>,
}

struct Done {
    embeddings: Vec<Embedding>,
    tokens: Option<u32>,
    request_id: Option<String>,
    shortened: Vec<usize>,
}

/// Groups inputs by kind (texts, images, both) keeping their order, in chunks of the model's
/// limit (and `cap`).
fn plan<B: EmbedBackend>(
    backend: &B,
    prepared: Vec<(usize, Prepared)>,
    cap: Option<usize>,
) -> Vec<Chunk> {
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut open: [Option<usize>; 3] = [None; 3];
    for (index, p) in prepared {
        let kind = p.kind() as usize;
        let limit = backend
            .batch_limit(&p)
            .min(cap.unwrap_or(usize::MAX))
            .max(1);
        match open[kind] {
            Some(c) if chunks[c].items.len() < limit => chunks[c].items.push((index, p)),
            _ => {
                open[kind] = Some(chunks.len());
                chunks.push(Chunk {
                    items: vec![(index, p)],
                });
            }
        }
    }
    chunks
}

/// `(max, count)` from Titan's `Too many input tokens. Max input tokens: 8192, request input
/// token count: 9875` (aws-samples/amazon-bedrock-workshop issue #136).
fn token_overflow(e: &Error) -> Option<(f64, f64)> {
    if e.kind() != ErrorKind::Validation {
        return None;
    }
    let msg = e.message();
    let number_after = |label: &str| -> Option<f64> {
        let rest = &msg[msg.find(label)? + label.len()..];
        let digits: String = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    let max = number_after("Max input tokens:")?;
    let count = number_after("request input token count:")?;
    (count > max && max > 0.0).then_some((max, count))
}

async fn run_chunk<B: EmbedBackend>(backend: &B, chunk: Chunk, input_type: InputType) -> Outcome {
    let indices: Vec<usize> = chunk.items.iter().map(|(i, _)| *i).collect();
    let mut items: Vec<Prepared> = chunk.items.into_iter().map(|(_, p)| p).collect();
    let mut shortened = Vec::new();
    // A text over the model's token limit, with truncation chosen, is cut in proportion to the
    // service's own token count and sent again (twice at most).
    let mut cuts_left = 2;
    let result = loop {
        let refs: Vec<&Prepared> = items.iter().collect();
        let bytes = match backend.body(&refs, input_type).and_then(|request| {
            let body = serde_json::to_value(&request).expect("typed bodies serialize");
            check_body(backend.family(), &body)?;
            Ok(serde_json::to_vec(&body).expect("JSON values serialize"))
        }) {
            Ok(b) => b,
            Err(e) => break Err(e),
        };
        let attempt = async {
            let invoked = invoke_bytes::<ResponseOf<B>>(
                backend.client(),
                backend.model_id(),
                bytes,
                &Default::default(),
            )
            .await?;
            let request_id = invoked.request_id.as_deref();
            let (embeddings, tokens) = backend.decode(&invoked.value, request_id, items.len())?;
            // The body's count where the family has one, else the response header's.
            let tokens = tokens.or(invoked.usage.input_tokens);
            Ok::<_, Error>(Done {
                embeddings,
                tokens,
                request_id: invoked.request_id,
                shortened: Vec::new(),
            })
        }
        .await;
        let truncation = backend.truncation().unwrap_or_default();
        match attempt {
            Err(e) if cuts_left > 0 && items.len() == 1 && truncation != Truncation::None => {
                let Some((max, count)) = token_overflow(&e) else {
                    break Err(e);
                };
                let Some(text) = items[0].text.as_deref() else {
                    break Err(e);
                };
                let keep = (max / count) * 0.95;
                items[0].text = Some(shorten(text, keep, truncation));
                items[0].truncated = true;
                shortened = vec![indices[0]];
                cuts_left -= 1;
            }
            other => break other,
        }
    };
    Outcome {
        indices,
        result: result.map(|mut d| {
            d.shortened = shortened;
            d
        }),
    }
}

/// Checks every input; returns the prepared ones and the invalid ones.
pub(crate) fn prepare_all<B: EmbedBackend>(
    backend: &B,
    inputs: &[EmbedInput],
) -> (Vec<(usize, Prepared)>, Vec<BatchFailure>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        let location = if inputs.len() == 1 {
            "input".to_owned()
        } else {
            format!("inputs[{index}]")
        };
        match backend.prepare(&location, input) {
            Ok(p) => ok.push((index, p)),
            Err(error) => bad.push(BatchFailure { index, error }),
        }
    }
    (ok, bad)
}

/// Runs a batch. With `fail_fast`, stops at the first failed request and returns its error.
pub(crate) async fn execute<B: EmbedBackend>(
    backend: &B,
    inputs: &[EmbedInput],
    options: &BatchOptions,
    fail_fast: bool,
) -> Result<BatchReport> {
    let started = Instant::now();
    let total = inputs.len();
    let (prepared, mut failures) = prepare_all(backend, inputs);
    if fail_fast && let Some(first) = failures.drain(..).next() {
        return Err(first.error);
    }
    let mut truncated: Vec<usize> = prepared
        .iter()
        .filter(|(_, p)| p.truncated)
        .map(|(i, _)| *i)
        .collect();
    let chunks = plan(backend, prepared, options.batch_size);
    let mut progress = BatchProgress {
        embedded: 0,
        failed: failures.len(),
        total,
        requests_done: 0,
        requests_total: chunks.len(),
    };
    let mut report = BatchReport {
        embeddings: vec![None; total],
        failures: Vec::new(),
        usage: Usage::default(),
        request_ids: Vec::new(),
        requests: chunks.len(),
        truncated: Vec::new(),
        elapsed: Duration::ZERO,
    };
    let mut tokens: Option<u32> = None;
    let input_type = options.input_type;
    let mut outcomes = futures_util::stream::iter(
        chunks
            .into_iter()
            .map(|chunk| run_chunk(backend, chunk, input_type)),
    )
    .buffer_unordered(options.concurrency.max(1));
    while let Some(outcome) = outcomes.next().await {
        progress.requests_done += 1;
        match outcome.result {
            Ok(done) => {
                if done.embeddings.len() != outcome.indices.len() {
                    let e = super::model::bad_response(
                        format!(
                            "the response has {} vectors for {} inputs",
                            done.embeddings.len(),
                            outcome.indices.len()
                        ),
                        done.request_id.clone(),
                    );
                    if fail_fast {
                        return Err(e);
                    }
                    for &index in &outcome.indices {
                        failures.push(BatchFailure {
                            index,
                            error: clone_error(&e),
                        });
                    }
                    progress.failed += outcome.indices.len();
                } else {
                    for (index, embedding) in outcome.indices.iter().zip(done.embeddings) {
                        report.embeddings[*index] = Some(embedding);
                    }
                    progress.embedded += outcome.indices.len();
                    if let Some(t) = done.tokens {
                        tokens = Some(tokens.unwrap_or(0) + t);
                    }
                    report.request_ids.extend(done.request_id);
                    truncated.extend(done.shortened);
                }
            }
            Err(error) => {
                if fail_fast {
                    return Err(error);
                }
                progress.failed += outcome.indices.len();
                for &index in &outcome.indices {
                    failures.push(BatchFailure {
                        index,
                        error: clone_error(&error),
                    });
                }
            }
        }
        if let Some(f) = &options.progress {
            f(&progress);
        }
    }
    failures.sort_by_key(|f| f.index);
    truncated.sort_unstable();
    truncated.dedup();
    report.failures = failures;
    report.truncated = truncated;
    report.usage = Usage::new(tokens, None);
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Embeds `inputs` with no failure tolerated: every input is checked before any request.
pub(crate) async fn embed_all<B: EmbedBackend>(
    backend: &B,
    inputs: Vec<EmbedInput>,
    input_type: InputType,
) -> Result<EmbedDetails> {
    let options = BatchOptions::default().input_type(input_type);
    let report = execute(backend, &inputs, &options, true).await?;
    Ok(EmbedDetails {
        embeddings: report.embeddings.into_iter().flatten().collect(),
        usage: report.usage,
        request_ids: report.request_ids,
        requests: report.requests,
        latency: report.elapsed,
        model_id: backend.model_id().to_owned(),
        input_type,
        truncated: report.truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ServiceError;

    #[test]
    fn token_overflow_reads_titan_s_message() {
        let e = Error::from(ServiceError::new(
            ErrorKind::Validation,
            "400 Bad Request: Too many input tokens. Max input tokens: 8192, request input token count: 9875",
        ));
        assert_eq!(token_overflow(&e), Some((8192.0, 9875.0)));
        let other = Error::from(ServiceError::new(ErrorKind::Validation, "Malformed input"));
        assert_eq!(token_overflow(&other), None);
    }
}
