"""Real servers on loopback for the scaling tests: a Dask cluster, PostgreSQL, a Chroma server.

Each starts as subprocesses of the test run (never a network beyond 127.0.0.1) and is stopped by
the fixture that started it; a missing program skips the tests with the reason and the fix.
bench/bulk.py uses the Dask cluster too.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent  # dask, chroma: console scripts installed beside this Python


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


def _stop(proc: subprocess.Popen, timeout: float = 10) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------- Dask


@dataclass
class DaskCluster:
    """A `dask scheduler` and `dask worker` processes (one thread each, no nanny: a kill is a real loss)."""

    address: str
    scheduler: subprocess.Popen
    workers: dict[str, subprocess.Popen] = field(default_factory=dict)

    def kill_worker(self, name: str) -> None:
        proc = self.workers[name]
        proc.send_signal(signal.SIGKILL)
        proc.wait()


@contextmanager
def dask_cluster(n_workers: int = 2, local_dir: Path | None = None):
    """Start a scheduler and `n_workers` single-threaded workers on 127.0.0.1; yields a DaskCluster."""
    from distributed import Client

    dask = BIN / "dask"
    if not dask.exists():
        import pytest

        pytest.skip(f"no {dask}: pip install -e '.[test]' installs dask distributed")
    tmp = Path(local_dir or tempfile.mkdtemp(prefix="budgetqa-dask-"))
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=tmp)
    scheduler = subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], **quiet)
    cluster = DaskCluster(address, scheduler)
    try:
        wait_for_port(port, scheduler, "dask scheduler")
        for i in range(1, n_workers + 1):
            name = f"w{i}"
            cluster.workers[name] = subprocess.Popen(
                [str(dask), "worker", address, "--name", name, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                 "--host", "127.0.0.1", "--local-directory", str(tmp / name), "--memory-limit", "0"], **quiet)
        with Client(address, set_as_default=False, timeout="30s") as client:
            client.wait_for_workers(n_workers, timeout=60)
        yield cluster
    finally:
        for proc in cluster.workers.values():
            _stop(proc)
        _stop(scheduler)
        if local_dir is None:
            shutil.rmtree(tmp, ignore_errors=True)
