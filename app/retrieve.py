"""Passages for a question: BM25 and dense results fused by reciprocal rank, filtered by document.

Works lexical-only (embedding.provider = none, or the dense index failing or still filling):
fusion of one list is that list.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from langchain_core.embeddings import Embeddings

from app.settings import Settings
from ingest.chunks import Chunk
from ingest.dense import DenseStatus
from ingest.index import Index
from ingest.models import Document

log = logging.getLogger(__name__)

RRF_K = 60  # the usual constant (Cormack et al. 2009): damps the head of each list
CANDIDATES = 30  # per index, before fusion


@dataclass
class Hit:
    """A retrieved passage: the chunk's fields, its fused score, and which indexes found it."""

    id: str
    doc_id: str
    kind: str
    text: str
    page: int | None
    heading_path: list[str]
    table_index: int | None
    table_title: str | None
    row_index: int | None
    side: str | None
    row_name: str | None
    score: float
    found_by: list[str] = field(default_factory=list)  # "lexical", "dense"

    @classmethod
    def from_chunk(cls, chunk: Chunk, score: float, found_by: list[str]) -> Hit:
        return cls(**chunk.to_dict(), score=score, found_by=found_by)


def rrf(rankings: dict[str, Sequence[str]], k: int = RRF_K) -> list[tuple[str, float, list[str]]]:
    """Reciprocal rank fusion: Σ 1/(k + rank) over the lists an id appears in (rank from 1).

    Returns (id, score, names of the lists that had it), best first; ties keep first-seen order.
    """
    scores: dict[str, float] = {}
    sources: dict[str, list[str]] = {}
    for name, ids in rankings.items():
        for rank, item in enumerate(ids, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
            sources.setdefault(item, []).append(name)
    order = sorted(scores, key=lambda i: -scores[i])  # sorted() is stable
    return [(i, scores[i], sources[i]) for i in order]


class Retriever:
    """Searches an `Index` (its own, or one passed in) and is the seam the service indexes through."""

    def __init__(
        self,
        settings: Settings,
        index: Index | None = None,
        embeddings: Embeddings | None = None,
        dense: bool = True,
    ) -> None:
        self.settings = settings
        self.index = index if index is not None else Index(settings, embeddings, dense=dense)

    # ---- indexing (delegated, so callers hold one object) ------------------------------------

    def add_document(self, doc: Document, background: bool = True) -> list[Chunk]:
        """Lexical index now; dense vectors now or, with `background`, in the filler thread."""
        return self.index.add_document(doc, background=background)

    def remove_document(self, doc_id: str) -> None:
        self.index.remove_document(doc_id)

    def wait(self, timeout: float | None = None) -> bool:
        return self.index.wait(timeout)

    def pending(self) -> list[DenseStatus]:
        return self.index.pending()

    # ---- searching -----------------------------------------------------------------------------

    def search(self, query: str, doc_ids: list[str] | None = None, k: int = 8) -> list[Hit]:
        """Top k passages for the query within `doc_ids` (all documents when None)."""
        n = max(k, CANDIDATES)
        chunks: dict[str, Chunk] = {}
        lexical = self.index.lexical.search(query, doc_ids, n)
        for h in lexical:
            chunks[h.chunk.id] = h.chunk
        rankings: dict[str, list[str]] = {"lexical": [h.chunk.id for h in lexical]}
        dense_ids = []
        for d in self._dense_hits(query, doc_ids, n):
            # The lexical store holds every chunk of an indexed document; a vector whose document
            # has left it (removed meanwhile) is skipped.
            chunk = chunks.get(d.chunk_id) or self.index.lexical.chunk(d.doc_id, d.chunk_id)
            if chunk is not None:
                chunks[chunk.id] = chunk
                dense_ids.append(chunk.id)
        if dense_ids:
            rankings["dense"] = dense_ids
        return [Hit.from_chunk(chunks[i], score, by) for i, score, by in rrf(rankings)[:k]]

    def _dense_hits(self, query: str, doc_ids: list[str] | None, n: int):
        dense = self.index.dense
        if dense is None:
            return []
        try:
            return dense.search(query, doc_ids, n)
        except Exception as e:  # an embeddings endpoint down must not take lexical answers with it
            log.warning("dense retrieval unavailable, using lexical only: %s", e)
            return []
