"""The audit's finding model: where a figure sits, a finding, an identity evaluated, and rounding.

Rounding. Each printed 万元 cell is its true 元 amount rounded to 0.01, so it is off by at most half
a step (0.005). When true amounts satisfy an identity exactly, the printed cells can miss it by at
most 0.005 per cell involved: `tolerance(n_cells) = step / 2 × n_cells` (0.01 for two cells, 0.015
for a total against two parts). Anything within that is `rounding`, never `error`. A prose figure
written with fewer decimals (705.4) carries half of its own last digit instead.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Literal

from budgetqa.app.audit.memo import per_table
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


# Rule id → what the rule checks, one line in Chinese (shown beside each finding).
RULES: dict[str, str] = {
    "table.column_sum": "合计列应等于各分项列之和",
    "table.parent_sum": "上级科目应等于下级科目之和",
    "table.total_row": "合计行应等于各类科目之和",
    "table.subtotals": "总计应等于各小计之和",
    "table.region_sum": "地区合计应等于本级及其下各地区之和",
    "table.transfers": "上级补助收入（补助下级支出）应等于返还性、一般性转移支付、专项转移支付之和，各项应等于其下所列之和",
    "table.formula": "表头列有计算公式（如 A=B+C）的列应等于按公式计算的结果",
    "prose.project": "说明中点名的项目金额应与项目支出表该项目一致",
    "prose.reason_direction": "增减变化所给主要原因的方向应与增减方向一致",
    "prose.procurement": "说明所写政府采购预算总额应与政府采购预算表合计一致",
    "prose.perf_coverage": "全部项目实行绩效目标管理时所写涉及资金应为表中的项目支出或合计",
    "prose.running_costs": "说明中的机关运行经费应与表中机关运行经费一致",
    "prose.meetings": "说明中的会议费、培训费应与“三公”经费、会议费、培训费表一致",
    "cross.subject": "收支总表按名称列出的款、项应与支出表同名科目一致",
    "table.side_total": "本年合计应等于所列各项之和",
    "table.side_lines": "收支总表中的一项应等于其下一级所列各项之和",
    "table.side_grand_total": "总计应等于本年合计加结转结余",
    "table.balance": "收入总计应等于支出总计",
    "table.sangong_total": "“三公”经费合计应等于三项之和",
    "table.sangong_cars": "公务用车费应等于购置费加运行维护费",
    "table.derived": "增减、完成率、增长率等计算列应等于按其所列两列计算的结果",
    "table.header_operand": "计算列表头所写的比较对象应与其数字所用的列一致",
    "cross.measure": "同一数字在两张表中应一致",
    "cross.class": "同一功能分类在两张表中应一致",
    "cross.sangong_economic": "基本支出中的“三公”项目不应超过“三公”经费表",
    "prose.measure": "说明中的总数应与表中一致",
    "prose.sangong": "说明中的“三公”经费应与表中一致",
    "prose.share": "说明中的占比应按所述数字计算",
    "prose.completion": "完成预算的比例应按决算数与预算数计算",
    "prose.change_direction": "增减金额与增减比例的方向应一致",
    "prose.change_parts": "总额的增减应等于其后所列各项增减之和（方向一致）",
    "prose.change_prior": "说明的比上年增减应与表中所列上年数一致",
    "prose.change_base": "比上年增减应等于本年数减去说明所称的上年数（含基数为 0）",
    "prose.change_pct": "增减百分比应等于增减额除以上年数（本年数减增减额）",
    "prose.change_agree": "同一数字的比上年增减在各处应一致",
    "prose.sangong_changes": "“三公”各项的比上年增减之和应等于总额的增减",
    "prose.parts_sum": "说明的合计应等于其后所列各组成部分（基本+项目、货物+工程+服务等）之和",
    "items.row": "说明条目中的科目金额应与表中该科目一致",
    "items.budget": "条目开头的金额应等于其预算安排数",
    "items.change": "增减金额应等于本年数减上年数",
    "items.change_pct": "增减比例应按本年数与上年数计算",
    "items.direction": "增加/减少/持平应与本年数和上年数的大小一致",
    "items.year": "比较年份应为上一年度",
    "items.final_word": "“决算数大于/小于预算数”应与两数大小一致",
    "items.reason_word": "“决算数大于/小于预算数的主要原因”所列原因的方向应与其一致",
    "items.share": "占比应按表中合计计算",
    "document.missing_table": "公开报表应齐全",
    "document.header_year": "表头年度应与文件年度一致",
    "document.placeholder": "文中不应留有模板占位符",
    "document.leftover": "文中不应留有模板残留用语",
    "document.empty_table": "空表应注明原因（本部门无…）",
    "document.toc_absent": "目录列出的表应在文件中",
    "document.toc_unlisted": "文件中的标准表应列入目录",
    "document.header_department": "表头的部门名称应与封面一致",
    "document.header_unit": "列名标明的金额单位应与表头单位一致",
    "perf.project_funds": "绩效目标表的项目资金应与项目支出表中该项目一致",
    "prose.self_eval": "说明中项目绩效自评的预算数、执行数、执行率和得分应与该项目的绩效自评表一致",
    "prior.change": "与上年文件对比的增减应与上年文件的数字一致",
    "prior.column": "表中上年数应与上年文件一致",
}


@dataclass
class Finding:
    severity: Severity
    check: str  # the rule id, e.g. "table.parent_sum", "cross.measure", "items.change_pct" (see RULES)
    a: Location
    b: Location
    a_value: Decimal | None
    b_value: Decimal | None
    difference: Decimal | None
    tolerance: Decimal | None
    message: str  # one line in Chinese a reviewer can act on

    @property
    def id(self) -> str:
        """Stable across runs of the same document: the rule, both places and both figures (not the
        wording), so a reviewer's mark survives a re-audit; 12 hex digits."""
        key = json.dumps([self.check, _place(self.a), _place(self.b), _num(self.a_value), _num(self.b_value)],
                         ensure_ascii=False)
        return hashlib.sha1(key.encode()).hexdigest()[:12]

    @property
    def rule(self) -> str:
        """What the rule checks, in Chinese (the message says what was found)."""
        return RULES.get(self.check, self.check)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "severity": self.severity,
            "check": self.check,
            "rule": self.rule,
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "a_value": _num(self.a_value),
            "b_value": _num(self.b_value),
            "difference": _num(self.difference),
            "tolerance": _num(self.tolerance),
            "message": self.message,
        }


