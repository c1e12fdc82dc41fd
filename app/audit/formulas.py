"""Column formulas a table prints in its header: 「2023年债务限额 A=B+C」, 「栏次 5=1+2-3」.

Each column is named by a letter or a number in its header (一般债务 B, 专项债务 C); a column whose header
writes `X=Y+Z−W` is held to that sum on every row. Only formulas whose every operand names exactly one
column are read: a letter the parser could not place is no identity.
"""

from __future__ import annotations

import re

from budgetqa.app.audit.model import AuditResult
from budgetqa.app.audit.quantities import UNNAMED, amount_columns, cell_qty, compare, sum_qty
from budgetqa.ingest.models import Document, Table

_TERM = r"(?:[A-Z]|\d{1,2})"
_FORMULA = re.compile(rf"(?<![A-Za-z0-9])({_TERM})\s*[=＝]\s*({_TERM}(?:\s*[+＋\-－−]\s*{_TERM})+)(?![A-Za-z0-9])")
_OPERAND = re.compile(rf"([+＋\-－−]?)\s*({_TERM})")


def _mark(column: str) -> str | None:
    """The letter or number a column's header ends with (一般债务/B → B, 本年收入（1） → 1)."""
    last = column.split("/")[-1]
    formula = _FORMULA.search(last)
    if formula:
        return formula.group(1)
    m = re.search(rf"(?:^|[^A-Za-z0-9])[（(]?({_TERM})[)）]?$", last)
    return m.group(1) if m else None


def check_formulas(doc: Document, table: Table, result: AuditResult) -> None:
    cols = [c for c in amount_columns(table) if not UNNAMED.search(c)]
    if not any(_FORMULA.search(c.split("/")[-1]) for c in cols):
        return  # most tables write no formula: no column marks to read
    named: dict[str, list[str]] = {}
    for c in cols:
        mark = _mark(c)
        if mark:
            named.setdefault(mark, []).append(c)
    for total in cols:
        m = _FORMULA.search(total.split("/")[-1])
        if not m:
            continue
        terms = [(sign in ("-", "－", "−"), name) for sign, name in _OPERAND.findall(m.group(2))]
        if any(len(named.get(name, [])) != 1 for _, name in terms) or len(named.get(m.group(1), [])) != 1:
            continue
        plus = [named[name][0] for neg, name in terms if not neg]
        minus = [named[name][0] for neg, name in terms if neg]
        label = m.group(0).replace(" ", "")
        for row in table.rows:
            if row.cells.get(total) is None and all(row.cells.get(c) is None for c in plus + minus):
                continue
            a = cell_qty(doc, table, row, total)
            b = sum_qty(doc, table, [row], plus, row, label, label)
            if minus:
                less = sum_qty(doc, table, [row], minus, row, label, label)
                b.value -= less.value
                b.n_cells += less.n_cells
            compare(result, "table.formula", label, a, b,
                    lambda: f"「{a.loc.table}」{a.loc.row} 的{total.split('/')[0]}应按表头所列 {label} 计算")
