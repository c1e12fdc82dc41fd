"""Peak memory of ingesting one long PDF (issue 12, item 9: target < 400 MB for 500 pages).

Run by hand:  python bench/memory.py [--pages 500] [--source PDF]
Builds a PDF of `--pages` pages by repeating the pages of a corpus PDF (pypdf, `pip install
pypdf`; the file goes to a temp folder and is never committed), then parses it in a fresh process
per step and prints seconds and peak RSS: read_document alone, and `budgetqa ingest` end to end.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "tests" / "fixtures" / "pdf" / "putuo-socialwork-2024-final.pdf"

CHILD = """
import json, resource, sys, time
from pathlib import Path
from budgetqa.ingest.pipeline import read_document
t = time.perf_counter()
doc = read_document(Path(sys.argv[1]))
print(json.dumps({"seconds": time.perf_counter() - t, "pages": doc.pages, "tables": len(doc.tables),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def build(source: Path, pages: int, out: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(source)
    writer = PdfWriter()
    for i in range(pages):
        writer.add_page(reader.pages[i % len(reader.pages)])
    with open(out, "wb") as fh:
        writer.write(fh)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=500)
    ap.add_argument("--source", type=Path, default=DEFAULT)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pdf = build(args.source, args.pages, Path(tmp) / f"long-{args.pages}.pdf")
        print(f"{pdf.name}: {args.pages} pages from {args.source.name}, {pdf.stat().st_size / 1e6:.1f} MB")
        env = {**os.environ, "BUDGETQA_MAX_PAGES": "0", "BUDGETQA_EMBEDDING__PROVIDER": "none"}
        got = json.loads(subprocess.run([sys.executable, "-c", CHILD, str(pdf)], capture_output=True, text=True,
                                        check=True, env=env).stdout)
        print(f"read_document: {got['seconds']:.1f} s, {got['tables']} tables, peak RSS {got['peak_mb']:.0f} MB")
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "budgetqa.app.cli.main", "ingest", str(pdf), "--home",
                        str(Path(tmp) / "home"), "--no-dense"], check=False, env=env, capture_output=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"budgetqa ingest: {time.perf_counter() - t:.1f} s, peak RSS {peak:.0f} MB (largest child)")


if __name__ == "__main__":
    main()
