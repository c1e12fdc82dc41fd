"""The Gradio page: a thin layer over `Service`, like the CLI (documents, chat, tables, compare, audit).

Views are pure functions in `app/ui/views.py` (their HTML from `app/ui/templates/`); uploads go
through `app/ui/upload.py` and the service; headline measures come from `app/ui/measures.py`.
Nothing here fetches anything from outside the machine: analytics off, system fonts, no CDN assets.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import queue
import tempfile
import threading
from html import escape
from pathlib import Path

import gradio as gr
import pandas as pd

from budgetqa.app.audit import audit
from budgetqa.app.export import document_csv
from budgetqa.app.qa.query import Query
from budgetqa.app.service import Service
from budgetqa.app.ui.measures import MEASURES, compare_value
from budgetqa.app.ui.upload import accept_upload, discard_received
from budgetqa.app.ui.views import (CSS, LIBRARY_HEADERS, answer_to_html, audit_html, bar_chart_svg, doc_label, library_rows,
                          suggested_questions, table_frame, table_label, upload_list_html)

ALL_DOCS_HINT = "不选则在全部文件中查找"


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

    def __init__(self, service: Service):
        self.svc = service
        self.store = service.store
        self.exports = Path(tempfile.mkdtemp(prefix="budgetqa-export-"))
        self.loading = threading.Event()

    # --- shared --------------------------------------------------------------------------
    def choices(self) -> list[tuple[str, str]]:
        return [(doc_label(s), s.id) for s in self.store.documents()]

    def library(self) -> pd.DataFrame:
        return pd.DataFrame(library_rows(self.store.documents()), columns=LIBRARY_HEADERS)

    def dense_pending(self) -> list:
        """Documents whose embedding index is still filling (answers never wait for it)."""
        return self.svc.dense_pending()

    def notice(self) -> str:
        n = len(self.store.documents())
        if self.loading.is_set():
            text = f"正在导入示例文件…（已就绪 {n} 份，可先提问）"
        else:
            text = f"文库中共 {n} 份文件。" if n else "文库为空：请在「文件库」上传部门预算/决算 PDF 或文本。"
        pending = self.dense_pending()
        if pending:
            done = sum(p.done for p in pending)
            total = sum(p.total for p in pending)
            text += f" 语义检索索引后台生成中：{len(pending)} 份文件（{done}/{total} 段），表格问答不受影响。"
        return text

    def refresh(self):
        """Library table, notice, and the choices of every document picker."""
        c = self.choices()
        return (self.library(), self.notice(),
                gr.update(choices=c), gr.update(choices=c), gr.update(choices=c),
                gr.update(choices=c), gr.update(choices=c), self.settings_md(), self.suggestions(None))

    def resolve_ids(self, doc_ids) -> list[str] | None:
        ids = parse_doc_ids(doc_ids)
        if ids is None:
            return None
        out = []
        for ref in ids:
            doc_id = self.svc.resolve(ref)
            if doc_id is None:
                raise gr.Error(f"{ref}：文库中没有这个文件（id 或文件名）")
            out.append(doc_id)
        return out

    # --- documents -----------------------------------------------------------------------
    def upload(self, files, progress=gr.Progress()):
        files = files or []
        lines = []
        for i, f in enumerate(files):
            path = f if isinstance(f, str) else getattr(f, "name", str(f))
            name = Path(path).name
            progress((i, len(files)), desc=f"正在解析 {name}")
            lines.append(("run", f"正在解析 {name}"))
            yield upload_list_html(lines), gr.skip(), *self.refresh()
            out = accept_upload(self.svc, path, name)
            discard_received(path)  # else Gradio serves it by its hashed path, rejected files included
            lines[-1] = ("ok" if out.ok else "bad", out.message)
        progress((len(files), len(files)), desc="完成")
        # clear the picker: the next upload event would otherwise hand these files over again
        yield upload_list_html(lines), None, *self.refresh()

    def delete(self, doc_id):
        if not doc_id:
            return "请先选择要删除的文件。", *self.refresh()
        s = self.store.summary(doc_id)
        self.svc.remove(doc_id)
        return f"已删除 {escape(s.file if s else doc_id)}", *self.refresh()

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

    def respond(self, question, doc_ids, history, last=None):
        """One chat turn; `last` is the previous turn's plan, so 「那比上年呢？」 inherits what it leaves unsaid."""
        history = list(history or [])
        question = (question or "").strip()
        if not question:
            yield history, "", last
            return
        ids = parse_doc_ids(doc_ids)
        previous = Query.model_validate(last) if last else None
        history.append({"role": "user", "content": question})
        if self.svc.llm is None:  # grounded mode: one step, nothing to stream
            answer = self.svc.ask(question, ids, previous=previous)
            history.append({"role": "assistant", "content": answer_to_html(answer, self.store)})
            yield history, "", _last_query(answer, last)
            return
        yield from self._stream(question, ids, history, previous, last)

    def _stream(self, question, ids, history, previous=None, last=None):
        """Tokens as the model writes them, then the checked answer with its marks replaces them."""
        tokens: queue.Queue = queue.Queue()
        box: dict = {}

        def work():
            try:
                box["answer"] = self.svc.ask(question, ids, on_token=tokens.put, previous=previous)
            except Exception as exc:  # shown in the chat, the page keeps working
                box["error"] = exc
            finally:
                tokens.put(None)

        threading.Thread(target=work, daemon=True).start()
        text = ""
        history.append({"role": "assistant", "content": "…"})
        while (tok := tokens.get()) is not None:
            text += tok
            history[-1] = {"role": "assistant", "content": escape(text) + " …（核验中）"}
            yield history, "", last
        if "error" in box:
            history[-1] = {"role": "assistant", "content": f"出错：{escape(str(box['error']))}"}
            yield history, "", last
            return
        history[-1] = {"role": "assistant", "content": answer_to_html(box["answer"], self.store)}
        yield history, "", _last_query(box["answer"], last)

    def ask_api(self, question: str, doc_ids: list[str] | str | None = None) -> dict:
        """The `ask` endpoint: the same JSON as `budgetqa ask --json`."""
        answer = self.svc.ask(question, self.resolve_ids(doc_ids))
        return answer.model_dump(mode="json")

    def documents_api(self) -> list[dict]:
        """The `documents` endpoint: the library, as `budgetqa docs --json` lists it."""
        return [dict(s.__dict__) for s in self.store.documents()]

    # --- tables --------------------------------------------------------------------------
    def table_choices(self, doc_id):
        if not doc_id:
            return gr.update(choices=[], value=None)
        doc = self.store.document(doc_id)
        c = [(table_label(t), t.ref) for t in doc.tables]
        return gr.update(choices=c, value=c[0][1] if c else None)

    def show_table(self, doc_id, ref):
        if not doc_id or not ref:
            return "", None, gr.update(value=None), gr.update(value=None), gr.update(value=None)
        doc = self.store.document(doc_id)
        t = next((t for t in doc.tables if t.ref == ref), None)
        if t is None:
            return "", None, gr.update(value=None), gr.update(value=None), gr.update(value=None)
        df = table_frame(t)
        stem = f"{doc.doc_id}-{t.ref.replace('/', '-')}"
        csv_path = self.exports / f"{stem}.csv"
        df.to_csv(csv_path, index=False, encoding="utf-8-sig")  # BOM: Excel opens Chinese CSV correctly
        xlsx_path = self.exports / f"{stem}.xlsx"
        df.to_excel(xlsx_path, index=False, sheet_name=f"表{t.index}")
        doc_csv = self.exports / f"{doc.doc_id}-all.csv"
        doc_csv.write_text(document_csv(doc), encoding="utf-8-sig")
        pages = ",".join(map(str, t.pages)) or "—"
        meta = (f"**{t.title}**　类型：{t.kind}　单位：{t.unit or '未注明'}　页码：{pages}　"
                f"{len(t.rows)} 行 × {len(t.columns)} 列" + (f"　{t.number}" if t.number else ""))
        return meta, df, gr.update(value=str(csv_path)), gr.update(value=str(xlsx_path)), gr.update(value=str(doc_csv))

    # --- compare -------------------------------------------------------------------------
    def compare(self, doc_ids, measure):
        ids = parse_doc_ids(doc_ids) or [s.id for s in self.store.documents()]
        rows, bars = [], []
        for doc_id in ids:
            doc = self.store.document(doc_id)
            label = f"{doc.department or doc.file} {doc.year or ''}{doc.kind or ''}"
            m = compare_value(doc, measure)
            if m is None:
                rows.append([label, None, "文件中没有这一指标", doc.file])
                continue
            bars.append((label, float(m.value_wan)))
            rows.append([label, float(m.value_wan), m.source, doc.file])
        chart = bar_chart_svg(bars, "万元", measure)
        return chart, pd.DataFrame(rows, columns=["文件", f"{measure}（万元）", "来源", "文件名"])

    # --- audit ---------------------------------------------------------------------------
    def audit(self, doc_id):
        if not doc_id:
            return "请选择一份文件。"
        return audit_html(audit(self.store.document(doc_id)))

    # --- settings ------------------------------------------------------------------------
    def settings_md(self) -> str:
        s = self.svc.settings
        llm = f"{s.llm.provider} · {s.llm.model or '—'}" if s.llm.provider != "none" else "none（仅表格核验模式，不调用大模型）"
        emb = f"{s.embedding.provider} · {s.embedding.model}" if s.embedding.provider != "none" else "none（仅关键词检索）"
        return (f"| 项目 | 值 |\n|---|---|\n| 大模型 | {llm} |\n| 向量模型 | {emb} |\n"
                f"| 数据目录 | `{s.home}` |\n| 文件数 | {len(self.store.documents())} |\n"
                f"| 上传上限 | {s.max_upload_mb} MB |\n| 严格模式 | {'开' if s.answer.strict else '关'} |")


