//! The text families' InvokeModel codecs, one file per family under `families/text/`, with
//! what they share in `common`.

use std::sync::Arc;

use crate::models::FamilyCodec;

pub mod claude_text;
mod common;
pub mod llama2_chat;
pub mod llama3;
pub mod mistral;
pub mod titan_text;

pub use claude_text::ClaudeText;
pub use llama2_chat::Llama2Chat;
pub use llama3::Llama3;
pub use mistral::Mistral;
pub use titan_text::TitanText;

/// The codecs of the text families.
pub fn codecs() -> Vec<Arc<dyn FamilyCodec>> {
    vec![
        Arc::new(TitanText),
        Arc::new(ClaudeText),
        Arc::new(Llama2Chat),
        Arc::new(Llama3),
        Arc::new(Mistral),
    ]
}
