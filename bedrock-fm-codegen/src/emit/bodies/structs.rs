//! The structs of a family's bodies: fields with serde renames and docs, builders with their
//! range checks, `StructSpec` tables, and Bedrock's own keys in responses.

use super::{TypeIndex, defaultable, rust_type, type_spec};
use crate::catalog::{Catalog, Family, FieldDef, StructDef, TypeExpr};
use crate::naming::screaming;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

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
    if f.conversation {
        doc += " Written from the conversation; `extra_args` may not set it.";
    }
    doc += &format!(" Wire name: `{}`.", f.wire);
    doc
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

pub(super) fn emit_struct(
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
    let conversation = f.conversation;
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
            conversation: #conversation,
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
