"""The audit's finding model: where a figure sits, a finding, an identity evaluated, and rounding.

Rounding. Each printed 万元 cell is its true 元 amount rounded to 0.01, so it is off by at most half
a step (0.005). When true amounts satisfy an identity exactly, the printed cells can miss it by at
most 0.005 per cell involved: `tolerance(n_cells) = step / 2 × n_cells` (0.01 for two cells, 0.015
for a total against two parts). Anything within that is `rounding`, never `error`. A prose figure
written with fewer decimals (705.4) carries half of its own last digit instead.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Literal

from budgetqa.ingest.models import Document, Row, Table

Severity = Literal["error", "rounding", "warning"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "rounding")


@dataclass
class Location:
    """Where a figure sits: a table cell (table, row, column) or a prose sentence."""

    document: str
    page: int | None = None
    table: str | None = None  # printed title (with 公开NN表 when known)
    table_ref: str | None = None  # Table.ref: index, /收入 or /支出 for a side
    row: str | None = None  # "code name" or the row's name
    column: str | None = None
    line: int | None = None  # source line (text conversions)
    sentence: str | None = None  # prose figures: the sentence that states it
    derived: str | None = None  # "Σ 3 rows" when the value is a sum, not one printed cell

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def label(self) -> str:
        """Short Chinese description for messages: 「支出决算表」215 资源勘探… / 基本支出, 第 8 页."""
        if self.sentence is not None:
            where = f"情况说明「{_clip(self.sentence, 40)}」"
        else:
            where = f"「{self.table}」" + (f"{self.row}" if self.row else "") + (f" / {self.column}" if self.column else "")
        if self.derived:
            where += f"（{self.derived}）"
        if self.page:
            where += f"，第{self.page}页"
        elif self.line:
            where += f"，第{self.line}行"
        return where


@dataclass
class Finding:
    severity: Severity
    check: str  # e.g. "table.parent_sum", "cross.spending_by_class", "prose.figure"
    a: Location
    b: Location
    a_value: Decimal | None
    b_value: Decimal | None
    difference: Decimal | None
    tolerance: Decimal | None
    message: str  # one line in Chinese a reviewer can act on

    def to_dict(self) -> dict:
        return {
            "severity": self.severity,
            "check": self.check,
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "a_value": _num(self.a_value),
            "b_value": _num(self.b_value),
            "difference": _num(self.difference),
            "tolerance": _num(self.tolerance),
            "message": self.message,
        }


@dataclass
class Check:
    """One accounting identity evaluated on a document: both sides, whether it holds within rounding."""

    name: str  # e.g. "两侧总计平衡", "基本+项目=合计"
    check: str  # the audit check id that evaluates it
    left: Location
    right: Location
    left_value: Decimal
    right_value: Decimal
    difference: Decimal
    tolerance: Decimal
    status: Literal["ok", "rounding", "error"] = "ok"
    n_cells: int = 2

    @property
    def holds(self) -> bool:
        return self.status != "error"

    def to_dict(self) -> dict:
        d = {
            "name": self.name,
            "check": self.check,
            "left": self.left.to_dict(),
            "right": self.right.to_dict(),
            "left_value": _num(self.left_value),
            "right_value": _num(self.right_value),
            "difference": _num(self.difference),
            "tolerance": _num(self.tolerance),
            "status": self.status,
            "holds": self.holds,
            "n_cells": self.n_cells,
        }
        return d


@dataclass
class AuditResult:
    findings: list[Finding] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)


# ---------------------------------------------------------------- rounding


def step_of(*values: Decimal | None) -> Decimal:
    """The printed precision of the cells: 0.01 for 2,247.14; 1 for whole 元 amounts."""
    exps = [v.as_tuple().exponent for v in values if v is not None and isinstance(v.as_tuple().exponent, int)]
    exp = min(exps) if exps else -2
    return Decimal(1).scaleb(max(exp, -2))


def tolerance(n_cells: int, step: Decimal = Decimal("0.01")) -> Decimal:
    """Worst-case rounding gap when `n_cells` printed cells (parts and total) should balance."""
    return step / 2 * max(2, n_cells)


def classify_gap(diff: Decimal, tol: Decimal) -> Literal["ok", "rounding", "error"]:
    d = abs(diff)
    if d == 0:
        return "ok"
    return "rounding" if d <= tol else "error"


# ---------------------------------------------------------------- locations


def cell_location(doc: Document, table: Table, row: Row | None, column: str | None, derived: str | None = None) -> Location:
    title = table.title.split("/")[0] if table.side else table.title
    if table.number and table.number not in title:
        title = f"{title}（{table.number}）"
    if table.side:
        title = f"{title}·{table.side}"
    row_label = None
    if row is not None:
        row_label = f"{row.code} {row.name}".strip() if row.code else row.name
    page = row.page if row is not None and row.page else (table.pages[0] if table.pages else None)
    return Location(
        document=doc.file,
        page=page,
        table=title,
        table_ref=table.ref,
        row=row_label,
        column=column,
        line=row.line if row is not None else None,
        derived=derived,
    )


def fmt(v: Decimal | None) -> str:
    if v is None:
        return "空"
    q = v.quantize(Decimal("0.01")) if v.as_tuple().exponent < -2 else v  # type: ignore[operator]
    return f"{q:,}"


def _num(v: Decimal | None) -> str | None:
    return None if v is None else str(v)


def _clip(s: str, n: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"
