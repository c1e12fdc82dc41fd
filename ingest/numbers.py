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
    t = _unwrap(clean_cell(text).replace(" ", "").replace("，", ",").replace("−", "-"))
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


_SHORT_GROUP = re.compile(r",\d{1,2}$")


def _unwrap(t: str) -> str:
    """A figure wrapped inside a narrow cell (「21,118.5」 over 「1」) read as the one figure it is.

    Joined only when the first line stops inside a number: on a separator, in a thousands group
    short of three digits, or with fewer decimals than the whole. Two whole figures stacked in one
    cell (「123」 over 「456.00」) are left as they are, so they read as text and never as a sum.
    """
    if "\n" not in t:
        return t
    parts = [p for p in t.split("\n") if p]
    joined = "".join(parts)
    head, tail = "".join(parts[:-1]), parts[-1]
    if len(parts) < 2 or not _NUM.match(joined) or not re.fullmatch(r"[\d,.]+", tail):
        return t
    decimals = len(joined.split(".")[1]) if "." in joined else 0
    head_decimals = len(head.split(".")[1]) if "." in head else None
    cut_inside = (
        head.endswith((",", ".")) or tail.startswith((",", ".")) or bool(_SHORT_GROUP.search(head))
        or (head_decimals is not None and head_decimals < decimals)
    )
    return joined if cut_inside else t


def try_amount(text: str | None) -> Decimal | None:
    """parse_amount that returns None instead of raising."""
    try:
        return parse_amount(text)
    except ValueError:
        return None


def is_blank(text: str | None) -> bool:
    return clean_cell(text).replace(" ", "") in _EMPTY
