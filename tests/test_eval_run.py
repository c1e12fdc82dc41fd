"""`budgetqa eval` over tests/fixtures/eval-small.jsonl (11 dev items over two fixture documents).

Expected outcomes, checked by hand against the answers grounded mode gives today:
- right, verified: D017 (减少 11.00万元 = 46.00 − 35.00), D018 (103人), D031 (485.00万元),
  D037 (1.22% = 73.44 ÷ 5,998.11), D039 (88.29分);
- right, unverified (quoted prose): D016 (383.47 万元), D035 (2341.195124万元);
- right text: D019 (the quoted 原因 sentence holds 78% of the key phrase's bigrams);
- right unanswerable: D020 (not_found: the year asked is not the document's), D040 (not_found: 公开08表 is empty);
- wrong, checker failure: D038 (2.086万元 ✓, one of the two 遗属人员补助 tables; gold the sum 2.816).
These counts move when answering improves: re-read the answers and update them, never loosen them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from budgetqa.app.cli.main import app
from budgetqa.app.cli.eval import register
from tests.conftest import small_eval_set
from budgetqa.eval.report import compare
from budgetqa.eval.runner import locate, percentile, run_items, summarize

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "eval-small.jsonl"
DOCS = ["yanbian-govservice-2023-final.txt", "xiangyuan-industry-2023-final.txt"]

if "eval" not in {c.name for c in app.registered_commands}:
    register(app)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("eval-home")


@pytest.fixture(scope="module")
def run(home):
    svc, items, ids, errors = small_eval_set(home)
    assert not errors and set(ids) == set(DOCS)
    results = run_items(svc, items, ids, errors)
    svc.close()
    return {r.item.id: r for r in results}, summarize(results)


def test_small_set_accuracy_overall_and_per_kind(run):
    _, s = run
    assert (s["n"], s["right"]) == (11, 11)
    assert {k: (v["right"], v["n"]) for k, v in s["by_kind"].items()} == {
        "lookup": (1, 1), "narrative": (2, 2), "arithmetic": (3, 3), "performance": (2, 2),
        "text": (1, 1), "unanswerable": (2, 2),
    }


def test_small_set_accuracy_per_document(run):
    _, s = run
    assert {d: (v["right"], v["n"]) for d, v in s["by_doc"].items()} == {
        "xiangyuan-industry-2023-final.txt": (6, 6), "yanbian-govservice-2023-final.txt": (5, 5),
    }


def test_small_set_checker_failures_and_right_unverified(run):
    results, s = run
    # D038 sums two same-named projects told apart by their 预算单位: right and verified
    assert s["checker_failure_ids"] == [] and results["D038"].score.right and not results["D038"].score.right_unverified
    assert s["right_unverified"] == 2 and results["D016"].score.right_unverified and results["D035"].score.right_unverified


def test_small_set_latency_is_measured_per_question(run):
    results, s = run
    assert s["latency"]["n"] == 11 and all(r.seconds is not None and r.seconds >= 0 for r in results.values())
    assert 0 <= s["latency"]["p50"] <= s["latency"]["p95"]


def test_percentile_is_nearest_rank():
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.0
    assert percentile([float(i) for i in range(1, 21)], 95) == 19.0
    assert percentile([], 50) is None


def test_documents_are_found_in_the_corpus_and_its_pdf_folder():
    assert locate(FIXTURES, "yanbian-industry-2023-final.txt") == FIXTURES / "yanbian-industry-2023-final.txt"
    assert locate(FIXTURES, "putuo-wanli-2025-budget.pdf") == FIXTURES / "pdf" / "putuo-wanli-2025-budget.pdf"
    assert locate(FIXTURES, "missing.pdf") is None


def test_missing_document_makes_its_items_errors_not_a_crash(tmp_path):
    data = tmp_path / "one.jsonl"
    data.write_text(json.dumps({"id": "X1", "doc": "nowhere.txt", "question": "合计是多少？", "kind": "lookup",
                                "answer": {"value": 1, "unit": "万元", "text": "1万元"}, "tolerance": 0.01},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["eval", str(data), "--corpus", str(FIXTURES), "--home", str(tmp_path / "h"), "--json"])
    assert r.exit_code == 0
    out = json.loads(r.stdout)
    assert out["summary"]["errors"] == 1 and out["items"][0]["error"].startswith("nowhere.txt: not stored")


def test_cli_json_carries_each_full_answer_and_the_settings_and_report_names_each_failure(run, home, tmp_path):
    report = tmp_path / "report.html"
    r = CliRunner().invoke(app, ["eval", str(SMALL), "--home", str(home), "--json", "--report", str(report)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["settings"]["mode"] == "grounded" and out["settings"]["settings"]["llm"]["provider"] == "none"
    d031 = next(i for i in out["items"] if i["id"] == "D031")
    assert d031["answer"]["status"] == "verified" and d031["answer"]["figures"][0]["text"] == "485.00万元"
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html and "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for i in out["items"]:
        if not i["score"]["right"]:
            assert i["id"] in html and i["question"] in html
    assert "D031" not in html  # only failures are listed


def test_compare_lists_items_that_got_better_or_worse_and_accuracy_deltas():
    def run_of(rights: dict[str, bool]) -> dict:
        items = [{"id": k, "kind": "lookup", "question": k, "score": {"right": v, "detail": ""}} for k, v in rights.items()]
        n = sum(rights.values())
        acc = n / len(rights)
        return {"items": items, "summary": {"accuracy": acc, "checker_failures": 0,
                                            "by_kind": {"lookup": {"accuracy": acc, "right": n, "n": len(rights)}}}}

    c = compare(run_of({"A": True, "B": False, "C": True}), run_of({"A": False, "B": True, "C": True, "D": True}))
    assert [i["id"] for i in c["better"]] == ["B"] and [i["id"] for i in c["worse"]] == ["A"]
    assert c["new"] == ["D"] and c["accuracy"] == round(3 / 4 - 2 / 3, 4)
