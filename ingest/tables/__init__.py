"""Printed grids → `Table`s: the general builder, or the 绩效 builder for performance forms.

`cells` (cell text) and `context` (provenance, the Table made) sit below both builders.
"""

from __future__ import annotations

from budgetqa.ingest.classify import PERFORMANCE_KINDS, classify, normalize_title
from budgetqa.ingest.models import RawTable, Table
from budgetqa.ingest.tables.cells import CJK, is_amount_cell, normalize_grid, parse_cell, squeeze, unit_of
from budgetqa.ingest.tables.context import BuildContext
from budgetqa.ingest.tables.general import build_general, flatten_header, header_text, split_header
from budgetqa.ingest.tables.perf import build_performance
from budgetqa.ingest.tables.roster import KIND as ROSTER
from budgetqa.ingest.tables.roster import build_roster, is_roster

__all__ = [
    "CJK", "BuildContext", "build_tables", "flatten_header", "is_amount_cell", "normalize_grid",
    "parse_cell", "split_header", "squeeze", "unit_of",
]


def build_tables(raw: RawTable, index: int, doc_kind: str | None = None) -> list[Table]:
    """Rebuild one printed grid into one Table, or two for a 收入|支出 two-sided table."""
    grid = normalize_grid(raw.rows)
    n_head = split_header(grid)
    # First cells of every row too: 绩效 forms are told by their 项目名称 / 绩效指标 rows.
    words = header_text(grid, n_head) + " " + " ".join(r[0] for r in grid if r and r[0])
    kind = classify(raw.title or raw.heading or "", words, doc_kind)
    if kind == "other" and raw.heading:
        kind = classify(raw.heading, words, doc_kind)
    if kind == "other":
        roster_title = normalize_title(raw.title or raw.heading or "")
        if is_roster(grid, roster_title):
            return [build_roster(BuildContext(raw, index, ROSTER, None), grid, roster_title or ROSTER)]
    ctx = BuildContext(raw, index, kind, unit_of(raw))
    if kind in PERFORMANCE_KINDS:
        return [build_performance(ctx, grid)]
    tables = build_general(ctx, grid, n_head)
    if kind == "other":
        for t in tables:
            t.note = unclassified_reason(raw, " ".join(c for row in grid[: max(n_head, 1)] for c in row if c))
    return tables


def unclassified_reason(raw: RawTable, header: str) -> str:
    """Why a grid has no standard kind, in the words a reader of `extract` / `tables` needs."""
    title = squeeze(raw.title or "")
    head = squeeze(header)[:40]
    if not title and not raw.heading:
        return f"无表题，表头「{head}」不属于任何标准公开表"
    named = f"表题「{title}」" if title else f"所在标题「{squeeze(raw.heading or '')}」"
    return f"{named}不属于标准公开表（不按编号归类），表头「{head}」"
