"""Cells that answer a question: what grounded mode found, citing a cell, and the confidence rule.

The building blocks shared by the executor and the LLM path: a cell's fact id and unit, its
description for answers, and the rule that keeps a weakly named cell from counting as the one asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from budgetqa.app.models import Claim
from budgetqa.app.qa.match import KIND_PRIOR, Cell, bare_name, is_total
from budgetqa.ingest.facts import column_unit, fact_id
from budgetqa.ingest.models import Document


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


def confident(cell: Cell | None) -> bool:
    if cell is None:
        return False
    ts, rs, cs = cell.parts
    if rs >= 1.0 or (rs > 0 and (ts >= 1.0 or cs >= 0.35)) or (rs <= 0.2 and cs >= 0.35 and ts >= 1.0):
        return True
    one_row = not bare_name(cell.row.name) or (is_total(cell.row) and len(cell.table.rows) == 1)
    if rs <= 0.2 and one_row and cs >= 0.8 and cell.specific:
        return True  # a one-row table (三公) whose own column the question names: 公务接待费决算数, 购置费
    # 「项目支出是多少」: the total row of a general table, under a column the question names
    # (any table when the column is named in full: 基本支出/公用经费)
    if not cell.specific:
        return False  # 「金额」 or 「决算数」 in a question names no particular figure
    return rs <= 0.2 and is_total(cell.row) and (cs >= 1.0 or (cs >= 0.5 and KIND_PRIOR.get(cell.table.kind, 0) > 0))
