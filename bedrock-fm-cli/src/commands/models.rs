//! `bedrock-fm models [--json]`: the catalog, one model per line or as a JSON array.

use crate::Failure;
use bedrock_fm::catalog::{ALL_MODELS, ImageSize, ModelInfo};
use serde_json::{Value, json};
use std::fmt::Debug;
use std::io::Write;

/// A catalog enum as a lowercase word (`Text` -> `text`, `UsGov` -> `usgov`), robust to
/// variants added later.
fn word(value: impl Debug) -> String {
    format!("{value:?}").to_ascii_lowercase()
}

fn words<T: Debug>(values: &[T]) -> Vec<String> {
    values.iter().map(word).collect()
}

fn image_size(size: &ImageSize) -> String {
    match size {
        ImageSize::Pixels { width, height } => format!("{width}x{height}"),
        ImageSize::AspectRatio { width, height } => format!("{width}:{height}"),
        other => word(other),
    }
}

/// One model as a JSON object with every capability of the catalog.
pub fn model_json(info: &ModelInfo) -> Value {
    json!({
        "id": info.id,
        "family": info.family.id(),
        "wrapper": info.family.wrapper(),
        "kind": word(info.family.kind()),
        "provider": info.provider,
        "name": info.name,
        "input_modalities": words(info.input_modalities),
        "output_modalities": words(info.output_modalities),
        "streaming": info.streaming,
        "converse": info.converse,
        "tool_use": info.tool_use,
        "vision": info.vision,
        "context_window": info.context_window,
        "max_output_tokens": info.max_output_tokens,
        "embedding_dimensions": info.embedding_dimensions,
        "image_sizes": info.image_sizes.iter().map(image_size).collect::<Vec<_>>(),
        "reasoning": info.reasoning.map(word),
        "lifecycle": word(info.lifecycle),
        "profiles": info.profiles.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        "source": info.source,
    })
}

/// The columns of a model's line: ID, family, provider, name, modalities, streaming,
/// Converse, lifecycle.
pub fn model_columns(info: &ModelInfo) -> [String; 8] {
    let modalities = format!(
        "{}->{}",
        words(info.input_modalities).join(","),
        words(info.output_modalities).join(",")
    );
    [
        info.id.to_owned(),
        info.family.id().to_owned(),
        info.provider.to_owned(),
        info.name.to_owned(),
        modalities,
        if info.streaming {
            "stream"
        } else {
            "no-stream"
        }
        .to_owned(),
        if info.converse {
            "converse"
        } else {
            "no-converse"
        }
        .to_owned(),
        word(info.lifecycle),
    ]
}

/// The lines of the listing, columns aligned (no header, one model per line).
pub fn lines(models: &[ModelInfo]) -> Vec<String> {
    let rows: Vec<[String; 8]> = models.iter().map(model_columns).collect();
    let mut widths = [0usize; 8];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                if i + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    let pad = widths[i] - cell.chars().count();
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad + 2));
                }
            }
            line
        })
        .collect()
}

/// Prints the catalog.
pub fn run(json: bool) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    if json {
        let all: Vec<Value> = ALL_MODELS.iter().map(model_json).collect();
        let text = serde_json::to_string_pretty(&all).expect("JSON values always serialize");
        writeln!(out, "{text}")?;
    } else {
        for line in lines(&ALL_MODELS) {
            writeln!(out, "{line}")?;
        }
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bedrock_fm::catalog::Model;

    #[test]
    fn json_has_every_model_with_its_capabilities() {
        let haiku = Model::AnthropicClaude3Haiku20240307V1_0.info();
        let v = model_json(haiku);
        assert_eq!(v["id"], "anthropic.claude-3-haiku-20240307-v1:0");
        assert_eq!(v["family"], "claude_messages");
        assert_eq!(v["wrapper"], "Claude3");
        assert_eq!(v["kind"], "text");
        assert_eq!(v["streaming"], true);
        assert_eq!(v["converse"], true);
        assert!(
            v["input_modalities"]
                .as_array()
                .unwrap()
                .contains(&json!("image"))
        );
        assert!(v["lifecycle"].is_string());
    }

    #[test]
    fn one_line_per_model_starting_with_its_id() {
        let lines = lines(&ALL_MODELS);
        assert_eq!(lines.len(), ALL_MODELS.len());
        for (line, info) in lines.iter().zip(ALL_MODELS.iter()) {
            assert!(line.starts_with(info.id), "{line}");
            assert!(!line.ends_with(' '), "{line:?}");
        }
        let embed = model_columns(Model::AmazonTitanEmbedTextV2_0.info());
        assert_eq!(embed[1], "titan_embed_text");
        assert!(embed[4].ends_with("->embedding"), "{}", embed[4]);
    }
}
