//! `cargo run --release -p bedrock-fm-tests --bin soak -- [CALLS] [CONCURRENCY]` (defaults
//! 10000 and 64): a soak run of bedrock-fm's default client (its default [`RetryPolicy`])
//! against bedrock-fm-local on loopback, under injected faults. Scenarios:
//!
//! 1. CALLS Converse calls, 20% of model requests throttled (the server's `throttle_rate`);
//! 2. CALLS Converse calls, 20% of attempts answered 503/500 (the fault header
//!    `x-bedrock-fm-local-fault: unavailable | internal`, added per attempt by an SDK
//!    interceptor);
//! 3. CALLS ConverseStream and 4. CALLS InvokeModel streams (Titan), 10% of attempts failing
//!    mid-stream (`stream-error-after=N` or `drop-after=N`, N from 0 to 4: N = 0 fails before
//!    the first token, which is retried).
//!
//! Each scenario gets its own server: this binary started again as a child (`--serve`), so
//! that the child's peak resident memory (`VmHWM` of `/proc/<pid>/status`) is the server's
//! alone, and its request counter gives the attempts. Every prompt carries a unique token
//! (`c<N>z`); the local model's reply echoes the start of the prompt, so a reply (or the
//! partial text of a failed stream) that names another call's token, or a complete reply
//! that does not name its own, is a mix-up. Prints a table; asserts nothing about timing.

use aws_sdk_bedrockruntime::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_bedrockruntime::config::{
    BehaviorVersion, ConfigBag, Credentials, Intercept, Region, RuntimeComponents,
    StalledStreamProtectionConfig, retry::RetryConfig,
};
use aws_sdk_bedrockruntime::error::BoxError;
use bedrock_fm::{Api, Claude3, Client, Error, Titan};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";
const TITAN: &str = "amazon.titan-text-premier-v1:0";

/// The server, as a child process.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    endpoint: String,
}

