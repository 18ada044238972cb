//! Property-based fuzzing (issue 11, item 6) on stable Rust, with proptest and a fixed seed:
//!
//! - [`decode`]: every family's InvokeModel response (and the Converse response), mutated,
//!   served with status 200 by a loopback server to the SDK's public decode paths;
//! - [`event_stream`]: event streams cut, truncated, corrupted and laced with exceptions,
//!   served as `application/vnd.amazon.eventstream` to the SDK's streaming calls;
//! - [`local_server`]: arbitrary request lines, headers, SigV4 `Authorization` headers and
//!   bodies sent to `bedrock-fm-local` over raw TCP.
//!
//! (The catalog reader's target is in `bedrock-fm-codegen/tests/fuzz_catalog.rs`.)
//!
//! Every case must end without a panic (anywhere: test thread, spawned tasks, the server's
//! threads — a panic hook records them) and within a time bound, in `Ok` or a typed error.
//! `cargo test` runs [`DEFAULT_CASES`] cases per target; `BEDROCK_FM_FUZZ_CASES=100000` runs
//! longer. Each target prints its executions and outcomes to stderr (`--nocapture`, or
//! nextest's `--no-capture`, shows them).

mod decode;
mod event_stream;
mod families;
mod frames;
mod local_server;
mod loopback;
mod mutate;
mod request_cases;
mod sigv4;

use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::collections::BTreeMap;
use std::sync::{Mutex, Once};

/// Cases per target under `cargo test`.
pub(crate) const DEFAULT_CASES: u32 = 256;

/// The environment variable that sets the cases per target.
pub(crate) const CASES_VAR: &str = "BEDROCK_FM_FUZZ_CASES";

/// The cases per target: [`CASES_VAR`] if set, else [`DEFAULT_CASES`].
pub(crate) fn cases() -> u32 {
    std::env::var(CASES_VAR)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

/// A deterministic runner: ChaCha seeded from the target's name (the same inputs on every
/// run and machine), `cases` cases, no failure persistence (nothing written to the tree).
pub(crate) fn runner(target: &str, cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    };
    let mut seed = [0u8; 32];
    for (i, b) in target.bytes().enumerate() {
        seed[i % 32] ^= b.rotate_left((i / 32) as u32);
    }
    seed[31] ^= 0x5a;
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed))
}

/// Panics seen anywhere in the process since [`install_panic_hook`].
static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Records every panic (message and location), on any thread, then runs the default hook.
pub(crate) fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let thread = std::thread::current().name().unwrap_or("?").to_owned();
            if let Ok(mut p) = PANICS.lock() {
                p.push(format!("panic on thread {thread} at {location}: {message}"));
            }
            default(info);
        }));
    });
}

/// The panics recorded so far, emptied.
pub(crate) fn take_panics() -> Vec<String> {
    PANICS
        .lock()
        .map(|mut p| std::mem::take(&mut *p))
        .unwrap_or_default()
}

/// Outcome counts of one target.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) executions: u64,
    pub(crate) ok: u64,
    pub(crate) err: BTreeMap<String, u64>,
    pub(crate) other: BTreeMap<String, u64>,
}

impl Tally {
    pub(crate) fn ok(&mut self) {
        self.executions += 1;
        self.ok += 1;
    }

    pub(crate) fn err(&mut self, kind: impl Into<String>) {
        self.executions += 1;
        *self.err.entry(kind.into()).or_default() += 1;
    }

    /// Counts something else about an execution (not an execution itself).
    pub(crate) fn note(&mut self, what: impl Into<String>) {
        *self.other.entry(what.into()).or_default() += 1;
    }

    pub(crate) fn record(&mut self, outcome: &Result<(), bedrock_fm::Error>) {
        match outcome {
            Ok(()) => self.ok(),
            Err(e) => self.err(kind_name(e)),
        }
    }

    /// `executions N, ok N, err {Kind: N, ...}[, notes {...}]`.
    pub(crate) fn summary(&self) -> String {
        let map = |m: &BTreeMap<String, u64>| {
            m.iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut s = format!(
            "executions {}, ok {}, err {{{}}}",
            self.executions,
            self.ok,
            map(&self.err)
        );
        if !self.other.is_empty() {
            s.push_str(&format!(", notes {{{}}}", map(&self.other)));
        }
        s
    }
}

/// The error's kind as a short name (`Decode`, `ModelStreamError`, `Http(500)`, ...).
pub(crate) fn kind_name(e: &bedrock_fm::Error) -> String {
    match e.kind() {
        bedrock_fm::ErrorKind::Unknown(code) => format!("Unknown({code})"),
        k => format!("{k:?}"),
    }
}

/// Prints `fuzz <target>: <summary>, panics 0` to stderr.
pub(crate) fn report(target: &str, tally: &Tally) {
    eprintln!("fuzz {target}: {}, panics 0", tally.summary());
}

/// Runs `runner` over `strategy`; a failing case (a panic, a hang, a broken property) fails
/// the test with the shrunk input. Panics on other threads fail the case they happen in.
pub(crate) fn run<S, F>(target: &str, strategy: S, test: F)
where
    S: proptest::strategy::Strategy,
    S::Value: std::fmt::Debug,
    F: Fn(S::Value) -> Result<(), proptest::test_runner::TestCaseError>,
{
    install_panic_hook();
    let mut runner = runner(target, cases());
    let result = runner.run(&strategy, |value| {
        let r = test(value);
        let panics = take_panics();
        if !panics.is_empty() {
            return Err(proptest::test_runner::TestCaseError::fail(
                panics.join("\n"),
            ));
        }
        r
    });
    if let Err(e) = result {
        panic!("fuzz {target} found a failing input: {e}");
    }
}

/// Runs a target's body on a thread with a large stack: proptest's nested strategies of
/// these request and stream shapes need more than a test thread's 2 MiB in debug builds.
/// A panic in `body` fails the calling test.
pub(crate) fn on_big_stack(body: fn()) {
    let handle = std::thread::Builder::new()
        .name(std::thread::current().name().unwrap_or("fuzz").to_owned())
        .stack_size(256 << 20)
        .spawn(body)
        .expect("a fuzz thread");
    if let Err(panic) = handle.join() {
        std::panic::resume_unwind(panic);
    }
}

/// A current-thread Tokio runtime with timers and I/O.
pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime")
}
