//! Meta Llama 3 and later: header tokens `<|start_header_id|>role<|end_header_id|>`; the
//! Llama 3.2 vision models (and Llama 4) also take `images`, a list of Base64-encoded images,
//! each marked in the prompt by the `<|image|>` token where it appears in the turn.
//! Source: <https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html>
//! (`images`) and Meta's Llama 3 and Llama 3.2 vision prompt formats, which that page points
//! to (`<|image|>` in the user turn, before or among its text).

use super::llama2_chat::llama_decoders;
use super::{Decoded, EncodeContext, TextFamily};
use crate::bodies::llama3::{Llama3Request, Llama3Response, Llama3StreamChunk};
use crate::chat::content::Content;
use crate::conversation::{Conversation, Role, Turn};
use crate::error::Result;
use crate::generated::wrappers::Llama3Family;

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

/// The header tokens of a Llama prompt format.
struct Tokens {
    header_start: &'static str,
    header_end: &'static str,
    end_of_turn: &'static str,
}

/// Llama 3: `<|start_header_id|>`, `<|end_header_id|>`, `<|eot_id|>`.
const LLAMA3: Tokens = Tokens {
    header_start: "<|start_header_id|>",
    header_end: "<|end_header_id|>",
    end_of_turn: "<|eot_id|>",
};

/// Llama 4 renamed three of them: `<|header_start|>`, `<|header_end|>`, `<|eot|>`. Source:
/// Meta's "Llama 4 - Prompt Formats" (https://www.llama.com/docs/model-cards-and-prompt-formats/llama4/,
/// and `models/llama4/prompt_format.md` in github.com/meta-llama/llama-models). AWS's
/// model-parameters-meta.html shows the Llama 3 tokens for "Llama 4 Instruct" too; Meta's
/// tokenizer defines the model's real format, so Llama 4 gets its own.
const LLAMA4: Tokens = Tokens {
    header_start: "<|header_start|>",
    header_end: "<|header_end|>",
    end_of_turn: "<|eot|>",
};

/// The prompt in the format of `ctx`'s model: Llama 4's where the catalog says
/// `prompt_format = "llama4"`, Llama 3's otherwise.
pub(crate) fn prompt_for(conversation: &Conversation, ctx: &EncodeContext<'_>) -> String {
    let format = ctx.model.and_then(|m| m.info().prompt_format);
    let tokens = if format == Some("llama4") {
        &LLAMA4
    } else {
        &LLAMA3
    };
    prompt_with(conversation, tokens)
}

/// `<|begin_of_text|>`, then per turn `<|start_header_id|>{role}<|end_header_id|>\n\n{text}<|eot_id|>`,
/// then the open assistant header (or the assistant's prefill, left open). Images appear as
/// `<|image|>` where they are in their turn.
#[cfg(test)]
pub(crate) fn llama3_prompt(conversation: &Conversation) -> String {
    prompt_with(conversation, &LLAMA3)
}

fn prompt_with(conversation: &Conversation, tokens: &Tokens) -> String {
    let header = |role: &str| format!("{}{role}{}\n\n", tokens.header_start, tokens.header_end);
    let mut out = String::from("<|begin_of_text|>");
    let turns = conversation.turns();
    for (i, turn) in turns.iter().enumerate() {
        out.push_str(&header(turn.role.wire()));
        out.push_str(&turn_text(turn));
        let prefill = i + 1 == turns.len() && turn.role == Role::Assistant;
        if !prefill {
            out.push_str(tokens.end_of_turn);
        }
    }
    if turns.last().is_some_and(|t| t.role != Role::Assistant) {
        out.push_str(&header("assistant"));
    }
    out
}

impl TextFamily for Llama3Family {
    const PREFILL: bool = true;

    /// Text, and images for the vision models (the catalog says which).
    fn accepts(content: &Content) -> bool {
        matches!(content, Content::Text(_) | Content::Image(_))
    }

    fn encode(
        conversation: &Conversation,
        ctx: &EncodeContext<'_>,
    ) -> Result<(Llama3Request, String)> {
        let prompt = prompt_for(conversation, ctx);
        let mut images = Vec::new();
        for (t, turn) in conversation.turns().iter().enumerate() {
            let mut n = 0;
            for c in &turn.content {
                if let Content::Image(image) = c {
                    n += 1;
                    let at = format!("conversation turn {}, image {n}", t + 1);
                    images.push(ctx.fit(image, &at)?.base64());
                }
            }
        }
        let request = Llama3Request {
            prompt: prompt.clone(),
            images: (!images.is_empty()).then_some(images),
            ..Llama3Request::default()
        };
        Ok((request, prompt))
    }

    llama_decoders!(Llama3Response, Llama3StreamChunk);
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

    // Source: the "Simple User and assistant conversation" example of Meta's "Llama 4 - Prompt
    // Formats" (models/llama4/prompt_format.md, github.com/meta-llama/llama-models).
    #[test]
    fn llama4_models_get_meta_s_documented_llama4_format() {
        use crate::catalog::Model;
        let c = Conversation::new()
            .system("You are a helpful assistant")
            .human("Answer who are you in the form of jeopardy?");
        let ctx = |model| EncodeContext {
            model: Some(model),
            tools: &[],
            tool_choice: None,
            reasoning: None,
        };
        assert_eq!(
            prompt_for(&c, &ctx(Model::MetaLlama4Scout17bInstructV1_0)),
            "<|begin_of_text|><|header_start|>system<|header_end|>\n\nYou are a helpful assistant<|eot|>\
             <|header_start|>user<|header_end|>\n\nAnswer who are you in the form of jeopardy?<|eot|>\
             <|header_start|>assistant<|header_end|>\n\n"
        );
        // Llama 3.3 keeps the Llama 3 tokens.
        let llama33 = prompt_for(&c, &ctx(Model::MetaLlama3_3_70bInstructV1_0));
        assert!(llama33.starts_with("<|begin_of_text|><|start_header_id|>system<|end_header_id|>"));
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
        let ctx = EncodeContext {
            model: Some(Model::MetaLlama3_2_11bInstructV1_0),
            tools: &[],
            tool_choice: None,
            reasoning: None,
        };
        let (request, _) = Llama3Family::encode(&c, &ctx).unwrap();
        let body = serde_json::to_value(&request).unwrap();
        use base64::Engine as _;
        let b64 = |b: Vec<u8>| base64::engine::general_purpose::STANDARD.encode(b);
        assert_eq!(
            body["images"],
            serde_json::json!([b64(png(3)), b64(png(5))])
        );
    }
}
