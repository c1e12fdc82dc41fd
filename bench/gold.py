"""Gold cells of `shared/corpus/pdf-more/cells.jsonl` against what the readers extract (run by hand).

    python bench/gold.py [--cells PATH] [--verbose] [--cache DIR]

A gold cell comes back when one extracted cell on its page has its value (exactly, as Decimal),
its unit, its row (code or name; 「（一行）」 = the table's only data row) and its column path (every
gold header word among the cell's path words, the last one last). Prints the share per document
and the cells missed.

The gold labels describe cells in a reader's words, not always the print's, so the match reads them
as a reader would, and never looser on the value, unit or page:
- an annotation in brackets that the print does not carry is ignored on both sides
  (gold 「深圳市人民政府口岸办公室（合计）」 = printed 「深圳市人民政府口岸办公室」);
- a gold group word may be a shortening of the printed group (「三公经费」 in
  「一般公共预算拨款安排的“三公”经费预算」);
- a gold column naming a group is that group's total sub-column (项目支出 = 项目支出/项目支出总数,
  基本支出 = 基本支出/小计);
- the cell of a one-row table whose row prints no name may be named the other way round: its column
  header as the row and 合计 as the column (gold 「“三公”经费财政拨款预算总额 │ 合计」 = the only row's
  column 「“三公”经费财政拨款预算总额」).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from budgetqa.ingest.facts import document_facts  # noqa: E402
from budgetqa.ingest.models import Fact  # noqa: E402
from budgetqa.ingest.pipeline import read_document  # noqa: E402

CELLS = ROOT.parent / "shared" / "corpus" / "pdf-more" / "cells.jsonl"
_QUOTES = re.compile(r"[\s“”\"'‘’]")


_NOTE = re.compile(r"[（(][^（()）]*[）)]")
_GROUP_TOTALS = ("小计", "合计", "总数", "总计")


def _plain(text: str) -> str:
    return _NOTE.sub("", _QUOTES.sub("", text))


def _words(text: str) -> list[str]:
    return [w for w in (_plain(w) for w in re.split(r"[\s/]+", text)) if w]


def _is_group_total(path: list[str], group: str) -> bool:
    return len(path) >= 2 and path[-2] == group and (path[-1] in _GROUP_TOTALS or path[-1] in {group + t for t in _GROUP_TOTALS})


def _row_matches(gold: dict, fact: Fact, single_row: bool) -> bool:
    name = _QUOTES.sub("", gold["row"])
    if name == "（一行）":
        return single_row
    code = gold.get("row_code")
    if code:
        digits = re.sub(r"\s", "", code.split("/")[0])
        return fact.row_code == digits
    return _plain(fact.row_name) == _plain(name)


def _column_matches(gold: dict, fact: Fact) -> bool:
    want = _words(gold["column"])
    path = _words(fact.column.split("#")[0])
    have = path + ([fact.side] if fact.side else [])
    if not want or not path:
        return False
    last_ok = path[-1] == want[-1] or _is_group_total(path, want[-1])
    return last_ok and all(any(w in h for h in have) for w in want[:-1])


def _transposed(gold: dict, fact: Fact, single_row: bool) -> bool:
    return (single_row and not gold.get("row_code") and _words(gold["column"]) in (["合计"], ["总计"])
            and _plain(fact.column.split("/")[-1]) == _plain(gold["row"]))


def matches(gold: dict, fact: Fact, single_row: bool) -> bool:
    return (
        fact.page == gold["page"]
        and fact.value == Decimal(str(gold["value"]))
        and (fact.unit or "") == gold["unit"]
        and ((_row_matches(gold, fact, single_row) and _column_matches(gold, fact))
             or _transposed(gold, fact, single_row))
    )


def score(cells: list[dict], docs: dict[str, list[Fact]], rows_per_table: dict) -> tuple[dict, list[dict]]:
    per_doc: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed = []
    for g in cells:
        facts = docs.get(g["doc"], [])
        hit = any(matches(g, f, rows_per_table.get((g["doc"], f.table_index, f.side)) == 1) for f in facts)
        per_doc[g["doc"]][0] += hit
        per_doc[g["doc"]][1] += 1
        if not hit:
            missed.append(g)
    return per_doc, missed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=Path, default=CELLS)
    ap.add_argument("--verbose", action="store_true", help="print the missed cells")
    args = ap.parse_args()
    cells = [json.loads(line) for line in args.cells.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs: dict[str, list[Fact]] = {}
    rows_per_table: dict = {}
    for name in sorted({c["doc"] for c in cells}):
        doc = read_document(args.cells.parent / name)
        docs[name] = document_facts(doc)
        for t in doc.tables:
            rows_per_table[(name, t.index, t.side)] = sum(1 for r in t.rows if any(v is not None for v in r.cells.values()))
    per_doc, missed = score(cells, docs, rows_per_table)
    for name, (hit, total) in sorted(per_doc.items()):
        print(f"{name:45} {hit:3d}/{total:<3d}")
    hits = sum(h for h, _ in per_doc.values())
    print(f"{'all':45} {hits:3d}/{len(cells):<3d} ({hits / len(cells):.0%})")
    if args.verbose:
        for g in missed:
            print("  missed:", g["doc"][:3], g["page"], g["table"], "|", g.get("row_code") or "", g["row"], "|",
                  g["column"], "|", g["value"], g["unit"])


if __name__ == "__main__":
    main()
