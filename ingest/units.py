"""Money units and their conversion: one table of scales for the checker, audit, bulk and eval."""

from __future__ import annotations

from decimal import Decimal

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
