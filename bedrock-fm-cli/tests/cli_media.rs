//! End-to-end tests of `bedrock-fm embed` and `bedrock-fm image`: the built binary, run as a
//! user would, with `--local` or against a local server started here (through the AWS
//! configuration chain's environment variables) when the test must see the traffic.

use bedrock_fm_local::{LocalServer, TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TITAN_V2: &str = "amazon.titan-embed-text-v2:0";
const COHERE: &str = "cohere.embed-english-v3";
const MULTIMODAL: &str = "amazon.titan-embed-image-v1";
const NOVA: &str = "amazon.nova-canvas-v1:0";

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

fn run(args: &[&str]) -> Output {
    program().args(args).output().expect("the binary runs")
}

/// Runs the program against `server` through the AWS environment variables (no `--local`).
fn run_against(server: &LocalServer, args: &[&str]) -> Output {
    let nowhere = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-aws-file");
    program()
        .args(args)
        .env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.endpoint())
        .env("AWS_CONFIG_FILE", &nowhere)
        .env("AWS_SHARED_CREDENTIALS_FILE", &nowhere)
        .env("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", TEST_SECRET_ACCESS_KEY)
        .env("AWS_REGION", "us-east-1")
        .output()
        .expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

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

/// Asserts an input error: exit status 2, one `error: InvalidInput: ...` line on stderr,
/// nothing on stdout; returns the line.
fn input_error(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2), "stderr: {}", stderr(out));
    assert_eq!(stdout(out), "");
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.starts_with("error: "), "{err:?}");
    err.trim_end().to_owned()
}

fn vectors(out: &Output) -> Vec<Vec<f64>> {
    let text = success(out);
    assert_eq!(text.lines().count(), 1, "one JSON array on one line");
    let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    value
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|v| {
            v.as_array()
                .expect("a vector")
                .iter()
                .map(|x| x.as_f64().expect("a number"))
                .collect()
        })
        .collect()
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (na * nb)
}

/// A fresh directory under the target's scratch space.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-media-{name}"));
    std::fs::remove_dir_all(&dir).ok();
    dir
}

#[test]
fn embed_prints_one_vector_per_text_in_order() {
    let out = run(&[
        "embed",
        "--model",
        TITAN_V2,
        "--dimensions",
        "256",
        "--local",
        "the cat sat on the mat",
        "quarterly revenue grew in Europe",
        "a cat sat on a mat",
    ]);
    let v = vectors(&out);
    assert_eq!(v.len(), 3);
    assert!(v.iter().all(|x| x.len() == 256));
    // In order: the first and third texts are alike, the second is not.
    assert!(cosine(&v[0], &v[2]) > cosine(&v[0], &v[1]) + 0.2);
}

#[test]
fn embed_sends_the_input_type_and_dimensions() {
    let server = bedrock_fm_local::start();
    let out = run_against(
        &server,
        &[
            "embed",
            "--model",
            COHERE,
            "--input-type",
            "query",
            "what is a cat?",
        ],
    );
    assert_eq!(vectors(&out)[0].len(), 1024);
    let body: Value = serde_json::from_slice(&server.last_request().unwrap().body).unwrap();
    // Source: model-parameters-embed-v3.html: input_type, texts.
    assert_eq!(
        body,
        serde_json::json!({"input_type": "search_query", "texts": ["what is a cat?"]})
    );
    let out = run_against(
        &server,
        &[
            "embed",
            "--model",
            TITAN_V2,
            "--dimensions",
            "512",
            "a",
            "b",
        ],
    );
    assert_eq!(vectors(&out).len(), 2);
    let body: Value = serde_json::from_slice(&server.last_request().unwrap().body).unwrap();
    assert_eq!(body["dimensions"], 512);
    assert_eq!(server.request_count(), 3);
}

#[test]
fn embed_takes_images_for_multimodal_models() {
    let dir = scratch("embed-image");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("red.png");
    image::RgbImage::from_pixel(32, 32, image::Rgb([200, 10, 10]))
        .save(&path)
        .unwrap();
    let out = run(&[
        "embed",
        "--model",
        MULTIMODAL,
        "--dimensions",
        "384",
        "--local",
        "a red square",
        "--image",
        path.to_str().unwrap(),
    ]);
    let v = vectors(&out);
    assert_eq!(v.len(), 2, "the text, then the image");
    assert!(v.iter().all(|x| x.len() == 384));
}

#[test]
fn embed_refuses_bad_input_before_any_request() {
    let server = bedrock_fm_local::start();
    let cases: &[(&[&str], &str)] = &[
        (
            &["embed", "--model", TITAN_V2, "--dimensions", "768", "hi"],
            "error: InvalidInput: dimensions: 768 is not a dimension",
        ),
        (
            &["embed", "--model", TITAN_V2, "fine", ""],
            "error: InvalidInput: inputs[1]: the text is empty",
        ),
        (
            &["embed", "--model", NOVA, "hi"],
            "error: InvalidInput: model:",
        ),
        (
            &[
                "embed",
                "--model",
                MULTIMODAL,
                "--image",
                "/no/such/file.png",
            ],
            "error: InvalidInput: input.image: cannot read /no/such/file.png",
        ),
        (
            &["embed", "--model", TITAN_V2, "--input-type", "image", "hi"],
            "error: InvalidInput: --input-type:",
        ),
    ];
    for (args, expected) in cases {
        let line = input_error(&run_against(&server, args));
        assert!(line.starts_with(expected), "{args:?}: {line}");
    }
    let long = "x".repeat(2049);
    let line = input_error(&run_against(&server, &["embed", "--model", COHERE, &long]));
    assert!(line.contains("at most 2048"), "{line}");
    assert_eq!(server.request_count(), 0, "no request was sent");
}

