//! What the text codecs share, by concern: request bodies ([`body`]: reading and validating a
//! native body with Bedrock's wording, reading values out of it, finding the last user turn of
//! a templated prompt), [`completion`] (prompt-completion generation and turning chunk objects
//! into a stream) and [`chat`] (answering a conversation: text, tool calls, reasoning).
//!
//! # Validation wording
//!
//! Bedrock validates InvokeModel bodies against a JSON schema per model and answers a
//! `ValidationException` whose message is `Malformed input request: <violations>, please
//! reformat your input and try again.`, each violation written `<JSON pointer>: <problem>` and
//! several of them concatenated with no separator. Recorded examples (dify PR #3326, Titan and
//! Jurassic): `Malformed input request: #/stopSequences: expected type: JSONArray, found:
//! String, please reformat your input and try again.` and `Malformed input request: #:
//! extraneous key [top_p] is not permitted#: extraneous key [max_tokens_to_sample] is not
//! permitted, please reformat your input and try again.`; the same for Claude (pingcap/autoflow
//! PR #574: `Malformed input request: #: subject must not be valid against schema
//! {"required":["messages"]}#: extraneous key [response_mime_type] is not permitted, please
//! reformat your input and try again.`) and for a nested block (crmne/ruby_llm issue #586:
//! `#/messages/0/content/0: extraneous key [type] is not permitted`). Ranges read `8192 is not
//! less or equal to 8191` (langchain issue #9697). The violations themselves come from the
//! catalog's strict schema, [`bedrock_fm::schema::StructSpec::validate`].

mod body;
mod chat;
mod completion;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

pub(crate) use body::*;
pub(crate) use chat::*;
pub(crate) use completion::*;
