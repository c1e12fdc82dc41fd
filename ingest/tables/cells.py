"""Cell text: squeezing PDF spacing out of CJK text, and reading a value cell's number."""

from __future__ import annotations

import re
from decimal import Decimal

from budgetqa.ingest.models import RawTable

from budgetqa.ingest.numbers import clean_cell, is_blank, try_amount
from budgetqa.ingest.units import UNIT_LINE

CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f“”‘’"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{CJK}])\s+|\s+(?=[{CJK}])")
_PERCENT = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*[%％]$")


def squeeze(text: str | None) -> str:
    """Clean a cell and drop spaces next to CJK characters (收 入 → 收入, 700 人次 → 700人次)."""
    t = clean_cell(text)
    t = re.sub(r"</?p[^>]*>|</?span[^>]*>|<br\s*/?>", " ", t)
    return _SPACE_NEAR_CJK.sub("", t).strip()


def parse_cell(text: str) -> tuple[Decimal | None, str | None]:
    """(number, text) of a value cell: amounts and percentages give a number; labels give text."""
    if is_blank(text):
        return None, None
    value = try_amount(text)
    if value is not None:
        return value, None
    m = _PERCENT.match(text.replace(" ", ""))
    if m:
        return Decimal(m.group(1)), text
    return None, text


def is_amount_cell(text: str) -> bool:
    return bool(text) and (try_amount(text) is not None or bool(_PERCENT.match(text.replace(" ", ""))))


def normalize_grid(rows: list[list[str]]) -> list[list[str]]:
    """Squeeze every cell and pad rows to one width (trailing empty columns dropped)."""
    grid = [[squeeze(c) for c in row] for row in rows]
    width = max((max((i + 1 for i, c in enumerate(r) if c), default=0) for r in grid), default=0)
    return [(r + [""] * width)[:width] for r in grid]


def unit_of(raw: RawTable) -> str | None:
    """The table's own unit line (单位：万元 / 金额单位：元); None when it prints none."""
    for text in [raw.unit_line or "", *raw.context, raw.title or ""]:
        m = UNIT_LINE.search(re.sub(r"\s", "", text))
        if m:
            return m.group(1)
    return None
