"""References → cells: standard concepts through the one standard-measure reader, the rest by cell ranking.

A `Ref` names a figure by a concept (三公经费), a row (行政运行), a code (2010301), column roles
(预算 / 决算 / 基本支出 / 财政拨款 …) and maybe a table. The resolver turns it into the cell that
prints it, and says how sure it is: `confident` (the words name this cell) and `rival` (another
cell, with another value, fits about as well: the reference is ambiguous and no ✓ may follow).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from budgetqa.app import measures
from budgetqa.app.qa.cells import confident
from budgetqa.app.qa.match import KIND_PRIOR, Cell, bare_name, is_total, norm, rank_cells
from budgetqa.app.qa.lexicon import FUND_CONCEPTS, concepts
from budgetqa.app.qa.query import ColumnRole, Ref
from budgetqa.ingest.classify import BASIC_DETAIL, FISCAL_OVERVIEW, GENERAL_SPENDING, PERFORMANCE_KINDS, SANGONG
from budgetqa.ingest.models import Document, Table

# Header words that print a column role. A role is met when the column path, the row name or the
# table (for fund roles) carries one of its words, and none of the words of the roles it excludes.
ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "预算": ("预算",), "决算": ("决算", "执行数", "实际"), "年初预算": ("年初预算", "年初"),
    "调整预算": ("调整预算", "调整后"), "全年预算": ("全年预算",), "执行数": ("执行数", "决算", "实际"),
    "执行率": ("执行率", "完成率"), "基本支出": ("基本支出",), "项目支出": ("项目支出",),
    "人员经费": ("人员经费", "人员"), "公用经费": ("公用经费", "公用"), "财政拨款": ("财政拨款",),
    "一般公共预算": ("一般公共预算",), "政府性基金": ("政府性基金",), "国有资本经营": ("国有资本经营",),
    "上年": ("上年",), "本年": ("本年", "当年"), "合计": ("合计", "小计", "总计"), "增减": ("增减", "增长", "比上年"),
    "得分": ("得分", "分值"), "权重": ("权重",), "指标值": ("指标值",), "实际完成值": ("实际完成值", "完成值"),
}
# 上年结转 / 上年结余 is this year's money brought forward, no prior-year figure
_EXCLUDES: dict[str, tuple[str, ...]] = {"预算": ("决算", "执行数"), "决算": (), "上年": ("结转", "结余"), "本年": ("上年",)}
# Fund roles are met by the table itself: a 财政拨款 table prints only 财政拨款 money.
_FUND_TABLES: dict[str, tuple[str, ...]] = {
    "财政拨款": FISCAL_OVERVIEW + GENERAL_SPENDING + SANGONG + (
        "一般公共预算财政拨款基本支出决算明细表", "一般公共预算基本支出预算表"),
    "一般公共预算": GENERAL_SPENDING + ("一般公共预算财政拨款基本支出决算明细表", "一般公共预算基本支出预算表"),
}
_SUMMARY = re.compile(r"^(汇总得分|总分|总评价得分|总得分|综合得分|自评总分|自评得分)")
# How close (in rank score) a cell with another value must come to make a reference ambiguous.
RIVAL_MARGIN = 0.35


@dataclass
class Resolved:
    """What a reference resolved to: the chosen cell, how, and whether another cell rivals it."""

    ref: Ref
    cell: Cell | None
    confident: bool = False
    via: str = "rank"  # measure / code / rank
    rival: Cell | None = None
    unmet: list[str] = field(default_factory=list)  # roles the cell does not carry
    # a standard concept the standard tables do not print: the cell found by its words may be
    # another measure of the same name (30217 公务接待费 in 基本支出 is not the 三公 公务接待费)
    off_standard: bool = False

    @property
    def ok(self) -> bool:
        return (self.cell is not None and self.confident and self.rival is None and not self.unmet
                and not self.off_standard)


def _key(name: str | None) -> str:
    return re.sub(r"[（()）“”\"\s]", "", name or "")


# Economic classes that make up 人员经费 and 公用经费 in the basic-spending detail table.
_ECONOMIC_GROUPS = {"人员经费": ("301", "303"), "公用经费": ("302", "307", "309", "310", "399")}
_YEAR_IN = re.compile(r"(20\d\d)\s*年")


def column_year(column: str) -> int | None:
    m = _YEAR_IN.search(column)
    return int(m.group(1)) if m else None


def role_met(role: str, cell: Cell, year: int | None = None) -> bool:
    """Does the cell print the role: in its column path, its row name, or (fund roles) its table?

    With the document's `year`, a column naming the year before is the 上年 column, and no other
    role's (the 2025年预算数 of a 2026 budget is last year's budget, not this year's).
    """
    words = ROLE_WORDS.get(role, (role,))
    column = cell.column
    where = column + "|" + cell.row.name
    named = column_year(column)
    if year is not None and named is not None and named != year:
        return role == "上年" and named == year - 1
    if role in _FUND_TABLES and cell.table.kind in _FUND_TABLES[role]:
        return True
    if role == "基本支出" and cell.table.kind in BASIC_DETAIL:
        return True  # the basic-spending detail table prints nothing but basic spending
    code = cell.row.code or ""
    if role in _ECONOMIC_GROUPS and cell.table.kind in BASIC_DETAIL and code[:1] == "3":
        return code[:3] in _ECONOMIC_GROUPS[role]  # 30201 办公费 is 公用经费; 30101 基本工资 is 人员经费
    ledger = _ledger_of(cell.table)
    if role in ("决算", "执行数") and ledger == "决算" and not re.search(r"预算|上年", column):
        return True  # every amount of a 决算 table is a 决算 figure unless its column says otherwise
    if role == "预算" and ledger == "预算" and not re.search(r"决算|执行|上年", column):
        return True
    if role in ("财政拨款", "一般公共预算", "基本支出", "项目支出") and role in cell.table.title:
        return True  # 一般公共预算项目支出情况表（按经济分类科目） prints nothing but project spending
    if role == "上年":
        where = column  # a row 上年结转 is a source of this year's income
    if not any(w in where for w in words):
        return False
    return not any(x in column for x in _EXCLUDES.get(role, ()))


def _ledger_of(table: Table) -> str | None:
    title = table.title + table.kind
    if "决算" in title:
        return "决算"
    return "预算" if "预算" in title else None


def ref_text(ref: Ref) -> str:
    """The words the cell ranking reads for a reference: table, row (or concept), column roles."""
    parts = [ref.table_kind or "", ref.table_number or "", ref.project or "", ref.code or "",
             ref.row or ref.concept or ""]
    parts += [r for r in ref.columns if r not in ("合计",) or not (ref.row or ref.concept)]
    parts += ref.column_words
    return "".join(p for p in parts if p)


_FUNDS = FUND_CONCEPTS
_SANGONG_IDS = ("三公经费", "因公出国(境)费", "公务用车购置费", "公务用车运行维护费", "公务接待费")


_concepts = concepts


def measure_rules(ref: Ref, ledger: str | None) -> list[measures.Rule] | None:
    """The standard-measure rules of a reference that names a standard concept and nothing narrower."""
    if ref.table_kind or ref.table_number or ref.code or ref.row or not ref.concept:
        return None  # a named table or row is the question's own choice
    concept = _concepts().get(ref.concept)
    if concept is None or not concept.measure:
        return None
    if any(not MEASURE_WORDS.search(w) for w in ref.column_words):
        return None  # a header word narrower than the concept (其中：基本建设资金支出): that column, not the standard figure
    own = {concept.column} | ({"财政拨款"} if concept.column in _FUNDS else set())
    extra = set(ref.columns) - own - {"合计", "本年", "决算", "预算"}
    if concept.measure in _SANGONG_IDS:
        if extra - {"财政拨款", "一般公共预算"}:
            return None
        label = "预算数" if "预算" in ref.columns and "决算" not in ref.columns else (
            "决算数" if "决算" in ref.columns or ledger == "决算" else "预算数")
        return measures.RULES.get(f"{concept.measure}_{label}")
    if extra:
        return None  # 住房公积金的财政拨款 / 基本支出中的人员经费: narrower than the standard figure
    return measures.RULES.get(concept.measure)


def _by_measure(doc: Document, ref: Ref, ledger: str | None) -> Cell | None:
    """A standard concept through the standard-measure reader (the figure the compare tab shows)."""
    rules = measure_rules(ref, ledger)
    if not rules:
        return None
    at = measures.locate(doc, rules)
    if at is None:
        return None
    return Cell(at.table, at.row_index, at.column, 10.0, (1.0, 1.0, 1.0), True)


def _scope(doc: Document, ref: Ref) -> list[Table] | None:
    """Tables a reference confines itself to: a table named by number, or by kind."""
    if ref.table_number:
        n = norm(ref.table_number)
        named = [t for t in doc.tables if t.number and norm(t.number) == n]
        if named:
            return named
    if ref.table_kind:
        named = [t for t in doc.tables if t.kind == ref.table_kind]
        if named:
            return named
    return None


def resolve(doc: Document, ref: Ref, ledger: str | None = None, want_row: bool = True) -> Resolved:
    """The cell a reference names, with the confidence and ambiguity the fit check needs."""
    cell = _by_measure(doc, ref, ledger)
    if cell is not None:
        unmet = [r for r in ref.columns if r not in ("合计", "本年") and not role_met(r, cell, doc.year)
                 and not (r in ("预算", "决算") and cell.table.kind in SANGONG)
                 and not (r in _FUNDS and _concepts()[ref.concept].column in _FUNDS)]
        return Resolved(ref, cell, True, "measure", _measure_rival(doc, ref, cell), unmet)
    standard = measure_rules(ref, ledger) is not None
    text = ref_text(ref)
    if not norm(text):
        return Resolved(ref, None)
    scope = _scope(doc, ref)
    if ref.project and not (ref.row or ref.concept or ref.code) and _row_named(doc, ref.project, scope):
        ref = ref.model_copy(update={"row": ref.project})  # a project listed as a row (项目支出表), not a 绩效 form
        text = ref_text(ref)
    names_row = bool(ref.row or ref.concept or ref.code)
    concept = _concepts().get(ref.concept) if ref.concept else None
    if concept is not None and concept.column in _FUNDS and not (ref.row or ref.code) and any(
            not MEASURE_WORDS.search(w) and w not in WHOLE_SEGMENTS for w in ref.column_words):
        names_row = False  # 财拨支出里基本建设资金: the fund's table and a column of its whole, no row
    ranked = rank_cells(doc, text, tables=scope, want_row=want_row and names_row, limit=40, include_empty=True)
    if ref.code:
        coded = [c for c in ranked if c.row.code == ref.code]
        ranked = coded or ranked
    ranked = _by_column_words(ranked, ref)
    if ref.side:  # the question speaks of spending only (or income only): not the other side's tables
        other = "收入" if ref.side == "支出" else "支出"
        sided = [c for c in ranked if not (c.table.side == other or (other in c.table.kind and ref.side not in c.table.kind)
                                          or (other in c.column and ref.side not in c.column))]
        ranked = sided or ranked
    if not names_row:
        # a table (or project) and a measure only: the table's whole, its total or summary row
        summary = _summary_cells(ranked[0].table) if ranked and "得分" in ref.columns else []
        totals = summary or [c for c in ranked if is_total(c.row) or _SUMMARY.match(bare_name(c.row.name))]
        ranked = totals or ranked
    roles = [r for r in ref.columns if r not in ("合计", "本年")]
    # roles re-order the cells the words name; they never reach for a cell the words do not name
    named = [c for c in ranked if _named_by(c, ref)] if names_row else ranked
    fitting = [c for c in named if all(role_met(r, c, doc.year) for r in roles)]
    pool = fitting or named
    if not pool and ref.concept and ref.text and len(norm(ref.text)) >= 4 and norm(ref.text) != norm(ref.concept):
        # no standard table and no row of the concept's own name (a whole-government 决算): the
        # question's words are a row name of their own (一般公共预算支出)
        found = resolve(doc, ref.model_copy(update={"concept": None, "row": ref.text}), ledger, want_row)
        return replace(found, ref=ref)
    if not pool:
        return Resolved(ref, None)
    best = next((c for c in pool if confident(c)), pool[0])
    if best.value is None:  # printed empty under the asked measure: the row may print it in another column
        printed = next((c for c in _row_cells(best) if c.value is not None and all(
            role_met(r, c, doc.year) for r in roles) and roles), None)
        best = printed or best
    unmet = [r for r in roles if not role_met(r, best, doc.year)]
    rival = _rival(best, pool) or _repeated(best)
    return Resolved(ref, best, confident(best) or (ref.code is not None and best.row.code == ref.code),
                    "code" if ref.code and best.row.code == ref.code else "rank", rival, unmet, standard)


def _by_column_words(ranked: list, ref: Ref) -> list:
    """Cells whose column prints the reference's column words first, in rank order: a short word the
    ranking cannot weigh against a long header (限额 in 「2023年债务限额/A=B+C」, beside 余额's
    「2023年债务余额（决算数）」, which the 决算 preference would lift) still names its column."""
    words = [norm(w) for w in ref.column_words if len(norm(w)) >= 2 and not MEASURE_WORDS.search(w)]
    if not words:
        return ranked
    def prints(c) -> bool:
        col = norm(c.column)
        return all(w in col or (len(w) >= 5 and w[-4:] in col) for w in words)
    hits = [c for c in ranked if prints(c)]
    return hits + [c for c in ranked if not prints(c)] if hits else ranked


def _row_named(doc: Document, name: str, tables: list[Table] | None) -> bool:
    n = norm(name)
    return len(n) >= 4 and any(bare_name(r.name) == n for t in (tables or doc.tables) for r in t.rows)


def _named_by(cell: Cell, ref: Ref) -> bool:
    """Do the reference's own words (not just its roles) name this cell's row, code or column?"""
    if ref.code and cell.row.code == ref.code:
        return True
    if cell.parts[1] > 0.2:
        return True
    words = [norm(w) for w in (ref.row, ref.concept) if w]
    column = norm(cell.column)
    whole = is_total(cell.row) or not bare_name(cell.row.name) or len(cell.table.rows) == 1
    if whole and any(len(norm(w)) >= 3 and norm(w) in column for w in ref.column_words if not MEASURE_WORDS.search(w)):
        return True  # the question's own header word names the column of the table's whole
    return any(len(w) >= 2 and (w in column or column.endswith(w)) for w in words) and (
        is_total(cell.row) or not bare_name(cell.row.name) or len(cell.table.rows) == 1)


def _row_cells(cell: Cell) -> list[Cell]:
    return [Cell(cell.table, cell.row_index, c, cell.score, cell.parts, cell.specific) for c in cell.table.columns
            if c != cell.column]


def _summary_cells(table: Table) -> list[Cell]:
    """A 绩效 form's own total score: its 汇总得分 / 总分 row, whatever column prints it."""
    out = []
    for ri, row in enumerate(table.rows):
        if _SUMMARY.match(bare_name(row.name)):
            out += [Cell(table, ri, c, 9.0, (1.0, 1.0, 1.0), True) for c, v in row.cells.items() if v is not None]
    return out


