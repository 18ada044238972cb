//! Tool calls: which tool a reply calls, and its input generated from the tool's JSON schema.

use serde_json::{Map, Value, json};

use super::{VOCABULARY, hash64, mix, tokenize};

/// A tool the request offers.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ToolSpec {
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// Its input JSON schema.
    pub input_schema: Value,
}

impl ToolSpec {
    /// A tool named `name` with `input_schema`.
    pub fn new(name: impl Into<String>, input_schema: Value) -> Self {
        Self {
            name: name.into(),
            description: None,
            input_schema,
        }
    }
}

/// How the request lets the model pick tools.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ToolChoice {
    /// The model decides (the default).
    #[default]
    Auto,
    /// The model must call some tool.
    Any,
    /// The model must call this tool.
    Tool(String),
    /// The model must not call tools.
    None,
}

fn mentions(text: &str, name: &str) -> bool {
    let text = text.to_lowercase();
    let name = name.to_lowercase();
    text.contains(&name) || text.contains(&name.replace(['_', '-'], " "))
}

/// Which tool to call, if any:
///
/// - with [`ToolChoice::Tool`], that tool (if offered);
/// - with [`ToolChoice::Any`], the first tool the last user message names, else the first tool;
/// - with [`ToolChoice::Auto`], none when the last user turn returns tool results (the model
///   answers them in text), else the first tool the last user message names (its name,
///   case-insensitive, also with `_` and `-` read as spaces), else none;
/// - with [`ToolChoice::None`], none.
pub fn choose_tool(
    tools: &[ToolSpec],
    choice: &ToolChoice,
    last_user_text: &str,
    last_turn_has_tool_results: bool,
) -> Option<usize> {
    let named = || tools.iter().position(|t| mentions(last_user_text, &t.name));
    match choice {
        ToolChoice::None => None,
        ToolChoice::Tool(name) => tools.iter().position(|t| &t.name == name),
        ToolChoice::Any => named().or(if tools.is_empty() { None } else { Some(0) }),
        ToolChoice::Auto => {
            if last_turn_has_tool_results {
                None
            } else {
                named()
            }
        }
    }
}

struct SchemaGen<'a> {
    root: &'a Value,
    /// Capitalized words that do not start a sentence (names, places).
    proper: Vec<String>,
    /// Every word of the prompt.
    words: Vec<String>,
    h: u64,
}

