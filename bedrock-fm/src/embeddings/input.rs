//! What is embedded: [`EmbedInput`] (text, an image, or both), what for ([`InputType`]), and
//! what happens to text over the model's input limit ([`Truncation`]).

use crate::error::{Error, Result};
use crate::images::ImageInput;

/// One thing to embed: a text, an image, or both (Titan Multimodal Embeddings averages the
/// two vectors). Texts convert from `&str` and `String`.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct EmbedInput {
    /// The text.
    pub text: Option<String>,
    /// The image.
    pub image: Option<ImageInput>,
}

impl EmbedInput {
    /// A text.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: Some(text.into()),
            image: None,
        }
    }

    /// An image.
    pub fn image(image: impl Into<ImageInput>) -> Self {
        Self {
            text: None,
            image: Some(image.into()),
        }
    }

    /// A text and an image together (one vector for both).
    pub fn text_and_image(text: impl Into<String>, image: impl Into<ImageInput>) -> Self {
        Self {
            text: Some(text.into()),
            image: Some(image.into()),
        }
    }
}

impl From<&str> for EmbedInput {
    fn from(text: &str) -> Self {
        Self::text(text)
    }
}

impl From<String> for EmbedInput {
    fn from(text: String) -> Self {
        Self::text(text)
    }
}

impl From<&String> for EmbedInput {
    fn from(text: &String) -> Self {
        Self::text(text.clone())
    }
}

impl From<ImageInput> for EmbedInput {
    fn from(image: ImageInput) -> Self {
        Self::image(image)
    }
}

/// What the embeddings are for. Cohere Embed marks each use with special tokens
/// (`input_type`); embed a corpus as [`InputType::Document`] and queries as
/// [`InputType::Query`]. Titan models embed every input the same way and ignore it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InputType {
    /// Documents stored for search (`search_document`, the default).
    #[default]
    Document,
    /// Search queries (`search_query`).
    Query,
    /// Inputs of a classifier (`classification`).
    Classification,
    /// Inputs to cluster (`clustering`).
    Clustering,
}

impl InputType {
    /// Cohere's wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Document => "search_document",
            Self::Query => "search_query",
            Self::Classification => "classification",
            Self::Clustering => "clustering",
        }
    }
}

impl std::str::FromStr for InputType {
    type Err = String;

    /// Parses `document`/`search_document`, `query`/`search_query`, `classification`,
    /// `clustering`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "document" | "search_document" => Ok(Self::Document),
            "query" | "search_query" => Ok(Self::Query),
            "classification" => Ok(Self::Classification),
            "clustering" => Ok(Self::Clustering),
            other => Err(format!(
                "unknown input type {other:?}: expected document, query, classification or clustering"
            )),
        }
    }
}

/// What to do with a text over the model's documented input limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Truncation {
    /// Fail with [`crate::ErrorKind::InvalidInput`] before any request (the default).
    #[default]
    None,
    /// Keep the start, drop the end.
    End,
    /// Keep the end, drop the start.
    Start,
}

/// A text checked against a character limit: empty texts fail; over-long ones fail or are
/// cut, as `truncation` says. Returns the text to send and whether it was cut.
pub(crate) fn prepare_text(
    location: &str,
    text: &str,
    max_chars: Option<usize>,
    truncation: Truncation,
) -> Result<(String, bool)> {
    if text.trim().is_empty() {
        let what = if text.is_empty() {
            "is empty"
        } else {
            "is only whitespace"
        };
        return Err(Error::invalid(location, format!("the text {what}")));
    }
    let Some(max) = max_chars else {
        return Ok((text.to_owned(), false));
    };
    let len = text.chars().count();
    if len <= max {
        return Ok((text.to_owned(), false));
    }
    match truncation {
        Truncation::None => Err(Error::invalid(
            location,
            format!(
                "the text has {len} characters; the model accepts at most {max} \
                 (choose Truncation::End or Truncation::Start to cut it)"
            ),
        )),
        Truncation::End => Ok((text.chars().take(max).collect(), true)),
        Truncation::Start => Ok((text.chars().skip(len - max).collect(), true)),
    }
}

/// Cuts `text` to about `keep` of its characters (0 < keep < 1), from the end or the start.
pub(crate) fn shorten(text: &str, keep: f64, truncation: Truncation) -> String {
    let len = text.chars().count();
    let n = ((len as f64) * keep).floor().max(1.0) as usize;
    match truncation {
        Truncation::Start => text.chars().skip(len.saturating_sub(n)).collect(),
        _ => text.chars().take(n).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_whitespace_texts_fail() {
        let e = prepare_text("texts[2]", "", None, Truncation::None).unwrap_err();
        assert_eq!(e.to_string(), "InvalidInput: texts[2]: the text is empty");
        assert!(prepare_text("t", " \n", None, Truncation::End).is_err());
    }

    #[test]
    fn long_texts_fail_or_are_cut_as_chosen() {
        let text = "héllo wörld";
        let e = prepare_text("text", text, Some(5), Truncation::None).unwrap_err();
        assert!(
            e.to_string()
                .contains("has 11 characters; the model accepts at most 5")
        );
        assert_eq!(
            prepare_text("text", text, Some(5), Truncation::End).unwrap(),
            ("héllo".to_owned(), true)
        );
        assert_eq!(
            prepare_text("text", text, Some(5), Truncation::Start).unwrap(),
            ("wörld".to_owned(), true)
        );
        assert_eq!(
            prepare_text("text", text, Some(11), Truncation::None).unwrap(),
            (text.to_owned(), false)
        );
    }

    #[test]
    fn input_types_parse_both_spellings() {
        assert_eq!("query".parse::<InputType>().unwrap(), InputType::Query);
        assert_eq!(
            "search_document".parse::<InputType>().unwrap(),
            InputType::Document
        );
        assert!("image".parse::<InputType>().is_err());
        assert_eq!(shorten("abcdefghij", 0.5, Truncation::End), "abcde");
        assert_eq!(shorten("abcdefghij", 0.5, Truncation::Start), "fghij");
    }
}
