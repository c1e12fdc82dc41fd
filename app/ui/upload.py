"""Files uploaded through the web page: checked, copied under a content name, then ingested.

The uploader's file name is only a label: the copy lives at `home/uploads/<sha256><suffix>`, so
no name a browser sends ever becomes part of a path. Every failure comes back as a message naming
the file and the reason; the library is only written by a successful ingest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from budgetqa.app.messages import ZH, Words
from budgetqa.ingest.pipeline import SUFFIXES, file_sha256

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass
class UploadOutcome:
    name: str  # the uploader's file name (display only)
    ok: bool
    message: str
    doc_id: str | None = None
    added: bool = False


def display_name(name: str, words: Words = ZH) -> str:
    """The last path segment of what the browser sent, without control characters or slashes."""
    base = re.split(r"[/\\]", name or "")[-1]
    return _UNSAFE.sub("", base).strip()[:200] or words("upload.unnamed")


def accept_upload(service, src: str | Path, name: str | None = None, words: Words = ZH) -> UploadOutcome:
    """Check one uploaded file, copy it under its content hash, ingest it; never raises for bad input."""
    w = words
    src = Path(src)
    label = display_name(name or src.name, w)
    suffix = Path(label).suffix.lower()
    if suffix not in SUFFIXES:
        return UploadOutcome(label, False, w("upload.bad_type", name=label, suffix=suffix or w("upload.no_suffix")))
    size = src.stat().st_size
    limit = service.settings.max_upload_mb
    if size > limit * 1024 * 1024:
        return UploadOutcome(label, False, w("upload.too_big", name=label, mb=size / 1048576, limit=limit))
    if size == 0:
        return UploadOutcome(label, False, w("upload.empty", name=label))
    sha = file_sha256(src)
    if service.has(sha):  # same content already stored: no need to parse it again
        return UploadOutcome(label, True, w("upload.stored", name=label), sha[:12], False)
    dest = service.keep_upload(src, sha, suffix)
    result = service.ingest_one(dest, background_dense=True, label=label)
    if not result.ok:
        # the reader names the stored copy; people know the file by the name they uploaded
        reason = (result.error or "").replace(str(dest), "").replace(dest.name, "").lstrip(": ").strip()
        dest.unlink(missing_ok=True)
        return UploadOutcome(label, False, w("upload.failed", name=label, reason=w.ingest_error(reason)))
    n = sum(result.tables_by_kind.values())
    if result.same_as:
        dest.unlink(missing_ok=True)  # the stored document keeps its own copy; these bytes are not it
        return UploadOutcome(label, True, w("upload.same_as", name=label, other=result.same_as), result.doc_id, False)
    if not result.added:
        return UploadOutcome(label, True, w("upload.already", name=label, n=n), result.doc_id, False)
    return UploadOutcome(label, True, w("upload.added", name=label, n=n), result.doc_id, True)


def discard_received(path: str | Path) -> None:
    """Delete a file the web server received, once handled (copied under home/uploads or refused).

    Gradio keeps uploads in its cache folder, one folder per content hash, and serves them to
    anyone with the path; an empty hash folder is removed with it.
    """
    path = Path(path)
    try:
        path.unlink(missing_ok=True)
        path.parent.rmdir()
    except OSError:  # the folder holds other files, or is gone already
        pass
