"""The services the CLI, the web page and the eval runner share: one store, one index, one answerer.

This is the composition root: the only module that reads `Settings` and builds the store, the
indexes and the models from it. Components below it receive plain values (paths, names, sizes).
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from budgetqa.app.settings import Settings
from budgetqa.ingest.models import Document
from budgetqa.ingest.pipeline import IngestResult, ingest_file, read_document
from budgetqa.ingest.store import Store

if TYPE_CHECKING:  # chromadb and langchain load only when the index is first used (fast CLI start)
    from budgetqa.app.retrieval.dense import DenseIndex, DenseStatus
    from budgetqa.app.retrieval.retrieve import Retriever

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Original:
    """Where the original file of a stored document is, for the page view.

    state: kept (the upload's copy, or the ingested file unchanged at its path), moved (no file at
    the path it was ingested from), changed (a file there, other bytes), none (nothing recorded).
    """

    state: Literal["kept", "moved", "changed", "none"]
    path: Path | None = None


class Service:
    """Everything budgetqa does, over one data directory. Models can be injected (tests, eval)."""

    def __init__(self, settings: Settings, llm=None, embeddings=None, dense: bool = True):
        self.settings = settings
        settings.home.mkdir(parents=True, exist_ok=True)
        self.store = Store(settings.store_url or settings.db_path)
        self._llm = llm
        self._embeddings = embeddings
        self._dense_enabled = dense and settings.embedding.provider != "none"
        self._retriever = None
        self._lock = threading.RLock()

    # --- documents -------------------------------------------------------------------------
    @property
    def retriever(self) -> Retriever:
        with self._lock:
            if self._retriever is None:
                from budgetqa.app.retrieval.index import Index
                from budgetqa.app.retrieval.retrieve import Retriever

                s = self.settings
                open_dense = self._open_dense if self._dense_enabled else None
                lexical = None
                if s.store_url:  # a shared store: the keyword indexes live in it, not in this machine's folder
                    from budgetqa.app.retrieval.lexical_store import StoreLexicalIndex

                    lexical = StoreLexicalIndex(self.store)
                self._retriever = Retriever(Index(s.home / "lexical", s.chunking.prose_chars, open_dense, lexical))
                self._repair_index()
            return self._retriever

    def _repair_index(self) -> None:
        """On open: the lexical index agrees with the store (mends a crash between the two writes)."""
        try:
            fixed = self._retriever.index.repair(self.store.ids(), self.store.document)
        except Exception as exc:  # an unwritable index folder: ingest reports it per file
            log.warning("index repair failed: %s", exc)
            return
        if fixed.rebuilt or fixed.removed or fixed.failed:
            log.warning("index repaired: rebuilt %s, removed %s, failed %s", fixed.rebuilt, fixed.removed, fixed.failed)

    def _open_dense(self) -> DenseIndex:
        from budgetqa.app.retrieval.dense import DenseIndex
        from budgetqa.app.retrieval.embed import get_embeddings

        cfg = self.settings.embedding
        embeddings = self._embeddings or get_embeddings(cfg.provider, cfg.model, cfg.base_url, cfg.api_key)
        return DenseIndex(self.settings.chroma_dir, self.settings.index_name(), embeddings,
                          cfg.provider, cfg.model, cfg.base_url, url=self.settings.chroma_url)

    @property
    def has_dense(self) -> bool:
        """Whether this service keeps a dense (embedding) index at all."""
        return self._dense_enabled

    def dense_pending(self) -> list[DenseStatus]:
        """Documents whose dense vectors are still filling; [] before the index is first opened."""
        retriever = self._retriever  # not built yet: nothing is filling, and building it here would be slow
        return retriever.pending() if retriever is not None else []

    def _index(self, doc: Document, background: bool = True) -> None:
        """Lexical index now (ready when ingest returns); dense index behind, in a thread."""
        self.retriever.add_document(doc, background=background)

    def ingest_one(self, path: Path, background_dense: bool = True, label: str | None = None) -> IngestResult:
        """Parse, store and index one file; `label` stores it under that name instead of the file's own.

        A file ingested from where it lies (`budgetqa ingest`) is remembered by its path and content
        hash, so the page view can show its pages; an upload is kept as a copy under home/uploads.
        """
        store = self.store if label is None else _LabelledStore(self.store, label)
        result = ingest_file(Path(path), store, index=self.retriever.index, background=background_dense,
                             max_pages=self.settings.max_pages or None)
        if result.ok and result.doc_id and not Path(path).resolve().is_relative_to(self._uploads.resolve()):
            self._remember_original(result.doc_id, Path(path))
        return result

    @property
    def _uploads(self) -> Path:
        return self.settings.home / "uploads"

    @property
    def _originals(self) -> Path:
        return self.settings.home / "originals"

    def _remember_original(self, doc_id: str, path: Path) -> None:
        """Record where a document's file lies (absolute path, hash, size, mtime); never fails an ingest."""
        from budgetqa.ingest.pipeline import file_sha256

        try:
            path = path.resolve()
            st = path.stat()
            record = {"path": str(path), "sha256": file_sha256(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns}
            self._originals.mkdir(parents=True, exist_ok=True)
            tmp = self._originals / f"{doc_id}.json.tmp"
            tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
            tmp.replace(self._originals / f"{doc_id}.json")
        except OSError as exc:
            log.warning("original of %s not recorded: %s", doc_id, exc)

    def original(self, doc_id: str) -> Original:
        """The document's original file: the upload's copy, else the file it was ingested from if its
        bytes are still the stored document's (checked by SHA-256 when its size or time changed)."""
        # an upload's copy is named by its content hash, which the id begins
        for kept in sorted(self._uploads.glob(f"{doc_id}*")) if self._uploads.exists() else []:
            if kept.suffix in (".pdf", ".txt", ".md"):
                return Original("kept", kept)
        try:
            record = json.loads((self._originals / f"{doc_id}.json").read_text(encoding="utf-8"))
            path = Path(record["path"])
        except (OSError, ValueError, KeyError, TypeError):
            return Original("none")
        try:
            st = path.stat()
        except OSError:
            return Original("moved", path)
        if not path.is_file():
            return Original("moved", path)
        if st.st_size == record.get("size") and st.st_mtime_ns == record.get("mtime_ns"):
            return Original("kept", path)
        from budgetqa.ingest.pipeline import file_sha256

        try:
            same = file_sha256(path) == record.get("sha256")
        except OSError:
            return Original("moved", path)
        if same:  # touched, not changed: remember the new time so the next view does not hash again
            self._remember_original(doc_id, path)
        return Original("kept" if same else "changed", path)

    def has(self, sha256: str) -> bool:
        """Whether a document with this content is stored."""
        return self.store.has(sha256)

    def keep_upload(self, src: Path, sha256: str, suffix: str) -> Path:
        """A copy of a received file under `home/uploads/<sha256><suffix>`: no sent name becomes a path."""
        uploads = self.settings.home / "uploads"
        uploads.mkdir(parents=True, exist_ok=True)
        dest = uploads / f"{sha256}{suffix}"
        if not dest.exists():
            shutil.copyfile(src, dest)
        return dest

    def fill_dense(self, background: bool = True, progress: Callable[[str, int, int], None] | None = None) -> list[str]:
        """Embed the stored documents the dense index lacks (it fills behind; grounded answers never wait).

        Returns the ids queued (background) or embedded. `progress(doc_id, i, n)` is called per document.
        """
        index = self.retriever.index
        dense = index.dense
        if dense is None:
            return []
        from budgetqa.app.retrieval.chunks import build_chunks

        todo = index.dense_incomplete(d.id for d in self.store.documents())
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
            # the page's copy of an uploaded file is named by its content hash, which the id begins
            for kept in self._uploads.glob(f"{doc_id}*"):
                kept.unlink(missing_ok=True)
            (self._originals / f"{doc_id}.json").unlink(missing_ok=True)
        return removed

    def resolve(self, ref: str) -> str | None:
        return self.store.resolve(ref)

    def load(self, ref: str) -> Document:
        """A path parsed on the fly (the stored copy if its bytes are stored), or a stored document
        by id / file name. An existing path always means that file, never a stored namesake."""
        path = Path(ref)
        if path.exists():
            from budgetqa.ingest.pipeline import check_regular, file_sha256

            check_regular(path)
            stored = self.store.stored_id(file_sha256(path))
            return self.store.document(stored) if stored else read_document(path, max_pages=self.settings.max_pages or None)
        doc_id = self.store.resolve(ref)
        if doc_id is not None:
            return self.store.document(doc_id)
        raise LookupError(f"{ref}: no stored document with this id or file name, and no such file")

    # --- audit -----------------------------------------------------------------------------
    MARKS = ("已确认", "忽略")  # a reviewer's marks on a finding

    def prior_document(self, doc: Document) -> Document | None:
        """The same department's stored document of the year before, of the same kind (for the
        prior-year checks), or None."""
        if not doc.department or doc.year is None:
            return None
        for s in self.store.documents():
            if s.department == doc.department and s.year == doc.year - 1 and s.kind == doc.kind and s.id != doc.doc_id:
                return self.store.document(s.id)
        return None

    def audit(self, ref: str | Document):
        """The audit of a stored document, a path or a parsed document (`AuditResult`), checked
        against last year's document too when the store holds it."""
        from budgetqa.app.audit import run

        doc = ref if isinstance(ref, Document) else self.load(ref)
        return run(doc, self.prior_document(doc))

    def review(self, ref: str | Document) -> list[tuple]:
        """(finding, mark, note) per finding, errors first; mark is 已确认 / 忽略 or None."""
        doc = ref if isinstance(ref, Document) else self.load(ref)
        marks = self.store.finding_marks(doc.doc_id)
        return [(f, *marks.get(f.id, (None, None))) for f in self.audit(doc).findings]

    def marks_of(self, sha256: str) -> dict[str, tuple[str, str | None]]:
        """Finding id → (mark, note) of the stored document with this content ({} when none is stored)."""
        doc_id = self.store.stored_id(sha256)
        return self.store.finding_marks(doc_id) if doc_id else {}

    def mark_finding(self, doc_id: str, finding_id: str, mark: str | None, note: str | None = None) -> None:
        """Keep a reviewer's mark (已确认 / 忽略; None clears it) on one finding of a stored document."""
        if mark is not None and mark not in self.MARKS:
            raise ValueError(f"mark must be one of {'、'.join(self.MARKS)} (or empty to clear), not {mark!r}")
        if self.store.summary(doc_id) is None:
            raise LookupError(f"{doc_id}: no stored document with this id")
        self.store.mark_finding(doc_id, finding_id, mark, note)

    # --- answering -------------------------------------------------------------------------
    def ask(self, question: str, doc_ids: list[str] | None = None, on_token: Callable[[str], None] | None = None,
            previous=None):
        """Answer a question; `previous` (the last turn's Query) lets a follow-up inherit what it leaves unsaid."""
        from budgetqa.app.qa.answer import QAParts, answer_question

        a = self.settings.answer
        parts = QAParts(store=self.store, retriever=self._retriever_or_none(), llm=self.llm, strict=a.strict,
                        top_k=a.top_k, max_retries=self.settings.llm.max_retries, llm_config=self.settings.llm)
        return answer_question(parts, question, doc_ids=doc_ids, on_token=on_token, previous=previous)

    def _retriever_or_none(self):
        """The retriever, built on first use; None when it cannot open (grounded answers do not need it)."""
        try:
            return self.retriever
        except Exception as exc:  # an index that cannot open must not stop a grounded answer
            log.warning("retrieval unavailable: %s", exc)
            return None

    @property
    def llm(self):
        if self._llm is None and self.settings.llm.provider != "none":
            from budgetqa.app.qa.llm import get_llm

            self._llm = get_llm(self.settings.llm)
        return self._llm

    def close(self) -> None:
        self.store.close()


class _LabelledStore:
    """The store, labelling each document with the name it was received under before it is written."""

    def __init__(self, store: Store, name: str):
        self._store, self._name = store, name

    def add(self, doc: Document) -> bool:
        doc.file = self._name
        return self._store.add(doc)

    def put(self, doc: Document):
        doc.file = self._name
        return self._store.put(doc)

    def document(self, doc_id: str) -> Document:
        return self._store.document(doc_id)

    def remove(self, doc_id: str) -> bool:
        return self._store.remove(doc_id)
