//! The engine's determinism and the properties the module docs promise.

use super::*;
use serde_json::json;

#[test]
fn tokenizer_splits_words_and_punctuation() {
    assert_eq!(tokenize("Hello, world!"), vec!["Hello", ",", "world", "!"]);
    assert_eq!(count_tokens("  don't  stop "), 4);
    assert_eq!(count_tokens(""), 0);
    assert_eq!(tokenize("naïve café 42"), vec!["naïve", "café", "42"]);
    let text = " Hello,  world!\n";
    assert_eq!(token_pieces(text).concat(), text);
    assert_eq!(token_pieces("a b").len(), 2);
}

#[test]
fn generation_is_deterministic_and_depends_on_prompt_and_seed() {
    let e = Engine::new(1);
    let a = e.generate(&TextRequest::new("Tell me about rivers"));
    let b = e.generate(&TextRequest::new("Tell me about rivers"));
    assert_eq!(a, b);
    let c = e.generate(&TextRequest::new("Tell me about mountains"));
    assert_ne!(a.text, c.text);
    let d = Engine::new(2).generate(&TextRequest::new("Tell me about rivers"));
    assert_ne!(a.text, d.text);
    assert_eq!(a.stop_reason, StopReason::EndTurn);
    assert!(a.text.starts_with("Tell me about rivers."), "{}", a.text);
    assert!(a.text.ends_with('.'));
    assert!((24..64).contains(&a.output_tokens), "{}", a.output_tokens);
    assert_eq!(a.output_tokens as usize, a.pieces.len());
    assert_eq!(a.pieces.concat(), a.text);
    assert_eq!(count_tokens(&a.text), a.output_tokens);
    assert_eq!(a.input_tokens, 4);
}

#[test]
fn max_tokens_cuts_the_reply() {
    let e = Engine::default();
    let g = e.generate(&TextRequest::new("one two three four five").max_tokens(Some(3)));
    assert_eq!(g.text, "one two three");
    assert_eq!(g.output_tokens, 3);
    assert_eq!(g.stop_reason, StopReason::MaxTokens);
    let full = e.generate(&TextRequest::new("one two three four five"));
    let exact = e.generate(
        &TextRequest::new("one two three four five").max_tokens(Some(full.output_tokens)),
    );
    assert_eq!(exact.stop_reason, StopReason::EndTurn);
}

#[test]
fn stop_sequences_cut_before_the_sequence() {
    let e = Engine::default();
    let stops = vec!["four".to_owned(), "zzz".to_owned()];
    let g = e.generate(&TextRequest::new("one two three four five").stop_sequences(&stops));
    assert_eq!(g.text, "one two three ");
    assert_eq!(g.stop_reason, StopReason::StopSequence);
    assert_eq!(g.stop_sequence.as_deref(), Some("four"));
    assert_eq!(g.pieces.concat(), g.text);
    // A stop sequence spanning pieces.
    let stops = vec!["two thr".to_owned()];
    let g = e.generate(&TextRequest::new("one two three").stop_sequences(&stops));
    assert_eq!(g.text, "one ");
    assert_eq!(g.pieces.concat(), "one ");
    // The earliest of several.
    let stops = vec!["three".to_owned(), "two".to_owned()];
    let g = e.generate(&TextRequest::new("one two three").stop_sequences(&stops));
    assert_eq!(g.stop_sequence.as_deref(), Some("two"));
}

#[test]
fn focus_is_echoed_not_the_whole_prompt() {
    let e = Engine::default();
    let g =
        e.generate(&TextRequest::new("System: be kind\nUser: hello there").focus("hello there"));
    assert!(g.text.starts_with("hello there."), "{}", g.text);
}

#[test]
fn ids_are_deterministic() {
    let e = Engine::new(3);
    assert_eq!(e.id("tooluse_", "x", 22), e.id("tooluse_", "x", 22));
    assert_ne!(e.id("tooluse_", "x", 22), e.id("tooluse_", "y", 22));
    assert_eq!(e.id("tooluse_", "x", 22).len(), 30);
}

