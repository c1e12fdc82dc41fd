"""Bulk extraction: a folder of documents → one standard dataset, in parallel, resumable.

Workers (separate processes) parse one file each and turn it into plain rows (`FileResult`);
the parent writes each result into a SQLite staging store next to the output, committed per
document, so an interrupted run loses at most the files in flight and `--resume` skips every
file whose content hash is already staged. The final format (csv folder, xlsx, parquet, sqlite)
is (re)written from the staging store at the end by `app/bulk_writers.py`. Nothing holds the
corpus in memory: at most `2 × workers` results are in flight.
"""

from __future__ import annotations

import glob
import json
import multiprocessing
import signal
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from app.headline import FIGURES, document_unit, summary_row
from ingest.pipeline import SUFFIXES, file_sha256

DOCUMENT_COLUMNS = [
    "path", "sha256", "status", "reason", "department", "year", "scope", "kind", "unit", "pages",
    "tables", "standard_tables", "facts", "source_format", "seconds",
]
SUMMARY_KEYS = ["sha256", "path", "department", "year", "scope", "kind"]
SUMMARY_COLUMNS = SUMMARY_KEYS + [c for f in FIGURES for c in (f, f"{f}__source")]
FACT_COLUMNS = [
    "sha256", "fact_id", "table_index", "table_number", "table_title", "table_kind", "side", "table_unit",
    "row_index", "row_code", "row_name", "column", "value", "unit", "page", "line",
]
# Figures without which a parsed document counts as partial (its tables were not all understood).
CORE_FIGURES = ("收入总计", "本年支出合计", "基本支出", "项目支出")
# A file in flight when two worker processes died is given up on (it is probably the cause).
MAX_ATTEMPTS = 2


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


# ---------------------------------------------------------------- worker side (pure apart from reading the file)




def _audit_module():
    """app.audit (written alongside this module) when it exists; None until then."""
    try:
        import app.audit as audit
    except ModuleNotFoundError as exc:
        if exc.name == "app.audit":
            return None
        raise
    return audit


