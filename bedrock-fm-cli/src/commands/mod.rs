//! The subcommands: `models`, `generate`, `embed`, `image` and `chat`.

pub mod chat;
pub mod embed;
pub mod generate;
pub mod image;
pub mod models;

use bedrock_fm::catalog::{Family, Model};
use bedrock_fm::{Api, Error};

/// Refuses, before any request, an InvokeModel call to a model whose family nothing names:
/// not in the catalog, no known ID prefix, no `--family` (Converse needs no family).
pub(crate) fn check_family_known(
    id: &str,
    family: Option<Family>,
    api: Option<Api>,
) -> bedrock_fm::Result<()> {
    let parsed = bedrock_fm::model_id::parse_model_id(id)?;
    let converse = api == Some(Api::Converse);
    let known = Model::resolve(id).is_ok()
        || id.starts_with("arn:")
        || parsed
            .base
            .and_then(bedrock_fm::model_id::family_by_prefix)
            .is_some();
    if converse || family.is_some() || known {
        return Ok(());
    }
    Err(Error::invalid(
        "--model",
        format!(
            "{id} is not in the bedrock-fm catalog and no known ID prefix names its family: \
             pass `--family NAME` for InvokeModel, or `--api converse`"
        ),
    ))
}
