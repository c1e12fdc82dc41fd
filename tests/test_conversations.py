"""The page's conversations in the store, on SQLite and on PostgreSQL alike: per browser session,
renamed, deleted with their turns, answers read back whole."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgetqa.app.models import Answer, Figure
from budgetqa.app.ui.conversations import Conversations
from budgetqa.ingest.store import Store


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    target = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" \
        else tmp_path / "s.sqlite3"
    s = Store(target)
    yield s
    s.close()


def _answer(value: str, plan: dict) -> Answer:
    return Answer(question="q", answer=f"{value}万元", status="verified", queries=[plan],
                  figures=[Figure(text=f"{value}万元", value=Decimal(value), unit="万元", verified=True)])


def test_turns_come_back_whole_and_only_to_their_session(store):
    talks = Conversations(store)
    cid = talks.create("a", "  三公经费\n决算数是多少？")
    talks.add_turn("a", cid, "三公经费决算数是多少？", ["d1"], _answer("8.02", {"measure": "决算数"}))
    talks.add_turn("a", cid, "预算呢？", ["d1"], _answer("9.00", {"measure": "预算数"}))
    assert [c.title for c in talks.list("a")] == ["三公经费 决算数是多少？"]
    turns = talks.turns("a", cid)
    assert [(t.question, t.doc_ids, t.answer.figures[0].value) for t in turns] == [
        ("三公经费决算数是多少？", ["d1"], Decimal("8.02")), ("预算呢？", ["d1"], Decimal("9.00"))]
    assert talks.last_plan("a", cid) == {"measure": "预算数"}
    assert talks.turns("b", cid) == [] and not talks.delete("b", cid)
    with pytest.raises(KeyError):
        talks.add_turn("b", cid, "x", None, _answer("1", {}))


def test_the_latest_used_conversation_is_listed_first_and_deletes_take_their_turns(store):
    talks = Conversations(store)
    old, new = talks.create("a", "第一个"), talks.create("a", "第二个")
    talks.add_turn("a", old, "q", [], _answer("1", {}))
    assert [c.id for c in talks.list("a")] == [old, new]
    assert talks.rename("a", new, "改名") and not talks.rename("a", new, "   ")
    assert talks.delete("a", old)
    assert [c.title for c in talks.list("a")] == ["改名"]
    assert store.sql("SELECT COUNT(*) FROM turns WHERE conversation_id=?", (old,))[0][0] == 0


def test_the_browser_key_is_made_once_and_kept(tmp_path):
    from budgetqa.app.ui.conversations import browser_secret

    key = browser_secret(tmp_path / "home" / "browser-secret")
    assert len(key) >= 40 and browser_secret(tmp_path / "home" / "browser-secret") == key  # same after a restart
    assert (tmp_path / "home" / "browser-secret").stat().st_mode & 0o077 == 0
