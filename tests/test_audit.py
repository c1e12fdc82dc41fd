"""The consistency audit on the real corpus: the contradictions each document really contains, and
no `error` that rounding explains. Every expected figure below was read from the fixture by hand.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from budgetqa.app.audit import Check, Finding, audit, identity_checks, run
from budgetqa.app.audit.model import tolerance
from budgetqa.app.audit.tables import column_groups
from budgetqa.ingest.models import Document, Paragraph
from budgetqa.ingest.pipeline import read_document

FIXTURES = Path(__file__).parent / "fixtures"
PDFS = FIXTURES / "pdf"
ALL = sorted(FIXTURES.glob("*.txt")) + sorted(PDFS.glob("*.pdf"))
D = Decimal


@lru_cache(maxsize=None)
def doc(name: str) -> Document:
    path = FIXTURES / name if (FIXTURES / name).exists() else PDFS / name
    return read_document(path)


@lru_cache(maxsize=None)
def findings(name: str) -> tuple[Finding, ...]:
    return tuple(audit(doc(name)))


def errors(name: str) -> list[Finding]:
    return [f for f in findings(name) if f.severity == "error"]


def key(f: Finding) -> tuple:
    """A finding as (check, where a, value a, where b, value b): what the tests compare."""
    where = lambda loc: loc.row if loc.sentence is None else "情况说明"  # noqa: E731
    return (f.check, where(f.a), f.a_value, f.b.row, f.b_value)


# Every error in the corpus, per document, checked by hand against the fixture (see the report).
EXPECTED_ERRORS: dict[str, set[tuple]] = {
    "yanbian-industry-2023-final.txt": {
        # 情况说明 五(二)/(三) quote the 收入决算表 instead of the 公开05表 it describes
        ("items.row", "情况说明", D("1.56"), "2101199 其他行政事业单位医疗支出", D("1.70")),
        ("items.row", "情况说明", D("102.12"), "2080505 机关事业单位基本养老保险缴费支出", D("101.65")),
        ("items.row", "情况说明", D("1099.61"), "2150501 行政运行", D("1111.27")),
        ("items.row", "情况说明", D("702.46"), "2150599 其他工业和信息产业监管支出", D("705.40")),
        ("items.row", "情况说明", D("76.79"), "2210201 住房公积金", D("76.27")),
        # 五(二): 住房公积金 76.27 of 2,212.66 is 3.45%, printed 3.3% (the shares forced to 100%)
        ("items.share", "情况说明", D("3.3"), "合计", D("3.45")),
        # 五(三) 5. and 8.: 「决算数大于预算数」 where 决算 1.7 < 年初预算 1.73 (98.3%) and 702.46 < 1,489.96
        ("items.final_word", "情况说明", D("1.7"), None, D("1.73")),
        ("items.final_word", "情况说明", D("702.46"), None, D("1489.96")),
    },
    "yanbian-govservice-2023-final.txt": {
        ("table.balance", "总计", D("1272.62"), "总计", D("1198.25")),
        ("cross.measure", "本年支出合计", D("1198.25"), "合计", D("1266.26")),
        ("cross.class", "一、一般公共服务支出", D("1089.10"), "201 一般公共服务支出", D("1163.64")),
        ("cross.class", "八、社会保障和就业支出", D("48.50"), "208 社会保障和就业支出", D("43.17")),
        ("cross.class", "九、卫生健康支出", D("24.28"), "210 卫生健康支出", D("23.08")),
    },
    "yanbian-govoffice-2023-budget.txt": {
        ("prose.measure", "情况说明", D("2030.72"), "本年收入合计", D("2030.75")),
        ("prose.measure", "情况说明", D("2030.72"), "本年支出合计", D("2030.75")),
        ("prose.measure", "情况说明", D("1080.74"), "合计", D("1263.21")),
        ("prose.measure", "情况说明", D("364.93"), "合计", D("182.46")),
        ("cross.measure", "合计", D("585.08"), "合计", D("581.34")),  # 预算表3 项目支出 vs 预算表9 合计
        ("cross.measure", "合计", D("1445.67"), "合计", D("1449.42")),  # 预算表5 基本支出 vs 预算表6
        ("cross.measure", "合计", D("1263.21"), "合计", D("1266.96")),  # 人员经费, same pair
    },
    "chaoyang-industry-2023-final.txt": set(),
    "xiangyuan-industry-2023-final.txt": set(),
    "putuo-finance-2024-final.pdf": {
        ("prose.measure", "情况说明", D("0.3"), "总计", D("2961.68")),  # 财政拨款收入支出总计 0.3 万元
        ("prose.share", "情况说明", D("71.73"), None, D("71.65")),  # 2106.66 / 2940.05
    },
    "putuo-socialwork-2024-final.pdf": {
        ("prose.completion", "情况说明", D("95.89"), None, None),  # 完成年初预算的 95.89%, 年初预算 0
    },
    "putuo-wanli-2025-budget.pdf": set(),
    "shanghai-finance-2025-unit-budget.pdf": set(),
    "swu-university-2023-final.pdf": set(),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_ERRORS))
def test_errors_are_exactly_the_real_contradictions(name):
    assert {key(f) for f in errors(name)} == EXPECTED_ERRORS[name]


def test_corpus_is_covered():
    assert sorted(p.name for p in ALL) == sorted(EXPECTED_ERRORS)


@pytest.mark.parametrize("name", sorted(EXPECTED_ERRORS))
def test_no_error_is_within_rounding(name):
    for f in errors(name):
        if f.difference is not None and f.tolerance is not None:
            assert abs(f.difference) > f.tolerance, f.message


def test_prose_figure_differs_from_the_table_it_describes():
    f = next(f for f in errors("yanbian-industry-2023-final.txt") if f.a_value == D("1.56"))
    assert "其他行政事业单位医疗支出 1.56 万元，占 0.1%" in f.a.sentence
    assert f.b.table == "一般公共预算财政拨款收入支出决算表（公开05表）"
    assert (f.b.line, f.b.column, f.difference) == (261, "本年支出/合计", D("-0.14"))


def test_prose_slip_names_the_table_the_figure_came_from():
    f = next(f for f in errors("yanbian-industry-2023-final.txt") if f.a_value == D("1099.61"))
    assert "该数与「收入决算表」财政拨款收入列相同" in f.message


def test_fiscal_overview_sides_do_not_balance():
    f = next(f for f in errors("yanbian-govservice-2023-final.txt") if f.check == "table.balance")
    assert (f.a.table_ref, f.b.table_ref) == ("3/收入", "3/支出")
    assert f.difference == D("74.37")
    assert "收入总计与支出总计不一致" in f.message


def test_completion_rate_against_a_zero_initial_budget():
    f = errors("putuo-socialwork-2024-final.pdf")[0]
    assert f.a.page == 18
    assert "按全年预算 321.02 万元计算正好是 95.89%" in f.message


def test_truncated_share_is_rounding_not_error():
    # 住房保障支出 29.42 / 307.82 = 9.557%, printed 9.55%
    f = next(f for f in findings("putuo-socialwork-2024-final.pdf") if f.check == "prose.share")
    assert (f.severity, f.a_value, f.b_value) == ("rounding", D("9.55"), D("9.56"))


def test_sum_of_rounded_subjects_is_rounding():
    # 收入决算表 合计 2,946.25 vs Σ类 2,946.26: 万元 conversion, not a contradiction
    f = next(f for f in findings("putuo-finance-2024-final.pdf")
             if f.check == "table.total_row" and f.a.column == "本年收入合计")
    assert (f.severity, f.a_value, f.b_value) == ("rounding", D("2946.25"), D("2946.26"))


def test_shifted_columns_in_a_conversion_are_a_warning_not_an_error():
    # 收入总表(预算表2): 上年结转结余 98.27 printed one column right, its 小计 empty
    shifted = [f for f in findings("yanbian-govoffice-2023-budget.txt") if "列错位" in f.message]
    assert len(shifted) == 10
    assert {(f.check, f.severity) for f in shifted} == {("table.column_sum", "warning")}


def test_identity_checks_carry_both_values():
    checks = identity_checks(doc("yanbian-industry-2023-final.txt"))
    bal = [c for c in checks if c.check == "table.balance"]
    assert [(c.left_value, c.right_value, c.status) for c in bal] == [
        (D("2247.14"), D("2247.14"), "ok"),
        (D("2235.04"), D("2235.04"), "ok"),
    ]
    staff = next(c for c in checks if c.check == "cross.measure" and c.left.column == "本年支出/基本支出")
    assert (staff.left_value, staff.right_value, staff.holds) == (D("1416.65"), D("1416.65"), True)


def test_identity_check_fails_where_the_document_does():
    checks = identity_checks(doc("yanbian-govservice-2023-final.txt"))
    failed = [c for c in checks if not c.holds]
    assert len(failed) == 5
    assert all(isinstance(c, Check) for c in failed)


def test_findings_and_checks_serialize_to_json():
    r = run(doc("yanbian-govservice-2023-final.txt"))
    data = json.loads(json.dumps([f.to_dict() for f in r.findings] + [c.to_dict() for c in r.checks],
                                 ensure_ascii=False))
    bal = next(d for d in data if d.get("check") == "table.balance" and "severity" in d)
    assert (bal["a_value"], bal["b_value"], bal["severity"]) == ("1272.62", "1198.25", "error")


def test_audit_never_changes_a_figure():
    d = doc("yanbian-industry-2023-final.txt")
    before = [(t.ref, r.code, r.name, dict(r.cells)) for t in d.tables for r in t.rows]
    audit(d)
    assert before == [(t.ref, r.code, r.name, dict(r.cells)) for t in d.tables for r in t.rows]


# ---------------------------------------------------------------- pure pieces


def test_tolerance_is_half_a_step_per_printed_cell():
    assert tolerance(2) == D("0.010")
    assert tolerance(5) == D("0.025")
    assert tolerance(3, D("1")) == D("1.5")


def test_column_groups_read_off_header_paths():
    # yanbian-govservice 公开05表
    cols = ["本年支出/小计", "本年支出/基本支出/小计", "本年支出/基本支出/人员经费", "本年支出/基本支出/公用经费",
            "本年支出/项目支出"]
    assert column_groups(cols) == [
        ("本年支出/小计", [["本年支出/基本支出/小计"], ["本年支出/项目支出"]]),
        ("本年支出/基本支出/小计", [["本年支出/基本支出/人员经费"], ["本年支出/基本支出/公用经费"]]),
    ]


def test_budget_and_final_columns_are_not_a_sum():
    # chaoyang 三公 table: 预算数 | 决算数 side by side
    assert column_groups(["预算数", "决算数"]) == []


def test_subset_columns_are_not_parts():
    # swu 表2: 事业收入/其中：教育收费 is part of 事业收入/金额
    groups = column_groups(["本年收入合计", "财政拨款收入", "事业收入/金额", "事业收入/其中：教育收费", "其他收入"])
    assert groups == [("本年收入合计", [["财政拨款收入"], ["事业收入/金额"], ["其他收入"]])]


def _prose_doc(text: str) -> Document:
    return Document(file="t.txt", sha256="0" * 64, department=None, year=2023, kind="决算", scope="部门",
                    pages=None, paragraphs=[Paragraph(text, 1, ["三、支出决算情况说明"])], tables=[])


def test_change_words_pointing_opposite_ways_are_an_error():
    f = [f for f in audit(_prose_doc("本年支出合计 100.00 万元，比上年增加 5.00 万元，下降 4.8%。"))
         if f.check == "prose.change_direction"]
    assert len(f) == 1 and f[0].severity == "error"


def test_change_words_agreeing_are_silent():
    assert not [f for f in audit(_prose_doc("本年支出合计 100.00 万元，比上年减少 5.00 万元，下降 4.8%。"))
                if f.check == "prose.change_direction"]


# ---------------------------------------------------------------- CLI


def test_cli_exits_1_on_errors_and_prints_json(tmp_path):
    from budgetqa.app.cli.main import app

    r = CliRunner().invoke(app, ["audit", str(FIXTURES / "yanbian-industry-2023-final.txt"), "--json",
                                 "--home", str(tmp_path)])
    assert r.exit_code == 1, r.output
    out = json.loads(r.stdout)
    assert out[0]["document"] == "yanbian-industry-2023-final.txt"
    assert sum(f["severity"] == "error" for f in out[0]["findings"]) == 8


def test_cli_exits_0_when_only_rounding(tmp_path):
    from budgetqa.app.cli.main import app

    r = CliRunner().invoke(app, ["audit", str(FIXTURES / "chaoyang-industry-2023-final.txt"), "--home", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "错误 0" in r.stdout
