"""The executor: one arithmetic per op over resolved cells, emitting claims that name their roles.

`execute(doc, query)` resolves each operand (`resolve`), computes the op, and returns an
`Executed`: the answer sentence, its claims (the first is the headline, the figure the question
asks for), the cells cited, and the problems met on the way (a weak or ambiguous reference, a role
no cell carries) that the fit check turns into ⚠. Nothing here re-reads the question's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from budgetqa.app.models import Claim
from budgetqa.app.qa.cells import cell_fact_id, cell_unit, describe
from budgetqa.app.qa.match import Cell, bare_name, is_total
from budgetqa.app.qa.query import Query, Ref
from budgetqa.app.qa.lexicon import FUND_CONCEPTS
from budgetqa.app.qa.resolve import MEASURE_WORDS, WHOLE_SEGMENTS, Resolved, measure_rules, parent_total, resolve, role_met, same_named_rows, same_row
from budgetqa.ingest.classify import GENERAL_SPENDING, PERFORMANCE_KINDS, SPENDING
from budgetqa.ingest.models import Document, Table
from budgetqa.ingest.units import MONEY_SCALE

_LEVEL_DIGITS = {"类": 3, "款": 5, "项": 7}
_OP_NAMES = {"value": "取数", "difference": "差额", "sum": "合计", "share": "占比", "rate": "执行率", "growth": "比上年",
             "max": "最大", "min": "最小", "top": "前几位", "each": "分别", "count": "计数", "compare": "比较"}


@dataclass
class Executed:
    """An op carried out: the sentence, its claims (headline first), cells, and what went wrong."""

    query: Query
    text: str = ""
    claims: list[Claim] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    resolved: list[Resolved] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    not_found: str | None = None
    zero: bool = False  # the asked figure is printed as 0 or empty: 为0
    year: int | None = None  # the document's year

    @property
    def headline(self) -> Claim | None:
        return self.claims[0] if self.claims else None


# ---------------------------------------------------------------- formatting


def round_to(v: Decimal, places: int = 2) -> Decimal:
    return v.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def amount(v: Decimal, unit: str | None) -> str:
    return f"{v:,}{unit or ''}"


def in_unit(value: Decimal, unit: str | None, asked: str | None) -> tuple[Decimal, str | None]:
    """A money value restated in the asked unit (元 → 万元 / 亿元), exact to the cents of the new unit."""
    if not asked or asked == unit or unit not in MONEY_SCALE or asked not in MONEY_SCALE:
        return value, unit
    converted = value * MONEY_SCALE[unit] / MONEY_SCALE[asked]
    places = 2 if asked != "元" else 2
    return round_to(converted, places + (4 if asked == "亿元" and abs(converted) < 1 else 0)), asked


def said(cell: Cell, asked: str | None = None) -> str:
    value, unit = in_unit(cell.value, cell_unit(cell), asked)
    text = amount(value, unit)
    if unit != cell_unit(cell):
        text += f"（表中 {amount(cell.value, cell_unit(cell))}）"
    return text


_GENERIC_SEGMENTS = re.compile(r"^(合计|小计|总计|金额|预算数|决算数|\d{4}年预算数|本年|当年预算)$")


def short(cell: Cell) -> str:
    """The item a cell stands for in a list: its row name, or for a total row its column's item."""
    name = bare_name(cell.row.name)
    if name and name not in ("合计", "总计", "小计"):
        return name
    items = [seg for seg in cell.column.split("/") if not _GENERIC_SEGMENTS.match(seg)]
    return items[-1] if items else cell.column


def _said0(cell: Cell) -> str:
    return said(cell) if cell.value is not None else "空（按 0）"


def claim(doc: Document, cell: Cell, role: str = "value") -> Claim:
    return Claim(value=cell.value, unit=cell_unit(cell), fact_ids=[cell_fact_id(doc, cell)], roles=[role])


# ---------------------------------------------------------------- operands


def _resolve_all(doc: Document, query: Query, out: Executed, want_row: bool = True) -> list[Cell] | None:
    cells = []
    for ref in query.operands:
        r = resolve(doc, ref, query.ledger or doc.kind, want_row=want_row)
        out.resolved.append(r)
        if r.cell is None:
            empty = _empty_table_of(doc, ref)
            if empty is not None:  # the concept's own table is printed without figures: none to report
                out.zero, out.not_found = True, f"为0：{empty.title}为空表（本表无数据）。"
                return None
            out.not_found = f"没有找到「{ref.text or ref.row or ref.concept}」对应的表格数字。"
            return None
        _note(out, r)
        cells.append(r.cell)
    return cells


def _note(out: Executed, r: Resolved) -> None:
    name = r.ref.text or r.ref.row or r.ref.concept or ""
    if not r.confident:
        out.problems.append(f"「{name}」与表中名称对应不确定（{describe(r.cell)}）")
    if r.rival is not None:
        out.problems.append(f"「{name}」可能指 {describe(r.cell)}，也可能指 {describe(r.rival)} {said(r.rival)}")
    for role in r.unmet:
        out.problems.append(f"{describe(r.cell)} 不是「{role}」口径")
    named_year = _year_named(r.cell)
    year = r.ref.year or doc_year(out)
    if named_year is not None and year is not None and named_year != year and not r.ref.prior_year:
        out.problems.append(f"{describe(r.cell)} 是{named_year}年的数，问的是{year}年")
    if r.off_standard:
        out.problems.append(f"标准表中没有找到「{r.ref.concept}」，此数取自{describe(r.cell)}，口径可能不同")


