//! End-to-end tests of `bedrock-fm chat`: the built binary, run as a user would, with
//! `--local`, or against a local server started here (through the AWS configuration chain's
//! environment variables) when the test must see the requests: images in the body, the
//! history of an interactive conversation, no request on bad input.

use base64::Engine as _;
use bedrock_fm_local::{
    Fault, LocalServer, ServiceError, TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY,
};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

const CLAUDE3: &str = "anthropic.claude-3-haiku-20240307-v1:0";
const NOVA: &str = "amazon.nova-lite-v1:0";
const TITAN_TEXT: &str = "amazon.titan-text-premier-v1:0";
const QUESTION: &str = "What is in these pictures?";

/// The program with no AWS variable of the caller's environment.
fn program() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bedrock-fm"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("AWS_EC2_METADATA_DISABLED", "true");
    cmd
}

/// The program pointed at `server` through the AWS environment variables (no `--local`),
/// signing with the server's test key pair in `us-east-1`.
fn aimed_at(server: &LocalServer) -> Command {
    let nowhere = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-aws-file");
    let mut cmd = program();
    cmd.env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.endpoint())
        .env("AWS_CONFIG_FILE", &nowhere)
        .env("AWS_SHARED_CREDENTIALS_FILE", &nowhere)
        .env("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", TEST_SECRET_ACCESS_KEY)
        .env("AWS_REGION", "us-east-1");
    cmd
}

/// Runs `cmd` with `args` and `input` on stdin (closed after it).
fn with_stdin(mut cmd: Command, args: &[&str], input: &str) -> Output {
    let mut child = cmd
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // The program may end before reading its input (bad input): a broken pipe is fine.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes());
    child.wait_with_output().expect("the binary ends")
}

/// Runs the program with `--local` added and an empty stdin.
fn run_local(args: &[&str]) -> Output {
    let mut args = args.to_vec();
    args.push("--local");
    with_stdin(program(), &args, "")
}

/// Runs the program against `server`, with an empty stdin.
fn run_against(server: &LocalServer, args: &[&str]) -> Output {
    with_stdin(aimed_at(server), args, "")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// Asserts success with nothing on stderr; returns stdout.
fn success(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status,
        stderr(out)
    );
    assert_eq!(stderr(out), "", "nothing on stderr on success");
    stdout(out)
}

/// Asserts a failure with exactly one `error: ...` line on stderr; returns that line.
fn failure(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "expected a failure, got success with stdout {:?}",
        stdout(out)
    );
    let err = stderr(out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one stderr line, got {err:?}");
    assert!(lines[0].starts_with("error: "), "{err:?}");
    lines[0].to_owned()
}

/// Asserts an input error: exit status 2, one stderr line, nothing on stdout.
fn input_error(out: &Output) -> String {
    let line = failure(out);
    assert_eq!(out.status.code(), Some(2), "{line}");
    assert_eq!(stdout(out), "", "nothing on stdout: {line}");
    line
}

