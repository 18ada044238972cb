//! The conversation rules of the module docs, the `Message` reference's media limits, and
//! the reasoning settings.

use base64::Engine as _;
use serde_json::Value;

use super::{blocks, messages, role, tool_choice, tools};
use crate::engine::ToolChoice;
use crate::errors::ServiceError;
use crate::media_check;
use crate::models::{ConverseCall, ModelCaps};

/// The prefix Bedrock puts before the errors a model returns.
pub(crate) const MODEL_ERRORS: &str = "The model returned the following errors: ";

/// Checks the conversation rules of the module docs.
pub(crate) fn check(call: &ConverseCall<'_>) -> Result<(), ServiceError> {
    let caps = call.model;
    let req = call.request;
    if !caps.converse {
        return Err(ServiceError::validation(
            "This action doesn't support the model that you provided. Try again with a supported text or chat model.",
        ));
    }
    if call.streaming && !caps.streaming {
        return Err(ServiceError::validation(
            "The model is unsupported for streaming.",
        ));
    }
    let msgs = messages(req);
    if msgs.first().map(role) != Some("user") {
        return Err(ServiceError::validation(
            "A conversation must start with a user message. Try again with a conversation that starts with a user message.",
        ));
    }
    let mut previous = "";
    let mut uses_tools = false;
    for (i, m) in msgs.iter().enumerate() {
        let r = role(m);
        if !matches!(r, "user" | "assistant") || r == previous {
            return Err(ServiceError::validation(
                "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.",
            ));
        }
        previous = r;
        let content = blocks(m);
        if content.is_empty() {
            return Err(ServiceError::validation(format!(
                "The content field in the Message object at messages.{i} is empty. Add a ContentBlock object to the content field and try again."
            )));
        }
        let has_text = content.iter().any(|b| b.get("text").is_some());
        for (j, b) in content.iter().enumerate() {
            if b.get("toolUse").is_some() || b.get("toolResult").is_some() {
                uses_tools = true;
            }
            if (b.get("image").is_some() || b.get("document").is_some()) && r != "user" {
                return Err(ServiceError::validation(format!(
                    "messages.{i}.content.{j}: images and documents can only be included in user messages. Move them to a user message and try again."
                )));
            }
            if b.get("image").is_some() && !caps.vision {
                return Err(ServiceError::validation(
                    "This model doesn't support the image content block that you provided. Try again with a model that supports images.",
                ));
            }
            if b.get("document").is_some() && !has_text {
                return Err(ServiceError::validation(
                    "A text block must be included when using documents. Add a text block to the message and try again.",
                ));
            }
        }
    }
    let tool_config = req.get("toolConfig");
    if uses_tools && tool_config.is_none() {
        return Err(ServiceError::validation(
            "The toolConfig field must be defined when using toolUse and toolResult content blocks.",
        ));
    }
    if tool_config.is_some() && !caps.tool_use {
        return Err(ServiceError::validation(
            "This model doesn't support tool use.",
        ));
    }
    if let ToolChoice::Tool(name) = tool_choice(tool_config)
        && !tools(tool_config).iter().any(|t| t.name == name)
    {
        return Err(ServiceError::validation(format!(
            "The tool {name} named in toolConfig.toolChoice.tool is not defined in toolConfig.tools. Define the tool and try again."
        )));
    }
    if let (Some(requested), Some(limit)) = (
        req["inferenceConfig"]["maxTokens"].as_u64(),
        caps.max_output_tokens,
    ) && requested > u64::from(limit)
    {
        return Err(ServiceError::validation(format!(
            "The maximum tokens you requested exceeds the model limit of {limit}. Try again with a maximum tokens value that is lower than {limit}."
        )));
    }
    check_media(msgs)?;
    reasoning_budget(req, caps)?;
    Ok(())
}

/// A `ValidationException` with the errors a model returned.
pub(super) fn model_error(detail: &str) -> ServiceError {
    ServiceError::validation(format!("{MODEL_ERRORS}{detail}"))
}

fn decoded_blob(v: &Value) -> Option<Vec<u8>> {
    v.as_str()
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
}

