"""The standard headline figures of a document, in 万元, each traced to one printed cell.

Which table, row and column gives a figure differs by format (决算 vs 预算, Shanghai's 元 tables,
the university 收支决算总表, 三公 printed as one wide row or as a long list), so the resolution is
data: `RULES` lists, per figure, the places to look in order of preference; the first place whose
table, row and column all exist gives the figure. A figure no rule finds is None (the document does
not give it), never zero; a cell that exists but is printed empty means zero (the templates print
nothing for nothing). Amounts are converted exactly (Decimal) from the table's unit to 万元.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from budgetqa.ingest.classify import (BASIC_DETAIL, FISCAL_OVERVIEW, GENERAL_SPENDING, OVERVIEW, SANGONG,
                             SPENDING, STATS)
from budgetqa.ingest.facts import column_unit
from budgetqa.ingest.labels import strip_numbering
from budgetqa.ingest.units import WAN_SCALE
from budgetqa.ingest.models import Document, Row, Table



TOTAL = r"^(合计|总计)?$"  # the totals row; PDF grids sometimes lose its label, so "" counts too
WIDE = r".*"  # row: the table's one data row (三公 printed as a single wide row)
PRIMARY = None  # column: the table's main amount column (决算数 / 金额 / 2023年预算数 / the only one)


@dataclass(frozen=True)
class Rule:
    """One place a figure may be printed: table kinds (and side), a row name pattern, a column pattern.

    Patterns are regexes matched against normalized names (no blanks, numbering or 其中：). `row`
    matches the row's name or its label in a label column (项目) of the other half of a two-sided
    table read as one. `col` is matched against the column path's last segment, or the whole path
    when it contains "/"; a tuple of patterns must each fullmatch a different segment of the path
    (header order differs: 预算数/合计 vs 合计/预算数); PRIMARY means the table's main amount column.
    """

    kinds: tuple[str, ...]
    row: str
    col: str | tuple[str, ...] | None = PRIMARY
    side: str | None = None  # 收入 / 支出: that side of a split table; "": an unsplit table; None: any
    ledger: str | None = None  # only for 决算 or 预算 documents
    printed: bool = False  # the cell must print a value (section-heading rows print none)


INCOME_COLUMN = r"^(本年收入|财政拨款收入|收入)(/|$)"  # income half of a two-sided table read as one


def _income(kinds: tuple[str, ...], row: str) -> list[Rule]:
    """An income-side row: in the table's 收入 side, or in the income columns of an unsplit table."""
    return [Rule(kinds, row, side="收入"), Rule(kinds, row, INCOME_COLUMN, side="")]


def _sangong(label: str, item: str) -> list[Rule]:
    """三公 printed wide (预算数 / 因公出国（境）费 header segments over one row) or long (rows × 预算数)."""
    # the label as a group over the items: 预算数, or 「一般公共预算拨款安排的“三公”经费预算」 (Xi'an)
    group = rf".*({label}|经费{label[:-1]})"
    wide = Rule(SANGONG, WIDE, (group, item))
    long_ = Rule(SANGONG, rf"^({item})$", rf"^{label}$")
    # 长沙: 「三公经费预（决）算数（财政拨款）」 over the items, the ledger of whichever document prints it
    either = Rule(SANGONG, WIDE, (r".*预[（(]决[)）]算数(?:[（(][^）)]*[)）])?", item), ledger=label[:2])
    rules = [wide, long_, either]
    if label == "预算数":  # a 预算 document's 三公 table has one amount column (2023年预算数)
        rules.append(Rule(SANGONG, rf"^({item})$", PRIMARY, ledger="预算"))
        # …or one wide row whose columns are the items themselves (“三公”经费财政拨款预算总额 │ 因公出国（境）费用 │ …)
        wide_item = item.replace("合计|小计|", "", 1) if item.startswith("合计|小计|") else item  # 三公经费合计 stays
        rules.append(Rule(SANGONG, WIDE, (rf"({wide_item})",), ledger="预算"))
        if wide_item != item:  # …whose first column is the 三公 total, headed 合计 (重庆); meetings tables never count it
            rules.append(Rule(SANGONG, WIDE, r"^(合计|小计|总计)(/.*)?$", ledger="预算"))
    return rules


def sangong_rules(label: str, item: str) -> list[Rule]:
    """Where one 三公 item (a row-name pattern) is printed in one ledger (预算数 / 决算数), in every layout."""
    return _sangong(label, item)


