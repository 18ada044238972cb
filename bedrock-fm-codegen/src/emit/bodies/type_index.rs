//! Where each named type of the catalog lives, and which sides of the wire reach it.

use crate::catalog::Catalog;
use crate::naming::screaming;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeMap;

/// Which side of the wire a type is used on.
#[derive(Default, Clone, Copy)]
pub(super) struct Sides {
    pub(super) request: bool,
    pub(super) response: bool,
}

/// Where each named type lives and which sides reach it.
pub struct TypeIndex<'a> {
    family_of: BTreeMap<&'a str, &'a str>,
    sides: BTreeMap<&'a str, Sides>,
}

impl<'a> TypeIndex<'a> {
    pub fn new(catalog: &'a Catalog) -> Self {
        let mut family_of = BTreeMap::new();
        for f in &catalog.families {
            let names = f
                .structs
                .iter()
                .map(|s| s.name.as_str())
                .chain(f.enums.iter().map(|e| e.name.as_str()))
                .chain(f.unions.iter().map(|u| u.name.as_str()));
            for n in names {
                family_of.insert(n, f.id.as_str());
            }
        }
        let mut index = TypeIndex {
            family_of,
            sides: BTreeMap::new(),
        };
        for f in &catalog.families {
            index.mark(catalog, &f.request, true);
            index.mark(catalog, &f.response, false);
            if let Some(c) = &f.stream_chunk {
                index.mark(catalog, c, false);
            }
        }
        index
    }

    fn mark(&mut self, catalog: &'a Catalog, name: &str, request: bool) {
        let Some((&key, _)) = self.family_of.get_key_value(name) else {
            return;
        };
        let sides = self.sides.entry(key).or_default();
        let seen = if request {
            &mut sides.request
        } else {
            &mut sides.response
        };
        if *seen {
            return;
        }
        *seen = true;
        let children: Vec<String> = catalog
            .families
            .iter()
            .flat_map(|f| {
                let fields = f.structs.iter().filter(|s| s.name == name).flat_map(|s| {
                    s.fields
                        .iter()
                        .filter_map(|x| x.ty.named().map(str::to_owned))
                });
                let variants = f
                    .unions
                    .iter()
                    .filter(|u| u.name == name)
                    .flat_map(|u| u.variants.iter().map(|v| v.ty.clone()));
                fields.chain(variants).collect::<Vec<_>>()
            })
            .collect();
        for child in children {
            self.mark(catalog, &child, request);
        }
    }

    pub(super) fn sides(&self, name: &str) -> Sides {
        let s = self.sides.get(name).copied().unwrap_or_default();
        if s.request || s.response {
            s
        } else {
            Sides {
                request: true,
                response: true,
            }
        }
    }

    /// Path of a named type from inside a family module.
    pub(super) fn path(&self, name: &str) -> TokenStream {
        let module = format_ident!("{}", self.family_of[name]);
        let ident = format_ident!("{}", name);
        quote!(super::#module::#ident)
    }

    pub(super) fn spec_path(&self, name: &str) -> TokenStream {
        let module = format_ident!("{}", self.family_of[name]);
        let ident = format_ident!("{}_SPEC", screaming(name));
        quote!(super::#module::#ident)
    }

    pub(super) fn is_struct(&self, catalog: &Catalog, name: &str) -> bool {
        catalog
            .families
            .iter()
            .any(|f| f.structs.iter().any(|s| s.name == name))
    }

    pub(super) fn is_enum(&self, catalog: &Catalog, name: &str) -> bool {
        catalog
            .families
            .iter()
            .any(|f| f.enums.iter().any(|e| e.name == name))
    }
}
