//! AI21 Jamba: OpenAI-style `messages`, `choices` and `usage`.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jamba.html>

use super::mistral_chat::decode_choices;
use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::jamba::JambaResponse;
use crate::conversation::Conversation;
use crate::error::Result;
use crate::generated::wrappers::JambaFamily;
use serde_json::{Map, Value};

impl TextFamily for JambaFamily {
    type Response = JambaResponse;

    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
        body: &mut Map<String, Value>,
    ) -> Result<String> {
        Ok(super::encode_role_content(conversation, body))
    }

    fn decode(response: &Value) -> Decoded {
        decode_choices(response)
    }
}
