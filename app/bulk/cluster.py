"""Bulk on a Dask cluster: the per-file work runs as `distributed` tasks; the caller stages the results.

The client (the `budgetqa bulk` process) keeps today's guarantees because it alone writes: it
sends one task per file, takes each result once from its future and hands it to the staging
store. Dask re-runs the task of a worker lost mid-file on another worker (the scheduler keeps the
task and its arguments), so a lost worker loses nothing; a file that takes several workers down
with it (`distributed.scheduler.allowed-failures`, default 3) becomes a failed row. A result is
taken from its future once and the future released, so nothing is doubled.

The files travel as bytes inside the task (workers need no access to the client's disk), or,
with `shared_path`, as an absolute path that every worker can read (a shared mount). Workers
need budgetqa installed, nothing else.
"""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from budgetqa.app.bulk.worker import Audit, FileResult, failed_result, process_file
from budgetqa.ingest.pipeline import DEFAULT_MAX_PAGES

# Results in flight per worker thread: one parsing, one queued so no thread waits on the client.
IN_FLIGHT_PER_THREAD = 2
CONNECT_TIMEOUT = "30s"


class ClusterUnavailable(RuntimeError):
    """No Dask scheduler answered at the address given."""


def process_bytes(path: str, data: bytes, sha256: str | None, audit: Audit | None = None,
                  max_pages: int | None = DEFAULT_MAX_PAGES) -> FileResult:
    """Worker task: parse a file received as bytes (a private copy under its own name), rows naming `path`."""
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:  # damaged on the way: never stage it
        return failed_result(path, sha256, f"{path}: the bytes received by the worker differ from the file's")
    with tempfile.TemporaryDirectory(prefix="budgetqa-bulk-") as tmp:
        # Same base name: the readers take the department and year from it when the cover lacks them.
        copy = Path(tmp) / Path(path).name
        copy.write_bytes(data)
        return process_file(path, sha256, audit, max_pages, source=str(copy))


def _submit(client, path: str, sha256: str | None, audit: Audit | None, max_pages: int | None, shared_path: bool):
    key = f"budgetqa-file-{(sha256 or 'none')[:12]}-{uuid.uuid4().hex[:8]}"
    if shared_path:
        return client.submit(process_file, path, sha256, audit, max_pages, str(Path(path).resolve()),
                             key=key, pure=False)
    return client.submit(process_bytes, path, Path(path).read_bytes(), sha256, audit, max_pages, key=key, pure=False)


def cluster_results(todo: list[tuple[str, str | None]], scheduler: str, audit: Audit | None = None,
                    max_pages: int | None = DEFAULT_MAX_PAGES, shared_path: bool = False) -> Iterator[FileResult]:
    """Parse `todo` ((path, sha256) pairs) on the cluster at `scheduler`; yield each file's result once.

    At most `IN_FLIGHT_PER_THREAD` files per worker thread are in flight, so neither the client nor
    the scheduler ever holds the corpus; workers joining or leaving mid-run change the window.
    """
    from distributed import Client, as_completed
    from distributed.client import FutureCancelledError
    from distributed.scheduler import KilledWorker

    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterUnavailable(
            f"{scheduler}: no Dask scheduler answered within {CONNECT_TIMEOUT} ({type(exc).__name__}); start one "
            "(`dask scheduler`, then `dask worker ADDRESS` on each machine) or leave out --scheduler") from exc
    items: dict[str, tuple[str, str | None]] = {}  # future key → the file it parses
    inflight: dict[str, object] = {}  # future key → the future, to cancel on an interruption
    futures = as_completed(loop=client.loop)
    queue = list(reversed(todo))  # pop() from the end keeps the given order

    def fill() -> None:
        window = max(IN_FLIGHT_PER_THREAD, IN_FLIGHT_PER_THREAD * sum(client.nthreads().values()))
        while queue and len(items) < window:
            path, sha = queue.pop()
            try:
                fut = _submit(client, path, sha, audit, max_pages, shared_path)
            except OSError as exc:  # vanished or unreadable since it was hashed
                failed.append(failed_result(path, sha, f"{path}: cannot read ({exc.strerror or exc})"))
                continue
            items[fut.key] = (path, sha)
            inflight[fut.key] = fut
            futures.add(fut)

    failed: list[FileResult] = []
    try:
        fill()
        while items or failed:
            while failed:
                yield failed.pop()
            if not items:
                fill()
                continue
            fut = next(futures)
            path, sha = items.pop(fut.key)
            inflight.pop(fut.key, None)
            try:
                result = fut.result()
            except KilledWorker:
                result = failed_result(path, sha, f"{path}: the cluster's workers died while parsing it "
                                                  "(given up after several attempts)")
            except FutureCancelledError:
                result = failed_result(path, sha, f"{path}: the cluster cancelled its task")
            except Exception as exc:  # process_file never raises for a bad file: this is the cluster's doing
                result = failed_result(path, sha, f"{path}: the cluster could not run its task "
                                                  f"({type(exc).__name__}: {exc})")
            fut.release()
            yield result
            fill()
    finally:
        # Interrupted (Ctrl-C, a kill): the files in flight are abandoned (a --resume parses them again).
        if inflight:
            client.cancel(list(inflight.values()), force=True)
        client.close()