_YEAR_IN_NAME = re.compile(r"(20\d\d)\s*年")


def _year_named(cell: Cell) -> int | None:
    """A year the cell's row name or column prints (2022年末地方政府债务余额): that year's figure."""
    m = _YEAR_IN_NAME.search(cell.row.name) or _YEAR_IN_NAME.search(cell.column)
    return int(m.group(1)) if m else None


def doc_year(out: Executed) -> int | None:
    return out.query.year or out.year


def _split_roles(ref: Ref) -> tuple[Ref, Ref] | None:
    """One item, two measures (三公经费决算数比预算数…): the same reference with each measure role."""
    measures = [r for r in ref.columns if r in ("预算", "决算", "年初预算", "调整预算", "全年预算", "执行数", "上年", "本年")]
    if len(measures) < 2:
        return None
    rest = [r for r in ref.columns if r not in measures]
    a = ref.model_copy(update={"columns": rest + [measures[0]]})
    b = ref.model_copy(update={"columns": rest + [measures[1]]})
    return a, b


def _other_measure(doc: Document, first: Resolved, ref: Ref, query: Query, out: Executed) -> Cell | None:
    """The second operand of 「A的决算数比预算数…」: the same item's other measure on its row when the
    reference names the same thing with another role; else resolved on its own."""
    a = first.ref
    same_item = (ref.concept, ref.row, ref.code) == (a.concept, a.row, a.code) or not (ref.concept or ref.row or ref.code)
    roles = [r for r in ref.columns if r not in a.columns]
    if same_item and roles and first.cell is not None:
        other = same_row(first.cell, roles[0], year=doc.year)
        if other is not None and other.value is not None:
            out.resolved.append(Resolved(ref, other, True, "same-row"))
            return other
    if same_item and not (ref.concept or ref.row or ref.code):
        ref = ref.model_copy(update={"concept": a.concept, "row": a.row, "code": a.code, "table_kind": a.table_kind})
    r = resolve(doc, ref, query.ledger or doc.kind)
    if r.cell is None or (r.unmet and roles):
        return None  # no cell prints this measure of the item: the prose may state it
    out.resolved.append(r)
    _note(out, r)
    return r.cell


def _pair(doc: Document, query: Query, out: Executed) -> tuple[Cell, Cell] | None:
    ops = list(query.operands)
    if len(ops) == 1:
        split = _split_roles(ops[0])
        if split is None:
            return None
        ops = list(split)
    if len(ops) < 2:
        return None
    first = resolve(doc, ops[0], query.ledger or doc.kind)
    out.resolved.append(first)
    if first.cell is None:
        empty = _empty_table_of(doc, ops[0])
        if empty is not None:
            out.zero, out.not_found = True, f"为0：{empty.title}为空表（本表无数据），无可比较的数。"
            return None
        out.not_found = f"没有找到「{ops[0].text or ops[0].row or ops[0].concept}」对应的表格数字。"
        return None
    _note(out, first)
    second = _other_measure(doc, first, ops[1], query, out)
    if second is None:
        out.not_found = f"没有找到「{ops[1].text or ops[1].row or ops[1].concept or '比较对象'}」对应的表格数字。"
        return None
    if first.cell.table.index != second.table.index and not (ops[0].table_kind or ops[0].table_number
                                                              or ops[1].table_kind or ops[1].table_number):
        out.problems.append(f"两个数出自不同的表（{first.cell.table.title}、{second.table.title}），口径可能不同")
    _same_cell(out, [first.cell, second])  # 「离限额还差多少」 read twice from the 余额 cell is no difference
    for c in (first.cell, second):
        if c.value is None:  # printed empty: zero or not applicable, but no fact stands behind it
            out.problems.append(f"{describe(c)}在表中为空，按 0 计算（空白即 0 或不适用），无法逐格核验")
    return first.cell, second


# ---------------------------------------------------------------- ops


def _value(doc: Document, query: Query, out: Executed) -> None:
    cells = _resolve_all(doc, query, out)
    if not cells:
        return
    cell = cells[0]
    if query.operands[0].prior_year and len(cells) == 1 and not role_met("上年", cell, doc.year):
        # 上年 / 去年的预算: the same item's prior-year column, or (none printed) the prose's stated change
        cell, prior = _with_prior(doc, cell)
        if prior is None or prior.value is None:
            out.not_found, out.cells = "prior", [cell]
            return
        cell = prior
    if query.total and len(cells) == 1 and len(same_named_rows(cell)) >= 2:
        _sum(doc, query, out)  # 「行政运行一共安排了多少」 of a table printing 2010801 行政运行 on two rows
        return
    if out.resolved[0].unmet:  # no cell prints the asked measure of it (年初预算 only in the prose)
        out.not_found = f"表中没有「{out.resolved[0].ref.text}」的{'、'.join(out.resolved[0].unmet)}数。"
        return
    if cell.value is None or cell.value == 0:
        out.zero = True
        out.not_found = (f"为0：{describe(cell)}在表中" + ("为空（空白即 0 或不适用）" if cell.value is None
                                                             else f"为 {amount(cell.value, cell_unit(cell))}") + "。")
        empty = _empty_table_of(doc, out.resolved[0].ref)
        if empty is not None:
            out.not_found += f"{empty.title}为空表（本表无数据）。"
        out.cells = [cell]
        return
    out.text = f"{said(cell, query.unit)}（{describe(cell)}）"
    out.claims = [claim(doc, cell)]
    out.cells = [cell]


