"""Ingest, docs, tables, extract and audit under bad conditions: an index that cannot be written,
two writers at once, FIFOs, paths shadowed by stored names, the same document in other bytes,
names with newlines. Each test is one reported failure (issue 12)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from budgetqa.app.cli.main import app
from budgetqa.ingest.store import Store
from typer.testing import CliRunner

from tests.conftest import FIXTURES

runner = CliRunner()
A = "yanbian-industry-2023-final.txt"  # 22c153485386, 20 tables
B = "chaoyang-industry-2023-final.txt"  # 4cb430e46771, 18 tables


def copy(tmp_path: Path, name: str, as_name: str | None = None, folder: str = "in") -> Path:
    dest = tmp_path / folder / (as_name or name)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / name, dest)
    return dest


def ingest(home: Path, *paths: Path | str):
    return runner.invoke(app, ["ingest", *map(str, paths), "--home", str(home), "--no-dense"])


def stored_files(home: Path) -> list[str]:
    return [d["file"] for d in json.loads(runner.invoke(app, ["docs", "--json", "--home", str(home)]).output)]


# ---------------------------------------------------------------- 1. the keyword index


def test_an_index_failure_is_that_files_failure_and_the_batch_goes_on(tmp_path):
    from budgetqa.app.retrieval.lexical import LexicalIndex

    a, b = copy(tmp_path, A), copy(tmp_path, B)
    real = LexicalIndex.add_document

    def flaky(self, doc_id, chunks):
        if doc_id == "22c153485386":
            raise OSError(28, "No space left on device")
        return real(self, doc_id, chunks)

    home = tmp_path / "h"
    with mock.patch.object(LexicalIndex, "add_document", flaky):
        result = ingest(home, a, b)
    assert result.exit_code == 1
    assert f"✗ {a}: could not index (OSError: [Errno 28] No space left on device); nothing was kept" in result.output
    assert f"✓ {b}: 4cb430e46771 added" in result.output
    assert stored_files(home) == [B]  # the failed file left nothing behind: ingesting it again retries it
    assert sorted(p.name for p in (home / "lexical").iterdir()) == ["4cb430e46771"]


def test_an_unwritable_index_folder_is_a_message_per_file_not_a_traceback(tmp_path):
    a, b = copy(tmp_path, A), copy(tmp_path, B)
    home = tmp_path / "h"
    home.mkdir()
    (home / "lexical").touch()  # a file where the index folder should be
    result = ingest(home, a, b)
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    assert f"✗ {a}: could not index (NotADirectoryError" in result.output
    assert f"✗ {b}: could not index (NotADirectoryError" in result.output
    assert "2 of 2 files failed" in result.output
    assert stored_files(home) == []


def test_ingesting_a_stored_document_again_rebuilds_its_lost_keyword_index(tmp_path):
    from budgetqa.app.retrieval.lexical import LexicalIndex

    a = copy(tmp_path, A)
    home = tmp_path / "h"
    assert ingest(home, a).exit_code == 0
    shutil.rmtree(home / "lexical" / "22c153485386")
    with mock.patch("budgetqa.app.service.Service._repair_index"):  # not mended on open: by the ingest
        again = ingest(home, a)
    assert again.exit_code == 0 and "22c153485386 already stored" in again.output
    assert LexicalIndex(home / "lexical").doc_ids() == ["22c153485386"]


def test_budgetqa_index_rebuilds_lost_keyword_indexes_and_drops_orphans(tmp_path):
    home = tmp_path / "h"
    assert ingest(home, copy(tmp_path, A), copy(tmp_path, B)).exit_code == 0
    shutil.rmtree(home / "lexical" / "22c153485386")
    shutil.copytree(home / "lexical" / "4cb430e46771", home / "lexical" / "0123456789ab")  # a removed document's
    (home / "lexical" / "4cb430e46771.tmp-999999-deadbeef").mkdir()  # a dead writer's half-written folder
    with mock.patch("budgetqa.app.service.Service._repair_index"):
        result = runner.invoke(app, ["index", "--home", str(home)],
                               env={"BUDGETQA_EMBEDDING__PROVIDER": "none"})
    assert result.exit_code == 0, result.output
    assert "keyword index: 1 rebuilt, 1 stale entries removed" in result.output
    assert sorted(p.name for p in (home / "lexical").iterdir()) == ["22c153485386", "4cb430e46771"]


# ---------------------------------------------------------------- 7. two writers


def test_a_writer_that_checked_before_another_process_committed_reports_already_stored(tmp_path):
    from budgetqa.ingest.pipeline import ingest_file, read_document

    doc = read_document(FIXTURES / A)
    first, second = Store(tmp_path / "s.db"), Store(tmp_path / "s.db")  # two processes' connections
    assert first.add(doc)
    # the second process looked before the first committed
    with mock.patch.object(Store, "stored_id", return_value=None):
        result = ingest_file(FIXTURES / A, second)
    assert result.ok, result.error
    assert (result.added, result.doc_id) == (False, "22c153485386")
    assert len(second.documents()) == 1


# ---------------------------------------------------------------- 8. FIFOs


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_as_not_a_regular_file_and_nothing_blocks(tmp_path):
    fifo = tmp_path / "in" / "pipe.txt"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    good = copy(tmp_path, A)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETQA_")}
    env["BUDGETQA_EMBEDDING__PROVIDER"] = "none"
    proc = subprocess.run([sys.executable, "-m", "budgetqa.app.cli.main", "ingest", str(fifo), str(good),
                           "--home", str(tmp_path / "h"), "--no-dense"], env=env, capture_output=True, text=True,
                          timeout=120, check=False)  # the old code blocked here forever
    assert proc.returncode == 1
    assert f"✗ {fifo}: not a regular file (a FIFO, device or socket)" in proc.stderr
    assert f"✓ {good}: 22c153485386 added" in proc.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_hashing_a_fifo_raises_instead_of_waiting_for_a_writer(tmp_path):
    from budgetqa.ingest.errors import NotARegularFile
    from budgetqa.ingest.pipeline import file_sha256

    os.mkfifo(tmp_path / "p.pdf")
    with pytest.raises(NotARegularFile, match="not a regular file"):
        file_sha256(tmp_path / "p.pdf")


# ---------------------------------------------------------------- 5. paths are files


@pytest.fixture
def shadowed(tmp_path):
    """A stored document called report.txt (A) and another file other/report.txt (B)."""
    home = tmp_path / "h"
    assert ingest(home, copy(tmp_path, A, "report.txt")).exit_code == 0
    return home, copy(tmp_path, B, "report.txt", folder="other")


def test_tables_of_a_path_parse_that_file_not_a_stored_namesake(shadowed):
    home, other = shadowed
    result = runner.invoke(app, ["tables", str(other), "--home", str(home)])
    assert result.exit_code == 0
    assert result.output == runner.invoke(app, ["tables", str(FIXTURES / B), "--home", str(home)]).output
    assert "卧钢退休人员工资" not in result.output  # a table of the stored namesake (A)


def test_extract_and_audit_of_a_path_read_that_file(shadowed):
    home, other = shadowed
    extracted = json.loads(runner.invoke(app, ["extract", str(other), "--home", str(home)]).output)
    assert extracted["doc"]["department"] == "辽宁省朝阳市工业和信息化局"
    audited = runner.invoke(app, ["audit", "--json", str(other), "--home", str(home)])
    assert [d["doc_id"] for d in json.loads(audited.stdout)] == ["4cb430e46771"]


def test_a_stored_name_that_is_no_path_still_means_the_stored_document(shadowed):
    home, _ = shadowed
    result = runner.invoke(app, ["tables", "report.txt", "--home", str(home)])  # no report.txt in the cwd
    assert "卧钢退休人员工资" in result.output


# ---------------------------------------------------------------- 6. audit goes on


def test_audit_reports_a_bad_file_and_gives_json_for_all_that_could_be_read(tmp_path):
    good, good2 = copy(tmp_path, A), copy(tmp_path, B)
    truncated = tmp_path / "in" / "truncated.pdf"
    truncated.write_bytes((FIXTURES / "pdf" / "putuo-finance-2024-final.pdf").read_bytes()[:5000])
    result = runner.invoke(app, ["audit", "--json", str(good), str(truncated), str(good2),
                                 "--home", str(tmp_path / "h")])
    assert result.exit_code == 2
    assert [d["doc_id"] for d in json.loads(result.stdout)] == ["22c153485386", "4cb430e46771"]
    assert f"✗ {truncated}: corrupt PDF" in result.stderr
    assert "1 of 3 documents could not be audited" in result.stderr


def test_audit_text_output_goes_on_past_an_unknown_document(tmp_path):
    result = runner.invoke(app, ["audit", "nosuchdoc", str(copy(tmp_path, A)), "--home", str(tmp_path / "h")])
    assert result.exit_code == 2
    assert "nosuchdoc: no stored document" in result.stderr
    assert f"{A}：错误" in result.stdout


# ---------------------------------------------------------------- 11. one document, other bytes


def test_gbk_and_crlf_copies_are_linked_to_the_stored_document_not_stored_again(tmp_path):
    utf8 = copy(tmp_path, B)
    text = utf8.read_text(encoding="utf-8")
    gbk = tmp_path / "in" / "gbk.txt"
    gbk.write_bytes(text.encode("gbk"))
    crlf = tmp_path / "in" / "crlf.txt"
    crlf.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    home = tmp_path / "h"
    result = ingest(home, utf8, gbk, crlf)
    assert result.exit_code == 0
    assert f"✓ {gbk}: same document as {B} (4cb430e46771), not stored again" in result.output
    assert f"✓ {crlf}: same document as {B} (4cb430e46771), not stored again" in result.output
    assert stored_files(home) == [B]
    # the copy's bytes are known now: a second ingest is immediate, and a path to it loads the stored one
    again = ingest(home, gbk)
    assert f"same document as {B} (4cb430e46771)" in again.output
    store = Store(home / "budgetqa.sqlite3")
    assert store.copies("4cb430e46771") == ["gbk.txt", "crlf.txt"]


def test_a_rendered_pdf_of_the_text_is_the_same_document(tmp_path):
    from budgetqa.ingest import text

    from tests.render_pdf import render

    grids = []
    real = text.build_tables

    def record(raw, *args, **kwargs):
        grids.append(raw)
        return real(raw, *args, **kwargs)

    with mock.patch.object(text, "build_tables", record):
        text.read_text(FIXTURES / A)
    pdf = render(grids, tmp_path / "rendered.pdf")
    home = tmp_path / "h"
    result = ingest(home, FIXTURES / A, pdf)
    assert result.exit_code == 0, result.output
    assert f"✓ {pdf}: same document as {A} (22c153485386)" in result.output
    assert stored_files(home) == [A]


def test_documents_of_other_departments_with_few_figures_are_never_linked(tmp_path):
    from budgetqa.ingest.facts import document_facts
    from budgetqa.ingest.pipeline import read_document
    from budgetqa.ingest.store import MIN_IDENTITY_FIGURES, document_identity

    doc = read_document(FIXTURES / A)
    assert document_identity(doc, document_facts(doc)[: MIN_IDENTITY_FIGURES - 1]) is None
    store = Store(tmp_path / "s.db")
    assert store.add(doc)
    other = read_document(FIXTURES / A)
    other.sha256, other.department = "f" * 64, "另一个部门"
    assert store.put(other).added  # same figures, another department: not a copy


# ---------------------------------------------------------------- 12. output details


def test_a_newline_in_a_file_name_does_not_break_the_tab_separated_docs_output(tmp_path):
    home = tmp_path / "h"
    odd = copy(tmp_path, A, "two\nlines\tand tab.txt")
    assert ingest(home, odd).exit_code == 0
    out = runner.invoke(app, ["docs", "--home", str(home)]).output
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[1].split("\t")[1] == "two\\nlines\\tand tab.txt"


def test_failure_lines_give_the_path_as_given_like_success_lines(tmp_path):
    bad = tmp_path / "in" / "sub" / "broken.pdf"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"%PDF-1.4 not really")
    result = ingest(tmp_path / "h", bad)
    assert f"✗ {bad}: corrupt PDF" in result.output


def test_a_pdf_over_the_page_limit_is_refused_with_the_setting_to_raise(tmp_path):
    pdf = FIXTURES / "pdf" / "putuo-finance-2024-final.pdf"
    result = runner.invoke(app, ["ingest", str(pdf), "--home", str(tmp_path / "h"), "--no-dense"],
                           env={"BUDGETQA_MAX_PAGES": "5"})
    assert result.exit_code == 1
    assert f"✗ {pdf}: " in result.output and "pages, more than the limit of 5 (raise BUDGETQA_MAX_PAGES" in result.output


def test_a_store_written_before_identities_recognises_copies_after_reopening(tmp_path):
    from budgetqa.ingest.pipeline import read_document

    doc = read_document(FIXTURES / B)
    store = Store(tmp_path / "s.db")
    assert store.add(doc)
    store.conn.execute("UPDATE documents SET identity=NULL")  # as an older version left it
    store.close()
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes((FIXTURES / B).read_text(encoding="utf-8").encode("gbk"))
    reopened = Store(tmp_path / "s.db")
    stored = reopened.put(read_document(gbk))
    assert (stored.added, stored.doc_id, stored.same_as) == (False, "4cb430e46771", B)
