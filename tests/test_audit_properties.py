"""Properties of the prose checks that hold for any figures a writer could print (hypothesis).

Shares printed as each part's own quotient (to two decimals) are never an error, whatever the parts;
a share moved by a whole point is always one, found at that share. A total followed by a whole set of
parts that add up to it is never an error; one part changed by more than the rounding always is.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from budgetqa.app.audit import audit
from budgetqa.ingest.models import Document, Paragraph

# amounts of 100.00 万元 and more, printed to the cent: precise enough that a point of share shows
CENTS = st.integers(min_value=10_000, max_value=5_000_000).map(lambda c: (Decimal(c) / 100).quantize(Decimal("0.01")))


def _doc(text: str) -> Document:
    return Document(file="p.txt", sha256="0" * 64, department=None, year=2024, kind="预算", scope="部门",
                    pages=None, paragraphs=[Paragraph(text, 1, ["二、收入支出预算总体情况"])], tables=[])


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _list(lead: Decimal, parts: list[Decimal], pcts: list[Decimal]) -> str:
    names = ["人员经费", "公用经费", "项目支出", "事业单位经营支出", "其他支出"]
    body = "；".join(f"{names[i]} {p} 万元，占 {q}%" for i, (p, q) in enumerate(zip(parts, pcts)))
    return f"本年支出预算合计 {lead} 万元，其中：{body}。"


@settings(max_examples=60, deadline=None)
@given(st.lists(CENTS, min_size=2, max_size=5))
def test_shares_printed_as_their_own_quotients_are_never_an_error(parts):
    lead = sum(parts, Decimal(0))
    findings = audit(_doc(_list(lead, parts, [_pct(p, lead) for p in parts])))
    assert not [f for f in findings if f.severity == "error"]


@settings(max_examples=60, deadline=None)
@given(st.lists(CENTS, min_size=2, max_size=5), st.data())
def test_a_share_moved_by_a_point_is_an_error_at_that_share(parts, data):
    lead = sum(parts, Decimal(0))
    pcts = [_pct(p, lead) for p in parts]
    i = data.draw(st.integers(min_value=0, max_value=len(parts) - 1))
    pcts[i] += 1
    errors = [f for f in audit(_doc(_list(lead, parts, pcts))) if f.severity == "error" and f.check == "prose.share"]
    assert [f.a_value for f in errors] == [pcts[i]]


@settings(max_examples=60, deadline=None)
@given(CENTS, CENTS, st.integers(min_value=-300, max_value=300))
def test_a_total_and_its_whole_set_of_parts(basic, project, slip):
    total = basic + project
    printed = (project + Decimal(slip) / 100).quantize(Decimal("0.01"))
    text = f"一般公共预算拨款支出 {total} 万元，其中：基本支出 {basic} 万元，项目支出 {printed} 万元。"
    found = [f for f in audit(_doc(text)) if f.check == "prose.parts_sum"]
    if abs(slip) <= 1:  # within the three figures' rounding (0.015)
        assert not found
    else:
        assert [(f.a_value, f.b_value) for f in found] == [(total, basic + printed)]
