"""Whole questions: every part answered, follow-ups inheriting the previous turn's plan, one answer per document."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from budgetqa.app.qa.query import Query
from budgetqa.app.service import Service
from budgetqa.app.settings import get_settings

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    service = Service(get_settings(tmp_path_factory.mktemp("conversation"), llm={"provider": "none"}), dense=False)
    service.ids = {name: service.ingest_one(FIXTURES / name, background_dense=False).doc_id
                   for name in ("yanbian-industry-2023-final.txt", "chaoyang-industry-2023-final.txt")}
    yield service
    service.close()


def test_a_follow_up_inherits_the_previous_figure(svc):
    doc = [svc.ids["yanbian-industry-2023-final.txt"]]
    first = svc.ask("三公经费决算数是多少？", doc_ids=doc)
    assert (first.figures[0].value, first.figures[0].verified) == (Decimal("8.02"), True)
    follow = svc.ask("预算呢？", doc_ids=doc, previous=Query.model_validate(first.queries[-1]))
    assert (follow.figures[0].value, follow.figures[0].verified) == (Decimal("12.34"), True)  # the 三公 预算数


def test_without_the_previous_turn_the_same_words_name_nothing(svc):
    answer = svc.ask("预算呢？", doc_ids=[svc.ids["yanbian-industry-2023-final.txt"]])
    assert not any(f.verified for f in answer.figures)


def test_every_part_of_a_two_part_question_is_answered(svc):
    answer = svc.ask("三公经费决算数是多少？比预算少多少？", doc_ids=[svc.ids["yanbian-industry-2023-final.txt"]])
    assert [(f.value, f.verified) for f in answer.figures[:2]] == [(Decimal("8.02"), True), (Decimal("4.32"), True)]
    assert len(answer.queries) == 2 and answer.interpretation.count("理解为") == 2


def test_two_documents_chosen_are_answered_one_by_one(svc):
    answer = svc.ask("三公经费决算数是多少？", doc_ids=list(svc.ids.values()))
    assert [(f.value, f.verified) for f in answer.figures] == [(Decimal("8.02"), True), (Decimal("10.59"), True)]
    assert "【" in answer.answer and answer.status == "verified"


def test_every_answer_states_how_the_question_was_read(svc):
    answer = svc.ask("三公经费的决算数与预算数相比少了多少？", doc_ids=[svc.ids["yanbian-industry-2023-final.txt"]])
    assert answer.interpretation.startswith("理解为：三公经费")
    assert "差额" in answer.interpretation and "2023年度部门决算" in answer.interpretation
    assert (answer.figures[0].value, answer.figures[0].verified) == (Decimal("4.32"), True)


def test_a_follow_up_reads_as_its_own_measure_only(svc):
    doc = [svc.ids["yanbian-industry-2023-final.txt"]]
    first = svc.ask("三公经费决算数是多少？", doc_ids=doc)
    follow = svc.ask("预算呢？", doc_ids=doc, previous=Query.model_validate(first.queries[-1]))
    assert "决算" not in follow.interpretation.split("（")[0]  # 理解为：三公经费 · 预算数, not 预算数 · 决算数


def test_a_chosen_document_that_cannot_answer_says_why_beside_the_others(tmp_path):
    service = Service(get_settings(tmp_path / "home", llm={"provider": "none"}), dense=False)
    ids = [service.ingest_one(FIXTURES / name, background_dense=False).doc_id
           for name in ("yanbian-industry-2023-final.txt", "yanbian-govoffice-2023-budget.txt")]
    answer = service.ask("三公经费决算数是多少？", doc_ids=ids)
    first, second = answer.answer.split("；\n")
    assert first.startswith("【延边朝鲜族自治州工业和信息化局（汇总）】8.02万元")
    assert second.startswith("【延边朝鲜族自治州人民政府办公室（汇总）】文件未提供：本文件为预算")
    service.close()
