//! `bedrock-fm chat`: answers one message (with images attached), or runs an interactive
//! conversation on stdin that keeps its history.
//!
//! Bad input fails before any request, and before the AWS configuration is loaded or the local
//! server is started: a model that is not a text model, an image file that cannot be read,
//! images for a model that takes none, and everything the library checks when it builds the
//! wrapper (unknown model, API, streaming). What the library checks per conversation (image
//! formats and sizes, a family whose native format takes no images) also fails before the
//! request.

use crate::Failure;
use crate::output;
use aws_config::{BehaviorVersion, SdkConfig};
use bedrock_fm::catalog::{FamilyKind, Model};
use bedrock_fm::{
    AnyTextModel, Api, ChatReply, Client, Content, Conversation, Details, Error, ToolUse,
};
use bedrock_fm_local::LocalServer;
use serde::Serialize;
use serde_json::{Value, json};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

/// The options of `bedrock-fm chat`, each checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChatArgs {
    /// `--model`: the model ID as given.
    pub model: String,
    /// `--family`: the family of a model the catalog does not know.
    pub family: Option<bedrock_fm::catalog::Family>,
    /// `--system`, never blank.
    pub system: Option<String>,
    /// `--image`, in order.
    pub images: Vec<PathBuf>,
    /// `--stream`.
    pub stream: bool,
    /// `--api`; `None` leaves the library's default (InvokeModel).
    pub api: Option<Api>,
    /// `--param KEY=VALUE`, in order: setter names (checked by the library) and values.
    pub params: Vec<(String, Value)>,
    /// `--details`.
    pub details: bool,
    /// `--local`.
    pub local: bool,
    /// The message; `None` runs the interactive conversation.
    pub message: Option<String>,
}

/// Refuses a catalog model that cannot chat (an embedding or image model), `--stream` for a
/// model that does not stream, and images for a model that takes none. Unknown IDs and ARNs are left to the library.
fn check_model(args: &ChatArgs) -> bedrock_fm::Result<()> {
    let Ok(resolved) = Model::resolve(&args.model) else {
        return Ok(());
    };
    let info = resolved.model.info();
    let family = info.family;
    if family.kind() != FamilyKind::Text {
        let kind = format!("{:?}", family.kind()).to_ascii_lowercase();
        return Err(Error::invalid(
            "--model",
            format!(
                "{} is an {kind} model ({}, wrapper `{}`), not a chat model: `chat` needs a \
                 text model (see `bedrock-fm models`)",
                args.model,
                family.name(),
                family.wrapper()
            ),
        ));
    }
    if args.stream && !info.streaming {
        return Err(Error::invalid(
            "--stream",
            format!("{} does not stream responses", args.model),
        ));
    }
    if !args.images.is_empty() && (!info.vision || info.image_input.is_none()) {
        return Err(Error::invalid(
            "--image",
            format!(
                "{} is a text-only model: it takes no images (`bedrock-fm models` shows which \
                 models take images)",
                args.model
            ),
        ));
    }
    Ok(())
}

/// Reads every `--image` file, in order, refusing a file that is not an image (the library
/// then fits each image to the model's limits).
fn read_images(paths: &[PathBuf]) -> bedrock_fm::Result<Vec<Vec<u8>>> {
    paths
        .iter()
        .map(|path| {
            let bytes = std::fs::read(path).map_err(|e| {
                Error::invalid("--image", format!("cannot read {}: {e}", path.display()))
            })?;
            if image::guess_format(&bytes).is_err() {
                return Err(Error::invalid(
                    "--image",
                    format!(
                        "{} is not an image in a known format (PNG, JPEG, GIF or WebP)",
                        path.display()
                    ),
                ));
            }
            Ok(bytes)
        })
        .collect()
}

/// The wrapper for `args.model` with `args.api`.
fn build_model(client: &Client, args: &ChatArgs) -> bedrock_fm::Result<AnyTextModel> {
    super::check_family_known(&args.model, args.family, args.api)?;
    let mut builder = AnyTextModel::builder(client, args.model.as_str());
    if let Some(api) = args.api {
        builder = builder.api(api);
    }
    if let Some(family) = args.family {
        builder = builder.family(family);
    }
    for (name, value) in &args.params {
        builder = builder.param_named(name, value.clone());
    }
    builder.build()
}

/// A client with no region, credentials or endpoint: only for building (checking) a wrapper.
fn offline_client() -> Client {
    let config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .build();
    Client::from_sdk_config(&config)
}

