"""Reading printed amounts: thousands separators, dashes, blanks, percentages."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# Cells that mean "nothing here": empty, dashes of every width, 无.
_EMPTY = {"", "-", "--", "—", "——", "–", "－", "/", "无", "…", "——"}
_NUM = re.compile(r"^[-+−]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def clean_cell(text: str | None) -> str:
    """Drop markup, line breaks inside a cell and surrounding blanks."""
    if text is None:
        return ""
    text = re.sub(r"</?b>|</?strong>|\*\*", "", text)
    return text.replace("\u3000", " ").strip()


def parse_amount(text: str | None) -> Decimal | None:
    """Parse a printed amount ("2,247.14", "-3.50", "0.00") to Decimal; blanks and dashes → None.

    Raises ValueError when the text is not a number at all, so callers can tell labels from values.
    """
    t = clean_cell(text).replace(" ", "").replace("，", ",").replace("−", "-")
    if t in _EMPTY:
        return None
    if t.startswith("(") and t.endswith(")"):  # accounting negative
        t = "-" + t[1:-1]
    if not _NUM.match(t):
        raise ValueError(f"not an amount: {text!r}")
    try:
        return Decimal(t.replace(",", "").replace("+", ""))
    except InvalidOperation as exc:  # pragma: no cover - regex already guards
        raise ValueError(f"not an amount: {text!r}") from exc


def try_amount(text: str | None) -> Decimal | None:
    """parse_amount that returns None instead of raising."""
    try:
        return parse_amount(text)
    except ValueError:
        return None


def is_blank(text: str | None) -> bool:
    return clean_cell(text).replace(" ", "") in _EMPTY
