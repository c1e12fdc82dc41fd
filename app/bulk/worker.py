"""Worker side of bulk extraction: one file → plain picklable rows (pure apart from reading the file)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from budgetqa.app.bulk.schema import CORE_FIGURES
from budgetqa.app.measures import document_unit, summary_row
from budgetqa.ingest.errors import IngestError
from budgetqa.ingest.facts import document_facts
from budgetqa.ingest.pipeline import DEFAULT_MAX_PAGES, failure_message, read_document
from budgetqa.ingest.serialize import plain


@dataclass
class FileResult:
    """Everything the dataset holds about one file, as plain picklable rows."""

    path: str
    sha256: str | None
    status: str  # ok / partial / failed
    reason: str = ""
    document: dict = field(default_factory=dict)
    summary: dict | None = None
    facts: list[tuple] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    seconds: float = 0.0


def _flat(d: dict) -> dict:
    """One level of nesting spread into columns: {"left": {"table": …}} → {"left_table": …}."""
    out = {}
    for k, v in plain(d).items():
        if isinstance(v, dict):
            out.update({f"{k}_{sub}": w for sub, w in v.items()})
        else:
            out[k] = v
    return out


def _fact_rows(doc) -> list[tuple]:
    tables = {(t.index, t.side): t for t in doc.tables}
    rows = []
    for f in document_facts(doc):
        t = tables.get((f.table_index, f.side))
        line = t.rows[f.row_index].line if t is not None else None
        rows.append((
            doc.sha256, f.fact_id, f.table_index, t.number if t else None, f.table_title, f.table_kind, f.side,
            t.unit if t else None, f.row_index, f.row_code, f.row_name, f.column, format(f.value, "f"), f.unit,
            f.page, line,
        ))
    return rows


def _status(doc, summary: dict) -> tuple[str, str]:
    standard = [t for t in doc.tables if t.kind != "other"]
    if not standard:
        return "partial", "no standard table recognised"
    problems = list(doc.warnings)
    missing = [f for f in CORE_FIGURES if summary.get(f) is None]
    if missing:
        problems.append("not found: " + ", ".join(missing))
    return ("partial", "; ".join(problems)) if problems else ("ok", "")


# The consistency audit, given by the caller (`budgetqa.app.audit.run`; the CLI passes it in):
# document → an outcome with `checks` and `findings`. A module-level function, so it pickles.
Audit = Callable[[object], object]


def document_result(doc, path: str, audit: Audit | None = None) -> FileResult:
    """Rows of one parsed document (pure: no I/O); `audit` fills the checks and findings."""
    summary = summary_row(doc)
    status, reason = _status(doc, summary)
    facts = _fact_rows(doc)
    checks: list[dict] = []
    findings: list[dict] = []
    try:
        if audit is not None:
            outcome = audit(doc)
            checks = [_flat(c.to_dict()) for c in outcome.checks]
            findings = [_flat(f.to_dict()) for f in outcome.findings]
    except Exception as exc:  # an audit bug must not lose the document's figures
        reason = "; ".join(filter(None, [reason, f"audit failed ({type(exc).__name__}: {exc})"]))
    meta = {"department": doc.department, "year": doc.year, "scope": doc.scope, "kind": doc.kind}
    document = {
        "path": path, "sha256": doc.sha256, "status": status, "reason": reason, **meta,
        "unit": document_unit(doc), "pages": doc.pages, "tables": len({t.index for t in doc.tables}),
        "standard_tables": len({t.index for t in doc.tables if t.kind != "other"}), "facts": len(facts),
        "source_format": doc.source_format,
    }
    return FileResult(
        path=path, sha256=doc.sha256, status=status, reason=reason, document=document,
        summary={"sha256": doc.sha256, "path": path, **meta, **summary}, facts=facts, checks=checks,
        findings=findings,
    )


def failed_result(path: str, sha256: str | None, reason: str) -> FileResult:
    document = {"path": path, "sha256": sha256, "status": "failed", "reason": reason}
    return FileResult(path=path, sha256=sha256, status="failed", reason=reason, document=document)


def process_file(path: str, sha256: str | None = None, audit: Audit | None = None,
                 max_pages: int | None = DEFAULT_MAX_PAGES, source: str | None = None) -> FileResult:
    """Worker: parse one file and compute its rows; never raises for a bad file.

    `source` is where the bytes are read when not at `path` (a copy received by a cluster worker,
    or the shared mount's absolute path); the rows always name `path`, as the caller gave it.
    """
    start = time.perf_counter()
    try:
        doc = read_document(Path(source or path), max_pages=max_pages)
        result = document_result(doc, path, audit)
    except IngestError as exc:
        result = failed_result(path, sha256, failure_message(Path(path), exc))
    except Exception as exc:  # a parser bug must not stop the batch; name the file and the cause
        result = failed_result(path, sha256, f"{path}: could not parse ({type(exc).__name__}: {exc})")
    result.seconds = round(time.perf_counter() - start, 3)
    result.document["seconds"] = result.seconds
    return result


