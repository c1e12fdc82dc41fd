"""Test configuration chosen once: offline, a temp data dir, fixture paths."""

from __future__ import annotations

import copy
import os
from functools import lru_cache
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
for var in list(os.environ):
    if var.startswith("BUDGETQA_"):
        del os.environ[var]

FIXTURES = Path(__file__).parent / "fixtures"
PDFS = FIXTURES / "pdf"
MORE = FIXTURES / "pdf-more"


@lru_cache(maxsize=None)
def fixture_doc(name: str):
    """A fixture (text conversion, corpus PDF or pdf-more page cut) read once per test run."""
    from budgetqa.ingest.pipeline import read_document

    return read_document(next(d / name for d in (FIXTURES, PDFS, MORE) if (d / name).exists()))


def edited_doc(name: str, old: str, new: str):
    """The fixture with one printed phrase changed (the contradiction a test asks the audit to find)."""
    d = copy.deepcopy(fixture_doc(name))
    hits = [p for p in d.paragraphs if old in p.text]
    assert hits, old
    hits[0].text = hits[0].text.replace(old, new, 1)
    return d


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


def grounded_service(home: Path, docs: dict[str, Path]):
    """A grounded-mode service over `home` with `docs` ingested; `service.ids` maps each key to its id."""
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings

    service = Service(get_settings(home), dense=False)
    service.ids = {}
    for key, path in docs.items():
        r = service.ingest_one(path, background_dense=False)
        assert r.ok, r.error
        service.ids[key] = r.doc_id
    return service


def ask_doc(service, doc: str, question: str):
    """Ask about one of `grounded_service`'s documents, by its key."""
    return service.ask(question, doc_ids=[service.ids[doc]])


def small_eval_set(home: Path):
    """The small labeled set and a grounded-mode service over home with its documents ingested."""
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings
    from budgetqa.eval.runner import ensure_documents
    from budgetqa.eval.scoring import load_items

    svc = Service(get_settings(home, llm={"provider": "none"}), dense=False)
    items = load_items(FIXTURES / "eval-small.jsonl")
    ids, errors = ensure_documents(svc, [i.doc for i in items], FIXTURES)
    return svc, items, ids, errors


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server for the run (tests/servers.py); each test takes `postgres.new_database()`."""
    from tests.servers import postgres_server

    with postgres_server() as pg:
        yield pg


@pytest.fixture(scope="session")
def chroma():
    """A Chroma server (`chroma run`) for the run, on 127.0.0.1."""
    from tests.servers import chroma_server

    with chroma_server() as server:
        yield server
