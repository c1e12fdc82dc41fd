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


def _stop(proc: subprocess.Popen, timeout: float = 10, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
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
    tmp.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
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


# ---------------------------------------------------------------- PostgreSQL


def postgres_bin() -> Path | None:
    """The newest installed server's bin folder (Debian: /usr/lib/postgresql/N/bin), or initdb on PATH."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
                   if p.parent.parent.name.isdigit() else 0)
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class Postgres:
    """A throwaway server: `new_database()` gives each test an empty database of its own."""

    port: int
    proc: subprocess.Popen
    n: int = 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        import psycopg

        self.n += 1
        name = f"t{self.n}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)


@contextmanager
def postgres_server():
    """initdb in a temporary folder and a server on a free 127.0.0.1 port (as `postgres` when run as root)."""
    import pytest

    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries not found: apt-get install -y postgresql (.ci/run does)")
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and no postgres user to run the server as (Debian's postgresql creates it)")
    tmp = Path(tempfile.mkdtemp(prefix="budgetqa-pg-"))
    as_user: dict = {}
    if os.geteuid() == 0:  # the server refuses to run as root
        # The server process itself runs as postgres (no runuser in between), so our signals reach it.
        as_user = {"user": "postgres", "group": "postgres", "extra_groups": [], "cwd": tmp}
        shutil.chown(tmp, "postgres")
    data = tmp / "data"
    subprocess.run([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                    "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"], check=True, capture_output=True, **as_user)
    port = free_port()
    # Durability off: a test server's data dies with the test run anyway.
    proc = subprocess.Popen([str(bin_dir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(tmp),
                             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
                             "-c", "full_page_writes=off"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            **as_user)
    try:
        wait_for_port(port, proc, "postgres")
        _wait_ready(f"postgresql://postgres@127.0.0.1:{port}/postgres")
        yield Postgres(port, proc)
    finally:
        _stop(proc, sig=signal.SIGINT)  # fast shutdown: connections a test left open do not hold it up
        shutil.rmtree(tmp, ignore_errors=True)


def _wait_ready(url: str, timeout: float = 30) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:  # "the database system is starting up"
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


# ---------------------------------------------------------------- Chroma


@dataclass
class ChromaServer:
    port: int
    proc: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def chroma_server():
    """`chroma run` (from the chromadb package) on a free 127.0.0.1 port, data in a temporary folder."""
    import pytest

    chroma = BIN / "chroma"
    if not chroma.exists():
        pytest.skip(f"no {chroma}: the chromadb package installs it")
    tmp = Path(tempfile.mkdtemp(prefix="budgetqa-chroma-"))
    port = free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "CHROMA_TELEMETRY_IMPL": "none"}
    proc = subprocess.Popen([str(chroma), "run", "--path", str(tmp / "data"), "--port", str(port), "--host",
                             "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=tmp)
    try:
        wait_for_port(port, proc, "chroma run")
        yield ChromaServer(port, proc)
    finally:
        _stop(proc, sig=signal.SIGKILL)  # a throwaway server: its data folder is deleted next
        shutil.rmtree(tmp, ignore_errors=True)

