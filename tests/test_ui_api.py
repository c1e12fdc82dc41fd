"""The web page's Python side: the `ask` API against the CLI, uploads, views built from real fixtures."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
YANBIAN = FIXTURES / "yanbian-industry-2023-final.txt"
QUESTION = "支出决算表中，资源勘探工业信息等支出的基本支出是多少万元？"  # fixture line 190: 1,184.83


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """One data directory with the yanbian fixture, shared by the page and the CLI (no embeddings, no LLM)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("BUDGETQA_EMBEDDING__PROVIDER", "none")
    mp.setenv("BUDGETQA_LLM__PROVIDER", "none")
    mp.setenv("HF_HUB_OFFLINE", "1")
    mp.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings

    home = tmp_path_factory.mktemp("home")
    svc = Service(get_settings(home))
    result = svc.ingest_one(YANBIAN)
    assert result.ok, result.error
    yield svc, result.doc_id, home
    svc.close()
    mp.undo()


@pytest.fixture(scope="module")
def page(env):
    from budgetqa.app.ui.page import build_ui

    svc, _, _ = env
    _, p = build_ui(svc)
    return p


def test_ask_api_returns_the_same_json_as_cli_ask_json(env):
    from gradio_client import Client
    from typer.testing import CliRunner

    from budgetqa.app.cli import main as cli
    from budgetqa.app.ui.page import build_ui, launch

    svc, doc_id, home = env
    demo, _ = build_ui(svc)
    launch(demo, svc, port=None, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(demo.local_url, verbose=False)
        by_list = client.predict(QUESTION, [doc_id], api_name="/ask")
        by_string = client.predict(QUESTION, f" {doc_id} ,", api_name="/ask")
    finally:
        demo.close()

    run = CliRunner().invoke(cli.app, ["ask", QUESTION, "--doc", doc_id, "--json", "--home", str(home)])
    assert run.exit_code == 0, run.output
    expected = json.loads(run.stdout)
    assert by_list == expected
    assert by_string == expected
    fig = expected["figures"][0]
    assert (Decimal(fig["value"]), fig["verified"], fig["source"]["column"]) == (Decimal("1184.83"), True, "基本支出")


def test_api_doc_ids_accept_list_comma_string_or_nothing():
    from budgetqa.app.ui.page import parse_doc_ids

    assert parse_doc_ids(["a1", " b2 "]) == ["a1", "b2"]
    assert parse_doc_ids("a1，b2, ") == ["a1", "b2"]
    assert parse_doc_ids("") is None and parse_doc_ids(None) is None


def test_verified_answer_shows_the_source_row_with_the_cited_cell_highlighted(env):
    from budgetqa.app.ui.views import answer_to_html

    svc, doc_id, _ = env
    html = answer_to_html(svc.ask(QUESTION, [doc_id]), svc.store)
    assert "全部数字已核验" in html and "✓" in html
    hit = html.split('class="hit-row"')[1].split("</tr>")[0]
    assert "215 资源勘探工业信息等支出" in hit
    assert '<td class="hit">1,184.83</td>' in hit


def test_unanswerable_question_says_not_found(env):
    from budgetqa.app.ui.views import answer_to_html

    svc, doc_id, _ = env
    html = answer_to_html(svc.ask("局长的办公电话号码是多少？", [doc_id]), svc.store)
    assert "未找到" in html and "fig-ok" not in html


def test_suggested_questions_come_from_the_tables_and_are_answered_verified(env):
    from budgetqa.app.ui.views import suggested_questions

    svc, doc_id, _ = env
    qs = suggested_questions(svc.load(doc_id))
    assert "2023年“三公”经费决算数是多少？" in qs
    assert len(qs) >= 3
    for q in qs:
        assert svc.ask(q, [doc_id]).status == "verified", q


def test_corrupt_pdf_upload_names_the_file_and_leaves_library_unchanged(env, tmp_path):
    from budgetqa.app.ui.upload import accept_upload

    svc, _, home = env
    bad = tmp_path / "upload"
    bad.write_bytes(b"this is not a pdf at all" * 50)
    before = [d.id for d in svc.store.documents()]
    out = accept_upload(svc, bad, "坏文件.pdf")
    assert not out.ok and out.message.startswith("坏文件.pdf：无法导入")
    assert "%PDF" in out.message
    assert [d.id for d in svc.store.documents()] == before
    assert not any((home / "uploads").glob("*.pdf"))


def test_non_document_and_oversized_uploads_are_refused_by_name(env, tmp_path):
    from budgetqa.app.ui.upload import accept_upload

    svc, _, _ = env
    img = tmp_path / "x"
    img.write_bytes(b"\x89PNG....")
    assert accept_upload(svc, img, "photo.png").message == "photo.png：不支持的文件类型（.png），请上传 PDF 或文本文件（.pdf/.txt/.md）"
    big = tmp_path / "big"
    with open(big, "wb") as f:
        f.truncate(svc.settings.max_upload_mb * 1024 * 1024 + 1)
    out = accept_upload(svc, big, "huge.pdf")
    assert not out.ok and out.message.startswith("huge.pdf：文件过大")


def test_upload_name_is_a_label_never_a_path(env, tmp_path):
    from budgetqa.app.ui.upload import accept_upload
    from budgetqa.ingest.pipeline import file_sha256

    svc, _, home = env
    src = tmp_path / "tmpupload"
    src.write_bytes((FIXTURES / "chaoyang-industry-2023-final.txt").read_bytes())
    out = accept_upload(svc, src, "../../evil/朝阳.txt")
    try:
        assert out.ok and out.added
        assert (home / "uploads" / f"{file_sha256(src)}.txt").exists()
        assert svc.store.summary(out.doc_id).file == "朝阳.txt"
        assert not (home.parent / "evil").exists()
    finally:
        svc.remove(out.doc_id)


def test_compare_reads_each_value_with_its_source(env, page):
    svc, doc_id, _ = env
    chart, frame = page.compare([doc_id], "基本支出")
    row = frame.iloc[0].tolist()
    assert row[1] == 1420.25  # 支出决算表 合计 row, fixture line 180
    assert "支出决算表" in row[2] and "合计" in row[2]
    assert "<svg" in chart and "1,420.25" in chart
    _, frame = page.compare([doc_id], "三公经费")
    assert frame.iloc[0, 1] == 8.02  # 三公 决算数 合计, fixture line 363


def test_table_view_has_unit_and_downloads(env, page):
    svc, doc_id, _ = env
    doc = svc.load(doc_id)
    spend = next(t for t in doc.tables if t.kind == "支出决算表")
    meta, grid, csv_u, xlsx_u, doc_u, link = page.show_table(doc_id, spend.ref)
    assert "单位：万元" in meta
    total = grid.split('<tr class="total">')[1].split("</tr>")[0]
    assert '<td class="num">1,420.25</td><td class="num">802.51</td>' in total
    csv_text = Path(csv_u["value"]).read_text(encoding="utf-8-sig")
    assert "合计,2222.76,1420.25,802.51" in csv_text
    assert Path(xlsx_u["value"]).stat().st_size > 0
    assert "1184.83" in Path(doc_u["value"]).read_text(encoding="utf-8-sig")
    assert "#bq-src=" in link and "查看原文" in link  # a text conversion: its lines, not a page


def test_table_grid_groups_header_paths_and_keeps_printed_decimals():
    from budgetqa.app.ui.views import header_rows

    rows = header_rows(["合计", "基本支出/人员经费", "基本支出/公用经费", "项目支出"])
    assert [[(h["text"], h["colspan"], h["rowspan"]) for h in r] for r in rows] == [
        [("合计", 1, 2), ("基本支出", 2, 1), ("项目支出", 1, 2)], [("人员经费", 1, 1), ("公用经费", 1, 1)]]


def test_zero_prints_with_its_decimals_in_the_table_grid(env):
    from budgetqa.app.ui.views import table_html

    svc, doc_id, _ = env
    doc = svc.load(doc_id)
    t = next(t for t in doc.tables for r in t.rows for v in r.cells.values() if v is not None and v == 0 and
             str(v) == "0.00")
    assert '<td class="num">0.00</td>' in table_html(t)


def test_audit_tab_lists_findings_with_their_sources(env, page):
    _, doc_id, _ = env
    html = page.audit(doc_id)
    # fixture: prose says 其他行政事业单位医疗支出 1.56 万元, 公开05表 row 2101199 prints 1.70
    item = next(li for li in html.split("<li")[1:] if "2101199" in li and "1.56" in li)
    assert "[不一致]" in item and "1.70" in item and "来源：" in item


def test_chat_streams_tokens_then_shows_the_checked_answer(env, page, monkeypatch):
    svc, doc_id, _ = env
    checked = svc.ask(QUESTION, [doc_id])  # grounded, before "an LLM" is configured

    def fake_ask(question, doc_ids=None, on_token=None, previous=None):
        for tok in ("基本支出", "为", "1,184.83万元"):
            on_token(tok)
        return checked

    monkeypatch.setattr(svc, "_llm", object())  # "an LLM is configured"
    monkeypatch.setattr(svc, "ask", fake_ask)
    steps = [h[-1]["content"] for h, *_ in page.respond(QUESTION, [doc_id], [])]
    assert steps[:-1] == ["基本支出 …（核验中）", "基本支出为 …（核验中）", "基本支出为1,184.83万元 …（核验中）"]
    assert "全部数字已核验" in steps[-1] and 'class="hit"' in steps[-1]


def test_asking_while_another_document_is_ingested(env, tmp_path):
    import threading

    from budgetqa.app.ui.upload import accept_upload

    svc, doc_id, _ = env
    src = tmp_path / "up"
    src.write_bytes((FIXTURES / "xiangyuan-industry-2023-final.txt").read_bytes())
    box = {}
    t = threading.Thread(target=lambda: box.update(out=accept_upload(svc, src, "xiangyuan.txt")))
    t.start()
    statuses = []
    while t.is_alive() or not statuses:
        statuses.append(svc.ask(QUESTION, [doc_id]).status)
    t.join()
    try:
        assert box["out"].ok and box["out"].added
        assert set(statuses) == {"verified"} and len(statuses) > 1
    finally:
        svc.remove(box["out"].doc_id)


def test_auth_keeps_the_page_closed_without_password(env):
    import urllib.error
    import urllib.request

    from budgetqa.app.ui.page import build_ui, launch

    svc, _, _ = env
    demo, _ = build_ui(svc)
    launch(demo, svc, port=None, auth="reviewer:s3cret", prevent_thread_lock=True, quiet=True)
    try:
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(demo.local_url + "gradio_api/info", timeout=10)
        assert e.value.code == 401
        from gradio_client import Client

        out = Client(demo.local_url, auth=("reviewer", "s3cret"), verbose=False).predict(
            "局长的办公电话号码是多少？", "", api_name="/ask")
        assert out["status"] == "not_found"
    finally:
        demo.close()


def test_auth_must_be_user_colon_password(env):
    from budgetqa.app.ui.page import build_ui, launch

    svc, _, _ = env
    demo, _ = build_ui(svc)
    with pytest.raises(ValueError, match="user:password"):
        launch(demo, svc, port=None, auth="nocolon", prevent_thread_lock=True, quiet=True)


def test_checker_reasons_and_reader_errors_read_in_chinese():
    from budgetqa.app import zh

    assert zh.reason("the answer cites no fact") == "未引用任何表格单元格，无法与表格核验"
    assert zh.reason("no cited fact equals 12.5") == "没有所引单元格等于 12.5"
    assert zh.reason("something new") == "something new"  # unknown forms are shown, not guessed
    assert zh.ingest_error("not a PDF (no %PDF header) (give a PDF file or a text conversion)") == \
        "不是 PDF 文件（文件头没有 %PDF）（请上传 PDF 或其文本转换件）"
    assert zh.label("支出决算表 · (unlabelled totals row) · line 411") == "支出决算表 · （未命名的合计行） · 第411行"


def test_a_follow_up_in_the_page_inherits_the_conversation_before_it(env, page):
    svc, doc_id, _ = env
    *_, (history, _, conv, _) = page.respond("三公经费决算数是多少？", [doc_id], [], "browser-c", "")
    *_, (history, _, same, _) = page.respond("预算呢？", [doc_id], history, "browser-c", conv)
    assert same == conv and len(page.talks.turns("browser-c", conv)) == 2
    assert "理解为：三公经费 · 预算数" in history[-1]["content"]
    assert page.history("browser-c", conv)[-1]["content"] == history[-1]["content"]  # a reload shows the same


def test_index_notice_counts_documents_done_out_of_documents_stored(env, page, monkeypatch):
    from types import SimpleNamespace

    svc, doc_id, _ = env
    n = len(svc.store.documents())
    monkeypatch.setattr(page, "dense_pending", lambda: [SimpleNamespace(doc_id=doc_id, done=3, total=9)])
    assert page.notice().endswith(f"语义索引 {n - 1}/{n} 份（表格问答不受影响）")
    monkeypatch.setattr(page, "dense_pending", lambda: [])
    assert "语义索引" not in page.notice()


def test_compare_shows_a_measure_only_the_prose_states_with_a_warning(env, page):
    _, doc_id, _ = env
    _, frame = page.compare([doc_id], "机关运行经费")
    label, value, source, _ = frame.iloc[0].tolist()
    assert label.endswith("⚠") and source.startswith("⚠ 仅见于说明文字，未与表格核验")
    # fixture line 758: 2023年度机关运行经费支出97.63万元，较2022年度增加4.44万元…
    assert value == 97.63 and "2023年度机关运行经费支出97.63万元" in source


def test_the_timer_leaves_pickers_and_suggestions_alone_while_the_library_is_unchanged(env, page):
    import gradio as gr

    svc, _, _ = env
    notice, *rest, seen = page.tick(None)  # first tick: the library as it is now
    assert seen == sorted(svc.store.ids())
    notice, *rest, again = page.tick(seen)
    assert again == seen and all(r == gr.skip() for r in rest)  # nothing re-rendered, no suggestion reset
    assert notice == page.notice()


def test_an_audit_source_naming_nothing_says_so_in_chinese():
    from budgetqa.app.audit.model import Location
    from budgetqa.app.ui.views import audit_label

    assert audit_label(Location(document="x.pdf")) == "（来源不明）"
    assert audit_label(Location(document="x.pdf", table="支出决算表", row="合计", column="基本支出", page=8)) == \
        "「支出决算表」合计 / 基本支出，第8页"


def test_the_settings_tab_tests_the_configured_model_and_says_why_it_fails(tmp_path):
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings
    from budgetqa.app.ui.page import Page
    from tests.fake_openai import FakeOpenAI, completion, refused_url

    with FakeOpenAI(completion("好")) as api:
        svc = Service(get_settings(tmp_path / "a", llm={"provider": "openai", "model": "m1", "base_url": api.url,
                                                       "api_key": "sk-secret-1"}, embedding={"provider": "none"}))
        out = Page(svc).test_llm()
        assert out.startswith(f"✓ 已连接 {api.url}（m1）") and out.endswith("回复：好")
        assert "sk-secret-1" not in Page(svc).settings_md()  # a key is never shown back
        svc.close()
    nowhere = refused_url()
    svc = Service(get_settings(tmp_path / "b", llm={"provider": "openai", "model": "m1", "base_url": nowhere,
                                                   "timeout": 5}, embedding={"provider": "none"}))
    out = Page(svc).test_llm()
    assert out.startswith(f"✗ 无法连接 {nowhere}（m1）：") and "Connection error" in out
    svc.close()