def _last_query(answer, fallback):
    """The plan a follow-up inherits from: the last part of this answer's plan, else the one before."""
    return answer.queries[-1] if answer.queries else fallback


def build_ui(service: Service) -> tuple[gr.Blocks, Page]:
    """The page over `service`; returns the Blocks and its handlers (tests call handlers directly)."""
    page = Page(service)
    with gr.Blocks(title="budgetqa · 部门预算决算问答", analytics_enabled=False) as demo:
        gr.Markdown("## budgetqa · 部门预算 / 决算问答\n每个数字都与原表核对：✓ 已核验，⚠ 未能核验。")
        notice = gr.Markdown(page.notice(), elem_id="bq-notice")
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                with gr.Row():
                    chat_docs = gr.Dropdown(choices=page.choices(), multiselect=True, label="文件", info=ALL_DOCS_HINT,
                                            elem_id="bq-chat-docs", scale=3)
                suggest = gr.Radio(choices=[], label="建议问题（由所选文件的表格生成）", elem_id="bq-suggest")
                chatbot = gr.Chatbot(label="对话", height=520, elem_id="bq-chat", sanitize_html=True)
                with gr.Row():
                    question = gr.Textbox(placeholder="例如：2023年“三公”经费决算数是多少？", show_label=False,
                                          elem_id="bq-question", scale=5)
                    send = gr.Button("提问", variant="primary", elem_id="bq-send", scale=1)
            with gr.Tab("文件库", id="docs"):
                files = gr.File(file_count="multiple", label="上传 PDF / 文本文件（可多选）", elem_id="bq-upload")
                upload_log = gr.HTML(elem_id="bq-upload-log")
                library = gr.Dataframe(value=page.library(), label="文库", interactive=False, elem_id="bq-library")
                with gr.Row():
                    del_doc = gr.Dropdown(choices=page.choices(), label="删除文件", scale=4)
                    del_btn = gr.Button("删除", variant="stop", scale=1)
                del_msg = gr.Markdown()
            with gr.Tab("表格", id="tables"):
                with gr.Row():
                    t_doc = gr.Dropdown(choices=page.choices(), label="文件", elem_id="bq-t-doc")
                    t_table = gr.Dropdown(choices=[], label="表格", elem_id="bq-t-table")
                t_meta = gr.Markdown()
                t_frame = gr.Dataframe(interactive=False, elem_id="bq-t-frame", max_height=520)
                with gr.Row():
                    dl_csv = gr.DownloadButton("下载 CSV", value=None)
                    dl_xlsx = gr.DownloadButton("下载 Excel", value=None)
                    dl_doc = gr.DownloadButton("整份文件 CSV（长表）", value=None)
            with gr.Tab("对比", id="compare"):
                with gr.Row():
                    c_docs = gr.Dropdown(choices=page.choices(), multiselect=True, label="文件", info=ALL_DOCS_HINT,
                                         scale=3)
                    c_measure = gr.Dropdown(choices=MEASURES, value=MEASURES[1], label="指标", scale=1)
                    c_btn = gr.Button("对比", variant="primary", scale=1)
                c_chart = gr.HTML(elem_id="bq-chart")
                c_table = gr.Dataframe(interactive=False, label="数据与来源")
            with gr.Tab("一致性检查", id="audit"):
                with gr.Row():
                    a_doc = gr.Dropdown(choices=page.choices(), label="文件", scale=4)
                    a_btn = gr.Button("检查", variant="primary", scale=1)
                a_out = gr.HTML()
            with gr.Tab("设置", id="settings"):
                settings_md = gr.Markdown(page.settings_md())

        pickers = [chat_docs, del_doc, t_doc, c_docs, a_doc]
        refreshed = [library, notice, *pickers, settings_md, suggest]

        files.upload(page.upload, inputs=files, outputs=[upload_log, files, *refreshed], concurrency_limit=1,
                     concurrency_id="ingest", api_visibility="private")
        del_btn.click(page.delete, inputs=del_doc, outputs=[del_msg, *refreshed], concurrency_id="ingest",
                      api_visibility="private")
        chat_docs.change(page.suggestions, inputs=chat_docs, outputs=suggest, api_visibility="private")
        suggest.input(lambda q: q or "", inputs=suggest, outputs=question, api_visibility="private")
        last_plan = gr.State(None)  # per browser session: the previous turn's plan, for follow-ups
        for ev in (send.click, question.submit):
            ev(page.respond, inputs=[question, chat_docs, chatbot, last_plan], outputs=[chatbot, question, last_plan],
               concurrency_limit=4, api_visibility="private")
        t_doc.change(page.table_choices, inputs=t_doc, outputs=t_table, api_visibility="private")
        t_table.change(page.show_table, inputs=[t_doc, t_table], outputs=[t_meta, t_frame, dl_csv, dl_xlsx, dl_doc],
                       api_visibility="private")
        c_btn.click(page.compare, inputs=[c_docs, c_measure], outputs=[c_chart, c_table], api_visibility="private")
        a_btn.click(page.audit, inputs=a_doc, outputs=a_out, api_visibility="private")
        demo.load(page.refresh, outputs=refreshed, api_visibility="private")
        # While --demo preloads, keep the pickers current so the first visitor need not reload.
        timer = gr.Timer(2.0, active=True)
        timer.tick(lambda: page.refresh() if page.loading.is_set() or page.dense_pending() else [gr.skip()] * len(refreshed),
                   outputs=refreshed, api_visibility="private")
        gr.api(page.ask_api, api_name="ask", concurrency_limit=4)
        gr.api(page.documents_api, api_name="documents")
    return demo, page


def theme() -> gr.themes.Base:
    """System fonts only: the default theme would fetch web fonts from a remote host."""
    return gr.themes.Default(font=["system-ui", "Noto Sans CJK SC", "sans-serif"], font_mono=["monospace"])


def launch(demo: gr.Blocks, service: Service, host: str = "127.0.0.1", port: int | None = 7860,
           auth: str | None = None, prevent_thread_lock: bool = False, quiet: bool = False):
    """Start the server (queue on, analytics off, no share link); `auth` is "user:password"."""
    creds = None
    auth = auth or service.settings.auth
    if auth:
        from budgetqa.app.ui.login import LoginThrottle, parse_auth

        creds = LoginThrottle(*parse_auth(auth)).as_function()  # failed logins are slowed, then locked
    demo.queue(default_concurrency_limit=2)
    return demo.launch(server_name=host, server_port=port, auth=creds, share=False,
                       prevent_thread_lock=prevent_thread_lock, quiet=quiet, ssr_mode=False,
                       max_file_size=f"{service.settings.max_upload_mb * 2}mb",
                       theme=theme(), css=CSS, footer_links=["api"], enable_monitoring=False, pwa=False)
