"""What the web page shows, as pure functions of documents and answers (no gradio here).

Kept apart from `app/ui/page.py` so each view can be tested without a server: library rows, suggested
questions built from a document's own tables, the source-table excerpt behind a verified figure,
a table as a DataFrame, and a small SVG bar chart.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd

from budgetqa.app.models import Answer, Figure
from budgetqa.app.chart import bar_chart_svg as bar_chart_svg_of
from budgetqa.app.render import render_answer_html, source_text
from budgetqa.app.templating import Markup, render
from budgetqa.app.ui.measures import compare_value
from budgetqa.ingest.models import Document, Fact, Table

FACT_ID = re.compile(r"[0-9a-f]{12}-t\d+[ie]?-r\d+-c-?\d+")

CSS = """
.fig-ok { color: #106b21; font-weight: 600; }
.fig-bad { color: #a4480a; font-weight: 600; }
.bq-status { margin-top: .4em; font-size: .9em; color: #444; }
.bq-status.ok { color: #106b21; }
.bq-status.bad { color: #a4480a; }
.bq-notice { color: #a4480a; font-size: .9em; }
.bq-sources ul { margin: .2em 0 .2em 1.2em; padding: 0; }
.bq-excerpt table { border-collapse: collapse; font-size: .82em; margin: .3em 0; }
.bq-excerpt th, .bq-excerpt td { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
.bq-excerpt td.name { text-align: left; }
.bq-excerpt tr.hit-row td { background: #fff7d6; }
.bq-excerpt td.hit { background: #ffd84d !important; font-weight: 700; outline: 2px solid #c99a00; }
.bq-excerpt .cap { font-size: .8em; color: #555; }
.bq-audit .sev-error b { color: #b00020; }
.bq-audit .sev-warning b { color: #a4480a; }
.bq-audit .sev-rounding b { color: #666; }
.bq-audit li { margin-bottom: .4em; }
.bq-upload-ok { color: #106b21; }
.bq-upload-bad { color: #b00020; font-weight: 600; }
"""

LIBRARY_HEADERS = ["文件", "部门", "年度", "类型", "表格数", "页数", "状态", "id"]


# --- library ---------------------------------------------------------------------------------
def doc_label(s) -> str:
    """A document as a person reads it in a picker: department, year, kind, file."""
    what = f"{s.year or ''}{s.scope or ''}{s.kind or ''}"
    return f"{s.department or s.file} · {what} · {s.file}" if what else f"{s.department or s.file} · {s.file}"


def library_rows(summaries, status: dict[str, str] | None = None) -> list[list]:
    status = status or {}
    return [[s.file, s.department or "", s.year or "", f"{s.scope or ''}{s.kind or ''}", s.n_tables,
             s.pages or "", status.get(s.id, "可提问"), s.id] for s in summaries]


# --- suggested questions --------------------------------------------------------------------
def _first_coded_row(table: Table):
    for r in table.rows:
        if r.code and any(v for v in r.cells.values()):
            return r
    return None


def _leaf(column: str) -> str:
    return column.split("/")[-1]


def suggested_questions(doc: Document, limit: int = 4) -> list[str]:
    """Questions this document can answer, built from its parsed tables (not a fixed list)."""
    final = doc.kind != "预算"
    ledger = "决算数" if final else "预算数"
    year = f"{doc.year}年" if doc.year else ""
    out: list[str] = []
    kinds = {t.kind for t in doc.tables}
    if compare_value(doc, "三公经费") is not None:  # only when the tables really give the total
        out.append(f"{year}“三公”经费{ledger}是多少？")
    spend = "支出决算表" if final else "支出预算表"
    for t in doc.tables:
        if t.kind == spend:
            row = _first_coded_row(t)
            col = next((c for c in t.columns if _leaf(c) == "基本支出"), None)
            if row and col:
                out.append(f"{spend}中，{row.name}的基本支出是多少？")
            break
    gen = "一般公共预算财政拨款支出决算表" if final else "一般公共预算支出预算表"
    for t in doc.tables:
        if t.kind == gen:
            row = next((r for r in t.rows if r.code and len(r.code) == 7 and any(r.cells.values())), None)
            if row:
                out.append(f"{gen}中，{row.name}（{row.code}）的合计是多少？")
            break
    basic = "一般公共预算财政拨款基本支出决算明细表" if final else "一般公共预算基本支出预算表"
    if basic in kinds:
        t = next(t for t in doc.tables if t.kind == basic)
        row = next((r for r in t.rows if r.code and len(r.code) == 5 and any(r.cells.values())), None)
        if row:
            out.append(f"基本支出中{row.name}（{row.code}）是多少？")  # the code pins the economic subject
    return out[:limit]


# --- answers with their source excerpts -------------------------------------------------------
def figure_fact_ids(fig: Figure) -> list[str]:
    """Fact ids a verified figure rests on, read from its derivation label (cell(…), sum(…), …)."""
    return FACT_ID.findall(fig.derivation or "")


def find_table(doc: Document, fact: Fact) -> Table | None:
    for t in doc.tables:
        if t.index == fact.table_index and (t.side or None) == (fact.side or None):
            return t
    return None


def _fmt(v: Decimal | None) -> str:
    if v is None:
        return ""
    return f"{v:,}"


def excerpt_html(doc: Document, fact: Fact, around: int = 2) -> str:
    """A few rows of the source table around the cited row, the cited cell highlighted."""
    table = find_table(doc, fact)
    if table is None or not (0 <= fact.row_index < len(table.rows)):
        return ""
    lo, hi = max(0, fact.row_index - around), min(len(table.rows), fact.row_index + around + 1)
    rows = []
    for i in range(lo, hi):
        r = table.rows[i]
        hit = i == fact.row_index
        cells = [{"hit": hit and c == fact.column, "text": _fmt(r.cells.get(c)) or r.texts.get(c, "")} for c in table.columns]
        rows.append({"hit": hit, "name": f"{r.code or ''} {r.name}".strip(), "cells": cells})
    return render(__file__, "excerpt.html", table=table, pages=",".join(map(str, table.pages)),
                  columns=[_leaf(c) for c in table.columns], rows=rows)


def answer_to_html(answer: Answer, store=None) -> str:
    """The answer with ✓/⚠ marks, its status line, and each verified figure's source excerpt."""
    html = render_answer_html(answer)
    if store is None:
        return str(html)
    excerpts = []
    for fig in answer.figures:
        ids = figure_fact_ids(fig)
        if not fig.verified or not ids:
            continue
        facts = store.facts_by_id(ids)
        for fid in ids:
            f = facts.get(fid)
            if f is None:
                continue
            try:
                doc = store.document(f.doc_id)
            except KeyError:
                continue
            ex = excerpt_html(doc, f)
            if ex:
                label = source_text(fig.source) if fig.source else f.table_title
                excerpts.append(render(__file__, "table_source.html", figure=fig.text, label=label, excerpt=ex))
    return str(html + (Markup("\n") + Markup("\n").join(excerpts) if excerpts else ""))


# --- uploads and the audit ------------------------------------------------------------------
def upload_list_html(lines: list[tuple[str, str]]) -> str:
    """The upload list: (state, message) per file, state run (still parsing), ok or bad."""
    return str(render(__file__, "upload_log.html", lines=lines))


AUDIT_SEVERITY = {"error": "不一致", "warning": "提示", "rounding": "尾数误差"}


def audit_html(findings: list) -> str:
    """The audit tab: counts per severity, the findings with both sources; rounding gaps folded away."""
    counts = {k: sum(f.severity == k for f in findings) for k in AUDIT_SEVERITY}
    head = "，".join(f"{AUDIT_SEVERITY[k]} {n} 处" for k, n in counts.items() if n)
    # rounding gaps (尾数误差) are normal in 万元 tables: listed, but folded away
    return str(render(__file__, "audit.html", findings=findings, names=AUDIT_SEVERITY, head=head,
                      serious=[f for f in findings if f.severity != "rounding"],
                      rounding=[f for f in findings if f.severity == "rounding"]))


# --- tables -------------------------------------------------------------------------------
def table_label(t: Table) -> str:
    pages = ",".join(map(str, t.pages))
    return f"{t.ref} · {t.title} · {t.kind} · {t.unit or '单位未注明'} · 第{pages}页 · {len(t.rows)}行"


def table_frame(t: Table) -> pd.DataFrame:
    """A table as printed: code, name, then each column (numbers as floats, texts as they are)."""
    records = []
    for r in t.rows:
        rec = {"编码": r.code or "", "项目": r.name}
        for c in t.columns:
            v = r.cells.get(c)
            rec[c] = float(v) if v is not None else r.texts.get(c, None)
        records.append(rec)
    return pd.DataFrame.from_records(records, columns=["编码", "项目", *t.columns])


# --- comparison chart ---------------------------------------------------------------------
def bar_chart_svg(items: list[tuple[str, float]], unit: str, title: str) -> str:
    """The compare tab's chart: one bar per document, its value in `unit`."""
    if not items:
        return str(render(__file__, "no_measure.html"))
    return str(bar_chart_svg_of([(label, v, f"{v:,.2f}") for label, v in items], title, heading=f"{title}（{unit}）"))
