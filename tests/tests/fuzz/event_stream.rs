//! Target (b): the event-stream reader. bedrock-fm-local's raw
//! `application/vnd.amazon.eventstream` answers (InvokeModelWithResponseStream of every
//! streaming family, ConverseStream) are split into frames, then cut at a frame boundary,
//! truncated inside a frame, corrupted (bad CRCs, bad lengths), laced with exceptions of known
//! and unknown `:exception-type`s, `:message-type: error` frames, unknown events and mutated
//! chunk payloads, and served by a loopback server to the SDK's streaming calls:
//! `AnyTextModel::generate_stream` (InvokeModel), `Client::invoke_stream` (typed chunks) and
//! `Claude3` over ConverseStream (`generate_stream`, `chat_stream`).
//!
//! Properties: no panic, an outcome within the time bound, `Ok` or a typed `Error`. Nothing
//! is asserted about which: how a stream without its final event ends is being decided
//! elsewhere; outcomes are counted and printed instead.

use crate::decode::framing;
use crate::families::{self, FamilyCase, Kind};
use crate::frames::*;
use crate::loopback::{self, CannedServer, Framing};
use crate::{Tally, kind_name, report, run, runtime};
use aws_smithy_eventstream::frame::read_message_from;
use base64::Engine;
use bedrock_fm::{AnyTextModel, Api, Client, Conversation, Error};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use std::cell::RefCell;
use std::time::Duration;

const CASE_TIMEOUT: Duration = Duration::from_secs(20);
const EVENTSTREAM: &str = "application/vnd.amazon.eventstream";
const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";
const NOVA: &str = "amazon.nova-lite-v1:0";

/// A stream seed and how to read it.
struct Seed {
    name: String,
    frames: Vec<Vec<u8>>,
    reader: Reader,
}

