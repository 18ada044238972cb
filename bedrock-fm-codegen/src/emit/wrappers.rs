//! Emits `generated/wrappers.rs`: per text family a marker type with its typed parameters,
//! the wrapper, builder and options aliases, the family-specific typed setters, and
//! `AnyTextModel` with `from_model_id` dispatch.

use crate::catalog::{Catalog, Family, TypeExpr, param_field};
use crate::naming::camel;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

const COMMON: &[&str] = &["temperature", "top_p", "max_tokens", "stop_words"];

fn text_families(catalog: &Catalog) -> impl Iterator<Item = &Family> {
    catalog.families.iter().filter(|f| f.kind == "text")
}

pub fn emit(catalog: &Catalog) -> TokenStream {
    let families = text_families(catalog).map(|f| emit_family(catalog, f));
    let any = emit_any(catalog);
    let registry = emit_family_registry(catalog);
    quote! {
        use crate::catalog::Family;
        use crate::params::{CallOptions, CommonParams, FamilyTypes, ParamSpec, Params};
        use crate::text::{TextModel, TextModelBuilder};

        #(#families)*
        #any
        #registry
    }
}

/// The compile-time registry of families: every text family's marker must implement the
/// hand-written `TextFamily` (its `families/<id>.rs`), and `for_each_family!` hands the
/// family list to bedrock-fm-local, whose codec registration it generates, so a family of
/// `models.toml` without its SDK file or its server codec does not compile.
fn emit_family_registry(catalog: &Catalog) -> TokenStream {
    let markers = text_families(catalog).map(marker);
    let by_kind = |kind: &str| -> Vec<proc_macro2::Ident> {
        catalog
            .families
            .iter()
            .filter(|f| f.kind == kind)
            .map(|f| format_ident!("{}", camel(&f.id)))
            .collect()
    };
    let (text, embedding, image) = (by_kind("text"), by_kind("embedding"), by_kind("image"));
    quote! {
        // Every text family of the catalog has its hand-written half.
        const _: () = {
            const fn has_text_family<F: crate::text_families::TextFamily>() {}
            #( has_text_family::<#markers>(); )*
        };

        /// `for_each_family!(m)` calls `m! { text: [...], embedding: [...], image: [...] }`
        /// with the CamelCase name of every family of `models.toml`, by kind (for
        /// bedrock-fm-local's codec registration).
        #[doc(hidden)]
        #[macro_export]
        macro_rules! for_each_family {
            ($m:ident) => {
                $m! {
                    text: [#(#text),*],
                    embedding: [#(#embedding),*],
                    image: [#(#image),*]
                }
            };
        }
    }
}

fn marker(f: &Family) -> proc_macro2::Ident {
    format_ident!("{}Family", f.wrapper)
}

/// `crate::bodies::<family>::<Type>` of a type the catalog declares.
fn body_type(catalog: &Catalog, name: &str) -> TokenStream {
    let owner = catalog
        .families
        .iter()
        .find(|f| {
            f.structs.iter().any(|s| s.name == name)
                || f.enums.iter().any(|e| e.name == name)
                || f.unions.iter().any(|u| u.name == name)
        })
        .expect("validated type name");
    let module = format_ident!("{}", owner.id);
    let ident = format_ident!("{}", name);
    quote!(crate::bodies::#module::#ident)
}

/// The Rust type of a parameter's field: a scalar, a list of strings or an enum.
fn param_type(catalog: &Catalog, ty: &TypeExpr) -> TokenStream {
    match ty {
        TypeExpr::String => quote!(String),
        TypeExpr::F64 => quote!(f64),
        TypeExpr::Bool => quote!(bool),
        TypeExpr::U32 => quote!(u32),
        TypeExpr::I32 => quote!(i32),
        TypeExpr::U64 => quote!(u64),
        TypeExpr::I64 => quote!(i64),
        TypeExpr::Json => quote!(serde_json::Value),
        TypeExpr::Array(_) => quote!(Vec<String>),
        TypeExpr::Map(_) => quote!(std::collections::BTreeMap<String, f64>),
        TypeExpr::Named(n) => body_type(catalog, n),
    }
}

/// `request.a.get_or_insert_with(Default::default).b = Some(v.clone());`: the typed write
/// of a parameter at its wire path (validated: parents are structs that have a default).
fn apply_statement(f: &Family, path: &[String], value: TokenStream) -> TokenStream {
    let copied = |ty: &TypeExpr| match is_copy(ty) {
        true => quote!(*v),
        false => quote!(v.clone()),
    };
    let mut current = f
        .structs
        .iter()
        .find(|s| s.name == f.request)
        .expect("validated request");
    let mut target = quote!(request);
    let (last, parents) = path.split_last().expect("validated path");
    for segment in parents {
        let field = current
            .fields
            .iter()
            .find(|x| &x.wire == segment)
            .expect("validated path");
        let ident = format_ident!("{}", field.name);
        target = match field.required {
            true => quote!(#target.#ident),
            false => quote!(#target.#ident.get_or_insert_with(Default::default)),
        };
        let TypeExpr::Named(name) = &field.ty else {
            unreachable!("validated path")
        };
        current = f
            .structs
            .iter()
            .find(|s| &s.name == name)
            .expect("validated");
    }
    let leaf = current
        .fields
        .iter()
        .find(|x| &x.wire == last)
        .expect("validated path");
    let ident = format_ident!("{}", leaf.name);
    let v = copied(&leaf.ty);
    match leaf.required {
        true => quote!(if let Some(v) = #value { #target.#ident = #v; }),
        false => quote!(if let Some(v) = #value { #target.#ident = Some(#v); }),
    }
}

/// Whether a parameter's Rust type is `Copy` (numbers and booleans).
fn is_copy(ty: &TypeExpr) -> bool {
    matches!(
        ty,
        TypeExpr::F64
            | TypeExpr::Bool
            | TypeExpr::U32
            | TypeExpr::I32
            | TypeExpr::U64
            | TypeExpr::I64
    )
}

fn emit_family(catalog: &Catalog, f: &Family) -> TokenStream {
    let marker = marker(f);
    let wrapper = format_ident!("{}", f.wrapper);
    let builder = format_ident!("{}Builder", f.wrapper);
    let options = format_ident!("{}Options", f.wrapper);
    let params_ident = format_ident!("{}Params", f.wrapper);
    let family = format_ident!("{}", camel(&f.id));
    let request = body_type(catalog, &f.request);
    let response = body_type(catalog, &f.response);
    let chunk = body_type(catalog, f.stream_chunk.as_ref().unwrap_or(&f.response));
    let specs = f
        .params
        .iter()
        .map(|(setter, path)| quote!(ParamSpec { setter: #setter, path: &[#(#path),*] }));
    let marker_doc = format!(
        " The {} family, the type parameter of [`{}`].",
        f.name, f.wrapper
    );
    let params_doc = format!(
        " Typed parameters of [`{}`]: the common ones and the family's own. Builder \
         defaults and per-call options merge field by field; unset fields are not sent.",
        f.wrapper
    );
    let wrapper_doc = format!(
        " {} models: `generate`, streaming and details over InvokeModel or Converse. \
         Build one with [`{}::builder`]; native format from <{}>.",
        f.name, f.wrapper, f.source
    );
    let builder_doc = format!(
        " Builder of [`{}`]: the model, the API and the defaults of every call.",
        f.wrapper
    );
    let options_doc = format!(
        " Per-call options of [`{}`]; each set key overrides the builder's.",
        f.wrapper
    );
    let specific: Vec<_> = f
        .params
        .iter()
        .filter(|(setter, _)| !COMMON.contains(&setter.as_str()))
        .map(|(setter, path)| {
            let field = param_field(f, path).expect("validated path");
            (setter, path, field)
        })
        .collect();
    let fields = specific.iter().map(|(setter, path, field)| {
        let ident = format_ident!("{}", setter);
        let ty = param_type(catalog, &field.ty);
        let doc = format!(" {} Wire: `{}`.", field.doc, path.join("."));
        quote!(#[doc = #doc] pub #ident: Option<#ty>,)
    });
    let overs = specific.iter().map(|(setter, _, field)| {
        let ident = format_ident!("{}", setter);
        match is_copy(&field.ty) {
            true => quote!(#ident: self.#ident.or(defaults.#ident),),
            false => quote!(#ident: self.#ident.clone().or_else(|| defaults.#ident.clone()),),
        }
    });
    let named: Vec<_> = specific.iter().map(|(setter, _, _)| {
        let ident = format_ident!("{}", setter);
        let name = setter.as_str();
        quote!(#name => { self.#ident = Some(crate::params::param_from_json(value)?); Ok(true) })
    }).collect();
    let set_named = match named.is_empty() {
        true => quote!(self.common.set_named(name, value)),
        false => quote! {
            match name {
                #(#named)*
                _ => self.common.set_named(name, value),
            }
        },
    };
    let entries = specific.iter().map(|(setter, _, _)| {
        let ident = format_ident!("{}", setter);
        let name = setter.as_str();
        quote! {
            if let Some(v) = &self.#ident {
                out.push((#name, crate::params::param_to_json(v)));
            }
        }
    });
    let applies = f.params.iter().map(|(setter, path)| {
        let ident = format_ident!("{}", setter);
        let value = match COMMON.contains(&setter.as_str()) {
            true => quote!(&self.common.#ident),
            false => quote!(&self.#ident),
        };
        apply_statement(f, path, value)
    });
    let setters: Vec<_> = specific
        .iter()
        .map(|(setter, path, field)| {
            let ident = format_ident!("{}", setter);
            let (generics, arg, convert) = setter_arg(catalog, &field.ty);
            let doc = format!(" {} Wire: `{}`.", field.doc, path.join("."));
            (ident, generics, arg, convert, doc)
        })
        .collect();
    let option_setters = setters.iter().map(|(ident, generics, arg, convert, doc)| {
        quote! {
            #[doc = #doc]
            pub fn #ident #generics(mut self, value: #arg) -> Self {
                self.params.#ident = Some(#convert);
                self
            }
        }
    });
    let builder_setters = setters.iter().map(|(ident, generics, arg, _, doc)| {
        quote! {
            #[doc = #doc]
            pub fn #ident #generics(mut self, value: #arg) -> Self {
                self.defaults = self.defaults.#ident(value);
                self
            }
        }
    });
    let specific_impls = (!specific.is_empty()).then(|| {
        quote! {
            impl TextModelBuilder<#marker> { #(#builder_setters)* }
            impl CallOptions<#marker> { #(#option_setters)* }
        }
    });
    quote! {
        #[doc = #marker_doc]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct #marker;

        #[doc = #params_doc]
        #[derive(Debug, Clone, Default, PartialEq)]
        #[non_exhaustive]
        pub struct #params_ident {
            /// `temperature`, `top_p`, `max_tokens` and `stop_words`.
            pub common: CommonParams,
            #(#fields)*
        }

        impl Params for #params_ident {
            type Request = #request;
            const SPECS: &'static [ParamSpec] = &[#(#specs),*];

            fn common(&self) -> &CommonParams { &self.common }

            fn common_mut(&mut self) -> &mut CommonParams { &mut self.common }

            fn over(&self, defaults: &Self) -> Self {
                Self { common: self.common.over(&defaults.common), #(#overs)* }
            }

            fn set_named(&mut self, name: &str, value: serde_json::Value) -> Result<bool, String> {
                #set_named
            }

            fn entries(&self) -> Vec<(&'static str, serde_json::Value)> {
                #[allow(unused_mut)]
                let mut out = self.common.entries();
                #(#entries)*
                out
            }

            fn apply(&self, request: &mut Self::Request) {
                #(#applies)*
            }
        }

        impl FamilyTypes for #marker {
            const FAMILY: Option<Family> = Some(Family::#family);
            type Params = #params_ident;
            type Request = #request;
            type Response = #response;
            type Chunk = #chunk;
        }

        #[doc = #wrapper_doc]
        pub type #wrapper = TextModel<#marker>;
        #[doc = #builder_doc]
        pub type #builder = TextModelBuilder<#marker>;
        #[doc = #options_doc]
        pub type #options = CallOptions<#marker>;

        #specific_impls
    }
}

fn setter_arg(catalog: &Catalog, ty: &TypeExpr) -> (TokenStream, TokenStream, TokenStream) {
    match ty {
        TypeExpr::String => (quote!(), quote!(impl Into<String>), quote!(value.into())),
        TypeExpr::F64 => (quote!(), quote!(impl Into<f64>), quote!(value.into())),
        TypeExpr::Array(_) => (
            quote!(<I: Into<String>>),
            quote!(impl IntoIterator<Item = I>),
            quote!(value.into_iter().map(Into::into).collect()),
        ),
        other => {
            let t = param_type(catalog, other);
            (quote!(), quote!(#t), quote!(value))
        }
    }
}

fn emit_any(catalog: &Catalog) -> TokenStream {
    let variants: Vec<_> = text_families(catalog)
        .map(|f| format_ident!("{}", f.wrapper))
        .collect();
    let families: Vec<_> = text_families(catalog)
        .map(|f| format_ident!("{}", camel(&f.id)))
        .collect();
    let markers: Vec<_> = text_families(catalog).map(marker).collect();
    let docs = text_families(catalog).map(|f| format!(" A [`{}`] ({}).", f.wrapper, f.name));
    quote! {
        /// A text model of any family, chosen from its model ID by [`AnyTextModel::from_model_id`].
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum AnyTextModel {
            #( #[doc = #docs] #variants(#variants), )*
            /// A [`ConverseModel`](crate::ConverseModel): a model no family is known for,
            /// over Converse.
            Converse(crate::ConverseModel),
        }

        impl AnyTextModel {
            /// The wrapper of `family` for `builder`'s model and defaults.
            pub(crate) fn build_for_family(
                family: Family,
                builder: crate::text::AnyTextModelBuilder,
            ) -> crate::Result<Self> {
                match family {
                    #( Family::#families => Ok(Self::#variants(builder.into_family::<#markers>().build()?)), )*
                    other => Err(crate::text::not_a_text_family(other, builder.model_id())),
                }
            }
        }

        /// `dispatch_text_model!(any, m => body)` evaluates `body` with `m` bound to the
        /// wrapper inside an [`AnyTextModel`], whatever its family.
        macro_rules! dispatch_text_model {
            ($value:expr, $m:ident => $body:expr) => {
                match $value {
                    #( crate::generated::wrappers::AnyTextModel::#variants($m) => $body, )*
                    crate::generated::wrappers::AnyTextModel::Converse($m) => $body,
                }
            };
        }
        pub(crate) use dispatch_text_model;
    }
}