_ABROAD = r"因公出国\(境\)费用?"
_CAR_BUY = r"公务用车购置费?|购置费"
_CAR_RUN = r"公务用车运行(维护)?费|运行(维护)?费"
_RECEPTION = r"公务接待费"
_FUND = r"(预算)?(财政拨款(收入)?|拨款(收入)?|资金|收入)?$"  # 一般公共预算收入 (烟台), 一般公共预算拨款收入

RULES: dict[str, list[Rule]] = {
    "收入总计": [
        *_income(OVERVIEW, r"^(收入)?总计$"),
        Rule(OVERVIEW, r"^合计$", side="收入"),  # the university 收支决算总表 prints 合计
    ],
    "本年收入合计": [
        *_income(OVERVIEW, r"^本年收入合计$"),
        Rule(("收入决算表",), TOTAL, r"^本年收入合计$"),
    ],
    "财政拨款收入": [
        *_income(OVERVIEW, r"^财政拨款(收入)?$"),
        Rule(("收入决算表",), TOTAL, r"^财政拨款收入$"),
        *_income(FISCAL_OVERVIEW, r"^本年收入(合计)?$"),
        *_income(FISCAL_OVERVIEW, r"^(收入)?总计$"),  # 预算: 财政拨款收支总表 has no 结转 rows in Shanghai
    ],
    "一般公共预算财政拨款收入": [
        *_income(OVERVIEW, r"^一般公共预算" + _FUND),
        *_income(FISCAL_OVERVIEW, r"^一般公共预算" + _FUND),
    ],
    "政府性基金预算财政拨款收入": [
        *_income(OVERVIEW, r"^政府性基金" + _FUND),
        *_income(FISCAL_OVERVIEW, r"^政府性基金" + _FUND),
    ],
    "国有资本经营预算财政拨款收入": [
        *_income(OVERVIEW, r"^国有资本经营" + _FUND),
        *_income(FISCAL_OVERVIEW, r"^国有资本经营" + _FUND),
    ],
    "事业收入": [
        *_income(OVERVIEW, r"^事业收入$"),
        Rule(("收入决算表",), TOTAL, r"^事业收入$"),
    ],
    "其他收入": [
        *_income(OVERVIEW, r"^其他收入$"),
        Rule(("收入决算表",), TOTAL, r"^其他收入$"),
    ],
    "年初结转和结余": [
        # 年初结转和结余 (决算), 上年结转 / 上年结转结余 / 上年结余、结转 (预算)
        *_income(OVERVIEW, r"^(年初|上年)(结转和?结余|结余和?、?结转|结转)(资金|收入)?$"),
        # 预算 收支总表 printing 上年结转 as a column beside 当年预算 (本年收入合计 │ 当年预算 │ 上年结转)
        Rule(OVERVIEW, r"^(本年收入合计|收入总计)$", r"^上年结转(结余)?$", side="收入", ledger="预算"),
    ],
    "本年支出合计": [
        Rule(OVERVIEW, r"^本年支出合计$", side="支出"),
        Rule(SPENDING, TOTAL, r"^(本年支出)?合计$"),
    ],
    "基本支出": [
        Rule(SPENDING, TOTAL, r"^基本支出$"),
    ],
    "项目支出": [
        Rule(SPENDING, TOTAL, r"^项目支出$"),
    ],
    "人员经费": [
        Rule(BASIC_DETAIL, r"^人员经费(合计)?$"),
        Rule(BASIC_DETAIL, TOTAL, r"^人员经费(合计)?$"),
        Rule(BASIC_DETAIL, TOTAL, r"^人员类$"),  # Hunan: 总计 │ 人员类 │ 公用经费
        Rule(GENERAL_SPENDING, TOTAL, r"^人员经费$"),
    ],
    "公用经费": [
        Rule(BASIC_DETAIL, r"^公用经费(合计)?$"),
        Rule(BASIC_DETAIL, TOTAL, r"^公用经费(合计)?$"),
        Rule(GENERAL_SPENDING, TOTAL, r"^公用经费$"),
    ],
    "年末结转和结余": [
        Rule(OVERVIEW, r"^年末结转和?结余$", side="支出"),
    ],
    **{
        f"{name}_{label}": _sangong(label, item)
        for label in ("预算数", "决算数")
        for name, item in (
            ("三公经费", r"合计|小计|三公经费(合计|小计|总额|财政拨款(预算|决算)?总额|(预算|决算)?总额)?"),
            ("因公出国(境)费", _ABROAD),
            ("公务用车购置费", _CAR_BUY),
            ("公务用车运行维护费", _CAR_RUN),
            ("公务接待费", _RECEPTION),
        )
    },
    "机关运行经费": [
        Rule(STATS, r"^机关运行经费(支出)?(合计)?$", printed=True),
        Rule(SANGONG + STATS, WIDE, (r"机关运行经费.*",)),  # Shanghai: a column of the 三公 table
    ],
    "政府采购": [
        Rule(STATS, r"^政府采购(支出)?(总额|合计|金额)?$", printed=True),
        Rule(STATS, r"^合计$", r"政府采购.*/"),
    ],
}

