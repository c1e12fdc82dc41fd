"""End to end in headless Chromium: upload a real PDF, ask, see the verified figure, its source and
its page; several documents, conversations, the tables, compare, audit and settings tabs.

Drives the page with Playwright's Python package pointed at the system Chromium (no browser
download), in a zh-CN browser; every host but 127.0.0.1 resolves to nothing, and the tests check the
page asked for none. One server and one browser page serve every test. Screenshots go to artifacts/.
"""

from __future__ import annotations

import logging
import os
import re
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
def browser():
    """One Chromium for the module (Playwright's sync API runs one instance per thread)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is absent (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def browser_page(server, browser):
    url, *_ = server
    outside: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1300}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")) else None)
    page.goto(url)
    page.wait_for_selector("#bq-question textarea")
    yield page, outside
    context.close()


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


def _wait_text(page, selector: str, text: str) -> None:
    page.wait_for_function("([s, t]) => { const e = document.querySelector(s); return e && e.innerText.includes(t); }",
                           arg=[selector, text])


def _open_last_source(page, label: str, selector: str, expect: str) -> None:
    """Click the last 原页 link whose text has `label`; wait until `selector` shows `expect`."""
    page.locator("a.bq-open", has_text=label).last.click()
    _wait_text(page, selector, expect)


def test_a_pdf_source_opens_its_page_with_the_cell_boxed(browser_page, server):
    page, outside = browser_page
    _, svc, _ = server
    text = _ask(page, "一般公共预算财政拨款支出中，行政运行支出多少？")
    assert "1,511.89万元✓" in text
    _open_last_source(page, "第15页", "#bq-pv-cap", "putuo-finance-2024-final.pdf · 第15页 · 已框出所引单元格")
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
    _open_last_source(page, "第190行", "#bq-pv-text", "yanbian-industry-2023-final.txt（文本转换件，无页面")
    view = page.locator("#bq-pv-text")
    assert view.locator(".hit-line mark").inner_text() == "1,184.83"
    page.screenshot(path=str(SHOTS / "ui-6-page-view-text.png"), full_page=True)


def _choose(page, picker: str, text: str) -> None:
    """Pick the option containing `text` in a Gradio dropdown (multiselect ones keep earlier picks)."""
    box = page.locator(f"{picker} input").first
    for attempt in range(3):  # the list can close while the page re-renders after the last pick
        box.click()
        box.fill(text)
        try:
            page.locator("[role=option]", has_text=text).first.wait_for(timeout=5_000)
            break
        except Exception:
            page.keyboard.press("Escape")
    page.keyboard.press("Enter")  # the filtered option is the active one
    page.keyboard.press("Escape")


def test_several_documents_each_answered_in_a_table_with_a_chart(browser_page):
    page, _ = browser_page
    _tab(page, "问答")
    _choose(page, "#bq-chat-docs", "putuo-finance-2024-final.pdf")
    _choose(page, "#bq-chat-docs", "putuo-socialwork-2024-final.pdf")
    _ask(page, "本年支出合计是多少？")
    table = page.locator("#bq-chat .bq-docs").last
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    # 收入支出决算总表 本年支出合计 of each document, each traced to its cell
    assert rows.nth(0).inner_text().split("\t")[0] == "上海市普陀区财政局"
    assert "2,940.05万元✓" in rows.nth(0).inner_text()
    assert "307.82万元✓" in rows.nth(1).inner_text()
    assert table.locator("svg").count() == 1  # same measure, same unit: comparable
    page.screenshot(path=str(SHOTS / "ui-7-several-documents.png"), full_page=True)


def test_conversations_survive_a_reload_can_be_renamed_and_deleted(browser_page):
    page, _ = browser_page
    _tab(page, "问答")
    page.locator("#bq-conv-new").click()
    page.wait_for_function("document.querySelectorAll('#bq-chat .bq-status').length == 0")
    first = _ask(page, "三公经费决算数是多少？")
    follow = _ask(page, "预算呢？")  # the follow-up inherits 三公经费 from the turn before
    assert "理解为：三公经费 · 预算数" in follow, follow
    assert "理解为：三公经费 · 决算数" in first
    page.reload()
    page.wait_for_function("document.querySelectorAll('#bq-chat .bq-status').length == 2")
    assert page.locator("#bq-conv input").first.input_value() == "三公经费决算数是多少？"
    # the documents the conversation asked about are chosen again
    _wait_text(page, "#bq-chat-docs", "putuo-socialwork-2024-final.pdf")
    page.locator("#bq-conv-title textarea").fill("三公经费复核")
    page.locator("#bq-conv-rename").click()
    page.wait_for_function("document.querySelector('#bq-conv input').value == '三公经费复核'")
    page.screenshot(path=str(SHOTS / "ui-8-conversation-restored.png"), full_page=True)
    page.locator("#bq-conv-del").click()
    page.wait_for_function("document.querySelectorAll('#bq-chat .bq-status').length == 0")
    page.locator("#bq-conv input").first.click()
    assert page.locator("[role=option]", has_text="三公经费复核").count() == 0
    page.keyboard.press("Escape")


def test_a_prose_figure_is_marked_in_chinese_and_opens_its_sentence_boxed(browser_page):
    page, _ = browser_page
    _tab(page, "问答")
    page.locator("#bq-conv-new").click()
    page.wait_for_function("document.querySelectorAll('#bq-chat .bq-status').length == 0")
    text = _ask(page, "机关运行经费是多少？")
    assert "引自说明文字，未与表格核验" in text or "未能核验" in text
    # the figure quoted from the 情况说明 belongs to the one document its sentences come from
    assert "184.65 万元⚠" in page.locator("#bq-chat .bq-docs").last.locator("tbody tr").first.inner_text()
    bad = page.locator("#bq-chat .fig-bad").last
    assert bad.get_attribute("title") == "未引用任何表格单元格，无法与表格核验"  # the ⚠ tooltip
    link = page.locator("#bq-chat .bq-pages a.bq-open").last
    link.click()
    _wait_text(page, "#bq-pv-cap", "已框出所引文字")
    page.screenshot(path=str(SHOTS / "ui-14-prose-sentence.png"), full_page=True)


def test_tables_tab_prints_numbers_as_printed_with_grouped_headers_and_a_page_link(browser_page):
    page, _ = browser_page
    _tab(page, "表格")
    assert page.locator("#bq-t-grid table").count() == 0  # no placeholder grid before a choice
    _choose(page, "#bq-t-doc", "putuo-finance-2024-final.pdf")
    page.locator("#bq-t-table input").first.click()
    options = page.locator("[role=option]").all_inner_texts()
    assert options and not any("0行" in o.split(" · ")[-1] and o.split(" · ")[-1] == "0行" for o in options)
    page.keyboard.press("Escape")
    _choose(page, "#bq-t-table", "一般公共预算财政拨款支出决算表")
    _wait_text(page, "#bq-t-grid", "一般公共预算财政拨款支出决算表")
    total = page.locator("#bq-t-grid tr.total").last
    cells = total.locator("td.num")
    assert cells.all_inner_texts()[:3] == ["2,940.05", "2,336.91", "603.14"]  # page 15 合计 row
    assert cells.first.evaluate("e => getComputedStyle(e).textAlign") == "right"
    page.locator("#bq-t-link a.bq-open").click()
    _tab(page, "问答")
    _wait_text(page, "#bq-pv-cap", "第15页")
    _tab(page, "表格")
    _choose(page, "#bq-t-table", "“三公”经费支出决算表")
    _wait_text(page, "#bq-t-grid", "因公出国（境）费")
    # one 财政拨款“三公”经费 cell over all twelve columns, 合计 over its 预算数 / 决算数
    assert page.locator("#bq-t-grid th[colspan='12']").inner_text() == "财政拨款“三公”经费"
    assert page.locator("#bq-t-grid th[colspan='2']", has_text="合计").count() == 1
    page.screenshot(path=str(SHOTS / "ui-9-tables.png"), full_page=True)


def test_compare_labels_each_bar_with_year_and_ledger_on_a_log_scale(browser_page):
    page, _ = browser_page
    _tab(page, "对比")
    page.locator("#bq-c-btn").click()
    _wait_text(page, "#bq-chart", "对数刻度")
    chart = page.locator("#bq-chart").inner_text()
    assert "2024年决算 上海市普陀区财政局" in chart and "2023年决算 延边朝鲜族自治州" in chart
    assert "line " not in page.locator("#bq-compare-table").inner_text()
    assert "所选文件口径不同" in chart  # 2023 and 2024 documents side by side
    page.screenshot(path=str(SHOTS / "ui-10-compare.png"), full_page=True)


def test_audit_findings_open_their_page(browser_page):
    page, _ = browser_page
    _tab(page, "一致性检查")
    _choose(page, "#bq-a-doc", "putuo-socialwork-2024-final.pdf")
    page.locator("#bq-a-btn").click()
    page.wait_for_selector("#bq-audit li")
    assert "None" not in page.locator("#bq-audit").inner_text()
    page.locator("#bq-audit a.bq-open").first.click()
    _tab(page, "问答")
    _wait_text(page, "#bq-pv-cap", "putuo-socialwork-2024-final.pdf · 第")
    _tab(page, "一致性检查")
    page.screenshot(path=str(SHOTS / "ui-11-audit.png"), full_page=True)


def test_settings_say_which_variables_set_the_endpoints(browser_page):
    page, _ = browser_page
    _tab(page, "设置")
    text = page.locator("#bq-settings").inner_text()
    for var in ("BUDGETQA_LLM__PROVIDER", "BUDGETQA_LLM__BASE_URL", "BUDGETQA_LLM__API_KEY",
                "BUDGETQA_EMBEDDING__PROVIDER", "BUDGETQA_EMBEDDING__BASE_URL"):
        assert var in text
    assert "未设置" in text
    page.locator("#bq-llm-test").click()
    _wait_text(page, "#bq-llm-result", "未配置大模型（BUDGETQA_LLM__PROVIDER=none）")
    page.screenshot(path=str(SHOTS / "ui-12-settings.png"), full_page=True)


def test_oversized_upload_is_refused_before_it_is_sent_in_chinese(browser_page, server, tmp_path):
    page, outside = browser_page
    _, _, logged = server
    _tab(page, "文件库")
    # Gradio's own strings come from its zh-CN translation
    assert "点击上传" in page.locator("#bq-upload").inner_text() or "拖放" in page.locator("#bq-upload").inner_text()
    big = tmp_path / "太大的决算.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * ((LIMIT_MB + 1) * 1024 * 1024))
    uploads = len([m for m in logged.lines if m.startswith("upload ")])
    page.locator("#bq-upload input[type=file]").set_input_files(str(big))
    toast = page.locator(".toast-body, [data-testid='toast-body']").first
    toast.wait_for()
    _wait_text(page, ".toast-body", "未上传")
    message = toast.inner_text()
    (SHOTS / "ui-13-upload-limit.txt").write_text(message, encoding="utf-8")
    assert f"文件超过上传上限 {LIMIT_MB} MB，未上传：\"太大的决算.pdf\"" in message, message
    page.screenshot(path=str(SHOTS / "ui-13-upload-limit.png"), full_page=True)
    assert len([m for m in logged.lines if m.startswith("upload ")]) == uploads  # never reached the handler
    assert outside == []


def test_the_server_logs_each_upload_and_question(server):
    _, _, logged = server
    assert any(m.startswith("upload putuo-finance-2024-final.pdf: ok") for m in logged.lines), logged.lines
    assert any(m.startswith("question mode=grounded status=verified docs=2 ") and m.endswith(" ms")
               for m in logged.lines), logged.lines


def test_a_chosen_suggestion_stays_chosen_while_the_timer_ticks(browser_page):
    page, _ = browser_page
    _tab(page, "问答")
    first = page.locator("#bq-suggest label").first
    first.click()
    page.wait_for_function("document.querySelector('#bq-question textarea').value !== ''")
    asked = page.locator("#bq-question textarea").input_value()
    assert asked and asked == first.inner_text().strip()
    page.wait_for_timeout(4_500)  # two ticks of the page's 2 s timer
    assert page.locator("#bq-suggest input:checked").count() == 1
    assert page.locator("#bq-question textarea").input_value() == asked


# --- a reviewer's marks on audit findings -------------------------------------------------------
def _audit(page, file: str) -> None:
    _tab(page, "一致性检查")
    _choose(page, "#bq-a-doc", file)
    page.locator("#bq-a-btn").click()
    page.wait_for_selector("#bq-audit li[data-finding]")


def test_a_reviewer_marks_a_finding_and_the_mark_is_kept_across_a_reload(browser_page, server):
    page, _ = browser_page
    _, svc, _ = server
    doc_id = svc.store.resolve(SOCIAL.name)
    _audit(page, SOCIAL.name)
    error = page.locator("#bq-audit li.sev-error").first
    finding = error.get_attribute("data-finding")
    item = f"#bq-audit li[data-finding='{finding}']"
    page.locator("#bq-mark-note textarea").fill("年初预算确为 0，说明有误")
    page.locator(f"{item} a.bq-mark-set[data-mark='已确认']").click()
    _wait_text(page, item, "复核：已确认")
    assert {f.id: (m, n) for f, m, n in svc.review(doc_id)}[finding] == ("已确认", "年初预算确为 0，说明有误")  # kept
    assert page.locator("#bq-mark-note textarea").input_value() == ""
    page.reload()
    page.wait_for_selector("#bq-question textarea")
    _audit(page, SOCIAL.name)
    _wait_text(page, item, "复核：已确认")  # drawn from the store after the reload
    assert "年初预算确为 0，说明有误" in page.locator(item).inner_text()
    assert "已复核 1 处" in page.locator("#bq-audit p").first.inner_text()
    page.screenshot(path=str(SHOTS / "ui-15-audit-marks.png"), full_page=True)
    page.locator(f"{item} a.bq-mark-set[data-mark='忽略']").click()
    _wait_text(page, item, "复核：忽略")
    assert {f.id: m for f, m, _ in svc.review(doc_id)}[finding] == "忽略"
    page.locator(f"{item} a.bq-mark-set[data-mark='clear']").click()
    page.wait_for_function("s => !document.querySelector(s).innerText.includes('复核：')", arg=item)
    assert {f.id: m for f, m, _ in svc.review(doc_id)}[finding] is None


# --- the page's language ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def english_server(tmp_path_factory):
    """A second server with BUDGETQA_LANGUAGE=en, the 普陀 finance PDF stored as an upload."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is absent (apt-get install -y chromium)")
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings
    from budgetqa.app.ui.page import build_ui, launch
    from budgetqa.app.ui.upload import accept_upload

    svc = Service(get_settings(tmp_path_factory.mktemp("home-en"), language="en", llm={"provider": "none"},
                               embedding={"provider": "none"}, max_upload_mb=LIMIT_MB))
    assert accept_upload(svc, PDF, PDF.name).ok
    demo, _ = build_ui(svc)
    launch(demo, svc, port=None, prevent_thread_lock=True, quiet=True)
    yield demo.local_url
    demo.close()
    svc.close()


