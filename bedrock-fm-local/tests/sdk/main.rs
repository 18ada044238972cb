//! The server driven by `aws-sdk-bedrockruntime`, a client this crate did not write: every
//! test asserts both what reached the server and what the client decoded.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_bedrockruntime::error::ProvideErrorMetadata;
use aws_sdk_bedrockruntime::operation::RequestId;
use aws_sdk_bedrockruntime::types::{
    AnyToolChoice, ContentBlock, ContentBlockDelta, ContentBlockStart, ConversationRole,
    ConverseOutput, ConverseStreamOutput, InferenceConfiguration, Message, StopReason, Tool,
    ToolChoice, ToolConfiguration, ToolInputSchema, ToolSpecification,
};
use aws_smithy_types::Document;
use bedrock_fm_local::{Config, Fault, FaultConfig, FaultMatch, Operation, TEST_ACCESS_KEY_ID};

mod auth;
mod converse;
mod faults;
mod handle;
mod operations;

/// A Converse-capable, streaming, tool-using model of the catalog, named by its inference
/// profile as most users do.
const MODEL: &str = "us.anthropic.claude-3-haiku-20240307-v1:0";

fn user(text: &str) -> Message {
    Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text(text.into()))
        .build()
        .unwrap()
}

fn reply_text(out: &aws_sdk_bedrockruntime::operation::converse::ConverseOutput) -> String {
    let Some(ConverseOutput::Message(m)) = out.output() else {
        panic!("no message in {out:?}")
    };
    m.content()
        .iter()
        .filter_map(|b| b.as_text().ok().cloned())
        .collect()
}
