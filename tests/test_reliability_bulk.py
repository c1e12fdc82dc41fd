"""`budgetqa bulk` under bad conditions: a FIFO among the sources, the parent killed with -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces: the fields after it are fixed
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(entry.name))
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def bulk(*args: str, **kw) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETQA_")}
    return subprocess.Popen([sys.executable, "-m", "budgetqa.app.cli.main", "bulk", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


POOL = """
import time
from budgetqa.app.bulk.run import _pool
pool = _pool(2)
futures = [pool.submit(time.sleep, 120) for _ in range(2)]  # two files that parse for minutes
time.sleep(120)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_exit_when_the_parent_is_killed_with_sigkill():
    parent = subprocess.Popen([sys.executable, "-c", POOL])
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(workers) < 2:
        workers = [c for c in children(parent.pid) if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
        time.sleep(0.2)
    assert len(workers) == 2, "the workers did not start"
    time.sleep(1.0)  # both are busy now
    parent.send_signal(signal.SIGKILL)
    parent.wait(10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(w) for w in workers):
        time.sleep(0.1)
    left = [w for w in workers if alive(w)]
    for w in left:  # never leave them behind, even when the test fails
        os.kill(w, signal.SIGKILL)
    assert not left, "workers outlived their parent"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_among_the_sources_is_refused_and_the_rest_extracted(tmp_path):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    good = FIXTURES / "yanbian-industry-2023-final.txt"
    proc = bulk(str(fifo), str(good), "--out", str(tmp_path / "out"))
    _, err = proc.communicate(timeout=120)  # the old code blocked hashing the FIFO, forever
    assert proc.returncode == 1, err
    assert f"✗ {fifo}: not a regular file (a FIFO, device or socket)" in err
    assert "2 files: 1 ok, 0 partial, 1 failed" in err


def test_bulk_messages_are_not_wrapped_when_piped(tmp_path):
    deep = tmp_path / ("a-folder-with-a-long-name-" * 4) / "broken-file-with-a-long-name-too.pdf"
    deep.parent.mkdir(parents=True)
    deep.write_bytes(b"%PDF-1.4 not really")
    proc = bulk(str(deep), "--out", str(tmp_path / "out"))
    _, err = proc.communicate(timeout=120)
    line = next(ln for ln in err.splitlines() if ln.startswith("✗"))
    assert line.startswith(f"✗ {deep}: ") and len(line) > 120  # one line, however long


def test_a_pdf_over_the_page_limit_is_a_failed_row_naming_the_limit(tmp_path):
    from budgetqa.app.bulk.run import run_bulk

    pdf = FIXTURES / "pdf" / "putuo-wanli-2025-budget.pdf"
    report = run_bulk([pdf, FIXTURES / "yanbian-industry-2023-final.txt"], tmp_path / "out", max_pages=5)
    assert (report.ok + report.partial, report.failed) == (1, 1)
    assert report.failures == [f"{pdf}: 31 pages, more than the limit of 5 (raise BUDGETQA_MAX_PAGES or split the PDF)"]


def test_the_bulk_command_takes_the_page_limit_from_budgetqa_max_pages(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETQA_")}
    env["BUDGETQA_MAX_PAGES"] = "5"
    pdf = FIXTURES / "pdf" / "putuo-wanli-2025-budget.pdf"
    proc = subprocess.run([sys.executable, "-m", "budgetqa.app.cli.main", "bulk", str(pdf), "--out",
                           str(tmp_path / "out")], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1
    assert f"✗ {pdf}: 31 pages, more than the limit of 5" in proc.stderr
