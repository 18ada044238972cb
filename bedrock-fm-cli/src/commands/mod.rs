//! The subcommands: `models`, `generate`, `embed` and `image`.

pub mod embed;
pub mod generate;
pub mod image;
pub mod models;
