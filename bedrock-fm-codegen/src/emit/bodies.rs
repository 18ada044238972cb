//! Emits `generated/bodies/<family>.rs`: the typed request, response and stream-chunk
//! structs of one family, their builders, enums, unions and `StructSpec` tables.

use crate::catalog::{Catalog, EnumDef, Family, FieldDef, StructDef, TypeExpr, UnionDef};
use crate::naming::screaming;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::{BTreeMap, BTreeSet};

/// Which side of the wire a type is used on.
#[derive(Default, Clone, Copy)]
struct Sides {
    request: bool,
    response: bool,
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

    fn sides(&self, name: &str) -> Sides {
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
    fn path(&self, name: &str) -> TokenStream {
        let module = format_ident!("{}", self.family_of[name]);
        let ident = format_ident!("{}", name);
        quote!(super::#module::#ident)
    }

    fn spec_path(&self, name: &str) -> TokenStream {
        let module = format_ident!("{}", self.family_of[name]);
        let ident = format_ident!("{}_SPEC", screaming(name));
        quote!(super::#module::#ident)
    }

    fn is_struct(&self, catalog: &Catalog, name: &str) -> bool {
        catalog
            .families
            .iter()
            .any(|f| f.structs.iter().any(|s| s.name == name))
    }

    fn is_enum(&self, catalog: &Catalog, name: &str) -> bool {
        catalog
            .families
            .iter()
            .any(|f| f.enums.iter().any(|e| e.name == name))
    }
}

pub fn emit(catalog: &Catalog, index: &TypeIndex, family: &Family) -> TokenStream {
    let structs = family
        .structs
        .iter()
        .map(|s| emit_struct(catalog, index, family, s));
    let enums = family.enums.iter().map(emit_enum);
    let unions = family.unions.iter().map(|u| emit_union(index, u));
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

fn field_doc(f: &FieldDef) -> String {
    let mut doc = format!(" {}", f.doc);
    if f.min.is_some() || f.max.is_some() {
        let end = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        doc += &format!(" Range: `[{}, {}]`.", end(f.min), end(f.max));
    }
    if !f.values.is_empty() {
        doc += &format!(" One of: {}.", f.values.join(", "));
    }
    if f.min_length.is_some() || f.max_length.is_some() {
        let end = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
        doc += &format!(" Length: `[{}, {}]`.", end(f.min_length), end(f.max_length));
    }
    if f.min_items.is_some() || f.max_items.is_some() {
        let end = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
        doc += &format!(" Items: `[{}, {}]`.", end(f.min_items), end(f.max_items));
    }
    if let Some(d) = &f.default {
        doc += &format!(" Server default: `{d}` (not sent when unset).");
    }
    if f.required {
        doc += " Required.";
    }
    doc += &format!(" Wire name: `{}`.", f.wire);
    doc
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

/// Bedrock's own keys in a response or chunk (`amazon-bedrock-invocationMetrics`,
/// `amazon-bedrock-guardrailAction`): a declared JSON field of that wire name, else `extra`.
fn emit_bedrock_fields_for_struct(s: &StructDef) -> TokenStream {
    let name = format_ident!("{}", s.name);
    let declared = s
        .fields
        .iter()
        .filter(|f| f.wire.starts_with("amazon-bedrock-") && f.ty == TypeExpr::Json);
    let arms = declared.map(|f| {
        let wire = &f.wire;
        let ident = format_ident!("{}", f.name);
        if f.required {
            quote!(#wire => Some(&self.#ident),)
        } else {
            quote!(#wire => self.#ident.as_ref(),)
        }
    });
    quote! {
        impl crate::native::NativeResponse for #name {
            fn bedrock_field(&self, wire: &str) -> Option<&serde_json::Value> {
                match wire {
                    #(#arms)*
                    _ => self.extra.get(wire),
                }
            }
        }
    }
}

fn emit_struct(
    catalog: &Catalog,
    index: &TypeIndex,
    family: &Family,
    s: &StructDef,
) -> TokenStream {
    let sides = index.sides(&s.name);
    let name = format_ident!("{}", s.name);
    let doc = format!(" {}", s.doc);
    let spec_ident = format_ident!("{}_SPEC", screaming(&s.name));
    let fields = s.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.name);
        let ty = rust_type(index, &f.ty);
        let wire = &f.wire;
        let doc = field_doc(f);
        if f.required {
            quote!(#[doc = #doc] #[serde(rename = #wire)] pub #ident: #ty,)
        } else {
            quote! {
                #[doc = #doc]
                #[serde(rename = #wire, default, skip_serializing_if = "Option::is_none")]
                pub #ident: Option<#ty>,
            }
        }
    });
    // Request side: where `extra_args` go; response side: what the catalog does not describe.
    let extra = quote! {
        /// Fields the catalog does not describe: sent as given, kept as received.
        #[serde(flatten)]
        pub extra: serde_json::Map<String, serde_json::Value>,
    };
    let derive_default = defaultable(catalog, &s.name).then(|| quote!(Default,));
    let native_request = (s.name == family.request).then(|| {
        let response = index.path(&family.response);
        let chunk = index.path(family.stream_chunk.as_ref().unwrap_or(&family.response));
        let family_variant = format_ident!("{}", crate::naming::camel(&family.id));
        quote! {
            impl crate::native::NativeRequest for #name {
                type Response = #response;
                type Chunk = #chunk;
                const FAMILY: Option<crate::catalog::Family> =
                    Some(crate::catalog::Family::#family_variant);

                fn spec() -> &'static StructSpec { &#spec_ident }
                fn extra_mut(&mut self) -> &mut serde_json::Map<String, serde_json::Value> {
                    &mut self.extra
                }
            }
        }
    });
    let native_response = sides.response.then(|| emit_bedrock_fields_for_struct(s));
    let builder = sides.request.then(|| emit_builder(index, s));
    let builder_fn = sides.request.then(|| {
        let b = format_ident!("{}Builder", s.name);
        quote! {
            /// A builder that checks required fields and ranges in `build()`.
            pub fn builder() -> #b { #b::default() }
        }
    });
    let field_specs = s.fields.iter().map(|f| emit_field_spec(catalog, index, f));
    let spec_name = &s.name;
    let spec_doc = &s.doc;
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, #derive_default Serialize, Deserialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #extra
        }

        #native_request
        #native_response

        impl #name {
            #builder_fn

            /// The JSON shape of this object, as declared in `models.toml`.
            pub fn spec() -> &'static StructSpec { &#spec_ident }
        }

        #builder

        pub(crate) static #spec_ident: StructSpec = StructSpec {
            name: #spec_name,
            doc: #spec_doc,
            fields: &[#(#field_specs),*],
        };
    }
}

fn opt_f64(v: Option<f64>) -> TokenStream {
    match v {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

fn opt_u64(v: Option<u64>) -> TokenStream {
    match v {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

fn emit_field_spec(catalog: &Catalog, index: &TypeIndex, f: &FieldDef) -> TokenStream {
    let (rust_name, wire, doc, required) = (&f.name, &f.wire, &f.doc, f.required);
    let ty = type_spec(catalog, index, &f.ty);
    let (min, max) = (opt_f64(f.min), opt_f64(f.max));
    let values = &f.values;
    let (min_length, max_length) = (opt_u64(f.min_length), opt_u64(f.max_length));
    let (min_items, max_items) = (opt_u64(f.min_items), opt_u64(f.max_items));
    let default = match &f.default {
        Some(d) => quote!(Some(#d)),
        None => quote!(None),
    };
    let source = match &f.source {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    };
    quote! {
        FieldSpec {
            rust_name: #rust_name,
            wire: #wire,
            ty: #ty,
            required: #required,
            min: #min,
            max: #max,
            values: &[#(#values),*],
            min_length: #min_length,
            max_length: #max_length,
            min_items: #min_items,
            max_items: #max_items,
            default: #default,
            source: #source,
            doc: #doc,
        }
    }
}

/// The setter's parameter type and how it becomes the field's value.
fn setter_arg(index: &TypeIndex, ty: &TypeExpr) -> (TokenStream, TokenStream, TokenStream) {
    match ty {
        TypeExpr::String => (quote!(), quote!(impl Into<String>), quote!(value.into())),
        TypeExpr::F64 => (quote!(), quote!(impl Into<f64>), quote!(value.into())),
        TypeExpr::Json => (
            quote!(),
            quote!(impl Into<serde_json::Value>),
            quote!(value.into()),
        ),
        TypeExpr::Array(item) => {
            let item = rust_type(index, item);
            (
                quote!(<I: Into<#item>>),
                quote!(impl IntoIterator<Item = I>),
                quote!(value.into_iter().map(Into::into).collect()),
            )
        }
        other => {
            let t = rust_type(index, other);
            (quote!(), quote!(#t), quote!(value))
        }
    }
}

fn emit_builder(index: &TypeIndex, s: &StructDef) -> TokenStream {
    let target = format_ident!("{}", s.name);
    let name = format_ident!("{}Builder", s.name);
    let doc = format!(
        " Builder of [`{}`]; setters never fail, `build()` checks.",
        s.name
    );
    let type_name = &s.name;
    let slots = s.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.name);
        let ty = rust_type(index, &f.ty);
        quote!(#ident: Option<#ty>,)
    });
    let setters = s.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.name);
        let (generics, arg, convert) = setter_arg(index, &f.ty);
        let doc = field_doc(f);
        quote! {
            #[doc = #doc]
            pub fn #ident #generics(mut self, value: #arg) -> Self {
                self.#ident = Some(#convert);
                self
            }
        }
    });
    let checks = s.fields.iter().map(|f| emit_check(type_name, f));
    let inits = s.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.name);
        quote!(#ident,)
    });
    let extra_init = quote!(extra: Default::default(),);
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Default)]
        #[must_use = "builders do nothing until `build()`"]
        pub struct #name {
            #(#slots)*
        }

