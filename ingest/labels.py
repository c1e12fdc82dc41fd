"""Row labels: a printed row name without its numbering, markup and blanks, and whether the row
totals its table. Computed once per row when it is built (`Row.label`, `Row.is_total`)."""

from __future__ import annotations

import re

# One numbering mark before a printed name: 一、 十四、 一. 1、 2. （一） (3) ①.
_MARK = r"(?:[一二三四五六七八九十]+[、.．]|\d+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|[①-⑩])"
NUMBERING = re.compile(rf"^\s*{_MARK}\s*")  # does the name start with one (a numbered line)?
_LEADING = re.compile(rf"^(?:其中[:：]?)?{_MARK}*(?:其中[:：]?)?")  # 其中：, then marks, then 其中：
_MARKUP = re.compile(r"<[^>]+>|\*\*|\s|\u3000")
_LEVEL_MARK = re.compile(r"[（(](类|款|项)[)）]")

# The names of the row that totals its table; a 绩效 form's total is its 年度资金总额.
TOTAL_LABELS = frozenset({"合计", "总计", "收入合计", "支出合计"})
_FUND_TOTAL = re.compile(r"资金总[额和]")


def strip_numbering(name: str) -> str:
    """The name without a leading 其中： and numbering marks (十四、 （一） 1. ①)."""
    return _LEADING.sub("", name)


def clean_label(name: str) -> str:
    """A row name without markup, blanks, numbering, 其中： and level marks: 十四、资源勘探（类） → 资源勘探"""
    return _LEVEL_MARK.sub("", strip_numbering(_MARKUP.sub("", name or "")))


def is_total_label(label: str, code: str | None = None) -> bool:
    """A row named as the table's total (合计 / 总计 / 收入合计 / 支出合计 / 年度资金总额), with no subject code."""
    return code is None and (label in TOTAL_LABELS or bool(_FUND_TOTAL.search(label)))
