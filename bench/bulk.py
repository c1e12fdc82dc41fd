"""Throughput and memory of `budgetqa bulk` on synthetic copies of the corpus (run by hand, no assertions).

    python bench/bulk.py [--n 200] [--workers 1,2] [--dask 2] [--pdf-share 0.5] [--format parquet]

Builds N documents: perturbed copies of the five text fixtures (amounts changed) and of the five
PDFs (a trailing comment after %%EOF, so the content hash differs and the parse is the same); runs
the bulk extraction once per local worker count, then on a Dask cluster of `--dask` workers (a
`dask scheduler` and single-threaded `dask worker` processes started here on 127.0.0.1, as a real
cluster would be, and warmed up first: a cluster outlives one run; `--dask 0` skips it); prints
documents per minute side by side, the speed-ups, and the peak RSS of this process plus its
worker processes (sampled from /proc every 0.1 s). Then compares the per-PDF parse time with
pdfplumber's bare extract_text() + extract_tables() over the same pages.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from budgetqa.app import audit  # noqa: E402
from budgetqa.app.bulk.run import run_bulk  # noqa: E402

TEXTS = sorted((ROOT / "tests" / "fixtures").glob("*.txt"))
PDFS = sorted((ROOT / "tests" / "fixtures" / "pdf").glob("*.pdf"))
_AMOUNT = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})*\.\d)(\d)(?!\d)")


def perturbed_text(text: str, seed: int) -> str:
    """Change the last digit of about a third of the amounts (the layout stays, the figures move)."""
    rng = random.Random(seed)

    def swap(m: re.Match) -> str:
        if rng.random() > 0.33:
            return m.group(0)
        return m.group(1) + str((int(m.group(2)) + rng.randint(1, 9)) % 10)

    return _AMOUNT.sub(swap, text) + f"\n（bench copy {seed}）\n"


def build_corpus(folder: Path, n: int, pdf_share: float) -> tuple[int, int]:
    folder.mkdir(parents=True, exist_ok=True)
    texts = [p.read_text(encoding="utf-8") for p in TEXTS]
    pdfs = [p.read_bytes() for p in PDFS]
    n_pdf = round(n * pdf_share)
    for i in range(n_pdf):
        src = PDFS[i % len(PDFS)]
        (folder / f"{i:05d}-{src.name}").write_bytes(pdfs[i % len(pdfs)] + f"\n%bench copy {i}\n".encode())
    for i in range(n_pdf, n):
        src = TEXTS[i % len(TEXTS)]
        (folder / f"{i:05d}-{src.name}").write_text(perturbed_text(texts[i % len(texts)], i), encoding="utf-8")
    return n_pdf, n - n_pdf


# ---------------------------------------------------------------- memory of the process tree


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(root: int) -> float:
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss_kb(pid)
        todo.extend(_children(pid))
    return total / 1024


class PeakRSS:
    """Samples the RSS of this process and all its descendants; `.peak` in MB."""

    def __init__(self, every: float = 0.1):
        self.every, self.peak, self._stop = every, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mb(os.getpid()))
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


# ---------------------------------------------------------------- per-PDF time vs bare pdfplumber


def pdf_overhead(repeat: int = 2) -> list[tuple[str, float, float]]:
    import pdfplumber

    from budgetqa.ingest.pipeline import read_document

    rows = []
    for path in PDFS:
        ours, bare = [], []
        for _ in range(repeat):
            t = time.perf_counter()
            read_document(path)
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            with pdfplumber.open(path) as pdf:
                for page in pdf.pages:
                    page.extract_text()
                    page.extract_tables()
            bare.append(time.perf_counter() - t)
        rows.append((path.name, min(ours), min(bare)))
    return rows


def bench_dask(corpus: Path, work: Path, n_workers: int, fmt: str) -> float | None:
    """Documents per minute on a loopback Dask cluster of `n_workers` single-threaded workers."""
    try:
        from distributed import Client

        from tests.servers import dask_cluster
    except ImportError:
        print("Dask: skipped (pip install 'budgetqa[scale]' installs dask distributed)")
        return None
    with dask_cluster(n_workers, work / "dask") as cluster:
        with Client(cluster.address, set_as_default=False) as client:
            # A cluster outlives a run: its workers have imported the parser before the first file.
            client.run(lambda: __import__("budgetqa.app.bulk.cluster") and __import__("budgetqa.app.audit"))
        out = work / f"out-dask.{fmt}"
        with PeakRSS() as mem:
            t = time.perf_counter()
            report = run_bulk([corpus], out, fmt=fmt, audit=audit.run, scheduler=cluster.address)
            wall = time.perf_counter() - t
    rate = 60 * report.processed / wall
    print(f"Dask, {n_workers} workers: {report.processed} parsed ({report.ok} ok, {report.partial} partial, "
          f"{report.failed} failed) in {wall:.1f} s → {rate:.1f} documents/min; peak RSS (client, scheduler, "
          f"workers) {mem.peak:.0f} MB; load average {os.getloadavg()[0]:.2f}")
    return rate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--dask", type=int, default=2, help="workers of the loopback Dask cluster (0: no Dask run)")
    ap.add_argument("--pdf-share", type=float, default=0.5, help="share of PDFs among the N documents")
    ap.add_argument("--format", default="parquet", choices=["csv", "xlsx", "parquet", "sqlite"])
    ap.add_argument("--skip-pdf-overhead", action="store_true")
    ap.add_argument("--keep", type=Path, help="build the corpus here and keep it")
    args = ap.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="bulk-bench-"))
    corpus = work / "corpus"
    n_pdf, n_text = build_corpus(corpus, args.n, args.pdf_share)
    print(f"corpus: {args.n} documents ({n_pdf} PDF, {n_text} text) in {corpus}")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

    rates: dict[int, float] = {}
    for w in [int(x) for x in args.workers.split(",")]:
        out = work / f"out-w{w}.{args.format}"
        with PeakRSS() as mem:
            t = time.perf_counter()
            report = run_bulk([corpus], out, workers=w, fmt=args.format, audit=audit.run)
            wall = time.perf_counter() - t
        rates[w] = 60 * report.processed / wall
        print(f"workers={w}: {report.processed} parsed ({report.ok} ok, {report.partial} partial, {report.failed} failed) "
              f"in {wall:.1f} s → {rates[w]:.1f} documents/min; peak RSS (parent + workers) {mem.peak:.0f} MB; "
              f"load average {os.getloadavg()[0]:.2f}")
    if 1 in rates and 2 in rates:
        print(f"speed-up 1 → 2 workers: {rates[2] / rates[1]:.2f}×")
    dask_rate = bench_dask(corpus, work, args.dask, args.format) if args.dask else None

    columns = [(f"local {w} worker{'s' * (w > 1)}", r) for w, r in rates.items()]
    if dask_rate is not None:
        columns.append((f"Dask, {args.dask} workers", dask_rate))
    print("documents/minute: " + " | ".join(f"{name} {rate:.1f}" for name, rate in columns))
    if dask_rate is not None and 1 in rates:
        print(f"speed-up local 1 worker → Dask {args.dask} workers: {dask_rate / rates[1]:.2f}×")

    if not args.skip_pdf_overhead:
        print("per PDF: budgetqa read_document vs pdfplumber extract_text()+extract_tables() (best of 2)")
        for name, ours, bare in pdf_overhead():
            print(f"  {name:42s} {ours:6.2f} s vs {bare:6.2f} s  → {ours / bare:.2f}×")
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
