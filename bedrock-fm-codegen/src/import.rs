//! `cargo codegen -- --import FILE [--profiles FILE] [--write]`: compares a saved
//! ListFoundationModels response (and optionally a saved ListInferenceProfiles response) with
//! the catalog, reports NEW, CHANGED and RETIRED models, and with `--write` appends an entry
//! for each new model whose family an ID prefix names.
//!
//! The inputs are the documented JSON shapes, as `aws bedrock list-foundation-models` and
//! `aws bedrock list-inference-profiles` print them (bedrock-2023-04-20 service model):
//! - `ListFoundationModelsResponse { modelSummaries: [FoundationModelSummary] }`, each with
//!   `modelId` (required), `modelName`, `providerName`, `inputModalities` and
//!   `outputModalities` (`ModelModality`: TEXT | IMAGE | EMBEDDING),
//!   `responseStreamingSupported`, `inferenceTypesSupported` (`InferenceType`), and
//!   `modelLifecycle: FoundationModelLifecycle { status: ACTIVE | LEGACY }`
//!   (<https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ListFoundationModels.html>).
//! - `ListInferenceProfilesResponse { inferenceProfileSummaries: [InferenceProfileSummary],
//!   nextToken }`, each with `inferenceProfileId` and `type` (SYSTEM_DEFINED | APPLICATION)
//!   (<https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ListInferenceProfiles.html>).
//!
//! The service model lists `InferenceType` as ON_DEMAND | PROVISIONED; listings also return
//! INFERENCE_PROFILE for profile-only models, which the catalog records too. Unknown values
//! are reported as they are. Listings are per region, so a missing model is "absent from this
//! region's listing", not necessarily retired.

use crate::catalog::{self, Catalog, Family, ModelEntry, PROFILES, family_by_prefix};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Where `--write` says each entry comes from.
pub const SOURCE: &str =
    "https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ListFoundationModels.html";

/// Parses JSON text; an error names the line and the column.
pub fn parse_json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| {
        format!(
            "$: invalid JSON at line {}, column {}: {e}",
            e.line(),
            e.column()
        )
    })
}

/// Reads fields of an object, naming the JSON path in every error.
struct Obj<'a>(&'a Map<String, Value>, String);

impl<'a> Obj<'a> {
    fn new(v: &'a Value, path: String) -> Result<Self, String> {
        match v {
            Value::Object(f) => Ok(Obj(f, path)),
            _ => Err(format!("{path}: expected an object")),
        }
    }
    /// The value at `key` (absent or null: `None`), converted by `f` or an error.
    fn opt<T>(
        &self,
        key: &str,
        what: &str,
        f: impl Fn(&'a Value) -> Option<T>,
    ) -> Result<Option<T>, String> {
        let v = self.0.get(key).filter(|v| !v.is_null());
        v.map(|v| f(v).ok_or_else(|| format!("{}.{key}: expected {what}", self.1)))
            .transpose()
    }
    fn opt_str(&self, key: &str) -> Result<Option<String>, String> {
        self.opt(key, "a string", |v| v.as_str().map(str::to_owned))
    }
    fn str(&self, key: &str) -> Result<String, String> {
        let missing = || format!("{}.{key}: missing (required)", self.1);
        self.opt_str(key)?.ok_or_else(missing)
    }
    fn list(&self, key: &str) -> Result<Option<&'a [Value]>, String> {
        self.opt(key, "an array", |v| v.as_array().map(Vec::as_slice))
    }
    fn str_list(&self, key: &str) -> Result<Option<Vec<String>>, String> {
        let Some(items) = self.list(key)? else {
            return Ok(None);
        };
        let item = |(i, v): (usize, &Value)| match v {
            Value::String(s) => Ok(s.clone()),
            _ => Err(format!("{}.{key}[{i}]: expected a string", self.1)),
        };
        items
            .iter()
            .enumerate()
            .map(item)
            .collect::<Result<_, _>>()
            .map(Some)
    }
}

/// One `FoundationModelSummary`, with the catalog's spelling of modalities and lifecycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub id: String,
    pub name: Option<String>,
    pub provider: Option<String>,
    pub input: Option<Vec<String>>,
    pub output: Option<Vec<String>>,
    pub streaming: Option<bool>,
    pub inference_types: Option<Vec<String>>,
    pub lifecycle: Option<String>,
}

