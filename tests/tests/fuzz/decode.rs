//! Target (a): the SDK's decoding of every family's InvokeModel response and of the Converse
//! response. Seeds (bedrock-fm-local's answers and the documented responses) are mutated and
//! served with status 200 by a loopback server to the public paths: `Client::invoke` (the
//! typed response), the family wrappers (`AnyTextModel::generate_details`, the embedding and
//! image wrappers) and Converse (`Claude3` over `Api::Converse`).
//!
//! Properties: no panic, an answer within [`CASE_TIMEOUT`], and
//! - `Client::invoke` is `Ok` only when the served body is a JSON object holding every member
//!   the family's response spec declares required (so nothing required was defaulted);
//! - a wrapper is `Ok` only when `Client::invoke` is `Ok` for the same body (it decodes the
//!   same typed response), an embedding call returns one vector per input, an image call at
//!   least one image;
//! - Converse is `Ok` only when the body has `output.message` and `stopReason`.

use crate::families::{self, FamilyCase, Kind, missing_required};
use crate::loopback::{self, CannedServer, Framing};
use crate::mutate::{BodyMutation, body_mutation, mutate_body};
use crate::{Tally, kind_name, report, run, runtime};
use bedrock_fm::embeddings::AnyEmbedModel;
use bedrock_fm::images::AnyImageModel;
use bedrock_fm::{AnyTextModel, Api, Claude3, Client, Conversation, Error};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use std::cell::RefCell;
use std::time::Duration;

/// The longest one case may take.
pub(crate) const CASE_TIMEOUT: Duration = Duration::from_secs(20);

pub(crate) fn framing() -> impl Strategy<Value = Framing> {
    prop_oneof![
        8 => Just(Framing::Exact),
        1 => Just(Framing::Short),
        1 => Just(Framing::UntilClose),
    ]
}

async fn bounded<T>(what: &str, f: impl Future<Output = T>) -> Result<T, TestCaseError> {
    tokio::time::timeout(CASE_TIMEOUT, f)
        .await
        .map_err(|_| TestCaseError::fail(format!("{what}: no outcome within {CASE_TIMEOUT:?}")))
}

/// The family wrapper's call on the served body: `Ok(())` or its error.
async fn wrapper_call(client: &Client, f: &FamilyCase) -> Result<Result<(), Error>, String> {
    match f.kind {
        Kind::Text => {
            let model = match AnyTextModel::builder(client, f.model)
                .api(Api::InvokeModel)
                .build()
            {
                Ok(m) => m,
                Err(e) => return Ok(Err(e)),
            };
            Ok(model.generate_details("Name a river").await.map(|_| ()))
        }
        Kind::Embed => {
            let model = match AnyEmbedModel::builder(client, f.model).build() {
                Ok(m) => m,
                Err(e) => return Ok(Err(e)),
            };
            match model
                .generate_for_documents(["first text", "second text"])
                .await
            {
                Ok(v) if v.len() != 2 => return Err(format!("{} vectors for 2 texts", v.len())),
                Ok(_) => {}
                Err(e) => return Ok(Err(e)),
            }
            Ok(model.generate_for_query("a query").await.map(|_| ()))
        }
        Kind::Image => {
            let model = match AnyImageModel::builder(client, f.model).build() {
                Ok(m) => m,
                Err(e) => return Ok(Err(e)),
            };
            match model.generate("a lighthouse").await {
                Ok(images) if images.is_empty() => Err("Ok with no image".into()),
                Ok(_) => Ok(Ok(())),
                Err(e) => Ok(Err(e)),
            }
        }
    }
}

#[test]
fn invoke_model_responses_of_every_family() {
    crate::on_big_stack(invoke_model_responses_of_every_family_body);
}

