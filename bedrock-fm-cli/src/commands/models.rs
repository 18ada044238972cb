//! `bedrock-fm models [--json] [--live]`: the catalog, one model per line or as a JSON array;
//! with `--live`, what the account offers, each model with what the catalog knows of it.

use crate::Failure;
use crate::args::ModelsArgs;
use bedrock_fm::catalog::{ALL_MODELS, ImageSize, InferenceType, ModelInfo};
use bedrock_fm::control_plane::{LiveModel, LiveProfile};
use bedrock_fm::model_id::family_by_prefix;
use bedrock_fm::{Client, Error};
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
        "inference_types": info.inference_types.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        "prompt_format": info.prompt_format,
        "source": info.source,
    })
}

/// How AWS offers a model, in a word: `on-demand`, `profile-only` or `provisioned`.
pub fn offering(info: &ModelInfo) -> &'static str {
    let has = |t| info.inference_types.contains(&t);
    if has(InferenceType::OnDemand) {
        "on-demand"
    } else if has(InferenceType::InferenceProfile) {
        "profile-only"
    } else {
        "provisioned"
    }
}

/// The columns of a model's line: ID, family, provider, name, modalities, streaming,
/// Converse, lifecycle, offering.
pub fn model_columns(info: &ModelInfo) -> [String; 9] {
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
        offering(info).to_owned(),
    ]
}

/// The lines of the listing, columns aligned (no header, one model per line).
pub fn lines(models: &[ModelInfo]) -> Vec<String> {
    aligned(models.iter().map(model_columns).collect())
}

/// Rows of cells as lines, each column padded to its widest cell (the last one unpadded).
fn aligned<const N: usize>(rows: Vec<[String; N]>) -> Vec<String> {
    let mut widths = [0usize; N];
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

/// What the catalog knows of a live model: `catalog`, `prefix:FAMILY` or `converse-only`.
pub fn known(model: &LiveModel) -> String {
    match (model.catalog, family_by_prefix(&model.id)) {
        (Some(_), _) => "catalog".to_owned(),
        (None, Some(family)) => format!("prefix:{}", family.id()),
        (None, None) => "converse-only".to_owned(),
    }
}

/// The profile IDs that route to `id`.
fn profiles_of<'a>(id: &str, profiles: &'a [LiveProfile]) -> Vec<&'a str> {
    profiles
        .iter()
        .filter(|p| p.models.iter().any(|m| m == id))
        .map(|p| p.id.as_str())
        .collect()
}

/// A live model as JSON: what the service says, and what the catalog knows.
pub fn live_json(model: &LiveModel, profiles: &[LiveProfile]) -> Value {
    json!({
        "id": model.id,
        "name": model.name,
        "provider": model.provider,
        "inference_types": model.inference_types,
        "lifecycle": model.lifecycle,
        "streaming": model.streaming,
        "profiles": profiles_of(&model.id, profiles),
        "known": known(model),
        "catalog": model.catalog.map(|m| model_json(m.info())),
    })
}

/// One line per live model: ID, what is known, provider, inference types, lifecycle, the
/// profiles that route to it.
pub fn live_lines(models: &[LiveModel], profiles: &[LiveProfile]) -> Vec<String> {
    let rows = models
        .iter()
        .map(|m| {
            let routes = profiles_of(&m.id, profiles);
            [
                m.id.clone(),
                known(m),
                m.provider.clone().unwrap_or_default(),
                m.inference_types.join(","),
                m.lifecycle.clone().unwrap_or_default().to_ascii_lowercase(),
                if routes.is_empty() {
                    "-".to_owned()
                } else {
                    routes.join(",")
                },
            ]
        })
        .collect();
    aligned(rows)
}

/// The client for `--live`: the local server's with `--local`, else the AWS chain's.
async fn live_client(
    args: &ModelsArgs,
) -> Result<(Client, Option<bedrock_fm_local::LocalServer>), Failure> {
    if args.local {
        let server = bedrock_fm_local::try_start_with(bedrock_fm_local::Config::default())
            .map_err(Failure::LocalServer)?;
        return Ok((Client::from_sdk_config(&server.sdk_config()), Some(server)));
    }
    let mut builder = Client::builder();
    if let Some(region) = &args.region {
        builder = builder.region(region.clone());
    }
    let client = builder.build().await?;
    if client.region().is_none() {
        let msg = "no AWS region is configured: pass --region, set AWS_REGION, or set a \
                   region in your AWS profile (or use --local)";
        return Err(Error::invalid("region", msg).into());
    }
    Ok((client, None))
}

async fn run_live(args: &ModelsArgs) -> Result<(), Failure> {
    let (client, _server) = live_client(args).await?;
    let models = client.list_live_models().await?;
    let profiles = client.list_live_profiles().await?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let all: Vec<Value> = models.iter().map(|m| live_json(m, &profiles)).collect();
        let text = serde_json::to_string_pretty(&all).expect("JSON values always serialize");
        writeln!(out, "{text}")?;
    } else {
        for line in live_lines(&models, &profiles) {
            writeln!(out, "{line}")?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Runs `models`.
pub async fn run(args: ModelsArgs) -> Result<(), Failure> {
    if args.live {
        return run_live(&args).await;
    }
    let mut out = std::io::stdout().lock();
    if args.json {
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
