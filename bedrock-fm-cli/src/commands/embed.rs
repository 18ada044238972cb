//! `bedrock-fm embed`: embeds texts (and images, for the models that take them) and prints a
//! JSON array with one vector per input, in the order given.
//!
//! Every check the library makes before a request (model ID, embedding family, dimensions,
//! empty or over-long texts, unreadable images) runs first against a client that cannot reach
//! anything, so that bad input fails before the AWS configuration is loaded or the local
//! server is started.

use crate::Failure;
use crate::args::{ArgError, Command, Token, Tokens, non_empty, parse_count, set_once};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use bedrock_fm::embeddings::{AnyEmbedModel, EmbedInput, Embedding, InputType};
use bedrock_fm::images::ImageInput;
use bedrock_fm::{Client, Error};
use bedrock_fm_local::LocalServer;
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;

/// The help of `bedrock-fm embed`.
pub const HELP: &str = "\
Usage: bedrock-fm embed --model <ID> [options] <TEXT>...

Embeds each TEXT (and each --image, for models that take images) with an embedding model of
the catalog and prints a JSON array with one vector per input, in the order given.

Options:
  --model <ID>                 The model ID (required), e.g. amazon.titan-embed-text-v2:0,
                               cohere.embed-english-v3. `bedrock-fm models` lists them.
  --input-type document|query  What the inputs are for (default document); Cohere marks
                               queries and documents differently, Titan ignores it.
  --dimensions N               The vector length, one the model offers (e.g. 256, 512, 1024).
  --image PATH                 An image to embed (Titan Multimodal, Cohere); repeatable.
  --region R                   The AWS region (default: from the AWS configuration chain).
  --local                      Call an in-process bedrock-fm-local server instead of AWS.
  --                           Ends the options: the next arguments are texts.
";

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

fn parse_input_type(text: &str) -> Result<InputType, ArgError> {
    match text {
        "document" => Ok(InputType::Document),
        "query" => Ok(InputType::Query),
        other => Err(ArgError::invalid(
            "--input-type",
            format!("{other:?} is not `document` or `query`"),
        )),
    }
}

/// Parses the arguments after `embed`.
pub fn parse(args: &[String]) -> Result<Command, ArgError> {
    let mut tokens = Tokens::new(args);
    if tokens.asks_for_help() {
        return Ok(Command::Help(HELP));
    }
    let mut out = EmbedArgs::default();
    let mut model = None;
    while let Some(token) = tokens.next_token()? {
        let (name, inline) = match token {
            Token::Positional(text) => {
                out.inputs.push(Input::Text(text));
                continue;
            }
            Token::Flag { name, value } => (name, value),
        };
        let flag = name.as_str();
        match flag {
            "local" => {
                if inline.is_some() {
                    return Err(ArgError::usage("`--local` takes no value"));
                }
                out.local = true;
                continue;
            }
            "model" | "input-type" | "dimensions" | "image" | "region" => {}
            _ => {
                return Err(ArgError::usage(format!(
                    "unknown flag `--{flag}` for `embed` (see `bedrock-fm embed --help`)"
                )));
            }
        }
        let value = tokens.value(flag, inline)?;
        match flag {
            "model" => set_once(&mut model, flag, non_empty(flag, value)?)?,
            "input-type" => set_once(&mut out.input_type, flag, parse_input_type(&value)?)?,
            "dimensions" => set_once(&mut out.dimensions, flag, parse_count(flag, &value)?)?,
            "image" => out
                .inputs
                .push(Input::Image(non_empty(flag, value)?.into())),
            "region" => set_once(&mut out.region, flag, non_empty(flag, value)?)?,
            _ => unreachable!("flags were matched above"),
        }
    }
    out.model = model.ok_or_else(|| {
        ArgError::usage("`embed` needs `--model <ID>` (`bedrock-fm models` lists them)")
    })?;
    if out.inputs.is_empty() {
        return Err(ArgError::usage(
            "`embed` needs at least one <TEXT> argument or `--image PATH`",
        ));
    }
    Ok(Command::Embed(out))
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
        assert_eq!(parse_str(&["embed", "--help"]), Ok(Command::Help(HELP)));
    }
}
