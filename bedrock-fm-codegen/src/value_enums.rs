//! Closed value sets become enums: a `string` (or `[string]`) field with `values` gets a
//! generated enum `<Struct><Field>` with one variant per value (and `Unknown(String)`, as
//! every generated enum), so a typo in a value is a compile error and the wire string lives
//! in one place.

use crate::catalog::{EnumDef, EnumValue, Family, TypeExpr};
use crate::naming::camel;
use crate::reader::{CatalogError, error};

/// Replaces the type of every string field with `values` by its synthesized enum.
pub fn synthesize(family: &mut Family) -> Result<(), CatalogError> {
    let mut enums = Vec::new();
    for s in &mut family.structs {
        for f in &mut s.fields {
            if f.values.is_empty() {
                continue;
            }
            let name = format!("{}{}", s.name, camel(&f.name));
            let wrap = match &f.ty {
                TypeExpr::String => false,
                TypeExpr::Array(inner) if **inner == TypeExpr::String => true,
                _ => continue,
            };
            let values = f
                .values
                .iter()
                .map(|wire| EnumValue {
                    name: variant_name(wire),
                    wire: wire.clone(),
                    doc: format!("`{wire}`."),
                })
                .collect();
            let named = TypeExpr::Named(name.clone());
            f.ty = if wrap {
                TypeExpr::Array(Box::new(named))
            } else {
                named
            };
            f.values.clear();
            enums.push(EnumDef {
                doc: format!("The values of `{}.{}`: {}", s.name, f.wire, f.doc),
                name,
                values,
            });
        }
    }
    for e in &enums {
        let taken = family.enums.iter().any(|x| x.name == e.name)
            || family.structs.iter().any(|x| x.name == e.name);
        if taken {
            return Err(error(
                &format!("family {:?}", family.id),
                &e.name,
                "a declared type has the name of a field's value set",
            ));
        }
    }
    family.enums.extend(enums);
    Ok(())
}

/// `image/jpeg` -> `ImageJpeg`, `USER` -> `User`, `three_gp` -> `ThreeGp`,
/// `bedrock-2023-05-31` -> `Bedrock20230531`.
fn variant_name(wire: &str) -> String {
    let mut out: String = wire
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lower = if p.chars().all(|c| !c.is_ascii_lowercase()) {
                p.to_ascii_lowercase()
            } else {
                p.to_owned()
            };
            let mut c = lower.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::variant_name;

    #[test]
    fn wire_values_become_variant_names() {
        assert_eq!(variant_name("image/jpeg"), "ImageJpeg");
        assert_eq!(variant_name("USER"), "User");
        assert_eq!(variant_name("three_gp"), "ThreeGp");
        assert_eq!(variant_name("bedrock-2023-05-31"), "Bedrock20230531");
        assert_eq!(variant_name("messages-v1"), "MessagesV1");
        assert_eq!(variant_name("json_object"), "JsonObject");
    }
}
