"""Past one machine: ingest, ask and audit on a PostgreSQL store, and serve processes sharing it.

A real PostgreSQL server and a real Chroma server (`chroma run`) started by the run on 127.0.0.1
(tests/servers.py); each test takes a database of its own. Two `Service`s over two home folders
and one store stand for two `serve` processes on two machines.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from budgetqa.app.cli.main import app
from budgetqa.app.service import Service
from budgetqa.app.settings import get_settings
from tests.conftest import FIXTURES
from tests.test_retrieve import HashEmbeddings

pytest.importorskip("psycopg", reason="pip install -e '.[test]' installs psycopg")

DOC = "yanbian-industry-2023-final.txt"
DOC_ID = "22c153485386"
QUESTION = "根据收入支出决算总表，本年支出合计比本年收入合计多出多少万元？"
runner = CliRunner()


def cli(home, *args, env, codes=(0,)):
    result = runner.invoke(app, [*args, "--home", str(home)], env=env)
    assert result.exit_code in codes, result.output
    return result.output


def test_ingest_ask_and_audit_on_postgresql_give_what_they_give_on_sqlite(postgres, tmp_path):
    env = {"BUDGETQA_STORE_URL": postgres.new_database(), "BUDGETQA_EMBEDDING__PROVIDER": "none"}
    outputs = {}
    for name, e in (("sqlite", {"BUDGETQA_EMBEDDING__PROVIDER": "none"}), ("postgresql", env)):
        home = tmp_path / name
        ingested = cli(home, "ingest", str(FIXTURES / DOC), "--no-dense", env=e)
        assert f"{DOC_ID} added; 20 tables" in ingested
        answer = json.loads(cli(home, "ask", QUESTION, "--json", env=e))
        audit = json.loads(cli(home, "audit", DOC_ID, "--json", env=e, codes=(0, 1)))  # 1: it has findings
        outputs[name] = (answer, audit)
    answer, audit = outputs["postgresql"]
    assert answer["answer"].startswith("多 23.51万元") and answer["status"] == "verified"
    assert audit[0]["findings"]
    assert outputs["postgresql"] == outputs["sqlite"]
    assert not (tmp_path / "postgresql" / "budgetqa.sqlite3").exists()  # nothing went to the SQLite file
    assert not (tmp_path / "postgresql" / "lexical").exists()  # nor to this machine's keyword-index folder


def test_two_services_share_one_store_and_its_keyword_index(postgres, tmp_path):
    url = postgres.new_database()
    first = Service(get_settings(tmp_path / "a", store_url=url, embedding={"provider": "none"}))
    second = Service(get_settings(tmp_path / "b", store_url=url, embedding={"provider": "none"}))
    result = first.ingest_one(FIXTURES / DOC)
    assert result.ok and result.doc_id == DOC_ID
    hits = second.retriever.index.lexical.search("三公经费 公务接待费", None, 3)
    assert hits and {h.chunk.doc_id for h in hits} == {DOC_ID}  # found by the other process, never indexed there
    assert second.ask(QUESTION).answer.startswith("多 23.51万元")
    assert first.remove(DOC_ID)
    assert second.retriever.index.lexical.search("三公经费", None, 3) == []
    first.close()
    second.close()


def test_dense_vectors_live_in_a_chroma_server_both_services_read(postgres, chroma, tmp_path):
    url = postgres.new_database()

    def service(home):
        return Service(get_settings(home, store_url=url, chroma_url=chroma.url), embeddings=HashEmbeddings())

    first, second = service(tmp_path / "a"), service(tmp_path / "b")
    assert first.ingest_one(FIXTURES / DOC, background_dense=False).ok
    hits = second.retriever.index.dense.search("三公经费支出决算情况说明", [DOC_ID], k=3)
    assert hits and all(h.doc_id == DOC_ID for h in hits)
    assert not (tmp_path / "a" / "chroma").exists()  # the vectors went to the server
    assert second.retriever.index.dense_incomplete([DOC_ID]) == []
    first.close()
    second.close()
