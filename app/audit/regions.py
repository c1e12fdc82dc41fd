"""Whole-government tables by region: a region's row is the sum of its own level and the regions under it.

湖南省 = 湖南省本级 + Σ 市; 长沙市 = 长沙市本级 + Σ 区县; 市县合计 = Σ 市合计; 哈尔滨市合计 = 市本级 + Σ 县.
Nothing prints the nesting but the names (a head is followed by its 本级 row, or is named …合计) and the
figures, so a group is the run of rows after its head whose sum matches the head in most columns: the
columns that do not match are the finding, the ones that do vouch for the grouping. Groups are read
innermost first (from the table's end), each collapsing into its head before the next one out is summed.
"""

from __future__ import annotations

import re
from decimal import Decimal

from budgetqa.app.audit.model import AuditResult, step_of
from budgetqa.app.audit.quantities import UNNAMED, amount_columns, cell_qty, compare, sum_qty
from budgetqa.ingest.models import Document, Row, Table

_OWN = re.compile(r"本级$")
_HEAD = re.compile(r"(合计|总计|小计)$")
_ZERO = Decimal(0)
_MAX_MEMBERS = 300  # a region holds at most a few hundred counties; beyond, the run is no group


def _name(r: Row) -> str:
    return "".join((r.name or r.label or "").split())


def _heads(names: list[str]) -> list[int]:
    """Rows that may total the rows after them: followed by a 本级 row, or named …合计 (not the last row)."""
    return [i for i, name in enumerate(names[:-1])
            if (_OWN.search(names[i + 1]) and not _OWN.search(name)) or _HEAD.search(name)]


def _members(head: Row, rest: list[Row], cols: list[str], step: Decimal) -> list[Row] | None:
    """The shortest run (two rows or more) after `head` summing to it in most of its nonzero columns."""
    live = [(c, v) for c in cols if (v := head.cells.get(c))]  # only the head's nonzero columns vote
    if not live:
        return None
    need = len(live) // 2 + 1
    run = [_ZERO] * len(live)
    for j, r in enumerate(rest[:_MAX_MEMBERS]):
        cells = r.cells
        run = [a + (cells.get(c) or _ZERO) for a, (c, _) in zip(run, live)]
        if j == 0:
            continue
        tol = step / 2 * (j + 2)
        if sum(abs(v - x) <= tol for (_, v), x in zip(live, run)) >= need:
            return rest[:j + 1]
    return None


def check_regions(doc: Document, table: Table, result: AuditResult) -> None:
    if not any("本级" in (name := r.name or "") and _OWN.search(name) for r in table.rows):
        return  # no region's own level printed: not a table by region
    rows = [r for r in table.rows if any(v is not None for v in r.cells.values())]
    cols = [c for c in amount_columns(table) if not UNNAMED.search(c)]
    if not cols:
        return
    seq = list(rows)
    groups: list[tuple[Row, list[Row]]] = []
    names = [_name(r) for r in rows]
    for h in reversed(_heads(names)):
        head = rows[h]
        k = next(i for i, r in enumerate(seq) if r is head)
        members = _members(head, seq[k + 1:], cols, step_of(*head.cells.values()))
        if members is None:
            continue
        groups.append((head, members))
        del seq[k + 1:k + 1 + len(members)]
    for head, members in reversed(groups):
        name = _name(head)
        identity, derived = f"{name}=Σ地区", f"其下 {len(members)} 个地区之和"
        for col in cols:
            if head.cells.get(col) is None and all(m.cells.get(col) is None for m in members):
                continue
            a = cell_qty(doc, table, head, col)
            b = sum_qty(doc, table, members, [col], None, col, derived)
            compare(result, "table.region_sum", identity, a, b,
                    lambda: f"「{a.loc.table}」{name}应等于{_name(members[0])}及其下各地区之和")