#[test]
fn tool_choice_rules() {
    let tools = vec![
        ToolSpec::new("get_weather", json!({})),
        ToolSpec::new("top_song", json!({})),
    ];
    assert_eq!(
        choose_tool(&tools, &ToolChoice::Auto, "What is the top song?", false),
        Some(1)
    );
    assert_eq!(
        choose_tool(&tools, &ToolChoice::Auto, "use get_weather please", false),
        Some(0)
    );
    assert_eq!(choose_tool(&tools, &ToolChoice::Auto, "hello", false), None);
    assert_eq!(
        choose_tool(&tools, &ToolChoice::Auto, "top song", true),
        None
    );
    assert_eq!(
        choose_tool(&tools, &ToolChoice::Any, "hello", false),
        Some(0)
    );
    assert_eq!(
        choose_tool(&tools, &ToolChoice::Tool("top_song".into()), "x", false),
        Some(1)
    );
    assert_eq!(
        choose_tool(&tools, &ToolChoice::None, "top song", false),
        None
    );
}

#[test]
fn schema_values_are_valid() {
    let schema = json!({
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "City"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer", "minimum": 1, "maximum": 7},
            "ratio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 4},
            "when": {"type": "string", "format": "date"},
            "code": {"type": "string", "minLength": 5, "maxLength": 5},
            "flag": {"type": "boolean"},
            "kind": {"const": "fixed"},
            "maybe": {"type": ["null", "integer"]},
            "nested": {"$ref": "#/$defs/Inner"}
        },
        "required": ["location", "unit", "days", "ratio", "tags", "when", "code", "flag", "kind", "maybe", "nested"],
        "$defs": {"Inner": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}}
    });
    for seed in 0..20 {
        let v = value_for_schema(&schema, "What's the weather in Paris this week?", seed);
        assert_eq!(v["location"], "Paris");
        assert!(["celsius", "fahrenheit"].contains(&v["unit"].as_str().unwrap()));
        let days = v["days"].as_i64().unwrap();
        assert!((1..=7).contains(&days));
        let ratio = v["ratio"].as_f64().unwrap();
        assert!(ratio > 0.0 && ratio <= 1.0, "{ratio}");
        let tags = v["tags"].as_array().unwrap();
        assert!((2..=4).contains(&tags.len()));
        assert_eq!(v["when"], "2024-01-15");
        assert_eq!(v["code"].as_str().unwrap().chars().count(), 5);
        assert!(v["flag"].is_boolean());
        assert_eq!(v["kind"], "fixed");
        assert!(v["maybe"].is_i64());
        assert!(v["nested"]["x"].is_i64());
    }
    assert_eq!(
        value_for_schema(&schema, "Paris", 1),
        value_for_schema(&schema, "Paris", 1)
    );
}

#[test]
fn embeddings_follow_word_overlap() {
    let a = embed("The cat sat on the mat", 256, true);
    let b = embed("the cat sat on a mat", 256, true);
    let c = embed("Quantum chromodynamics lecture notes", 256, true);
    assert_eq!(a.len(), 256);
    let norm: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-5);
    assert!(cosine(&a, &b) > 0.7, "{}", cosine(&a, &b));
    assert!(cosine(&a, &c).abs() < 0.3, "{}", cosine(&a, &c));
    assert_eq!(embed("same text", 8, true), embed("same text", 8, true));
    assert_eq!(embed("", 4, true).iter().filter(|x| **x != 0.0).count(), 1);
    assert_eq!(
        embed("x", 1024, false).iter().map(|x| x.abs()).sum::<f32>(),
        1.0
    );
}

#[test]
fn embeddings_follow_character_trigram_overlap() {
    let e = |t: &str| embed(t, 1024, true);
    let close = cosine(&e("river"), &e("rivers"));
    let far = cosine(&e("river"), &e("lyon"));
    assert!(close > 0.6, "{close}");
    assert!(far.abs() < 0.2, "{far}");
    assert!(close - far > 0.5, "{close} vs {far}");
    // Case does not matter; word order does not either.
    assert_eq!(e("River Douro"), e("douro river"));
    let raw = embed("river", 1024, false);
    let norm: f32 = raw.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-5, "{norm}");
}

#[test]
fn images_have_the_requested_size_and_are_deterministic() {
    let png = render_png("a red fox", 64, 32, 7, 0);
    let img = image::load_from_memory(&png).unwrap();
    assert_eq!((img.width(), img.height()), (64, 32));
    assert_eq!(png, render_png("a red fox", 64, 32, 7, 0));
    assert_ne!(png, render_png("a red fox", 64, 32, 8, 0));
    assert_ne!(png, render_png("a red fox", 64, 32, 7, 1));
    assert_ne!(png, render_png("a blue fox", 64, 32, 7, 0));
}

#[test]
fn reasoning_is_bounded() {
    let r = Engine::new(1).reasoning("why is the sky blue", Some(10));
    assert!(r.output_tokens <= 10);
    assert!(r.text.starts_with("Let me think"));
}