/// The models of a `ListFoundationModelsResponse`.
pub fn parse_models(text: &str) -> Result<Vec<Summary>, String> {
    let root = parse_json(text)?;
    let top = Obj::new(&root, "$".into())?;
    let list = top
        .list("modelSummaries")?
        .ok_or("$.modelSummaries: missing")?;
    let modality = |m: Vec<String>| m.iter().map(|m| m.to_lowercase()).collect();
    let mut out = Vec::new();
    for (i, v) in list.iter().enumerate() {
        let s = Obj::new(v, format!("$.modelSummaries[{i}]"))?;
        let lifecycle = match s.opt("modelLifecycle", "an object", Some)? {
            None => None,
            Some(l) => Some(Obj::new(l, format!("{}.modelLifecycle", s.1))?.str("status")?),
        };
        out.push(Summary {
            id: s.str("modelId")?,
            name: s.opt_str("modelName")?,
            provider: s.opt_str("providerName")?,
            input: s.str_list("inputModalities")?.map(modality),
            output: s.str_list("outputModalities")?.map(modality),
            streaming: s.opt(
                "responseStreamingSupported",
                "true or false",
                Value::as_bool,
            )?,
            inference_types: s.str_list("inferenceTypesSupported")?,
            lifecycle: lifecycle.map(|l| l.to_lowercase()),
        });
    }
    Ok(out)
}

/// SYSTEM_DEFINED profiles of a `ListInferenceProfilesResponse`, as model ID → prefixes.
#[derive(Debug, Default)]
pub struct Profiles {
    pub by_model: BTreeMap<String, BTreeSet<String>>,
    /// Every prefix the listing shows: only these can be said to be missing for a model.
    pub seen: BTreeSet<String>,
    /// Profile IDs whose prefix is not one the catalog knows.
    pub unknown: Vec<String>,
    /// `nextToken` was present: the file holds one page only.
    pub paginated: bool,
}

pub fn parse_profiles(text: &str) -> Result<Profiles, String> {
    let root = parse_json(text)?;
    let top = Obj::new(&root, "$".into())?;
    let key = "inferenceProfileSummaries";
    let list = top.list(key)?.ok_or(format!("$.{key}: missing"))?;
    let mut out = Profiles {
        paginated: top.opt_str("nextToken")?.is_some(),
        ..Default::default()
    };
    for (i, v) in list.iter().enumerate() {
        let s = Obj::new(v, format!("$.{key}[{i}]"))?;
        let id = s.str("inferenceProfileId")?;
        if s.str("type")? != "SYSTEM_DEFINED" {
            continue;
        }
        match id.split_once('.') {
            Some((prefix, model)) if PROFILES.contains(&prefix) => {
                out.seen.insert(prefix.to_owned());
                out.by_model
                    .entry(model.to_owned())
                    .or_default()
                    .insert(prefix.to_owned());
            }
            _ => out.unknown.push(id),
        }
    }
    Ok(out)
}

/// One field that differs: `(field, catalog value, listing value)`.
pub type Diff = (String, String, String);

/// How the listing and the catalog differ.
#[derive(Debug, Default)]
pub struct Comparison {
    /// Listed models the catalog lacks, with the family their ID prefix names.
    pub new: Vec<(Summary, Option<String>)>,
    /// Catalog models the listing describes differently: `(id, [(field, catalog, listing)])`.
    pub changed: Vec<(String, Vec<Diff>)>,
    /// Catalog models the listing lacks.
    pub retired: Vec<String>,
}

const NO_FAMILY: &str = "no family: Converse only / needs a family";

/// The modalities ListFoundationModels can express (`ModelModality`).
const LISTED_MODALITIES: &[&str] = &["text", "image", "embedding"];

fn show(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let items: Vec<String> = items.into_iter().map(|s| s.as_ref().to_owned()).collect();
    format!("[{}]", items.join(", "))
}

fn sorted(items: &[String]) -> BTreeSet<&str> {
    items.iter().map(String::as_str).collect()
}

