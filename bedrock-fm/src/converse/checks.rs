//! What is refused before any Converse request: content the model cannot take (by the
//! catalog), and documents, metadata and tool blocks the service model rejects.

use super::request::turn_at;
use crate::catalog::{Modality, Model};
use crate::chat::ChatOptions;
use crate::chat::content::{Content, DocumentInput, ToolResultContent};
use crate::chat::images::DEFAULT_LIMITS;
use crate::conversation::Conversation;
use crate::error::{Error, Result};
use crate::text_families::TextFamily;

/// `Message.content`: "up to five documents. Each document's size must be no more than
/// 4.5 MB."
const MAX_DOCUMENTS: usize = 5;
const MAX_DOCUMENT_BYTES: usize = 4_718_592;

/// `InferenceConfigurationStopSequencesList`: at most 2,500 stop sequences (bedrock-runtime
/// service model, `InferenceConfiguration.stopSequences`); a service-model limit, so checked
/// whatever [`crate::Limits`] says.
const MAX_STOP_SEQUENCES: usize = 2500;

/// The `DocumentFormat` enum of the service model.
const DOCUMENT_FORMATS: [&str; 9] = [
    "pdf", "csv", "doc", "docx", "xls", "xlsx", "html", "txt", "md",
];

/// `RequestMetadataKeyString` / `...ValueString`: `[a-zA-Z0-9\s:_@$#=/+,-.]`.
fn metadata_chars_ok(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || c.is_whitespace() || ":_@$#=/+,-.".contains(c))
}

/// `DocumentBlock.name`: letters, digits, single whitespace characters, hyphens,
/// parentheses and square brackets, 1 to 200 characters.
fn document_name_ok(name: &str) -> bool {
    let chars_ok = name.chars().all(|c| {
        c.is_alphanumeric() || c.is_whitespace() || matches!(c, '-' | '(' | ')' | '[' | ']')
    });
    let single_spaces = !name
        .chars()
        .zip(name.chars().skip(1))
        .any(|(a, b)| a.is_whitespace() && b.is_whitespace());
    (1..=200).contains(&name.chars().count()) && chars_ok && single_spaces
}

fn count_images(c: &Content) -> u32 {
    match c {
        Content::Image(_) => 1,
        Content::ToolResult(r) => r
            .content
            .iter()
            .filter(|p| matches!(p, ToolResultContent::Image(_)))
            .count() as u32,
        _ => 0,
    }
}

/// Converse's own limit on stop words (emptiness, which InvokeModel shares, is checked by
/// `CallOptions::plan`).
pub(super) fn check_stop_words(words: Option<&[String]>) -> Result<()> {
    let n = words.map_or(0, <[String]>::len);
    if n > MAX_STOP_SEQUENCES {
        let msg = format!(
            "{n} stop words; Converse takes at most {MAX_STOP_SEQUENCES} \
             (InferenceConfigurationStopSequencesList, bedrock-runtime service model)"
        );
        return Err(Error::invalid("stop_words", msg));
    }
    Ok(())
}