def _empty_table_of(doc: Document, ref: Ref) -> Table | None:
    """The standard table of the fund or concept a reference names, when it prints no figure (本表无数据):
    the 政府性基金 table of a department without such funds, a 三公 table printed blank."""
    fund = next((f for f in ("政府性基金", "国有资本经营") if f in (ref.concept or "") or f in ref.columns), None)
    if fund is not None:
        kinds = {t.kind for t in doc.tables if fund in t.kind}
    else:
        kinds = {k for rule in measure_rules(ref, doc.kind) or [] for k in rule.kinds}
        if not kinds or ref.row or ref.code:
            return None
    tables = [t for t in doc.tables if t.kind in kinds]
    if not tables or any(v for t in tables for r in t.rows for v in r.cells.values()):
        return None  # every table the figure could stand in is empty, or it is not this
    return tables[0]


_TARGET = re.compile(r"指标值|目标|预算")
_ACTUAL = re.compile(r"实际|完成值|执行|决算")


def _actual_first(cells: list[Cell]) -> list[Cell]:
    """A target and its outcome on one row (年度指标值 │ 实际完成值, 预算数 │ 决算数): the outcome is the
    answer and the target its measure, so the outcome leads."""
    if len(cells) == 2 and cells[0].table is cells[1].table and cells[0].row_index == cells[1].row_index:
        a, b = cells
        if _TARGET.search(a.column) and _ACTUAL.search(b.column) and not _ACTUAL.search(a.column):
            return [b, a]
    return cells


def _each(doc: Document, query: Query, out: Executed) -> None:
    cells = _resolve_all(doc, query, out)
    if not cells:
        return
    cells = _actual_first(cells)
    _same_cell(out, cells)
    parts = []
    one_row = len({(c.table.index, c.row_index) for c in cells}) == 1 and len(cells) > 1
    for c in cells:
        name = c.column.split("/")[-1] if one_row else short(c)
        if c.value is None:
            parts.append(f"{name} 表中为空")
            out.problems.append(f"{describe(c)}在表中为空，无法逐格核验")
            continue
        parts.append(f"{name} {said(c, query.unit)}")
        out.claims.append(claim(doc, c))
        out.cells.append(c)
    row = cells[0].row
    lead = f"{bare_name(row.name)}：" if one_row and bare_name(row.name) and not is_total(row) else ""
    out.text = lead + "；".join(parts) + "（" + "；".join(describe(c) for c in out.cells) + "）"


def _same_cell(out: Executed, cells: list[Cell]) -> None:
    """Two operands read from one cell: the question named two things and the tables answered one."""
    seen: dict[tuple, int] = {}
    for i, c in enumerate(cells):
        key = (c.table.index, c.table.side, c.row_index, c.column)
        if key in seen:
            a, b = out.query.operands[seen[key]], out.query.operands[i] if i < len(out.query.operands) else None
            names = "」与「".join(x.text or x.row or x.concept or "" for x in (a, b) if x is not None)
            out.problems.append(f"「{names}」都对应到{describe(c)}，其中至少一项没有找到自己的数")
            return
        seen[key] = i


def _whole_and_part(cells: list[Cell]) -> tuple[Cell, Cell] | None:
    """A whole and one of its parts among the addends: the same row's total column and a column under
    it (基本支出/小计 + 基本支出/人员经费), or a code's row and a row of a code below it."""
    def items(c: Cell) -> list[str]:
        return [seg for seg in c.column.split("/") if seg not in WHOLE_SEGMENTS and not MEASURE_WORDS.search(seg)]

    for a in cells:
        for b in cells:
            if a is b:
                continue
            if a.table is not b.table:  # two tables' totals: 基本支出/小计 here, 基本支出/人员经费 there
                ia, ib = items(a), items(b)
                if is_total(a.row) and is_total(b.row) and ia and len(ib) > len(ia) and ib[:len(ia)] == ia:
                    return a, b
                continue
            if a.row_index == b.row_index:
                parent = a.column.rsplit("/", 1)[0] if a.column.split("/")[-1] in WHOLE_SEGMENTS else a.column
                if parent != b.column and b.column.startswith(parent + "/"):
                    return a, b
            elif a.column == b.column and a.row.code and b.row.code and b.row.code != a.row.code and \
                    b.row.code.startswith(a.row.code):
                return a, b
    return None





def _difference(doc: Document, query: Query, out: Executed) -> None:
    pair = _pair(doc, query, out)
    if pair is None:
        out.not_found = out.not_found or "问题要求两个数相减，但只找到一个。"
        return
    a, b = pair
    if cell_unit(a) != cell_unit(b) and not ({cell_unit(a), cell_unit(b)} <= MONEY_SCALE.keys()):
        out.not_found = "两个数的单位不同，不能相减。"
        return
    av, bv = _v(a), _v(b)
    if cell_unit(a) != cell_unit(b):
        bv = bv * MONEY_SCALE[cell_unit(b)] / MONEY_SCALE[cell_unit(a)]
    diff = av - bv
    word = "多" if diff > 0 else ("少" if diff < 0 else "相同，差额")
    value, unit = in_unit(abs(diff), cell_unit(a), query.unit)
    out.text = f"{word} {amount(value, unit)}（{describe(a)} {_said0(a)} − {describe(b)} {_said0(b)}）"
    out.claims = _pair_claims(doc, a, b, diff, ("minuend", "subtrahend"))
    out.cells = [a, b]


