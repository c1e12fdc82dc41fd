"""Bulk extraction: ten corpus documents and a corrupt file → one dataset, resumable, in four formats.

One batch over the whole corpus (two worker processes) is run once for the module; the other tests
read its dataset, re-write it in other formats from its staging store, or run small batches of
copied text fixtures (fast to parse).
"""

from __future__ import annotations

import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from budgetqa.app import audit
from budgetqa.app.bulk.run import run_bulk, staging_path
from budgetqa.app.bulk.writers import write_dataset

FIXTURES = Path(__file__).parent / "fixtures"

# Read from the printed tables (元 documents converted ÷10000); None: the document does not print it.
EXPECTED = {
    "yanbian-industry-2023-final.txt": {
        "收入总计": "2247.14", "本年收入合计": "2199.25", "财政拨款收入": "2193.45", "一般公共预算财政拨款收入": "2193.45",
        "政府性基金预算财政拨款收入": "0", "事业收入": "0", "其他收入": "5.8", "年初结转和结余": "47.89",
        "本年支出合计": "2222.76", "基本支出": "1420.25", "项目支出": "802.51", "人员经费": "1313.37", "公用经费": "103.28",
        "年末结转和结余": "24.38", "三公经费_预算数": "12.34", "公务用车运行维护费_预算数": "2.8", "公务接待费_预算数": "9.54",
        "三公经费_决算数": "8.02", "因公出国(境)费_决算数": "0", "公务用车运行维护费_决算数": "2.8", "公务接待费_决算数": "5.22",
        "机关运行经费": None,
    },
    "yanbian-govservice-2023-final.txt": {
        "收入总计": "1272.95", "本年收入合计": "1266.35", "财政拨款收入": "1266.32", "其他收入": "0.03",
        "年初结转和结余": "6.6", "本年支出合计": "1266.26", "基本支出": "518.72", "项目支出": "747.54",
        "人员经费": "441.67", "公用经费": "77.06", "年末结转和结余": "6.69", "三公经费_预算数": "8.26",
        "公务接待费_预算数": "6.46", "三公经费_决算数": "2.61", "公务用车运行维护费_决算数": "1.8", "公务接待费_决算数": "0.82",
    },
    "chaoyang-industry-2023-final.txt": {
        "收入总计": "1413.38", "本年收入合计": "1413.38", "财政拨款收入": "1413.38", "年初结转和结余": "0",
        "本年支出合计": "1413.38", "基本支出": "1163.03", "项目支出": "250.35", "人员经费": "1062.49", "公用经费": "100.54",
        "三公经费_预算数": "9.06", "三公经费_决算数": "10.59", "公务用车运行维护费_决算数": "10.59", "公务用车购置费_决算数": "0",
        "公务接待费_决算数": "0",
    },
    "xiangyuan-industry-2023-final.txt": {
        "收入总计": "6548.68", "本年收入合计": "6184.34", "财政拨款收入": "5998.11", "一般公共预算财政拨款收入": "5924.67",
        "政府性基金预算财政拨款收入": "73.44", "其他收入": "186.23", "年初结转和结余": "364.35", "本年支出合计": "6057.54",
        "基本支出": "865.41", "项目支出": "5192.13", "人员经费": "728.17", "公用经费": "77.8", "年末结转和结余": "491.14",
        "三公经费_决算数": None,  # its 三公 table prints headers only
        "机关运行经费": None,  # printed only as 行政单位 48.62 + 参公事业单位 29.18, never as one figure
    },
    "yanbian-govoffice-2023-budget.txt": {
        "收入总计": "2030.75", "本年收入合计": "2030.75", "一般公共预算财政拨款收入": "2030.75", "本年支出合计": "2030.75",
        "基本支出": "1445.67", "项目支出": "585.08", "人员经费": "1266.96", "公用经费": "182.46", "三公经费_预算数": "19.94",
        "公务用车运行维护费_预算数": "18", "公务接待费_预算数": "1.94", "三公经费_决算数": None, "年末结转和结余": None,
    },
    "pdf/putuo-finance-2024-final.pdf": {
        "收入总计": "2995.39", "本年收入合计": "2946.25", "财政拨款收入": "2940.05", "其他收入": "6.2",
        "年初结转和结余": "49.14", "本年支出合计": "2940.05", "基本支出": "2336.91", "项目支出": "603.14",
        "人员经费": "2152.26", "公用经费": "184.65", "年末结转和结余": "55.34",
        "三公经费_预算数": "0.95", "公务接待费_预算数": "0.95", "三公经费_决算数": "0",
    },
    "pdf/putuo-socialwork-2024-final.pdf": {
        "收入总计": "307.82", "本年收入合计": "307.82", "年初结转和结余": "0", "本年支出合计": "307.82",
        "基本支出": "105.58", "项目支出": "202.24", "人员经费": "95.36", "公用经费": "10.23",
        "三公经费_决算数": None,  # "本表无数据"
    },
    "pdf/putuo-wanli-2025-budget.pdf": {  # 元 tables; the 三公 table in 万元
        "收入总计": "18976.7551", "财政拨款收入": "18976.7551", "本年支出合计": "18976.7551", "基本支出": "10134.1746",
        "项目支出": "8842.5805", "人员经费": "9051.4044", "公用经费": "1082.7702", "三公经费_预算数": "37.91",
        "因公出国(境)费_预算数": "0", "公务用车购置费_预算数": "15", "公务用车运行维护费_预算数": "21.56",
        "公务接待费_预算数": "1.35", "机关运行经费": "464.64", "本年收入合计": None,
    },
    "pdf/shanghai-finance-2025-unit-budget.pdf": {
        "收入总计": "17191.5169", "本年支出合计": "17191.5169", "基本支出": "12764.2039", "项目支出": "4427.313",
        "人员经费": "10246.426", "公用经费": "2517.7779", "三公经费_预算数": "346.3", "因公出国(境)费_预算数": "288.7",
        "公务用车运行维护费_预算数": "32.2", "公务接待费_预算数": "25.4", "机关运行经费": "2517.78",
    },
    "pdf/swu-university-2023-final.pdf": {
        "收入总计": "569496.54", "本年收入合计": "430725.03", "财政拨款收入": "243015.38",
        "政府性基金预算财政拨款收入": "109.5", "事业收入": "136385.24", "其他收入": "51324.41", "年初结转和结余": "93660.54",
        "本年支出合计": "457676.75", "基本支出": "359781.59", "项目支出": "97895.15", "年末结转和结余": "106848.91",
        "一般公共预算财政拨款收入": None,  # the university table prints one 财政拨款收入 line
    },
}
TEXTS = [FIXTURES / n for n in EXPECTED if n.endswith(".txt")]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bulk")
    corrupt = folder / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.4\n% not really a PDF\n")
    out = folder / "dataset"
    report = run_bulk([FIXTURES / n for n in EXPECTED] + [corrupt], out, workers=2, audit=audit.run)
    return out, report


