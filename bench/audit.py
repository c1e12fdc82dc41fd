"""Audit timings over the corpus PDFs (run by hand, no assertions).

    /work/venv/bin/python bench/audit.py [--repeat 5]

Per PDF: the audit's own time on the parsed document (target ≤ 50 ms), parse + audit, and
pdfplumber's bare extract_text + extract_tables of the same file for scale.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pdfplumber  # noqa: E402

from budgetqa.app.audit import run  # noqa: E402
from budgetqa.ingest.pipeline import read_document  # noqa: E402

PDFS = sorted((ROOT / "tests" / "fixtures" / "pdf").glob("*.pdf"))


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, out


def bare_pdfplumber(path: Path) -> None:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{'file':40} {'audit ms':>9} {'findings':>9} {'checks':>7} {'parse+audit ms':>15} {'pdfplumber ms':>14}")
    for path in PDFS:
        parse_ms, doc = timed(lambda: read_document(path), args.repeat)
        audit_ms, result = timed(lambda: run(doc), args.repeat)
        bare_ms, _ = timed(lambda: bare_pdfplumber(path), args.repeat)
        print(f"{path.name:40} {audit_ms:9.1f} {len(result.findings):9d} {len(result.checks):7d} "
              f"{parse_ms + audit_ms:15.0f} {bare_ms:14.0f}")


if __name__ == "__main__":
    main()
