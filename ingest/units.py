"""Units: how a table prints its unit, one spelling per unit, and the money scales with their
conversion. The one table of unit cues for the readers, facts, checker, audit, bulk and eval."""

from __future__ import annotations

import re
from decimal import Decimal

# A table's own unit line: 单位：万元, 金额单位：元 (searched with blanks removed).
UNIT_LINE = re.compile(r"(?:金额)?单位\s*[：:]\s*(万元|亿元|元)")
# Other spellings of a unit a cell, an answer or a labeled item may print.
UNIT_ALIASES: dict[str, str] = {"％": "%", "人次": "人"}


def norm_unit(unit: str | None) -> str | None:
    """The one spelling of a unit (％ → %, 人次 → 人); None for no unit."""
    if unit is None:
        return None
    unit = unit.strip()
    return UNIT_ALIASES.get(unit, unit) or None


# How many 元 one unit is worth; amounts in any of these convert into each other.
MONEY_SCALE: dict[str, Decimal] = {
    "元": Decimal(1),
    "千元": Decimal(1000),
    "万元": Decimal(10_000),
    "亿元": Decimal(100_000_000),
}
# The same, as multipliers into 万元 (the unit most disclosures print).
WAN_SCALE: dict[str, Decimal] = {u: s / MONEY_SCALE["万元"] for u, s in MONEY_SCALE.items()}


def convert(value: Decimal, unit: str | None, target: str | None) -> Decimal | None:
    """`value` in `unit` expressed in `target` when both are money units; None otherwise (never a guess)."""
    if unit in MONEY_SCALE and target in MONEY_SCALE:
        return value * MONEY_SCALE[unit] / MONEY_SCALE[target]
    return None


def to_wan(value: Decimal, unit: str | None) -> Decimal:
    """An amount in 万元; an amount with no unit line is taken as printed (the templates' 万元)."""
    return value * WAN_SCALE.get(unit or "万元", Decimal(1))