def same_named_rows(cell: Cell, any_code: bool = False) -> list[Cell]:
    """Every row of the cell's table printed with the same name (and code, unless `any_code`: the two
    行政运行 under different 款), in the same column."""
    name = bare_name(cell.row.name)
    return [Cell(cell.table, ri, cell.column, 0, (0, 0, 0)) for ri, r in enumerate(cell.table.rows)
            if bare_name(r.name) == name and (any_code or r.code == cell.row.code)
            and r.cells.get(cell.column) is not None]


def _repeated(cell: Cell) -> Cell | None:
    """A table printing the same subject twice with other values (one row per unit, unnamed): which
    one is meant is not in the words, so the other row rivals the first."""
    if not (cell.row.code or bare_name(cell.row.name)):
        return None
    return next((c for c in same_named_rows(cell) if c.row_index != cell.row_index and c.value != cell.value), None)


def _measure_rival(doc: Document, ref: Ref, cell: Cell) -> Cell | None:
    """Another standard table printing the concept under its own name with another value.

    The measure reader takes the first place its rules find; when a table of the same standing prints
    the same concept differently (预算表5 人员经费 vs 预算表6 人员经费合计), the document contradicts
    itself and a ✓ on either would be a guess.
    """
    if cell.value is None:
        return None
    name = norm(ref.concept or "")
    # only the tables where the standard figure may be printed: 30217 公务接待费 of the basic-spending
    # detail is another measure than the 三公 table's, not a second printing of it
    kinds = {k for rule in measure_rules(ref, None) or [] for k in rule.kinds}
    for c in rank_cells(doc, ref.concept or "", want_row=False, limit=12):
        if c.value is None or c.value == cell.value or c.table is cell.table or c.table.kind not in kinds:
            continue
        if c.table.kind in PERFORMANCE_KINDS or c.table.kind != cell.table.kind and (
                KIND_PRIOR.get(c.table.kind, 0.0) < KIND_PRIOR.get(cell.table.kind, 0.0)):
            continue
        row, col = bare_name(c.row.name), norm(c.column.split("/")[-1])
        exact = row in (name, name + "合计") or (is_total(c.row) and col in (name, name + "合计"))
        if exact and confident(c) and cell_unit_of(c) == cell_unit_of(cell):
            return c
    return None