        impl #name {
            #(#setters)*

            /// Checks required fields, ranges, values and lengths, and builds the body.
            pub fn build(self) -> Result<#target, BuildError> {
                #(#checks)*
                Ok(#target { #(#inits)* #extra_init })
            }
        }
    }
}

fn emit_check(type_name: &str, f: &FieldDef) -> TokenStream {
    let ident = format_ident!("{}", f.name);
    let field = &f.name;
    let (min, max) = (opt_f64(f.min), opt_f64(f.max));
    let check = if f.ty.is_number() && (f.min.is_some() || f.max.is_some()) {
        Some(quote!(crate::schema::check_number(#type_name, #field, *v as f64, #min, #max)?;))
    } else if f.ty == TypeExpr::String
        && (!f.values.is_empty() || f.min_length.is_some() || f.max_length.is_some())
    {
        let values = &f.values;
        let (lo, hi) = (opt_u64(f.min_length), opt_u64(f.max_length));
        Some(
            quote!(crate::schema::check_string(#type_name, #field, v, &[#(#values),*], #lo, #hi)?;),
        )
    } else if matches!(f.ty, TypeExpr::Array(_)) && (f.min_items.is_some() || f.max_items.is_some())
    {
        let (lo, hi) = (opt_u64(f.min_items), opt_u64(f.max_items));
        Some(quote!(crate::schema::check_len(#type_name, #field, v.len(), #lo, #hi)?;))
    } else {
        None
    };
    let take = if f.required {
        quote!(let #ident = crate::schema::required(#type_name, #field, self.#ident)?;)
    } else {
        quote!(let #ident = self.#ident;)
    };
    match (check, f.required) {
        (None, _) => take,
        (Some(check), true) => quote!(#take { let v = &#ident; #check }),
        (Some(check), false) => quote!(#take if let Some(v) = &#ident { #check }),
    }
}

fn emit_enum(e: &EnumDef) -> TokenStream {
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

fn emit_union(index: &TypeIndex, u: &UnionDef) -> TokenStream {
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
