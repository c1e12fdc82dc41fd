"""Checker stress run over tests/fixtures/eval-small.jsonl: every perturbed answer is flagged, no faithful one is."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from budgetqa.app.cli.main import app
from budgetqa.app.cli.eval import register
from tests.conftest import small_eval_set
from budgetqa.eval.perturb import GoldSpec, parse_computation, perturbed, run_perturb
from budgetqa.ingest.models import Fact

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "eval-small.jsonl"

if "eval" not in {c.name for c in app.registered_commands}:
    register(app)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("perturb-home")


@pytest.fixture(scope="module")
def stress(home):
    svc, items, ids, errors = small_eval_set(home)
    assert not errors
    run = run_perturb(items, svc.store, ids)
    run.facts = {f.fact_id: f for doc_id in ids.values() for f in svc.store.facts([doc_id])}  # for the tests
    svc.close()
    return run


def test_computation_is_read_as_a_derivation():
    assert parse_computation("2222.76-2199.25 = 23.51") == ("difference", [Decimal("2222.76"), Decimal("2199.25")])
    assert parse_computation("2.086+0.73 = 2.816") == ("sum", [Decimal("2.086"), Decimal("0.73")])
    assert parse_computation("100.54/1163.03*100 = 8.64") == ("share", [Decimal("100.54"), Decimal("1163.03")])
    assert parse_computation("see the table") is None


def test_gold_cell_is_the_evidence_cell(stress):
    d031 = next(c for c in stress.cases if c.item_id == "D031" and c.type == "faithful")
    # 485.00 stands in 收入决算表 and 支出决算表 alike; the evidence names 收入决算表 / 2150805 / 本年收入合计
    assert d031.text == "中小企业发展专项为485.00万元。"
    (fid,) = d031.claims[0]["fact_ids"]
    f = stress.facts[fid]
    assert (f.table_kind, f.row_code, f.column) == ("收入决算表", "2150805", "本年收入合计")


def test_arithmetic_gold_is_the_derivation_over_its_operand_cells(stress):
    d038 = next(c for c in stress.cases if c.item_id == "D038" and c.type == "faithful")
    # 2.086 + 0.73: 全年执行数 of the two 遗属人员补助 self-evaluation tables
    assert d038.text == "所问数额为2.816万元。" and d038.claims[0]["derivation"] == "sum"
    operands = [stress.facts[i] for i in d038.claims[0]["fact_ids"]]
    assert [f.value for f in operands] == [Decimal("2.086"), Decimal("0.73")]
    assert len({f.table_index for f in operands}) == 2 and {f.column for f in operands} == {"全年执行数"}


def test_items_without_a_gold_cell_are_skipped_with_the_reason(stress):
    # D016 and D035 are stated only in prose (383.47 and 2341.195124 年初预算)
    assert sorted(stress.skipped) == ["D016", "D035"]


def test_every_perturbation_type_is_exercised(stress):
    # 6 items with gold cells: D017 D031 D038 in 万元 (unit swap applies), D037 in %, D039 in 分, D018 in 人;
    # arithmetic D017 D037 D038 get a wrong derivation; neighbours where the tables have them
    # (row: D017 D018 D031 D039; column: D017 D018 D037 D038; other table: D017 D037 D038 D039).
    by_type = stress.summary()["by_type"]
    assert {t: v["n"] for t, v in by_type.items()} == {
        "digit": 6, "decimal_shift": 6, "unit_swap": 3, "neighbour_row": 4, "neighbour_column": 4,
        "other_table": 4, "wrong_derivation": 3,
        # only the fit check catches these: the arithmetic items' operand stated as the answer (with the whole
        # derivation cited, or as a lookup), and the count item D018 answered with a 万元 cell
        "other_cited_cell": 3, "different_op": 3, "count_in_money": 1,
    }


@pytest.mark.parametrize("kind", ["other_cited_cell", "different_op", "count_in_money"])
def test_answers_only_the_fit_check_catches_are_flagged(stress, kind):
    cases = [c for c in stress.cases if c.type == kind]
    assert cases and all(c.flagged for c in cases)
    assert all(any(f["reason"] and f["reason"].startswith("数字出自表格") for f in c.figures) for c in cases)


def test_every_perturbation_is_flagged(stress):
    through = [(c.item_id, c.type, c.text) for c in stress.cases if c.type != "faithful" and not c.flagged]
    assert through == []


def test_no_faithful_answer_is_flagged(stress):
    faithful = [c for c in stress.cases if c.type == "faithful"]
    assert len(faithful) == 6 and [c.text for c in faithful if c.flagged] == []


def test_cli_perturb_json_carries_the_shares_and_exits_zero(stress, home):
    r = CliRunner().invoke(app, ["eval", str(SMALL), "--home", str(home), "--perturb", "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)["perturb"]["summary"]
    assert (s["flagged_share"], s["faithful_flagged_share"]) == (1.0, 0.0)
    assert s["perturbations"] == stress.summary()["perturbations"]


def test_a_zero_cell_gets_no_decimal_shift_or_unit_swap():
    # 0 ×10 and 0元 = 0万元 are still right, so they are not perturbations
    zero = Fact(doc_id="d", table_index=0, table_kind="other", table_title="t", side=None, row_index=0, row_code=None,
                row_name="因公出国(境)费", column="预算数", value=Decimal("0.00"), unit="万元", page=None, fact_id="d-t0-r0-c0")
    types = [t for t, *_ in perturbed(GoldSpec([zero], "cell", zero.value, zero.unit), [zero])]
    assert types == ["digit"]
