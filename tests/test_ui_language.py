"""The page's language (BUDGETQA_LANGUAGE): one message table in two languages, the checker's reasons
translated on the Chinese page only, Gradio's own strings following the setting, and a reviewer's
marks on audit findings in the audit tab."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

from budgetqa.app.messages import MESSAGES, Words, placeholders
from budgetqa.app.models import Answer, Figure

FIXTURES = Path(__file__).parent / "fixtures"
SOCIAL = FIXTURES / "pdf" / "putuo-socialwork-2024-final.pdf"


def test_every_message_is_in_both_languages_with_the_same_placeholders():
    assert MESSAGES["zh"].keys() == MESSAGES["en"].keys()
    for key, text in MESSAGES["zh"].items():
        assert placeholders(text) == placeholders(MESSAGES["en"][key]), key
        assert MESSAGES["en"][key].count("|") == text.count("|"), key  # lists: as many parts


def test_the_language_setting_is_chinese_unless_set(monkeypatch, tmp_path):
    from pydantic import ValidationError

    from budgetqa.app.settings import get_settings

    monkeypatch.delenv("BUDGETQA_LANGUAGE", raising=False)
    assert get_settings(tmp_path).language == "zh"
    monkeypatch.setenv("BUDGETQA_LANGUAGE", "en")
    assert get_settings(tmp_path).language == "en"
    monkeypatch.setenv("BUDGETQA_LANGUAGE", "fr")
    with pytest.raises(ValidationError):
        get_settings(tmp_path)


def _prose_answer() -> Answer:
    """What grounded mode gives for a figure quoted from a 情况说明 sentence (no cell cited)."""
    return Answer(question="机关运行经费是多少？", answer="184.65 万元。", status="unverified",
                  figures=[Figure(text="184.65 万元", value="184.65", unit="万元", reason="the answer cites no fact")])


def test_the_english_page_shows_the_checkers_reason_as_written_and_its_own_words_in_english():
    from budgetqa.app.ui.views import answer_to_html

    html = answer_to_html(_prose_answer(), words=Words("en"))
    assert 'title="the answer cites no fact"' in html
    assert "1 of 1 figures not verified" in html
    assert "未" not in html


def test_the_chinese_page_translates_the_checkers_reason():
    from budgetqa.app.ui.views import answer_to_html

    html = answer_to_html(_prose_answer())
    assert 'title="未引用任何表格单元格，无法与表格核验"' in html
    assert "1 个数字未能核验（共 1 个）" in html


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings
    from budgetqa.app.ui.upload import accept_upload

    service = Service(get_settings(tmp_path_factory.mktemp("language"), llm={"provider": "none"},
                                   embedding={"provider": "none"}), dense=False)
    assert accept_upload(service, SOCIAL, SOCIAL.name).ok
    yield service
    service.close()


@pytest.mark.parametrize("language, locale", [("zh", "zh-CN"), ("en", "en")])
def test_the_served_page_reports_its_locale_to_gradio_before_gradios_bundle_runs(svc, language, locale):
    from budgetqa.app.ui.page import build_ui, launch

    demo, _ = build_ui(svc, language)
    launch(demo, svc, port=None, prevent_thread_lock=True, quiet=True)
    try:
        html = urllib.request.urlopen(demo.local_url).read().decode("utf-8")
    finally:
        demo.close()
    override = html.find(f"var l=\"{locale}\";")
    bundle = html.find('<script type="module"')
    assert 0 < override < bundle  # Gradio reads navigator.language once, as its bundle starts
    assert re.search(rf'<html[^>]*\slang="{locale}"', html)


def test_the_english_settings_tab_names_the_language_variable(svc):
    from budgetqa.app.ui.page import Page

    text = Page(svc, Words("en")).settings_md()
    assert "| Page language | English | `BUDGETQA_LANGUAGE` (zh / en) |" in text
    assert "| 界面语言 | 中文 | `BUDGETQA_LANGUAGE`（zh / en） |" in Page(svc).settings_md()


# --- a reviewer's marks in the audit tab ----------------------------------------------------------
def test_a_mark_and_its_note_set_in_the_audit_tab_are_kept_and_drawn_beside_the_finding(svc):
    from budgetqa.app.ui.page import Page

    page = Page(svc)
    doc_id = svc.store.resolve(SOCIAL.name)
    finding = next(f for f, _, _ in svc.review(doc_id) if f.severity == "error")
    item = re.compile(rf'<li class="sev-error[^"]*" data-finding="{finding.id}">.*?</li>', re.S)
    html, note_box = page.mark(doc_id, f"{finding.id}|已确认", " 年初预算确为 0，说明有误 ")
    assert "复核：已确认" in item.search(html).group() and "年初预算确为 0，说明有误" in item.search(html).group()
    assert note_box == ""  # the note went with this mark
    assert svc.store.finding_marks(doc_id)[finding.id] == ("已确认", "年初预算确为 0，说明有误")
    assert "复核：已确认" in item.search(Page(svc).audit(doc_id)).group()  # a new page reads it from the store
    english = Page(svc, Words("en")).audit(doc_id)
    assert "Review: confirmed" in item.search(english).group()
    html, _ = page.mark(doc_id, f"{finding.id}|", "a note with no mark is not kept")
    assert "复核" not in item.search(html).group() and finding.id not in svc.store.finding_marks(doc_id)


def test_a_mark_outside_the_two_is_refused(svc):
    import gradio as gr

    from budgetqa.app.ui.page import Page

    doc_id = svc.store.resolve(SOCIAL.name)
    finding = next(f for f, _, _ in svc.review(doc_id))
    with pytest.raises(gr.Error):
        Page(svc).mark(doc_id, f"{finding.id}|<script>")
    assert finding.id not in svc.store.finding_marks(doc_id)


def test_a_mark_on_a_finding_the_document_no_longer_has_is_not_kept(svc):
    from budgetqa.app.ui.page import Page

    doc_id = svc.store.resolve(SOCIAL.name)
    html, _ = Page(svc).mark(doc_id, "000000000000|已确认")
    assert "data-finding" in html  # the findings, drawn again
    assert "000000000000" not in svc.store.finding_marks(doc_id)


def test_serve_refuses_an_unknown_language_before_starting():
    from typer.testing import CliRunner

    from budgetqa.app.cli import main as cli

    run = CliRunner().invoke(cli.app, ["serve", "--language", "fr"])
    assert run.exit_code == 2
    assert "fr: choose zh or en" in run.output
