"""The page view of a document added with `budgetqa ingest`: its original is the file at the path it
was ingested from (no copy is made), checked by SHA-256; a moved or changed file is said, in the
page's language, instead of a wrong page."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from budgetqa.app.ui.pageview import BOX_RGB, SCALE
from budgetqa.app.ui.views import citation_ref, suggested_questions

SOCIAL = Path(__file__).parent / "fixtures" / "pdf" / "putuo-socialwork-2024-final.pdf"
WANLI = Path(__file__).parent / "fixtures" / "pdf" / "putuo-wanli-2025-budget.pdf"
ARTIFACTS = Path(__file__).parent.parent / "artifacts"


@pytest.fixture()
def ingested(tmp_path, monkeypatch):
    """A copy of the 普陀 social-work PDF ingested by the CLI into a fresh home; the page over that home."""
    from typer.testing import CliRunner

    from budgetqa.app.cli import main as cli
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings
    from budgetqa.app.ui.page import Page

    monkeypatch.setenv("BUDGETQA_EMBEDDING__PROVIDER", "none")
    monkeypatch.setenv("BUDGETQA_LLM__PROVIDER", "none")
    home, pdf = tmp_path / "home", tmp_path / "docs" / SOCIAL.name
    pdf.parent.mkdir()
    shutil.copyfile(SOCIAL, pdf)
    run = CliRunner().invoke(cli.app, ["ingest", str(pdf), "--home", str(home)])
    assert run.exit_code == 0, run.output
    svc = Service(get_settings(home), dense=False)
    doc_id = svc.store.resolve(SOCIAL.name)
    doc = svc.store.document(doc_id)
    fig = next(f for q in suggested_questions(doc) for f in svc.ask(q, [doc_id]).figures
               if f.verified and f.source and f.source.bbox)
    yield svc, Page(svc), pdf, citation_ref(svc.store, fig.source)
    svc.close()


def test_a_pdf_ingested_by_the_cli_opens_its_page_with_the_cell_boxed(ingested):
    svc, page, pdf, ref = ingested
    assert not (svc.settings.home / "uploads").exists()  # the file stays where it is: no copy
    cap, image, _ = page.open_source(ref.key())
    assert f"putuo-socialwork-2024-final.pdf</b> · 第{ref.page}页 · 已框出所引单元格" in cap
    assert image["visible"] is True
    x0, top, x1, bottom = ref.boxes[0]
    assert image["value"].getpixel((int(x0 * SCALE) - 2, int((top + bottom) / 2 * SCALE))) == BOX_RGB
    ARTIFACTS.mkdir(exist_ok=True)
    image["value"].save(ARTIFACTS / "pageview-cli-ingested.png")


def test_an_original_touched_but_unchanged_still_opens(ingested):
    svc, page, pdf, ref = ingested
    os.utime(pdf, (1_700_000_000, 1_700_000_000))  # a new time, the same bytes: hashed once, then trusted again
    assert svc.original(ref.doc_id).state == "kept"
    assert page.open_source(ref.key())[1]["visible"] is True


def test_a_moved_original_is_said_not_shown(ingested):
    svc, page, pdf, ref = ingested
    pdf.rename(pdf.with_name("elsewhere.pdf"))
    cap, image, _ = page.open_source(ref.key())
    assert cap == (f"<p class='bq-pv-none'>导入时的原件已不在 {pdf}（已移动或删除），无法显示原页；"
                   "请把文件放回原处，或重新导入。</p>")
    assert image["visible"] is False


def test_a_changed_original_is_said_not_shown(ingested):
    svc, page, pdf, ref = ingested
    shutil.copyfile(WANLI, pdf)  # other bytes under the same name: its pages are not the stored figures' pages
    cap, image, _ = page.open_source(ref.key())
    assert cap == f"<p class='bq-pv-none'>{pdf} 已被修改，与导入时的内容不同，无法显示原页；请重新导入这个文件。</p>"
    assert image["visible"] is False
    assert not (svc.settings.home / "pages" / ref.doc_id).exists()  # nothing rendered from the wrong file


def test_removing_the_document_forgets_its_original(ingested):
    svc, page, pdf, ref = ingested
    assert svc.remove(ref.doc_id)
    assert svc.original(ref.doc_id).state == "none"
    assert pdf.exists()  # the user's own file is never deleted


def test_a_text_conversion_ingested_by_the_cli_shows_its_lines(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from budgetqa.app.cli import main as cli
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings
    from budgetqa.app.ui.page import Page
    from budgetqa.app.ui.pageview import SourceRef

    monkeypatch.setenv("BUDGETQA_EMBEDDING__PROVIDER", "none")
    home = tmp_path / "home"
    text = Path(__file__).parent / "fixtures" / "yanbian-industry-2023-final.txt"
    assert CliRunner().invoke(cli.app, ["ingest", str(text), "--home", str(home)]).exit_code == 0
    svc = Service(get_settings(home), dense=False)
    try:
        doc_id = svc.store.resolve(text.name)
        # fixture line 190: 资源勘探工业信息等支出 · 基本支出 1,184.83
        _, image, lines = Page(svc).open_source(SourceRef(doc_id, None, (), 190, "1184.83万元").key())
        assert image["visible"] is False
        assert "<mark>1,184.83</mark>" in lines and "（文本转换件，无页面；第 186–194 行）" in lines
    finally:
        svc.close()
