"""Headline measures for the Compare tab: one value per document, in 万元, with its source.

`budgetqa.app.measures` (the bulk helper's rules) answers first; where it finds nothing (or is absent), a
small reader of the document's own tables picks the cell by table kind, row and column. Values in
元 are converted to 万元 so documents can sit on one axis; the source keeps the printed value.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from budgetqa.ingest.models import Document, Row, Table
from budgetqa.ingest.units import to_wan

MEASURES = ["三公经费", "本年支出合计", "基本支出", "项目支出", "人员经费", "公用经费", "财政拨款收入",
            "年末结转和结余", "机关运行经费"]
_OWN = {"三公经费", "本年支出合计", "基本支出", "项目支出", "人员经费", "公用经费"}


@dataclass
class MeasureValue:
    measure: str
    value_wan: Decimal  # in 万元
    printed: Decimal
    unit: str | None
    table: str
    row: str
    column: str
    page: int | None

    def source(self) -> str:
        page = f"第{self.page}页 · " if self.page else ""
        return f"{page}{self.table} · {self.row} · {self.column} = {self.printed:,}{self.unit or ''}"


def _to_wan(v: Decimal, unit: str | None) -> Decimal:
    """万元 for the chart, rounded to the printed precision of 万元 tables."""
    return to_wan(v, unit).quantize(Decimal("0.01")) if unit == "元" else to_wan(v, unit)


def _leaf(c: str) -> str:
    return c.split("/")[-1]


def _total_row(t: Table) -> Row | None:
    """The table's 合计 row: named 合计/总计 and carrying no subject code."""
    for r in t.rows:
        name = r.name.replace(" ", "")
        if not r.code and ("合计" in name or "总计" in name) and any(v is not None for v in r.cells.values()):
            return r
    return None


def _value(m: str, t: Table, r: Row, col: str) -> MeasureValue | None:
    v = r.cells.get(col)
    if v is None:
        return None
    row = f"{r.code} {r.name}".strip() if r.code else (r.name or "（首行）")
    return MeasureValue(m, _to_wan(v, t.unit), v, t.unit, t.title, row, col, r.page)


def _sangong(doc: Document, m: str) -> MeasureValue | None:
    want = "预算" if doc.kind == "预算" else "决算"
    for t in doc.tables:
        if not t.kind.startswith("三公经费") or not t.rows:
            continue
        total = _total_row(t)
        if total is not None:  # items as rows: the 合计 row, the 决算数 / 预算数 column
            col = next((c for c in t.columns if want in _leaf(c)), None) or (t.columns[0] if t.columns else None)
            return _value(m, t, total, col) if col else None
        # items as columns (one data row): the 合计 column of the wanted ledger
        row = t.rows[0]
        cols = [c for c in t.columns if "合计" in c]
        col = next((c for c in cols if want in c), None) or next((c for c in cols if "决算" not in c), None)
        if col:
            return _value(m, t, row, col)
    return None


def _spending(doc: Document, m: str) -> MeasureValue | None:
    kind = "支出预算表" if doc.kind == "预算" else "支出决算表"
    for t in doc.tables:
        if t.kind != kind:
            continue
        row = _total_row(t)
        if row is None:
            return None
        if m == "本年支出合计":
            col = next((c for c in t.columns if _leaf(c) in ("本年支出合计", "合计", "小计")), None)
        else:
            col = next((c for c in t.columns if _leaf(c) == m), None)
        return _value(m, t, row, col) if col else None
    return None


def _personnel(doc: Document, m: str) -> MeasureValue | None:
    """人员经费 / 公用经费: a column of the general-budget table's 合计 row, else a 合计 row of the detail table."""
    for t in doc.tables:
        if t.kind in ("一般公共预算财政拨款支出决算表", "一般公共预算支出预算表"):
            row = _total_row(t)
            col = next((c for c in t.columns if _leaf(c) == m), None)
            if row and col:
                return _value(m, t, row, col)
    for t in doc.tables:
        if t.kind in ("一般公共预算财政拨款基本支出决算明细表", "一般公共预算基本支出预算表"):
            for r in t.rows:
                if r.name.replace(" ", "").startswith(m) and not r.code:
                    col = next((c for c, v in r.cells.items() if v is not None), None)
                    if col:
                        return _value(m, t, r, col)
    return None


@dataclass
class Measured:
    """What the Compare tab shows per document: a value in 万元 and where it was read."""

    value_wan: Decimal
    source: str


def compare_value(doc: Document, m: str) -> Measured | None:
    """A measure for one document: the headline rules first, then this module's own reader."""
    try:
        from budgetqa.app.measures import RULES, resolve
    except ImportError:
        RULES = {}
    name = f"{m}_{'预算数' if doc.kind == '预算' else '决算数'}" if m == "三公经费" else m
    if name in RULES:
        h = resolve(doc, RULES[name], name)
        if h is not None:
            return Measured(h.value, h.source)
    if m in _OWN:
        v = measure(doc, m)
        if v is not None:
            return Measured(v.value_wan, v.source())
    return None


def measure(doc: Document, m: str) -> MeasureValue | None:
    """One headline figure of a document, or None when its tables do not hold it."""
    if m == "三公经费":
        return _sangong(doc, m)
    if m in ("本年支出合计", "基本支出", "项目支出"):
        return _spending(doc, m)
    if m in ("人员经费", "公用经费"):
        return _personnel(doc, m)
    raise ValueError(f"unknown measure {m!r}; choose one of {', '.join(MEASURES)}")
