"""What several rules read off the same table (its coded rows, amount columns, printed title), computed
once per audit run instead of once per rule.

`scope()` opens a run's memo (`audit.run` holds one for its whole length); outside a scope the helpers
compute afresh, so a rule called on its own (a test, a caller building tables) always sees the table as
it is. Inside a scope a table is not changed, and the document holding it keeps it alive, so its `id`
names it for the run; each entry keeps the table too, so an id reused by another object never hits.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_MEMO: ContextVar[dict | None] = ContextVar("budgetqa_audit_memo", default=None)


@contextmanager
def scope() -> Iterator[None]:
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def per_table(fn: Callable[..., T]) -> Callable[..., T]:
    """`fn(table)` once per table in a run. Its result is shared: callers read it, never change it."""

    @functools.wraps(fn)
    def memoized(table) -> T:
        memo = _MEMO.get()
        if memo is None:
            return fn(table)
        key = (fn, id(table))
        hit = memo.get(key)
        if hit is None or hit[0] is not table:
            hit = memo[key] = (table, fn(table))
        return hit[1]

    return memoized