/// The image blocks of a message with their paths: top-level ones and those in tool results.
fn images_of(i: usize, content: &[Value]) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (j, b) in content.iter().enumerate() {
        if let Some(img) = b.get("image") {
            out.push((format!("messages.{i}.content.{j}.image"), img));
        }
        for (k, part) in b["toolResult"]["content"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Some(img) = part.get("image") {
                out.push((
                    format!("messages.{i}.content.{j}.toolResult.content.{k}.image"),
                    img,
                ));
            }
        }
    }
    out
}

/// The limits of the `Message` reference on images and documents (see [`crate::media_check`]).
fn check_media(msgs: &[Value]) -> Result<(), ServiceError> {
    let mut images = Vec::new();
    let mut documents = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        images.extend(images_of(i, blocks(m)));
        for (j, b) in blocks(m).iter().enumerate() {
            if let Some(d) = b.get("document") {
                documents.push((format!("messages.{i}.content.{j}.document"), d));
            }
        }
    }
    if documents.len() > media_check::MAX_DOCUMENTS {
        return Err(ServiceError::validation(media_check::too_many_documents()));
    }
    let mut names = std::collections::HashSet::new();
    for (_, d) in &documents {
        if let Some(name) = d.get("name").and_then(Value::as_str)
            && !names.insert(name)
        {
            return Err(ServiceError::validation(
                media_check::DUPLICATE_DOCUMENT_NAMES,
            ));
        }
    }
    if images.len() > media_check::MAX_IMAGES {
        return Err(ServiceError::validation(media_check::too_many_images()));
    }
    for (path, d) in &documents {
        if let Some(bytes) = decoded_blob(&d["source"]["bytes"])
            && bytes.len() > media_check::MAX_DOCUMENT_BYTES
        {
            return Err(ServiceError::validation(media_check::document_too_large(
                path,
                bytes.len(),
            )));
        }
    }
    for (path, img) in &images {
        let Some(bytes) = decoded_blob(&img["source"]["bytes"]) else {
            continue;
        };
        let declared = img["format"].as_str().unwrap_or_default();
        if let Err(problem) = media_check::check_image(&bytes, declared) {
            return Err(model_error(
                &problem.message(&format!("{path}.source.bytes")),
            ));
        }
    }
    Ok(())
}

/// The reasoning budget of an effort level (`low`, `medium`, `high`/`max`).
fn effort_budget(effort: Option<&str>) -> Option<u32> {
    Some(match effort {
        Some("low") => 16,
        Some("medium") => 32,
        _ => 64,
    })
}

/// Whether reasoning is on, with its budget (`Some(None)`: the engine's default), after the
/// model's rules on Claude's thinking modes.
pub(super) fn reasoning_budget(
    req: &Value,
    caps: &ModelCaps,
) -> Result<Option<Option<u32>>, ServiceError> {
    let Some(extra) = req.get("additionalModelRequestFields") else {
        return Ok(None);
    };
    let claude = caps.family == "claude_messages";
    let thinking = &extra["thinking"];
    match thinking["type"].as_str() {
        Some("enabled") => {
            let budget = thinking["budget_tokens"]
                .as_u64()
                .map(|b| b.min(u32::MAX as u64) as u32);
            if claude
                && let (Some(b), Some(max)) = (budget, req["inferenceConfig"]["maxTokens"].as_u64())
                && u64::from(b) >= max
            {
                // Anthropic's message, as the native codec gives it.
                return Err(model_error(
                    "`max_tokens` must be greater than `thinking.budget_tokens`.",
                ));
            }
            return Ok(Some(budget));
        }
        Some("adaptive") => {
            if claude && caps.reasoning.as_deref() != Some("effort") {
                return Err(model_error(
                    "thinking: Input tag 'adaptive' found using 'type' does not match any of the expected tags: 'disabled', 'enabled'",
                ));
            }
            return Ok(Some(effort_budget(
                extra["output_config"]["effort"].as_str(),
            )));
        }
        _ => {}
    }
    for key in ["reasoningConfig", "reasoning_config"] {
        if extra[key]["type"].as_str() == Some("enabled") {
            return Ok(Some(effort_budget(
                extra[key]["maxReasoningEffort"].as_str(),
            )));
        }
    }
    Ok(None)
}
