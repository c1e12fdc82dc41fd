"""Headline measures for the Compare tab: one value per document, in 万元, with its source.

A thin view of `budgetqa.app.measures.RULES`, the one reader of the standard figures: this module
only names the measures the tab offers and picks the 决算数 or 预算数 figure of 三公经费.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from budgetqa.app.measures import RULES, resolve
from budgetqa.ingest.models import Document

MEASURES = ["三公经费", "本年支出合计", "基本支出", "项目支出", "人员经费", "公用经费", "财政拨款收入",
            "年末结转和结余", "机关运行经费"]


@dataclass
class Measured:
    """What the Compare tab shows per document: a value in 万元 and where it was read."""

    value_wan: Decimal
    source: str


def figure_name(doc: Document, m: str) -> str:
    """The standard figure a measure stands for in this document (三公经费 has a 决算 and a 预算 figure)."""
    return f"{m}_{'预算数' if doc.kind == '预算' else '决算数'}" if m == "三公经费" else m


def compare_value(doc: Document, m: str) -> Measured | None:
    """A measure for one document, or None when its tables do not give it."""
    if m not in MEASURES:
        raise ValueError(f"unknown measure {m!r}; choose one of {', '.join(MEASURES)}")
    name = figure_name(doc, m)
    h = resolve(doc, RULES[name], name)
    return Measured(h.value, h.source) if h is not None else None
