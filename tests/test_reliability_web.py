"""The web page's exposure: failed logins are throttled, received files do not stay downloadable,
a removed document leaves no copy behind, a bad BUDGETQA_AUTH is a message."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from budgetqa.app.ui.login import LoginThrottle, parse_auth
from tests.conftest import FIXTURES

CHAOYANG = FIXTURES / "chaoyang-industry-2023-final.txt"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failed_logins_lock_the_name_even_against_the_right_password():
    clock = Clock()
    gate = LoginThrottle("reviewer", "s3cret", max_failures=5, lock_seconds=300, clock=clock)
    assert [gate.check("reviewer", "guess") for _ in range(5)] == [False] * 5
    assert gate.check("reviewer", "s3cret") is False  # locked
    clock.now += 301
    assert gate.check("reviewer", "s3cret") is True


def test_a_success_resets_the_count_of_failures():
    gate = LoginThrottle("reviewer", "s3cret", max_failures=3, clock=Clock())
    for _ in range(5):
        assert not gate.check("reviewer", "x") and not gate.check("reviewer", "y")
        assert gate.check("reviewer", "s3cret")


def test_each_failed_login_waits_without_blocking_other_requests():
    gate = LoginThrottle("reviewer", "s3cret", delay=0.3).as_function()

    async def both():
        t0 = time.perf_counter()
        failed, ok = await asyncio.gather(gate("reviewer", "nope"), gate("reviewer", "s3cret"))
        return failed, ok, time.perf_counter() - t0

    failed, ok, took = asyncio.run(both())
    assert (failed, ok) == (False, True)
    assert 0.3 <= took < 0.6


@pytest.mark.parametrize("value, missing", [("alice:", "the password"), (":pw", "the user name"),
                                            ("alice", "the ':'")])
def test_auth_without_both_parts_says_what_is_missing(value, missing):
    with pytest.raises(ValueError, match=f"{missing} is missing"):
        parse_auth(value)


def test_budgetqa_auth_without_a_password_is_a_message_not_a_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETQA_")}
    env.update(BUDGETQA_AUTH="alice:", BUDGETQA_HOME=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "budgetqa.app.cli.main", "serve", "--port", "0"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert "✗ setting BUDGETQA_AUTH: Value error, must be user:password with both parts non-empty" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.fixture
def svc(tmp_path, monkeypatch):
    monkeypatch.setenv("BUDGETQA_EMBEDDING__PROVIDER", "none")
    monkeypatch.setenv("BUDGETQA_LLM__PROVIDER", "none")
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings

    service = Service(get_settings(tmp_path / "home"))
    yield service
    service.close()


def received(tmp_path: Path, name: str, data: bytes) -> Path:
    """A file as Gradio's upload route leaves it: <cache>/<hash folder>/<name>."""
    path = tmp_path / "gradio" / f"hash-{len(data)}" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    return path


def test_received_files_are_deleted_from_the_upload_cache_accepted_or_refused(svc, tmp_path):
    from budgetqa.app.ui.page import build_ui

    _, page = build_ui(svc)
    good = received(tmp_path, "朝阳.txt", CHAOYANG.read_bytes())
    bad = received(tmp_path, "notes.docx", b"not a budget")
    log = list(page.upload([str(good), str(bad)]))[-1][0]
    assert "✓" in log and "✗" in log
    assert not good.exists() and not bad.exists()
    assert not good.parent.exists() and not bad.parent.exists()
    assert len(svc.store.documents()) == 1


def test_removing_a_document_deletes_its_copy_under_home_uploads(svc, tmp_path):
    from budgetqa.app.ui.upload import accept_upload

    src = tmp_path / "in.txt"
    shutil.copy(CHAOYANG, src)
    out = accept_upload(svc, src, "朝阳.txt")
    uploads = svc.settings.home / "uploads"
    assert out.added and len(list(uploads.iterdir())) == 1
    svc.remove(out.doc_id)
    assert list(uploads.iterdir()) == []


def test_an_upload_that_is_a_copy_of_a_stored_document_keeps_no_second_file(svc, tmp_path):
    from budgetqa.app.ui.upload import accept_upload

    first, gbk = tmp_path / "a.txt", tmp_path / "b.txt"
    shutil.copy(CHAOYANG, first)
    gbk.write_bytes(CHAOYANG.read_text(encoding="utf-8").encode("gbk"))
    assert accept_upload(svc, first, "朝阳.txt").added
    out = accept_upload(svc, gbk, "朝阳-gbk.txt")
    assert out.ok and not out.added and "与文库中的 朝阳.txt 是同一份文件" in out.message
    assert len(list((svc.settings.home / "uploads").iterdir())) == 1


def test_the_served_page_slows_failed_logins_and_locks_after_five(svc):
    from budgetqa.app.ui.page import build_ui, launch

    demo, _ = build_ui(svc)
    launch(demo, svc, port=None, auth="reviewer:s3cret", prevent_thread_lock=True, quiet=True)

    def login(password: str) -> tuple[int, float]:
        data = urllib.parse.urlencode({"username": "reviewer", "password": password}).encode()
        t0 = time.perf_counter()
        try:
            code = urllib.request.urlopen(demo.local_url + "login", data=data, timeout=30).status
        except urllib.error.HTTPError as e:
            code = e.code
        return code, time.perf_counter() - t0

    try:
        tries = [login("guess") for _ in range(5)]
        assert all(code >= 400 and took >= 1.0 for code, took in tries), tries
        assert login("s3cret")[0] >= 400  # locked out now
    finally:
        demo.close()