class place:  # noqa: N801  (used as a field declaration)
    """A place kept as cell_location's arguments (doc, table, row, column, derived) in the slot `_<name>`,
    built into a Location when first read: a 总决算 is held to ~1,900 identities, nearly all hold, and
    most places are never shown."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, obj, owner=None) -> Location:
        if obj is None:
            return self  # type: ignore[return-value]
        where = getattr(obj, self.slot)
        if type(where) is not Location:
            where = cell_location(*where)
            setattr(obj, self.slot, where)
        return where


class Check:
    """One accounting identity evaluated on a document: both sides, whether it holds within rounding.

    Both places are built when first read (`left`, `right`, `to_dict`): the rules record every identity,
    and a reader looks at the few that fail."""

    __slots__ = ("name", "check", "_left", "_right", "left_value", "right_value", "difference", "tolerance",
                 "status", "n_cells")

    def __init__(self, name: str, check: str, left: Location | tuple, right: Location | tuple,
                 left_value: Decimal, right_value: Decimal, difference: Decimal, tolerance: Decimal,
                 status: Literal["ok", "rounding", "error"] = "ok", n_cells: int = 2) -> None:
        self.name = name  # e.g. "两侧总计平衡", "基本+项目=合计"
        self.check = check  # the audit check id that evaluates it
        self._left, self._right = left, right  # Locations, or cell_location's arguments
        self.left_value = left_value
        self.right_value = right_value
        self.difference = difference
        self.tolerance = tolerance
        self.status = status
        self.n_cells = n_cells

    left = place()
    right = place()

    @property
    def holds(self) -> bool:
        return self.status != "error"

    def __repr__(self) -> str:
        return (f"Check({self.name!r}, {self.check!r}, {self.left_value} vs {self.right_value}, "
                f"status={self.status!r})")

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
    exp = None
    for v in values:  # the audit's hot path (a sum of n cells asks n times): one loop, early out at 0.01
        if v is None:
            continue
        if v.same_quantum(CENT):  # printed to the cent, or whole: the two precisions nearly every cell has
            return CENT
        if v.same_quantum(_UNIT):
            if exp is None or exp > 0:
                exp = 0
            continue
        text = str(v)  # the exponent read off the text (−2 for 12.50): a sixth of the cost of as_tuple()
        if "E" in text or not text[-1].isdigit():
            e = _exponent(v)
        else:
            dot = text.find(".")
            e = dot - len(text) + 1 if dot >= 0 else 0
        if e is not None and (exp is None or e < exp):
            if e <= -2:
                return CENT
            exp = e
    return _step(-2 if exp is None else exp)


def _step(exp: int) -> Decimal:
    step = _STEPS.get(exp)
    if step is None:
        step = _STEPS[exp] = Decimal(1).scaleb(exp)
    return step


_STEPS: dict[int, Decimal] = {}  # a step per exponent, made once
CENT = _step(-2)  # the precision of a cell printed to the fen
_UNIT = _step(0)


def _exponent(v: Decimal) -> int | None:
    e = v.as_tuple().exponent
    return e if isinstance(e, int) else None  # NaN, Infinity print no precision


def half_digit(v: Decimal) -> Decimal:
    """Half the last printed digit: 0.5 for 28466, 0.05 for 92.3, 0.005 for 2,247.14 (finer than step_of's 0.01)."""
    exp = v.as_tuple().exponent
    return Decimal(5).scaleb(min(exp, 0) - 1)  # type: ignore[arg-type, operator]


def tolerance(n_cells: int, step: Decimal = Decimal("0.01")) -> Decimal:
    """Worst-case rounding gap when `n_cells` printed cells (parts and total) should balance."""
    return step / 2 * max(2, n_cells)


def classify_gap(diff: Decimal, tol: Decimal) -> Literal["ok", "rounding", "error"]:
    d = abs(diff)
    if d == 0:
        return "ok"
    return "rounding" if d <= tol else "error"


# ---------------------------------------------------------------- locations


@per_table
def _shown_title(table: Table) -> str:
    """The table as a finding names it: its printed title, 公开NN表 and the side."""
    side = table.side
    title = table.title.split("/")[0] if side else table.title
    if table.number and table.number not in title:
        title = f"{title}（{table.number}）"
    return f"{title}·{side}" if side else title


def cell_location(doc: Document, table: Table, row: Row | None, column: str | None, derived: str | None = None) -> Location:
    title = _shown_title(table)
    first = table.pages[0] if table.pages else None
    if row is None:
        return Location(document=doc.file, page=first, table=title, table_ref=table.ref, column=column, derived=derived)
    return Location(document=doc.file, page=row.page or first, table=title, table_ref=table.ref,
                    row=f"{row.code} {row.name}".strip() if row.code else row.name, column=column, line=row.line,
                    derived=derived)


def fmt(v: Decimal | None) -> str:
    if v is None:
        return "空"
    q = v.quantize(Decimal("0.01")) if v.as_tuple().exponent < -2 else v  # type: ignore[operator]
    return f"{q:,}"


def _place(loc: Location) -> list:
    # the sentence's heading (kept in `table` for prose) tells apart one template sentence in two sections;
    # a table named but not located (a standard table missing) is told apart by its name
    return [loc.table_ref, loc.table if loc.sentence or not loc.table_ref else None, loc.row, loc.column,
            " ".join((loc.sentence or "").split())[:80], loc.derived]


def fmt_amount(v: Decimal, step: Decimal) -> str:
    """An amount in 万元 shown as printed: in 元 when the cells are 元 (a 1-yuan gap is 相差 1 元, not 0.00),
    in 亿元 when they are 亿元 (a debt table's 2,333.70 亿元, not 23,337,000 万元)."""
    if step < Decimal("0.01"):
        return f"{(v * 10000).quantize(min(step * 10000, Decimal(1)).normalize()):,} 元"
    if step >= Decimal(100):
        return f"{(v / 10000).quantize(step / 10000):,} 亿元"
    return f"{fmt(v)} 万元"


def _num(v: Decimal | None) -> str | None:
    return None if v is None else str(v)


def _clip(s: str, n: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"