/// The client to call: the local server's (started here, returned so that it lives as long as
/// the conversation) with `--local`, otherwise the AWS configuration chain's.
async fn connect(local: bool) -> Result<(Client, Option<LocalServer>), Failure> {
    if local {
        let server = bedrock_fm_local::try_start_with(bedrock_fm_local::Config::default())
            .map_err(Failure::LocalServer)?;
        return Ok((Client::from_sdk_config(&server.sdk_config()), Some(server)));
    }
    let client = Client::builder().build().await?;
    if client.sdk().config().region().is_none() {
        return Err(Error::invalid(
            "region",
            "no AWS region is configured: set AWS_REGION or a region in your AWS profile (or \
             use --local)",
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

/// The `--details` object: `generate --details`'s keys, plus `tool_calls` when the model
/// called tools.
fn details_json<R: Serialize>(details: &Details<R>, streamed: bool) -> Value {
    let reply = details.reply();
    with_tool_calls(output::details_json(details, streamed), &reply.tool_uses())
}

/// Adds `tool_calls` (`[{id, name, input}]`, in order) to a details object, when there are
/// any.
fn with_tool_calls(mut json: Value, calls: &[&ToolUse]) -> Value {
    if calls.is_empty() {
        return json;
    }
    let calls: Vec<Value> = calls
        .iter()
        .map(|call| json!({"id": call.id, "name": call.name, "input": call.input}))
        .collect();
    if let Some(object) = json.as_object_mut() {
        object.insert("tool_calls".into(), Value::Array(calls));
    }
    json
}

/// Sends the conversation, prints the reply as asked, and returns it.
async fn answer(
    model: &AnyTextModel,
    conversation: &Conversation,
    args: &ChatArgs,
) -> Result<ChatReply, Failure> {
    let mut stdout = std::io::stdout();
    match (args.stream, args.details) {
        (false, false) => {
            let reply = model.chat(conversation).await?;
            let text = reply.text();
            let end = if text.ends_with('\n') { "" } else { "\n" };
            print_flush(&mut stdout, &format!("{text}{end}"))?;
            Ok(reply)
        }
        (false, true) => {
            let details = model.chat_details(conversation).await?;
            let json = details_json(&details, false);
            print_flush(&mut stdout, &format!("{json}\n"))?;
            Ok(details.reply())
        }
        (true, false) => {
            let mut stream = model.chat_stream(conversation).await?;
            let mut last = None;
            while let Some(event) = stream.next().await {
                match event {
                    Ok(bedrock_fm::ChatEvent::TextDelta(text)) => {
                        print_flush(&mut stdout, &text)?;
                        last = text.chars().last();
                    }
                    Ok(_) => {}
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
            Ok(stream.collect().await?)
        }
        (true, true) => {
            let stream = model.chat_stream(conversation).await?;
            let details = stream.details().await?;
            let json = details_json(&details, true);
            print_flush(&mut stdout, &format!("{json}\n"))?;
            Ok(details.reply())
        }
    }
}

/// One message, or the interactive conversation.
async fn converse(
    model: &AnyTextModel,
    args: &ChatArgs,
    images: Vec<Vec<u8>>,
) -> Result<(), Failure> {
    let mut conversation = match &args.system {
        Some(system) => Conversation::new().system(system.clone()),
        None => Conversation::new(),
    };
    // The images go with the first human turn, before its text.
    let mut images = Some(images);
    let mut turn = |text: &str| -> Vec<Content> {
        let mut content: Vec<Content> = images
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(Content::image_bytes)
            .collect();
        content.push(Content::text(text));
        content
    };
    if let Some(message) = &args.message {
        answer(model, &conversation.human_with(turn(message)), args).await?;
        return Ok(());
    }
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut lines = stdin.lock().lines();
    loop {
        if interactive {
            print_flush(&mut std::io::stderr(), "> ")?;
        }
        let Some(line) = lines.next().transpose()? else {
            break;
        };
        let line = line.trim_end_matches(['\r', '\n']);
        if line.trim().is_empty() {
            break;
        }
        let asked = conversation.clone().human_with(turn(line));
        let reply = answer(model, &asked, args).await?;
        // The reply joins the history; a reply with no content is not kept (nor the question
        // it did not answer), so that the turns keep alternating.
        let empty = reply.content.is_empty()
            || reply
                .content
                .iter()
                .all(|c| matches!(c, Content::Text(t) if t.trim().is_empty()));
        if !empty {
            conversation = asked.assistant_with(reply.content);
        }
    }
    Ok(())
}

/// Runs `chat`.
pub async fn run(args: ChatArgs) -> Result<(), Failure> {
    check_model(&args)?;
    build_model(&offline_client(), &args)?;
    let images = read_images(&args.images)?;
    let (client, _server) = connect(args.local).await?;
    let model = build_model(&client, &args)?;
    converse(&model, &args, images).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{ArgError, Command};

    fn parse_str(args: &[&str]) -> Result<Command, ArgError> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        crate::args::parse(&args)
    }

    fn chat(args: &[&str]) -> ChatArgs {
        match parse_str(args) {
            Ok(Command::Chat(c)) => c,
            other => panic!("expected chat, got {other:?}"),
        }
    }

    #[test]
    fn every_option() {
        let c = chat(&[
            "chat",
            "--model",
            "amazon.nova-lite-v1:0",
            "--system",
            "Be brief.",
            "--image",
            "a.png",
            "--image=b.jpg",
            "--stream",
            "--api",
            "converse",
            "--details",
            "--param",
            "top_k=5",
            "--local",
            "What is this?",
        ]);
        assert_eq!(c.params, [("top_k".to_owned(), json!(5))]);
        assert_eq!(c.model, "amazon.nova-lite-v1:0");
        assert_eq!(c.system.as_deref(), Some("Be brief."));
        assert_eq!(c.images, [PathBuf::from("a.png"), PathBuf::from("b.jpg")]);
        assert!(c.stream && c.details && c.local);
        assert_eq!(c.api, Some(Api::Converse));
        assert_eq!(c.message.as_deref(), Some("What is this?"));
    }

    #[test]
    fn no_message_is_the_interactive_mode() {
        let c = chat(&["chat", "--model", "m"]);
        assert_eq!(c.message, None);
        assert!(c.images.is_empty() && !c.stream && !c.details && !c.local);
        assert_eq!(c.api, None);
        let c = chat(&["chat", "--model", "m", "--", "--not-a-flag"]);
        assert_eq!(c.message.as_deref(), Some("--not-a-flag"));
    }

    #[test]
    fn bad_command_lines() {
        let usage = |args: &[&str]| {
            let e = parse_str(args).unwrap_err();
            assert_eq!(e.kind, crate::args::ArgErrorKind::Usage, "{args:?}: {e}");
        };
        usage(&["chat", "hi"]);
        usage(&["chat", "--model", "m", "one", "two"]);
        usage(&["chat", "--model", "m", "--temperature", "1", "hi"]);
        usage(&["chat", "--model", "m", "--image"]);
        usage(&["chat", "--model", "m", "--stream=yes", "hi"]);
        usage(&[
            "chat", "--model", "m", "--system", "a", "--system", "b", "hi",
        ]);
        let e = parse_str(&["chat", "--model", "m", "--api", "grpc", "hi"]).unwrap_err();
        assert!(e.to_string().starts_with("InvalidInput: --api:"), "{e}");
        let e = parse_str(&["chat", "--model", "m", "  "]).unwrap_err();
        assert_eq!(e.to_string(), "InvalidInput: message: the message is empty");
        let e = parse_str(&["chat", "--model", "m", "--image", "", "hi"]).unwrap_err();
        assert_eq!(e.to_string(), "InvalidInput: --image: is empty");
        let Ok(Command::Print(help)) = parse_str(&["chat", "--help"]) else {
            panic!("chat --help prints the help")
        };
        assert!(help.contains("--system <TEXT>"), "{help}");
        assert!(help.contains("--param <KEY=VALUE>"), "{help}");
    }

    #[test]
    fn tool_calls_are_added_to_the_details_only_when_there_are_some() {
        let base = json!({"output": "", "api": "converse"});
        assert_eq!(with_tool_calls(base.clone(), &[]), base);
        let a = ToolUse::new("t1", "get_weather", json!({"city": "Lisbon"}));
        let b = ToolUse::new("t2", "local_time", json!({}));
        let out = with_tool_calls(base, &[&a, &b]);
        assert_eq!(out["output"], "");
        assert_eq!(
            out["tool_calls"],
            json!([
                {"id": "t1", "name": "get_weather", "input": {"city": "Lisbon"}},
                {"id": "t2", "name": "local_time", "input": {}}
            ])
        );
    }
}
