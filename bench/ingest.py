"""Ingest speed on the corpus PDFs vs pdfplumber's bare extract_text() + extract_tables().

Run by hand:  python bench/ingest.py [PDF ...]   (default: tests/fixtures/pdf/*.pdf)
Prints seconds per page and per document, and the ratio (target ≤ 1.5).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from budgetqa.ingest.pipeline import read_document  # noqa: E402


def bare(path: Path) -> tuple[float, int]:
    t = time.perf_counter()
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()
        n = len(pdf.pages)
    return time.perf_counter() - t, n


def ours(path: Path) -> float:
    t = time.perf_counter()
    read_document(path)
    return time.perf_counter() - t


def main(paths: list[Path]) -> None:
    print(f"{'file':42} {'pages':>5} {'bare s':>8} {'ingest s':>9} {'s/page':>7} {'ratio':>6}")
    tb = to = tp = 0.0
    for p in paths:
        b, n = min(bare(p) for _ in range(2))
        o = min(ours(p) for _ in range(2))
        tb, to, tp = tb + b, to + o, tp + n
        print(f"{p.name:42} {n:5d} {b:8.2f} {o:9.2f} {o / n:7.3f} {o / b:6.2f}")
    print(f"{'all':42} {int(tp):5d} {tb:8.2f} {to:9.2f} {to / tp:7.3f} {to / tb:6.2f}   (target ratio ≤ 1.5)")


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:]] or sorted((ROOT / "tests/fixtures/pdf").glob("*.pdf"))
    main(args)
