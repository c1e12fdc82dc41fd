"""From paths on disk to stored documents: dispatch by file type, one result per file."""

from __future__ import annotations

import glob
import hashlib
import logging
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from budgetqa.ingest.errors import IngestError, NotARegularFile, TooManyPages, UnsupportedFile
from budgetqa.ingest.facts import promote_counts
from budgetqa.ingest.models import Document
from budgetqa.ingest.toc import pdf_toc, text_toc

log = logging.getLogger(__name__)

SUFFIXES = {".pdf", ".txt", ".md"}
# Longest PDF read, in pages (Settings.max_pages says the same for the service; bulk, which reads no
# settings, uses this): parsing memory grows with the pages.
DEFAULT_MAX_PAGES = 1000


@dataclass
class IngestResult:
    path: str
    doc_id: str | None = None
    document: Document | None = None
    added: bool = False  # False when the same content was already stored
    same_as: str | None = None  # file name of the stored document these bytes are another copy of
    error: str | None = None
    tables_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def check_regular(path: Path) -> None:
    """Refuse what is not a regular file (folder, FIFO, device, socket) before anything opens it.

    Opening a FIFO for reading blocks until a writer appears, which may be never.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise IngestError(str(path), "no such file") from None
    except OSError as exc:
        raise IngestError(str(path), f"cannot read ({exc.strerror or exc})", "check the path and permissions") from exc
    if stat.S_ISDIR(mode):
        raise UnsupportedFile(str(path), "is a folder")
    if not stat.S_ISREG(mode):
        raise NotARegularFile(str(path), "not a regular file (a FIFO, device or socket)",
                              "give a .pdf, .txt or .md file")


def file_sha256(path: Path) -> str:
    """Content hash of a file, read in blocks (documents are keyed by it).

    Opened without blocking and checked to be a regular file first, so a FIFO swapped in after
    a check cannot hang the caller: it raises NotARegularFile (an IngestError).
    """
    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotARegularFile(str(path), "not a regular file (a FIFO, device or socket)",
                                  "give a .pdf, .txt or .md file")
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def pdf_page_count(path: Path) -> int | None:
    """Pages of a PDF from its page tree's count (cheap: no page is parsed); None if unreadable."""
    try:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfparser import PDFParser
        from pdfminer.pdftypes import resolve1

        with open(path, "rb") as fh:
            return int(resolve1(resolve1(PDFDocument(PDFParser(fh)).catalog["Pages"])["Count"]))
    except Exception:  # a broken file: the reader proper reports it with a better reason
        return None


def read_document(path: Path, max_pages: int | None = None) -> Document:
    """Parse one file into a Document (PDF or text conversion). Raises IngestError naming the file.

    `max_pages` refuses longer PDFs before they are parsed (memory grows with the pages read).
    """
    path = Path(path)
    check_regular(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from budgetqa.ingest.pdf import read_pdf

        if max_pages:
            n = pdf_page_count(path)
            if n is not None and n > max_pages:
                raise TooManyPages(str(path), f"{n} pages, more than the limit of {max_pages}",
                                   "raise BUDGETQA_MAX_PAGES or split the PDF")
        doc = _normalize(read_pdf(path))
        doc.toc = pdf_toc(path)
        return doc
    if suffix in (".txt", ".md"):
        from budgetqa.ingest.text import decode, read_text

        doc = _normalize(read_text(path))
        doc.toc = text_toc(decode(path.read_bytes(), path.name))
        return doc
    raise UnsupportedFile(str(path), f"unsupported file type {suffix or '(none)'}", "give a .pdf, .txt or .md file")


def _normalize(doc: Document) -> Document:
    """Reader-independent touches: counts with units, and titles that tell same-named tables apart."""
    for t in doc.tables:
        promote_counts(t)
    seen: dict[str, list] = {}
    for t in doc.tables:
        seen.setdefault(t.title, []).append(t)
    for same in seen.values():
        if len(same) > 1 and len({t.qualifier for t in same}) == len(same) and all(t.qualifier for t in same):
            for t in same:
                t.title = f"{t.title}（{t.qualifier}）"
    return doc


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, folders walked for .pdf/.txt/.md, globs expanded; sorted, de-duplicated, missing
    paths kept so they get reported (`budgetqa ingest` and `budgetqa bulk` both take sources this way)."""
    out: list[Path] = []
    for src in map(str, paths):
        p = Path(src)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES))
        elif not p.exists() and any(ch in src for ch in "*?["):
            out.extend(sorted(Path(m) for m in glob.glob(src, recursive=True) if Path(m).is_file()))
        else:
            out.append(p)
    seen: set[str] = set()
    unique = []
    for p in out:
        key = str(p.resolve()) if p.exists() else str(p)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def tables_by_kind(doc: Document) -> dict[str, int]:
    counts: dict[str, int] = {}
    seen: set[int] = set()
    for t in doc.tables:
        if t.index in seen:
            continue
        seen.add(t.index)
        counts[t.kind] = counts.get(t.kind, 0) + 1
    return counts


class DocumentIndex(Protocol):
    """What ingest needs of the retrieval index (budgetqa.app.retrieval.index.Index)."""

    def add_document(self, doc: Document, background: bool = True): ...

    def remove_document(self, doc_id: str) -> None: ...

    def has_document(self, doc_id: str) -> bool: ...


def failure_message(path: Path, exc: IngestError) -> str:
    """One line naming the file as the caller gave it (readers name only the base name)."""
    return f"{path}: {exc.reason}" + (f" ({exc.hint})" if exc.hint else "")


def ingest_file(path: Path, store, index: DocumentIndex | None = None, background: bool = True,
                max_pages: int | None = None) -> IngestResult:
    """Parse, store and index one file; never raises for bad input, the reason goes into the result.

    The store commits first and the index is built from the stored document, so a crash in
    between leaves a document whose index `Index.repair` rebuilds; an index error undoes the
    store write, so a failed file leaves nothing behind and the batch goes on.
    """
    path = Path(path)
    result = IngestResult(path=str(path))
    try:
        doc = read_document(path, max_pages=max_pages)
    except IngestError as exc:
        result.error = failure_message(path, exc)
        return result
    except Exception as exc:  # a parser bug must not stop a batch; name the file and the cause
        result.error = f"{path}: could not parse ({type(exc).__name__}: {exc})"
        return result
    result.document = doc
    result.doc_id = doc.doc_id
    result.tables_by_kind = tables_by_kind(doc)
    try:
        stored = store.put(doc)
    except Exception as exc:
        result.error = f"{path}: could not store ({type(exc).__name__}: {exc}); nothing was written"
        return result
    result.added, result.doc_id, result.same_as = stored.added, stored.doc_id, stored.same_as
    if index is None:
        return result
    # Already stored (or a copy of a stored document): its index may have been lost to a crash
    # between the store commit and the index write; ingesting again rebuilds it.
    if not result.added and index.has_document(result.doc_id):
        return result
    try:
        target = doc if result.added else store.document(result.doc_id)
        index.add_document(target, background=background)
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        kept = "the stored copy was left as it was"
        if result.added:
            try:  # a stored document nothing can retrieve would answer figures but never passages
                index.remove_document(result.doc_id)
                store.remove(result.doc_id)
                kept = "nothing was kept"
            except Exception as undo:
                log.warning("%s: could not undo the store write: %s", path, undo)
                kept = "run `budgetqa index` to rebuild the index"
        result.error = f"{path}: could not index ({reason}); {kept}"
        result.added = False
    return result
