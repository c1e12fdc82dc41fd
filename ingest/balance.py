"""Printed totals against the sum of their parts: a parse-faithfulness measure that needs no labels.

A subject code's row is a total of the rows below it one level down (类 = Σ 款, 款 = Σ 项;
301 = Σ 301xx), column by column. A mis-read code, a dropped or split row, a number cut in two
all break such identities, so the share that holds says how faithfully a table was read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from budgetqa.ingest.models import Table

# 万元 with two decimals leaves ±0.01 per part (尾数误差); a sum of n parts may drift n × that.
# Figures printed to the whole unit (元 tables, 黑龙江's whole 万元) drift by 1 per part.
_PER_PART = Decimal("0.01")


def _last_digit(value: Decimal) -> Decimal:
    """One unit of the last printed digit, never finer than 0.01 (万元 to the yuan sum exactly)."""
    exponent = value.as_tuple().exponent
    step = Decimal(1).scaleb(exponent) if isinstance(exponent, int) else _PER_PART
    return max(step, _PER_PART)


@dataclass(frozen=True)
class Identity:
    """One printed total and the parts it should equal, in one column."""

    table: str
    code: str
    column: str
    total: Decimal
    parts: Decimal
    n_parts: int

    @property
    def holds(self) -> bool:
        return abs(self.total - self.parts) <= _last_digit(self.total) * max(1, self.n_parts)


def _children(code: str, codes: list[str]) -> list[str]:
    step = 2 if len(code) in (3, 5) else 0
    return [c for c in codes if len(c) == len(code) + step and c.startswith(code)] if step else []


def code_blocks(table: Table) -> list[list]:
    """The table's coded rows in blocks: a code printed again after other codes starts a new block
    (one block per unit, or per classification beside the one coding the rows); a code printed
    again right after itself is one subject split over two rows (by a second classification)."""
    blocks: list[list] = [[]]
    seen: set[str] = set()
    last: str | None = None
    for row in table.rows:
        if not row.code:
            continue
        if row.code in seen and row.code != last:
            blocks.append([])
            seen = set()
        blocks[-1].append(row)
        seen.add(row.code)
        last = row.code
    return [b for b in blocks if b]


def code_identities(table: Table) -> Iterator[Identity]:
    """Parent rows against their child rows, per value column, block by block (a parent is its
    first row in the block; a child printed over several rows counts each)."""
    for block in code_blocks(table):
        first: dict[str, dict] = {}
        rows_of: dict[str, list[dict]] = {}
        for row in block:
            first.setdefault(row.code, row.cells)
            rows_of.setdefault(row.code, []).append(row.cells)
        codes = list(first)
        for code in codes:
            kids = _children(code, codes)
            if not kids:
                continue
            for column, total in first[code].items():
                values = [cells.get(column) for k in kids for cells in rows_of[k]]
                if total is None or all(v is None for v in values):
                    continue
                parts = sum((v for v in values if v is not None), Decimal(0))
                yield Identity(table.title, code, column, total, parts, len(values))


_TOTAL_NAMES = {"合计", "总计", "支出合计", "本年支出合计", "合 计"}


def total_row_identities(table: Table) -> Iterator[Identity]:
    """A 合计 row with no code against the sum of the table's 类 rows (3-digit codes), over every
    block (`code_blocks`)."""
    lei = {}
    for k, block in enumerate(code_blocks(table)):
        for row in block:
            if len(row.code) == 3 and (k, row.code) not in lei:
                lei[(k, row.code)] = row.cells
    if len(lei) < 1:
        return
    total = next((r for r in table.rows if not r.code and r.name.replace(" ", "") in _TOTAL_NAMES), None)
    if total is None:
        return
    for column, value in total.cells.items():
        values = [cells.get(column) for cells in lei.values()]
        if value is None or all(v is None for v in values):
            continue
        parts = sum((v for v in values if v is not None), Decimal(0))
        yield Identity(table.title, "合计", column, value, parts, len(lei))


def _parts_of(parent: str, columns: list[str]) -> list[str] | None:
    """The columns that add up to `parent`'s total: each sub-group under it once, by its own
    column or by its 小计 / 合计; None when a sub-group has neither (the identity is not printed)."""
    segs: list[str] = []
    for c in columns:
        if c.startswith(parent + "/"):
            seg = c[len(parent) + 1:].split("/")[0]
            if seg not in segs and seg not in ("小计", "合计") and not seg.startswith("其中"):
                segs.append(seg)
    parts = []
    for seg in segs:
        path = f"{parent}/{seg}"
        found = next((p for p in (path, f"{path}/小计", f"{path}/合计") if p in columns), None)
        if found is None:
            return None
        parts.append(found)
    return parts if len(parts) >= 2 else None


def column_identities(table: Table) -> Iterator[Identity]:
    """`P/小计` (or `P/合计`) against the sub-groups of `P`, row by row."""
    for col in table.columns:
        parent, _, last = col.rpartition("/")
        parts = _parts_of(parent, table.columns) if parent and last in ("小计", "合计") else None
        if not parts:
            continue
        for row in table.rows:
            total = row.cells.get(col)
            values = [row.cells.get(p) for p in parts]
            if total is None or all(v is None for v in values):
                continue
            got = sum((v for v in values if v is not None), Decimal(0))
            yield Identity(table.title, row.code or row.name, col, total, got, len(parts))


_FORMULA = re.compile(r"^([A-Z])\s*[=＝]\s*([A-Z](?:\s*[+＋]\s*[A-Z])+)$")


def formula_identities(table: Table) -> Iterator[Identity]:
    """Columns headed by a printed formula (A=B+C over the lettered columns B and C, Hunan's debt
    tables), row by row."""
    letters: dict[str, str] = {}
    formulas: list[tuple[str, list[str]]] = []
    for col in table.columns:
        last = col.split("/")[-1].replace(" ", "")
        m = _FORMULA.match(last)
        if m:
            letters[m.group(1)] = col
            formulas.append((col, re.findall(r"[A-Z]", m.group(2))))
        elif re.fullmatch(r"[A-Z]", last):
            letters[last] = col
    for col, parts in formulas:
        if not all(p in letters for p in parts):
            continue
        for row in table.rows:
            total = row.cells.get(col)
            values = [row.cells.get(letters[p]) for p in parts]
            if total is None or any(v is None for v in values):
                continue
            yield Identity(table.title, row.code or row.name, col, total, sum(values, Decimal(0)), len(parts))


def identities(table: Table) -> Iterator[Identity]:
    """Every additive identity a table prints."""
    yield from code_identities(table)
    yield from total_row_identities(table)
    yield from column_identities(table)
    yield from formula_identities(table)
