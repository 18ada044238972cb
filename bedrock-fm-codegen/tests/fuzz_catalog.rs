//! Target (d) of the fuzzing (issue 11, item 6): the catalog reader on mutated copies of
//! `models.toml` — members dropped or renamed, values of the wrong type or out of range,
//! arrays emptied or doubled (edited as TOML, then written back), and text edits (lines
//! deleted, duplicated or swapped, the file cut short, characters inserted or overwritten).
//! Property: `catalog::parse` never panics; it returns a catalog or a `CatalogError` with a
//! message. A mutated catalog that still parses is also generated (`emit::generate`), which
//! must not panic either.
//!
//! Deterministic (proptest, ChaCha with a fixed seed); `BEDROCK_FM_FUZZ_CASES` sets the number
//! of cases (default 100: each parses the whole catalog, ~0.1 s in a debug build). The executions and outcomes are printed to stderr.

use bedrock_fm_codegen::{catalog, emit};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use std::cell::RefCell;
use std::collections::BTreeMap;
use toml::Value;

const DEFAULT_CASES: u32 = 100;
/// At most this many mutated catalogs that still parse are generated (each takes a while).
const MAX_GENERATIONS: u32 = 3;

fn cases() -> u32 {
    std::env::var("BEDROCK_FM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

#[derive(Debug, Clone)]
enum Junk {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    EmptyArray,
    EmptyTable,
    Array(Vec<Junk>),
}

impl Junk {
    fn to_value(&self) -> Value {
        match self {
            Junk::Str(s) => Value::String(s.clone()),
            Junk::Int(i) => Value::Integer(*i),
            Junk::Float(f) => Value::Float(*f),
            Junk::Bool(b) => Value::Boolean(*b),
            Junk::EmptyArray => Value::Array(Vec::new()),
            Junk::EmptyTable => Value::Table(toml::Table::new()),
            Junk::Array(items) => Value::Array(items.iter().map(Junk::to_value).collect()),
        }
    }
}

fn junk() -> impl Strategy<Value = Junk> {
    let leaf = prop_oneof![
        prop_oneof![
            "[a-z_.:-]{0,16}",
            Just(String::new()),
            Just("u32".to_owned()),
            Just("Vec<".to_owned()),
            Just("Option<Option<u32>>".to_owned()),
            Just("map<string, json>".to_owned()),
            Just("https://".to_owned()),
            any::<String>(),
        ]
        .prop_map(Junk::Str),
        prop_oneof![
            Just(0i64),
            Just(-1),
            Just(i64::MAX),
            Just(i64::MIN),
            Just(4294967296),
            any::<i64>()
        ]
        .prop_map(Junk::Int),
        prop_oneof![
            Just(0.5f64),
            Just(-1e300),
            Just(f64::NAN),
            Just(f64::INFINITY)
        ]
        .prop_map(Junk::Float),
        any::<bool>().prop_map(Junk::Bool),
        Just(Junk::EmptyArray),
        Just(Junk::EmptyTable),
    ];
    leaf.prop_recursive(2, 6, 3, |inner| vec(inner, 0..3).prop_map(Junk::Array))
}

/// An edit; `pick` selects a node of the TOML tree (depth first), a line, or a position.
#[derive(Debug, Clone)]
enum Edit {
    Remove { pick: u32 },
    Rename { pick: u32, to: String },
    Replace { pick: u32, with: Junk },
    Perturb { pick: u32, how: u8 },
    DeleteLine { pick: u32 },
    DuplicateLine { pick: u32 },
    SwapLines { pick: u32 },
    Truncate { per_mille: u16 },
    Insert { pick: u32, text: String },
    Overwrite { pick: u32, byte: u8 },
}

fn edit() -> impl Strategy<Value = Edit> {
    let pick = any::<u32>;
    prop_oneof![
        4 => pick().prop_map(|pick| Edit::Remove { pick }),
        2 => (pick(), "[a-z_]{0,12}").prop_map(|(pick, to)| Edit::Rename { pick, to }),
        4 => (pick(), junk()).prop_map(|(pick, with)| Edit::Replace { pick, with }),
        4 => (pick(), any::<u8>()).prop_map(|(pick, how)| Edit::Perturb { pick, how }),
        2 => pick().prop_map(|pick| Edit::DeleteLine { pick }),
        2 => pick().prop_map(|pick| Edit::DuplicateLine { pick }),
        1 => pick().prop_map(|pick| Edit::SwapLines { pick }),
        1 => (0u16..1000).prop_map(|per_mille| Edit::Truncate { per_mille }),
        1 => (pick(), prop_oneof!["[ -~]{1,8}", Just("\"".to_owned()), Just("[[".to_owned()), Just("\n[family.x]\n".to_owned())])
            .prop_map(|(pick, text)| Edit::Insert { pick, text }),
        1 => (pick(), any::<u8>()).prop_map(|(pick, byte)| Edit::Overwrite { pick, byte }),
    ]
}

/// Paths (keys and indexes) of every node below the root.
#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

fn paths(v: &Value, at: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    match v {
        Value::Table(t) => {
            for (k, child) in t {
                at.push(Seg::Key(k.clone()));
                out.push(at.clone());
                paths(child, at, out);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                at.push(Seg::Index(i));
                out.push(at.clone());
                paths(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn get_mut<'v>(v: &'v mut Value, path: &[Seg]) -> Option<&'v mut Value> {
    let mut cur = v;
    for seg in path {
        cur = match (seg, cur) {
            (Seg::Key(k), Value::Table(t)) => t.get_mut(k)?,
            (Seg::Index(i), Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn pick_path(doc: &Value, pick: u32) -> Option<Vec<Seg>> {
    let mut out = Vec::new();
    paths(doc, &mut Vec::new(), &mut out);
    (!out.is_empty()).then(|| out[pick as usize % out.len()].clone())
}

fn perturb(v: &mut Value, how: u8) {
    match v {
        Value::String(s) => {
            *s = match how % 5 {
                0 => String::new(),
                1 => format!("{s}x"),
                2 => s.to_uppercase(),
                3 => s.chars().rev().collect(),
                _ => format!("{s} {s}"),
            }
        }
        Value::Integer(i) => *i = [0, -1, i64::MAX, i64::MIN, *i + 1][usize::from(how % 5)],
        Value::Float(f) => *f = [0.0, -1.0, f64::MAX, f64::NAN][usize::from(how % 4)],
        Value::Boolean(b) => *b = !*b,
        Value::Array(a) => match how % 3 {
            0 => a.clear(),
            1 => a.truncate(1),
            _ => {
                let copy = a.clone();
                a.extend(copy);
            }
        },
        Value::Table(t) => {
            if let Some(k) = t.keys().nth(usize::from(how) % t.len().max(1)).cloned() {
                t.remove(&k);
            }
        }
        Value::Datetime(_) => *v = Value::String(String::new()),
    }
}

fn apply_tree(doc: &mut Value, edit: &Edit) {
    let pick = match edit {
        Edit::Remove { pick }
        | Edit::Rename { pick, .. }
        | Edit::Replace { pick, .. }
        | Edit::Perturb { pick, .. } => *pick,
        _ => return,
    };
    let Some(path) = pick_path(doc, pick) else {
        return;
    };
    let (last, parent) = path.split_last().unwrap();
    match edit {
        Edit::Remove { .. } => match (get_mut(doc, parent), last) {
            (Some(Value::Table(t)), Seg::Key(k)) => {
                t.remove(k);
            }
            (Some(Value::Array(a)), Seg::Index(i)) if *i < a.len() => {
                a.remove(*i);
            }
            _ => {}
        },
        Edit::Rename { to, .. } => {
            if let (Some(Value::Table(t)), Seg::Key(k)) = (get_mut(doc, parent), last)
                && let Some(v) = t.remove(k)
            {
                t.insert(format!("{k}{to}"), v);
            }
        }
        Edit::Replace { with, .. } => {
            if let Some(v) = get_mut(doc, &path) {
                *v = with.to_value();
            }
        }
        Edit::Perturb { how, .. } => {
            if let Some(v) = get_mut(doc, &path) {
                perturb(v, *how);
            }
        }
        _ => {}
    }
}

fn apply_text(text: &mut String, edit: &Edit) {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let n = lines.len().max(1);
    let boundary = |s: &str, i: usize| {
        let mut i = i.min(s.len());
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    match edit {
        Edit::DeleteLine { pick } if !lines.is_empty() => {
            lines.remove(*pick as usize % n);
        }
        Edit::DuplicateLine { pick } if !lines.is_empty() => {
            let i = *pick as usize % n;
            lines.insert(i, lines[i].clone());
        }
        Edit::SwapLines { pick } if lines.len() > 1 => {
            let i = *pick as usize % (lines.len() - 1);
            lines.swap(i, i + 1);
        }
        Edit::Truncate { per_mille } => {
            let at = boundary(text, text.len() * usize::from(*per_mille) / 1000);
            text.truncate(at);
            return;
        }
        Edit::Insert { pick, text: t } => {
            let at = boundary(text, *pick as usize % (text.len() + 1));
            text.insert_str(at, t);
            return;
        }
        Edit::Overwrite { pick, byte } => {
            if !text.is_empty() {
                let at = boundary(text, *pick as usize % text.len());
                let c = char::from(*byte);
                let end = at + text[at..].chars().next().map_or(0, char::len_utf8);
                text.replace_range(at..end, &c.to_string());
            }
            return;
        }
        _ => return,
    }
    *text = lines.join("\n");
}

fn models_toml() -> String {
    let path = bedrock_fm_codegen::workspace_root().join("models.toml");
    std::fs::read_to_string(path).expect("models.toml")
}

#[derive(Default)]
struct Tally {
    executions: u64,
    ok: u64,
    generated: u32,
    errors: BTreeMap<String, u64>,
}

#[test]
fn mutated_catalogs_parse_or_fail_with_a_catalog_error() {
    let original = models_toml();
    let tree: Value = Value::Table(original.parse::<toml::Table>().expect("models.toml parses"));
    catalog::parse(&original).expect("the real catalog parses");
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        max_shrink_iters: 128,
        ..Config::default()
    };
    let mut seed = [7u8; 32];
    seed[..15].copy_from_slice(b"fuzz/catalog-v1");
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
    let tally = RefCell::new(Tally::default());
    // As TOML (a tree edit, written back) or as text, then text edits.
    let strategy = (any::<bool>(), vec(edit(), 1..4));
    let result = runner.run(&strategy, |(as_tree, edits)| {
        let mut text = if as_tree {
            let mut doc = tree.clone();
            for e in &edits {
                apply_tree(&mut doc, e);
            }
            toml::to_string(&doc).map_err(|e| TestCaseError::reject(e.to_string()))?
        } else {
            original.clone()
        };
        for e in &edits {
            apply_text(&mut text, e);
        }
        let mut t = tally.borrow_mut();
        t.executions += 1;
        match catalog::parse(&text) {
            Ok(parsed) => {
                t.ok += 1;
                if t.generated < MAX_GENERATIONS && text != original {
                    t.generated += 1;
                    let files = emit::generate(&parsed);
                    prop_assert!(!files.is_empty());
                }
            }
            Err(e) => {
                let message = e.to_string();
                prop_assert!(
                    !e.message.is_empty(),
                    "an error without a message: {message}"
                );
                let what = if e.entry == "the file" && e.field.is_empty() {
                    "the file (TOML syntax)".to_owned()
                } else if e.entry == "the file" {
                    format!("the file, `{}`", e.field)
                } else if let Some((kind, _)) = e.entry.split_once(' ') {
                    format!("{kind} entries")
                } else {
                    e.entry.clone()
                };
                *t.errors.entry(what).or_default() += 1;
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("fuzz catalog found a failing input: {e}");
    }
    let t = tally.borrow();
    let errors = t
        .errors
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    eprintln!(
        "fuzz catalog/parse: executions {}, ok {} ({} generated), CatalogError {{{errors}}}, panics 0",
        t.executions, t.ok, t.generated
    );
}
