//! The image and document rules of Claude Messages bodies (see the parent module's docs).

use base64::Engine as _;
use serde_json::Value;

use crate::errors::ServiceError;
use crate::media_check;
use crate::models::InvokeCall;

/// The image and document rules (see the module docs).
pub(super) fn check_media(call: &InvokeCall<'_>, messages: &[Value]) -> Result<(), ServiceError> {
    let mut images = Vec::new();
    let mut documents = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let user = m["role"] == "user";
        for (j, b) in m["content"].as_array().into_iter().flatten().enumerate() {
            let path = format!("messages.{i}.content.{j}");
            let kind = b["type"].as_str().unwrap_or_default();
            if matches!(kind, "image" | "document") && !user {
                // Ours: no recorded message.
                return Err(ServiceError::validation(format!(
                    "{path}: images and documents can only be included in user messages."
                )));
            }
            match kind {
                "image" => images.push((path, b)),
                "document" => documents.push((path, b)),
                "tool_result" => {
                    for (k, part) in b["content"].as_array().into_iter().flatten().enumerate() {
                        if part["type"] == "image" {
                            images.push((format!("{path}.tool_result.content.{k}"), part));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if !images.is_empty() && !call.model.vision {
        // Ours: the Converse wording.
        return Err(ServiceError::validation(
            "This model doesn't support the image content block that you provided. Try again with a model that supports images.",
        ));
    }
    if documents.len() > media_check::MAX_DOCUMENTS {
        return Err(ServiceError::validation(media_check::too_many_documents()));
    }
    if images.len() > media_check::MAX_IMAGES {
        return Err(ServiceError::validation(media_check::too_many_images()));
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    for (path, d) in &documents {
        if d["source"]["type"] == "base64"
            && let Some(data) = d["source"]["data"].as_str()
            && let Ok(bytes) = b64.decode(data)
            && bytes.len() > media_check::MAX_DOCUMENT_BYTES
        {
            return Err(ServiceError::validation(media_check::document_too_large(
                &format!("{path}.document"),
                bytes.len(),
            )));
        }
    }
    for (path, img) in &images {
        let path = format!("{path}.image.source.base64");
        let data = img["source"]["data"].as_str().unwrap_or_default();
        let Ok(bytes) = b64.decode(data) else {
            // Ours: no recorded message for undecodable base64.
            return Err(ServiceError::validation(format!(
                "{path}.data: The image data is not valid base64."
            )));
        };
        let declared = img["source"]["media_type"]
            .as_str()
            .and_then(|m| m.strip_prefix("image/"))
            .unwrap_or_default();
        if let Err(problem) = media_check::check_image(&bytes, declared) {
            return Err(ServiceError::validation(problem.message(&path)));
        }
    }
    Ok(())
}
