"""Columns a table computes from its own columns, recomputed row by row.

Three kinds, each recognised by its header and its operands found among the table's columns:
- a difference: 「2024年决算比2023年决算（增减额）」 (A − B, both named), or a 增减 group beside two year
  groups of the same sub-columns (西安 三公: 2021年/合计 │ 2022年/合计 │ 增减变化情况/合计 = later − earlier);
- a ratio: 完成调整预算数的% / 为预算数的％ / 执行率 = 决算 (执行) ÷ the budget the header names × 100;
- a growth rate: 比上年（同比）+-% = (Y − (Y−1)) ÷ (Y−1) × 100 when both years' columns are printed.

A header can name an operand the table does not print, or another one than its figures use. When
every row of a difference column equals A minus some other column instead, the header is wrong, not
the figures (黑龙江 3.19: 「2024年决算比2023年预算」 holds 2024年决算 − 2024年预算): one finding for the
column. Rounding is taken as a range from the printed precision of each cell, so an integer 万元 table
and a 元 table are held to what their print allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from budgetqa.app.audit.model import AuditResult, Check, Finding, cell_location, fmt, half_digit, step_of, tolerance
from budgetqa.ingest.models import Document, Row, Table

_DIFF_FLAT = re.compile(r"^(?P<a>.+?)(?:比|较)(?P<b>.+?)[（(]?(?:增减额|增减数|增减|差额)[)）]?$")
_DIFF_GROUP = re.compile(r"^(?:比上年)?(?:增减变化情况|增减变化|增减额|增减数|增减|差额)$")
_RATIO = re.compile(r"^(?:完成|为|占)?(?P<base>调整预算|年初预算|全年预算|预算)数?的?\s*[%％]$|"
                    r"^(?:预算|项目|资金)?(?:执行率|完成率)(?:[（(][%％][)）])?$")
_GROWTH = re.compile(r"(?:比上年|同比|增长率|增减率|增幅)")
_PCT = re.compile(r"[%％率幅]")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?:年|(?=[决预执]))")
# operands of a ratio: what was spent or collected, over what was budgeted
_DONE = re.compile(r"决算|执行|完成|实际")
# 绩效 forms print indicator values and scores beside the funds: 实际完成值, 分值, 得分 are no operands
_NO_OPERAND = re.compile(r"值|分$|率|目标|指标|权重|程度|情况|单位|序号|编号")
_BUDGET = {
    "调整预算": re.compile(r"调整预算|调整后预算"),
    "年初预算": re.compile(r"年初预算"),
    "全年预算": re.compile(r"全年预算"),
    "预算": re.compile(r"(?<!调整)预算|下达|批复|资金总额"),
}


@dataclass
class Derived:
    column: str
    op: Literal["diff", "ratio", "growth"]
    a: str
    b: str | None  # None when the header names a column the table does not print
    named: str  # the operand the header names: 「2023年预算」 / 「调整预算」 / 「上年」


def _norm(label: str) -> str:
    s = re.sub(r"\s+", "", label)
    s = re.sub(r"[（(][^）)]*[)）]$", "", s)  # （万元） / （增减额）
    return s[:-1] if s.endswith("数") else s


def _find(columns: list[str], label: str, exclude: set[str]) -> str | None:
    want = _norm(label)
    hits = [c for c in columns if c not in exclude and (_norm(c.replace("/", "")) == want or _norm(c.split("/")[-1]) == want)]
    return hits[0] if len(hits) == 1 else None


def _year_pair(columns: list[str], exclude: set[str], rest: str = "") -> tuple[str, str] | None:
    """(earlier, later) columns that differ only by a year one apart: 2023年决算数 / 2024年决算数,
    or groups 2021年/合计 / 2022年/合计 for `rest` 合计."""
    keyed: dict[str, list[tuple[int, str]]] = {}
    for c in columns:
        if c in exclude:
            continue
        head, _, tail = c.partition("/")
        if rest and tail != rest:
            continue
        if not rest and "/" in c:
            continue
        m = _YEAR.search(head)
        if m is None:
            continue
        keyed.setdefault(head.replace(m.group(0), "#", 1) + "/" + tail, []).append((int(m.group(1)), c))
    pairs = [sorted(v) for v in keyed.values() if len(v) == 2]
    pairs = [p for p in pairs if p[1][0] - p[0][0] == 1]
    return (pairs[0][0][1], pairs[0][1][1]) if len(pairs) == 1 else None


def derived_columns(table: Table) -> list[Derived]:
    """The computed columns of a table whose operands it prints (or whose header names one it lacks)."""
    if not any(_DIFF_FLAT.match(_flat(c)) or _DIFF_GROUP.match(c.split("/")[0]) or _RATIO.match(c.split("/")[-1].strip())
               or (_PCT.search(c) and _GROWTH.search(c)) for c in table.columns):
        return []  # no header names a computed column (most tables): no need to read the cells
    cols = [c for c in table.columns if any(r.cells.get(c) is not None for r in table.rows)]  # figures, not texts
    found: list[Derived] = []
    computed = {c for c in cols if _DIFF_FLAT.match(_flat(c)) or _DIFF_GROUP.match(c.split("/")[0])
                or (_PCT.search(c) and (_RATIO.match(c.split("/")[-1].strip()) or _GROWTH.search(c)))}
    for c in cols:
        label = c.split("/")[-1].strip()
        if (m := _DIFF_FLAT.match(_flat(c))) is not None:
            a = _find(cols, m.group("a"), computed)
            if a is not None:
                found.append(Derived(c, "diff", a, _find(cols, m.group("b"), computed), m.group("b")))
        elif "/" in c and _DIFF_GROUP.match(c.split("/")[0]):
            pair = _year_pair(cols, computed, c.partition("/")[2])
            if pair is not None:
                found.append(Derived(c, "diff", pair[1], pair[0], pair[0]))
        elif (m := _RATIO.match(label)) is not None:
            base = m.group("base") or "预算"
            amounts = [x for x in cols if x not in computed and not _NO_OPERAND.search(x.split("/")[-1])]
            den = [x for x in amounts if _BUDGET[base].search(x) and not _DONE.search(x)]
            if len(den) > 1:  # 年初预算数 │ 全年预算数: a rate is of the budget as it stood at the end
                den = [x for x in den if _BUDGET["全年预算"].search(x) or _BUDGET["调整预算"].search(x)] or den
            num = [x for x in amounts if _DONE.search(x) and not _BUDGET["调整预算"].search(x)]
            if len(den) == 1 and len(num) == 1:
                found.append(Derived(c, "ratio", num[0], den[0], base))
        elif _PCT.search(c) and _GROWTH.search(c):
            pair = _year_pair(cols, computed)
            if pair is not None:
                found.append(Derived(c, "growth", pair[1], pair[0], "上年"))
    return found


def _flat(c: str) -> str:
    return re.sub(r"\s+", "", c.replace("/", ""))


def _range(d: Derived, a: Decimal, b: Decimal) -> tuple[Decimal, Decimal] | None:
    """What the derived cell may print given A and B as printed (each off by half its last digit)."""
    ha, hb = half_digit(a), half_digit(b)
    try:
        if d.op == "diff":
            return a - b - ha - hb, a - b + ha + hb
        if b - hb <= 0 or a < 0:
            return None
        if d.op == "ratio":
            return max(a - ha, Decimal(0)) / (b + hb) * 100, (a + ha) / (b - hb) * 100
        return ((a - ha) / (b + hb) - 1) * 100, ((a + ha) / (b - hb) - 1) * 100
    except InvalidOperation:
        return None


def _fits(d: Derived, row: Row, a_col: str, b_col: str) -> bool | None:
    """Whether the row's printed derived cell is what its operands give; None when it cannot be told."""
    v, a, b = row.cells.get(d.column), row.cells.get(a_col), row.cells.get(b_col)
    if v is None or a is None or b is None:
        return None
    rng = _range(Derived(d.column, d.op, a_col, b_col, d.named), a, b)
    if rng is None:
        return None
    half = half_digit(v) if d.op != "diff" else Decimal(0)
    # a percentage cut, not rounded, is one step off at most (政府决算 prints 1 decimal)
    slack = 2 * half
    if rng[0] - slack <= v <= rng[1] + slack:
        return True
    # 执行率 1.00 for 100%: a rate printed as a fraction where neither header nor cell prints %
    fraction = d.op == "ratio" and "%" not in row.texts.get(d.column, "") and not re.search("[%％]", d.column)
    return fraction and rng[0] - slack * 100 <= v * 100 <= rng[1] + slack * 100