fn invoke_model_responses_of_every_family_body() {
    let rt = runtime();
    let local = bedrock_fm_local::start();
    let (families, canned) = rt.block_on(async {
        (
            families::families(&local).await,
            CannedServer::start().await,
        )
    });
    drop(local);
    let client = loopback::client(&canned.endpoint);
    let typed_tally = RefCell::new(Tally::default());
    let wrapper_tally = RefCell::new(Tally::default());
    let strategy = (0..families.len(), any::<u8>(), body_mutation(), framing());
    run(
        "decode/invoke-model",
        strategy,
        |(fi, si, m, framing): (usize, u8, BodyMutation, Framing)| {
            let f = &families[fi];
            let seed = &f.responses[usize::from(si) % f.responses.len()];
            let body = mutate_body(seed, &m);
            canned.set(loopback::ok_response("application/json", &body, framing));
            rt.block_on(async {
                let typed = bounded(f.model, (f.invoke)(&client, f.model, &f.request)).await?;
                match &typed {
                    Ok(_) => {
                        let served: Value = serde_json::from_slice(&body).map_err(|e| {
                            TestCaseError::fail(format!(
                                "{}: Ok for a body that is not JSON ({e})",
                                f.model
                            ))
                        })?;
                        if let Some(missing) =
                            missing_required(f.family.response_spec(), &served, "")
                        {
                            return Err(TestCaseError::fail(format!(
                                "{}: Client::invoke is Ok without the required {missing}",
                                f.model
                            )));
                        }
                        if framing == Framing::Short {
                            return Err(TestCaseError::fail(format!(
                                "{}: Ok for a body cut short of its Content-Length",
                                f.model
                            )));
                        }
                        typed_tally.borrow_mut().ok();
                    }
                    Err(e) => typed_tally.borrow_mut().err(kind_name(e)),
                }
                let wrapper = bounded(f.model, wrapper_call(&client, f))
                    .await?
                    .map_err(|e| TestCaseError::fail(format!("{}: {e}", f.model)))?;
                if wrapper.is_ok() && typed.is_err() {
                    return Err(TestCaseError::fail(format!(
                        "{}: the wrapper is Ok where Client::invoke fails with {:?}",
                        f.model,
                        typed.err()
                    )));
                }
                wrapper_tally.borrow_mut().record(&wrapper);
                Ok(())
            })
        },
    );
    report(
        "decode/invoke-model (Client::invoke)",
        &typed_tally.borrow(),
    );
    report(
        "decode/invoke-model (family wrappers)",
        &wrapper_tally.borrow(),
    );
}

const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";

#[test]
fn converse_responses() {
    crate::on_big_stack(converse_responses_body);
}

fn converse_responses_body() {
    let rt = runtime();
    let local = bedrock_fm_local::start();
    let (mut seeds, canned) = rt.block_on(async {
        let path = format!("/model/{}/converse", families::encode_id(HAIKU));
        let body = json!({"messages": [{"role": "user", "content": [{"text": "Name a river"}]}]});
        let r = families::bearer_post(&local, &path, body.to_string().as_bytes()).await;
        assert_eq!(r.status, 200);
        let answer: Value = serde_json::from_slice(&r.body).unwrap();
        (vec![answer], CannedServer::start().await)
    });
    drop(local);
    seeds.extend(families::documented_converse_responses());
    let client = loopback::client(&canned.endpoint);
    let haiku = Claude3::builder(&client, HAIKU)
        .api(Api::Converse)
        .build()
        .unwrap();
    let tally = RefCell::new(Tally::default());
    let conversation = Conversation::new().human("Name a river");
    run(
        "decode/converse",
        (any::<u8>(), body_mutation(), framing()),
        |(si, m, framing): (u8, BodyMutation, Framing)| {
            let seed = &seeds[usize::from(si) % seeds.len()];
            let body = mutate_body(seed, &m);
            canned.set(loopback::ok_response("application/json", &body, framing));
            rt.block_on(async {
                let details = bounded("converse", haiku.generate_details("Name a river")).await?;
                let outcome = details.map(|_| ());
                if outcome.is_ok() {
                    let served: Value = serde_json::from_slice(&body).map_err(|e| {
                        TestCaseError::fail(format!(
                            "Converse Ok for a body that is not JSON ({e})"
                        ))
                    })?;
                    for required in ["/output/message", "/stopReason"] {
                        if served.pointer(required).is_none_or(Value::is_null) {
                            return Err(TestCaseError::fail(format!(
                                "Converse Ok without the required {required}"
                            )));
                        }
                    }
                    // Required by the service model too; counted, not asserted (the SDK's
                    // deserializer decides them).
                    for member in ["usage", "metrics"] {
                        if seed.get(member).is_some() && served.get(member).is_none() {
                            tally
                                .borrow_mut()
                                .note(format!("Ok without the required `{member}`"));
                        }
                    }
                }
                tally.borrow_mut().record(&outcome);
                let chat = bounded("converse chat", haiku.chat(&conversation)).await?;
                if chat.is_ok() && outcome.is_err() {
                    return Err(TestCaseError::fail(
                        "chat() is Ok where generate_details() fails for the same body",
                    ));
                }
                Ok(())
            })
        },
    );
    report("decode/converse", &tally.borrow());
}