def _plain(value):
    """JSON-able: Decimals as exact strings, dataclasses via to_dict()."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _flat(d: dict) -> dict:
    """One level of nesting spread into columns: {"left": {"table": …}} → {"left_table": …}."""
    out = {}
    for k, v in _plain(d).items():
        if isinstance(v, dict):
            out.update({f"{k}_{sub}": w for sub, w in v.items()})
        else:
            out[k] = v
    return out


def _fact_rows(doc) -> list[tuple]:
    from ingest.facts import document_facts

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


def document_result(doc, path: str) -> FileResult:
    """Rows of one parsed document (pure: no I/O)."""
    summary = summary_row(doc)
    status, reason = _status(doc, summary)
    facts = _fact_rows(doc)
    checks: list[dict] = []
    findings: list[dict] = []
    audit = _audit_module()
    if audit is not None:
        try:
            if hasattr(audit, "run"):  # one pass gives both
                outcome = audit.run(doc)
                found_checks, found_findings = outcome.checks, outcome.findings
            else:
                found_checks, found_findings = audit.identity_checks(doc), audit.audit(doc)
            checks = [_flat(c.to_dict()) for c in found_checks]
            findings = [_flat(f.to_dict()) for f in found_findings]
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


def process_file(path: str, sha256: str | None = None) -> FileResult:
    """Worker: parse one file and compute its rows; never raises for a bad file."""
    from ingest.errors import IngestError
    from ingest.pipeline import read_document

    start = time.perf_counter()
    try:
        doc = read_document(Path(path))
        result = document_result(doc, path)
    except IngestError as exc:
        result = failed_result(path, sha256, str(exc))
    except Exception as exc:  # a parser bug must not stop the batch; name the file and the cause
        result = failed_result(path, sha256, f"{path}: could not parse ({type(exc).__name__}: {exc})")
    result.seconds = round(time.perf_counter() - start, 3)
    result.document["seconds"] = result.seconds
    return result


# ---------------------------------------------------------------- staging store (parent only)


def staging_path(out: Path) -> Path:
    """The staging store lives next to the output: data.parquet → data.parquet.staging.sqlite."""
    return out.with_name(out.name + ".staging.sqlite")


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Staging:
    """Append-friendly SQLite store of finished files; one transaction per document."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        cols = lambda names: ", ".join(quote_ident(c) for c in names)  # noqa: E731
        self.db.executescript(
            f"""
            CREATE TABLE IF NOT EXISTS documents ({cols(DOCUMENT_COLUMNS)}, PRIMARY KEY (path));
            CREATE TABLE IF NOT EXISTS summary ({cols(SUMMARY_COLUMNS)}, PRIMARY KEY (sha256));
            CREATE TABLE IF NOT EXISTS facts ({cols(FACT_COLUMNS)});
            CREATE INDEX IF NOT EXISTS facts_sha ON facts (sha256);
            CREATE TABLE IF NOT EXISTS checks (sha256, seq, data);
            CREATE TABLE IF NOT EXISTS findings (sha256, seq, data);
            """
        )
        self._add_missing_summary_columns()

    def _add_missing_summary_columns(self) -> None:
        """A staging store from an older rule set gains the new figure columns (NULL for old rows)."""
        have = {r[1] for r in self.db.execute("PRAGMA table_info(summary)")}
        for c in SUMMARY_COLUMNS:
            if c not in have:
                self.db.execute(f"ALTER TABLE summary ADD COLUMN {quote_ident(c)}")
        self.db.commit()

    def done(self) -> dict[str, str]:
        """Content hash → status of every staged file."""
        return dict(self.db.execute("SELECT sha256, status FROM documents WHERE sha256 IS NOT NULL"))

    def paths(self) -> dict[str, str | None]:
        return dict(self.db.execute("SELECT path, sha256 FROM documents"))

    def add(self, result: FileResult) -> None:
        """Write one file's rows and commit (a crash after this loses nothing of it)."""
        with self.db:
            self._forget_path(result.path, keep=result.sha256)
            if result.sha256:
                for table in ("summary", "facts", "checks", "findings"):
                    self.db.execute(f"DELETE FROM {table} WHERE sha256 = ?", (result.sha256,))
            self._put("documents", {c: result.document.get(c) for c in DOCUMENT_COLUMNS})
            if result.summary is not None:
                self._put("summary", {c: result.summary.get(c) for c in SUMMARY_COLUMNS})
            if result.facts:
                marks = ", ".join("?" * len(FACT_COLUMNS))
                self.db.executemany(f"INSERT INTO facts VALUES ({marks})", result.facts)
            for table, items in (("checks", result.checks), ("findings", result.findings)):
                self.db.executemany(
                    f"INSERT INTO {table} VALUES (?, ?, ?)",
                    [(result.sha256, i, json.dumps(d, ensure_ascii=False)) for i, d in enumerate(items)],
                )

    def add_copy(self, path: str, sha256: str, seconds: float = 0.0) -> None:
        """A second file with content already staged: its own documents row, the rows are shared."""
        cur = self.db.execute(
            f"SELECT {', '.join(quote_ident(c) for c in DOCUMENT_COLUMNS)} FROM documents WHERE sha256 = ? LIMIT 1",
            (sha256,),
        ).fetchone()
        if cur is None:
            return
        row = dict(zip(DOCUMENT_COLUMNS, cur))
        if row["path"] == path:
            return
        original = row["path"]
        row.update(path=path, seconds=seconds,
                   reason="; ".join(filter(None, [row["reason"], f"same content as {original}"])))
        with self.db:
            self._forget_path(path, keep=sha256)
            self._put("documents", row)

    def _forget_path(self, path: str, keep: str | None) -> None:
        """A path whose content changed: drop its old row, and the old content's rows if now unreferenced."""
        old = self.db.execute("SELECT sha256 FROM documents WHERE path = ?", (path,)).fetchone()
        self.db.execute("DELETE FROM documents WHERE path = ?", (path,))
        if old and old[0] and old[0] != keep:
            still = self.db.execute("SELECT 1 FROM documents WHERE sha256 = ?", (old[0],)).fetchone()
            if not still:
                for table in ("summary", "facts", "checks", "findings"):
                    self.db.execute(f"DELETE FROM {table} WHERE sha256 = ?", (old[0],))

    def _put(self, table: str, row: dict) -> None:
        names = ", ".join(quote_ident(c) for c in row)
        self.db.execute(f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({', '.join('?' * len(row))})",
                        list(row.values()))

    def status_of(self, paths: Iterable[str]) -> dict[str, str]:
        wanted = set(paths)
        return {p: s for p, s in self.db.execute("SELECT path, status FROM documents") if p in wanted}

    def close(self) -> None:
        self.db.close()


# ---------------------------------------------------------------- the run (parent)


def expand_sources(sources: Iterable[str | Path]) -> list[Path]:
    """Files as given, folders walked for .pdf/.txt/.md, globs expanded; sorted, de-duplicated, missing kept."""
    out: list[Path] = []
    for src in map(str, sources):
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


@dataclass
class BulkReport:
    files: int = 0
    processed: int = 0  # parsed in this run
    skipped: int = 0  # content already staged (--resume)
    ok: int = 0
    partial: int = 0
    failed: int = 0  # in this run
    failed_total: int = 0  # among the given files, in the dataset (this run or an earlier one)
    seconds: float = 0.0
    interrupted: bool = False
    failures: list[str] = field(default_factory=list)

    @property
    def docs_per_minute(self) -> float:
        return 60 * self.processed / self.seconds if self.seconds else 0.0


Event = Callable[[str, FileResult | None, BulkReport], None]


def _hash_all(files: list[Path]) -> Iterator[tuple[Path, str | None, str]]:
    for p in files:
        try:
            yield p, file_sha256(p), ""
        except OSError as exc:
            reason = "no such file" if isinstance(exc, FileNotFoundError) else f"cannot read ({exc.strerror or exc})"
            if p.is_dir():
                reason = "is a folder"
            yield p, None, f"{p}: {reason}"


