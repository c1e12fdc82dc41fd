"""Bulk extraction: a folder of documents → one standard dataset, in parallel, resumable.

Workers (separate processes) parse one file each and turn it into plain rows (`FileResult`);
the parent writes each result into a SQLite staging store next to the output, committed per
document, so an interrupted run loses at most the files in flight and `--resume` skips every
file whose content hash is already staged. The final format (csv folder, xlsx, parquet, sqlite)
is (re)written from the staging store at the end by `writers`. Nothing holds the
corpus in memory: at most `2 × workers` results are in flight.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from budgetqa.app.bulk.staging import Staging, staging_path
from budgetqa.app.bulk.worker import Audit, FileResult, failed_result, process_file
from budgetqa.app.bulk.writers import Marks, format_of, write_dataset
from budgetqa.ingest.errors import IngestError
from budgetqa.ingest.pipeline import DEFAULT_MAX_PAGES, expand_paths, failure_message, file_sha256

# A file in flight when two worker processes died is given up on (it is probably the cause).
MAX_ATTEMPTS = 2


# ---------------------------------------------------------------- the run (parent)


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
        except IngestError as exc:  # a FIFO or device: refused before anything reads (or blocks on) it
            yield p, None, failure_message(p, exc)
        except OSError as exc:
            reason = "no such file" if isinstance(exc, FileNotFoundError) else f"cannot read ({exc.strerror or exc})"
            if p.is_dir():
                reason = "is a folder"
            yield p, None, f"{p}: {reason}"


PARENT_POLL_SECONDS = 0.5


def _init_worker() -> None:
    # Ctrl-C reaches the whole process group; only the parent acts on it (it stops the workers),
    # so a worker never turns it into a half-finished result.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent(os.getppid())


def _exit_with_parent(parent: int) -> None:
    """Exit as soon as the parent is gone: a parent killed with -9 cannot stop its workers, and
    orphans would go on parsing (and holding memory) for nobody. A dead parent's children are
    re-parented, so a changed parent pid is the signal; polled, as no portable notice exists."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _pool(workers: int) -> ProcessPoolExecutor:
    # spawn: the parent runs a progress thread, and forking a threaded process can deadlock;
    # a worker is replaced every 200 files so parser memory cannot creep up over a long batch.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               max_tasks_per_child=200, initializer=_init_worker)


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
    audit: Audit | None = None,
    max_pages: int | None = DEFAULT_MAX_PAGES,
    scheduler: str | None = None,
    shared_path: bool = False,
    marks: Marks | None = None,
) -> BulkReport:
    """Parse every source file into the staging store next to `out`, then write `out` in `fmt`.

    `audit` (`budgetqa.app.audit.run`, passed by the CLI) gives each document's checks and findings.
    A PDF longer than `max_pages` (None: no limit) is refused before it is parsed.

    `scheduler` (tcp://HOST:8786) sends the per-file work to that Dask cluster instead of `workers`
    local processes; the files travel as bytes, or as paths every worker reads with `shared_path`.
    Staging, --resume and the dataset are the same either way: only this process writes.

    `marks` (content hash → {finding id: (mark, note)}, the store's reviewer marks) fills the findings
    table's mark and note columns.

    Without `resume` an earlier staging store for `out` is discarded. `on_event(kind, result, report)`
    sees "start" (report.files set), "skip", "done" and "end" events (for progress bars).
    """
    fmt = fmt or format_of(out)
    started = time.perf_counter()
    files = expand_paths(sources)
    report = BulkReport(files=len(files))
    stage_file = staging_path(out)
    if not resume:
        for suffix in ("", "-wal", "-shm"):
            Path(str(stage_file) + suffix).unlink(missing_ok=True)
    staging = Staging(stage_file)
    emit = on_event or (lambda *a: None)
    emit("start", None, report)
    try:
        _run(files, staging, max(1, workers), resume, retry_failed, report, emit, audit, max_pages, scheduler,
             shared_path)
    except KeyboardInterrupt:
        report.interrupted = True  # staged documents stay; the dataset below is still written
    finally:
        report.seconds = time.perf_counter() - started
        statuses = staging.status_of(str(p) for p in files)
        report.failed_total = sum(1 for s in statuses.values() if s == "failed")
        staging.close()
    write_dataset(stage_file, out, fmt, marks)
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


def _run(files, staging: Staging, workers: int, resume: bool, retry_failed: bool, report: BulkReport, emit,
         audit: Audit | None = None, max_pages: int | None = DEFAULT_MAX_PAGES, scheduler: str | None = None,
         shared_path: bool = False) -> None:
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

    if scheduler:
        from budgetqa.app.bulk.cluster import cluster_results

        results = cluster_results(todo, scheduler, audit, max_pages, shared_path)
    else:
        results = _local_results(todo, workers, audit, max_pages)
    with closing(results):  # an interruption in finish() still stops the workers
        for result in results:
            finish(result)


def _local_results(todo: list[tuple[str, str | None]], workers: int, audit: Audit | None,
                   max_pages: int | None) -> Iterator[FileResult]:
    """Parse `todo` in a local process pool; yield each file's result once, as it finishes."""
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
                    inflight[pool.submit(process_file, *item, audit, max_pages)] = item
                finished, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for fut in finished:
                    result = fut.result()  # BrokenProcessPool surfaces here, the file still in flight
                    del inflight[fut]
                    yield result
        except BrokenProcessPool:
            # A worker died (killed, out of memory, a crash in a native library): retry what was in
            # flight once in a fresh pool; a file in flight at two deaths is reported as failed.
            lost = list(inflight.values())
            pool.shutdown(wait=False, cancel_futures=True)
            for item in lost:
                if attempts[item[0]] >= MAX_ATTEMPTS:
                    yield failed_result(item[0], item[1], f"{item[0]}: the worker process died while parsing it (twice)")
                else:
                    queue.append(item)
            continue
        except BaseException:  # GeneratorExit included: the caller stopped (Ctrl-C, a kill)
            _stop(pool)
            raise
        pool.shutdown()
