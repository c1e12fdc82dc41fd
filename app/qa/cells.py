"""Cells that answer a question: resolving words to one cell, describing and citing it.

The building blocks of grounded mode (`app/grounded.py`): a question's best cell by the names it uses
(`budgetqa.app.qa.match`), the confidence rule that keeps a weak match from becoming an answer, and the single-cell
lookup, including the empty cell that is an answer in itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from budgetqa.app.qa.match import Cell, bare_name, is_total, norm, rank_cells
from budgetqa.app.models import Claim
from budgetqa.ingest.facts import column_unit, fact_id
from budgetqa.ingest.models import Document, Table

_YEARS = re.compile(r"(20\d\d)\s*年")



def fmt_amount(v: Decimal) -> str:
    """1184.83 → 1,184.83 (keeps the printed precision)."""
    s = f"{v:,}"
    return s


def fmt_unit(unit: str | None) -> str:
    return unit or ""


@dataclass
class Grounded:
    """What grounded mode found: answer text, the claims behind it, the cells it cites."""

    text: str
    claims: list[Claim] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    form: str = "lookup"
    quotes: list[tuple[str, int | None, str]] = field(default_factory=list)  # (heading, page, sentence)
    not_found_reason: str | None = None
    score: float = 0.0  # a prose answer's sentence score (table answers are scored by their cells)

    @property
    def strength(self) -> float:
        """How well the answer fits its question, to choose between documents."""
        return max((c.score for c in self.cells), default=self.score)


def cell_fact_id(doc: Document, cell: Cell) -> str:
    return fact_id(doc.doc_id, cell.table, cell.row_index, cell.table.columns.index(cell.column))


def cell_unit(cell: Cell) -> str | None:
    return cell.row.units.get(cell.column) or column_unit(cell.column, cell.table.unit)


def describe(cell: Cell) -> str:
    row = cell.row
    name = bare_name(row.name) or row.name
    col = cell.column.replace("/", "·")
    title = cell.table.title
    return f"{title}「{name}」{col}" if name else f"{title}·{col}"


def value_text(cell: Cell) -> str:
    return f"{fmt_amount(cell.value)}{fmt_unit(cell_unit(cell))}"


def years_mismatch(doc: Document, question: str) -> bool:
    years = {int(y) for y in _YEARS.findall(question)}
    return bool(years) and doc.year is not None and doc.year not in years


def best_cell(doc: Document, text: str, tables: list[Table] | None = None, want_row: bool = True) -> Cell | None:
    cells = rank_cells(doc, text, tables=tables, want_row=want_row, limit=1)
    return cells[0] if cells else None


def best_named(doc: Document, context: str, name: str, tables: list[Table] | None = None) -> Cell | None:
    """The best cell for `context + name` whose row is the one `name` names (a list item)."""
    from budgetqa.app.qa.match import coverage

    n = norm(name)
    for c in rank_cells(doc, context + name, tables=tables, limit=40):
        row = bare_name(c.row.name)
        if row and (n in row or coverage(row, n) >= 0.75):
            return c
    return None


def confident(cell: Cell | None) -> bool:
    if cell is None:
        return False
    ts, rs, cs = cell.parts
    if rs >= 1.0 or (rs > 0 and (ts >= 1.0 or cs >= 0.35)) or (rs <= 0.2 and cs >= 0.35 and ts >= 1.0):
        return True
    if rs <= 0.2 and not bare_name(cell.row.name) and cs >= 0.8 and cell.specific:
        return True  # a one-row table (三公) whose own column the question names: 公务接待费决算数, 购置费
    from budgetqa.app.qa.match import KIND_PRIOR

    # 「项目支出是多少」: the total row of a general table, under a column the question names
    # (any table when the column is named in full: 基本支出/公用经费)
    if not cell.specific:
        return False  # 「金额」 or 「决算数」 in a question names no particular figure
    return rs <= 0.2 and is_total(cell.row) and (cs >= 1.0 or (cs >= 0.5 and KIND_PRIOR.get(cell.table.kind, 0) > 0))


def round2(v: Decimal, places: int = 2) -> Decimal:
    return v.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


_ASKED_UNIT = [(re.compile(r"多少人|几人|人数|人次"), "人"), (re.compile(r"几辆|多少辆|几台"), "辆"),
               (re.compile(r"几个|多少个"), "个"), (re.compile(r"多少期|几期"), "期"), (re.compile(r"多少分|得分"), "分")]


def asked_unit(question: str) -> str | None:
    return next((u for rx, u in _ASKED_UNIT if rx.search(question)), None)


def unit_lookup(doc: Document, question: str) -> Cell | None:
    """A strongly named table with exactly one named-column cell in the unit the question asks for."""
    unit = asked_unit(question)
    if unit is None:
        return None
    from budgetqa.app.qa.match import bigrams

    ranked = rank_cells(doc, question, want_row=False, limit=1)
    if not ranked or ranked[0].parts[0] < 1.0:
        return None
    table = ranked[0].table
    qg = bigrams(norm(question))
    scored = []
    for ri, row in enumerate(table.rows):
        for col, v in row.cells.items():
            c = Cell(table, ri, col, 0.0, (ranked[0].parts[0], 1.0, 0.0))  # unique unit fit counts as named
            if v is None or cell_unit(c) != unit:
                continue
            hits = len(qg & bigrams(bare_name(row.name))) + len(qg & bigrams(norm(col)))
            scored.append((hits, c))
    if not scored:
        return None
    scored.sort(key=lambda x: -x[0])
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None  # two cells fit equally: not a guess
    return scored[0][1]


def lookup(doc: Document, question: str) -> Grounded | None:
    cells = rank_cells(doc, question, limit=1, include_empty=True)
    cell = cells[0] if cells else None
    # the best cell that passes the confidence gate, not just the best-scored one
    filled = next((c for c in rank_cells(doc, question, limit=10) if confident(c)), None) or best_cell(doc, question)
    if cell is not None and cell.value is None and confident(filled) and filled.score >= cell.score - 1.0:
        cell = filled  # another table prints the figure the question names about as well: show that one
    if cell is not None and cell.value is None and confident(cell):
        # the row and column the question names are printed empty: say so, never take a neighbour
        return Grounded("", not_found_reason=f"{describe(cell)}在表中为空（空白即 0 或不适用），没有可核验的数字。")
    if cell is not None and cell.value is None:
        cell = filled
    if not confident(cell):
        cell = unit_lookup(doc, question)
    if cell is None:
        return None
    fid = cell_fact_id(doc, cell)
    text = f"{value_text(cell)}（{describe(cell)}）"
    return Grounded(text, [Claim(value=cell.value, unit=cell_unit(cell), fact_ids=[fid])], [cell])



def empty_table_named(doc: Document, question: str) -> Table | None:
    """A table the question names that has no figures (本表无数据)."""
    from budgetqa.app.qa.match import bigrams, table_score

    q = norm(question)
    qg = bigrams(q)
    best, score = None, 0.0
    for t in doc.tables:
        s = table_score(t, q, qg)
        if s > score:
            best, score = t, s
    if best is not None and score >= 1.0 and not any(v is not None for r in best.rows for v in r.cells.values()):
        return best
    return None