def _v(cell: Cell) -> Decimal:
    return cell.value if cell.value is not None else Decimal(0)


def _pair_claims(doc: Document, a: Cell, b: Cell, diff: Decimal, roles: tuple[str, str]) -> list[Claim]:
    """The difference claim (headline) and its two cells; an empty cell has no fact to cite."""
    printed = [(c, r) for c, r in zip((a, b), roles) if c.value is not None]
    if len(printed) == 2:
        head = Claim(value=diff, unit=cell_unit(a), fact_ids=[cell_fact_id(doc, a), cell_fact_id(doc, b)],
                     derivation="difference", roles=list(roles))
    else:  # 0 − x: only the printed cell is cited; the fit check has already withheld the ✓
        head = Claim(value=diff, unit=cell_unit(a), fact_ids=[], derivation="difference", roles=[])
    return [head] + [claim(doc, c, r) for c, r in printed]


def _sum(doc: Document, query: Query, out: Executed) -> None:
    cells = _resolve_all(doc, query, out)
    if not cells:
        return
    if len(cells) == 1:  # 「两个行政运行加起来」 / 「一共」 of a subject printed on several rows (or forms)
        rows = same_named_rows(cells[0], any_code=True)
        if cells[0].table.kind in PERFORMANCE_KINDS:
            rows = same_project_cells(doc, cells[0])
        if len(rows) >= 2:
            out.resolved[0].rival = None  # the rows are summed, not chosen between
            out.problems = [p for p in out.problems if "也可能指" not in p]
            cells = rows
        else:
            out.problems.append("问题要求合计，但只识别出一项")
    _same_cell(out, cells)
    whole = _whole_and_part(cells)
    if whole is not None:
        out.problems.append(f"{describe(whole[1])}是{describe(whole[0])}的一部分，二者相加没有意义")
    units = {cell_unit(c) for c in cells}
    if len(units) > 1 and not units <= MONEY_SCALE.keys():
        out.not_found = "各项单位不同，不能相加。"
        return
    unit = cell_unit(cells[0])
    total = sum(((c.value or Decimal(0)) * MONEY_SCALE.get(cell_unit(c), 1) / MONEY_SCALE.get(unit, 1) for c in cells),
                Decimal(0))
    value, shown_unit = in_unit(total, unit, query.unit)
    out.text = f"合计 {amount(value, shown_unit)}（" + " + ".join(f"{describe(c)} {_said0(c)}" for c in cells) + "）"
    out.claims = [Claim(value=total, unit=unit, fact_ids=[cell_fact_id(doc, c) for c in cells], derivation="sum",
                        roles=["part"] * len(cells))] + [claim(doc, c, "part") for c in cells if c.value is not None]
    if any(c.value is None for c in cells):
        out.problems.append("合计中有的项在表中为空，按 0 计算")
    out.cells = cells


def _share(doc: Document, query: Query, out: Executed) -> None:
    if not query.operands:
        return
    part_r = resolve(doc, query.operands[0], query.ledger or doc.kind)
    out.resolved.append(part_r)
    if part_r.cell is None:
        out.not_found = f"没有找到「{query.operands[0].text}」对应的表格数字。"
        return
    _note(out, part_r)
    part = part_r.cell
    whole = None
    if len(query.operands) > 1:
        wref = query.operands[1]
        # the whole is looked for in the part's own table first (本年支出合计 beside its 基本支出),
        # unless it is a standard figure, which the standard reader finds where it is printed
        ledger = query.ledger or doc.kind
        near = wref if measure_rules(wref, ledger) else wref.model_copy(
            update={"table_kind": wref.table_kind or part.table.kind})
        r = resolve(doc, near, ledger, want_row=False)
        if r.cell is None or not r.confident or r.unmet:
            r = resolve(doc, wref, ledger, want_row=False)
        out.resolved.append(r)
        if r.cell is None:
            out.not_found = f"没有找到「{wref.text}」对应的表格数字，不能计算占比。"
            return
        _note(out, r)
        whole = r.cell
    else:
        whole = parent_total(part)
        if whole is None:
            out.not_found = f"找到了{describe(part)}，但找不到它所属的总数，不能计算占比。"
            return
    if part.value is None or not whole.value or (part.table is whole.table and part.row_index == whole.row_index
                                                   and part.column == whole.column):
        out.not_found = "占比的分子或分母为空或为同一个数。"
        return
    if cell_unit(part) != cell_unit(whole) and not ({cell_unit(part), cell_unit(whole)} <= MONEY_SCALE.keys()):
        out.not_found = "分子分母单位不同。"
        return
    if part.table is not whole.table and _funds_of(part) != _funds_of(whole):
        out.problems.append(f"分子出自{part.table.title}（{_funds_of(part)}），分母出自{whole.table.title}"
                            f"（{_funds_of(whole)}），口径不同")
    pct = round_to(part.value * MONEY_SCALE.get(cell_unit(part), 1) / (whole.value * MONEY_SCALE.get(cell_unit(whole), 1)) * 100)
    out.text = f"{pct}%（{describe(part)} {said(part)} ÷ {describe(whole)} {said(whole)}）"
    fa, fb = cell_fact_id(doc, part), cell_fact_id(doc, whole)
    out.claims = [Claim(value=pct, unit="%", fact_ids=[fa, fb], derivation="share", roles=["part", "whole"]),
                  claim(doc, part, "part"), claim(doc, whole, "whole")]
    out.cells = [part, whole]


