//! The tagged unions of a family's bodies, each with an `Unknown(Value)` variant and a
//! `UnionSpec` table.

use super::TypeIndex;
use crate::catalog::UnionDef;
use crate::naming::screaming;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeSet;

pub(super) fn emit_union(index: &TypeIndex, u: &UnionDef) -> TokenStream {
    let name = format_ident!("{}", u.name);
    let doc = format!(" {} Tagged by `{}`.", u.doc, u.tag);
    let spec_ident = format_ident!("{}_SPEC", screaming(&u.name));
    let variants: Vec<_> = u
        .variants
        .iter()
        .map(|v| format_ident!("{}", v.name))
        .collect();
    let types: Vec<_> = u.variants.iter().map(|v| index.path(&v.ty)).collect();
    let specs = u.variants.iter().map(|v| index.spec_path(&v.ty));
    let docs = u
        .variants
        .iter()
        .map(|v| format!(" {} (`{}`)", v.doc, v.wire));
    let wires: Vec<_> = u.variants.iter().map(|v| &v.wire).collect();
    let tag = &u.tag;
    let spec_name = &u.name;
    let distinct: BTreeSet<_> = wires.iter().collect();
    debug_assert_eq!(distinct.len(), wires.len());
    let native_response = index.sides(&u.name).response.then(|| {
        quote! {
            impl crate::native::NativeResponse for #name {
                fn bedrock_field(&self, wire: &str) -> Option<&serde_json::Value> {
                    match self {
                        #( Self::#variants(v) => crate::native::NativeResponse::bedrock_field(v, wire), )*
                        Self::Unknown(v) => v.get(wire),
                    }
                }
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #( #[doc = #docs] #variants(#types), )*
            /// A variant this version of the catalog does not know, kept as received.
            Unknown(serde_json::Value),
        }

        impl #name {
            /// The tag value of this variant.
            pub fn tag(&self) -> Option<&str> {
                match self {
                    #( Self::#variants(_) => Some(#wires), )*
                    Self::Unknown(v) => v.get(#tag).and_then(serde_json::Value::as_str),
                }
            }
        }

        #(
            impl From<#types> for #name {
                fn from(value: #types) -> Self { Self::#variants(value) }
            }
        )*

        impl Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    #( Self::#variants(v) => crate::schema::serialize_tagged(s, #tag, #wires, v), )*
                    Self::Unknown(v) => v.serialize(s),
                }
            }
        }

        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use serde::de::Error;
                let value = serde_json::Value::deserialize(d)?;
                let (found, rest) = crate::schema::split_tag(value.clone(), #tag);
                match found.as_deref() {
                    #( Some(#wires) => serde_json::from_value(rest).map(Self::#variants).map_err(D::Error::custom), )*
                    _ => Ok(Self::Unknown(value)),
                }
            }
        }

        #native_response

        pub(crate) static #spec_ident: UnionSpec = UnionSpec {
            name: #spec_name,
            tag: #tag,
            variants: &[#( (#wires, &#specs) ),*],
        };
    }
}
