"""Grounded mode: answer figure questions straight from the parsed tables, no LLM.

A question is read as one of a few forms (a cell; a difference, share, execution rate or sum of
cells; the largest / smallest of named rows; a statement in the prose), resolved to cells with
`budgetqa.app.qa.match`, and answered with claims the checker can verify. When nothing fits: not found.
The forms live in `app/forms.py`, the single-cell lookup in `app/cells.py`; this module decides
between them and the prose.
"""

from __future__ import annotations

import re

from budgetqa.app.qa.cells import Grounded, lookup
from budgetqa.app.qa.forms import TABLE_FORMS, derived_intent
from budgetqa.ingest.models import Document

_WHY = re.compile(r"为什么|什么原因|原因是|为何|怎么回事")
# Words that point to the prose (情况说明), strong ones win over a table cell, weak ones only over a weak match.
_PROSE_STRONG = re.compile(r"比上年|上年|同比|增长|下降|增加了|减少了|年初预算|完成年初|为什么|原因|主要用于|绩效评价|涉及")
_PROSE_WEAK = re.compile(r"几辆|几个|多少个|多少辆|多少人|机构|职责|说明|情况|类别")


def prose_first(question: str, table: Grounded | None) -> bool:
    """Should the prose answer win over the table answer found for the question?"""
    if table is None:
        return True
    if table.form not in ("lookup", "compare"):
        return False  # a derived figure over cells is what was asked for
    if _PROSE_STRONG.search(question):
        strong_cell = table.cells and table.cells[0].parts[1] >= 1.0 and table.cells[0].parts[0] >= 1.0
        return not strong_cell
    if _PROSE_WEAK.search(question):
        return not (table.cells and table.cells[0].parts[1] >= 1.0)
    return False



def answer_from_tables(doc: Document, question: str) -> Grounded | None:
    for form in TABLE_FORMS:
        g = form(doc, question)
        if g is not None:
            return g
    if derived_intent(question, doc):
        return None  # never answer a sum, difference or ranking with one cell
    return lookup(doc, question)


