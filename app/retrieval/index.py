"""The retrieval index of all documents: lexical (BM25, ready when ingest returns) and dense (chroma,
filled in the background). One `Index` per process; it is also what `app/retrieve.py` reads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from budgetqa.app.retrieval.chunks import Chunk, build_chunks
from budgetqa.app.retrieval.dense import DenseIndex, DenseStatus
from budgetqa.app.retrieval.lexical import LexicalIndex
from budgetqa.ingest.models import Document


class Index:
    """Both indexes: BM25 under `lexical_dir`, prose cut into `chunk_chars`-character chunks.

    `open_dense` opens the chroma side on first use (opening it is slow, and a lexical-only process
    never needs it); None keeps this index lexical-only (embeddings off, `ingest --no-dense`).
    """

    def __init__(self, lexical_dir: Path, chunk_chars: int = 300,
                 open_dense: Callable[[], DenseIndex] | None = None) -> None:
        self.lexical = LexicalIndex(lexical_dir)
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
