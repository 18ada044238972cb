//! The documented examples of the embedding and image families, checked against the
//! generated bodies.
//!
//! For every family: the documented request example is rebuilt with the generated builders
//! and must serialize to exactly the documented JSON (numbers compare by value, since JSON
//! does not tell `10` from `10.0`), the family's request spec must accept the documented JSON
//! with no violation, the documented JSON must deserialize back to the built request, and the
//! documented response example must deserialize into the typed response. None of these
//! families streams.
//!
//! Each example names the AWS page it comes from (`// Source:`). Most of these pages give a
//! schema template (`"dimensions": int`) and a Python code example whose body is built from
//! variables; the comment says how each example was assembled from them. Base64 payloads the
//! pages read from files are replaced by short stand-ins.
//!
//! One file per provider's families; the negative cases have theirs.

// The helpers shared with `documented_examples_text`.
#[path = "../documented/mod.rs"]
mod documented;

mod cohere_embed;
mod negative_cases;
mod nova_canvas;
mod stability;
mod titan_embed;
mod titan_image;

/// Stand-in for the base64 images the code examples read from files.
pub(crate) const IMAGE_B64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk";