def cell_unit_of(cell: Cell) -> str | None:
    return cell.row.units.get(cell.column) or cell.table.unit


def _rival(best: Cell, pool: list[Cell]) -> Cell | None:
    """Another confident cell with another value that scores about as well and has the same standing.

    The general tables' small prior (KIND_PRIOR) is a deliberate reading — a question that says no
    fund means all funds — so a cell of a table ranked below by that prior is no rival.
    """
    if best.value is None:
        return None
    for c in pool:
        if c is best or c.value is None or c.value == best.value:
            continue
        if best.score - c.score > RIVAL_MARGIN:
            break
        if not confident(c) or KIND_PRIOR.get(c.table.kind, 0.0) < KIND_PRIOR.get(best.table.kind, 0.0):
            continue
        if c.table is best.table and c.row_index == best.row_index:
            continue  # the row's other columns: unnamed, its main column is the reading, not a guess
        if "本级" in c.table.title and "本级" not in best.table.title:
            continue  # a whole-government 决算 prints the province and its 本级: unqualified, the province is meant
        return c
    return None


def parent_total(cell: Cell) -> Cell | None:
    """The whole a cell is part of: its parent code's row, else the table's total row, same column;
    in a one-row table (三公), the total column of the same group."""
    t, row = cell.table, cell.row
    if row.code and len(row.code) > 3:
        for ri, r in enumerate(t.rows):
            if r.code and row.code.startswith(r.code) and len(r.code) == len(row.code) - 2:
                if r.cells.get(cell.column) is not None:
                    return Cell(t, ri, cell.column, 0, (0, 0, 0))
    for ri, r in enumerate(t.rows):
        if is_total(r) and r.cells.get(cell.column) is not None and ri != cell.row_index:
            return Cell(t, ri, cell.column, 0, (0, 0, 0))
    if not is_total(row) and bare_name(row.name):
        return None
    # a column of the total row: its whole is the row's total column (基本支出 → 本年支出合计 / 合计)
    for c in t.columns:
        last = c.split("/")[-1]
        if c != cell.column and re.search(r"合计|小计|总计", last) and row.cells.get(c) is not None:
            if "/" not in c or c.split("/")[0] == cell.column.split("/")[0] or "/" not in cell.column:
                return Cell(t, cell.row_index, c, 0, (0, 0, 0))
    first = t.columns[0]
    if first != cell.column and row.cells.get(first) is not None:
        return Cell(t, cell.row_index, first, 0, (0, 0, 0))
    return None


