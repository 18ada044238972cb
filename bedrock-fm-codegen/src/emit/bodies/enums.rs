//! The closed string enums of a family's bodies, each with an `Unknown(String)` variant and
//! an `EnumSpec` table.

use crate::catalog::EnumDef;
use crate::naming::screaming;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub(super) fn emit_enum(e: &EnumDef) -> TokenStream {
    let name = format_ident!("{}", e.name);
    let doc = format!(" {}", e.doc);
    let spec_ident = format_ident!("{}_SPEC", screaming(&e.name));
    let variants: Vec<_> = e
        .values
        .iter()
        .map(|v| format_ident!("{}", v.name))
        .collect();
    let docs = e
        .values
        .iter()
        .map(|v| format!(" {} (`{}`)", v.doc, v.wire));
    let wires: Vec<_> = e.values.iter().map(|v| &v.wire).collect();
    let spec_name = &e.name;
    // An enum of one value (`anthropic_version`, a cache type) defaults to it.
    let default_impl = match variants.as_slice() {
        [only] => quote! {
            impl Default for #name {
                /// The only value.
                fn default() -> Self {
                    Self::#only
                }
            }
        },
        _ => quote!(),
    };
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #( #[doc = #docs] #variants, )*
            /// A value this version of the catalog does not know, kept as received.
            Unknown(String),
        }

        impl #name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #wires, )*
                    Self::Unknown(other) => other,
                }
            }
        }

        #default_impl

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #wires => Self::#variants, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = String::deserialize(d)?;
                Ok(Self::from(value.as_str()))
            }
        }

        pub(crate) static #spec_ident: EnumSpec = EnumSpec {
            name: #spec_name,
            values: &[#(#wires),*],
        };
    }
}