impl Server {
    fn start(throttle_rate: f64) -> Self {
        let exe = std::env::current_exe().expect("the soak binary's path");
        let mut child = Command::new(exe)
            .args(["--serve", &throttle_rate.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the server child");
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut endpoint = String::new();
        stdout.read_line(&mut endpoint).expect("the endpoint line");
        Self {
            child,
            stdin,
            stdout,
            endpoint: endpoint.trim().to_owned(),
        }
    }

    /// Requests the server has received.
    fn requests(&mut self) -> u64 {
        let stdin = self.stdin.as_mut().expect("the child's stdin");
        writeln!(stdin, "stats")
            .and_then(|_| stdin.flush())
            .expect("ask for stats");
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("the stats line");
        line.trim().parse().expect("a request count")
    }

    /// The child's peak resident set size, in KiB.
    fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    fn stop(mut self) {
        drop(self.stdin.take()); // the child exits at the end of its stdin
        let _ = self.child.wait();
    }
}

/// The child: a bedrock-fm-local server on 127.0.0.1:0 throttling `rate` of model requests.
/// Prints its endpoint, answers each `stats` line on stdin with its request count, and exits
/// at the end of stdin.
fn serve(rate: f64) {
    let mut faults = bedrock_fm_local::FaultConfig::default();
    if rate > 0.0 {
        faults.throttle_rate = Some(rate);
    }
    let server = bedrock_fm_local::start_with(bedrock_fm_local::Config::default().faults(faults));
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", server.endpoint())
        .and_then(|_| out.flush())
        .unwrap();
    for line in std::io::stdin().lock().lines() {
        match line {
            Ok(l) if l.trim() == "stats" => {
                writeln!(out, "{}", server.request_count())
                    .and_then(|_| out.flush())
                    .unwrap();
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    server.shutdown();
}

/// Adds the fault header to a deterministic pseudo-random `per_mille` of attempts, with
/// values drawn from `faults` in turn.
#[derive(Debug)]
struct FaultHeader {
    per_mille: u64,
    faults: Vec<String>,
    draws: AtomicU64,
    injected: Arc<AtomicU64>,
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Intercept for FaultHeader {
    fn name(&self) -> &'static str {
        "SoakFaultHeader"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let n = self.draws.fetch_add(1, Ordering::Relaxed);
        let draw = splitmix(n ^ 0x50a4);
        if draw % 1000 < self.per_mille {
            let fault = &self.faults[(draw / 1000) as usize % self.faults.len()];
            context
                .request_mut()
                .headers_mut()
                .insert(bedrock_fm_local::FAULT_HEADER, fault.clone());
            self.injected.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// bedrock-fm's default client (default retry policy) for `endpoint`, with the fault header
/// on `per_mille` of attempts.
fn client(endpoint: &str, per_mille: u64, faults: &[&str]) -> (Client, Arc<AtomicU64>) {
    use bedrock_fm_local::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};
    let injected = Arc::new(AtomicU64::new(0));
    let config = aws_sdk_bedrockruntime::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            TEST_ACCESS_KEY_ID,
            TEST_SECRET_ACCESS_KEY,
            None,
            None,
            "soak",
        ))
        // As `Client::from_sdk_config` does: bedrock-fm's policy is the only one.
        .retry_config(RetryConfig::disabled())
        .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
        .interceptor(FaultHeader {
            per_mille,
            faults: faults.iter().map(|f| f.to_string()).collect(),
            draws: AtomicU64::new(0),
            injected: injected.clone(),
        })
        .build();
    let client = Client::from_sdk_client(aws_sdk_bedrockruntime::Client::from_conf(config));
    (client, injected)
}

/// What one call ended with.
enum Outcome {
    Ok(String),
    Err(Error),
}

fn prompt(n: usize) -> String {
    format!("Soak call c{n}z asks about the rivers and lakes of Europe")
}

/// The call tokens (`c<N>z`) a text names.
fn call_tokens(text: &str) -> Vec<usize> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter_map(|w| w.strip_prefix('c')?.strip_suffix('z')?.parse().ok())
        .collect()
}

#[derive(Default)]
struct Row {
    scenario: String,
    calls: usize,
    ok: usize,
    failed: BTreeMap<String, usize>,
    attempts: u64,
    injected: u64,
    mixups: usize,
    partial: usize,
    peak_rss_kib: Option<u64>,
    elapsed: Duration,
}

async fn run_scenario<F, Fut>(
    scenario: &str,
    calls: usize,
    concurrency: usize,
    throttle_rate: f64,
    per_mille: u64,
    faults: &[&str],
    call: F,
) -> Row
where
    F: Fn(Client, String) -> Fut + 'static,
    Fut: std::future::Future<Output = Outcome> + 'static,
{
    let mut server = Server::start(throttle_rate);
    let (client, injected) = client(&server.endpoint, per_mille, faults);
    let call = std::rc::Rc::new(call);
    let next = std::rc::Rc::new(std::cell::Cell::new(0usize));
    let started = Instant::now();
    // Workers on one thread (a `LocalSet`): bedrock-fm's call futures are not `Send` (the
    // retry loop holds a `Cell` across awaits), so they cannot go to `tokio::spawn`.
    let local = tokio::task::LocalSet::new();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, call, next) = (client.clone(), call.clone(), next.clone());
        workers.spawn_local_on(
            async move {
                let mut results = Vec::new();
                loop {
                    let n = next.get();
                    if n >= calls {
                        break;
                    }
                    next.set(n + 1);
                    results.push((n, call(client.clone(), prompt(n)).await));
                }
                results
            },
            &local,
        );
    }
    let mut row = Row {
        scenario: scenario.to_owned(),
        calls,
        ..Row::default()
    };
    let all = local
        .run_until(async move {
            let mut all = Vec::new();
            while let Some(results) = workers.join_next().await {
                all.extend(results.expect("a worker"));
            }
            all
        })
        .await;
    {
        for (n, outcome) in all {
            match outcome {
                Outcome::Ok(text) => {
                    row.ok += 1;
                    let tokens = call_tokens(&text);
                    if !tokens.contains(&n) || tokens.iter().any(|t| *t != n) {
                        row.mixups += 1;
                    }
                }
                Outcome::Err(e) => {
                    *row.failed.entry(format!("{:?}", e.kind())).or_default() += 1;
                    if let Some(partial) = e.partial_output().filter(|p| !p.is_empty()) {
                        row.partial += 1;
                        if call_tokens(partial).iter().any(|t| *t != n) {
                            row.mixups += 1;
                        }
                    }
                }
            }
        }
    }
    row.elapsed = started.elapsed();
    row.attempts = server.requests();
    row.injected = injected.load(Ordering::Relaxed);
    row.peak_rss_kib = server.peak_rss_kib();
    server.stop();
    row
}

fn print(rows: &[Row], concurrency: usize) {
    println!(
        "{:<44} {:>7} {:>9} {:<36} {:>9} {:>9} {:>8} {:>13} {:>10} {:>8}",
        format!("scenario (concurrency {concurrency})"),
        "calls",
        "succeeded",
        "failed by kind",
        "attempts",
        "injected",
        "mix-ups",
        "partial-text",
        "server RSS",
        "seconds"
    );
    for r in rows {
        let failed = if r.failed.is_empty() {
            "0".to_owned()
        } else {
            r.failed
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!(
            "{:<44} {:>7} {:>9} {:<36} {:>9} {:>9} {:>8} {:>13} {:>10} {:>8.1}",
            r.scenario,
            r.calls,
            r.ok,
            failed,
            r.attempts,
            r.injected,
            r.mixups,
            r.partial,
            r.peak_rss_kib
                .map_or("?".to_owned(), |k| format!("{:.1} MiB", k as f64 / 1024.0)),
            r.elapsed.as_secs_f64()
        );
    }
    println!();
    println!(
        "attempts: requests the server received (its counter); injected: fault headers the client \
         added (5xx and stream scenarios; throttling is drawn by the server); partial-text: typed \
         errors that kept the text received before a mid-stream failure; server RSS: peak \
         resident memory (VmHWM) of the server process."
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--serve") {
        let rate = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(0.0);
        serve(rate);
        return;
    }
    let calls: usize = args.first().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let concurrency: usize = args
        .get(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(64)
        .max(1);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let rows = runtime.block_on(async {
        let converse = |client: Client, prompt: String| async move {
            let model = Claude3::builder(&client, HAIKU)
                .api(Api::Converse)
                .max_tokens(48)
                .build()
                .expect("a Claude 3 model");
            match model.generate(&prompt).await {
                Ok(mut texts) => Outcome::Ok(texts.swap_remove(0)),
                Err(e) => Outcome::Err(e),
            }
        };
        let mid_stream = ["stream-error-after=", "drop-after="];
        let stream_faults: Vec<String> = (0..5)
            .flat_map(|n| mid_stream.iter().map(move |f| format!("{f}{n}")))
            .collect();
        let stream_faults: Vec<&str> = stream_faults.iter().map(String::as_str).collect();
        vec![
            run_scenario(
                "Converse, 20% throttled",
                calls,
                concurrency,
                0.2,
                0,
                &["throttle"],
                converse,
            )
            .await,
            run_scenario(
                "Converse, 20% 5xx (503/500)",
                calls,
                concurrency,
                0.0,
                200,
                &["unavailable", "internal"],
                converse,
            )
            .await,
            run_scenario(
                "ConverseStream, 10% mid-stream faults",
                calls,
                concurrency,
                0.0,
                100,
                &stream_faults,
                |client: Client, prompt: String| async move {
                    let model = Claude3::builder(&client, HAIKU)
                        .api(Api::Converse)
                        .max_tokens(48)
                        .build()
                        .expect("a Claude 3 model");
                    let stream = match model.generate_stream(&prompt).await {
                        Ok(s) => s,
                        Err(e) => return Outcome::Err(e),
                    };
                    match stream.details().await {
                        Ok(d) => Outcome::Ok(d.output),
                        Err(e) => Outcome::Err(e),
                    }
                },
            )
            .await,
            run_scenario(
                "InvokeModel stream (Titan), 10% mid-stream",
                calls,
                concurrency,
                0.0,
                100,
                &stream_faults,
                |client: Client, prompt: String| async move {
                    let model = Titan::builder(&client, TITAN)
                        .max_tokens(48)
                        .build()
                        .expect("a Titan model");
                    let stream = match model.generate_stream(&prompt).await {
                        Ok(s) => s,
                        Err(e) => return Outcome::Err(e),
                    };
                    match stream.details().await {
                        Ok(d) => Outcome::Ok(d.output),
                        Err(e) => Outcome::Err(e),
                    }
                },
            )
            .await,
        ]
    });
    print(&rows, concurrency);
}
