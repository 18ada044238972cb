//! The subcommands: `models`, `generate`, `embed`, `image` and `chat`.

pub mod chat;
pub mod embed;
pub mod generate;
pub mod image;
pub mod models;
