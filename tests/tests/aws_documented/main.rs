//! The oracle the catalog cannot bend: requests and responses copied from the AWS pages (with
//! their URLs) in `tests/fixtures/aws/*.json`, checked against the SDK's typed bodies and the
//! local server.
//!
//! The fixture files are read at run time, so an example added to a JSON file is tested with
//! no code change. For every example:
//!
//! - `request`: it deserializes into its family's typed request and re-serializes to the same
//!   JSON (numbers compare by value: JSON does not tell `1` from `1.0`); sent as the
//!   InvokeModel body with the raw `aws-sdk-bedrockruntime` client to bedrock-fm-local (as
//!   InvokeModelWithResponseStream when the example says `"stream": true`), it is answered 200
//!   and the answer decodes into the family's typed response (or stream chunks);
//! - `response` / `stream_chunk`: it decodes into the family's typed response or chunk and
//!   re-serializes to the same JSON;
//! - `invalid_request`: the server refuses it with a 400 `ValidationException` whose message
//!   contains the documented wording (the example's `error`);
//! - Converse (`converse.json`): a documented request is sent to the server's Converse route
//!   and its answer checked against the `ConverseResponse` shape of the bedrock-runtime service
//!   model; a documented response is checked against the same shape by hand and decoded by
//!   bedrock-fm's chat API (served by a one-shot HTTP endpoint that answers with it).
//!
//! Nothing here judges the server by the SDK's spec tables or the SDK by the server: the
//! documented JSON is the reference for both. Where AWS's own example does not pass, the
//! example is not changed; it is listed in
//! [`KNOWN_DIVERGENCES`](known_divergences::KNOWN_DIVERGENCES) with the reason, and the
//! tests assert that exactly those examples diverge, so a fix makes them ask for the entry to
//! be removed.
//!
//! The last tests ([`builders`]) rebuild one literal documented request per family with the
//! SDK's typed builders and compare it with the fixture.

// Shared: the fixtures, how they are compared and which of them are known to diverge.
mod family_types;
mod fixtures;
mod json_diff;
mod known_divergences;

// The tests.
mod builders;
mod converse_shape;
mod documented_bodies;
mod local_server;
