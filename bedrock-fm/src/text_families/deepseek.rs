//! DeepSeek (R1): a text-completion `prompt`, `choices` back.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-deepseek.html>
//! ("DeepSeek Request and Response": `prompt`, `temperature`, `top_p`, `max_tokens`, `stop`;
//! `choices[].text` and `choices[].stop_reason`, `stop` or `length`).

use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::deepseek::{
    DeepSeekChoice, DeepSeekRequest, DeepSeekResponse, DeepSeekStreamChunk,
};
use crate::conversation::Conversation;
use crate::error::Result;
use crate::generated::wrappers::DeepSeekFamily;

/// The choices' texts and the first stop reason.
fn decode_choices(choices: &[DeepSeekChoice]) -> Decoded {
    let texts = choices
        .iter()
        .map(|c| c.text.clone())
        .filter(|t| !t.is_empty())
        .collect();
    let stop = choices.first().and_then(|c| c.stop_reason.as_ref());
    Decoded {
        texts,
        ..Decoded::default()
    }
    .with_stop(stop.map(|r| r.as_str()))
}

impl TextFamily for DeepSeekFamily {
    /// A lone prompt is sent as it is; a conversation as `User:` / `Assistant:` turns (the
    /// page documents no chat template for the `prompt` body).
    fn encode(
        conversation: &Conversation,
        _: &EncodeContext<'_>,
    ) -> Result<(DeepSeekRequest, String)> {
        let prompt = super::plain_prompt(conversation, "User", "Assistant");
        let request = DeepSeekRequest {
            prompt: prompt.clone(),
            ..DeepSeekRequest::default()
        };
        Ok((request, prompt))
    }

    fn decode(response: &DeepSeekResponse) -> Decoded {
        decode_choices(&response.choices)
    }

    fn decode_chunk(chunk: &DeepSeekStreamChunk) -> Decoded {
        decode_choices(chunk.choices.as_deref().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Source: the request and response fields of model-parameters-deepseek.html.
    #[test]
    fn the_documented_names_go_out_and_come_back() {
        let ctx = EncodeContext {
            model: None,
            tools: &[],
            tool_choice: None,
            reasoning: None,
        };
        let (request, prompt) =
            DeepSeekFamily::encode(&Conversation::new().human("Why is the sky blue?"), &ctx)
                .unwrap();
        assert_eq!(prompt, "Why is the sky blue?");
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({"prompt": "Why is the sky blue?"})
        );
        let response: DeepSeekResponse = serde_json::from_value(
            json!({"choices": [{"text": "Rayleigh scattering.", "stop_reason": "length"}]}),
        )
        .unwrap();
        let decoded = DeepSeekFamily::decode(&response);
        assert_eq!(decoded.texts, ["Rayleigh scattering."]);
        assert_eq!(decoded.stop_reason.as_deref(), Some("length"));
    }
}