FIGURES: list[str] = list(RULES)


@dataclass(frozen=True)
class Headline:
    """One resolved figure: its value in 万元 and where it was read."""

    name: str
    value: Decimal
    source: str


def norm(name: str) -> str:
    """Row or column label without blanks, markup, quotes, numbering, 其中：; full-width brackets halved."""
    t = re.sub(r"<[^>]+>|[\s\u3000“”\"'‘’*#]", "", name or "")
    t = t.replace("（", "(").replace("）", ")").replace("：", ":")
    return strip_numbering(t)


_MONEY_COLUMN = re.compile(r"决算数|金额|预算数|^合计$|本年|^\d{4}年")
_NOT_AMOUNT = re.compile(r"行次|栏次|编码|代码|科目|^项目$|^[类款项]$")


def primary_column(table: Table) -> str | None:
    """The table's main amount column: the only column holding amounts, else the first money-named one."""
    used = [c for c in table.columns if not _NOT_AMOUNT.search(c) and any(r.cells.get(c) is not None for r in table.rows)]
    if len(used) == 1:
        return used[0]
    for c in table.columns:
        if _MONEY_COLUMN.search(norm(c)) and not _NOT_AMOUNT.search(c):
            return c
    return None


_YEAR = re.compile(r"(20\d\d)年")


def _this_year(columns: list[str], table: Table, year: int | None) -> list[str]:
    """Columns of the document's own year, when the table prints several years side by side
    (2021年 │ 2022年 │ 增减): the 2021 figures are not the 2022 document's."""
    if year is None or not any(_YEAR.search(c) for c in table.columns):
        return columns
    own = [c for c in columns if not (m := _YEAR.search(c)) or int(m.group(1)) == year]
    named = [c for c in own if _YEAR.search(c)]
    others = any(_YEAR.search(c) and int(_YEAR.search(c).group(1)) != year for c in table.columns)
    return (named or own) if others else own


def own_year_columns(columns: list[str], table: Table, year: int | None) -> list[str]:
    """Public name of `_this_year` for the audit: the columns of the document's own year."""
    return _this_year(columns, table, year)


def _holds_meetings(table: Table) -> bool:
    text = table.title + "".join(table.columns) + "".join(r.name for r in table.rows)
    return "会议费" in text or "培训费" in text


def _columns(table: Table, pattern: str | None) -> list[str]:
    if pattern is None:
        c = primary_column(table)
        return [c] if c else []
    if isinstance(pattern, tuple):
        return [c for c in table.columns if _segments_match(norm(c).split("/"), pattern)]
    rx = re.compile(pattern)
    whole = "/" in pattern
    return [c for c in table.columns if rx.search(norm(c) if whole else norm(c.split("/")[-1]))]


def _segments_match(segments: list[str], patterns: tuple[str, ...]) -> bool:
    """Each pattern fullmatches a different header segment."""
    free = list(segments)
    for p in patterns:
        hit = next((s for s in free if re.fullmatch(p, s)), None)
        if hit is None:
            return False
        free.remove(hit)
    return True


def _tables(doc: Document, rule: Rule) -> list[Table]:
    if rule.ledger and doc.kind is not None and doc.kind != rule.ledger:
        return []

    def side_ok(t: Table) -> bool:
        if rule.side is None:
            return True
        return t.side is None if rule.side == "" else t.side == rule.side

    def ledger_ok(t: Table) -> bool:  # a document of unknown kind: each table's own kind says it
        return not rule.ledger or doc.kind is not None or t.kind.endswith(f"{rule.ledger}表")

    return [t for t in doc.tables if t.kind in rule.kinds and side_ok(t) and ledger_ok(t)]


_LABEL_KEY = re.compile(r"^(项目|项目名称|科目名称|.*科目名称)$")


def labels(row: Row) -> list[str]:
    """The row's name, and the labels the other half of a two-sided table printed on the same line."""
    out = [norm(row.name)]
    out += [norm(v) for k, v in row.texts.items() if _LABEL_KEY.match(k.split("/")[-1])]
    return out


