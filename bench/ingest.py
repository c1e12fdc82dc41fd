"""Ingest speed on the corpus PDFs vs pdfplumber's bare extract_text() + extract_tables().

Run by hand:  python bench/ingest.py [PDF ...]   (default: tests/fixtures/pdf/*.pdf and
../shared/corpus/pdf-more/*.pdf when it is there)
Prints seconds per page and per document, and the ratio on text PDFs (target ≤ 1.5); files read
by OCR (image-only pages, unreadable text layers) are reported apart, in seconds per OCR'd page.
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


def ours(path: Path) -> tuple[float, int]:
    """Seconds to read the file, and how many of its pages needed OCR."""
    t = time.perf_counter()
    doc = read_document(path)
    return time.perf_counter() - t, len(doc.ocr_pages)


def main(paths: list[Path]) -> None:
    print(f"{'file':42} {'pages':>5} {'bare s':>8} {'ingest s':>9} {'s/page':>7} {'ratio':>6}")
    tb = to = tp = 0.0
    ocr_files: list[tuple[str, int, float]] = []
    for p in paths:
        b, n = min(bare(p) for _ in range(2))
        o, n_ocr = min(ours(p) for _ in range(2))
        if n_ocr:  # OCR dominates such a file: it is no measure of the text reader
            ocr_files.append((p.name, n_ocr, o - b))
            continue
        tb, to, tp = tb + b, to + o, tp + n
        print(f"{p.name:42} {n:5d} {b:8.2f} {o:9.2f} {o / n:7.3f} {o / b:6.2f}")
    if tp:
        print(f"{'all text PDFs':42} {int(tp):5d} {tb:8.2f} {to:9.2f} {to / tp:7.3f} {to / tb:6.2f}   (target ratio ≤ 1.5)")
    for name, n_ocr, extra in ocr_files:
        print(f"{name:42} OCR: {n_ocr} page(s), {extra / n_ocr:.1f} s per OCR'd page beyond pdfplumber's own pass")


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:]] or (
        sorted((ROOT / "tests/fixtures/pdf").glob("*.pdf")) + sorted((ROOT.parent / "shared/corpus/pdf-more").glob("*.pdf"))
    )
    main(args)
