"""The `budgetqa` command through its real entry point: exact output fields and exit codes."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from budgetqa.app.cli.main import app

runner = CliRunner()
DOC = "yanbian-industry-2023-final.txt"


@pytest.fixture(scope="module")
def home(tmp_path_factory, request):
    from tests.conftest import FIXTURES

    home = tmp_path_factory.mktemp("home")
    result = runner.invoke(app, ["ingest", str(FIXTURES / DOC), "--home", str(home), "--no-dense"])
    assert result.exit_code == 0, result.output
    return home


def test_ingest_reports_tables_by_kind(home):
    from tests.conftest import FIXTURES

    again = runner.invoke(app, ["ingest", str(FIXTURES / DOC), "--home", str(home), "--no-dense"])
    assert again.exit_code == 0
    assert "already stored" in again.output
    assert "支出决算表" in again.output and "三公经费支出决算表" in again.output


def test_ingest_names_the_bad_file_and_exits_1_but_keeps_the_good_one(tmp_path):
    from tests.conftest import FIXTURES

    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    good = tmp_path / DOC
    shutil.copy(FIXTURES / DOC, good)
    home = tmp_path / "h"
    result = runner.invoke(app, ["ingest", str(bad), str(good), "--home", str(home), "--no-dense"])
    assert result.exit_code == 1
    assert "broken.pdf" in result.output
    docs = runner.invoke(app, ["docs", "--json", "--home", str(home)])
    assert [d["file"] for d in json.loads(docs.output)] == [DOC]


def test_missing_path_is_reported(tmp_path):
    result = runner.invoke(app, ["ingest", str(tmp_path / "nope.pdf"), "--home", str(tmp_path / "h"), "--no-dense"])
    assert result.exit_code == 1
    assert "nope.pdf" in result.output and "no such file" in result.output


def test_extract_json_has_the_documented_shape(home):
    result = runner.invoke(app, ["extract", DOC, "--home", str(home)])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert set(data["doc"]) >= {"id", "file", "department", "year", "kind"}
    assert data["doc"]["year"] == 2023 and data["doc"]["kind"] == "决算"
    spending = next(t for t in data["tables"] if t["kind"] == "支出决算表")
    row = next(r for r in spending["rows"] if r["code"] == "2150501")
    assert row["cells"]["本年支出合计"] == 1114.87
    sides = [t["title"] for t in data["tables"] if t["kind"] == "收入支出决算总表"]
    assert sides == ["收入支出决算总表/收入", "收入支出决算总表/支出"]


def test_extract_csv_is_long_form(home):
    result = runner.invoke(app, ["extract", DOC, "--format", "csv", "--home", str(home)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "doc_id,file,table,number,kind,unit,page,code,name,column,value"
    assert any(",2150501,行政运行,本年支出合计,1114.87" in line for line in lines)


def test_extract_parses_a_path_on_the_fly(tmp_path):
    from tests.conftest import FIXTURES

    result = runner.invoke(app, ["extract", str(FIXTURES / DOC), "--home", str(tmp_path / "empty")])
    assert result.exit_code == 0
    assert json.loads(result.output)["doc"]["file"] == DOC


def test_tables_lists_kind_unit_and_rows(home):
    result = runner.invoke(app, ["tables", DOC, "--home", str(home)])
    assert result.exit_code == 0
    assert "一般公共预算财政拨款基本支出决算明细表" in result.output and "万元" in result.output


def test_ask_json_gives_a_verified_figure_with_its_source(home):
    result = runner.invoke(app, ["ask", "支出决算表中，资源勘探工业信息等支出的基本支出是多少万元？", "--json",
                                 "--home", str(home)])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["status"] == "verified" and answer["mode"] == "grounded"
    fig = answer["figures"][0]
    assert (fig["value"], fig["unit"], fig["verified"]) == ("1184.83", "万元", True)
    assert fig["source"]["table"] == "支出决算表" and fig["source"]["column"] == "基本支出"
    assert fig["source"]["row"].startswith("215")


def test_ask_for_another_year_is_not_found_with_exit_3(home):
    result = runner.invoke(app, ["ask", "延边州工信局2024年的一般公共预算财政拨款预算安排是多少？", "--home", str(home)])
    assert result.exit_code == 3
    assert "未找到" in result.output


def test_ask_text_output_marks_figures_and_lists_sources(home):
    result = runner.invoke(app, ["ask", "基本支出明细表里的基本工资是多少万元？", "--home", str(home)])
    assert result.exit_code == 0
    assert "321.76万元✓" in result.output
    assert "全部数字已核验" in result.output and "来源" in result.output


def test_unknown_document_is_a_clear_error(home):
    result = runner.invoke(app, ["tables", "nothing-like-this.pdf", "--home", str(home)])
    assert result.exit_code == 2
    assert "nothing-like-this.pdf" in result.output


def test_serve_refuses_an_unknown_log_level_before_starting():
    from typer.testing import CliRunner

    from budgetqa.app.cli import main as cli

    run = CliRunner().invoke(cli.app, ["serve", "--log-level", "loud"])
    assert run.exit_code == 2
    assert "loud: choose debug, info, warning or error" in run.output
