//! Mutations of JSON documents and of byte strings, as proptest strategies: each mutation is a
//! small program applied to a seed (so that shrinking shrinks the program, and a failing
//! case prints as readable steps).

use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// A value put where another was.
#[derive(Debug, Clone)]
pub(crate) enum Junk {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    EmptyArray,
    EmptyObject,
    Array(Vec<Junk>),
    Object(Vec<(String, Junk)>),
}

impl Junk {
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Junk::Null => Value::Null,
            Junk::Bool(b) => json!(b),
            Junk::Int(i) => json!(i),
            Junk::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Junk::Str(s) => json!(s),
            Junk::EmptyArray => json!([]),
            Junk::EmptyObject => json!({}),
            Junk::Array(items) => Value::Array(items.iter().map(Junk::to_value).collect()),
            Junk::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_value()))
                    .collect::<Map<_, _>>(),
            ),
        }
    }
}

/// Strings that stress decoders: empty, long, control and non-ASCII characters, JSON-ish.
pub(crate) fn nasty_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z_]{0,12}",
        2 => any::<String>(),
        1 => Just(String::new()),
        1 => Just("\u{0}\u{1f}\u{7f}\u{feff}\u{10ffff}".to_owned()),
        1 => Just("x".repeat(5000)),
        1 => Just("{\"a\":".to_owned()),
        1 => Just("NaN".to_owned()),
        1 => "[A-Z_]{3,20}",
    ]
}

pub(crate) fn junk() -> impl Strategy<Value = Junk> {
    let leaf = prop_oneof![
        Just(Junk::Null),
        any::<bool>().prop_map(Junk::Bool),
        prop_oneof![
            Just(0i64),
            Just(-1),
            Just(i64::MAX),
            Just(i64::MIN),
            Just(u32::MAX as i64 + 1),
            any::<i64>()
        ]
        .prop_map(Junk::Int),
        prop_oneof![
            Just(0.5f64),
            Just(-1e308),
            Just(1e308),
            Just(f64::MIN_POSITIVE)
        ]
        .prop_map(Junk::Float),
        nasty_string().prop_map(Junk::Str),
        Just(Junk::EmptyArray),
        Just(Junk::EmptyObject),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Junk::Array),
            vec(("[a-zA-Z_]{1,10}", inner), 0..4).prop_map(Junk::Object),
        ]
    })
}

/// One edit of a JSON document; `pick` selects a node (object member or array item, in
/// depth-first order, modulo their number).
#[derive(Debug, Clone)]
pub(crate) enum JsonOp {
    /// Renames an object member's key (appends, changes case, or replaces it).
    RenameKey { pick: u32, how: u8, to: String },
    /// Removes an object member or array item.
    Remove { pick: u32 },
    /// Replaces a node with junk (often of another type).
    Replace { pick: u32, with: Junk },
    /// Changes a node keeping its type: empty or other strings, extreme numbers, empty or
    /// shortened or doubled arrays, flipped booleans, emptied objects.
    Perturb { pick: u32, how: u8 },
    /// Adds an unknown member to an object.
    AddKey { pick: u32, key: String, value: Junk },
}

/// What happens to the bytes once the JSON edits are done.
#[derive(Debug, Clone)]
pub(crate) enum Tail {
    Keep,
    /// Keep this fraction (per 1000) of the bytes.
    Truncate(u16),
    Empty,
    Random(Vec<u8>),
    /// Overwrite bytes at this fraction (per 1000) of the length.
    Splice(u16, Vec<u8>),
    /// The whole body is this value instead of an object.
    NotObject(Junk),
}

/// A mutation of a JSON body.
#[derive(Debug, Clone)]
pub(crate) struct BodyMutation {
    pub(crate) ops: Vec<JsonOp>,
    pub(crate) tail: Tail,
}

pub(crate) fn json_op() -> impl Strategy<Value = JsonOp> {
    prop_oneof![
        2 => (any::<u32>(), 0u8..4, "[a-zA-Z_]{0,8}")
            .prop_map(|(pick, how, to)| JsonOp::RenameKey { pick, how, to }),
        3 => any::<u32>().prop_map(|pick| JsonOp::Remove { pick }),
        3 => (any::<u32>(), junk()).prop_map(|(pick, with)| JsonOp::Replace { pick, with }),
        3 => (any::<u32>(), any::<u8>()).prop_map(|(pick, how)| JsonOp::Perturb { pick, how }),
        1 => (any::<u32>(), "[a-zA-Z_-]{1,24}", junk())
            .prop_map(|(pick, key, value)| JsonOp::AddKey { pick, key, value }),
    ]
}

pub(crate) fn tail() -> impl Strategy<Value = Tail> {
    prop_oneof![
        12 => Just(Tail::Keep),
        3 => (0u16..1000).prop_map(Tail::Truncate),
        1 => Just(Tail::Empty),
        1 => vec(any::<u8>(), 0..256).prop_map(Tail::Random),
        2 => (0u16..1000, vec(any::<u8>(), 1..8)).prop_map(|(at, b)| Tail::Splice(at, b)),
        1 => junk().prop_map(Tail::NotObject),
    ]
}

pub(crate) fn body_mutation() -> impl Strategy<Value = BodyMutation> {
    (vec(json_op(), 0..4), tail()).prop_map(|(ops, tail)| BodyMutation { ops, tail })
}

/// The JSON pointers of every node below the root, depth first.
fn node_paths(v: &Value, at: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                node_paths(child, &p, out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                node_paths(child, &p, out);
            }
        }
        _ => {}
    }
}

