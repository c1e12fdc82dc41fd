"""What the web page shows, as pure functions of documents and answers (no gradio here).

Kept apart from `app/ui.py` so each view can be tested without a server: library rows, suggested
questions built from a document's own tables, the source-table excerpt behind a verified figure,
a table as a DataFrame, and a small SVG bar chart.
"""

from __future__ import annotations

import re
from decimal import Decimal
from html import escape

import pandas as pd

from budgetqa.app.models import Answer, Figure
from budgetqa.app.render import render_answer_html, source_text, status_line
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
    cols = table.columns
    head = "".join(f"<th>{escape(_leaf(c))}</th>" for c in cols)
    body = []
    for i in range(lo, hi):
        r = table.rows[i]
        hit_row = i == fact.row_index
        cells = []
        for c in cols:
            cls = ' class="hit"' if hit_row and c == fact.column else ""
            cells.append(f"<td{cls}>{escape(_fmt(r.cells.get(c)) or r.texts.get(c, ''))}</td>")
        name = escape(f"{r.code or ''} {r.name}".strip())
        tr = '<tr class="hit-row">' if hit_row else "<tr>"
        body.append(f'{tr}<td class="name">{name}</td>{"".join(cells)}</tr>')
    pages = ",".join(map(str, table.pages)) if table.pages else ""
    cap = f"{escape(table.title)}（单位：{escape(table.unit or '未注明')}{'，第' + pages + '页' if pages else ''}）"
    return (f'<div class="bq-excerpt"><div class="cap">{cap}</div><table><thead><tr><th>项目</th>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def answer_to_html(answer: Answer, store=None) -> str:
    """The answer with ✓/⚠ marks, its status line, and each verified figure's source excerpt."""
    html = render_answer_html(answer)
    # render.py's status div carries no state class; add one so ✓ / ⚠ status reads at a glance
    state = "ok" if status_line(answer) == "全部数字已核验" else ("bad" if answer.figures else "")
    html = html.replace('<div class="bq-status">', f'<div class="bq-status {state}">', 1)
    if store is None:
        return html
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
                label = escape(source_text(fig.source)) if fig.source else escape(f.table_title)
                excerpts.append(f"<details class=\"bq-table-src\"><summary>{escape(fig.text)} ✓ 原表：{label}"
                                f"</summary>{ex}</details>")
    return html + ("\n" + "\n".join(excerpts) if excerpts else "")


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
    """A horizontal bar chart as inline SVG: no plotting library, nothing fetched."""
    if not items:
        return "<p>所选文件中没有这一指标。</p>"
    width, bar_h, gap, label_w = 760, 26, 10, 300
    top = max(v for _, v in items) or 1.0
    height = len(items) * (bar_h + gap) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}" font-size="13">',
             f'<text x="0" y="16" font-weight="bold">{escape(title)}（{escape(unit)}）</text>']
    for i, (label, v) in enumerate(items):
        y = 30 + i * (bar_h + gap)
        w = max(1.0, (width - label_w - 110) * (v / top)) if v > 0 else 1.0
        parts.append(f'<text x="0" y="{y + 17}">{escape(label[:22])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#4a78b5"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 17}">{v:,.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)