def _rows(table: Table) -> list[Row]:
    return [r for r in table.rows if any(v is not None for v in r.cells.values())]


def _short(c: str) -> str:
    """2021年/一般公共预算拨款安排的“三公”经费预算/公务接待费 → 2021年/公务接待费."""
    segs = c.split("/")
    return c if len(segs) <= 2 else f"{segs[0]}/{segs[-1]}"


def _what(d: Derived, b: str | None = None) -> str:
    a, b = _short(d.a), _short(b or d.b or d.named)
    if d.op == "diff":
        return f"「{a}」−「{b}」"
    if d.op == "ratio":
        return f"「{a}」÷「{b}」×100%"
    return f"（「{a}」÷「{b}」−1）×100%"


def _computed(d: Derived, row: Row, b_col: str) -> Decimal | None:
    a, b = row.cells.get(d.a), row.cells.get(b_col)
    if a is None or b is None:
        return None
    if d.op == "diff":
        return a - b
    if b == 0:
        return None
    return (a / b * 100) if d.op == "ratio" else (a / b - 1) * 100


def _other_operand(table: Table, d: Derived, rows: list[Row]) -> str | None:
    """The one column B' with A − B' (A ÷ B') printed in every row that can be told, when B itself
    does not fit: the figures are right, the header names the wrong column."""
    skip = {d.column, d.a} | {x.column for x in derived_columns(table)}
    fits = []
    for c in table.columns:
        if c in skip:
            continue
        told = [_fits(d, r, d.a, c) for r in rows]
        told = [t for t in told if t is not None]
        if len(told) >= 2 and all(told) and any((r.cells.get(d.column) or 0) != 0 for r in rows):
            fits.append(c)
    return fits[0] if len(fits) == 1 else None


