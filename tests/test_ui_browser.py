"""End to end in headless Chromium: upload a real PDF, ask, see the verified figure, its source and
its page; several documents, conversations, the tables, compare, audit and settings tabs.

Drives the page with Playwright's Python package pointed at the system Chromium (no browser
download), in a zh-CN browser; every host but 127.0.0.1 resolves to nothing, and the tests check the
page asked for none. One server and one browser page serve every test. Screenshots go to artifacts/.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).parent.parent
PDF = ROOT / "tests" / "fixtures" / "pdf" / "putuo-finance-2024-final.pdf"
SOCIAL = ROOT / "tests" / "fixtures" / "pdf" / "putuo-socialwork-2024-final.pdf"
YANBIAN = ROOT / "tests" / "fixtures" / "yanbian-industry-2023-final.txt"
LIMIT_MB = 5  # the server's upload limit: the PDFs above fit, a 6 MB file does not
SHOTS = ROOT / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is absent (apt-get install -y chromium)")
    mp = pytest.MonkeyPatch()
    mp.setenv("BUDGETQA_EMBEDDING__PROVIDER", "none")
    mp.setenv("BUDGETQA_LLM__PROVIDER", "none")
    mp.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    mp.setenv("BUDGETQA_MAX_UPLOAD_MB", str(LIMIT_MB))
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings
    from budgetqa.app.ui.page import build_ui, launch
    from budgetqa.app.ui.upload import accept_upload

    svc = Service(get_settings(tmp_path_factory.mktemp("home")))
    for path in (SOCIAL, YANBIAN):  # stored as the page stores uploads (their copies kept for the page view)
        assert accept_upload(svc, path, path.name).ok
    demo, _ = build_ui(svc)
    logged = _Records()
    logging.getLogger("budgetqa.page").addHandler(logged)
    logging.getLogger("budgetqa.page").setLevel(logging.INFO)
    launch(demo, svc, port=None, prevent_thread_lock=True, quiet=True)
    yield demo.local_url, svc, logged
    logging.getLogger("budgetqa.page").removeHandler(logged)
    demo.close()
    svc.close()
    mp.undo()


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture(scope="module")
def browser_page(server):
    from playwright.sync_api import sync_playwright

    url, *_ = server
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1300}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")) else None)
        page.goto(url)
        page.wait_for_selector("#bq-question textarea")
        yield page, outside
        browser.close()


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def _last_answer(page):
    return page.locator("#bq-chat .message.bot, #bq-chat [data-testid='bot']").last


def _ask(page, question: str) -> str:
    _tab(page, "问答")
    n = page.locator("#bq-chat .bq-status").count()
    page.locator("#bq-question textarea").fill(question)
    page.locator("#bq-send").click()
    page.wait_for_function(f"document.querySelectorAll('#bq-chat .bq-status').length > {n}")
    return page.locator("#bq-chat .bq-answer").last.evaluate("e => e.closest('.bq-answer').parentElement.innerText")


def test_upload_pdf_then_ask_shows_verified_figure_with_source(browser_page, server):
    page, outside = browser_page
    SHOTS.mkdir(exist_ok=True)
    _tab(page, "文件库")
    page.locator("#bq-upload input[type=file]").set_input_files(str(PDF))
    page.wait_for_selector("#bq-upload-log li.bq-upload-ok")
    assert "putuo-finance-2024-final.pdf：已导入" in page.locator("#bq-upload-log").inner_text()
    page.wait_for_function("document.querySelector('#bq-library').innerText.includes('上海市普陀区财政局')")
    page.screenshot(path=str(SHOTS / "ui-1-library.png"), full_page=True)

    text = _ask(page, "一般公共预算财政拨款支出中，行政运行支出多少？")
    # page 15 of the PDF: 201 06 01 行政运行 1,511.89 (合计)
    assert "1,511.89万元✓" in text
    assert "全部数字已核验" in text
    assert "putuo-finance-2024-final.pdf · 第15页 · 一般公共预算财政拨款支出决算表 · 2010601 行政运行 · 合计" in text
    page.locator("#bq-chat details.bq-table-src summary").last.click()
    hit = page.locator("#bq-chat td.hit").last
    assert hit.is_visible() and hit.inner_text() == "1,511.89"
    page.screenshot(path=str(SHOTS / "ui-2-verified-answer.png"), full_page=True)
    assert outside == []


def test_unanswerable_question_is_reported_not_found(browser_page):
    page, _ = browser_page
    text = _ask(page, "局长的办公电话号码是多少？")
    assert "未找到" in text and "✓" not in text
    page.screenshot(path=str(SHOTS / "ui-3-not-found.png"), full_page=True)


def test_corrupt_upload_shows_message_and_page_keeps_working(browser_page, server, tmp_path):
    page, outside = browser_page
    _, svc, _ = server
    before = [d.id for d in svc.store.documents()]
    bad = tmp_path / "损坏的决算.pdf"
    bad.write_bytes(b"%PDX garbage " * 400)
    _tab(page, "文件库")
    page.locator("#bq-upload input[type=file]").set_input_files(str(bad))
    page.wait_for_selector("#bq-upload-log li.bq-upload-bad")
    msg = page.locator("#bq-upload-log li.bq-upload-bad").inner_text()
    assert msg.startswith("✗ 损坏的决算.pdf：无法导入")
    assert [d.id for d in svc.store.documents()] == before
    page.screenshot(path=str(SHOTS / "ui-4-corrupt-upload.png"), full_page=True)
    assert "1,511.89万元✓" in _ask(page, "一般公共预算财政拨款支出中，行政运行支出多少？")
    assert outside == []


def _open_last_source(page, label: str):
    """Click the last answer's 📄 link whose text has `label`; wait for the page view to change."""
    before = page.locator("#bq-pv-cap").inner_text() + page.locator("#bq-pv-text").inner_text()
    page.locator("#bq-chat a.bq-open", has_text=label).last.click()
    page.wait_for_function("b => (document.querySelector('#bq-pv-cap').innerText"
                           " + document.querySelector('#bq-pv-text').innerText) !== b", arg=before)