def _csv(out: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{table}.csv", dtype=str, keep_default_na=False)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_corpus_document_gives_its_headline_figures_in_wan_yuan(batch, name):
    out, _ = batch
    summary = _csv(out, "summary")
    row = summary[summary.path == str(FIXTURES / name)].iloc[0]
    got = {f: (row[f] or None) for f in EXPECTED[name]}
    assert got == EXPECTED[name]
    for f in EXPECTED[name]:
        assert bool(row[f"{f}__source"]) == (row[f] != "")  # every figure names its cell, and only figures


def test_corrupt_file_is_reported_with_its_reason_and_the_rest_is_done(batch):
    out, report = batch
    docs = _csv(out, "documents")
    bad = docs[docs.path.str.endswith("corrupt.pdf")].iloc[0]
    assert bad.status == "failed" and "corrupt.pdf" in bad.reason
    assert report.failed == 1 and report.processed == len(EXPECTED) + 1
    assert (docs[~docs.path.str.endswith("corrupt.pdf")].status == "ok").all()


def test_documents_table_describes_each_file(batch):
    docs = _csv(batch[0], "documents").set_index("path")
    wanli = docs.loc[str(FIXTURES / "pdf/putuo-wanli-2025-budget.pdf")]
    assert (wanli.kind, wanli.scope, wanli.year, wanli.unit, wanli.pages) == ("预算", "部门", "2025", "元", "31")
    unit = docs.loc[str(FIXTURES / "pdf/shanghai-finance-2025-unit-budget.pdf")]
    assert unit.scope == "单位" and len(unit.sha256) == 64


def test_sources_name_table_row_column_page_and_conversion(batch):
    summary = _csv(batch[0], "summary").set_index("path")
    source = summary.loc[str(FIXTURES / "pdf/putuo-wanli-2025-budget.pdf"), "项目支出__source"]
    assert source == "2025年部门支出预算总表 [支出预算表] · 合计 · 支出预算/项目支出 · p18 (元 ÷ 10000)"


def test_facts_are_long_form_with_provenance(batch):
    out, _ = batch
    facts, docs = _csv(out, "facts"), _csv(out, "documents")
    assert len(facts) == docs.facts.replace("", "0").astype(int).sum()
    sha = docs[docs.path == str(FIXTURES / "yanbian-industry-2023-final.txt")].sha256.iloc[0]
    cell = facts[(facts.sha256 == sha) & (facts.table_kind == "支出决算表") & (facts.row_name == "合计")
                 & (facts.column == "基本支出")]
    assert cell.value.tolist() == ["1420.25"] and cell.table_unit.tolist() == ["万元"]


@pytest.mark.parametrize("fmt", ["xlsx", "parquet", "sqlite"])
def test_each_format_reads_back_with_pandas(batch, tmp_path, fmt):
    out, _ = batch
    target = write_dataset(staging_path(out), tmp_path / f"data.{fmt}", fmt)
    if fmt == "xlsx":
        tables = pd.read_excel(target, sheet_name=None, engine="openpyxl")
    elif fmt == "parquet":
        tables = {t: pd.read_parquet(target / f"{t}.parquet") for t in ("documents", "summary", "facts", "checks")}
    else:
        with sqlite3.connect(target) as db:
            tables = {t: pd.read_sql(f"SELECT * FROM {t}", db) for t in ("documents", "summary", "facts", "checks")}
    assert {"documents", "summary", "facts", "checks"} <= set(tables)
    summary = tables["summary"].set_index("path")
    value = summary.loc[str(FIXTURES / "pdf/putuo-wanli-2025-budget.pdf"), "项目支出"]
    assert Decimal(str(value)) == Decimal("8842.5805")  # parquet keeps Decimal, the others a float
    assert len(tables["documents"]) == len(EXPECTED) + 1
    assert list(summary.columns[:5]) == ["sha256", "department", "year", "scope", "kind"]


def _copies(folder: Path, n: int) -> list[Path]:
    folder.mkdir(exist_ok=True)
    return [Path(shutil.copy(p, folder / p.name)) for p in TEXTS[:n]]


def test_resume_parses_only_files_not_yet_in_the_output(tmp_path):
    src = tmp_path / "src"
    _copies(src, 2)
    out = tmp_path / "data.sqlite"
    first = run_bulk([src], out, workers=1, audit=audit.run)
    assert (first.processed, first.skipped) == (2, 0)
    changed = src / "changed.txt"  # new content: a figure altered
    changed.write_text(TEXTS[0].read_text(encoding="utf-8").replace("2,247.14", "2,247.15"), encoding="utf-8")
    again = run_bulk([src], out, workers=1, resume=True, audit=audit.run)
    assert (again.processed, again.skipped) == (1, 2)
    with sqlite3.connect(out) as db:
        assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 3
        assert db.execute("SELECT count(DISTINCT sha256) FROM summary").fetchone()[0] == 3


def test_interrupted_run_leaves_a_readable_dataset_and_resume_finishes_it(tmp_path):
    src = tmp_path / "src"
    _copies(src, 3)
    out = tmp_path / "data"

    def stop_after_first(kind, result, report):
        if kind == "done":
            raise KeyboardInterrupt

    cut = run_bulk([src], out, workers=1, on_event=stop_after_first, audit=audit.run)
    assert cut.interrupted and cut.processed == 1
    assert len(_csv(out, "documents")) == 1 and len(_csv(out, "summary")) == 1
    rest = run_bulk([src], out, workers=1, resume=True, audit=audit.run)
    assert (rest.processed, rest.skipped) == (2, 1)
    assert len(_csv(out, "summary")) == 3


def test_same_content_under_two_names_is_parsed_once(tmp_path):
    src = tmp_path / "src"
    (first,) = _copies(src, 1)
    shutil.copy(first, src / "copy-of.txt")
    report = run_bulk([src], tmp_path / "data", workers=1, audit=audit.run)
    assert (report.processed, report.skipped) == (1, 1)
    docs = _csv(tmp_path / "data", "documents")
    assert len(docs) == 2 and docs.sha256.nunique() == 1
    assert docs.reason.str.contains("same content as").sum() == 1


def test_cli_exits_1_and_says_how_many_failed(tmp_path):
    from typer.testing import CliRunner

    from budgetqa.app.cli.main import app
    from budgetqa.app.cli.bulk import register

    if "bulk" not in [c.name for c in app.registered_commands]:
        register(app)
    src = tmp_path / "src"
    _copies(src, 1)
    (src / "broken.pdf").write_bytes(b"not a pdf")
    result = CliRunner().invoke(app, ["bulk", str(src), "--out", str(tmp_path / "d.parquet")])
    assert result.exit_code == 1
    assert "1 file(s) failed" in result.output
    assert (tmp_path / "d.parquet" / "summary.parquet").exists()


def test_checks_table_gives_each_identity_with_both_values_and_whether_it_holds(batch):
    out, _ = batch
    checks, docs = _csv(out, "checks"), _csv(out, "documents")
    sha = docs[docs.path == str(FIXTURES / "yanbian-industry-2023-final.txt")].sha256.iloc[0]
    mine = checks[checks.sha256 == sha]
    total = mine[mine.left_table.str.startswith("收入决算表") & (mine.left_row == "合计")
                 & (mine.left_column == "本年收入合计") & (mine.right_row == "合计")]
    assert total[["left_value", "right_value", "holds"]].values.tolist() == [["2199.25", "2199.25", "True"]]
    assert set(checks.sha256) <= set(docs.sha256)


def test_findings_table_carries_the_reviewers_mark_and_note(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from budgetqa.app.cli.bulk import register
    from budgetqa.app.cli.main import app
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings
    from budgetqa.ingest.pipeline import read_document

    if "bulk" not in [c.name for c in app.registered_commands]:
        register(app)
    home = tmp_path / "home"
    svc = Service(get_settings(home, llm={"provider": "none"}), dense=False)
    src = tmp_path / "src"
    (path,) = _copies(src, 1)
    doc = read_document(path)
    svc.store.put(doc)
    confirmed, ignored = [f.id for f, _, _ in svc.review(doc.doc_id)][:2]
    svc.mark_finding(doc.doc_id, confirmed, "已确认")
    svc.mark_finding(doc.doc_id, ignored, "忽略", "口径不同")
    svc.close()
    monkeypatch.setenv("BUDGETQA_HOME", str(home))
    result = CliRunner().invoke(app, ["bulk", str(src), "--out", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    found = _csv(tmp_path / "data", "findings")
    marks = {i: (m, n) for i, m, n in found[["id", "mark", "note"]].values.tolist()}
    assert (marks[confirmed], marks[ignored]) == (("已确认", ""), ("忽略", "口径不同"))
    assert len(found) > 2 and all(m == ("", "") for i, m in marks.items() if i not in (confirmed, ignored))
