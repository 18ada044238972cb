//! The subcommands: `models` and `generate`.

pub mod generate;
pub mod models;
