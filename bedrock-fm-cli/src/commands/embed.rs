//! `bedrock-fm embed`: embeds texts (and images, for the models that take them) and prints a
//! JSON array with one vector per input, in the order given.
//!
//! Every check the library makes before a request (model ID, embedding family, dimensions,
//! empty or over-long texts, unreadable images) runs first against a client that cannot reach
//! anything, so that bad input fails before the AWS configuration is loaded or the local
//! server is started.

use crate::Failure;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use bedrock_fm::embeddings::{AnyEmbedModel, EmbedInput, Embedding, InputType};
use bedrock_fm::images::ImageInput;
use bedrock_fm::{Client, Error};
use bedrock_fm_local::LocalServer;
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;

/// One input, as given on the command line.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A text.
    Text(String),
    /// `--image PATH`.
    Image(PathBuf),
}

/// The options of `bedrock-fm embed`, each checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EmbedArgs {
    /// `--model`.
    pub model: String,
    /// `--input-type`; `None`: documents.
    pub input_type: Option<InputType>,
    /// `--dimensions`.
    pub dimensions: Option<u32>,
    /// The texts and images, in command-line order.
    pub inputs: Vec<Input>,
    /// `--region`.
    pub region: Option<String>,
    /// `--local`.
    pub local: bool,
}

/// A client with no region, credentials or endpoint: only for building (checking) a wrapper.
pub(crate) fn offline_client() -> Client {
    let config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .build();
    Client::from_sdk_config(&config)
}

/// The client to call, as `generate` makes it: the local server's (started here, returned so
/// that it lives as long as the call) with `--local`, otherwise the AWS configuration chain's.
pub(crate) async fn connect_to(
    local: bool,
    region: Option<&str>,
) -> Result<(Client, Option<LocalServer>), Failure> {
    if local {
        let server = bedrock_fm_local::try_start_with(bedrock_fm_local::Config::default())
            .map_err(Failure::LocalServer)?;
        let mut config = server.sdk_config();
        if let Some(region) = region {
            config = config
                .into_builder()
                .region(Region::new(region.to_owned()))
                .build();
        }
        return Ok((Client::from_sdk_config(&config), Some(server)));
    }
    let mut builder = Client::builder();
    if let Some(region) = region {
        builder = builder.region(region.to_owned());
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

fn build_model(client: &Client, args: &EmbedArgs) -> bedrock_fm::Result<AnyEmbedModel> {
    let mut builder = AnyEmbedModel::builder(client, args.model.as_str());
    if let Some(d) = args.dimensions {
        builder = builder.dimensions(d);
    }
    builder.build()
}

fn inputs(args: &EmbedArgs) -> Vec<EmbedInput> {
    args.inputs
        .iter()
        .map(|i| match i {
            Input::Text(t) => EmbedInput::text(t.clone()),
            Input::Image(p) => EmbedInput::image(ImageInput::path(p)),
        })
        .collect()
}

/// The vector printed for an input: the float vector (every model returns one by default).
fn vector(e: &Embedding) -> Value {
    match e.float() {
        Some(v) => json!(v),
        None => json!(e.to_f32()),
    }
}

/// Runs `embed`.
pub async fn run(args: EmbedArgs) -> Result<(), Failure> {
    let inputs = inputs(&args);
    build_model(&offline_client(), &args)?.check_inputs(inputs.clone())?;
    let (client, _server) = connect_to(args.local, args.region.as_deref()).await?;
    let model = build_model(&client, &args)?;
    let input_type = args.input_type.unwrap_or_default();
    let details = model.generate(inputs, input_type).await?;
    let vectors: Vec<Value> = details.embeddings.iter().map(vector).collect();
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{}", Value::Array(vectors))?;
    stdout.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{ArgError, Command};

    fn parse_str(args: &[&str]) -> Result<Command, ArgError> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        crate::args::parse(&args)
    }

    #[test]
    fn texts_and_images_keep_their_order() {
        let Ok(Command::Embed(e)) = parse_str(&[
            "embed",
            "--model",
            "m",
            "first",
            "--image",
            "a.png",
            "second",
            "--input-type",
            "query",
            "--dimensions=256",
            "--local",
        ]) else {
            panic!("embed")
        };
        assert_eq!(
            e.inputs,
            vec![
                Input::Text("first".into()),
                Input::Image("a.png".into()),
                Input::Text("second".into())
            ]
        );
        assert_eq!(e.input_type, Some(InputType::Query));
        assert_eq!(e.dimensions, Some(256));
        assert!(e.local);
    }

    #[test]
    fn bad_command_lines() {
        let e = parse_str(&["embed", "--model", "m"]).unwrap_err();
        assert!(e.message.contains("at least one"), "{e}");
        let e = parse_str(&["embed", "--model", "m", "--input-type", "image", "x"]).unwrap_err();
        assert!(
            e.to_string().starts_with("InvalidInput: --input-type:"),
            "{e}"
        );
        let e = parse_str(&["embed", "--model", "m", "--dimensions", "big", "x"]).unwrap_err();
        assert!(
            e.to_string().starts_with("InvalidInput: --dimensions:"),
            "{e}"
        );
        let e = parse_str(&["embed", "x"]).unwrap_err();
        assert!(e.message.contains("--model"), "{e}");
        let Ok(Command::Print(help)) = parse_str(&["embed", "--help"]) else {
            panic!("embed --help prints the help")
        };
        assert!(help.contains("--dimensions <N>"), "{help}");
    }
}
