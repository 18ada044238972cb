//! `bedrock-fm-local`: a local Amazon Bedrock Runtime server.
//!
//! Prints its endpoint (`http://127.0.0.1:PORT`) as the first line on stdout once it accepts
//! connections, then serves until killed.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use bedrock_fm::catalog::Family;
use bedrock_fm_local::{
    Config, FaultConfig, Guardrail, MAX_FAULT_DELAY, TEST_ACCESS_KEY_ID, TEST_BEARER_TOKEN,
    TEST_SECRET_ACCESS_KEY,
};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, Parser};

/// The usage lines, as `--help` shows them first.
const USAGE: &str = "\
bedrock-fm-local [--port N] [--access-key-id ID --secret-access-key KEY] [--bearer-token T]
                        [--throttle-every N] [--throttle-rate R] [--latency-ms MS] [--first-token-ms MS]
                        [--token-interval-ms MS] [--fail-stream-after N] [--seed S]
                        [--guardrail ID:VERSION:TERM[,TERM...]]... [--model ID=FAMILY]...
                        [--application-profile ID=MODEL_ID]... [--request-log-capacity N]
                        [--request-log-max-bytes BYTES]";

const ABOUT: &str = "\
A local Amazon Bedrock Runtime server (InvokeModel, InvokeModelWithResponseStream, Converse,
ConverseStream, CountTokens) with deterministic models and fault injection. It binds 127.0.0.1,
prints its endpoint (http://127.0.0.1:PORT) as the first line on stdout once it accepts
connections, and serves until killed.";

const AFTER_HELP: &str = "\
Control-plane operations are served on the same endpoint: ListFoundationModels,
GetFoundationModel, ListInferenceProfiles, GetInferenceProfile.

Per request, the header `x-bedrock-fm-local-fault` scripts faults: throttle, unavailable,
internal, not-ready, timeout, model-error, drop, stream-error-after=N, drop-after=N, end-after=N,
latency-ms=N, first-token-ms=N (comma-separated; waits of at most 600000 ms).";

/// The command line of the server.
#[derive(Debug, Parser)]
#[command(
    name = "bedrock-fm-local",
    about = ABOUT,
    override_usage = USAGE,
    after_help = AFTER_HELP,
    help_template = "usage: {usage}\n\n{about}\n\noptions:\n{options}{after-help}",
    max_term_width = 100
)]
struct Cli {
    /// Port to bind on 127.0.0.1 (0: a free port).
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "N",
        default_value_t = 0
    )]
    port: u16,
    /// The SigV4 access key to accept (with --secret-access-key; default pair:
    /// AKIDLOCALTESTKEY00001 / bedrock-fm-local/test/secret/key/0000000001; any region,
    /// service `bedrock`).
    #[arg(long, allow_hyphen_values = true, value_name = "ID")]
    access_key_id: Option<String>,
    /// Its secret.
    #[arg(long, allow_hyphen_values = true, value_name = "KEY")]
    secret_access_key: Option<String>,
    /// The bearer token (Bedrock API key) to accept (default: bedrock-fm-local-test-api-key).
    #[arg(long, allow_hyphen_values = true, value_name = "T")]
    bearer_token: Option<String>,
    /// Answer every Nth model request with ThrottlingException.
    #[arg(long, allow_hyphen_values = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    throttle_every: Option<u32>,
    /// Throttle this fraction (0..1) of model requests, deterministically from the seed.
    #[arg(long, allow_hyphen_values = true, value_name = "R", value_parser = parse_rate)]
    throttle_rate: Option<f64>,
    /// Add latency before every model response (at most 600000: 10 minutes).
    #[arg(long, allow_hyphen_values = true, value_name = "MS", value_parser = delay_ms())]
    latency_ms: Option<u64>,
    /// Wait before the first event of every stream (at most 600000).
    #[arg(long, allow_hyphen_values = true, value_name = "MS", value_parser = delay_ms())]
    first_token_ms: Option<u64>,
    /// Wait between stream chunks (at most 600000).
    #[arg(long, allow_hyphen_values = true, value_name = "MS", value_parser = delay_ms())]
    token_interval_ms: Option<u64>,
    /// End every stream with a modelStreamErrorException after N chunks.
    #[arg(long, allow_hyphen_values = true, value_name = "N")]
    fail_stream_after: Option<u32>,
    /// Seed of the deterministic models.
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "S",
        default_value_t = 0
    )]
    seed: u64,
    /// Also accept guardrail ID ([a-z0-9]+) at VERSION (a number or DRAFT), blocking the
    /// comma-separated TERMS (whole words, any case); repeatable. The test guardrail
    /// localguardrail (versions 1 and DRAFT, blocking the word forbidden) is always there.
    #[arg(long, allow_hyphen_values = true, value_name = "ID:VERSION:TERMS", value_parser = parse_guardrail)]
    guardrail: Vec<Guardrail>,
    #[arg(long, allow_hyphen_values = true, value_name = "ID=FAMILY", help = model_help(), value_parser = parse_model)]
    model: Vec<(String, Family)>,
    /// An application inference profile, invokable by its ARN
    /// arn:aws:bedrock:REGION:ACCOUNT:application-inference-profile/ID and running MODEL_ID;
    /// repeatable.
    #[arg(long, allow_hyphen_values = true, value_name = "ID=MODEL_ID", value_parser = parse_application_profile)]
    application_profile: Vec<(String, String)>,
    /// How many requests the request log keeps (default 1000; every request is counted).
    #[arg(long, allow_hyphen_values = true, value_name = "N")]
    request_log_capacity: Option<usize>,
    /// How many bytes of requests (bodies, headers, paths) the log keeps at most (default
    /// 67108864: 64 MiB); the oldest go first.
    #[arg(long, allow_hyphen_values = true, value_name = "BYTES")]
    request_log_max_bytes: Option<usize>,
}

