"""Figures taking part in a comparison (`Qty`), read from table cells in 万元, and the comparison itself."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal

from budgetqa.app.audit.memo import per_table
from budgetqa.app.audit.model import CENT, AuditResult, Check, Finding, Location, classify_gap, fmt_amount, place, step_of
from budgetqa.ingest.classify import GOVERNMENT_ONLY, PERFORMANCE_KINDS
from budgetqa.ingest.labels import NUMBERING
from budgetqa.ingest.models import Document, Row, Table
from budgetqa.ingest.units import WAN_SCALE

# Columns that hold row numbers, not amounts.
NOT_AMOUNT = re.compile(r"^(行|行次|栏次|序号|编号)$")
# Rates beside the amounts (完成调整预算数的%, 比上年（同比）+-%, 执行率): never summed.
RATE = re.compile(r"[%％]|执行率|完成率|比重")
# A column left unnamed by the parser (列3, 支出预算#2): its meaning is unknown, so no identity uses it.
UNNAMED = re.compile(r"^列\d+$|#\d+$")
CARRY = re.compile(r"结转|结余")  # a 结转 / 结余 line of a 收支总表 side
# Tables no identity is drawn from: 绩效 forms, unclassified grids, the 统计表 of counts.
# Whole-government tables (转移支付 by region, 总决算) follow other identities than a department's: no
# measure or prose figure is drawn from them; tables.check_tables holds them to their own identities.
# (一般公共预算支出预算表 is both a department kind and a government one: the department's wins.)
SKIP_KINDS = PERFORMANCE_KINDS | {"other", "相关信息统计表"} | GOVERNMENT_ONLY


def is_amount_column(column: str) -> bool:
    return not NOT_AMOUNT.match(column.split("/")[-1]) and not RATE.search(column)


@per_table
def amount_columns(table: Table) -> list[str]:
    return [c for c in table.columns if is_amount_column(c)]


def scale(table: Table) -> Decimal:
    """Factor to 万元: audit compares across tables printed in 元 and 万元."""
    return WAN_SCALE.get(table.unit or "万元", _ONE)


_ONE = Decimal(1)


def value(row: Row, column: str) -> Decimal:
    v = row.cells.get(column)
    return v if v is not None else Decimal(0)


class Qty:
    """A figure taking part in a comparison: where, its value in 万元, how many printed cells it sums.

    Where it sits (`loc`) is built when first read (`model.place`), as a Check's places are."""

    __slots__ = ("_loc", "value", "n_cells", "step", "n_zero")

    def __init__(self, loc: Location | tuple, value: Decimal, n_cells: int = 1, step: Decimal = CENT,
                 n_zero: int = 0) -> None:
        self._loc, self.value, self.n_cells = loc, value, n_cells  # _loc: a Location, or cell_location's arguments
        self.step = step  # printed precision, in 万元
        # of the n_cells, those printing 0 among amounts none negative: a 0.00 is a nonnegative amount under
        # half a step, rounded down only, so it can make the printed figure fall short of the true one, never exceed it
        self.n_zero = n_zero

    loc = place()

    @property
    def half_steps(self) -> Decimal:
        return self.step / 2 * self.n_cells

    def __repr__(self) -> str:
        return f"Qty({self.loc!r}, {self.value!r}, n_cells={self.n_cells}, step={self.step}, n_zero={self.n_zero})"


def gap_tolerance(a: Qty, b: Qty, diff: Decimal) -> Decimal:
    """How far a − b may be from 0 by rounding alone, in the direction it is: printed zeros only ever
    round down, so they widen the gap one way (a 302 of 27 printed 款, 19 of them 0.00, exceeded by
    its 款 by 0.14 is no rounding: the 8 nonzero ones and the 302 owe at most 0.045)."""
    tol = a.half_steps + b.half_steps
    if diff < 0:  # b above a: b's zeros cannot have made it so
        return tol - b.step / 2 * b.n_zero
    if diff > 0:
        return tol - a.step / 2 * a.n_zero
    return tol


def cell_qty(doc: Document, table: Table, row: Row, column: str) -> Qty:
    v = row.cells.get(column)
    f = scale(table)
    return Qty((doc, table, row, column, None), (v or Decimal(0)) * f, 1, step_of(v) * f)


def sum_qty(doc: Document, table: Table, rows: list[Row], columns: list[str], row: Row | None, column: str | None,
            derived: str, n_cells: int | None = None, n_zero: int | None = None) -> Qty:
    # one pass over the cells (the audit's hot path: a 总决算 sums ~1,900 times)
    vals = []
    total = Decimal(0)
    zeros, signed = 0, False
    for r in rows:
        cells = r.cells
        for c in columns:
            v = cells.get(c)
            if v is not None:
                vals.append(v)
                total += v
                if v.is_signed():
                    signed = True
                elif not v:
                    zeros += 1
    f = scale(table)
    # an empty cell prints no amount and carries no rounding: only printed cells widen the tolerance
    n = n_cells if n_cells is not None else max(1, len(vals))
    # printed zeros count among amounts none of which is negative (a negative column may round toward 0 either way)
    z = n_zero if n_zero is not None else (0 if signed or n_cells is not None else zeros)
    return Qty((doc, table, row, column, derived), total * f, n, step_of(*vals) * f, min(z, n))