pub fn compare(catalog: &Catalog, listing: &[Summary], profiles: Option<&Profiles>) -> Comparison {
    let mut out = Comparison::default();
    let mut listed = BTreeSet::new();
    for s in listing {
        if !listed.insert(s.id.as_str()) {
            continue;
        }
        let Some(m) = catalog.models.iter().find(|m| m.id == s.id) else {
            let family = family_by_prefix(catalog, &s.id).map(|(f, _)| f.id.clone());
            out.new.push((s.clone(), family));
            continue;
        };
        let mut diffs = Vec::new();
        let mut diff = |field: &str, cat: String, new: String| {
            if cat != new {
                diffs.push((field.to_owned(), cat, new));
            }
        };
        if let Some(t) = &s.inference_types {
            diff(
                "inference_types",
                show(sorted(&m.inference_types)),
                show(sorted(t)),
            );
        }
        if let Some(b) = s.streaming {
            diff("streaming", m.streaming.to_string(), b.to_string());
        }
        for (field, cat, new) in [
            ("input", &m.input, &s.input),
            ("output", &m.output, &s.output),
        ] {
            let Some(new) = new else { continue };
            // The catalog's modalities the listing can express: ModelModality, or named by it.
            let known = cat
                .iter()
                .filter(|x| LISTED_MODALITIES.contains(&x.as_str()) || new.contains(x));
            diff(
                field,
                show(known.collect::<BTreeSet<_>>()),
                show(sorted(new)),
            );
        }
        if let Some(l) = &s.lifecycle {
            diff("lifecycle", m.lifecycle.clone(), l.clone());
        }
        if let Some(p) = profiles {
            let listed = p.by_model.get(&m.id).cloned().unwrap_or_default();
            let cat = sorted(&m.profiles);
            // Only prefixes this listing shows at all can be missing (listings are per region).
            let missing = cat
                .iter()
                .any(|c| p.seen.contains(*c) && !listed.contains(*c));
            if missing || listed.iter().any(|l| !cat.contains(l.as_str())) {
                diff("profiles", show(cat), show(&listed));
            }
        }
        if !diffs.is_empty() {
            out.changed.push((m.id.clone(), diffs));
        }
    }
    out.retired = catalog
        .models
        .iter()
        .filter(|m| !listed.contains(m.id.as_str()))
        .map(|m| m.id.clone())
        .collect();
    out
}

/// The report `--import` prints.
pub fn report(c: &Comparison, profiles: Option<&Profiles>, listing: &str, catalog: &str) -> String {
    let mut r = format!("Compared {listing} with {catalog}.\n");
    if let Some(p) = profiles {
        let prefixes = show(&p.seen);
        r += &format!(
            "Profiles: SYSTEM_DEFINED prefixes in the listing: {prefixes}; others are not compared.\n"
        );
        if p.paginated {
            r += "Profiles: the file has a nextToken: profiles on later pages are not seen.\n";
        }
        for id in &p.unknown {
            r += &format!("Profiles: {id}: prefix unknown to the catalog, ignored.\n");
        }
    }
    r += &format!("\nNEW ({}): listed, not in the catalog\n", c.new.len());
    for (s, family) in &c.new {
        let family = match family {
            Some(f) => format!("family {f} (by ID prefix)"),
            None => NO_FAMILY.to_owned(),
        };
        let name = s.name.as_deref().unwrap_or("?");
        let types = show(s.inference_types.iter().flatten());
        r += &format!("  {}  {family}  {name:?}  {types}\n", s.id);
    }
    r += &format!(
        "\nCHANGED ({}): the listing differs from the catalog\n",
        c.changed.len()
    );
    for (id, diffs) in &c.changed {
        r += &format!("  {id}\n");
        for (field, cat, new) in diffs {
            r += &format!("    {field}: catalog {cat}, listing {new}\n");
        }
    }
    r += &format!(
        "\nRETIRED ({}): in the catalog, absent from this region's listing\n",
        c.retired.len()
    );
    for id in &c.retired {
        r += &format!("  {id}  absent from this region's listing\n");
    }
    r
}