def _funds_of(cell: Cell) -> str:
    """The money a cell counts: one fund's (财政拨款 / 一般公共预算 …, named by its table, row or
    column: 收支总表 · 政府性基金预算财政拨款收入) or all funds'."""
    text = cell.table.kind + cell.table.title + cell.row.name + cell.column
    return next((f"{f}口径" for f in FUND_CONCEPTS if f in text), "全部资金口径")


def _rate(doc: Document, query: Query, out: Executed) -> None:
    """Execution rate of one item: actual ÷ budget of its own row (全年执行数 ÷ 全年预算数, 决算数 ÷ 预算数)."""
    if not query.operands:
        return
    ref = query.operands[0]
    budget_roles = [r for r in ref.columns if r in ("年初预算", "调整预算", "全年预算", "预算")]
    base = ref.model_copy(update={"columns": [r for r in ref.columns if r not in budget_roles + ["执行率", "决算", "执行数"]]})
    actual_r = resolve(doc, base.model_copy(update={"columns": base.columns + ["决算"]}), "决算")
    if actual_r.cell is None or actual_r.unmet:
        actual_r = resolve(doc, base, "决算")
    out.resolved.append(actual_r)
    if actual_r.cell is None:
        out.not_found = f"没有找到「{ref.text}」对应的执行数。"
        return
    _note(out, actual_r)
    actual = actual_r.cell
    if not role_met("决算", actual, doc.year):
        other = same_row(actual, "决算", exclude=("预算", "执行率"), year=doc.year)
        if other is None:
            out.not_found = f"{describe(actual)}所在行没有决算（执行）数，不能计算执行率。"
            return
        actual = other
    roles = list(dict.fromkeys(budget_roles + ["全年预算", "调整预算", "预算"]))
    budget = _budget_of(doc, actual, roles)
    if budget is None:  # the figure's row prints no budget here: the same figure printed with one
        for twin in twins(doc, actual):
            if role_met("决算", twin, doc.year) and (budget := _budget_of(doc, twin, roles)) is not None:
                actual = twin
                break
    if budget is None or not budget.value or actual.value is None:
        out.not_found = f"{describe(actual)}所在行没有可用的预算数，不能计算执行率。"
        return
    pct = round_to(actual.value / budget.value * 100)
    printed = next((c for c in actual.table.columns if re.search(r"执行率|完成率|完成.*%", c)), None)
    v = actual.row.cells.get(printed) if printed else None
    if v is not None:
        # the table prints the rate (完成调整预算数的% 158.7): the answer gives it at the printed
        # precision, which the computation rounds to (186,684 ÷ 117,608 = 158.73…)
        step = Decimal(1).scaleb(v.as_tuple().exponent)
        exact = actual.value / budget.value * 100
        if abs(exact - v) <= step / 2:
            pct = v
    out.text = f"{pct}%（{describe(actual)} {said(actual)} ÷ {budget.column.replace('/', '·')} {said(budget)}）"
    fa, fb = cell_fact_id(doc, actual), cell_fact_id(doc, budget)
    out.claims = [Claim(value=pct, unit="%", fact_ids=[fa, fb], derivation="execution_rate", roles=["actual", "budget"]),
                  claim(doc, actual, "actual"), claim(doc, budget, "budget")]
    out.cells = [actual, budget]
    if v is not None and abs(v - pct) <= Decimal("0.5"):  # a printed 1.00 meaning 100% is not repeated as 1%
        cr = Cell(actual.table, actual.row_index, printed, 0, (0, 0, 0))
        out.text += f"；表列{printed.split('/')[-1]}" + ("，与计算一致" if v == pct else f" {v}%")
        out.claims.append(Claim(value=v, unit="%", fact_ids=[cell_fact_id(doc, cr)], roles=["printed_rate"]))


def twins(doc: Document, cell: Cell) -> list[Cell]:
    """The same figure printed elsewhere: a standard figure is often printed in several tables and only
    some of them carry its other measures (收入总表 no prior year, 一般公共预算支出表 2025年预算数 yes). The
    same value, in the same unit, on a row of the same name or on a total row of another table."""
    if cell.value is None or not cell.value:
        return []
    unit, label = cell_unit(cell), cell.row.label
    out = []
    for table in doc.tables:
        if table is cell.table or table.unit != cell.table.unit:
            continue
        for i, row in enumerate(table.rows):
            if not (row.is_total or row.label.endswith(("合计", "总计")) or (label and row.label == label)):
                continue  # 本年支出合计 too: the figure of a table's whole, whatever its subtotal name
            for column, v in row.cells.items():
                if v == cell.value and cell_unit(twin := Cell(table, i, column, 0, (0, 0, 0))) == unit:
                    out.append(twin)
    return out


def _with_prior(doc: Document, cell: Cell) -> tuple[Cell, Cell | None]:
    """The cell and its prior-year cell, from its own row or from a twin's (`twins`)."""
    prior = same_row(cell, "上年", year=doc.year)
    if prior is not None:
        return cell, prior
    for twin in twins(doc, cell):
        if role_met("上年", twin, doc.year):
            continue
        found = same_row(twin, "上年", year=doc.year)
        if found is not None and found.value is not None:
            return twin, found
    return cell, None


