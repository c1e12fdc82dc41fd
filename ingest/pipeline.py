"""From paths on disk to stored documents: dispatch by file type, one result per file."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from budgetqa.ingest.errors import IngestError, UnsupportedFile
from budgetqa.ingest.facts import promote_counts
from budgetqa.ingest.models import Document

SUFFIXES = {".pdf", ".txt", ".md"}


@dataclass
class IngestResult:
    path: str
    doc_id: str | None = None
    document: Document | None = None
    added: bool = False  # False when the same content was already stored
    error: str | None = None
    tables_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def file_sha256(path: Path) -> str:
    """Content hash of a file, read in blocks (documents are keyed by it)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_document(path: Path) -> Document:
    """Parse one file into a Document (PDF or text conversion). Raises IngestError naming the file."""
    if not path.exists():
        raise IngestError(str(path), "no such file")
    if path.is_dir():
        raise UnsupportedFile(str(path), "is a folder")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from budgetqa.ingest.pdf import read_pdf

        return _normalize(read_pdf(path))
    if suffix in (".txt", ".md"):
        from budgetqa.ingest.text import read_text

        return _normalize(read_text(path))
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
    """Files as given, folders walked for .pdf/.txt/.md (sorted); missing paths kept so they get reported."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES))
        else:
            out.append(p)
    return out


def tables_by_kind(doc: Document) -> dict[str, int]:
    counts: dict[str, int] = {}
    seen: set[int] = set()
    for t in doc.tables:
        if t.index in seen:
            continue
        seen.add(t.index)
        counts[t.kind] = counts.get(t.kind, 0) + 1
    return counts


def ingest_file(path: Path, store, on_document: Callable[[Document], None] | None = None) -> IngestResult:
    """Parse and store one file; never raises for bad input, the reason goes into the result."""
    result = IngestResult(path=str(path))
    try:
        doc = read_document(path)
    except IngestError as exc:
        result.error = str(exc)
        return result
    except Exception as exc:  # a parser bug must not stop a batch; name the file and the cause
        result.error = f"{path}: could not parse ({type(exc).__name__}: {exc})"
        return result
    result.document = doc
    result.doc_id = doc.doc_id
    result.tables_by_kind = tables_by_kind(doc)
    try:
        result.added = store.add(doc)
    except Exception as exc:
        result.error = f"{path}: could not store ({type(exc).__name__}: {exc}); nothing was written"
        return result
    if result.added and on_document is not None:
        on_document(doc)
    return result
