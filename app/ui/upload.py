"""Files uploaded through the web page: checked, copied under a content name, then ingested.

The uploader's file name is only a label: the copy lives at `home/uploads/<sha256><suffix>`, so
no name a browser sends ever becomes part of a path. Every failure comes back as a message naming
the file and the reason; the library is only written by a successful ingest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from budgetqa.app.zh import ingest_error
from budgetqa.ingest.pipeline import SUFFIXES, file_sha256

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass
class UploadOutcome:
    name: str  # the uploader's file name (display only)
    ok: bool
    message: str
    doc_id: str | None = None
    added: bool = False


def display_name(name: str) -> str:
    """The last path segment of what the browser sent, without control characters or slashes."""
    base = re.split(r"[/\\]", name or "")[-1]
    return _UNSAFE.sub("", base).strip()[:200] or "未命名文件"


def accept_upload(service, src: str | Path, name: str | None = None) -> UploadOutcome:
    """Check one uploaded file, copy it under its content hash, ingest it; never raises for bad input."""
    src = Path(src)
    label = display_name(name or src.name)
    suffix = Path(label).suffix.lower()
    if suffix not in SUFFIXES:
        return UploadOutcome(label, False, f"{label}：不支持的文件类型（{suffix or '无扩展名'}），请上传 PDF 或文本文件（.pdf/.txt/.md）")
    size = src.stat().st_size
    limit = service.settings.max_upload_mb
    if size > limit * 1024 * 1024:
        return UploadOutcome(label, False, f"{label}：文件过大（{size / 1048576:.1f} MB，上限 {limit} MB）")
    if size == 0:
        return UploadOutcome(label, False, f"{label}：文件为空")
    sha = file_sha256(src)
    if service.has(sha):  # same content already stored: no need to parse it again
        return UploadOutcome(label, True, f"{label}：已在文库中", sha[:12], False)
    dest = service.keep_upload(src, sha, suffix)
    result = service.ingest_one(dest, background_dense=True, label=label)
    if not result.ok:
        # the reader names the stored copy; people know the file by the name they uploaded
        reason = (result.error or "").replace(str(dest), "").replace(dest.name, "").lstrip(": ").strip()
        dest.unlink(missing_ok=True)
        return UploadOutcome(label, False, f"{label}：无法导入 — {ingest_error(reason)}")
    n = sum(result.tables_by_kind.values())
    if result.same_as:
        dest.unlink(missing_ok=True)  # the stored document keeps its own copy; these bytes are not it
        return UploadOutcome(label, True, f"{label}：与文库中的 {result.same_as} 是同一份文件，未重复导入",
                             result.doc_id, False)
    state = "已导入" if result.added else "已在文库中"
    return UploadOutcome(label, True, f"{label}：{state}，{n} 张表", result.doc_id, result.added)


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
