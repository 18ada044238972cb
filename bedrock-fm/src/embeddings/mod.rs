//! Embeddings: typed vectors for documents and queries, and batch embedding for pipelines.
