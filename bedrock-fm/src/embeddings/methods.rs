//! The public methods every embedding wrapper shares (`generate_for_documents`,
//! `embed_batch`, ...), as macros over the batch engine's
//! [`EmbedBackend`](super::batch::EmbedBackend). Used as
//! `crate::embeddings::batch::{embed_methods, itself}`, re-exported there.

/// `itself!(value, m => body)`: `body` with `m` bound to `value` (the dispatch of a wrapper
/// of one family, for [`embed_methods!`]).
macro_rules! itself {
    ($value:expr, $m:ident => $body:expr) => {{
        let $m = $value;
        $body
    }};
}
pub(crate) use itself;

/// The public methods every embedding wrapper has, over its
/// [`EmbedBackend`](super::batch::EmbedBackend): `$each` binds
/// the wrapper of one family (`itself` for a family's own wrapper, the generated
/// `dispatch_embed_model` for `AnyEmbedModel`).
macro_rules! embed_methods {
    ($each:ident) => {
        /// Embeds documents for search ([`InputType::Document`](crate::embeddings::InputType)),
        /// one vector per text in order. Every text is checked before any request.
        pub async fn generate_for_documents<T: AsRef<str>>(
            &self,
            texts: impl IntoIterator<Item = T>,
        ) -> $crate::error::Result<Vec<$crate::embeddings::Embedding>> {
            Ok(self.generate_for_documents_details(texts).await?.embeddings)
        }

        /// [`Self::generate_for_documents`] with usage, request ids and timing.
        pub async fn generate_for_documents_details<T: AsRef<str>>(
            &self,
            texts: impl IntoIterator<Item = T>,
        ) -> $crate::error::Result<$crate::embeddings::EmbedDetails> {
            let inputs = texts
                .into_iter()
                .map(|t| $crate::embeddings::EmbedInput::text(t.as_ref()))
                .collect();
            $each!(self, m => $crate::embeddings::batch::embed_all(
                m,
                inputs,
                $crate::embeddings::InputType::Document,
            )
            .await)
        }

        /// Embeds a search query ([`InputType::Query`](crate::embeddings::InputType)).
        pub async fn generate_for_query(
            &self,
            text: &str,
        ) -> $crate::error::Result<$crate::embeddings::Embedding> {
            let mut d = self.generate_for_query_details(text).await?;
            Ok(d.embeddings.remove(0))
        }

        /// [`Self::generate_for_query`] with usage, request id and timing.
        pub async fn generate_for_query_details(
            &self,
            text: &str,
        ) -> $crate::error::Result<$crate::embeddings::EmbedDetails> {
            let inputs = vec![$crate::embeddings::EmbedInput::text(text)];
            $each!(self, m => $crate::embeddings::batch::embed_all(
                m,
                inputs,
                $crate::embeddings::InputType::Query,
            )
            .await)
        }

        /// Embeds any inputs (texts, images, both, where the model takes them) for
        /// `input_type`, one vector per input in order. Every input is checked before any
        /// request; the first failed request fails the call (see [`Self::embed_batch`] to keep
        /// partial results).
        pub async fn generate<I: Into<$crate::embeddings::EmbedInput>>(
            &self,
            inputs: impl IntoIterator<Item = I>,
            input_type: $crate::embeddings::InputType,
        ) -> $crate::error::Result<$crate::embeddings::EmbedDetails> {
            let inputs = inputs.into_iter().map(Into::into).collect();
            $each!(self, m => $crate::embeddings::batch::embed_all(m, inputs, input_type).await)
        }

        /// Embeds any number of inputs for a pipeline: the largest batches the model accepts,
        /// `options.concurrency` requests in flight, throttling retried with the client's
        /// backoff, results in input order, and the inputs that failed (invalid ones are
        /// never sent) reported with their errors while the rest are kept.
        pub async fn embed_batch<I: Into<$crate::embeddings::EmbedInput>>(
            &self,
            inputs: impl IntoIterator<Item = I>,
            options: &$crate::embeddings::BatchOptions,
        ) -> $crate::embeddings::BatchReport {
            let inputs: Vec<$crate::embeddings::EmbedInput> =
                inputs.into_iter().map(Into::into).collect();
            $each!(self, m => $crate::embeddings::batch::execute(m, &inputs, options, false)
                .await
                .expect("a batch without fail-fast always reports"))
        }

        /// Checks `inputs` as a call would (empty texts, lengths, images), sending nothing:
        /// the first problem, naming the input.
        pub fn check_inputs<I: Into<$crate::embeddings::EmbedInput>>(
            &self,
            inputs: impl IntoIterator<Item = I>,
        ) -> $crate::error::Result<()> {
            let inputs: Vec<$crate::embeddings::EmbedInput> =
                inputs.into_iter().map(Into::into).collect();
            let (_, bad) = $each!(self, m => $crate::embeddings::batch::prepare_all(m, &inputs));
            match bad.into_iter().next() {
                Some(first) => Err(first.error),
                None => Ok(()),
            }
        }

        /// The model ID sent.
        pub fn model_id(&self) -> &str {
            $crate::embeddings::model::ModelParts::model_id(self)
        }
    };
}
pub(crate) use embed_methods;
