"""Checker stress run over tests/fixtures/eval-small.jsonl: every perturbed answer is flagged, no faithful one is."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.cli_eval import register
from app.service import Service
from app.settings import get_settings
from eval.perturb import parse_computation, run_perturb
from eval.runner import ensure_documents
from eval.scoring import load_items

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "eval-small.jsonl"

if "eval" not in {c.name for c in app.registered_commands}:
    register(app)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("perturb-home")


@pytest.fixture(scope="module")
def stress(home):
    svc = Service(get_settings(home, llm={"provider": "none"}), dense=False)
    items = load_items(SMALL)
    ids, errors = ensure_documents(svc, [i.doc for i in items], FIXTURES)
    assert not errors
    run = run_perturb(items, svc.store, ids)
    svc.close()
    return run


def test_computation_is_read_as_a_derivation():
    assert parse_computation("2222.76-2199.25 = 23.51") == ("difference", [Decimal("2222.76"), Decimal("2199.25")])
    assert parse_computation("2.086+0.73 = 2.816") == ("sum", [Decimal("2.086"), Decimal("0.73")])
    assert parse_computation("100.54/1163.03*100 = 8.64") == ("share", [Decimal("100.54"), Decimal("1163.03")])
    assert parse_computation("see the table") is None


def test_gold_cell_is_the_evidence_cell(stress):
    d001 = next(c for c in stress.cases if c.item_id == "D001" and c.type == "faithful")
    # 支出决算表 row 215 资源勘探工业信息等支出, column 基本支出 (not 21505, which prints the same 1,184.83)
    assert d001.text == "资源勘探工业信息等支出为1,184.83万元。"
    d007 = next(c for c in stress.cases if c.item_id == "D007" and c.type == "faithful")
    assert d007.claims[0]["derivation"] == "difference" and d007.text == "所问数额为23.51万元。"


def test_items_without_a_gold_cell_are_skipped_with_the_reason(stress):
    # D005 and D016 are stated only in prose (346.26 比上年增加; 383.47 年初预算)
    assert sorted(stress.skipped) == ["D005", "D016"]


def test_every_perturbation_type_is_exercised(stress):
    # 6 items with a gold cell: D001 D007 D008 D017 in 万元 (unit swap applies), D009 in 分, D018 in 人;
    # arithmetic D007, D017 get a wrong derivation; neighbours exist where the tables have them.
    by_type = stress.summary()["by_type"]
    assert {t: v["n"] for t, v in by_type.items()} == {
        "digit": 6, "decimal_shift": 6, "unit_swap": 4, "neighbour_row": 6, "neighbour_column": 3,
        "other_table": 4, "wrong_derivation": 2,
    }


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