@pytest.fixture()
def page_in(browser):
    """A page of `url` in a browser whose language is `locale` (its own context, closed after the test)."""
    contexts = []

    def open_page(url: str, locale: str):
        context = browser.new_context(viewport={"width": 1400, "height": 1300}, locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        outside: list[str] = []
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")) else None)
        page.goto(url)
        page.wait_for_selector("#bq-question textarea")
        return page, outside

    yield open_page
    for context in contexts:
        context.close()


def test_the_english_page_speaks_english_in_a_chinese_browser(english_server, page_in):
    page, outside = page_in(english_server, "zh-CN")  # the setting wins over the browser's language
    tabs = page.get_by_role("tab").all_inner_texts()
    assert tabs == ["Ask", "Library", "Tables", "Compare", "Consistency check", "Settings"]
    text = _ask_in(page, "Ask", "机关运行经费是多少？")
    assert "184.65 万元⚠" in text
    assert "4 of 4 figures not verified" in text
    # the checker's reason as it wrote it: the Chinese page translates it, the English one does not
    assert page.locator("#bq-chat .fig-bad").last.get_attribute("title") == "the answer cites no fact"
    page.screenshot(path=str(SHOTS / "ui-16-english.png"), full_page=True)
    _tab(page, "Library")
    upload = page.locator("#bq-upload").inner_text()
    assert "Drop File Here" in upload and "拖放" not in upload  # Gradio's own strings, in English too
    assert page.evaluate("document.documentElement.lang") == "en"
    assert outside == []


def test_the_default_page_stays_chinese_in_an_english_browser(server, page_in):
    url, *_ = server
    page, outside = page_in(url, "en-US")
    assert page.get_by_role("tab").all_inner_texts() == ["问答", "文件库", "表格", "对比", "一致性检查", "设置"]
    _tab(page, "文件库")
    upload = page.locator("#bq-upload").inner_text()
    assert "将文件拖放到此处" in upload and "Drop File" not in upload
    page.screenshot(path=str(SHOTS / "ui-17-chinese-in-english-browser.png"), full_page=True)
    assert outside == []


def _ask_in(page, tab: str, question: str) -> str:
    _tab(page, tab)
    n = page.locator("#bq-chat .bq-status").count()
    page.locator("#bq-question textarea").fill(question)
    page.locator("#bq-send").click()
    page.wait_for_function(f"document.querySelectorAll('#bq-chat .bq-status').length > {n}")
    return page.locator("#bq-chat .bq-answer").last.evaluate("e => e.closest('.bq-answer').parentElement.innerText")


def test_the_english_audit_tab_lists_findings_and_marks_in_english(english_server, page_in):
    page, _ = page_in(english_server, "zh-CN")
    _tab(page, "Consistency check")
    _choose(page, "#bq-a-doc", PDF.name)
    page.locator("#bq-a-btn").click()
    page.wait_for_selector("#bq-audit li[data-finding]")
    head = page.locator("#bq-audit p").first.inner_text()
    assert head.startswith("inconsistency: ") and "rounding: " in head
    item = page.locator("#bq-audit li.sev-error").first
    assert item.inner_text().startswith("[inconsistency]") and "Sources: " in item.inner_text()
    sources = item.locator("small").inner_text()
    assert re.search(r"p\. \d+", sources) and not re.search(r"第\d+页", sources)  # places in English
    item.locator("a.bq-mark-set[data-mark='忽略']").click()
    page.wait_for_function("() => document.querySelector('#bq-audit li.sev-error').innerText.includes('Review: ignored')")
    page.screenshot(path=str(SHOTS / "ui-18-english-audit.png"), full_page=True)
