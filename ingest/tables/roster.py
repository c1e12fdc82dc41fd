"""The 部门概况's list of the units a budget or final account covers (单位构成): a table of names.

It prints no figure: 序号 │ 单位名称 │ 备注 / 拟变动情况. Read as figures, its unit names became header
words and the table had no rows; here each unit is a row named by its 单位名称, the other columns
its texts (「预算不单列，并入本级」).
"""

from __future__ import annotations

import re

from budgetqa.ingest.models import Row, Table
from budgetqa.ingest.tables.cells import is_amount_cell, squeeze
from budgetqa.ingest.tables.context import BuildContext

KIND = "单位构成"
_NAME = re.compile(r"^(单位名称|预算单位名称|决算单位名称|单位)$")
_ROWNO = re.compile(r"^(序号|编号)$")
_TITLE = re.compile(r"单位构成")


def _name_column(row: list[str]) -> int | None:
    return next((c for c, cell in enumerate(row) if _NAME.match(squeeze(cell))), None)


def is_roster(grid: list[list[str]], title: str) -> bool:
    """A grid headed 单位名称 whose body has no figure except row numbers, or one titled …单位构成."""
    if not grid or _name_column(grid[0]) is None:
        return False
    body = grid[1:]
    figures = [c for r in body for c in r if c and is_amount_cell(c) and not re.fullmatch(r"\d{1,3}", c.strip())]
    return not figures and (bool(_TITLE.search(title)) or bool(body))


def build_roster(ctx: BuildContext, grid: list[list[str]], title: str) -> Table:
    header = [squeeze(c) for c in grid[0]]
    name_at = _name_column(grid[0])
    text_columns = [(c, h) for c, h in enumerate(header) if c != name_at and h and not _ROWNO.match(h)]
    rows: list[Row] = []
    for i, cells in enumerate(grid[1:], start=1):
        name = squeeze(cells[name_at]) if name_at is not None and name_at < len(cells) else ""
        if not name:
            continue
        page, raw, line = ctx.provenance(i)
        texts = {h: squeeze(cells[c]) for c, h in text_columns if c < len(cells) and squeeze(cells[c])}
        rows.append(Row(name=name, cells={}, page=page, raw=raw, line=line, texts=texts))
    return ctx.table([h for _, h in text_columns], rows, title=title)