fn size_text(z: &catalog::ImageSize) -> String {
    match z {
        catalog::ImageSize::Pixels(w, h) => format!("{w}x{h}"),
        catalog::ImageSize::Ratio(w, h) => format!("{w}:{h}"),
    }
}

/// The entry `--write` appends for a new model, or why it cannot. Fields the listing does
/// not carry get conservative values: converse and tool_use false, and the limits of the
/// family's catalog models (the smallest context window and output, the first model's
/// dimensions or sizes), all marked as placeholders to verify.
fn entry(
    catalog: &Catalog,
    s: &Summary,
    family: &Family,
    p: Option<&Profiles>,
) -> Result<String, String> {
    let types = s.inference_types.clone().unwrap_or_default();
    let input = s.input.clone().unwrap_or_else(|| vec!["text".into()]);
    let output = s
        .output
        .clone()
        .unwrap_or_else(|| vec![family.kind.clone()]);
    let lifecycle = s.lifecycle.clone().unwrap_or_else(|| "active".into());
    let known =
        |v: &[String], of: &[&str]| !v.is_empty() && v.iter().all(|x| of.contains(&x.as_str()));
    let checks = [
        ("inferenceTypesSupported", &types, catalog::INFERENCE_TYPES),
        ("inputModalities", &input, catalog::MODALITIES),
        ("outputModalities", &output, catalog::MODALITIES),
        (
            "modelLifecycle",
            &vec![lifecycle.clone()],
            catalog::LIFECYCLES,
        ),
    ];
    if let Some((what, v, _)) = checks.iter().find(|(_, v, of)| !known(v, of)) {
        return Err(format!(
            "{what} {} is not what the catalog knows: add it by hand",
            show(*v)
        ));
    }
    let profiles: Vec<String> = p
        .and_then(|p| p.by_model.get(&s.id))
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    if types.iter().any(|t| t == "INFERENCE_PROFILE") && profiles.is_empty() {
        return Err("INFERENCE_PROFILE, and no profile of it in --profiles: add it by hand".into());
    }
    // The family's models, leaving out Provisioned Throughput variants (their limits are
    // the variant's, `:0:12k`) unless the family has nothing else.
    let family_models = catalog.models.iter().filter(|m| m.family == family.id);
    let provisioned = |m: &&ModelEntry| m.inference_types.iter().all(|t| t == "PROVISIONED");
    let mut siblings: Vec<&ModelEntry> =
        family_models.clone().filter(|m| !provisioned(m)).collect();
    if siblings.is_empty() {
        siblings = family_models.collect();
    }
    let least = |f: fn(&ModelEntry) -> Option<u64>, or: u64| {
        siblings
            .iter()
            .filter_map(|m| f(m))
            .min()
            .unwrap_or(or)
            .to_string()
    };
    let first = |f: fn(&ModelEntry) -> Vec<String>, or: &str| {
        let v = siblings.iter().map(|m| f(m)).find(|v| !v.is_empty());
        v.unwrap_or_else(|| vec![or.to_owned()])
    };
    let q = |v: &str| format!("{v:?}");
    let qs = |v: &[String]| show(v.iter().map(|x| q(x)));
    let limits = match family.kind.as_str() {
        "text" => vec![
            ("context_window", least(|m| m.context_window, 4096)),
            ("max_output_tokens", least(|m| m.max_output_tokens, 1024)),
        ],
        "embedding" => vec![
            ("context_window", least(|m| m.context_window, 512)),
            (
                "embedding_dimensions",
                show(first(
                    |m| m.embedding_dimensions.iter().map(u64::to_string).collect(),
                    "1024",
                )),
            ),
        ],
        _ => vec![(
            "image_sizes",
            qs(&first(
                |m| m.image_sizes.iter().map(size_text).collect(),
                "1024x1024",
            )),
        )],
    };
    // The validator: text models have `vision` exactly when they take images.
    let vision = family.kind == "text" && input.iter().any(|x| x == "image");
    // A family without a native stream chunk streams only through ConverseStream, and
    // `converse` is unverified (false), so streaming stays false there.
    let streaming = s.streaming.unwrap_or(false) && family.stream_chunk.is_some();
    let mut fields = vec![
        ("id", q(&s.id)),
        ("family", q(&family.id)),
        (
            "provider",
            q(s.provider.as_deref().unwrap_or(&family.provider)),
        ),
        ("name", q(s.name.as_deref().unwrap_or(&s.id))),
        ("input", qs(&input)),
        ("output", qs(&output)),
        ("streaming", streaming.to_string()),
        ("converse", "false".into()),
        ("tool_use", "false".into()),
        ("vision", vision.to_string()),
    ];
    let placeholders: Vec<String> = limits.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    fields.extend(limits);
    fields.extend([
        ("lifecycle", q(&lifecycle)),
        ("profiles", qs(&profiles)),
        ("inference_types", qs(&types)),
        ("source", q(SOURCE)),
    ]);
    let mut e = String::from(
        "\n# Imported from ListFoundationModels; converse/tool_use/limits unverified: check the model card.\n",
    );
    e += &format!(
        "# Placeholders to verify (limits: the family's smallest): {}, converse = false, tool_use = false.\n[[model]]\n",
        placeholders.join(", ")
    );
    e.extend(fields.iter().map(|(k, v)| format!("{k} = {v}\n")));
    Ok(e)
}

