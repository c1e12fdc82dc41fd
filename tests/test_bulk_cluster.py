"""Bulk on a Dask cluster: a separately started `dask scheduler` and two `dask worker` processes.

The dataset the cluster produces is the one `bulk --workers 1` produces (rows compared as sets:
completion order differs, and `seconds` is a measurement); a worker killed while it parses a file
loses nothing and doubles nothing. One cluster and one local run are shared by the module.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from budgetqa.app import audit
from budgetqa.app.bulk.run import run_bulk
from budgetqa.app.cli.main import app
from tests.conftest import FIXTURES, PDFS
from tests.servers import dask_cluster

pytest.importorskip("distributed", reason="pip install -e '.[test]' installs dask distributed")

# Five text conversions and the quickest PDF: six distinct documents, under a second each.
SOURCES = sorted(FIXTURES.glob("*.txt")) + [PDFS / "shanghai-finance-2025-unit-budget.pdf"]
TABLES = ("documents", "summary", "facts", "checks", "findings")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with dask_cluster(2, tmp_path_factory.mktemp("dask")) as c:
        yield c


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for src in SOURCES:
        (folder / src.name).write_bytes(src.read_bytes())
    return folder


@pytest.fixture(scope="module")
def local(corpus, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("local") / "data.sqlite"
    report = run_bulk([corpus], out, workers=1, audit=audit.run)
    assert report.processed == len(SOURCES) and report.failed == 0
    return dataset(out)


def dataset(out: Path) -> dict[str, list[tuple]]:
    """Every table of a sqlite dataset as sorted rows of (column, value) pairs, without the timing column.

    By name, not position: the checks' and findings' columns are their JSON keys in first-seen
    order, which follows the order files finished in.
    """
    db = sqlite3.connect(out)
    try:
        tables = {}
        for t in TABLES:
            cur = db.execute(f"SELECT * FROM {t}")
            names = [d[0] for d in cur.description]
            rows = [tuple(sorted((n, v) for n, v in zip(names, r) if n != "seconds")) for r in cur]
            tables[t] = sorted(rows, key=repr)
        return tables
    finally:
        db.close()


def test_the_cluster_gives_the_dataset_of_one_local_worker(cluster, corpus, local, tmp_path):
    out = tmp_path / "data.sqlite"
    result = CliRunner().invoke(app, ["bulk", str(corpus), "--out", str(out), "--scheduler", cluster.address])
    assert result.exit_code == 0, result.output
    assert f"{len(SOURCES)} files: {len(SOURCES)} ok" in result.output
    got = dataset(out)
    assert {t: len(r) for t, r in got.items()} == {t: len(r) for t, r in local.items()}
    assert got == local


def test_workers_read_a_shared_path_when_told(cluster, corpus, local, tmp_path):
    out = tmp_path / "data.sqlite"
    report = run_bulk([corpus], out, audit=audit.run, scheduler=cluster.address, shared_path=True)
    assert report.ok == len(SOURCES)
    assert dataset(out) == local


def test_a_worker_killed_mid_file_loses_and_doubles_nothing(cluster, corpus, local, tmp_path):
    from distributed import Client

    monitor = Client(cluster.address, set_as_default=False)
    names = {addr: w["name"] for addr, w in monitor.scheduler_info()["workers"].items()}
    killed: list[tuple[str, list]] = []
    lock = threading.Lock()

    def on_event(kind, result, report):
        # After the first finished file, kill a worker that is parsing one right now.
        if kind != "done" or killed:
            return
        with lock:
            busy = {a: keys for a, keys in monitor.processing().items() if keys}
            addr = next(iter(busy))
            cluster.kill_worker(names[addr])
            killed.append((names[addr], list(busy[addr])))

    out = tmp_path / "data.sqlite"
    report = run_bulk([corpus], out, audit=audit.run, scheduler=cluster.address, on_event=on_event)
    monitor.close()
    name, keys = killed[0]
    assert keys, f"worker {name} was killed while parsing a file"
    assert report.processed == len(SOURCES) and report.ok == len(SOURCES) and report.failed == 0
    got = dataset(out)
    assert sorted(dict(r)["path"] for r in got["documents"]) == sorted(str(corpus / s.name) for s in SOURCES)  # each once
    assert got == local


def test_a_scheduler_that_does_not_answer_is_named_with_what_to_do(corpus, tmp_path, monkeypatch):
    from budgetqa.app.bulk import cluster as cluster_module
    from tests.servers import free_port

    monkeypatch.setattr(cluster_module, "CONNECT_TIMEOUT", "1s")
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    result = CliRunner().invoke(app, ["bulk", str(corpus), "--out", str(tmp_path / "d.sqlite"), "--scheduler", address])
    assert result.exit_code == 2
    assert f"{address}: no Dask scheduler answered within 1s" in result.output
    assert "leave out --scheduler" in result.output
