"""The fact store: content-keyed documents, one transaction per document, facts with provenance.

Every test runs against both stores: the embedded SQLite file and a PostgreSQL server the run
starts (skipped, with the reason, where the server binaries are absent).
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from budgetqa.ingest.facts import document_facts
from budgetqa.ingest.models import Document, Paragraph, Row, Table
from budgetqa.ingest.store import Store


@pytest.fixture(params=["sqlite", "postgresql"])
def open_store(request, tmp_path):
    """Opens the test's one store (again, for a second connection): a SQLite file or a fresh PostgreSQL database."""
    if request.param == "postgresql":
        target = request.getfixturevalue("postgres").new_database()
    else:
        target = tmp_path / "s.sqlite3"
    opened = []

    def open_() -> Store:
        opened.append(Store(target))
        return opened[-1]

    yield open_
    for store in opened:
        store.close()


def _doc(sha: str = "a" * 64) -> Document:
    table = Table(
        title="支出决算表", kind="支出决算表", unit="万元", columns=["本年支出合计", "基本支出", "项目支出"],
        rows=[
            Row(name="合计", cells={"本年支出合计": Decimal("2222.76"), "基本支出": Decimal("1420.25"),
                                   "项目支出": Decimal("802.51")}, page=3),
            Row(name="行政运行", code="2150501", level="项",
                cells={"本年支出合计": Decimal("1114.87"), "基本支出": Decimal("1114.87"), "项目支出": None}, page=3),
        ],
        pages=[3], number="公开03表", index=2,
    )
    return Document(file="x.txt", sha256=sha, department="某局", year=2023, kind="决算", scope="部门", pages=None,
                    paragraphs=[Paragraph("说明", None, ["一"])], tables=[table])


def test_document_round_trips_with_decimal_cells(open_store):
    store = open_store()
    doc = _doc()
    store.add(doc)
    back = open_store().document(doc.doc_id)
    assert back.tables[0].rows[1].cells == {"本年支出合计": Decimal("1114.87"), "基本支出": Decimal("1114.87"),
                                            "项目支出": None}


def test_every_numeric_cell_is_one_fact_and_empty_cells_are_none():
    doc = _doc()
    facts = document_facts(doc)
    assert len(facts) == 5
    f = next(f for f in facts if f.row_code == "2150501" and f.column == "基本支出")
    assert (f.value, f.unit, f.page, f.table_kind) == (Decimal("1114.87"), "万元", 3, "支出决算表")


def test_ingesting_the_same_content_again_changes_nothing(open_store):
    store = open_store()
    assert store.add(_doc()) is True
    assert store.add(_doc()) is False
    assert len(store.documents()) == 1
    assert len(store.facts()) == 5


def test_failed_document_write_leaves_nothing_behind(open_store):
    store = open_store()
    store.add(_doc("b" * 64))
    bad = _doc("c" * 64)
    bad.tables.append(bad.tables[0])  # same (doc, table index) twice: violates the tables key mid-write
    with pytest.raises(sqlite3.IntegrityError):
        store.add(bad)
    assert [d.id for d in store.documents()] == ["b" * 12]
    assert {f.doc_id for f in store.facts()} == {"b" * 12}


def test_documents_resolve_by_id_prefix_or_file_name(open_store):
    store = open_store()
    store.add(_doc())
    assert store.resolve("x.txt") == "a" * 12
    assert store.resolve("aaaaaa") == "a" * 12
    assert store.resolve("nope.pdf") is None


def test_removing_a_document_removes_its_facts(open_store):
    store = open_store()
    doc = _doc()
    store.add(doc)
    assert store.remove(doc.doc_id)
    assert store.facts() == [] and store.documents() == []


def test_two_connections_writing_one_document_store_it_once(open_store):
    first, second = open_store(), open_store()  # as two processes would
    assert first.add(_doc()) is True
    assert second.add(_doc()) is False
    assert len(second.facts()) == 5


def test_the_store_records_the_schema_that_opened_it(open_store):
    store = open_store()
    open_store()  # opening again records nothing new
    rows = store.conn.execute("SELECT version, applied_at FROM schema_version").fetchall()
    assert len(rows) == 1 and len(rows[0][0]) == 16 and rows[0][1][:2] == "20"


def test_two_connections_writing_one_document_at_once_store_it_once(open_store):
    import threading
    from unittest import mock

    stores = [open_store(), open_store()]
    barrier = threading.Barrier(2)
    results = []

    def write(store):
        barrier.wait()
        results.append(store.put(_doc()).added)

    # Both looked before either wrote: only the write lock decides (BEGIN IMMEDIATE / the advisory lock).
    with mock.patch.object(Store, "stored_id", return_value=None):
        threads = [threading.Thread(target=write, args=(s,)) for s in stores]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert sorted(results) == [False, True]
    assert len(stores[0].documents()) == 1 and len(stores[1].facts()) == 5


def test_a_tables_header_department_is_stored_with_it(open_store):
    store = open_store()
    doc = _doc()
    doc.tables[0].department = "某局（汇总）"
    store.add(doc)
    assert open_store().document(doc.doc_id).tables[0].department == "某局（汇总）"
    assert store.sql("SELECT idx, department FROM tables WHERE doc_id=?", [doc.doc_id]) == [(2, "某局（汇总）")]


def test_a_store_written_before_header_departments_gains_the_column(tmp_path):
    from budgetqa.ingest.store import SCHEMA

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:  # the tables table as stores before this column held it
        db.executescript(SCHEMA.replace("    department TEXT,\n    PRIMARY KEY (doc_id, idx, side)",
                                        "    PRIMARY KEY (doc_id, idx, side)"))
        assert "department" not in {r[1] for r in db.execute("PRAGMA table_info(tables)")}
    store = Store(path)
    doc = _doc()
    doc.tables[0].department = "某局"
    store.add(doc)
    assert store.sql("SELECT department FROM tables") == [("某局",)]
    store.close()


def test_a_documents_toc_round_trips(open_store):
    from budgetqa.ingest.models import TocEntry

    store = open_store()
    doc = _doc()
    doc.toc = [TocEntry("一、收入支出决算总表", printed_page=5, line=13), TocEntry("三、支出决算表", page=2)]
    store.add(doc)
    assert open_store().document(doc.doc_id).toc == doc.toc