def _budget_of(doc: Document, actual: Cell, roles: list[str]) -> Cell | None:
    for role in roles:
        budget = same_row(actual, role, exclude=("执行率", "决算", "执行数", "%"), year=doc.year)
        if budget is not None and budget.value:
            return budget
    return None


def _growth(doc: Document, query: Query, out: Executed) -> None:
    """Against the prior year from a 上年 column of the same row; the prose answers otherwise."""
    if not query.operands:
        return
    ref = query.operands[0]
    now_r = resolve(doc, ref.model_copy(update={"columns": [r for r in ref.columns if r not in ("上年", "增减")]}),
                    query.ledger or doc.kind)
    if now_r.cell is None:
        out.not_found = "prose"
        return
    now, prior = _with_prior(doc, now_r.cell)
    if prior is None or prior.value is None or now.value is None:
        out.not_found = "prose"
        return
    out.resolved.append(now_r)
    _note(out, now_r)
    fa, fb = cell_fact_id(doc, now), cell_fact_id(doc, prior)
    diff = now.value - prior.value
    word = "增加" if diff >= 0 else "减少"
    if query.growth_as == "percent" and prior.value:
        pct = round_to(diff / prior.value * 100)
        out.text = f"{word} {abs(pct)}%（{describe(now)} {said(now)}，{prior.column.replace('/', '·')} {said(prior)}）"
        out.claims = [Claim(value=pct, unit="%", fact_ids=[fa, fb], derivation="growth", roles=["current", "prior"])]
    else:
        value, unit = in_unit(abs(diff), cell_unit(now), query.unit)
        out.text = f"{word} {amount(value, unit)}（{describe(now)} {said(now)}，{prior.column.replace('/', '·')} {said(prior)}）"
        out.claims = [Claim(value=diff, unit=cell_unit(now), fact_ids=[fa, fb], derivation="difference",
                            roles=["current", "prior"])]
    out.claims += [claim(doc, now, "current"), claim(doc, prior, "prior")]
    out.cells = [now, prior]


def _ranked_rows(doc: Document, query: Query, out: Executed) -> list[Cell] | None:
    """The rows compared by max / min / top: the named items, else every row of a level of one table."""
    if len(query.operands) >= 2:
        return _resolve_all(doc, query, out)
    ref = query.operands[0] if query.operands else Ref()
    if ref.level == "项目":
        return _projects(doc, ref, out)
    if ref.level == "经济科目" or (ref.level is None and ref.concept in _ECONOMIC_PREFIX):
        return _economic_rows(doc, ref, out)  # 「公用经费里花钱最多的前三项」: the economic items of 公用经费
    if ref.level == "单位":
        return _unit_rows(doc, ref, out)
    level = ref.level or "类"
    table, column = _level_table(doc, ref)
    if table is None:
        out.not_found = "没有找到可以比较的分类表。"
        return None
    parent = None
    if ref.row or ref.code or (ref.concept and ref.concept not in ("支出", "功能科目", "项目", *FUND_CONCEPTS)):
        anchor = resolve(doc, ref.model_copy(update={"level": None, "table_kind": table.kind}), query.ledger or doc.kind)
        if anchor.cell is not None and anchor.cell.row.code and anchor.confident:
            parent = anchor.cell.row.code  # 「…下面哪一项最多」: the children of the named subject
            level = {3: "款", 5: "项"}.get(len(parent), "项")
            _note(out, anchor)
        elif ref.row:
            out.problems.append(f"没有找到「{ref.text or ref.row}」这一科目，按全表比较")
    digits = _LEVEL_DIGITS.get(level, 3)
    cells = []
    for ri, row in enumerate(table.rows):
        if is_total(row) or row.cells.get(column) is None:
            continue
        if parent is not None:
            if not (row.code and row.code.startswith(parent) and len(row.code) == len(parent) + 2):
                continue
        elif row.code:
            if len(row.code) != digits or row.code[0] not in "2":
                continue
        elif not (digits == 3 and re.match(r"^[一二三四五六七八九十]+、", row.name.strip())):
            continue
        cells.append(Cell(table, ri, column, 0, (0, 0, 0)))
    if len(cells) < 2:
        out.not_found = f"「{table.title}」中没有可比较的{level}级科目。"
        return None
    return cells


def _level_table(doc: Document, ref: Ref) -> tuple[Table | None, str | None]:
    """The table and column a ranking runs over: the one named, else the spending table (the
    一般公共预算 one when 财拨 / 一般公共预算 is said), in its total column."""
    kinds = (GENERAL_SPENDING if {"财政拨款", "一般公共预算"} & set(ref.columns) else SPENDING) + GENERAL_SPENDING
    if ref.table_kind:
        kinds = (ref.table_kind,)
    for kind in kinds:
        for t in doc.tables:
            if t.kind != kind or t.kind in PERFORMANCE_KINDS or not t.columns:
                continue
            roles = [r for r in ref.columns if r in ("基本支出", "项目支出", "人员经费", "公用经费")]
            col = None
            for c in t.columns:
                probe = Cell(t, 0, c, 0, (0, 0, 0))
                if roles and all(role_met(r, probe, doc.year) for r in roles):
                    col = c
                    break
            if col is None and not roles:
                col = next((c for c in t.columns if re.search(r"合计|总计", c.split("/")[-1]) or c.split("/")[-1]
                            in ("本年支出合计", "金额", "决算数", "预算数")), t.columns[0])
            if col is not None:
                return t, col
    # whole-government documents: the table whose title names the fund's spending, by class rows
    fund = next((f for f in FUND_CONCEPTS if f == ref.concept or f in ref.columns), None)
    for t in doc.tables:
        if t.kind in PERFORMANCE_KINDS or not t.columns or (fund and fund not in t.title) or "支出" not in t.title:
            continue
        classes = [r for r in t.rows if r.code and len(r.code) == 3 and r.code.startswith("2")] or [
            r for r in t.rows if re.match(r"^[一二三四五六七八九十]+、", r.name.strip())]
        if len(classes) >= 3:
            col = next((c for c in t.columns if re.search(r"决算数?$", c.split("/")[-1])), None) or next(
                (c for c in t.columns if re.search(r"合计|总计|预算数", c.split("/")[-1])), t.columns[0])
            return t, col
    return None, None


