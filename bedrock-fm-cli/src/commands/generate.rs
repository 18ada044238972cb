//! `bedrock-fm generate`: builds the wrapper of the model's family, calls it, prints the text
//! (or the details JSON).
//!
//! Every check the library makes before a request (model ID, text family, API, parameter
//! ranges, `extra_args` keys) runs first against a client that cannot reach anything, so that
//! bad input fails before the AWS configuration is loaded or the local server is started.

use crate::Failure;
use crate::args::GenerateArgs;
use crate::output;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use bedrock_fm::catalog::{FamilyKind, Model};
use bedrock_fm::{AnyTextModel, Client, Error};
use bedrock_fm_local::LocalServer;
use std::io::Write;

/// The wrapper for `args.model` with the options of the command line as its defaults.
fn build_model(client: &Client, args: &GenerateArgs) -> bedrock_fm::Result<AnyTextModel> {
    super::check_family_known(&args.model, args.family, args.api)?;
    let mut builder = AnyTextModel::builder(client, args.model.as_str());
    if let Some(api) = args.api {
        builder = builder.api(api);
    }
    if let Some(family) = args.family {
        builder = builder.family(family);
    }
    if let Some(t) = args.temperature {
        builder = builder.temperature(t);
    }
    if let Some(p) = args.top_p {
        builder = builder.top_p(p);
    }
    if let Some(n) = args.max_tokens {
        builder = builder.max_tokens(n);
    }
    if !args.stop.is_empty() {
        builder = builder.stop_words(args.stop.iter().cloned());
    }
    for (name, value) in &args.params {
        builder = builder.param_named(name, value.clone());
    }
    if let Some(extra) = &args.extra_args {
        builder = builder.extra_args(extra.clone());
    }
    builder.build()
}

/// Refuses a catalog model that does not generate text, naming the model and what it is.
fn check_text_model(id: &str) -> bedrock_fm::Result<()> {
    let Ok(resolved) = Model::resolve(id) else {
        // Unknown IDs and ARNs: the library says what is wrong.
        return Ok(());
    };
    let family = resolved.model.family();
    if family.kind() == FamilyKind::Text {
        return Ok(());
    }
    let kind = format!("{:?}", family.kind()).to_ascii_lowercase();
    Err(Error::invalid(
        "--model",
        format!(
            "{id} is an {kind} model ({}, wrapper `{}`), not a text family: `generate` needs \
             a text model (see `bedrock-fm models`)",
            family.name(),
            family.wrapper()
        ),
    ))
}

/// A client with no region, credentials or endpoint: only for building (checking) a wrapper.
fn offline_client() -> Client {
    let config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .build();
    Client::from_sdk_config(&config)
}

/// The client to call: the local server's (started here, returned so that it lives as long as
/// the call) with `--local`, otherwise the AWS configuration chain's.
async fn connect(args: &GenerateArgs) -> Result<(Client, Option<LocalServer>), Failure> {
    if args.local {
        let server = bedrock_fm_local::try_start_with(bedrock_fm_local::Config::default())
            .map_err(Failure::LocalServer)?;
        let mut config = server.sdk_config();
        if let Some(region) = &args.region {
            config = config
                .into_builder()
                .region(Region::new(region.clone()))
                .build();
        }
        return Ok((Client::from_sdk_config(&config), Some(server)));
    }
    let mut builder = Client::builder();
    if let Some(region) = &args.region {
        builder = builder.region(region.clone());
    }
    let client = builder.build().await?;
    if client.sdk().config().region().is_none() {
        return Err(Error::invalid(
            "region",
            "no AWS region is configured: pass --region, set AWS_REGION, or set a region in \
             your AWS profile (or use --local)",
        )
        .into());
    }
    Ok((client, None))
}

/// Writes `text` and flushes, so that it shows as soon as it arrives.
fn print_flush(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Runs `generate`.
pub async fn run(args: GenerateArgs) -> Result<(), Failure> {
    check_text_model(&args.model)?;
    build_model(&offline_client(), &args)?;
    let (client, _server) = connect(&args).await?;
    let model = build_model(&client, &args)?;
    let mut stdout = std::io::stdout();
    match (args.stream, args.details) {
        (false, false) => {
            let completions = model.generate(&args.prompt).await?;
            for text in completions {
                let end = if text.ends_with('\n') { "" } else { "\n" };
                print_flush(&mut stdout, &format!("{text}{end}"))?;
            }
        }
        (false, true) => {
            let details = model.generate_details(&args.prompt).await?;
            let json = output::details_json(&details, false);
            print_flush(&mut stdout, &format!("{json}\n"))?;
        }
        (true, false) => {
            let mut stream = model.generate_stream(&args.prompt).await?;
            let mut last = None;
            while let Some(delta) = stream.next().await {
                match delta {
                    Ok(text) => {
                        print_flush(&mut stdout, &text)?;
                        last = text.chars().last();
                    }
                    Err(e) => {
                        // End the partial line on stdout; the error goes to stderr.
                        if last.is_some_and(|c| c != '\n') {
                            print_flush(&mut stdout, "\n")?;
                        }
                        return Err(e.into());
                    }
                }
            }
            if last != Some('\n') {
                print_flush(&mut stdout, "\n")?;
            }
        }
        (true, true) => {
            let stream = model.generate_stream(&args.prompt).await?;
            let details = stream.details().await?;
            let json = output::details_json(&details, true);
            print_flush(&mut stdout, &format!("{json}\n"))?;
        }
    }
    Ok(())
}
