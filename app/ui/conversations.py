"""Conversations of the web page, kept in the fact store per browser session.

A browser keeps one random session key (in its localStorage); each conversation under it holds
its turns: the question, the documents chosen and the whole `Answer` as JSON, so a reload shows
the same answers and a follow-up inherits the last turn's plan. The SQL is portable (`?`
placeholders, times written by us, no SQLite functions) so any store backend can run it.
"""

from __future__ import annotations

import json
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from budgetqa.app.models import Answer

TITLE_CHARS = 24  # a new conversation is named after its first question, cut to this


@dataclass
class Conversation:
    id: str
    title: str
    updated_at: str


@dataclass
class Turn:
    question: str
    doc_ids: list[str]
    answer: Answer


def new_session() -> str:
    """A browser's session key: random, so one browser never sees another's conversations."""
    return uuid.uuid4().hex


def browser_secret(path: Path) -> str:
    """The key the page encrypts its browser-kept values with, made once and kept under the data
    directory: a random key per start (Gradio's default) would orphan every browser's conversations
    whenever the server restarts."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # readable by the server's user only
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key)
    return key


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


class Conversations:
    """The conversations of the store's sessions (`store.sql` runs each statement)."""

    def __init__(self, store):
        self.store = store

    def list(self, session: str) -> list[Conversation]:
        """A session's conversations, the most recently used first."""
        rows = self.store.sql("SELECT id, title, updated_at FROM conversations WHERE session=? "
                              "ORDER BY updated_at DESC", (session,))
        return [Conversation(*r) for r in rows]

    def create(self, session: str, first_question: str) -> str:
        title = " ".join(first_question.split())[:TITLE_CHARS] or "新对话"
        cid, now = uuid.uuid4().hex[:16], _now()
        self.store.sql("INSERT INTO conversations (id, session, title, created_at, updated_at) VALUES (?,?,?,?,?)",
                       (cid, session, title, now, now))
        return cid

    def owns(self, session: str, cid: str | None) -> bool:
        """Whether `cid` is one of this session's conversations (ids sent by a browser are not trusted)."""
        if not session or not cid:
            return False
        return bool(self.store.sql("SELECT 1 FROM conversations WHERE id=? AND session=?", (cid, session)))

    def rename(self, session: str, cid: str, title: str) -> bool:
        title = " ".join((title or "").split())[:80]
        if not title or not self.owns(session, cid):
            return False
        self.store.sql("UPDATE conversations SET title=? WHERE id=? AND session=?", (title, cid, session))
        return True

    def delete(self, session: str, cid: str) -> bool:
        if not self.owns(session, cid):
            return False
        # turns first: a backend without ON DELETE CASCADE must not keep them
        self.store.sql("DELETE FROM turns WHERE conversation_id=?", (cid,))
        self.store.sql("DELETE FROM conversations WHERE id=? AND session=?", (cid, session))
        return True

    def add_turn(self, session: str, cid: str, question: str, doc_ids: list[str] | None, answer: Answer) -> None:
        if not self.owns(session, cid):
            raise KeyError(cid)
        rows = self.store.sql("SELECT COUNT(*) FROM turns WHERE conversation_id=?", (cid,))
        self.store.sql("INSERT INTO turns (conversation_id, n, question, doc_ids, answer) VALUES (?,?,?,?,?)",
                       (cid, rows[0][0], question, json.dumps(doc_ids or []), answer.model_dump_json()))
        self.store.sql("UPDATE conversations SET updated_at=? WHERE id=?", (_now(), cid))

    def turns(self, session: str, cid: str | None) -> list[Turn]:
        if not self.owns(session, cid):
            return []
        rows = self.store.sql("SELECT question, doc_ids, answer FROM turns WHERE conversation_id=? ORDER BY n", (cid,))
        return [Turn(q, json.loads(d), Answer.model_validate_json(a)) for q, d, a in rows]

    def last_plan(self, session: str, cid: str | None) -> dict | None:
        """The plan a follow-up inherits: the last part of the last answer that had one."""
        for turn in reversed(self.turns(session, cid)):
            if turn.answer.queries:
                return turn.answer.queries[-1]
        return None