MEASURE_WORDS = re.compile(r"预算|决算|执行|年初|全年|调整|实际|本年|上年|\d{4}年")


def item_of(column: str) -> tuple[str, ...]:
    """A column path without its measure segments: 预算数/因公出国（境）费 → (因公出国（境）费,)."""
    return tuple(seg for seg in column.split("/") if not MEASURE_WORDS.search(seg) and seg not in WHOLE_SEGMENTS)


# A column's own total segment names no item of its own: 2026年预算数/总计 is the row's figure, as 2025年预算数 is.
WHOLE_SEGMENTS = frozenset({"合计", "总计", "小计", "金额", "合计数"})


def _without_years(column: str) -> str:
    return "/".join(re.sub(r"^(20\d\d年(度)?|上年|本年|今年|去年)", "", seg) for seg in column.split("/"))


def same_row(cell: Cell, role: ColumnRole | str, exclude: tuple[str, ...] = (), year: int | None = None) -> Cell | None:
    """The same item's other measure: the column of the cell's row that prints `role` and names the
    same item (决算数/公务接待费 → 预算数/公务接待费, never 预算数/合计)."""
    item = item_of(cell.column)
    found = []
    for c in cell.table.columns:
        if c == cell.column or any(x in c for x in exclude):
            continue
        probe = Cell(cell.table, cell.row_index, c, 0, (0, 0, 0))
        if role_met(role, probe, year):
            found.append(probe)
    same = [c for c in found if item_of(c.column) == item]
    # the same path under another year (2021年/…“三公”经费预算/小计 → 2020年/…/小计, not 2020年/合计)
    shape = _without_years(cell.column)
    same = [c for c in same if _without_years(c.column) == shape] + [c for c in same if _without_years(c.column) != shape]
    if same:
        return same[0]
    return found[0] if found and not item else None
