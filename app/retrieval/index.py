"""The retrieval index of all documents: lexical (BM25, ready when ingest returns) and dense (chroma,
filled in the background). One `Index` per process; it is also what `app/retrieval/retrieve.py` reads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from budgetqa.app.retrieval.chunks import Chunk, build_chunks
from budgetqa.app.retrieval.dense import DenseIndex, DenseStatus, dense_chunks
from budgetqa.app.retrieval.lexical import LexicalIndex
from budgetqa.ingest.models import Document

log = logging.getLogger(__name__)


@dataclass
class Repair:
    """What `Index.repair` changed to make the indexes agree with the store."""

    rebuilt: list[str] = field(default_factory=list)  # stored documents that had no lexical index
    removed: list[str] = field(default_factory=list)  # index entries of documents no longer stored
    failed: list[str] = field(default_factory=list)  # "doc_id: reason"


class Index:
    """Both indexes: BM25 under `lexical_dir`, prose cut into `chunk_chars`-character chunks.

    `open_dense` opens the chroma side on first use (opening it is slow, and a lexical-only process
    never needs it); None keeps this index lexical-only (embeddings off, `ingest --no-dense`).
    """

    def __init__(self, lexical_dir: Path, chunk_chars: int = 300,
                 open_dense: Callable[[], DenseIndex] | None = None, lexical: LexicalIndex | None = None) -> None:
        # `lexical`: an index kept elsewhere (in the fact store, shared by several processes)
        self.lexical = lexical if lexical is not None else LexicalIndex(lexical_dir)
        self.chunk_chars = chunk_chars
        self._open_dense = open_dense
        self._dense: DenseIndex | None = None
        self._lock = threading.Lock()

    @property
    def has_dense(self) -> bool:
        return self._open_dense is not None

    @property
    def dense(self) -> DenseIndex | None:
        """The chroma side, opened on first use; None when embeddings are off (lexical only)."""
        if not self.has_dense:
            return None
        with self._lock:
            if self._dense is None:
                self._dense = self._open_dense()
            return self._dense

    def add_document(self, doc: Document, background: bool = True) -> list[Chunk]:
        """Chunk the document, build its lexical index now and its dense vectors now or in the background."""
        chunks = build_chunks(doc, self.chunk_chars)
        self.add_chunks(doc.doc_id, chunks, background)
        return chunks

    def add_chunks(self, doc_id: str, chunks: list[Chunk], background: bool = True) -> None:
        self.lexical.add_document(doc_id, chunks)
        dense = self.dense
        if dense is None:
            return
        if background:
            dense.submit(doc_id, chunks)
        else:
            dense.add_document(doc_id, chunks)

    def has_document(self, doc_id: str) -> bool:
        """The document's lexical index exists (the dense side may still be filling)."""
        return self.lexical.has_document(doc_id)

    def repair(self, stored_ids: Iterable[str], load: Callable[[str], Document], dense: bool = False) -> Repair:
        """Make the indexes agree with the store: rebuild missing lexical indexes from the stored
        documents, drop entries of documents no longer stored and half-written folders.

        The store is the record; an index is derived from it, so what a crash between the two
        writes leaves is mended here. `dense=True` also drops the dense side's orphans (it opens
        chroma, so it is left to `budgetqa index`).
        """
        stored = set(stored_ids)
        out = Repair()
        self.lexical.remove_stale()
        for doc_id in self.lexical.doc_ids():
            if doc_id not in stored:
                self.lexical.remove_document(doc_id)
                out.removed.append(doc_id)
        for doc_id in sorted(stored):
            if self.lexical.has_document(doc_id):
                continue
            try:
                doc = load(doc_id)
                self.lexical.add_document(doc_id, build_chunks(doc, self.chunk_chars))
                out.rebuilt.append(doc_id)
            except Exception as exc:  # one document's failure must not stop the others' repair
                out.failed.append(f"{doc_id}: {type(exc).__name__}: {exc}")
        if dense and self.dense is not None:
            for doc_id in sorted(set(self.dense_doc_ids()) - stored):
                self.dense.remove_document(doc_id)
                out.removed.append(doc_id)
        return out

    def dense_doc_ids(self) -> dict[str, set[str]]:
        """doc_id → ids of the vectors the collection holds for it."""
        dense = self.dense
        if dense is None:
            return {}
        got = dense.collection.get(include=["metadatas"])
        out: dict[str, set[str]] = {}
        for cid, meta in zip(got["ids"], got["metadatas"], strict=True):
            out.setdefault(meta["doc_id"], set()).add(cid)
        return out

    def dense_incomplete(self, doc_ids: Iterable[str]) -> list[str]:
        """Documents whose vectors are missing or partial (a fill killed midway leaves some)."""
        if self.dense is None:
            return []
        held = self.dense_doc_ids()
        out = []
        for doc_id in doc_ids:
            ix = self.lexical.load(doc_id)
            wanted = {c.id for c in dense_chunks(ix.chunks)} if ix is not None else None
            if wanted is None or not wanted <= held.get(doc_id, set()):
                out.append(doc_id)
        return out

    def remove_document(self, doc_id: str) -> None:
        """Remove the document from both indexes."""
        self.lexical.remove_document(doc_id)
        dense = self.dense
        if dense is not None:
            dense.remove_document(doc_id)

    def dense_status(self, doc_id: str) -> DenseStatus | None:
        dense = self.dense
        return dense.status(doc_id) if dense is not None else None

    def wait(self, timeout: float | None = None) -> bool:
        """Block until background dense filling is done; False on timeout."""
        dense = self._dense
        return dense.wait(timeout) if dense is not None else True

    def pending(self) -> list[DenseStatus]:
        """Documents whose dense vectors are still being filled (for a progress display)."""
        dense = self._dense  # not opened yet means nothing is filling
        return dense.pending() if dense is not None else []
