"""The page's login: one user:password, failed attempts slowed down and then locked out.

Gradio calls the check inside its async login route, so the delay is an `asyncio.sleep`: a
blocking sleep would stall every other request of the server while someone guesses passwords.
"""

from __future__ import annotations

import asyncio
import hmac
import threading
import time
from dataclasses import dataclass, field

DELAY_SECONDS = 1.0  # after each failed attempt, before the answer
MAX_FAILURES = 5  # consecutive failures of one user name before it is locked
LOCK_SECONDS = 300.0


def parse_auth(auth: str) -> tuple[str, str]:
    """(user, password) from "user:password"; ValueError naming what is missing (never the password)."""
    user, sep, password = auth.partition(":")
    if not sep or not user.strip() or not password:
        missing = "the ':'" if not sep else "the user name" if not user.strip() else "the password"
        raise ValueError(f"auth must be user:password with both parts non-empty ({missing} is missing)")
    return user.strip(), password


@dataclass
class _Tries:
    failures: int = 0
    locked_until: float = 0.0


@dataclass
class LoginThrottle:
    """An async `auth` callable for Gradio: compares in constant time, delays every failure, and
    locks a user name out for `lock_seconds` after `max_failures` failures in a row."""

    user: str
    password: str
    delay: float = DELAY_SECONDS
    max_failures: int = MAX_FAILURES
    lock_seconds: float = LOCK_SECONDS
    clock: object = time.monotonic
    _tries: dict[str, _Tries] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, username: str, password: str) -> bool:
        """The decision without the delay: right credentials and the name not locked."""
        now = self.clock()
        right = hmac.compare_digest(username.encode(), self.user.encode()) & hmac.compare_digest(
            password.encode(), self.password.encode())
        with self._lock:
            tries = self._tries.setdefault(username, _Tries())
            if tries.locked_until > now:
                return False  # even the right password: guessing must not learn when it hit
            if right:
                tries.failures = 0
                return True
            tries.failures += 1
            if tries.failures >= self.max_failures:
                tries.failures, tries.locked_until = 0, now + self.lock_seconds
            if len(self._tries) > 10_000:  # many made-up names: forget the unlocked ones
                self._tries = {k: v for k, v in self._tries.items() if v.locked_until > now}
            return False

    async def __call__(self, username: str, password: str) -> bool:
        ok = self.check(username, password)
        if not ok:
            await asyncio.sleep(self.delay)
        return ok

    def as_function(self):
        """A coroutine function: Gradio awaits `auth` only when `inspect.iscoroutinefunction` says so."""

        async def auth(username: str, password: str) -> bool:
            return await self(username, password)

        return auth