def _ignore_sigint() -> None:
    # Ctrl-C reaches the whole process group; only the parent acts on it (it stops the workers),
    # so a worker never turns it into a half-finished result.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool(workers: int) -> ProcessPoolExecutor:
    # spawn: the parent runs a progress thread, and forking a threaded process can deadlock;
    # a worker is replaced every 200 files so parser memory cannot creep up over a long batch.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               max_tasks_per_child=200, initializer=_ignore_sigint)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop now: the files in flight are abandoned (a --resume parses them again)."""
    for proc in list(getattr(pool, "_processes", {}).values()):  # no public API to stop running calls
        proc.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def run_bulk(
    sources: Iterable[str | Path],
    out: Path,
    workers: int = 1,
    resume: bool = False,
    retry_failed: bool = False,
    on_event: Event | None = None,
    fmt: str | None = None,
) -> BulkReport:
    """Parse every source file into the staging store next to `out`, then write `out` in `fmt`.

    Without `resume` an earlier staging store for `out` is discarded. `on_event(kind, result, report)`
    sees "start" (report.files set), "skip", "done" and "end" events (for progress bars).
    """
    from app.bulk_writers import format_of, write_dataset

    fmt = fmt or format_of(out)
    started = time.perf_counter()
    files = expand_sources(sources)
    report = BulkReport(files=len(files))
    stage_file = staging_path(out)
    if not resume:
        for suffix in ("", "-wal", "-shm"):
            Path(str(stage_file) + suffix).unlink(missing_ok=True)
    staging = Staging(stage_file)
    emit = on_event or (lambda *a: None)
    emit("start", None, report)
    try:
        _run(files, staging, max(1, workers), resume, retry_failed, report, emit)
    except KeyboardInterrupt:
        report.interrupted = True  # staged documents stay; the dataset below is still written
    finally:
        report.seconds = time.perf_counter() - started
        statuses = staging.status_of(str(p) for p in files)
        report.failed_total = sum(1 for s in statuses.values() if s == "failed")
        staging.close()
    write_dataset(stage_file, out, fmt)
    emit("end", None, report)
    return report


def _count(report: BulkReport, result: FileResult) -> None:
    report.processed += 1
    if result.status == "ok":
        report.ok += 1
    elif result.status == "partial":
        report.partial += 1
    else:
        report.failed += 1
        report.failures.append(result.reason)


def _run(files, staging: Staging, workers: int, resume: bool, retry_failed: bool, report: BulkReport, emit) -> None:
    done = staging.done() if resume else {}
    staged_paths = staging.paths() if resume else {}
    todo: list[tuple[str, str | None]] = []  # (path, sha) to parse, one per content
    copies: dict[str, list[str]] = {}  # sha → further paths with the same content in this batch
    queued: set[str] = set()
    for path, sha, error in _hash_all(files):
        p = str(path)
        if error:
            result = failed_result(p, None, error)
            staging.add(result)
            _count(report, result)
            emit("done", result, report)
            continue
        if sha in done and not (retry_failed and done[sha] == "failed"):
            if staged_paths.get(p) != sha:
                staging.add_copy(p, sha)
            report.skipped += 1
            emit("skip", None, report)
            continue
        if sha in queued:
            copies.setdefault(sha, []).append(p)
            continue
        queued.add(sha)
        todo.append((p, sha))

    def finish(result: FileResult) -> None:
        staging.add(result)
        _count(report, result)
        emit("done", result, report)
        for other in copies.pop(result.sha256 or "", []):
            staging.add_copy(other, result.sha256, result.seconds)
            report.skipped += 1
            emit("skip", None, report)

    attempts: dict[str, int] = {}
    queue = list(reversed(todo))  # pop() from the end keeps the given order
    while queue:
        pool = _pool(workers)
        inflight: dict[Future, tuple[str, str | None]] = {}
        try:
            while queue or inflight:
                while queue and len(inflight) < 2 * workers:
                    item = queue.pop()
                    attempts[item[0]] = attempts.get(item[0], 0) + 1
                    inflight[pool.submit(process_file, *item)] = item
                finished, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for fut in finished:
                    result = fut.result()  # BrokenProcessPool surfaces here, the file still in flight
                    del inflight[fut]
                    finish(result)
        except BrokenProcessPool:
            # A worker died (killed, out of memory, a crash in a native library): retry what was in
            # flight once in a fresh pool; a file in flight at two deaths is reported as failed.
            for fut, item in inflight.items():
                if attempts[item[0]] >= MAX_ATTEMPTS:
                    finish(failed_result(item[0], item[1], f"{item[0]}: the worker process died while parsing it (twice)"))
                else:
                    queue.append(item)
            pool.shutdown(wait=False, cancel_futures=True)
            continue
        except BaseException:
            _stop(pool)
            raise
        pool.shutdown()
