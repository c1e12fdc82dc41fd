"""Flatten rebuilt tables into facts: one per numeric cell, with provenance."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from budgetqa.ingest.models import Document, Fact, Table
from budgetqa.ingest.units import norm_unit


def fact_id(doc_id: str, table: Table, row_index: int, col_index: int) -> str:
    """Stable id: document, table (and side), row and column positions."""
    side = {"收入": "i", "支出": "e"}.get(table.side or "", "")
    return f"{doc_id}-t{table.index}{side}-r{row_index}-c{col_index}"


def column_unit(column: str, table_unit: str | None) -> str | None:
    """A column's own unit beats the table's: 执行率 is %, 得分 is 分, 年初预算数（万元） is 万元."""
    last = column.split("/")[-1]
    for marker, unit in (("（万元）", "万元"), ("(万元)", "万元"), ("（元）", "元"), ("(元)", "元")):
        if marker in column:
            return unit
    if "率" in last or last.endswith("%") or "（%）" in last:
        return "%"
    if any(w in last for w in ("得分", "分值", "权重", "总分")):
        return "分"
    if _INDICATOR.search(last):
        return None
    return table_unit


_COUNT = re.compile(r"^[≥≤=＝<>＞＜约共]?\s*(\d+(?:\.\d+)?)\s*(人次|人|个|辆|期|次|家|项|天|万元|元|分|%|％)$")


_UNIT_WORDS = {"人次", "人", "个", "辆", "期", "次", "家", "项", "天", "万元", "元", "分", "%", "％", "件", "户", "台", "套"}
# 绩效 indicator columns hold counts, rates and amounts alike: without a printed unit, none is assumed.
_INDICATOR = re.compile(r"指标值|完成值|实际完成|目标值")


def promote_counts(table: Table) -> None:
    """Text cells that are one number with its unit (103人, ≥500人次, =280期) become numeric cells."""
    for row in table.rows:
        for col, text in list(row.texts.items()):
            t = text.replace(" ", "")
            m = _COUNT.match(t)
            if m and row.cells.get(col) is None:
                row.cells[col] = Decimal(m.group(1))
                row.units[col] = norm_unit(m.group(2))
            elif row.cells.get(col) is not None and t in _UNIT_WORDS:  # 700 | 人次 split over the cell
                row.units[col] = norm_unit(t)


def table_facts(doc_id: str, table: Table) -> Iterator[Fact]:
    col_pos = {c: i for i, c in enumerate(table.columns)}
    for ri, row in enumerate(table.rows):
        for column, value in row.cells.items():
            if value is None:
                continue
            yield Fact(
                doc_id=doc_id,
                table_index=table.index,
                table_kind=table.kind,
                table_title=table.title,
                side=table.side,
                row_index=ri,
                row_code=row.code,
                row_name=row.name,
                column=column,
                value=value,
                unit=row.units.get(column) or column_unit(column, table.unit),
                page=row.page,
                line=row.line,
                bbox=tuple(row.boxes[column]) if column in row.boxes else None,
                ocr=row.ocr,
                fact_id=fact_id(doc_id, table, ri, col_pos.get(column, -1)),
            )


def document_facts(doc: Document) -> list[Fact]:
    """Every numeric cell of every table of the document."""
    return [f for t in doc.tables for f in table_facts(doc.doc_id, t)]