_UNIT_CODE = re.compile(r"^\d{6,}$")


def _unit_rows(doc: Document, ref: Ref, out: Executed) -> list[Cell] | None:
    """One figure per budget unit (108001 …), in a table listing its units, under the asked measure."""
    tables = [t for t in doc.tables if not ref.table_kind or t.kind == ref.table_kind]
    for t in tables:
        rows = [(ri, r) for ri, r in enumerate(t.rows) if r.code and _UNIT_CODE.match(r.code)]
        if len(rows) < 2:
            continue
        roles = [r for r in ref.columns if r not in ("合计",)]
        probe = [Cell(t, rows[0][0], c, 0, (0, 0, 0)) for c in t.columns]
        col = next((c.column for c in probe if roles and all(role_met(r, c, doc.year) for r in roles)
                    and c.column.split("/")[-1] in ("小计", "合计") + tuple(c.column.split("/")[:1])), None)
        col = col or next((c.column for c in probe if all(role_met(r, c, doc.year) for r in roles)), t.columns[0])
        return [Cell(t, ri, col, 0, (0, 0, 0)) for ri, r in rows if r.cells.get(col) is not None]
    out.not_found = "文件的表格没有按单位列示的可比较数字。"
    return None


# Economic classes of each economic concept (人员经费 = 工资福利 + 对个人和家庭的补助 …).
_ECONOMIC_PREFIX = {"公用经费": ("302", "310", "399"), "人员经费": ("301", "303"), "商品和服务支出": ("302",),
                    "工资福利支出": ("301",), "对个人和家庭的补助": ("303",)}


def _economic_rows(doc: Document, ref: Ref, out: Executed) -> list[Cell] | None:
    """款 rows of the economic classification (30201 办公费 …): of 公用经费 (302/303 …), of 人员经费, or all,
    in the table that prints them for all the money (basic and project spending), else the basic one."""
    prefix = _ECONOMIC_PREFIX.get(ref.concept or "", ("3", "5"))
    best: tuple[Decimal, list[Cell]] | None = None
    for t in doc.tables:
        if t.kind in PERFORMANCE_KINDS or not t.columns:
            continue
        rows = [(ri, r) for ri, r in enumerate(t.rows) if r.code and len(r.code) == 5 and r.code.startswith(prefix)
                and not is_total(r)]
        if len(rows) < 3:
            continue
        col = next((c for c in t.columns if re.search(r"合计|总计", c.split("/")[-1])), None) or t.columns[0]
        cells = [Cell(t, ri, col, 0, (0, 0, 0)) for ri, r in rows if r.cells.get(col) is not None]
        total = sum((c.value for c in cells), Decimal(0))
        if cells and (best is None or total > best[0]):
            best = (total, cells)
    if best is None or len(best[1]) < 2:
        out.not_found = "没有找到按经济分类列示的支出明细。"
        return None
    return best[1]


def _projects(doc: Document, ref: Ref, out: Executed) -> list[Cell] | None:
    """One figure per 绩效 project (its money, rate or score), read from each project's own form."""
    role = next((r for r in ref.columns if r in ("执行率", "得分", "全年预算", "执行数")), "执行数")
    cells = []
    for t in doc.tables:
        if t.kind not in PERFORMANCE_KINDS:
            continue
        for ri, row in enumerate(t.rows):
            hit = None
            for c in t.columns:
                probe = Cell(t, ri, c, 0, (0, 0, 0))
                if row.cells.get(c) is not None and role_met(role, probe, doc.year):
                    hit = probe
                    break
            if hit is not None and (is_total(row) or role == "得分"):
                cells.append(hit)
                break
    if len(cells) < 2:
        out.not_found = "文件中可比较的项目少于两个。"
        return None
    return cells