/// A delay flag in milliseconds, bounded by the faults' [`MAX_FAULT_DELAY`].
fn delay_ms() -> clap::builder::RangedU64ValueParser<u64> {
    let max = u64::try_from(MAX_FAULT_DELAY.as_millis()).unwrap_or(u64::MAX);
    clap::value_parser!(u64).range(0..=max)
}

/// The help of `--model`, with the family IDs filled in.
fn model_help() -> String {
    let families: Vec<&str> = Family::ALL.iter().map(|f| f.id()).collect();
    format!(
        "Also serve model ID (one the catalog does not know) with FAMILY's InvokeModel format \
         and over Converse, e.g. acme.chat-v1=claude_messages; a text family gives a text-only \
         chat model with tool use and streaming; repeatable. FAMILY is one of: {}",
        families.join(", ")
    )
}

fn parse_rate(value: &str) -> Result<f64, String> {
    let r: f64 = value
        .parse()
        .map_err(|_| format!("{value:?} is not a number"))?;
    if !(0.0..=1.0).contains(&r) {
        return Err("--throttle-rate must be between 0 and 1".into());
    }
    Ok(r)
}

/// `ID:VERSION:TERM[,TERM...]`.
fn parse_guardrail(value: &str) -> Result<Guardrail, String> {
    let bad = || format!("--guardrail takes ID:VERSION:TERM[,TERM...], not {value:?}");
    let mut parts = value.splitn(3, ':');
    let (Some(id), Some(version), Some(terms)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let id_ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let version_ok = version == "DRAFT"
        || (!version.is_empty()
            && version.len() <= 8
            && !version.starts_with('0')
            && version.chars().all(|c| c.is_ascii_digit()));
    let terms: Vec<&str> = terms
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if !id_ok || !version_ok || terms.is_empty() {
        return Err(bad());
    }
    Ok(Guardrail::new(id, version, &terms))
}

/// The help text.
fn usage() -> String {
    Cli::command().render_help().to_string()
}

/// `ID=FAMILY`.
fn parse_model(value: &str) -> Result<(String, Family), String> {
    let (id, family) = value
        .split_once('=')
        .filter(|(id, _)| !id.is_empty())
        .ok_or_else(|| format!("--model takes ID=FAMILY, not {value:?}"))?;
    let family = bedrock_fm_local::registry::family_by_id(family).ok_or_else(|| {
        let known: Vec<&str> = Family::ALL.iter().map(|f| f.id()).collect();
        format!(
            "unknown family {family:?} in --model (one of: {})",
            known.join(", ")
        )
    })?;
    Ok((id.to_owned(), family))
}

/// `ID=MODEL_ID`, the ID matching the service model's `InferenceProfileId`
/// (`[a-zA-Z0-9-:.]+`, at most 64 characters).
fn parse_application_profile(value: &str) -> Result<(String, String), String> {
    let bad = || format!("--application-profile takes ID=MODEL_ID, not {value:?}");
    let (id, model) = value.split_once('=').ok_or_else(bad)?;
    let id_ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.'));
    if !id_ok || model.is_empty() {
        return Err(bad());
    }
    Ok((id.to_owned(), model.to_owned()))
}

/// What is wrong with a command line, on one line, from clap's error.
fn describe(err: &clap::Error) -> String {
    if err.kind() == ErrorKind::UnknownArgument
        && let Some(ContextValue::String(arg)) = err.get(ContextKind::InvalidArg)
    {
        return format!("unknown argument {arg:?}");
    }
    let rendered = err.render().to_string();
    let what: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|line| !line.starts_with("Usage:") && !line.starts_with("usage:"))
        .filter(|line| !line.is_empty() && !line.starts_with("For more information"))
        .map(|line| line.strip_prefix("error: ").unwrap_or(line))
        .collect();
    what.join("; ")
}