impl SchemaGen<'_> {
    fn next(&mut self) -> u64 {
        self.h = mix(self.h.wrapping_add(0x9e37));
        self.h
    }

    fn resolve<'v>(&'v self, schema: &'v Value) -> &'v Value {
        let mut s = schema;
        for _ in 0..16 {
            match s.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    let target = r.strip_prefix('#').and_then(|ptr| self.root.pointer(ptr));
                    match target {
                        Some(t) => s = t,
                        None => return s,
                    }
                }
                None => return s,
            }
        }
        s
    }

    fn word(&mut self) -> String {
        let h = self.next();
        // Prefer a capitalized prompt word (a place, a name), else any prompt word, else the
        // vocabulary.
        if !self.proper.is_empty() {
            return self.proper[(h % self.proper.len() as u64) as usize].clone();
        }
        let long: Vec<&String> = self.words.iter().filter(|w| w.len() > 3).collect();
        if !long.is_empty() {
            return long[(h % long.len() as u64) as usize].clone();
        }
        VOCABULARY[(h % VOCABULARY.len() as u64) as usize].to_owned()
    }

    fn string(&mut self, s: &Value) -> Value {
        let format = s.get("format").and_then(Value::as_str).unwrap_or("");
        let mut out = match format {
            "date" => "2024-01-15".to_owned(),
            "date-time" => "2024-01-15T10:30:00Z".to_owned(),
            "time" => "10:30:00".to_owned(),
            "email" => format!("{}@example.com", self.word().to_lowercase()),
            "uri" | "url" => format!("https://example.com/{}", self.word().to_lowercase()),
            "uuid" => {
                let a = self.next();
                let b = self.next();
                super::uuid_of(a, b)
            }
            _ => self.word(),
        };
        let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = s
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        while out.chars().count() < min {
            out.push('x');
        }
        if let Some(max) = max
            && out.chars().count() > max
        {
            out = out.chars().take(max).collect();
        }
        Value::String(out)
    }

    fn number(&mut self, s: &Value, integer: bool) -> Value {
        let get = |k: &str| s.get(k).and_then(Value::as_f64);
        let mut lo = get("minimum");
        let mut hi = get("maximum");
        if let Some(x) = get("exclusiveMinimum") {
            lo = Some(if integer { x.floor() + 1.0 } else { x + 0.5 });
        }
        if let Some(x) = get("exclusiveMaximum") {
            hi = Some(if integer { x.ceil() - 1.0 } else { x - 0.5 });
        }
        let h = self.next();
        let v = match (lo, hi) {
            (Some(a), Some(b)) if b >= a => {
                if integer {
                    let (a, b) = (a.ceil() as i64, b.floor() as i64);
                    if b >= a {
                        (a + (h % ((b - a) as u64 + 1)) as i64) as f64
                    } else {
                        a as f64
                    }
                } else {
                    a + (b - a) * ((h % 1000) as f64 / 1000.0)
                }
            }
            (Some(a), _) => a.ceil() + (h % 10) as f64,
            (_, Some(b)) => b.floor() - (h % 10) as f64,
            _ => (h % 100) as f64,
        };
        if integer { json!(v as i64) } else { json!(v) }
    }

    fn value(&mut self, schema: &Value, depth: usize) -> Value {
        if depth > 8 {
            return Value::Null;
        }
        let s = self.resolve(schema).clone();
        if let Some(c) = s.get("const") {
            return c.clone();
        }
        if let Some(values) = s.get("enum").and_then(Value::as_array)
            && !values.is_empty()
        {
            let h = self.next();
            return values[(h % values.len() as u64) as usize].clone();
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(options) = s.get(key).and_then(Value::as_array) {
                let pick = options
                    .iter()
                    .find(|o| self.resolve(o).get("type").and_then(Value::as_str) != Some("null"))
                    .or(options.first());
                if let Some(o) = pick {
                    return self.value(o, depth + 1);
                }
            }
        }
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            let mut last = Value::Null;
            for part in all {
                match self.value(part, depth + 1) {
                    Value::Object(o) => merged.extend(o),
                    other => last = other,
                }
            }
            return if merged.is_empty() {
                last
            } else {
                Value::Object(merged)
            };
        }
        let ty = match s.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or("null")
                .to_owned(),
            _ if s.get("properties").is_some() => "object".into(),
            _ if s.get("items").is_some() => "array".into(),
            _ => "string".into(),
        };
        match ty.as_str() {
            "object" => {
                let mut out = Map::new();
                let required: Vec<&str> = s
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if let Some(props) = s.get("properties").and_then(Value::as_object) {
                    for (name, prop) in props {
                        let include =
                            required.contains(&name.as_str()) || self.next().is_multiple_of(2);
                        if include {
                            let v = self.value(prop, depth + 1);
                            out.insert(name.clone(), v);
                        }
                    }
                }
                for name in required {
                    if !out.contains_key(name) {
                        let v = self.string(&Value::Null);
                        out.insert(name.to_owned(), v);
                    }
                }
                Value::Object(out)
            }
            "array" => {
                let min = s.get("minItems").and_then(Value::as_u64).unwrap_or(1);
                let max = s
                    .get("maxItems")
                    .and_then(Value::as_u64)
                    .unwrap_or(min.max(2));
                let n = if max > min {
                    min + self.next() % (max - min + 1).min(3)
                } else {
                    min.min(max)
                };
                let items = s.get("items").cloned().unwrap_or(json!({"type": "string"}));
                Value::Array((0..n).map(|_| self.value(&items, depth + 1)).collect())
            }
            "integer" => self.number(&s, true),
            "number" => self.number(&s, false),
            "boolean" => Value::Bool(self.next().is_multiple_of(2)),
            "null" => Value::Null,
            _ => self.string(&s),
        }
    }
}

/// A value valid against the JSON `schema`, chosen deterministically from the seed and the
/// prompt (string values prefer words of the prompt, capitalized ones first).
pub fn value_for_schema(schema: &Value, prompt: &str, seed: u64) -> Value {
    let tokens = tokenize(prompt);
    let is_word = |t: &str| t.chars().all(char::is_alphanumeric);
    let words = tokens
        .iter()
        .filter(|t| is_word(t))
        .map(|t| (*t).to_owned())
        .collect();
    let proper = tokens
        .iter()
        .enumerate()
        .filter(|(i, t)| {
            let sentence_start = *i == 0 || matches!(tokens[i - 1], "." | "?" | "!" | ":");
            !sentence_start
                && is_word(t)
                && t.chars().count() > 1
                && t.chars().next().is_some_and(char::is_uppercase)
        })
        .map(|(_, t)| (*t).to_owned())
        .collect();
    let mut g = SchemaGen {
        root: schema,
        proper,
        words,
        h: hash64(&[
            &seed.to_le_bytes(),
            prompt.as_bytes(),
            schema.to_string().as_bytes(),
        ]),
    };
    g.value(schema, 0)
}