fn pick_path(v: &Value, pick: u32, objects_only: bool) -> Option<String> {
    let mut paths = Vec::new();
    if objects_only {
        if v.is_object() {
            paths.push(String::new());
        }
        let mut all = Vec::new();
        node_paths(v, "", &mut all);
        paths.extend(
            all.into_iter()
                .filter(|p| v.pointer(p).is_some_and(Value::is_object)),
        );
    } else {
        node_paths(v, "", &mut paths);
    }
    if paths.is_empty() {
        return None;
    }
    Some(paths[pick as usize % paths.len()].clone())
}

fn split_parent(path: &str) -> (&str, String) {
    let (parent, last) = path.rsplit_once('/').unwrap_or(("", path));
    (parent, last.replace("~1", "/").replace("~0", "~"))
}

fn perturb(v: &mut Value, how: u8) {
    match v {
        Value::String(s) => {
            *s = match how % 4 {
                0 => String::new(),
                1 => s.chars().rev().collect(),
                2 => format!("{s}\u{1F600}\u{0}"),
                _ => "UNKNOWN_VALUE".to_owned(),
            }
        }
        Value::Number(_) => {
            *v = match how % 6 {
                0 => json!(0),
                1 => json!(-1),
                2 => json!(u64::MAX),
                3 => json!(4294967296u64),
                4 => json!(1.5),
                _ => json!(-1e300),
            }
        }
        Value::Bool(b) => *b = !*b,
        Value::Array(a) => match how % 3 {
            0 => a.clear(),
            1 => a.truncate(1),
            _ => {
                let copy = a.clone();
                a.extend(copy);
            }
        },
        Value::Object(m) => {
            if how.is_multiple_of(2) {
                m.clear();
            } else if let Some(k) = m.keys().next().cloned() {
                m.remove(&k);
            }
        }
        Value::Null => *v = json!(""),
    }
}

/// Applies one edit in place.
pub(crate) fn apply_op(doc: &mut Value, op: &JsonOp) {
    match op {
        JsonOp::RenameKey { pick, how, to } => {
            let Some(path) = pick_path(doc, *pick, false) else {
                return;
            };
            let (parent, key) = split_parent(&path);
            let Some(Value::Object(m)) = doc.pointer_mut(parent) else {
                return;
            };
            let Some(value) = m.remove(&key) else {
                return;
            };
            let new_key = match how {
                0 => format!("{key}{to}_"),
                1 => key.to_uppercase(),
                2 => to.clone(),
                _ => {
                    let mut c = key.chars();
                    match c.next() {
                        Some(f) => format!("{}{}", f.to_ascii_uppercase(), c.as_str()),
                        None => "_".to_owned(),
                    }
                }
            };
            m.insert(new_key, value);
        }
        JsonOp::Remove { pick } => {
            let Some(path) = pick_path(doc, *pick, false) else {
                return;
            };
            let (parent, key) = split_parent(&path);
            match doc.pointer_mut(parent) {
                Some(Value::Object(m)) => {
                    m.remove(&key);
                }
                Some(Value::Array(a)) => {
                    if let Ok(i) = key.parse::<usize>()
                        && i < a.len()
                    {
                        a.remove(i);
                    }
                }
                _ => {}
            }
        }
        JsonOp::Replace { pick, with } => {
            if let Some(path) = pick_path(doc, *pick, false)
                && let Some(v) = doc.pointer_mut(&path)
            {
                *v = with.to_value();
            }
        }
        JsonOp::Perturb { pick, how } => {
            if let Some(path) = pick_path(doc, *pick, false)
                && let Some(v) = doc.pointer_mut(&path)
            {
                perturb(v, *how);
            }
        }
        JsonOp::AddKey { pick, key, value } => {
            if let Some(path) = pick_path(doc, *pick, true)
                && let Some(Value::Object(m)) = doc.pointer_mut(&path)
            {
                m.insert(key.clone(), value.to_value());
            }
        }
    }
}

/// The mutated JSON value (before the byte-level tail).
pub(crate) fn mutate_json(seed: &Value, ops: &[JsonOp]) -> Value {
    let mut doc = seed.clone();
    for op in ops {
        apply_op(&mut doc, op);
    }
    doc
}

/// Applies a byte-level tail to serialized bytes.
pub(crate) fn apply_tail(mut bytes: Vec<u8>, tail: &Tail) -> Vec<u8> {
    match tail {
        Tail::Keep => bytes,
        Tail::Truncate(per_mille) => {
            let n = bytes.len() * usize::from(*per_mille) / 1000;
            bytes.truncate(n);
            bytes
        }
        Tail::Empty => Vec::new(),
        Tail::Random(r) => r.clone(),
        Tail::Splice(at, with) => {
            if !bytes.is_empty() {
                let start = bytes.len() * usize::from(*at) / 1000;
                for (i, b) in with.iter().enumerate() {
                    if let Some(slot) = bytes.get_mut(start + i) {
                        *slot = *b;
                    }
                }
            }
            bytes
        }
        Tail::NotObject(j) => serde_json::to_vec(&j.to_value()).unwrap(),
    }
}

/// The mutated body bytes, and the JSON they hold when they still parse.
pub(crate) fn mutate_body(seed: &Value, m: &BodyMutation) -> Vec<u8> {
    let doc = mutate_json(seed, &m.ops);
    apply_tail(serde_json::to_vec(&doc).unwrap(), &m.tail)
}
