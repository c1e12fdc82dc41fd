"""BM25 indexes kept in the fact store beside the facts, so that several processes share them.

With a shared store (PostgreSQL), every `serve` process must find the passages of a document
another process ingested: the folder under home/lexical is one machine's. Here a document's
index is two rows of the store's derived data, written after the document: its tokenised
passages with the dictionary words (BM25 is rebuilt from them on load, ~1 ms per 100 passages)
and its chunks (read on the first hit, as from the folder). The store's transaction replaces
the folder's rename-into-place; removing a document removes its rows with it.
"""

from __future__ import annotations

import json
import threading
import zlib
from typing import Protocol

import bm25s

from budgetqa.app.retrieval.chunks import Chunk
from budgetqa.app.retrieval.lexical import DocIndex, LexicalIndex, add_words, chunk_words, tokenize

TOKENS = "lexical.tokens"
CHUNKS = "lexical.chunks"


class DerivedRows(Protocol):
    """The store's derived data (`budgetqa.ingest.store.Store` has it)."""

    def put_derived(self, doc_id: str, kind: str, body: bytes) -> None: ...
    def derived(self, doc_id: str, kind: str) -> bytes | None: ...
    def derived_ids(self, kind: str) -> set[str]: ...
    def remove_derived(self, doc_id: str, kind: str) -> None: ...


def _pack(obj) -> bytes:
    return zlib.compress(json.dumps(obj, ensure_ascii=False).encode())


def _unpack(body: bytes):
    return json.loads(zlib.decompress(body))


def _bm25(corpus: list[list[str]]) -> bm25s.BM25:
    bm25 = bm25s.BM25()
    # bm25s cannot index an empty token list for every document; a placeholder keeps positions.
    bm25.index([toks or ["∅"] for toks in corpus], show_progress=False)
    return bm25


class StoreLexicalIndex(LexicalIndex):
    """`LexicalIndex` whose documents live in the store's derived rows instead of a folder."""

    def __init__(self, rows: DerivedRows) -> None:  # noqa: super().__init__ would name a folder
        self.rows = rows
        self._cache: dict[str, DocIndex] = {}
        self._known: set[str] = set()  # ids with a kept index, as of the last doc_ids() (repair asks per document)
        self._lock = threading.Lock()

    def add_document(self, doc_id: str, chunks: list[Chunk]) -> None:
        words = chunk_words(chunks)
        add_words(words)
        corpus = [tokenize(c.text) for c in chunks]
        bm25 = _bm25(corpus)
        # chunks first: the tokens row is what marks the index complete (has_document, doc_ids)
        self.rows.put_derived(doc_id, CHUNKS, _pack([c.to_dict() for c in chunks]))
        self.rows.put_derived(doc_id, TOKENS, _pack({"words": words, "tokens": corpus}))
        with self._lock:
            self._cache[doc_id] = DocIndex(bm25, chunks)
            self._known.add(doc_id)

    def has_document(self, doc_id: str) -> bool:
        return doc_id in self._cache or doc_id in self._known or self.rows.derived(doc_id, TOKENS) is not None

    def remove_stale(self) -> int:
        return 0  # nothing is ever half-written: each row is one transaction

    def remove_document(self, doc_id: str) -> None:
        with self._lock:
            self._cache.pop(doc_id, None)
            self._known.discard(doc_id)
        for kind in (TOKENS, CHUNKS):
            self.rows.remove_derived(doc_id, kind)

    def doc_ids(self) -> list[str]:
        # From the store every time: another process may have added or removed documents.
        ids = self.rows.derived_ids(TOKENS)
        with self._lock:
            for gone in set(self._cache) - ids:
                del self._cache[gone]
            self._known = set(ids)
        return sorted(ids)

    def load(self, doc_id: str) -> DocIndex | None:
        cached = self._cache.get(doc_id)
        if cached is not None:
            return cached
        body = self.rows.derived(doc_id, TOKENS)
        if body is None:
            return None
        data = _unpack(body)
        add_words(data["words"])
        index = DocIndex(_bm25(data["tokens"]), read_chunks=lambda: self._chunks_json(doc_id))
        with self._lock:
            self._cache.setdefault(doc_id, index)
        return self._cache[doc_id]

    def _chunks_json(self, doc_id: str) -> bytes:
        body = self.rows.derived(doc_id, CHUNKS)
        return zlib.decompress(body) if body is not None else b"[]"

    def preload(self) -> int:
        return sum(1 for d in self.doc_ids() if self.load(d) is not None)