def check_derived(doc: Document, result: AuditResult) -> None:
    """Every computed column of every table (绩效 forms' 执行率 and a region's 总决算 included)."""
    for table in doc.tables:
        if table.kind != "other":
            _check_table(doc, table, result)


def _check_table(doc: Document, table: Table, result: AuditResult) -> None:
    found = derived_columns(table)
    rows = _rows(table) if found else []
    for d in found:
        misses: list[Row] = []
        told = 0
        if d.b is not None:
            name = f"{d.column.split('/')[-1]}={_what(d)}"
            for r in rows:
                ok = _fits(d, r, d.a, d.b)
                if ok is None:
                    continue
                told += 1
                v, want = r.cells[d.column], _computed(d, r, d.b)
                step = step_of(v)
                result.checks.append(Check(name, "table.derived", (doc, table, r, d.column, None),
                                           (doc, table, r, d.a, None), v, want or Decimal(0),
                                           v - (want or Decimal(0)), tolerance(3, step), "ok" if ok else "error", 3))
                if not ok:
                    misses.append(r)
        if d.op == "diff" and (d.b is None or (told >= 2 and len(misses) == told)):
            other = _other_operand(table, d, rows)
            if other is not None:
                _header_finding(doc, table, d, other, rows, result)
                continue
        severe = "warning" if len(misses) >= 3 and len(misses) * 10 > told * 3 else "error"
        for r in misses:
            _row_finding(doc, table, d, r, severe, len(misses), told, result)


def _show(d: Derived, v: Decimal) -> str:
    if d.op == "diff":
        return fmt(v)
    return f"{v.quantize(Decimal('0.01'))}%"


def _row_finding(doc: Document, table: Table, d: Derived, row: Row, severity: str, n: int, told: int,
                 result: AuditResult) -> None:
    v = row.cells[d.column]
    want = _computed(d, row, d.b) if d.b else None
    if want is not None and d.op != "diff":
        want = want.quantize(Decimal("0.01"))
    a_loc = cell_location(doc, table, row, d.column)
    b_loc = cell_location(doc, table, row, d.a, derived=_what(d))
    note = (f"（本列 {n}/{told} 行不符，更可能是表格未正确识别，请对照原表。）" if severity == "warning" else "，请核对。")
    pct = [c for c in (d.a, d.b) if c and re.search("[%％]$", row.texts.get(c, ""))]
    if pct and severity == "error":
        note = f"；「{pct[0]}」一栏印的是百分比「{row.texts[pct[0]]}」而不是金额，请核对。"
    msg = (f"「{a_loc.table}」{a_loc.row} 的「{d.column.split('/')[-1]}」印为 {_show(d, v)}，"
           f"按{_what(d)}计算为 {_show(d, want) if want is not None else '空'}{note}")
    result.findings.append(Finding(severity, "table.derived", a_loc, b_loc, v, want, (v - want) if want is not None else None,  # type: ignore[arg-type]
                                   half_digit(v), msg))


def _header_finding(doc: Document, table: Table, d: Derived, other: str, rows: list[Row], result: AuditResult) -> None:
    n = sum(1 for r in rows if _fits(d, r, d.a, other))
    a_loc = cell_location(doc, table, None, d.column)
    b_loc = cell_location(doc, table, None, other)
    lacks = f"表中并无「{d.named}」列，" if d.b is None else f"而非「{d.b}」，"
    msg = (f"「{a_loc.table}」的「{d.column}」一列，{n} 行数字均等于{_what(d, other)}，{lacks}"
           f"表头所写的比较对象与数字不符，请核对表头。")
    result.findings.append(Finding("error", "table.header_operand", a_loc, b_loc, None, None, None, None, msg))
