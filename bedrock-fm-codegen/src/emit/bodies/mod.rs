//! Emits `generated/bodies/<family>.rs`: the typed request, response and stream-chunk
//! structs of one family, their builders, enums, unions and `StructSpec` tables.
//! `type_index` says where each type lives and which side of the wire uses it; `structs`,
//! `enums` and `unions` emit each kind of type.

mod enums;
mod structs;
mod type_index;
mod unions;

use crate::catalog::{Catalog, Family, TypeExpr};
use proc_macro2::TokenStream;
use quote::quote;

pub use type_index::TypeIndex;

pub fn emit(catalog: &Catalog, index: &TypeIndex, family: &Family) -> TokenStream {
    let structs = family
        .structs
        .iter()
        .map(|s| structs::emit_struct(catalog, index, family, s));
    let enums = family.enums.iter().map(enums::emit_enum);
    let unions = family.unions.iter().map(|u| unions::emit_union(index, u));
    let doc = format!(
        " {}: typed InvokeModel bodies, from <{}>.",
        family.name, family.source
    );
    quote! {
        #![doc = #doc]
        #![allow(clippy::all)]
        #[allow(unused_imports)]
        use serde::{Deserialize, Serialize};
        #[allow(unused_imports)]
        use crate::schema::{BuildError, EnumSpec, FieldSpec, StructSpec, TypeSpec, UnionSpec};

        #(#structs)*
        #(#enums)*
        #(#unions)*
    }
}

fn rust_type(index: &TypeIndex, ty: &TypeExpr) -> TokenStream {
    match ty {
        TypeExpr::String => quote!(String),
        TypeExpr::Bool => quote!(bool),
        TypeExpr::U32 => quote!(u32),
        TypeExpr::I32 => quote!(i32),
        TypeExpr::U64 => quote!(u64),
        TypeExpr::I64 => quote!(i64),
        TypeExpr::F64 => quote!(f64),
        TypeExpr::Json => quote!(serde_json::Value),
        TypeExpr::Array(t) => {
            let t = rust_type(index, t);
            quote!(Vec<#t>)
        }
        TypeExpr::Map(t) => {
            let t = rust_type(index, t);
            quote!(std::collections::BTreeMap<String, #t>)
        }
        TypeExpr::Named(n) => index.path(n),
    }
}

fn type_spec(catalog: &Catalog, index: &TypeIndex, ty: &TypeExpr) -> TokenStream {
    match ty {
        TypeExpr::String => quote!(TypeSpec::String),
        TypeExpr::Bool => quote!(TypeSpec::Bool),
        TypeExpr::U32 => quote!(TypeSpec::U32),
        TypeExpr::I32 => quote!(TypeSpec::I32),
        TypeExpr::U64 => quote!(TypeSpec::U64),
        TypeExpr::I64 => quote!(TypeSpec::I64),
        TypeExpr::F64 => quote!(TypeSpec::F64),
        TypeExpr::Json => quote!(TypeSpec::Json),
        TypeExpr::Array(t) => {
            let t = type_spec(catalog, index, t);
            quote!(TypeSpec::Array(&#t))
        }
        TypeExpr::Map(t) => {
            let t = type_spec(catalog, index, t);
            quote!(TypeSpec::Map(&#t))
        }
        TypeExpr::Named(n) => {
            let spec = index.spec_path(n);
            if index.is_struct(catalog, n) {
                quote!(TypeSpec::Struct(&#spec))
            } else if index.is_enum(catalog, n) {
                quote!(TypeSpec::Enum(&#spec))
            } else {
                quote!(TypeSpec::Union(&#spec))
            }
        }
    }
}

/// Whether a type has a `Default`: a struct whose every required field has one (strings,
/// numbers, lists, maps, JSON, or a type that itself has one), or an enum of one value.
pub fn defaultable(catalog: &Catalog, name: &str) -> bool {
    let types = || catalog.families.iter();
    if let Some(e) = types().flat_map(|f| &f.enums).find(|e| e.name == name) {
        return e.values.len() == 1;
    }
    let Some(s) = types().flat_map(|f| &f.structs).find(|s| s.name == name) else {
        return false;
    };
    s.fields.iter().filter(|f| f.required).all(|f| match &f.ty {
        TypeExpr::Named(n) => defaultable(catalog, n),
        _ => true,
    })
}
