"""BM25 over jieba tokens, one small index per document, persisted under home/lexical/<doc_id>/.

One index per document keeps ingest and removal local to the document, and a search reads only
the documents asked for. Indexes are loaded lazily and cached.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import bm25s
import jieba
import numpy as np

from budgetqa.app.retrieval.chunks import Chunk

try:  # orjson (installed with chromadb) parses the chunk files several times faster
    from orjson import loads as _loads
except ImportError:  # pragma: no cover
    from json import loads as _loads

log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

CHUNKS_FILE = "chunks.json"
WORDS_FILE = "words.json"
TMP_MARK = ".tmp-"  # <doc_id>.tmp-<pid>-<random>: a folder being written by process <pid>


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _fsync_dir(folder: Path) -> None:
    """Flush the index files before the rename publishes them (a power cut must not leave a
    complete-looking index with empty files)."""
    for f in folder.iterdir():
        with open(f, "rb+") as fh:
            os.fsync(fh.fileno())

# Tokens that carry no information about *which* passage is meant: every passage of a 2023
# document says 2023, 万元, 年 (STACK-NOTES: without this "2023年…" ranks unrelated chunks first).
STOP_TOKENS = frozenset("年 年度 万元 元 多少 是 的 了 吗 和 及 与 中 里 在 有 为 哪些 哪个 什么 请问".split())
_YEAR = re.compile(r"^(19|20)\d\d$")
_PUNCT = re.compile(r"^[\W_]+$")  # only punctuation/whitespace/symbols: ？ ， | 、 （ …
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")


def is_stop(token: str) -> bool:
    return token in STOP_TOKENS or bool(_YEAR.match(token)) or bool(_PUNCT.match(token))


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens (whole words plus their dictionary sub-words), stop tokens dropped.

    Search mode matters: a passage tokenised before a word was added to the dictionary still
    shares the sub-words with a query tokenised after.
    """
    text = _THOUSANDS.sub("", text.lower())
    return [t for t in jieba.cut_for_search(text) if not is_stop(t.strip()) and t.strip()]


_added_words: set[str] = set()
_words_lock = threading.Lock()


def add_words(words: Iterable[str]) -> None:
    """Teach jieba the document's subject names (机关事业单位基本养老保险缴费支出) and table titles.

    Each word once per process: jieba.add_word tunes the frequency by segmenting the word, and
    documents share most subject names (the classification is national), so loading hundreds of
    indexes would otherwise spend seconds re-adding the same words.
    """
    with _words_lock:
        for w in words:
            w = w.strip()
            # jieba cannot hold words with spaces; one-character "words" only add noise.
            if w in _added_words or not 2 <= len(w) <= 40 or re.search(r"\s", w):
                continue
            jieba.add_word(w)
            _added_words.add(w)


def chunk_words(chunks: list[Chunk]) -> list[str]:
    """Dictionary words from a document's tables: subject names of rows and table titles."""
    words: set[str] = set()
    for c in chunks:
        if c.table_title:
            words.add(c.table_title.split("/")[0])
        if c.row_name:
            words.add(c.row_name)
    return sorted(words)


@dataclass
class LexicalHit:
    chunk: Chunk
    score: float


class DocIndex:
    """One document's BM25 index and its chunks.

    Chunks are read from disk on the first hit: a query over hundreds of documents scores them
    all but needs the passages of only the few that rank.
    """

    def __init__(self, bm25: bm25s.BM25, chunks: list[Chunk] | None = None, chunks_path: Path | None = None,
                 read_chunks: Callable[[], bytes] | None = None) -> None:
        self.bm25 = bm25
        self.vocab: dict[str, int] = bm25.vocab_dict
        self._chunks = chunks
        # where the chunks' JSON is read on first hit: a file, or (an index kept in the store) a callable
        self._read_chunks = read_chunks or (chunks_path.read_bytes if chunks_path is not None else None)
        self._by_id: dict[str, Chunk] | None = None

    @property
    def chunks(self) -> list[Chunk]:
        if self._chunks is None:
            assert self._read_chunks is not None
            self._chunks = [Chunk.from_dict(d) for d in _loads(self._read_chunks())]
        return self._chunks

    @property
    def by_id(self) -> dict[str, Chunk]:
        if self._by_id is None:
            self._by_id = {c.id: c for c in self.chunks}
        return self._by_id

    def top(self, tokens: list[str], k: int) -> list[tuple[float, int]]:
        """(score, chunk position) of the best k chunks with a positive score, best first."""
        ids = [self.vocab[t] for t in tokens if t in self.vocab]
        if not ids:
            return []
        scores = self.bm25.get_scores(ids)
        k = min(k, len(scores))
        if k == 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(float(scores[i]), int(i)) for i in top if scores[i] > 0]

    def search(self, tokens: list[str], k: int) -> list[LexicalHit]:
        return [LexicalHit(self.chunks[i], score) for score, i in self.top(tokens, k)]


