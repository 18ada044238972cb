//! Reads TOML tables key by key so that every error names its entry and field.

use std::collections::BTreeSet;
use std::fmt;
use toml::{Table, Value};

/// A problem in `models.toml`, naming the entry and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// The entry: `model "amazon.titan-text-express-v1"`, `family "titan_text"`, ...
    pub entry: String,
    /// The field within the entry (may be empty for the entry as a whole).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "models.toml: {}: {}", self.entry, self.message)
        } else {
            write!(
                f,
                "models.toml: {}, field `{}`: {}",
                self.entry, self.field, self.message
            )
        }
    }
}

impl std::error::Error for CatalogError {}

/// Builds a [`CatalogError`].
pub fn error(entry: &str, field: &str, message: impl Into<String>) -> CatalogError {
    CatalogError {
        entry: entry.to_owned(),
        field: field.to_owned(),
        message: message.into(),
    }
}

/// A table being read; [`Entry::finish`] rejects the keys nobody asked for.
pub struct Entry<'a> {
    name: String,
    table: &'a Table,
    seen: BTreeSet<&'static str>,
}

impl<'a> Entry<'a> {
    pub fn new(name: impl Into<String>, table: &'a Table) -> Self {
        Self {
            name: name.into(),
            table,
            seen: BTreeSet::new(),
        }
    }

    pub fn from_value(name: impl Into<String>, value: &'a Value) -> Result<Self, CatalogError> {
        let name = name.into();
        match value.as_table() {
            Some(table) => Ok(Self::new(name, table)),
            None => Err(error(&name, "", "expected a table")),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn err(&self, field: &str, message: impl Into<String>) -> CatalogError {
        error(&self.name, field, message)
    }

    fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.seen.insert(key);
        self.table.get(key)
    }

    fn typed<T>(
        &mut self,
        key: &'static str,
        what: &str,
        f: impl Fn(&'a Value) -> Option<T>,
    ) -> Result<Option<T>, CatalogError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => f(v)
                .map(Some)
                .ok_or_else(|| self.err(key, format!("expected {what}, found {v}"))),
        }
    }

    fn need<T>(&self, key: &str, v: Option<T>) -> Result<T, CatalogError> {
        v.ok_or_else(|| self.err(key, "is missing"))
    }

    pub fn opt_str(&mut self, key: &'static str) -> Result<Option<String>, CatalogError> {
        self.typed(key, "a string", |v| v.as_str().map(str::to_owned))
    }

    pub fn str(&mut self, key: &'static str) -> Result<String, CatalogError> {
        let v = self.opt_str(key)?;
        let v = self.need(key, v)?;
        if v.trim().is_empty() {
            return Err(self.err(key, "is empty"));
        }
        Ok(v)
    }

    pub fn opt_bool(&mut self, key: &'static str) -> Result<Option<bool>, CatalogError> {
        self.typed(key, "a boolean", Value::as_bool)
    }

    /// A boolean's value without marking the key read (false when absent or not a boolean).
    pub fn peek_bool(&self, key: &str) -> bool {
        self.table
            .get(key)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    pub fn bool(&mut self, key: &'static str) -> Result<bool, CatalogError> {
        let v = self.opt_bool(key)?;
        self.need(key, v)
    }

    pub fn opt_u64(&mut self, key: &'static str) -> Result<Option<u64>, CatalogError> {
        self.typed(key, "a non-negative integer", |v| {
            v.as_integer().and_then(|i| u64::try_from(i).ok())
        })
    }

    pub fn opt_f64(&mut self, key: &'static str) -> Result<Option<f64>, CatalogError> {
        self.typed(key, "a number", |v| {
            v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
        })
    }

    pub fn opt_value(&mut self, key: &'static str) -> Option<&'a Value> {
        self.get(key)
    }

    pub fn str_list(&mut self, key: &'static str) -> Result<Vec<String>, CatalogError> {
        let v = self.typed(key, "an array of strings", |v| {
            v.as_array()?
                .iter()
                .map(|x| x.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
        })?;
        self.need(key, v)
    }

    pub fn opt_u64_list(&mut self, key: &'static str) -> Result<Option<Vec<u64>>, CatalogError> {
        self.typed(key, "an array of non-negative integers", |v| {
            v.as_array()?
                .iter()
                .map(|x| x.as_integer().and_then(|i| u64::try_from(i).ok()))
                .collect::<Option<Vec<_>>>()
        })
    }

    pub fn opt_str_list(&mut self, key: &'static str) -> Result<Option<Vec<String>>, CatalogError> {
        if self.table.contains_key(key) {
            self.str_list(key).map(Some)
        } else {
            self.seen.insert(key);
            Ok(None)
        }
    }

    /// An array of tables (`fields = [{...}, ...]`), each handed over as an [`Entry`].
    pub fn tables(&mut self, key: &'static str) -> Result<&'a [Value], CatalogError> {
        let v = self.typed(key, "an array of tables", |v| {
            v.as_array().map(Vec::as_slice)
        })?;
        self.need(key, v)
    }

    /// A table of tables (`[family.x.structs.Name]`), in key order.
    pub fn table_map(
        &mut self,
        key: &'static str,
    ) -> Result<Vec<(&'a str, &'a Value)>, CatalogError> {
        let v = self.typed(key, "a table", Value::as_table)?;
        Ok(v.map(|t| t.iter().map(|(k, v)| (k.as_str(), v)).collect())
            .unwrap_or_default())
    }

    /// Rejects keys that were never read.
    pub fn finish(self) -> Result<(), CatalogError> {
        match self.table.keys().find(|k| !self.seen.contains(k.as_str())) {
            Some(k) => Err(error(&self.name, k, "unknown key")),
            None => Ok(()),
        }
    }
}