def compare(result: AuditResult, check: str, name: str, a: Qty, b: Qty, what: str | Callable[[], str],
            severity: str = "error", record: bool = True, note: str = "") -> None:
    """Record the identity a == b; add a finding when they differ (rounding within tolerance). `what` may
    be a function giving the text: it is only needed when there is a finding."""
    diff = a.value - b.value
    tol = gap_tolerance(a, b, diff)
    status = classify_gap(diff, tol)
    if status != "ok" and a.step != b.step:
        coarse = max(a.step, b.step)
        if a.value.quantize(coarse) == b.value.quantize(coarse):
            status = "ok"  # a 元 cell and the 万元 cell it rounds to
    if record:
        result.checks.append(Check(name, check, a._loc, b._loc, a.value, b.value, diff, tol, status, a.n_cells + b.n_cells))
    if status == "ok":
        return
    sev = "rounding" if status == "rounding" else severity
    if callable(what):
        what = what()
    step = max(a.step, b.step)
    show = lambda v: fmt_amount(v, step)  # noqa: E731  元 tables in 元
    if sev == "rounding":
        msg = (f"{what}：{a.loc.label()} {show(a.value)} 与 {b.loc.label()} {show(b.value)} 相差 {show(abs(diff))}，"
               f"在{'元' if step < Decimal('0.01') else '万元'}换算尾差范围内（±{show(tol)}）。")
    else:
        msg = f"{what}不一致：{a.loc.label()} 为 {show(a.value)}，{b.loc.label()} 为 {show(b.value)}，相差 {show(abs(diff))}{note}，请核对。"
    result.findings.append(Finding(sev, check, a.loc, b.loc, a.value, b.value, diff, tol, msg))  # type: ignore[arg-type]


def find(rows: Iterable[Row], *patterns: str) -> Row | None:
    for p in patterns:
        for r in rows:
            if re.search(p, r.label):
                return r
    return None


def printed_column(t: Table, row: Row | None, col: str) -> str | None:
    """The column `row` prints its amount in: `col`, or else the one amount column printing it (江苏's
    功能分类 │ 支出用途 side prints its 当年支出小计 under 支出用途 only); None when neither."""
    if row is None:
        return None
    if row.cells.get(col) is not None:
        return col
    printed = [c for c in amount_columns(t) if row.cells.get(c) is not None]
    return printed[0] if len(printed) == 1 else None


def side_figures(table: Table) -> tuple[Row | None, list[Row], Row | None, list[Row]]:
    """(本年合计 row, numbered lines above it, 总计 row, 结转/结余 lines between them) of one side."""
    rows = table.rows
    # positions by identity: Row equality compares every cell, and these tables are long
    at = {id(r): i for i, r in enumerate(rows)}
    numbered = [r for r in rows if NUMBERING.match(r.name or "") and not CARRY.search(r.name)]
    total = find(rows, r"^本年(收入|支出)合计$", r"^本年(收入|支出)$", r"^(本年|当年)(收入|支出)小计$", r"(收入|支出)合计$")
    grand = find(rows, r"^(收入|支出)?总计$")
    if grand is None and total is not None:
        # a 合计 below the 本年合计 and its 结转结余 lines closes the side (高等学校收支决算总表: 本年收入合计,
        # 上年结转和结余 … 合计; 江苏: 当年收入小计, 上年结转资金, 收入合计)
        grand = next((r for r in rows[at[id(total)] + 1:] if re.match(r"^(收入|支出)?合计$", r.label)), None)
    if total is None:
        lone = find(rows, r"^合计$")
        if lone is not None and grand is None:
            total = lone  # 重庆: 「合计」 heads the numbered lines it adds up, no 本年合计 nor 总计
        elif grand is not None:
            # 普陀: 一、… 九、 then 支出总计, no 本年合计 and no 结转 line: the 总计 adds the lines up itself
            gi = at[id(grand)]
            above = [r for r in numbered if at[id(r)] < gi]
            if above and not any(CARRY.search(r.name or "") for r in rows[:gi]):
                return grand, _top_level(above), grand, []
            return None, [], grand, []
        else:
            return None, [], grand, []
    ti = at[id(total)]
    gi = at[id(grand)] if grand is not None else len(rows)
    items = _top_level([r for r in numbered if at[id(r)] < ti])
    if not items:  # 预算表4: "一、本年支出" first, its classes below it, up to the next 二、
        numbered_ids = {id(r) for r in numbered}
        below = []
        for r in rows[ti + 1 : gi]:
            if numbering_level(r.name) is not None and numbering_level(r.name) <= (numbering_level(total.name) or 0):
                break
            if id(r) in numbered_ids:
                below.append(r)
        items = _top_level(below)
    carries = [r for r in rows[ti + 1 : gi] if CARRY.search(r.name) and
               (not NUMBERING.match(r.name or "") or re.match(r"^[一二三四五六七八九十]+、", r.name or ""))]
    return total, items, grand, carries


_LEVELS = (re.compile(r"^\s*[一二三四五六七八九十]+[、.．]"), re.compile(r"^\s*[（(][一二三四五六七八九十]+[)）]"),
           re.compile(r"^\s*\d+[、.．]"), re.compile(r"^\s*[（(]\d+[)）]|^\s*[①-⑩]"))


def numbering_level(name: str | None) -> int | None:
    """Numbering depth of a line: 一、 1, （一） 2, 1. 3, (1) 4; None when unnumbered."""
    for i, rx in enumerate(_LEVELS, 1):
        if rx.match(name or ""):
            return i
    return None


def _top_level(items: list[Row]) -> list[Row]:
    """Only the outermost numbered lines: 1.一般公共预算 under 一、财政拨款 is inside it, not beside it."""
    levels = [lv for r in items if (lv := numbering_level(r.name)) is not None]
    if not levels:
        return items
    top = min(levels)
    return [r for r in items if numbering_level(r.name) == top]
