//! JSON comparison where numbers compare by value.

use serde_json::Value;

/// The first place where `got` differs from `want`, or `None` if they are the same JSON
/// (numbers by value).
pub(crate) fn json_diff(want: &Value, got: &Value, path: &str) -> Option<String> {
    match (want, got) {
        (Value::Number(a), Value::Number(b)) => {
            (a.as_f64() != b.as_f64()).then(|| format!("{path}: documented {a}, got {b}"))
        }
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                let p = format!("{path}/{k}");
                match b.get(k) {
                    None => return Some(format!("{p}: documented {va}, dropped")),
                    Some(vb) => {
                        if let Some(d) = json_diff(va, vb, &p) {
                            return Some(d);
                        }
                    }
                }
            }
            b.keys()
                .find(|k| !a.contains_key(*k))
                .map(|k| format!("{path}/{k}: not documented, added as {}", b[k]))
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Some(format!(
                    "{path}: documented {} items, got {}",
                    a.len(),
                    b.len()
                ));
            }
            a.iter()
                .zip(b)
                .enumerate()
                .find_map(|(i, (x, y))| json_diff(x, y, &format!("{path}/{i}")))
        }
        _ => (want != got).then(|| format!("{path}: documented {want}, got {got}")),
    }
}