/// The server's configuration from the arguments after the program name; `None` for
/// `--help`.
fn parse_args(args: &[String]) -> Result<Option<Config>, String> {
    let argv = std::iter::once("bedrock-fm-local").chain(args.iter().map(String::as_str));
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) if e.kind() == ErrorKind::DisplayHelp => return Ok(None),
        Err(e) => return Err(describe(&e)),
    };
    let mut config = Config::default();
    config.port = cli.port;
    config.seed = cli.seed;
    if let Some(n) = cli.request_log_capacity {
        config.request_log_capacity = n;
    }
    if let Some(n) = cli.request_log_max_bytes {
        config.request_log_max_bytes = n;
    }
    if let Some(token) = cli.bearer_token {
        config.bearer_tokens = vec![token];
    }
    for guardrail in cli.guardrail {
        config = config.add_guardrail(guardrail);
    }
    for (id, family) in cli.model {
        config = config.register_model(id, family);
    }
    for (id, model) in cli.application_profile {
        config = config.application_profile(id, model);
    }
    match (cli.access_key_id, cli.secret_access_key) {
        (Some(id), Some(secret)) => config = config.credentials(&id, &secret),
        (None, None) => {}
        _ => return Err("--access-key-id and --secret-access-key go together".into()),
    }
    let ms = |v: Option<u64>| Duration::from_millis(v.unwrap_or(0));
    let mut faults = FaultConfig::default();
    faults.throttle_every = cli.throttle_every;
    faults.throttle_rate = cli.throttle_rate;
    faults.latency = ms(cli.latency_ms);
    faults.first_token_latency = ms(cli.first_token_ms);
    faults.token_interval = ms(cli.token_interval_ms);
    faults.fail_stream_after = cli.fail_stream_after;
    config.faults = faults;
    Ok(Some(config))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse_args(&args) {
        Ok(Some(c)) => c,
        Ok(None) => {
            println!("{}", usage().trim_end());
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("bedrock-fm-local: {e}\n\nusage: {USAGE}\n\nSee `bedrock-fm-local --help`.");
            return ExitCode::from(2);
        }
    };
    let default_creds = config
        .credentials
        .first()
        .is_some_and(|c| c.access_key_id == TEST_ACCESS_KEY_ID);
    let default_token = config.bearer_tokens.first().map(String::as_str) == Some(TEST_BEARER_TOKEN);
    let server = match bedrock_fm_local::try_start_with(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("bedrock-fm-local: cannot bind 127.0.0.1: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", server.endpoint());
    let _ = out.flush();
    drop(out);
    if default_creds {
        eprintln!(
            "bedrock-fm-local: accepting access key {TEST_ACCESS_KEY_ID} with secret {TEST_SECRET_ACCESS_KEY}"
        );
    }
    if default_token {
        eprintln!("bedrock-fm-local: accepting bearer token {TEST_BEARER_TOKEN}");
    }
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn parses_every_flag() {
        let c = parse_args(&args(&[
            "--port",
            "8080",
            "--access-key-id",
            "AK",
            "--secret-access-key",
            "SK",
            "--bearer-token",
            "T",
            "--throttle-every",
            "3",
            "--throttle-rate=0.25",
            "--latency-ms",
            "10",
            "--first-token-ms",
            "20",
            "--token-interval-ms",
            "5",
            "--fail-stream-after",
            "4",
            "--seed",
            "42",
            "--guardrail",
            "pii:2:ssn, passport",
            "--model",
            "acme.chat-v1=claude_messages",
            "--model=acme.embed-v1=titan_embed_text",
            "--application-profile",
            "myprofile1=us.amazon.nova-pro-v1:0",
            "--request-log-capacity",
            "10",
            "--request-log-max-bytes=4096",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(c.port, 8080);
        assert_eq!(c.credentials.len(), 1);
        assert_eq!(c.credentials[0].access_key_id, "AK");
        assert_eq!(c.credentials[0].secret_access_key, "SK");
        assert_eq!(c.bearer_tokens, vec!["T".to_owned()]);
        assert_eq!(c.faults.throttle_every, Some(3));
        assert_eq!(c.faults.throttle_rate, Some(0.25));
        assert_eq!(c.faults.latency, Duration::from_millis(10));
        assert_eq!(c.faults.first_token_latency, Duration::from_millis(20));
        assert_eq!(c.faults.token_interval, Duration::from_millis(5));
        assert_eq!(c.faults.fail_stream_after, Some(4));
        assert_eq!(c.seed, 42);
        assert_eq!(c.request_log_capacity, 10);
        assert_eq!(c.request_log_max_bytes, 4096);
        let g = c.guardrails.iter().find(|g| g.id == "pii").unwrap();
        assert_eq!(g.version, "2");
        assert_eq!(
            g.blocked_terms,
            vec!["ssn".to_owned(), "passport".to_owned()]
        );
        assert!(c.guardrails.iter().any(|g| g.id == "localguardrail"));
        let ids: Vec<(&str, &str)> = c
            .registered_models
            .iter()
            .map(|m| (m.model_id.as_str(), m.family.as_str()))
            .collect();
        assert_eq!(
            ids,
            vec![
                ("acme.chat-v1", "claude_messages"),
                ("acme.embed-v1", "titan_embed_text")
            ]
        );
        assert_eq!(c.application_profiles.len(), 1);
        assert_eq!(c.application_profiles[0].id, "myprofile1");
        assert_eq!(
            c.application_profiles[0].model_id,
            "us.amazon.nova-pro-v1:0"
        );
    }

    #[test]
    fn defaults_help_and_errors() {
        let c = parse_args(&[]).unwrap().unwrap();
        assert_eq!(c.port, 0);
        assert_eq!(c.credentials[0].access_key_id, TEST_ACCESS_KEY_ID);
        assert!(parse_args(&args(&["--help"])).unwrap().is_none());
        assert!(parse_args(&args(&["-h"])).unwrap().is_none());
        assert!(parse_args(&args(&["--port"])).is_err());
        assert!(parse_args(&args(&["--port", "x"])).is_err());
        assert!(parse_args(&args(&["--bogus"])).is_err());
        assert!(parse_args(&args(&["--access-key-id", "A"])).is_err());
        assert!(parse_args(&args(&["--throttle-rate", "2"])).is_err());
        assert!(parse_args(&args(&["--throttle-every", "0"])).is_err());
        assert_eq!(c.request_log_capacity, 1000);
        assert_eq!(c.request_log_max_bytes, 64 * 1024 * 1024);
        assert!(parse_args(&args(&["--request-log-capacity", "-1"])).is_err());
        assert!(parse_args(&args(&["--guardrail", "Bad-Id:1:x"])).is_err());
        assert!(parse_args(&args(&["--guardrail", "ok:01:x"])).is_err());
        assert!(parse_args(&args(&["--guardrail", "ok:1:"])).is_err());
        assert!(parse_args(&args(&["--guardrail", "ok:1"])).is_err());
        assert!(parse_args(&args(&["--model", "acme.x-v1"])).is_err());
        assert!(parse_args(&args(&["--model", "=claude_messages"])).is_err());
        let e = parse_args(&args(&["--model", "acme.x-v1=gpt"])).unwrap_err();
        assert!(e.contains("claude_messages"), "{e}");
        assert!(parse_args(&args(&["--application-profile", "p1"])).is_err());
        assert!(parse_args(&args(&["--application-profile", "p 1=m"])).is_err());
        assert!(parse_args(&args(&["--application-profile", "p1="])).is_err());
        assert!(usage().contains("titan_embed_text"));
    }

    #[test]
    fn the_clap_command_is_well_formed_and_errors_name_the_flag() {
        Cli::command().debug_assert();
        assert!(usage().starts_with("usage: bedrock-fm-local [--port N]"));
        assert_eq!(
            parse_args(&args(&["--nope"])).unwrap_err(),
            r#"unknown argument "--nope""#
        );
        for (bad, flag) in [
            (&["--port", "x"][..], "--port"),
            (&["--port"][..], "--port"),
            (&["--seed", "-1"][..], "--seed"),
            (&["--throttle-every", "0"][..], "--throttle-every"),
            (&["--port", "1", "--port", "2"][..], "--port"),
            (&["--latency-ms", "600001"][..], "--latency-ms"),
            (
                &["--first-token-ms", "18446744073709551615"][..],
                "--first-token-ms",
            ),
            (
                &["--token-interval-ms", "600001"][..],
                "--token-interval-ms",
            ),
        ] {
            let e = parse_args(&args(bad)).unwrap_err();
            assert!(e.contains(flag) && !e.contains('\n'), "{bad:?}: {e}");
        }
        assert_eq!(
            parse_args(&args(&["--port=8080"])).unwrap().unwrap().port,
            8080
        );
    }
}
