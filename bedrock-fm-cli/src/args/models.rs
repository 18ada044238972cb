//! `bedrock-fm models`: its flags and their checks.

use super::value_parsers::non_empty;
use super::{ArgError, Command};
use clap::Args;

#[derive(Debug, Args)]
pub(super) struct ModelsCli {
    /// Print a JSON array of objects with every capability of each model instead.
    #[arg(long)]
    json: bool,
    /// List what the account offers in the region instead (the Bedrock control plane's
    /// ListFoundationModels and ListInferenceProfiles), each model with what the catalog knows
    /// of it: `catalog` (every fact known), `prefix:FAMILY` (not in the catalog; InvokeModel
    /// family from its ID prefix) or `converse-only` (not in the catalog; call it over `--api
    /// converse`, or name its family with `--family`).
    #[arg(long)]
    live: bool,
    /// With --live: the AWS region (default: from the AWS configuration chain).
    #[arg(long, value_name = "R", allow_hyphen_values = true, value_parser = non_empty("--region"))]
    region: Option<String>,
    /// With --live: ask an in-process bedrock-fm-local server instead of AWS.
    #[arg(long)]
    local: bool,
}

/// The options of `bedrock-fm models`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelsArgs {
    /// `--json`: a JSON array instead of one line per model.
    pub json: bool,
    /// `--live`: what the account offers, not the catalog.
    pub live: bool,
    /// `--region` (with `--live`).
    pub region: Option<String>,
    /// `--local` (with `--live`).
    pub local: bool,
}

pub(super) fn into_command(m: ModelsCli) -> Result<Command, ArgError> {
    if !m.live && (m.local || m.region.is_some()) {
        return Err(ArgError::usage(
            "`--region` and `--local` go with `models --live`",
        ));
    }
    Ok(Command::Models(ModelsArgs {
        json: m.json,
        live: m.live,
        region: m.region,
        local: m.local,
    }))
}
