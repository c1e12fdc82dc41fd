"""Money units: one table of scales shared by checker, audit, bulk and eval."""

from decimal import Decimal

from budgetqa.ingest.units import convert, to_wan


def test_yuan_to_wan_yuan_is_exact():
    assert convert(Decimal("189767551"), "元", "万元") == Decimal("18976.7551")


def test_yi_yuan_to_wan_yuan():
    assert convert(Decimal("1.2"), "亿元", "万元") == Decimal("12000")


def test_non_money_units_never_convert():
    assert convert(Decimal("3"), "人", "万元") is None
    assert convert(Decimal("18.75"), "%", "%") is None


def test_amount_without_a_unit_line_is_taken_in_wan_yuan():
    assert to_wan(Decimal("2247.14"), None) == Decimal("2247.14")
    assert to_wan(Decimal("13500"), "元") == Decimal("1.35")
