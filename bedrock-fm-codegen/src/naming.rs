//! Rust names derived from catalog names.

/// `anthropic.claude-3-5-sonnet-20240620-v1:0` -> `AnthropicClaude3_5Sonnet20240620V1_0`:
/// each run of letters and digits capitalised, with `_` kept only between two digits so
/// that version numbers stay readable.
pub fn model_variant(id: &str) -> String {
    let mut out = String::new();
    for part in id
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        let digit_join = out.ends_with(|c: char| c.is_ascii_digit())
            && part.starts_with(|c: char| c.is_ascii_digit());
        if digit_join {
            out.push('_');
        }
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    out
}

/// `titan_text` -> `TitanText`.
pub fn camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// `TitanTextRequest` -> `TITAN_TEXT_REQUEST`.
pub fn screaming(camel: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = camel.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let boundary = i > 0
            && c.is_ascii_uppercase()
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()));
        if boundary {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_variants_keep_version_numbers_readable() {
        assert_eq!(
            model_variant("anthropic.claude-3-5-sonnet-20240620-v1:0"),
            "AnthropicClaude3_5Sonnet20240620V1_0"
        );
        assert_eq!(
            model_variant("amazon.titan-text-express-v1"),
            "AmazonTitanTextExpressV1"
        );
        assert_eq!(
            model_variant("meta.llama3-1-8b-instruct-v1:0"),
            "MetaLlama3_1_8bInstructV1_0"
        );
    }

    #[test]
    fn case_conversions() {
        assert_eq!(camel("titan_text"), "TitanText");
        assert_eq!(screaming("TitanTextRequest"), "TITAN_TEXT_REQUEST");
        assert_eq!(screaming("Llama2ChatRequest"), "LLAMA2_CHAT_REQUEST");
        assert_eq!(screaming("SDXLRequest"), "SDXL_REQUEST");
    }
}
