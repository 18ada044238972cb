//! The text families' InvokeModel codecs, one file per family under `families/text/`, with
//! what they share (body validation with Bedrock's wording, conversations, streams) in
//! `common`.
//!
//! Every codec validates the body against the family's strict request schema from the
//! catalog (`bedrock_fm::catalog::Family::request_spec`), answers with the family's
//! documented response JSON (valid against `response_spec`) from the deterministic
//! [`crate::engine`], and streams the family's documented chunk objects (valid against
//! `stream_chunk_spec`), the last one carrying the invocation metrics.

pub mod claude_messages;
pub mod claude_text;
mod codec_support;
pub mod command;
pub mod command_r;
pub mod deepseek;
pub mod jamba;
pub mod jurassic;
pub mod llama2_chat;
pub mod llama3;
pub mod mistral;
pub mod mistral_chat;
pub mod nova;
pub mod titan_text;

pub use claude_messages::ClaudeMessages;
pub use claude_text::ClaudeText;
pub use command::Command;
pub use command_r::CommandR;
pub use deepseek::Deepseek;
pub use jamba::Jamba;
pub use jurassic::Jurassic;
pub use llama2_chat::Llama2Chat;
pub use llama3::Llama3;
pub use mistral::Mistral;
pub use mistral_chat::MistralChat;
pub use nova::Nova;
pub use titan_text::TitanText;
