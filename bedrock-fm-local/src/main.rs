//! `bedrock-fm-local`: a local Amazon Bedrock Runtime server.
//!
//! Prints its endpoint (`http://127.0.0.1:PORT`) as the first line on stdout once it accepts
//! connections, then serves until killed.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use bedrock_fm::catalog::Family;
use bedrock_fm_local::{
    Config, FaultConfig, Guardrail, TEST_ACCESS_KEY_ID, TEST_BEARER_TOKEN, TEST_SECRET_ACCESS_KEY,
};

const USAGE: &str = "\
usage: bedrock-fm-local [--port N] [--access-key-id ID --secret-access-key KEY] [--bearer-token T]
                        [--throttle-every N] [--throttle-rate R] [--latency-ms MS] [--first-token-ms MS]
                        [--token-interval-ms MS] [--fail-stream-after N] [--seed S]
                        [--guardrail ID:VERSION:TERM[,TERM...]]... [--model ID=FAMILY]...
                        [--application-profile ID=MODEL_ID]...

A local Amazon Bedrock Runtime server (InvokeModel, InvokeModelWithResponseStream, Converse,
ConverseStream, CountTokens) with deterministic models and fault injection. It binds 127.0.0.1,
prints its endpoint (http://127.0.0.1:PORT) as the first line on stdout once it accepts
connections, and serves until killed.

options:
  --port N                 port to bind on 127.0.0.1 (default 0: a free port)
  --access-key-id ID       the SigV4 access key to accept (with --secret-access-key)
  --secret-access-key KEY  its secret
                           (default pair: AKIDLOCALTESTKEY00001 /
                            bedrock-fm-local/test/secret/key/0000000001; any region,
                            service `bedrock`)
  --bearer-token T         the bearer token (Bedrock API key) to accept
                           (default: bedrock-fm-local-test-api-key)
  --throttle-every N       answer every Nth model request with ThrottlingException
  --throttle-rate R        throttle this fraction (0..1) of model requests, deterministically
                           from the seed
  --latency-ms MS          add latency before every model response
  --first-token-ms MS      wait before the first event of every stream
  --token-interval-ms MS   wait between stream chunks
  --fail-stream-after N    end every stream with a modelStreamErrorException after N chunks
  --seed S                 seed of the deterministic models (default 0)
  --guardrail ID:VERSION:TERMS
                           also accept guardrail ID ([a-z0-9]+) at VERSION (a number or
                           DRAFT), blocking the comma-separated TERMS (whole words, any case);
                           repeatable. The test guardrail localguardrail (versions 1 and
                           DRAFT, blocking the word forbidden) is always there.
  --model ID=FAMILY        also serve model ID (one the catalog does not know) with FAMILY's
                           InvokeModel format and over Converse, e.g.
                           acme.chat-v1=claude_messages; a text family gives a text-only chat
                           model with tool use and streaming; repeatable. FAMILY is one of:
                           FAMILIES
  --application-profile ID=MODEL_ID
                           an application inference profile, invokable by its ARN
                           arn:aws:bedrock:REGION:ACCOUNT:application-inference-profile/ID
                           and running MODEL_ID; repeatable
  -h, --help               print this help

Control-plane operations are served on the same endpoint: ListFoundationModels,
GetFoundationModel, ListInferenceProfiles, GetInferenceProfile.

Per request, the header `x-bedrock-fm-local-fault` scripts faults: throttle, unavailable,
internal, not-ready, timeout, model-error, drop, stream-error-after=N, drop-after=N,
latency-ms=N, first-token-ms=N (comma-separated).
";

fn parse<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("invalid value {value:?} for {flag}"))
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

/// The help text, with the family IDs filled in.
fn usage() -> String {
    let families: Vec<&str> = Family::ALL.iter().map(|f| f.id()).collect();
    USAGE.replace("FAMILIES", &families.join(", "))
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

fn parse_args(args: &[String]) -> Result<Option<Config>, String> {
    let mut config = Config::default();
    let mut faults = FaultConfig::default();
    let mut key_id: Option<String> = None;
    let mut secret: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg == "-h" || arg == "--help" {
            return Ok(None);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let known = [
            "--port",
            "--access-key-id",
            "--secret-access-key",
            "--bearer-token",
            "--throttle-every",
            "--throttle-rate",
            "--latency-ms",
            "--first-token-ms",
            "--token-interval-ms",
            "--fail-stream-after",
            "--seed",
            "--guardrail",
            "--model",
            "--application-profile",
        ];
        if !known.contains(&flag.as_str()) {
            return Err(format!("unknown argument {arg:?}"));
        }
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                args.get(i)
                    .cloned()
                    .ok_or_else(|| format!("{flag} needs a value"))?
            }
        };
        match flag.as_str() {
            "--port" => config.port = parse(&flag, &value)?,
            "--access-key-id" => key_id = Some(value),
            "--secret-access-key" => secret = Some(value),
            "--bearer-token" => config.bearer_tokens = vec![value],
            "--throttle-every" => {
                let n: u32 = parse(&flag, &value)?;
                if n == 0 {
                    return Err("--throttle-every must be at least 1".into());
                }
                faults.throttle_every = Some(n);
            }
            "--throttle-rate" => {
                let r: f64 = parse(&flag, &value)?;
                if !(0.0..=1.0).contains(&r) {
                    return Err("--throttle-rate must be between 0 and 1".into());
                }
                faults.throttle_rate = Some(r);
            }
            "--latency-ms" => faults.latency = Duration::from_millis(parse(&flag, &value)?),
            "--first-token-ms" => {
                faults.first_token_latency = Duration::from_millis(parse(&flag, &value)?)
            }
            "--token-interval-ms" => {
                faults.token_interval = Duration::from_millis(parse(&flag, &value)?)
            }
            "--fail-stream-after" => faults.fail_stream_after = Some(parse(&flag, &value)?),
            "--seed" => config.seed = parse(&flag, &value)?,
            "--guardrail" => config = config.add_guardrail(parse_guardrail(&value)?),
            "--model" => {
                let (id, family) = parse_model(&value)?;
                config = config.register_model(id, family);
            }
            "--application-profile" => {
                let (id, model) = parse_application_profile(&value)?;
                config = config.application_profile(id, model);
            }
            _ => unreachable!("checked against the known flags"),
        }
        i += 1;
    }
    match (key_id, secret) {
        (Some(id), Some(secret)) => config = config.credentials(&id, &secret),
        (None, None) => {}
        _ => return Err("--access-key-id and --secret-access-key go together".into()),
    }
    config.faults = faults;
    Ok(Some(config))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse_args(&args) {
        Ok(Some(c)) => c,
        Ok(None) => {
            print!("{}", usage());
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("bedrock-fm-local: {e}\n\n{}", usage());
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
}