/// The checks of [`request`] that need no encoding.
pub(super) fn check<F: TextFamily>(
    model: Option<Model>,
    conversation: &Conversation,
    chat: &ChatOptions<F>,
) -> Result<()> {
    let info = model.map(Model::info);
    let id = info.map_or("this model", |i| i.id);
    let limits = info.and_then(|i| i.image_input).unwrap_or(DEFAULT_LIMITS);
    let mut images = 0u32;
    for (i, turn) in conversation.turns().iter().enumerate() {
        let at = turn_at(i);
        let has_text = turn
            .content
            .iter()
            .any(|c| matches!(c, Content::Text(t) if !t.trim().is_empty()));
        let mut documents = 0;
        for c in &turn.content {
            let n = count_images(c);
            if n > 0 {
                if let Some(info) = info
                    && !info.vision
                {
                    let msg = format!(
                        "{} takes no images (it has no vision); use a vision model",
                        info.id
                    );
                    return Err(Error::invalid(at, msg));
                }
                images += n;
                if images > limits.max_count {
                    let msg = format!(
                        "more images than {id} takes: at most {} in a request",
                        limits.max_count
                    );
                    return Err(Error::invalid(at, msg));
                }
            }
            match c {
                Content::Document(d) => {
                    if let Some(info) = info
                        && !info.input_modalities.contains(&Modality::Document)
                    {
                        let msg = format!("{} reads no documents", info.id);
                        return Err(Error::invalid(at, msg));
                    }
                    check_document(d, &at)?;
                    documents += 1;
                    if documents > MAX_DOCUMENTS {
                        let msg = format!(
                            "more than {MAX_DOCUMENTS} documents in one turn (Converse's limit)"
                        );
                        return Err(Error::invalid(at, msg));
                    }
                    if !has_text {
                        return Err(Error::invalid(
                            at,
                            "a document needs a text block in the same turn (Converse requires one)",
                        ));
                    }
                }
                Content::ToolUse(u) => {
                    if chat.tools.is_empty() {
                        return Err(needs_tools(&at));
                    }
                    if !u.input.is_object() {
                        let msg = format!("the input of tool call {:?} is not a JSON object", u.id);
                        return Err(Error::invalid(at, msg));
                    }
                }
                Content::ToolResult(r) => {
                    if chat.tools.is_empty() {
                        return Err(needs_tools(&at));
                    }
                    if r.content
                        .iter()
                        .any(|p| matches!(p, ToolResultContent::Json(v) if !v.is_object()))
                    {
                        let msg = format!(
                            "the JSON of the result for {:?} is not an object (Bedrock takes objects only; wrap it, e.g. {{\"result\": ...}})",
                            r.tool_use_id
                        );
                        return Err(Error::invalid(at, msg));
                    }
                }
                _ => {}
            }
        }
    }
    if !chat.tools.is_empty() || chat.tool_choice.is_some() {
        if let Some(info) = info
            && !info.tool_use
        {
            let msg = format!("{} does not support tool use", info.id);
            return Err(Error::invalid("tools", msg));
        }
        if chat.tools.is_empty() {
            return Err(Error::invalid("tool_choice", "a tool choice without tools"));
        }
        for (i, t) in chat.tools.iter().enumerate() {
            if chat.tools[..i].iter().any(|u| u.name == t.name) {
                let msg = format!("the tool name {:?} is offered twice", t.name);
                return Err(Error::invalid("tools", msg));
            }
        }
    }
    if let Some(g) = &chat.guardrail {
        g.validate()?;
    }
    if chat.request_metadata.len() > 16 {
        return Err(Error::invalid("request_metadata", "more than 16 entries"));
    }
    for (k, v) in &chat.request_metadata {
        let at = format!("request_metadata.{k}");
        if !(1..=256).contains(&k.chars().count())
            || !metadata_chars_ok(k)
            || v.chars().count() > 256
            || !metadata_chars_ok(v)
        {
            return Err(Error::invalid(
                at,
                "keys (1 to 256) and values (up to 256) take letters, digits, whitespace and : _ @ $ # = / + , - .",
            ));
        }
    }
    Ok(())
}

fn needs_tools(at: &str) -> Error {
    Error::invalid(
        at,
        "a tool call or result needs the tools offered in the options (Converse requires toolConfig with them)",
    )
}

fn check_document(d: &DocumentInput, at: &str) -> Result<()> {
    if !DOCUMENT_FORMATS.contains(&d.format.as_str()) {
        let msg = format!(
            "the document format {:?} is not one of {}",
            d.format,
            DOCUMENT_FORMATS.join(", ")
        );
        return Err(Error::invalid(at, msg));
    }
    if !document_name_ok(&d.name) {
        let msg = format!(
            "the document name {:?} must be 1 to 200 letters, digits, single spaces, hyphens, parentheses or square brackets",
            d.name
        );
        return Err(Error::invalid(at, msg));
    }
    if d.bytes.is_empty() {
        return Err(Error::invalid(at, "the document is empty"));
    }
    if d.bytes.len() > MAX_DOCUMENT_BYTES {
        let msg = format!(
            "the document is {} bytes; Converse takes at most 4.5 MB",
            d.bytes.len()
        );
        return Err(Error::invalid(at, msg));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_names_and_metadata_follow_the_service_model() {
        assert!(document_name_ok("Q3 report (final) [v2]"));
        assert!(!document_name_ok("two  spaces"));
        assert!(!document_name_ok("report.pdf"));
        assert!(!document_name_ok(""));
        assert!(metadata_chars_ok("team:search-v2/a+b,c.d"));
        assert!(!metadata_chars_ok("naïve?"));
    }
}