def _extreme(doc: Document, query: Query, out: Executed) -> None:
    cells = _ranked_rows(doc, query, out)
    if not cells:
        return
    cells = [c for c in cells if c.value is not None]
    if not cells:
        out.not_found = "可比较的各项在表中都为空。"
        return
    fewest = query.op == "min" or (query.op == "top" and query.direction == "less")
    ordered = sorted(cells, key=lambda c: c.value, reverse=not fewest)
    k = query.k or 3 if query.op == "top" else 1
    chosen = ordered[:k]
    word = {"max": "最多", "min": "最少"}.get(query.op, "")
    last = chosen[0].column.split("/")[-1]
    if re.search(r"率|得分", last):  # 「执行率最低」, 「得分最高」: the measure is said with the word
        word = last + {"max": "最高", "min": "最低"}.get(query.op, "")

    def item(c: Cell) -> str:
        name = item_name(c)
        return f"{name}（{c.row.code}）" if c.row.code else name
    where = f"{chosen[0].table.title if len({c.table.index for c in cells}) == 1 else '各项目绩效自评表'}" \
            f" · {chosen[0].column.replace('/', '·')}"
    # the named items compared are listed after the winner; a whole level's other rows are not
    rest = ordered[k:] if len(query.operands) >= 2 else []
    others = "；".join(f"{item_name(c)} {said(c)}" for c in rest)
    if query.op == "top":
        lead = ("由多到少：" if not fewest else "由少到多：") + "、".join(f"{item_name(c)} {said(c, query.unit)}" + (f"（{c.row.code}）" if c.row.code else "")
                                       for c in chosen)
    else:
        code = f"（{chosen[0].row.code}）" if chosen[0].row.code else ""
        lead = f"{item_name(chosen[0])}{word}{code}，{said(chosen[0], query.unit)}"
    out.text = f"{lead}（{where}" + (f"；其余：{others}" if others else "") + "）"
    out.claims = [claim(doc, c, "ranked") for c in chosen + rest]
    out.cells = chosen + rest


def same_project_cells(doc: Document, cell: Cell) -> list[Cell]:
    """The same measure of every 绩效 form of the same project (two 遗属人员补助 forms, one per unit)."""
    name, label = item_name(cell), cell.row.label if hasattr(cell.row, "label") else cell.row.name
    out = []
    for t in doc.tables:
        if t.kind != cell.table.kind or item_name(Cell(t, 0, cell.column, 0, (0, 0, 0))) != name:
            continue
        for ri, r in enumerate(t.rows):
            if (r.label if hasattr(r, "label") else r.name) == label and r.cells.get(cell.column) is not None:
                out.append(Cell(t, ri, cell.column, 0, (0, 0, 0)))
                break
    return out


_PROJECT_IN_TITLE = re.compile(r"[（(]([^（）()]+(?:[（(][^（）()]*[）)][^（）()]*)*)[）)]")


def item_name(cell: Cell) -> str:
    """What a ranked cell stands for: a 绩效 form's project (from its title), else its row's name."""
    if cell.table.kind in PERFORMANCE_KINDS:
        names = [n for n in _PROJECT_IN_TITLE.findall(cell.table.title) if "表" not in n]
        if names:
            return names[0]
    return bare_name(cell.row.name) or cell.row.name


def _compare(doc: Document, query: Query, out: Executed) -> None:
    """Yes-no with the figures: is A more than B (A's 决算 more than its 预算)?"""
    if len(query.operands) == 1 and _split_roles(query.operands[0]) is None:
        return _value(doc, query, out)  # 「有没有政府性基金预算」: whether there is one is its figure
    pair = _pair(doc, query, out)
    if pair is None:
        out.not_found = out.not_found or "问题要求比较两个数，但只找到一个。"
        return
    a, b = pair
    if cell_unit(a) != cell_unit(b):
        out.not_found = "两个数的单位不同，不能比较。"
        return
    diff = _v(a) - _v(b)
    yes = diff > 0 if query.direction != "less" else diff < 0
    rel = "多" if diff > 0 else ("少" if diff < 0 else "相等，差额")
    out.text = (f"{'是' if yes else '否'}：{describe(a)} {_said0(a)}，比 {describe(b)} {_said0(b)} {rel} "
                f"{amount(abs(diff), cell_unit(a))}")
    claims = _pair_claims(doc, a, b, diff, ("minuend", "subtrahend"))
    out.claims = claims[1:] + claims[:1]  # the yes-no answer leads with the asked item's figure
    out.cells = [a, b]


_OPS = {"value": _value, "each": _each, "difference": _difference, "sum": _sum, "share": _share, "rate": _rate,
        "growth": _growth, "max": _extreme, "min": _extreme, "top": _extreme, "compare": _compare}


def execute(doc: Document, query: Query) -> Executed:
    """Carry out one query on one document. Ops with no table arithmetic (prose, why, count) and
    growth without a prior-year column come back with not_found="prose" for the prose reader."""
    out = Executed(query, year=doc.year)
    run = _OPS.get(query.op)
    if run is None:
        out.not_found = "prose"
        return out
    run(doc, query, out)
    return out


def interpretation(doc: Document, query: Query, out: Executed | None = None) -> str:
    """One line saying how the question was read: 理解为：三公经费 · 决算数 · 差额（2024年度部门决算）."""
    refs = []
    for ref in query.operands:
        words = [ref.table_number or "", ref.project if ref.project and (ref.row or ref.concept or ref.code) else "",
                 ref.concept or ref.row or ref.code or ref.project or ""]
        words += [r + ("数" if r in ("预算", "决算") else "") for r in ref.columns]
        words += [w for w in ref.column_words if w not in words]
        refs.append(" · ".join(w for w in words if w))
    op = {"value": "", "prose": "说明中的表述", "why": "原因"}.get(query.op, _OP_NAMES.get(query.op, query.op))
    if query.op == "value" and query.total:
        op = "各行合计"
    body = "；".join(r for r in refs if r) or "（未识别出具体指标）"
    where = f"{doc.year or ''}年度{doc.scope or '部门'}{doc.kind or ''}"
    unit = f" · 以{query.unit}表示" if query.unit else ""
    return f"理解为：{body}" + (f" · {op}" if op else "") + unit + f"（{where}）"
