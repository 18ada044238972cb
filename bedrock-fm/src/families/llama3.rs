//! Meta Llama 3 and later: header tokens `<|start_header_id|>role<|end_header_id|>`; the
//! Llama 3.2 vision models (and Llama 4) also take `images`, a list of Base64-encoded images,
//! each marked in the prompt by the `<|image|>` token where it appears in the turn.
//! Source: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
//! (`images`) and Meta's Llama 3 and Llama 3.2 vision prompt formats, which that page points
//! to (`<|image|>` in the user turn, before or among its text).

use super::llama2_chat::decode_llama;
use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::llama3::Llama3Response;
use crate::chat::content::Content;
use crate::conversation::{Conversation, Role, Turn};
use crate::error::Result;
use crate::generated::wrappers::Llama3Family;
use serde_json::{Map, Value};

/// Meta's image token: where an image sits in the prompt.
pub(crate) const IMAGE_TOKEN: &str = "<|image|>";

/// A turn's text with `<|image|>` where each image is, in order.
fn turn_text(turn: &Turn) -> String {
    turn.content
        .iter()
        .filter_map(|c| match c {
            Content::Text(t) => Some(t.as_str()),
            Content::Image(_) => Some(IMAGE_TOKEN),
            _ => None,
        })
        .collect()
}

/// `<|begin_of_text|>`, then per turn `<|start_header_id|>{role}<|end_header_id|>\n\n{text}<|eot_id|>`,
/// then the open assistant header (or the assistant's prefill, left open). Images appear as
/// `<|image|>` where they are in their turn.
pub(crate) fn llama3_prompt(conversation: &Conversation) -> String {
    let header = |role: &str| format!("<|start_header_id|>{role}<|end_header_id|>\n\n");
    let mut out = String::from("<|begin_of_text|>");
    let turns = conversation.turns();
    for (i, turn) in turns.iter().enumerate() {
        out.push_str(&header(turn.role.wire()));
        out.push_str(&turn_text(turn));
        let prefill = i + 1 == turns.len() && turn.role == Role::Assistant;
        if !prefill {
            out.push_str("<|eot_id|>");
        }
    }
    if turns.last().is_some_and(|t| t.role != Role::Assistant) {
        out.push_str(&header("assistant"));
    }
    out
}

impl TextFamily for Llama3Family {
    type Response = Llama3Response;
    const PREFILL: bool = true;

    /// Text, and images for the vision models (the catalog says which).
    fn accepts(content: &Content) -> bool {
        matches!(content, Content::Text(_) | Content::Image(_))
    }

    fn encode(
        conversation: &Conversation,
        ctx: &EncodeContext<'_>,
        body: &mut Map<String, Value>,
    ) -> Result<String> {
        let prompt = llama3_prompt(conversation);
        body.insert("prompt".into(), Value::String(prompt.clone()));
        let mut images = Vec::new();
        for (t, turn) in conversation.turns().iter().enumerate() {
            let mut n = 0;
            for c in &turn.content {
                if let Content::Image(image) = c {
                    n += 1;
                    let at = format!("conversation turn {}, image {n}", t + 1);
                    images.push(Value::String(ctx.fit(image, &at)?.base64()));
                }
            }
        }
        if !images.is_empty() {
            body.insert("images".into(), Value::Array(images));
        }
        Ok(prompt)
    }

    fn decode(response: &Value) -> Decoded {
        decode_llama(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Source: Meta's Llama 3 prompt format (model card "Meta Llama 3", prompt format),
    // which https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
    // refers to.
    #[test]
    fn the_documented_header_format() {
        let c = Conversation::new().system("You are terse.").human("Hi");
        assert_eq!(
            llama3_prompt(&c),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>\
             <|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>\
             <|start_header_id|>assistant<|end_header_id|>\n\n"
        );
        let prefill = Conversation::new().human("Count:").assistant("1, 2,");
        assert_eq!(
            llama3_prompt(&prefill),
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nCount:<|eot_id|>\
             <|start_header_id|>assistant<|end_header_id|>\n\n1, 2,"
        );
    }

    // Source: Meta's Llama 3.2 vision prompt format (`<|image|>` in the user turn) and the
    // `images` list of model-parameters-meta.html.
    #[test]
    fn images_are_marked_where_they_are_and_sent_in_order() {
        use crate::catalog::Model;
        let png = |w: u32| {
            let img = image::DynamicImage::new_rgb8(w, 2);
            let mut out = std::io::Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Png).unwrap();
            out.into_inner()
        };
        let c = Conversation::new().human_with([
            Content::image_bytes(png(3)),
            Content::text("Compare with"),
            Content::image_bytes(png(5)),
        ]);
        assert_eq!(
            llama3_prompt(&c),
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n\
             <|image|>Compare with<|image|><|eot_id|>\
             <|start_header_id|>assistant<|end_header_id|>\n\n"
        );
        let mut body = Map::new();
        let ctx = EncodeContext {
            model: Some(Model::MetaLlama3_2_11bInstructV1_0),
            tools: &[],
            tool_choice: None,
            reasoning: None,
        };
        Llama3Family::encode(&c, &ctx, &mut body).unwrap();
        use base64::Engine as _;
        let b64 = |b: Vec<u8>| base64::engine::general_purpose::STANDARD.encode(b);
        assert_eq!(
            body["images"],
            serde_json::json!([b64(png(3)), b64(png(5))])
        );
    }
}
