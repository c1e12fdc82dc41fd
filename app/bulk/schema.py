"""The dataset's tables and columns, shared by the workers, the staging store and the writers."""

from __future__ import annotations

from budgetqa.app.measures import FIGURES

DOCUMENT_COLUMNS = [
    "path", "sha256", "status", "reason", "department", "year", "scope", "kind", "unit", "pages",
    "tables", "standard_tables", "facts", "source_format", "seconds",
]
SUMMARY_KEYS = ["sha256", "path", "department", "year", "scope", "kind"]
SUMMARY_COLUMNS = SUMMARY_KEYS + [c for f in FIGURES for c in (f, f"{f}__source")]
FACT_COLUMNS = [
    "sha256", "fact_id", "table_index", "table_number", "table_title", "table_kind", "side", "table_unit",
    "row_index", "row_code", "row_name", "column", "value", "unit", "page", "line",
]
# Figures without which a parsed document counts as partial (its tables were not all understood).
CORE_FIGURES = ("收入总计", "本年支出合计", "基本支出", "项目支出")


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
