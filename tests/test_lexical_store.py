"""Keyword indexes kept in the fact store (app/retrieval/lexical_store.py): what two processes sharing one store see.

On the embedded SQLite store, so these run everywhere; tests/test_scale_services.py runs the same
sharing on PostgreSQL.
"""

from __future__ import annotations

from budgetqa.app.retrieval.chunks import build_chunks
from budgetqa.app.retrieval.index import Index
from budgetqa.app.retrieval.lexical_store import StoreLexicalIndex
from budgetqa.ingest.pipeline import read_document
from budgetqa.ingest.store import Store
from tests.conftest import FIXTURES

DOC = read_document(FIXTURES / "yanbian-industry-2023-final.txt")


def stored(tmp_path) -> Store:
    store = Store(tmp_path / "s.sqlite3")
    store.add(DOC)
    return store


def test_an_index_written_by_one_process_is_searched_by_another(tmp_path):
    StoreLexicalIndex(stored(tmp_path)).add_document(DOC.doc_id, build_chunks(DOC, 300))
    other = StoreLexicalIndex(Store(tmp_path / "s.sqlite3"))  # its own connection and cache, as another process
    hits = other.search("公务接待费", None, 3)
    assert hits and {h.chunk.doc_id for h in hits} == {DOC.doc_id}
    assert hits[0].chunk.text == other.chunk(DOC.doc_id, hits[0].chunk.id).text


def test_removing_the_document_removes_its_index_for_every_process(tmp_path):
    store = stored(tmp_path)
    other = StoreLexicalIndex(Store(tmp_path / "s.sqlite3"))
    StoreLexicalIndex(store).add_document(DOC.doc_id, build_chunks(DOC, 300))
    assert other.search("公务接待费", None, 3)
    store.remove(DOC.doc_id)
    assert other.doc_ids() == [] and other.search("公务接待费", None, 3) == []


def test_repair_builds_the_index_of_a_stored_document_that_has_none(tmp_path):
    store = stored(tmp_path)
    index = Index(tmp_path / "unused", 300, None, StoreLexicalIndex(store))
    fixed = index.repair(store.ids(), store.document)
    assert fixed.rebuilt == [DOC.doc_id]
    assert StoreLexicalIndex(Store(tmp_path / "s.sqlite3")).doc_ids() == [DOC.doc_id]
    assert not (tmp_path / "unused").exists()