/// The one JSON object per line of a `--details` run.
fn details_lines(out: &Output) -> Vec<Value> {
    success(out)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

fn body(record: &bedrock_fm_local::RequestRecord) -> Value {
    serde_json::from_slice(&record.body).expect("a JSON body")
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Two small images, written once per test binary: a PNG and a JPEG, with their bytes.
fn images() -> [(PathBuf, Vec<u8>); 2] {
    static IMAGES: OnceLock<[(PathBuf, Vec<u8>); 2]> = OnceLock::new();
    IMAGES
        .get_or_init(|| {
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-chat-images");
            std::fs::create_dir_all(&dir).unwrap();
            let picture = DynamicImage::ImageRgb8(RgbImage::from_fn(48, 32, |x, y| {
                Rgb([(x * 5) as u8, (y * 7) as u8, 120])
            }));
            [("a.png", ImageFormat::Png), ("b.jpg", ImageFormat::Jpeg)].map(|(name, format)| {
                let path = dir.join(name);
                let mut bytes = std::io::Cursor::new(Vec::new());
                picture.write_to(&mut bytes, format).unwrap();
                let bytes = bytes.into_inner();
                std::fs::write(&path, &bytes).unwrap();
                (path, bytes)
            })
        })
        .clone()
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

#[test]
fn one_message_with_images_over_invoke_model_sends_them_in_order_before_the_text() {
    let server = bedrock_fm_local::start();
    let [(png, png_bytes), (jpg, jpg_bytes)] = images();
    let out = run_against(
        &server,
        &[
            "chat",
            "--model",
            CLAUDE3,
            "--system",
            "You describe pictures.",
            "--image",
            path_str(&png),
            "--image",
            path_str(&jpg),
            QUESTION,
        ],
    );
    let text = success(&out);
    assert!(!text.trim().is_empty());
    assert!(text.ends_with('\n'));
    assert_eq!(server.request_count(), 1);
    let record = server.last_request().unwrap();
    assert!(record.path.ends_with("/invoke"), "{}", record.path);
    let body = body(&record);
    assert_eq!(body["system"], "You describe pictures.");
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{body}");
    assert_eq!(messages[0]["role"], "user");
    let content = &messages[0]["content"];
    assert_eq!(
        content[0],
        json!({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": b64(&png_bytes)}})
    );
    assert_eq!(
        content[1],
        json!({"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": b64(&jpg_bytes)}})
    );
    assert_eq!(content[2], json!({"type": "text", "text": QUESTION}));
    assert_eq!(content.as_array().unwrap().len(), 3);
}

#[test]
fn one_message_with_an_image_over_converse() {
    let server = bedrock_fm_local::start();
    let [(png, png_bytes), _] = images();
    let out = run_against(
        &server,
        &[
            "chat",
            "--api",
            "converse",
            "--model",
            NOVA,
            "--image",
            path_str(&png),
            "Describe it.",
        ],
    );
    assert!(!success(&out).trim().is_empty());
    let record = server.last_request().unwrap();
    assert!(record.path.ends_with("/converse"), "{}", record.path);
    assert_eq!(
        body(&record)["messages"],
        json!([{"role": "user", "content": [
            {"image": {"format": "png", "source": {"bytes": b64(&png_bytes)}}},
            {"text": "Describe it."}
        ]}])
    );
}

#[test]
fn local_details_show_the_image_in_the_body_as_sent() {
    let [(png, png_bytes), _] = images();
    let out = run_local(&[
        "chat",
        "--details",
        "--model",
        CLAUDE3,
        "--image",
        path_str(&png),
        QUESTION,
    ]);
    let lines = details_lines(&out);
    assert_eq!(lines.len(), 1, "one JSON object");
    let content = &lines[0]["body"]["messages"][0]["content"];
    assert_eq!(content[0]["source"]["data"], b64(&png_bytes));
    assert_eq!(content[1]["text"], QUESTION);
}

#[test]
fn details_json_has_the_keys_of_generate_details() {
    for api in ["invoke", "converse"] {
        let d = &details_lines(&run_local(&[
            "chat",
            "--details",
            "--api",
            api,
            "--model",
            CLAUDE3,
            QUESTION,
        ]))[0];
        assert!(!d["output"].as_str().expect("output").is_empty(), "{d}");
        assert!(
            d["prompt"].as_str().expect("prompt").contains(QUESTION),
            "{d}"
        );
        assert!(d["body"]["messages"].is_array(), "{d}");
        assert!(d["latency_ms"].as_f64().expect("latency_ms") >= 0.0, "{d}");
        for key in [
            "input_tokens",
            "output_tokens",
            "cache_read_tokens",
            "cache_write_tokens",
        ] {
            assert!(d["usage"].get(key).is_some(), "usage.{key}: {d}");
        }
        assert!(d["usage"]["output_tokens"].as_u64().unwrap() > 0, "{d}");
        assert_eq!(d["stop_reason"], "end_turn", "{d}");
        assert!(!d["request_id"].as_str().expect("request_id").is_empty());
        assert_eq!(d["model_id"], CLAUDE3);
        assert_eq!(d["api"], api);
        assert_eq!(d["completions"][0], d["output"], "{d}");
        assert!(
            d.get("time_to_first_token_ms").is_none(),
            "not a stream: {d}"
        );
        assert!(d.get("tool_calls").is_none(), "no tool was called: {d}");
        assert_eq!(d.get("response").is_some(), api == "invoke", "{d}");
    }
    let d = &details_lines(&run_local(&[
        "chat",
        "--details",
        "--stream",
        "--model",
        NOVA,
        QUESTION,
    ]))[0];
    assert!(!d["output"].as_str().unwrap().is_empty(), "{d}");
    let first = d["time_to_first_token_ms"].as_f64().expect("ttft");
    assert!(first <= d["latency_ms"].as_f64().unwrap(), "{d}");
    assert!(d["time_to_last_token_ms"].as_f64().is_some(), "{d}");
}

#[test]
fn stream_prints_the_same_reply_as_a_plain_call() {
    for (api, model) in [("invoke", CLAUDE3), ("converse", NOVA)] {
        let args = ["chat", "--api", api, "--model", model, QUESTION];
        let plain = success(&run_local(&args));
        let mut streamed_args = args.to_vec();
        streamed_args.insert(1, "--stream");
        let streamed = success(&run_local(&streamed_args));
        assert!(!streamed.trim().is_empty(), "{api}");
        assert!(streamed.ends_with('\n'));
        assert_eq!(streamed, plain, "{api}: the local models are deterministic");
    }
}

#[test]
fn the_interactive_mode_keeps_the_history() {
    let server = bedrock_fm_local::start();
    let [(png, png_bytes), _] = images();
    for api in ["invoke", "converse"] {
        server.requests().clear();
        let out = with_stdin(
            aimed_at(&server),
            &[
                "chat",
                "--api",
                api,
                "--system",
                "Be brief.",
                "--image",
                path_str(&png),
                "--model",
                CLAUDE3,
            ],
            "What is this picture?\nAnd its colours?\n",
        );
        let text = success(&out);
        let records = server.requests().records();
        assert_eq!(records.len(), 2, "{api}: one request per line");
        let first = body(&records[0]);
        let second = body(&records[1]);
        let turns = second["messages"].as_array().unwrap();
        assert_eq!(turns.len(), 3, "{api}: {second}");
        let roles: Vec<&str> = turns.iter().map(|t| t["role"].as_str().unwrap()).collect();
        assert_eq!(roles, ["user", "assistant", "user"], "{api}");
        // The first turn as sent the first time, the image (only there) before its text.
        assert_eq!(turns[0], first["messages"][0], "{api}");
        let text_of = |block: &Value| block["text"].as_str().map(str::to_owned);
        let first_turn = turns[0]["content"].as_array().unwrap();
        assert_eq!(first_turn.len(), 2, "{api}");
        let image = &first_turn[0];
        let data = image["source"]["data"]
            .as_str()
            .or(image["image"]["source"]["bytes"].as_str());
        assert_eq!(data, Some(b64(&png_bytes).as_str()), "{api}");
        assert_eq!(
            text_of(&first_turn[1]).as_deref(),
            Some("What is this picture?")
        );
        assert_eq!(
            turns[2]["content"].as_array().unwrap().len(),
            1,
            "{api}: no image in the second turn"
        );
        assert_eq!(
            text_of(&turns[2]["content"][0]).as_deref(),
            Some("And its colours?")
        );
        // The assistant turn is the first reply, as printed.
        let printed: Vec<&str> = text.lines().collect();
        assert_eq!(printed.len(), 2, "{api}: one reply per line: {text}");
        assert_eq!(
            text_of(&turns[1]["content"][0]).as_deref(),
            Some(printed[0]),
            "{api}"
        );
        // The system prompt goes with every request.
        let system = if api == "invoke" {
            second["system"].clone()
        } else {
            second["system"][0]["text"].clone()
        };
        assert_eq!(system, "Be brief.", "{api}: {second}");
    }
}

#[test]
fn the_interactive_mode_ends_at_an_empty_line_or_the_end_of_input() {
    let server = bedrock_fm_local::start();
    let args = ["chat", "--model", CLAUDE3];
    let out = with_stdin(aimed_at(&server), &args, "One\n\nTwo\n");
    assert_eq!(success(&out).lines().count(), 1);
    assert_eq!(server.request_count(), 1, "the empty line ended it");
    let out = with_stdin(aimed_at(&server), &args, "");
    assert_eq!(success(&out), "");
    assert_eq!(server.request_count(), 1, "no input, no request");
    // Without a final newline, and streamed, with --local: three turns, three replies.
    let out = with_stdin(
        program(),
        &["chat", "--local", "--stream", "--model", NOVA],
        "One\r\nTwo\nThree",
    );
    assert_eq!(success(&out).lines().count(), 3);
    // --details: one JSON object per reply.
    let out = with_stdin(
        program(),
        &["chat", "--local", "--details", "--model", NOVA],
        "One\nTwo\n",
    );
    let lines = details_lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["body"]["messages"].as_array().unwrap().len(), 3);
}

#[test]
fn bad_input_fails_with_one_line_before_any_request() {
    let server = bedrock_fm_local::start();
    let [(png, _), _] = images();
    let png = path_str(&png);
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-image.png");
    let missing = path_str(&missing);
    let not_an_image = Path::new(env!("CARGO_TARGET_TMPDIR")).join("not-an-image.png");
    std::fs::write(&not_an_image, "plain text, not a picture").unwrap();
    let not_an_image = path_str(&not_an_image);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--model", CLAUDE3, "--image", missing, QUESTION],
            "InvalidInput: --image: cannot read",
        ),
        (
            vec!["--model", TITAN_TEXT, "--image", png, QUESTION],
            "InvalidInput: --image: amazon.titan-text-premier-v1:0 is a text-only model",
        ),
        (
            vec![
                "--model",
                "meta.llama3-8b-instruct-v1:0",
                "--image",
                png,
                "Hi",
            ],
            "takes no images",
        ),
        (
            vec!["--model", "amazon.titan-embed-text-v2:0", QUESTION],
            "not a chat model",
        ),
        (
            vec!["--model", "amazon.nova-canvas-v1:0", QUESTION],
            "not a chat model",
        ),
        (
            vec!["--model", CLAUDE3, "--image", not_an_image, QUESTION],
            "not-an-image.png is not an image",
        ),
        (
            vec!["--model", "acme.no such model", QUESTION],
            "whitespace",
        ),
        (vec!["--model", CLAUDE3, "   "], "the message is empty"),
        (vec!["--model", CLAUDE3, "--api", "grpc", QUESTION], "--api"),
        (
            vec!["--model", CLAUDE3, "--system", " ", QUESTION],
            "--system",
        ),
        (
            vec!["--model", "meta.llama2-13b-v1", "--api", "converse", "Hi"],
            "Converse",
        ),
        (
            vec!["--model", "ai21.j2-mid-v1", "--stream", "Hi"],
            "does not stream",
        ),
        (
            vec!["--model", CLAUDE3, "--temperature", "1", "Hi"],
            "Usage",
        ),
        (vec![QUESTION], "Usage: `chat` needs `--model <ID>`"),
    ];
    for (extra, needle) in cases {
        let args: Vec<&str> = ["chat"].into_iter().chain(extra).collect();
        let line = input_error(&run_against(&server, &args));
        assert!(line.contains(needle), "{args:?}: {line}");
        // The same with --local, in interactive mode too (nothing read from stdin).
        input_error(&run_local(&args));
        let interactive: Vec<&str> = args
            .iter()
            .copied()
            .filter(|a| *a != QUESTION && *a != "Hi")
            .collect();
        if !needle.contains("message") && !needle.contains("needs `--model") {
            input_error(&with_stdin(aimed_at(&server), &interactive, "Hello\n"));
        }
    }
    assert_eq!(server.request_count(), 0, "no request was sent");
}

#[test]
fn service_errors_name_the_kind_in_one_line() {
    let server = bedrock_fm_local::start();
    server.faults().push(Fault::Error(ServiceError::validation(
        "The model rejected this request.",
    )));
    let out = run_against(&server, &["chat", "--model", NOVA, QUESTION]);
    assert_eq!(
        failure(&out),
        "error: Validation: The model rejected this request."
    );
    assert_eq!(out.status.code(), Some(1));
    // In the interactive mode, the error ends the conversation after the replies so far.
    server.faults().push(Fault::StreamErrorAfter(2));
    let out = with_stdin(
        aimed_at(&server),
        &["chat", "--stream", "--api", "converse", "--model", NOVA],
        "Hello\n",
    );
    let line = failure(&out);
    assert!(line.starts_with("error: ModelStreamError: "), "{line}");
    assert!(
        !stdout(&out).trim().is_empty(),
        "the partial reply was printed"
    );
}