def test_a_pdf_source_opens_its_page_with_the_cell_boxed(browser_page, server):
    page, outside = browser_page
    _, svc, _ = server
    text = _ask(page, "一般公共预算财政拨款支出中，行政运行支出多少？")
    assert "1,511.89万元✓" in text
    _open_last_source(page, "第15页")
    assert "putuo-finance-2024-final.pdf · 第15页 · 已框出所引单元格" in page.locator("#bq-pv-cap").inner_text()
    img = page.locator("#bq-pv-img img")
    img.wait_for()
    page.wait_for_function("() => { const i = document.querySelector('#bq-pv-img img'); return i && i.naturalWidth > 1000; }")
    # the page was rendered once and cached under the service home, per document and page
    doc_id = svc.store.resolve("putuo-finance-2024-final.pdf")
    assert (svc.settings.home / "pages" / doc_id / "p0015.png").exists()
    page.screenshot(path=str(SHOTS / "ui-5-page-view-pdf.png"), full_page=True)
    assert outside == []


def test_a_text_source_shows_its_lines_with_the_figure_marked(browser_page):
    page, _ = browser_page
    text = _ask(page, "支出决算表中，资源勘探工业信息等支出的基本支出是多少万元？")
    assert "1,184.83万元✓" in text
    _open_last_source(page, "第190行")
    view = page.locator("#bq-pv-text")
    assert "yanbian-industry-2023-final.txt（文本转换件，无页面" in view.inner_text()
    assert view.locator(".hit-line mark").inner_text() == "1,184.83"
    page.screenshot(path=str(SHOTS / "ui-6-page-view-text.png"), full_page=True)