/// What `--write` appends.
pub struct Appended {
    /// The whole catalog text with the new entries.
    pub text: String,
    pub added: Vec<String>,
    /// `(model ID, why it was not added)`.
    pub skipped: Vec<(String, String)>,
}

/// The catalog text with an entry appended per new model of a known family, the IDs added,
/// and the models skipped with the reason. The result is parsed and validated whole.
pub fn append_entries(
    text: &str,
    catalog: &Catalog,
    c: &Comparison,
    p: Option<&Profiles>,
) -> Result<Appended, String> {
    let (mut out, mut added, mut skipped) = (text.trim_end().to_owned() + "\n", vec![], vec![]);
    for (s, family) in &c.new {
        let family = family
            .as_ref()
            .and_then(|f| catalog.families.iter().find(|x| &x.id == f));
        match family
            .ok_or_else(|| NO_FAMILY.to_owned())
            .and_then(|f| entry(catalog, s, f, p))
        {
            Ok(e) => {
                out += &e;
                added.push(s.id.clone());
            }
            Err(why) => skipped.push((s.id.clone(), why)),
        }
    }
    let msg = |e: crate::CatalogError| {
        format!("the catalog would not parse after the import, nothing written: {e}")
    };
    catalog::parse(&out).map_err(msg)?;
    Ok(Appended {
        text: out,
        added,
        skipped,
    })
}

fn in_file(path: &Path) -> impl Fn(String) -> String + '_ {
    move |e| format!("{}: {e}", path.display())
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Runs `--import`: returns the report (and writes the catalog with `write`), or a one-line
/// error naming the file and the JSON path.
pub fn run(
    catalog_path: &Path,
    listing: &Path,
    profiles: Option<&Path>,
    write: bool,
) -> Result<String, String> {
    let text = read(catalog_path)?;
    let catalog = catalog::parse(&text).map_err(|e| e.to_string())?;
    let models = parse_models(&read(listing)?).map_err(in_file(listing))?;
    let profiles = match profiles {
        Some(path) => Some(parse_profiles(&read(path)?).map_err(in_file(path))?),
        None => None,
    };
    let c = compare(&catalog, &models, profiles.as_ref());
    let (listing, path) = (listing.display().to_string(), catalog_path.display());
    let mut r = report(&c, profiles.as_ref(), &listing, &path.to_string());
    if write {
        let Appended {
            text: new_text,
            added,
            skipped,
        } = append_entries(&text, &catalog, &c, profiles.as_ref())?;
        if !added.is_empty() {
            std::fs::write(catalog_path, new_text)
                .map_err(|e| format!("cannot write {path}: {e}"))?;
        }
        let entries = if added.len() == 1 { "entry" } else { "entries" };
        r += &format!("\nWROTE {} {entries} to {path}\n", added.len());
        let next = "verify converse, tool_use and the limits, then run `cargo codegen`";
        r.extend(added.iter().map(|id| format!("  added {id}: {next}\n")));
        r.extend(
            skipped
                .iter()
                .map(|(id, why)| format!("  skipped {id}: {why}\n")),
        );
    }
    Ok(r)
}