class LexicalIndex:
    """All documents' BM25 indexes under `root` (settings.home / "lexical")."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._cache: dict[str, DocIndex] = {}
        self._lock = threading.Lock()

    def doc_dir(self, doc_id: str) -> Path:
        return self.root / doc_id

    def add_document(self, doc_id: str, chunks: list[Chunk]) -> None:
        """Build and persist the document's index; replaces any previous one."""
        words = chunk_words(chunks)
        add_words(words)
        corpus = [tokenize(c.text) for c in chunks]
        # bm25s cannot index an empty token list for every document; a placeholder keeps positions.
        corpus = [toks or ["∅"] for toks in corpus]
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        target = self.doc_dir(doc_id)
        # One temporary folder per writer: two processes may index the same document at once
        # (two ingests of one file, or a repair on open), and neither may delete the other's.
        tmp = target.with_name(f"{target.name}{TMP_MARK}{os.getpid()}-{uuid.uuid4().hex[:8]}")
        try:
            tmp.mkdir(parents=True)
            bm25.save(str(tmp), show_progress=False)
            (tmp / WORDS_FILE).write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
            # chunks.json last: its presence is what marks a folder as a complete index.
            (tmp / CHUNKS_FILE).write_text(json.dumps([c.to_dict() for c in chunks], ensure_ascii=False),
                                           encoding="utf-8")
            _fsync_dir(tmp)
            # Swap in whole, so a reader never sees half an index.
            with self._lock:
                old = None
                if target.exists():
                    old = target.with_name(f"{target.name}{TMP_MARK}{os.getpid()}-{uuid.uuid4().hex[:8]}-old")
                    try:
                        target.rename(old)
                    except FileNotFoundError:
                        old = None  # another writer moved it meanwhile
                try:
                    tmp.rename(target)
                except OSError:
                    if not (target / CHUNKS_FILE).is_file():
                        raise
                    # another writer swapped in the same document's index first: keep theirs
                self._cache[doc_id] = DocIndex(bm25, chunks)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def has_document(self, doc_id: str) -> bool:
        return doc_id in self._cache or (self.doc_dir(doc_id) / CHUNKS_FILE).is_file()

    def remove_stale(self) -> int:
        """Delete temporary folders left by writers that died mid-write; returns how many."""
        if not self.root.is_dir():
            return 0
        n = 0
        for p in self.root.iterdir():
            if TMP_MARK not in p.name:
                continue
            pid = p.name.split(TMP_MARK, 1)[1].split("-", 1)[0]
            if pid.isdigit() and _alive(int(pid)):
                continue
            shutil.rmtree(p, ignore_errors=True)
            n += 1
        return n

    def remove_document(self, doc_id: str) -> None:
        with self._lock:
            self._cache.pop(doc_id, None)
            shutil.rmtree(self.doc_dir(doc_id), ignore_errors=True)

    def doc_ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if TMP_MARK not in p.name and (p / CHUNKS_FILE).is_file())

    def load(self, doc_id: str) -> DocIndex | None:
        """The document's index, from cache or disk; None if the document has none."""
        cached = self._cache.get(doc_id)
        if cached is not None:
            return cached
        d = self.doc_dir(doc_id)
        if not (d / CHUNKS_FILE).is_file():
            return None
        words_file = d / WORDS_FILE
        if words_file.is_file():
            add_words(json.loads(words_file.read_text(encoding="utf-8")))
        bm25 = bm25s.BM25.load(str(d))
        index = DocIndex(bm25, chunks_path=d / CHUNKS_FILE)
        with self._lock:
            self._cache.setdefault(doc_id, index)
        return index

    def preload(self) -> int:
        """Load every document's index into the cache (e.g. in a thread at start-up); returns how many.

        A first query over all documents otherwise pays this (~10 ms per document).
        """
        return sum(1 for d in self.doc_ids() if self.load(d) is not None)

    def chunk(self, doc_id: str, chunk_id: str) -> Chunk | None:
        index = self.load(doc_id)
        return index.by_id.get(chunk_id) if index else None

    def search(self, query: str, doc_ids: list[str] | None = None, k: int = 10) -> list[LexicalHit]:
        """Best k passages over the given documents (all when None), by BM25 score."""
        indexes = [ix for d in (doc_ids if doc_ids is not None else self.doc_ids()) if (ix := self.load(d))]
        # Tokenise after loading: loading teaches jieba the documents' subject names.
        tokens = tokenize(query)
        if not tokens:
            return []
        # Rank positions first; read passages only for the k that made it.
        ranked = [(score, n, i) for n, ix in enumerate(indexes) for score, i in ix.top(tokens, k)]
        ranked.sort(key=lambda r: -r[0])
        return [LexicalHit(indexes[n].chunks[i], score) for score, n, i in ranked[:k]]
