"""Printed totals that equal the sum of their parts, over all corpus PDFs (run by hand; target ≥ 99%).

    python bench/balance.py [--verbose] [PDF ...]

A parse-faithfulness measure that needs no labels (see ingest/balance.py): per document, how many
totals (code parents, 合计 rows, 小计 columns) hold within rounding.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from budgetqa.ingest.balance import identities  # noqa: E402
from budgetqa.ingest.pipeline import read_document  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"


def corpus_pdfs() -> list[Path]:
    return sorted(CORPUS.glob("pdf/*.pdf")) + sorted(CORPUS.glob("pdf-more/*.pdf"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pdfs", nargs="*", type=Path)
    ap.add_argument("--verbose", action="store_true", help="print the totals that do not hold")
    args = ap.parse_args()
    held = total = 0
    for path in args.pdfs or corpus_pdfs():
        doc = read_document(path)
        ids = [i for t in doc.tables for i in identities(t)]
        ok = sum(i.holds for i in ids)
        held, total = held + ok, total + len(ids)
        print(f"{path.name:45} {ok:5d}/{len(ids):<5d} {ok / len(ids) if ids else 1:6.1%}")
        if args.verbose:
            for i in ids:
                if not i.holds:
                    print(f"   {i.table} | {i.code} | {i.column}: {i.total} ≠ {i.parts} ({i.n_parts} parts)")
    print(f"{'all':45} {held:5d}/{total:<5d} {held / total if total else 1:6.1%}   (target ≥ 99%)")


if __name__ == "__main__":
    main()
