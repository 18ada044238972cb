//! Emits `generated/any_media.rs`: `AnyEmbedModel` and `AnyImageModel`, one variant per
//! embedding or image family of `models.toml`, their build-from-family dispatch and the
//! `dispatch_*_model!` macros. A family listed here without its hand-written wrapper (and
//! its `EmbedBackend` or `ImageBackend`) does not compile.

use crate::catalog::{Catalog, Family};
use crate::naming::camel;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// What differs between the two enums.
struct Kind {
    kind: &'static str,
    module: &'static str,
    any: &'static str,
    dispatch: &'static str,
    /// The trait the wrappers' constructor belongs to (`None`: an inherent method).
    backend: Option<TokenStream>,
    /// The settings every family of the kind shares, and how a wrapper is built from them.
    settings: TokenStream,
    construct: proc_macro2::Ident,
}

pub fn emit(catalog: &Catalog) -> TokenStream {
    let embed = Kind {
        kind: "embedding",
        module: "embeddings",
        any: "AnyEmbedModel",
        dispatch: "dispatch_embed_model",
        backend: Some(quote!(crate::embeddings::batch::EmbedBackend)),
        settings: quote!(&crate::embeddings::batch::EmbedSettings),
        construct: format_ident!("from_settings"),
    };
    let image = Kind {
        kind: "image",
        module: "images",
        any: "AnyImageModel",
        dispatch: "dispatch_image_model",
        backend: None,
        settings: quote!(&crate::images::ImageOptions),
        construct: format_ident!("from_defaults"),
    };
    let enums = [embed, image].map(|k| emit_kind(catalog, &k));
    quote! {
        use crate::catalog::Family;
        #(#enums)*
    }
}

fn emit_kind(catalog: &Catalog, k: &Kind) -> TokenStream {
    let families: Vec<&Family> = catalog
        .families
        .iter()
        .filter(|f| f.kind == k.kind)
        .collect();
    let module = format_ident!("{}", k.module);
    let any = format_ident!("{}", k.any);
    let dispatch = format_ident!("{}", k.dispatch);
    let variants: Vec<_> = families
        .iter()
        .map(|f| format_ident!("{}", f.wrapper))
        .collect();
    let family_variants: Vec<_> = families
        .iter()
        .map(|f| format_ident!("{}", camel(&f.id)))
        .collect();
    let docs = families.iter().map(|f| {
        format!(
            " A [`{0}`](crate::{1}::{0}) ({2}).",
            f.wrapper, k.module, f.name
        )
    });
    let enum_doc = format!(
        " Any {} model, with the wrapper of its family, chosen from the model ID by [`{}::builder`].",
        k.kind, k.any
    );
    let dispatch_doc = format!(
        " `{}!(any, m => body)` evaluates `body` with `m` bound to the wrapper inside an [`{}`], whatever its family.",
        k.dispatch, k.any
    );
    let (settings, construct) = (&k.settings, &k.construct);
    let backend = k.backend.iter().map(|b| quote!(use #b;));
    quote! {
        #[doc = #enum_doc]
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum #any {
            #( #[doc = #docs] #variants(crate::#module::#variants), )*
        }

        impl #any {
            /// The wrapper of `family` for `model`, built from the settings every family of
            /// the kind shares; `None` for a family of another kind.
            pub(crate) fn build_for_family(
                family: Family,
                client: &crate::Client,
                model: crate::ModelId,
                settings: #settings,
            ) -> Option<crate::Result<Self>> {
                #(#backend)*
                Some(match family {
                    #( Family::#family_variants => crate::#module::#variants::#construct(client, model, settings).map(Self::#variants), )*
                    _ => return None,
                })
            }
        }

        #[doc = #dispatch_doc]
        macro_rules! #dispatch {
            ($value:expr, $m:ident => $body:expr) => {
                match $value {
                    #( crate::generated::any_media::#any::#variants($m) => $body, )*
                }
            };
        }
        pub(crate) use #dispatch;
    }
}