#[derive(Clone, Copy)]
enum Reader {
    /// A family over InvokeModelWithResponseStream (index into the families).
    Invoke(usize),
    /// Claude 3 Haiku or Nova over ConverseStream.
    Converse(&'static str),
}

/// Reads the served stream with the `which`-th reader of `seed`.
async fn read(
    client: &Client,
    families: &[FamilyCase],
    reader: Reader,
    which: u8,
) -> Result<(), Error> {
    match reader {
        Reader::Invoke(fi) => {
            let f = &families[fi];
            if which.is_multiple_of(2) {
                let model = AnyTextModel::builder(client, f.model)
                    .api(Api::InvokeModel)
                    .build()?;
                model
                    .generate_stream("Name a river")
                    .await?
                    .details()
                    .await?;
                Ok(())
            } else {
                (f.invoke_stream)(client, f.model, &f.request)
                    .await
                    .map(|_| ())
            }
        }
        Reader::Converse(model) => {
            let m = AnyTextModel::builder(client, model)
                .api(Api::Converse)
                .build()?;
            if which.is_multiple_of(2) {
                m.generate_stream("Name a river").await?.details().await?;
            } else {
                let conversation = Conversation::new().human("Name a river");
                m.chat_stream(&conversation).await?.collect().await?;
            }
            Ok(())
        }
    }
}

async fn seeds(families: &[FamilyCase]) -> Vec<Seed> {
    let mut out: Vec<Seed> = families
        .iter()
        .enumerate()
        .filter(|(_, f)| f.kind == Kind::Text)
        .filter_map(|(i, f)| {
            Some(Seed {
                name: format!("{} InvokeModelWithResponseStream", f.model),
                frames: split_frames(f.stream.as_ref()?),
                reader: Reader::Invoke(i),
            })
        })
        .collect();
    // The documented Claude Messages tool-use stream (tests/fixtures/aws/claude_messages.json,
    // the `context_management_stream_*` chunks, in order).
    let claude = families
        .iter()
        .position(|f| f.family.id() == "claude_messages")
        .expect("the Claude Messages family");
    let b64 = base64::engine::general_purpose::STANDARD;
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/aws/claude_messages.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let frames: Vec<Vec<u8>> = fixture["examples"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["kind"] == "stream_chunk"
                && e["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("context_management_stream_"))
        })
        .map(|e| {
            let mut chunk = e["body"].clone();
            // The page abbreviates message_start's message to id, type and role (see
            // aws_documented/known_divergences.rs); complete it as the service sends it.
            if chunk["type"] == "message_start" {
                let m = &mut chunk["message"];
                m["content"] = json!([]);
                m["model"] = json!("claude-3-haiku-20240307");
                m["usage"] = json!({"input_tokens": 12, "output_tokens": 1});
            }
            let payload = json!({"bytes": b64.encode(chunk.to_string())});
            frame(
                &[
                    (":event-type", "chunk"),
                    (":content-type", "application/json"),
                    (":message-type", "event"),
                ],
                payload.to_string().into_bytes(),
            )
        })
        .collect();
    out.push(Seed {
        name: "documented Claude Messages tool-use stream".into(),
        frames,
        reader: Reader::Invoke(claude),
    });
    let local = bedrock_fm_local::start();
    let tools = json!({"tools": [{"toolSpec": {"name": "weather", "inputSchema": {"json": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}}]});
    for (model, text, tool_config) in [
        (HAIKU, "Name a river", None),
        (NOVA, "Name a river", None),
        (HAIKU, "Call the weather tool for Paris", Some(tools)),
    ] {
        let path = format!("/model/{}/converse-stream", families::encode_id(model));
        let mut body = json!({"messages": [{"role": "user", "content": [{"text": text}]}]});
        if let Some(t) = tool_config {
            body["toolConfig"] = t;
        }
        let r = families::bearer_post(&local, &path, body.to_string().as_bytes()).await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        out.push(Seed {
            name: format!("{model} ConverseStream ({text})"),
            frames: split_frames(&r.body),
            reader: Reader::Converse(model),
        });
    }
    for s in &out {
        assert!(s.frames.len() > 2, "{}: {} frames", s.name, s.frames.len());
    }
    out
}

fn record(tally: &mut Tally, outcome: &Result<(), Error>) {
    match outcome {
        Ok(()) => tally.ok(),
        Err(e) => {
            tally.err(kind_name(e));
            if e.partial_output().is_some_and(|p| !p.is_empty()) {
                tally.note("errors keeping partial text");
            }
        }
    }
}

#[test]
fn mutated_event_streams() {
    crate::on_big_stack(mutated_event_streams_body);
}

fn mutated_event_streams_body() {
    let rt = runtime();
    let local = bedrock_fm_local::start();
    let (families, canned) = rt.block_on(async {
        (
            families::families(&local).await,
            CannedServer::start().await,
        )
    });
    drop(local);
    let seeds = rt.block_on(seeds(&families));
    let client = loopback::client(&canned.endpoint);
    let tally = RefCell::new(Tally::default());
    let strategy = (
        0..seeds.len(),
        any::<u8>(),
        vec(frame_op(), 1..4),
        framing(),
    );
    run(
        "event-stream/mutated",
        strategy,
        |(si, which, ops, framing): (usize, u8, Vec<FrameOp>, Framing)| {
            let seed = &seeds[si];
            let mut stream = Stream {
                frames: seed.frames.clone(),
                trailer: Vec::new(),
            };
            for op in &ops {
                apply(&mut stream, op);
            }
            let corrupted = stream
                .frames
                .iter()
                .any(|f| read_message_from(&f[..]).is_err());
            let body = render(&stream);
            canned.set(loopback::ok_response(EVENTSTREAM, &body, framing));
            rt.block_on(async {
                let outcome = tokio::time::timeout(
                    CASE_TIMEOUT,
                    read(&client, &families, seed.reader, which),
                )
                .await
                .map_err(|_| {
                    TestCaseError::fail(format!(
                        "{}: no outcome within {CASE_TIMEOUT:?}",
                        seed.name
                    ))
                })?;
                let mut t = tally.borrow_mut();
                record(&mut t, &outcome);
                if corrupted && outcome.is_ok() {
                    // Possible only past the final event, where a reader may stop.
                    t.note("Ok with a frame that does not decode");
                }
                Ok(())
            })
        },
    );
    report("event-stream/mutated", &tally.borrow());
}

/// Every seed cut after each of its frames (0 to all of them), read by each reader: the
/// outcomes are counted per API.
#[test]
fn streams_cut_at_every_frame_boundary() {
    crate::on_big_stack(streams_cut_at_every_frame_boundary_body);
}

fn streams_cut_at_every_frame_boundary_body() {
    crate::install_panic_hook();
    let rt = runtime();
    let local = bedrock_fm_local::start();
    let (families, canned) = rt.block_on(async {
        (
            families::families(&local).await,
            CannedServer::start().await,
        )
    });
    drop(local);
    let seeds = rt.block_on(seeds(&families));
    let client = loopback::client(&canned.endpoint);
    let mut invoke = Tally::default();
    let mut converse = Tally::default();
    for seed in &seeds {
        for keep in 0..=seed.frames.len() {
            let body = seed.frames[..keep].concat();
            canned.set(loopback::ok_response(EVENTSTREAM, &body, Framing::Exact));
            for which in 0..2u8 {
                let outcome = rt.block_on(async {
                    tokio::time::timeout(CASE_TIMEOUT, read(&client, &families, seed.reader, which))
                        .await
                });
                let outcome = outcome.unwrap_or_else(|_| {
                    panic!("{} cut after {keep} frames: no outcome", seed.name)
                });
                let t = match seed.reader {
                    Reader::Invoke(_) => &mut invoke,
                    Reader::Converse(_) => &mut converse,
                };
                record(t, &outcome);
                if keep == seed.frames.len() && outcome.is_err() {
                    panic!("{}: the whole stream fails: {outcome:?}", seed.name);
                }
                let panics = crate::take_panics();
                assert!(
                    panics.is_empty(),
                    "{} cut after {keep}: {panics:?}",
                    seed.name
                );
            }
        }
    }
    report(
        "event-stream/cut-at-frame-boundary (InvokeModel streams)",
        &invoke,
    );
    report(
        "event-stream/cut-at-frame-boundary (ConverseStream)",
        &converse,
    );
}

/// An exception or error frame of any type in the middle of a stream (after two frames),
/// read by every reader: an error (never `Ok`, never a panic). The kinds are printed.
#[test]
fn exceptions_of_unknown_types_mid_stream() {
    crate::on_big_stack(exceptions_of_unknown_types_mid_stream_body);
}

fn exceptions_of_unknown_types_mid_stream_body() {
    crate::install_panic_hook();
    let rt = runtime();
    let local = bedrock_fm_local::start();
    let (families, canned) = rt.block_on(async {
        (
            families::families(&local).await,
            CannedServer::start().await,
        )
    });
    drop(local);
    let seeds = rt.block_on(seeds(&families));
    let client = loopback::client(&canned.endpoint);
    let mut tally = Tally::default();
    let message = Payload::Full("Something odd happened.".into(), 500);
    let cases: Vec<(&str, FrameOp)> = vec![
        (
            "modelStreamErrorException",
            FrameOp::Exception {
                pick: 2,
                exception_type: "modelStreamErrorException".into(),
                payload: message.clone(),
            },
        ),
        (
            "quotaExplodedException",
            FrameOp::Exception {
                pick: 2,
                exception_type: "quotaExplodedException".into(),
                payload: message.clone(),
            },
        ),
        (
            "empty :exception-type",
            FrameOp::Exception {
                pick: 2,
                exception_type: String::new(),
                payload: message.clone(),
            },
        ),
        (
            "exception, payload not JSON",
            FrameOp::Exception {
                pick: 2,
                exception_type: "throttlingException".into(),
                payload: Payload::Bytes(b"\xff\x00oops".to_vec()),
            },
        ),
        (
            "error frame",
            FrameOp::ErrorFrame {
                pick: 2,
                code: "InternalFailure".into(),
                message: "boom".into(),
            },
        ),
        (
            "error frame, empty code",
            FrameOp::ErrorFrame {
                pick: 2,
                code: String::new(),
                message: String::new(),
            },
        ),
        (
            "message-type exception on an event",
            FrameOp::MessageType {
                pick: 2,
                to: "exception".into(),
            },
        ),
        (
            "unknown message-type",
            FrameOp::MessageType {
                pick: 2,
                to: "surprise".into(),
            },
        ),
    ];
    for seed in &seeds {
        for (name, op) in &cases {
            let mut stream = Stream {
                frames: seed.frames.clone(),
                trailer: Vec::new(),
            };
            apply(&mut stream, op);
            canned.set(loopback::ok_response(
                EVENTSTREAM,
                &render(&stream),
                Framing::Exact,
            ));
            for which in 0..2u8 {
                let outcome = rt
                    .block_on(async {
                        tokio::time::timeout(
                            CASE_TIMEOUT,
                            read(&client, &families, seed.reader, which),
                        )
                        .await
                    })
                    .unwrap_or_else(|_| panic!("{}, {name}: no outcome", seed.name));
                match &outcome {
                    Ok(()) => panic!("{}, {name}: Ok", seed.name),
                    Err(e) => tally.note(format!("{name}: {}", kind_name(e))),
                }
                record(&mut tally, &outcome);
                let panics = crate::take_panics();
                assert!(panics.is_empty(), "{}, {name}: {panics:?}", seed.name);
            }
        }
    }
    report("event-stream/exceptions-mid-stream", &tally);
}
