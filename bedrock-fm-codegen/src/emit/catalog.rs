//! Emits `generated/catalog.rs`: the `Model` and `Family` enums and `ALL_MODELS`.

use crate::catalog::{Catalog, Family, ImageSize, ModelEntry};
use crate::naming::{camel, model_variant, screaming};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn emit(catalog: &Catalog) -> TokenStream {
    let family_enum = emit_family_enum(catalog);
    let model_enum = emit_model_enum(catalog);
    let family_models = catalog
        .families
        .iter()
        .map(|f| emit_family_models(catalog, f));
    let infos = catalog.models.iter().map(|m| emit_info(catalog, m));
    let count = catalog.models.len();
    quote! {
        #[allow(unused_imports)]
        use crate::catalog::{FamilyKind, ImageInputLimits, ImageSize, InferenceType, Lifecycle, Modality, ModelInfo, ProfilePrefix, PromptCache, ReasoningStyle};
        use crate::schema::StructSpec;

        #family_enum
        #model_enum
        #(#family_models)*

        /// Every model in the catalog with its capabilities, in `models.toml` order
        /// (`ALL_MODELS[m as usize].model == m`).
        pub static ALL_MODELS: [ModelInfo; #count] = [#(#infos),*];
    }
}

fn family_ident(f: &Family) -> proc_macro2::Ident {
    format_ident!("{}", camel(&f.id))
}

fn emit_family_enum(catalog: &Catalog) -> TokenStream {
    let idents: Vec<_> = catalog.families.iter().map(family_ident).collect();
    let docs = catalog.families.iter().map(|f| {
        format!(
            " {} (`{}`, wrapper `{}`): <{}>",
            f.name, f.id, f.wrapper, f.source
        )
    });
    let arm = |value: &dyn Fn(&Family) -> TokenStream| -> Vec<TokenStream> {
        catalog
            .families
            .iter()
            .map(|f| {
                let ident = family_ident(f);
                let v = value(f);
                quote!(Family::#ident => #v)
            })
            .collect()
    };
    let ids = arm(&|f| {
        let id = &f.id;
        quote!(#id)
    });
    let names = arm(&|f| {
        let n = &f.name;
        quote!(#n)
    });
    let wrappers = arm(&|f| {
        let w = &f.wrapper;
        quote!(#w)
    });
    let providers = arm(&|f| {
        let p = &f.provider;
        quote!(#p)
    });
    let sources = arm(&|f| {
        let s = &f.source;
        quote!(#s)
    });
    let kinds = arm(&|f| {
        let k = format_ident!("{}", camel(&f.kind));
        quote!(FamilyKind::#k)
    });
    let spec_of = |name: &str, f: &Family| {
        let module = format_ident!("{}", f.id);
        let spec = format_ident!("{}_SPEC", screaming(name));
        quote!(&crate::generated::bodies::#module::#spec)
    };
    let requests = arm(&|f| spec_of(&f.request, f));
    let responses = arm(&|f| spec_of(&f.response, f));
    let chunks = arm(&|f| match &f.stream_chunk {
        Some(c) => {
            let s = spec_of(c, f);
            quote!(Some(#s))
        }
        None => quote!(None),
    });
    // Longest first, so the first match is the longest declared prefix.
    let mut prefixes: Vec<(&str, &Family)> = catalog
        .families
        .iter()
        .flat_map(|f| f.id_prefixes.iter().map(move |p| (p.as_str(), f)))
        .collect();
    prefixes.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
    let prefix_rows = prefixes.iter().map(|(p, f)| {
        let ident = family_ident(f);
        quote!((#p, Family::#ident))
    });
    quote! {
        /// Model-ID prefixes that name a family (`models.toml`'s `id_prefixes`), longest
        /// first: how an ID the catalog does not know finds its InvokeModel family.
        pub static ID_PREFIXES: &[(&str, Family)] = &[#(#prefix_rows),*];

        /// A model family: one native InvokeModel JSON format and one wrapper type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Family {
            #( #[doc = #docs] #idents, )*
        }

        impl Family {
            /// Every family, in `models.toml` order.
            pub const ALL: &'static [Family] = &[#(Family::#idents),*];

            /// The family's key in `models.toml` (`"titan_text"`).
            pub const fn id(self) -> &'static str { match self { #(#ids,)* } }

            /// The family's human name.
            pub const fn name(self) -> &'static str { match self { #(#names,)* } }

            /// The name of the family's wrapper type (`"Titan"`).
            pub const fn wrapper(self) -> &'static str { match self { #(#wrappers,)* } }

            /// The provider of the family's models.
            pub const fn provider(self) -> &'static str { match self { #(#providers,)* } }

            /// What the family produces.
            pub const fn kind(self) -> FamilyKind { match self { #(#kinds,)* } }

            /// The AWS page its request and response schema comes from.
            pub const fn source(self) -> &'static str { match self { #(#sources,)* } }

            /// The JSON shape of its InvokeModel request body.
            pub fn request_spec(self) -> &'static StructSpec { match self { #(#requests,)* } }

            /// The JSON shape of its InvokeModel response body.
            pub fn response_spec(self) -> &'static StructSpec { match self { #(#responses,)* } }

            /// The JSON shape of its stream chunks, if it streams over InvokeModel.
            pub fn stream_chunk_spec(self) -> Option<&'static StructSpec> { match self { #(#chunks,)* } }
        }
    }
}

fn emit_model_enum(catalog: &Catalog) -> TokenStream {
    let idents: Vec<_> = catalog
        .models
        .iter()
        .map(|m| format_ident!("{}", model_variant(&m.id)))
        .collect();
    let docs = catalog.models.iter().map(|m| {
        let legacy = if m.lifecycle == "legacy" {
            " Legacy."
        } else {
            ""
        };
        format!(
            " {} {} (`{}`), family `{}`.{legacy}",
            m.provider, m.name, m.id, m.family
        )
    });
    let ids = catalog.models.iter().map(|m| &m.id);
    let indexes = (0..catalog.models.len()).map(proc_macro2::Literal::usize_unsuffixed);
    quote! {
        /// Every model ID in the catalog. `Display` writes the canonical ID; `FromStr` parses
        /// it; [`Model::resolve`] also takes inference-profile IDs and ARNs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Model {
            #( #[doc = #docs] #idents = #indexes, )*
        }

        impl Model {
            /// Every model, in `models.toml` order.
            pub const ALL: &'static [Model] = &[#(Model::#idents),*];

            /// The model with exactly this canonical ID.
            pub(crate) fn from_canonical_id(id: &str) -> Option<Model> {
                match id {
                    #(#ids => Some(Model::#idents),)*
                    _ => None,
                }
            }
        }
    }
}

/// `<Wrapper>Model`: the catalog's models of one family, which that family's builders (and
/// the `Any*` builders of its kind) take and any other builder rejects at compile time,
/// through `ModelFor<W>`.
fn emit_family_models(catalog: &Catalog, f: &Family) -> TokenStream {
    let models: Vec<&ModelEntry> = catalog.models.iter().filter(|m| m.family == f.id).collect();
    let name = format_ident!("{}Model", f.wrapper);
    let idents: Vec<_> = models
        .iter()
        .map(|m| format_ident!("{}", model_variant(&m.id)))
        .collect();
    let docs = models.iter().map(|m| format!(" {} (`{}`).", m.name, m.id));
    let wrapper = format_ident!("{}", f.wrapper);
    let (own, any): (TokenStream, &[TokenStream]) = match f.kind.as_str() {
        "text" => {
            let marker = format_ident!("{}Family", f.wrapper);
            (
                quote!(crate::#marker),
                &[
                    quote!(crate::text::AnyFamily),
                    quote!(crate::ConverseFamily),
                ],
            )
        }
        "embedding" => (
            quote!(crate::embeddings::#wrapper),
            &[quote!(crate::embeddings::AnyEmbedModel)],
        ),
        _ => (
            quote!(crate::images::#wrapper),
            &[quote!(crate::images::AnyImageModel)],
        ),
    };
    let targets = std::iter::once(own).chain(any.iter().cloned());
    let doc = format!(
        " The catalog's {} models, for [`{}`](crate::{}) builders: another family's model does \
         not compile there. Any ID still works as a string or [`Model`], checked at `build()`.",
        f.name,
        f.wrapper,
        match f.kind.as_str() {
            "text" => f.wrapper.clone(),
            "embedding" => format!("embeddings::{}", f.wrapper),
            _ => format!("images::{}", f.wrapper),
        }
    );
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #( #[doc = #docs] #idents, )*
        }

        impl #name {
            /// Every model of the family, in `models.toml` order.
            pub const ALL: &'static [#name] = &[#(#name::#idents),*];

            /// The catalog model.
            pub const fn model(self) -> Model {
                match self { #( #name::#idents => Model::#idents, )* }
            }
        }

        impl From<#name> for Model {
            fn from(m: #name) -> Model {
                m.model()
            }
        }

        #(
            impl crate::model_id::ModelFor<#targets> for #name {
                fn into_model_id(self) -> crate::model_id::ModelId {
                    self.model().into()
                }
            }
        )*
    }
}

fn emit_info(catalog: &Catalog, m: &ModelEntry) -> TokenStream {
    let variant = format_ident!("{}", model_variant(&m.id));
    let family = catalog
        .families
        .iter()
        .find(|f| f.id == m.family)
        .map(family_ident);
    let modalities = |list: &[String]| {
        let items = list.iter().map(|x| format_ident!("{}", camel(x)));
        quote!(&[#(Modality::#items),*])
    };
    let opt = |v: Option<u64>| match v.map(|v| v as u32) {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    };
    let sizes = m.image_sizes.iter().map(|s| match *s {
        ImageSize::Pixels(width, height) => {
            quote!(ImageSize::Pixels { width: #width, height: #height })
        }
        ImageSize::Ratio(width, height) => {
            quote!(ImageSize::AspectRatio { width: #width, height: #height })
        }
    });
    let dims = m.embedding_dimensions.iter().map(|d| *d as u32);
    let profiles = m
        .profiles
        .iter()
        .map(|p| format_ident!("{}", camel(&p.replace('-', "_"))));
    let reasoning = match &m.reasoning {
        Some(r) => {
            let r = format_ident!("{}", camel(r));
            quote!(Some(ReasoningStyle::#r))
        }
        None => quote!(None),
    };
    let image_input = match &m.image_input {
        Some(l) => {
            let (formats, count, bytes, dim) = (
                &l.formats,
                l.max_count as u32,
                l.max_bytes,
                l.max_dimension as u32,
            );
            quote!(Some(ImageInputLimits { formats: &[#(#formats),*], max_count: #count, max_bytes: #bytes, max_dimension: #dim }))
        }
        None => quote!(None),
    };
    let lifecycle = format_ident!("{}", camel(&m.lifecycle));
    let inference_types = m
        .inference_types
        .iter()
        .map(|t| format_ident!("{}", camel(&t.to_lowercase())));
    let prompt_format = match &m.prompt_format {
        Some(p) => quote!(Some(#p)),
        None => quote!(None),
    };
    let latency_optimized = m.latency_optimized;
    let prompt_cache = match &m.prompt_cache {
        Some(c) => {
            let (min, max, tools, ttl) = (
                c.min_tokens as u32,
                c.max_checkpoints as u32,
                c.tools,
                c.one_hour_ttl,
            );
            quote!(Some(PromptCache { min_tokens: #min, max_checkpoints: #max, tools: #tools, one_hour_ttl: #ttl }))
        }
        None => quote!(None),
    };
    let image_tasks = &m.image_tasks;
    let image_conditioning = m.image_conditioning;
    let image_output_formats = &m.image_output_formats;
    let input = modalities(&m.input);
    let output = modalities(&m.output);
    let (id, provider, name, source) = (&m.id, &m.provider, &m.name, &m.source);
    let (streaming, converse, tool_use, vision) = (m.streaming, m.converse, m.tool_use, m.vision);
    let context = opt(m.context_window);
    let max_out = opt(m.max_output_tokens);
    let default_max = opt(m.default_max_tokens);
    quote! {
        ModelInfo {
            model: Model::#variant,
            id: #id,
            family: Family::#family,
            provider: #provider,
            name: #name,
            input_modalities: #input,
            output_modalities: #output,
            streaming: #streaming,
            converse: #converse,
            tool_use: #tool_use,
            vision: #vision,
            context_window: #context,
            max_output_tokens: #max_out,
            default_max_tokens: #default_max,
            embedding_dimensions: &[#(#dims),*],
            image_sizes: &[#(#sizes),*],
            reasoning: #reasoning,
            image_input: #image_input,
            lifecycle: Lifecycle::#lifecycle,
            profiles: &[#(ProfilePrefix::#profiles),*],
            inference_types: &[#(InferenceType::#inference_types),*],
            prompt_format: #prompt_format,
            latency_optimized: #latency_optimized,
            prompt_cache: #prompt_cache,
            image_tasks: &[#(#image_tasks),*],
            image_conditioning: #image_conditioning,
            image_output_formats: &[#(#image_output_formats),*],
            source: #source,
        }
    }
}
