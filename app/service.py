"""The services the CLI, the web page and the eval runner share: one store, one index, one answerer."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from budgetqa.app.settings import Settings
from budgetqa.ingest.models import Document
from budgetqa.ingest.pipeline import IngestResult, ingest_file, read_document
from budgetqa.ingest.store import Store

log = logging.getLogger(__name__)


class Service:
    """Everything budgetqa does, over one data directory. Models can be injected (tests, eval)."""

    def __init__(self, settings: Settings, llm=None, embeddings=None, dense: bool = True):
        self.settings = settings
        settings.home.mkdir(parents=True, exist_ok=True)
        self.store = Store(settings.db_path)
        self._llm = llm
        self._embeddings = embeddings
        self._dense_enabled = dense and settings.embedding.provider != "none"
        self._retriever = None
        self._lock = threading.RLock()

    # --- documents -------------------------------------------------------------------------
    @property
    def retriever(self):
        with self._lock:
            if self._retriever is None:
                from budgetqa.app.retrieval.retrieve import Retriever

                self._retriever = Retriever(self.settings, embeddings=self._embeddings, dense=self._dense_enabled)
            return self._retriever

    def _index(self, doc: Document, background: bool = True) -> None:
        """Lexical index now (ready when ingest returns); dense index behind, in a thread."""
        self.retriever.add_document(doc, background=background)

    def ingest_one(self, path: Path, background_dense: bool = True) -> IngestResult:
        return ingest_file(Path(path), self.store, on_document=lambda d: self._index(d, background_dense))

    def fill_dense(self, background: bool = True, progress: Callable[[str, int, int], None] | None = None) -> list[str]:
        """Embed the stored documents the dense index lacks (it fills behind; grounded answers never wait).

        Returns the ids queued (background) or embedded. `progress(doc_id, i, n)` is called per document.
        """
        index = self.retriever.index
        dense = index.dense
        if dense is None:
            return []
        from budgetqa.app.retrieval.chunks import build_chunks

        todo = [d.id for d in self.store.documents() if dense.status(d.id).state == "absent"]
        for i, doc_id in enumerate(todo, 1):
            chunks = build_chunks(self.store.document(doc_id), self.settings.chunking.prose_chars)
            if background:
                dense.submit(doc_id, chunks)
            else:
                dense.add_document(doc_id, chunks)
            if progress:
                progress(doc_id, i, len(todo))
        return todo

    def wait_for_index(self, timeout: float | None = None) -> None:
        if self._retriever is not None:
            self._retriever.wait(timeout)

    def remove(self, doc_id: str) -> bool:
        removed = self.store.remove(doc_id)
        if removed:
            self.retriever.remove_document(doc_id)
        return removed

    def resolve(self, ref: str) -> str | None:
        return self.store.resolve(ref)

    def load(self, ref: str) -> Document:
        """A stored document by id / file name, or a path parsed on the fly."""
        doc_id = self.store.resolve(ref)
        if doc_id is not None:
            return self.store.document(doc_id)
        path = Path(ref)
        if path.exists():
            return read_document(path)
        raise LookupError(f"{ref}: no stored document with this id or file name, and no such file")

    # --- answering -------------------------------------------------------------------------
    def ask(self, question: str, doc_ids: list[str] | None = None, on_token: Callable[[str], None] | None = None):
        from budgetqa.app.qa.answer import answer_question

        return answer_question(self, question, doc_ids=doc_ids, on_token=on_token)

    @property
    def llm(self):
        if self._llm is None and self.settings.llm.provider != "none":
            from budgetqa.app.qa.llm import get_llm

            self._llm = get_llm(self.settings)
        return self._llm

    def close(self) -> None:
        self.store.close()