fn png_paths(out: &Output) -> Vec<PathBuf> {
    success(out).lines().map(PathBuf::from).collect()
}

#[test]
fn image_writes_png_files_and_prints_their_paths() {
    let dir = scratch("image");
    let args = [
        "image",
        "--model",
        NOVA,
        "--width",
        "512",
        "--height",
        "320",
        "--seed",
        "7",
        "--count",
        "2",
        "--negative",
        "text",
        "--out",
    ];
    let mut first_args = args.to_vec();
    first_args.extend([dir.to_str().unwrap(), "--local", "a paper boat on a pond"]);
    let paths = png_paths(&run(&first_args));
    assert_eq!(
        paths,
        vec![dir.join("image-1.png"), dir.join("image-2.png")]
    );
    let images: Vec<image::DynamicImage> = paths.iter().map(|p| image::open(p).unwrap()).collect();
    for img in &images {
        assert_eq!((img.width(), img.height()), (512, 320));
    }
    // The same seed again: new files (never overwritten), the same pixels.
    let again = png_paths(&run(&first_args));
    assert_eq!(
        again,
        vec![dir.join("image-3.png"), dir.join("image-4.png")]
    );
    assert_eq!(image::open(&again[0]).unwrap(), images[0]);
    assert_eq!(image::open(&again[1]).unwrap(), images[1]);
}

#[test]
fn image_sends_the_documented_body() {
    let server = bedrock_fm_local::start();
    let dir = scratch("image-body");
    let out = run_against(
        &server,
        &[
            "image",
            "--model",
            "stability.stable-diffusion-xl-v1",
            "--seed",
            "99",
            "--negative",
            "people",
            "--out",
            dir.to_str().unwrap(),
            "a castle on a hill",
        ],
    );
    let paths = png_paths(&out);
    assert_eq!(paths.len(), 1);
    let body: Value = serde_json::from_slice(&server.last_request().unwrap().body).unwrap();
    // Source: model-parameters-diffusion-1-0-text-image.html: text_prompts with weights, seed.
    assert_eq!(
        body,
        serde_json::json!({"text_prompts": [{"text": "a castle on a hill"},
                                            {"text": "people", "weight": -1.0}],
                           "seed": 99})
    );
    let img = image::open(&paths[0]).unwrap();
    assert_eq!((img.width(), img.height()), (1024, 1024));
}

#[test]
fn image_refuses_bad_input_before_any_request() {
    let server = bedrock_fm_local::start();
    let dir = scratch("image-bad");
    let out_dir = dir.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "image", "--model", NOVA, "--width", "1000", "--height", "1000", "--out", out_dir,
                "x",
            ],
            "error: InvalidInput: size:",
        ),
        (
            &[
                "image",
                "--model",
                "amazon.titan-image-generator-v2:0",
                "--count",
                "6",
                "--out",
                out_dir,
                "x",
            ],
            "error: InvalidInput: count:",
        ),
        (
            &[
                "image",
                "--model",
                "stability.stable-diffusion-xl-v1",
                "--count",
                "2",
                "--out",
                out_dir,
                "x",
            ],
            "error: InvalidInput: count:",
        ),
        (
            &["image", "--model", TITAN_V2, "--out", out_dir, "x"],
            "error: InvalidInput: model:",
        ),
        (
            &[
                "image",
                "--model",
                "amazon.titan-image-generator-v1",
                "--out",
                out_dir,
                &"p".repeat(513),
            ],
            "error: InvalidInput: prompt:",
        ),
    ];
    for (args, expected) in cases {
        let line = input_error(&run_against(&server, args));
        assert!(line.starts_with(expected), "{args:?}: {line}");
    }
    let usage = run_against(
        &server,
        &[
            "image", "--model", NOVA, "--width", "512", "--out", out_dir, "x",
        ],
    );
    assert_eq!(usage.status.code(), Some(2));
    assert!(stderr(&usage).starts_with("error: Usage: `--width` needs `--height`"));
    assert_eq!(server.request_count(), 0, "no request was sent");
    assert!(!dir.exists(), "no directory was created");
}

#[test]
fn help_lists_the_new_commands() {
    let help = success(&run(&["--help"]));
    assert!(help.contains("bedrock-fm embed --model <ID>"), "{help}");
    assert!(help.contains("bedrock-fm image --model <ID>"), "{help}");
    let embed = success(&run(&["embed", "--help"]));
    assert!(embed.contains("--input-type <TYPE>"), "{embed}");
    assert!(
        embed.contains("[possible values: document, query]"),
        "{embed}"
    );
    let image = success(&run(&["help", "image"]));
    assert!(image.contains("--out <DIR>"), "{image}");
}
