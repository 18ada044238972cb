//! The fixture files name their AWS pages, and every documented body decodes into its
//! family's type and re-serializes unchanged.

use crate::family_types::{family, types};
use crate::fixtures::{KINDS, NON_FAMILY_FILES, examples, fixture_files};
use crate::json_diff::json_diff;
use crate::known_divergences::{KNOWN_DIVERGENCES, Outcomes};
use bedrock_fm::catalog::Family;
use std::collections::BTreeSet;

#[test]
fn every_family_has_a_fixture_file_and_every_example_names_its_aws_page() {
    let files = fixture_files();
    let stems: BTreeSet<&str> = files.iter().map(|(s, _)| s.as_str()).collect();
    for f in Family::ALL {
        assert!(
            stems.contains(f.id()),
            "no tests/fixtures/aws/{}.json",
            f.id()
        );
    }
    for (stem, file) in &files {
        assert_eq!(file["family"], *stem.as_str(), "{stem}.json: family");
        assert!(
            family(stem).is_some() || NON_FAMILY_FILES.contains(&stem.as_str()),
            "{stem}.json names no SDK family"
        );
    }
    let all = examples();
    assert!(all.len() > 40, "{} examples", all.len());
    let mut names = BTreeSet::new();
    for ex in &all {
        let key = ex.key();
        assert!(
            !ex.name.is_empty(),
            "an example of {} has no name",
            ex.family
        );
        assert!(names.insert(key.clone()), "{key}: duplicate name");
        assert!(ex.url.starts_with("https://"), "{key}: url {:?}", ex.url);
        assert!(
            KINDS.contains(&ex.kind.as_str()),
            "{key}: kind {:?}",
            ex.kind
        );
        assert!(ex.body.is_object(), "{key}: body is not a JSON object");
        if ex.kind == "invalid_request" {
            assert!(
                ex.error.as_deref().is_some_and(|e| !e.is_empty()),
                "{key}: an invalid_request needs the documented \"error\" wording"
            );
        }
        if ex.stream {
            assert_eq!(ex.kind, "request", "{key}: only a request streams");
        }
    }
    for (key, check, why) in KNOWN_DIVERGENCES {
        assert!(names.contains(*key), "KNOWN_DIVERGENCES names {key}");
        assert!(!check.is_empty() && !why.is_empty(), "{key}");
    }
}

// ------------------------------------------------------------------------------------------
// Typed decode and re-encode
// ------------------------------------------------------------------------------------------

#[test]
fn every_documented_body_decodes_into_its_family_type_and_re_serializes_unchanged() {
    let mut outcomes = Outcomes::default();
    for ex in examples() {
        if ex.family == "converse" {
            // No bedrock-fm type takes raw Converse JSON; see the Converse tests below.
            continue;
        }
        let Some(types) = types(&ex.family) else {
            outcomes.fail(&ex, "round_trip", "no typed bodies for this family");
            continue;
        };
        let rt = match ex.kind.as_str() {
            "request" => types.request,
            "response" => types.response,
            "stream_chunk" => match types.chunk {
                Some(c) => c,
                None => {
                    outcomes.fail(&ex, "round_trip", "the family has no stream-chunk type");
                    continue;
                }
            },
            _ => continue,
        };
        outcomes.count(&ex.kind);
        match rt(&ex.body) {
            Err(e) => outcomes.fail(&ex, "round_trip", e),
            Ok(back) => {
                if let Some(d) = json_diff(&ex.body, &back, "") {
                    outcomes.fail(&ex, "round_trip", d);
                }
            }
        }
    }
    outcomes.assert_only_known(&["round_trip"]);
}
