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
    let families = text_families(catalog).map(emit_family);
    let any = emit_any(catalog);
    quote! {
        use crate::catalog::Family;
        use crate::text::{CallOptions, FamilyParams, ParamSpec, TextModel, TextModelBuilder};

        #(#families)*
        #any
    }
}

fn marker(f: &Family) -> proc_macro2::Ident {
    format_ident!("{}Family", f.wrapper)
}

fn emit_family(f: &Family) -> TokenStream {
    let marker = marker(f);
    let wrapper = format_ident!("{}", f.wrapper);
    let builder = format_ident!("{}Builder", f.wrapper);
    let options = format_ident!("{}Options", f.wrapper);
    let family = format_ident!("{}", camel(&f.id));
    let params = f
        .params
        .iter()
        .map(|(setter, path)| quote!(ParamSpec { setter: #setter, path: &[#(#path),*] }));
    let marker_doc = format!(
        " The {} family, the type parameter of [`{}`].",
        f.name, f.wrapper
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
            let ident = format_ident!("{}", setter);
            let (generics, arg, convert) = setter_arg(&field.ty);
            let doc = format!(" {} Wire: `{}`.", field.doc, path.join("."));
            quote! {
                #[doc = #doc]
                pub fn #ident #generics(self, value: #arg) -> Self {
                    self.param(#setter, serde_json::json!(#convert))
                }
            }
        })
        .collect();
    let specific_impls = (!specific.is_empty()).then(|| {
        quote! {
            impl TextModelBuilder<#marker> { #(#specific)* }
            impl CallOptions<#marker> { #(#specific)* }
        }
    });
    quote! {
        #[doc = #marker_doc]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct #marker;

        impl FamilyParams for #marker {
            const FAMILY: Option<Family> = Some(Family::#family);
            const PARAMS: &'static [ParamSpec] = &[#(#params),*];
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

fn setter_arg(ty: &TypeExpr) -> (TokenStream, TokenStream, TokenStream) {
    match ty {
        TypeExpr::String => (quote!(), quote!(impl Into<String>), quote!(value.into())),
        TypeExpr::F64 => (quote!(), quote!(impl Into<f64>), quote!(value.into())),
        TypeExpr::Bool => (quote!(), quote!(bool), quote!(value)),
        TypeExpr::U32 => (quote!(), quote!(u32), quote!(value)),
        TypeExpr::I32 => (quote!(), quote!(i32), quote!(value)),
        TypeExpr::U64 => (quote!(), quote!(u64), quote!(value)),
        TypeExpr::I64 => (quote!(), quote!(i64), quote!(value)),
        TypeExpr::Json => (quote!(), quote!(serde_json::Value), quote!(value)),
        TypeExpr::Array(_) => (
            quote!(<I: Into<String>>),
            quote!(impl IntoIterator<Item = I>),
            quote!(value.into_iter().map(Into::into).collect::<Vec<String>>()),
        ),
        TypeExpr::Map(_) => (
            quote!(),
            quote!(std::collections::BTreeMap<String, f64>),
            quote!(value),
        ),
        TypeExpr::Named(_) => unreachable!("validated: params are scalars or arrays"),
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