def _unit(table: Table, column: str, row: Row, default: str | None) -> str | None:
    return row.units.get(column) or column_unit(column, table.unit) or default


def _where(table: Table, row: Row, column: str) -> str:
    where = f"p{row.page}" if row.page else (f"line {row.line}" if row.line else "")
    label = f"{row.code} {row.name}".strip() if row.code else (row.name or "(unlabelled totals row)")
    return f"{table.title} [{table.kind}] · {label} · {column}" + (f" · {where}" if where else "")


def document_unit(doc: Document) -> str | None:
    """The unit most of the document's standard tables are printed in (元 for Shanghai 预算)."""
    units = Counter(t.unit for t in doc.tables if t.unit and t.kind != "other")
    return units.most_common(1)[0][0] if units else None


@dataclass(frozen=True)
class Located:
    """The printed cell a standard figure is read from, and its unit."""

    table: Table
    row_index: int
    column: str
    unit: str | None  # the cell's unit; None: no unit printed anywhere (the templates' 万元)

    @property
    def value(self) -> Decimal | None:
        return self.table.rows[self.row_index].cells.get(self.column)


def locate(doc: Document, rules: list[Rule]) -> Located | None:
    """The cell of the first rule whose table, row and column exist (an empty cell counts: it means 0)."""
    default_unit = document_unit(doc)
    for rule in rules:
        row_rx = re.compile(rule.row)
        for table in _tables(doc, rule):
            columns = _this_year(_columns(table, rule.col), table, doc.year)
            meeting = table.kind in SANGONG and _holds_meetings(table)
            if meeting:  # 合计 there adds 会议费 and 培训费 to the 三公: it is not the 三公 total
                columns = [c for c in columns if norm(c.split("/")[0]) != "合计" and norm(c.split("/")[-1]) != "合计"]
            if not columns:
                continue
            # meetings printed as rows (会议费 │ 培训费 under the 三公 items): the 合计 row adds them in
            meeting_rows = meeting and any("会议费" in r.name or "培训费" in r.name for r in table.rows)
            rows = list(enumerate(table.rows))
            if rule.row == WIDE and doc.year is not None and any(re.match(r"20\d\d\s*年", r.name) for r in table.rows):
                # one wide row per year (2025年预算数 │ 2026年预算数): the document's own year
                rows = [(i, r) for i, r in rows if r.name.startswith(f"{doc.year}")]
            for ri, row in rows:
                if row.code or not any(row_rx.search(label) for label in labels(row)):
                    continue
                if meeting_rows and norm(row.name) == "合计":
                    continue
                if rule.row == TOTAL and not row.name and not any(row.cells.get(c) is not None for c in columns):
                    continue  # an unlabelled row counts as the totals row only when it prints the total
                if rule.row == WIDE and not any(v is not None for v in row.cells.values()):
                    continue  # wide layouts: the data row, not a header remnant
                column = columns[0]
                if rule.printed and row.cells.get(column) is None:
                    continue
                unit = _unit(table, column, row, default_unit)
                if WAN_SCALE.get(unit or "万元") is None:
                    continue  # a %, 分 or count column is never a headline amount
                return Located(table, ri, column, unit)
    return None


def resolve(doc: Document, rules: list[Rule], name: str = "") -> Headline | None:
    """The figure in 万元 from the first rule whose table, row and column exist (empty cell = 0)."""
    at = locate(doc, rules)
    if at is None:
        return None
    row = at.table.rows[at.row_index]
    value, unit = at.value, at.unit
    source = _where(at.table, row, at.column)
    if value is None:
        source += " (printed empty: 0)"
    if unit is None:
        source += " (no unit printed: 万元 assumed)"
    elif unit != "万元":
        source += f" ({unit} → 万元)" if unit != "元" else " (元 ÷ 10000)"
    return Headline(name, (value or Decimal(0)) * WAN_SCALE[unit or "万元"], source)


def headline(doc: Document) -> dict[str, Headline | None]:
    """Every figure of FIGURES for one document (None where the document does not give it)."""
    return {name: resolve(doc, rules, name) for name, rules in RULES.items()}


def summary_row(doc: Document) -> dict[str, str | None]:
    """Flat row: each figure as an exact decimal string (万元) next to its `<name>__source`."""
    row: dict[str, str | None] = {}
    for name, h in headline(doc).items():
        row[name] = _plain(h.value) if h else None
        row[f"{name}__source"] = h.source if h else None
    return row


def _plain(value: Decimal) -> str:
    """'0.0800' → '0.08', '18976.7551' stays, never exponent notation."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
