"""What the web page shows, as pure functions of documents and answers (no gradio here).

Kept apart from `app/ui/page.py` so each view can be tested without a server: library rows, suggested
questions built from a document's own tables, the source-table excerpt behind a verified figure,
a table as a DataFrame, and a small SVG bar chart.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

import pandas as pd

from budgetqa.app.models import Answer, Figure
from budgetqa.app.chart import bar_chart_svg as bar_chart_svg_of
from budgetqa.app.messages import ZH, Words
from budgetqa.app.render import render_answer_html, source_text
from budgetqa.app.templating import Markup, render
from budgetqa.app.ui.measures import compare_value
from budgetqa.app.ui.pageview import SourceRef
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
.bq-audit .bq-mark { display: inline-block; margin-left: .5em; padding: 0 .4em; border-radius: 3px; font-size: .85em; }
.bq-audit .bq-marked-ok .bq-mark { background: #e3f4e6; color: #106b21; }
.bq-audit .bq-marked-ignored .bq-mark { background: #eee; color: #555; }
.bq-audit li.bq-marked-ignored { color: #777; }
.bq-audit .bq-mark-note { font-size: .85em; color: #555; margin-left: .4em; }
.bq-mark-actions { display: block; font-size: .85em; }
.bq-mark-actions a { margin-right: 1.2em; color: #0b57d0; white-space: nowrap; cursor: pointer; }
.bq-upload-ok { color: #106b21; }
.bq-upload-bad { color: #b00020; font-weight: 600; }
.bq-interpretation { font-size: .85em; color: #555; margin-top: .3em; }
.bq-pages { font-size: .85em; margin-top: .4em; }
.bq-pages a.bq-open, a.bq-open { margin-right: .8em; text-decoration: none; color: #0b57d0; cursor: pointer; }
.bq-docs table, .bq-grid table { border-collapse: collapse; font-size: .85em; margin: .4em 0; }
.bq-docs th, .bq-docs td, .bq-grid th, .bq-grid td { border: 1px solid #ccc; padding: 2px 8px; }
.bq-docs td.num, .bq-grid td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.bq-grid th { background: #f3f4f6; text-align: center; }
.bq-grid tr.total td { font-weight: 600; background: #fafafa; }
.bq-grid { max-height: 620px; overflow: auto; }
.bq-textsrc pre { font-size: .8em; white-space: pre-wrap; background: #fafafa; padding: .5em; }
.bq-textsrc .line, .bq-textsrc .hit-line { display: block; }
.bq-textsrc .hit-line { background: #fff7d6; }
.bq-docs svg, #bq-chart svg { max-width: 100%; height: auto; }
.bq-textsrc .ln { color: #999; }
.bq-textsrc mark { background: #ffd84d; outline: 2px solid #c99a00; font-weight: 700; }
.bq-pv-cap { font-size: .9em; margin-bottom: .3em; }
.bq-pv-none { color: #666; font-size: .9em; }
"""

# --- library ---------------------------------------------------------------------------------
def doc_label(s) -> str:
    """A document as a person reads it in a picker: department, year, kind, file."""
    what = f"{s.year or ''}{s.scope or ''}{s.kind or ''}"
    return f"{s.department or s.file} · {what} · {s.file}" if what else f"{s.department or s.file} · {s.file}"


def library_rows(summaries, status: dict[str, str] | None = None, words: Words = ZH) -> list[list]:
    status = status or {}
    return [[s.file, s.department or "", s.year or "", f"{s.scope or ''}{s.kind or ''}", s.n_tables,
             s.pages or "", status.get(s.id, words("library.ready")), s.id] for s in summaries]


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


def excerpt_html(doc: Document, fact: Fact, around: int = 2, words: Words = ZH) -> str:
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
    pages = ",".join(map(str, table.pages))
    cap = words("sep").join([words("excerpt.unit", unit=table.unit or words("unit.none"))]
                   + ([words("where.page", page=pages)] if pages else []))
    return render(__file__, "excerpt.html", table=table, cap=cap, t=words,
                  columns=[_leaf(c) for c in table.columns], rows=rows)


def in_chinese(answer: Answer, words: Words = ZH) -> Answer:
    """The answer with the checker's English reasons (the ⚠ tooltips) and notices in Chinese (on the
    Chinese page; the English page shows them as the checker wrote them)."""
    figures = [f.model_copy(update={"reason": words.reason(f.reason)}) for f in answer.figures]
    return answer.model_copy(update={"figures": figures, "notices": [words.reason(n) for n in answer.notices]})


def doc_id_of(store, ref: str | None) -> str | None:
    """A document named by its file (or its id) as a stored id; None when the name is not one document's."""
    return store.resolve(ref) if ref else None


def citation_doc_id(store, c) -> str | None:
    """A citation's stored document: the id it carries, else its file name resolved (answers kept
    before citations carried ids)."""
    return c.doc_id if getattr(c, "doc_id", None) else doc_id_of(store, c.doc)


def citation_ref(store, c, mark: str | None = None) -> SourceRef | None:
    """What the page view opens for a citation: its page and box (PDF) or its line (text)."""
    doc_id = citation_doc_id(store, c)
    if doc_id is None or not (c.page or c.line):
        return None
    boxes = (tuple(c.bbox),) if c.bbox and c.page else ()
    text = mark or c.text or ""
    return SourceRef(doc_id, c.page, boxes, None if c.page else c.line, text)


def figure_doc_id(store, fig: Figure) -> str | None:
    """The document a figure was read from: its cited fact's id begins with the document id."""
    ids = figure_fact_ids(fig)
    if ids:
        return ids[0].split("-t", 1)[0]
    return citation_doc_id(store, fig.source) if fig.source else None


def page_label(c, words: Words = ZH) -> str:
    where = words.where(c.page, c.line)
    what = " · ".join(p for p in (c.row, c.column) if p) or (c.table or "")
    return words.label(f"{where} {what}".strip())


def source_links(answer: Answer, store, words: Words = ZH) -> list[dict]:
    """One 原页 link per distinct source of the answer (figures' cells first, then quoted sentences)."""
    links, seen = [], set()
    cites = [(f.source, f.text) for f in answer.figures if f.source] + [(c, None) for c in answer.citations]
    for c, mark in cites:
        ref = citation_ref(store, c, mark if not c.page else None)
        if ref is None:
            continue
        key = (ref.doc_id, ref.page, ref.boxes, ref.line)
        if key in seen:
            continue
        seen.add(key)
        links.append({"key": ref.key(), "label": page_label(c, words), "file": c.doc})
    return links


def answer_to_html(answer: Answer, store=None, doc_ids: list[str] | None = None, words: Words = ZH) -> str:
    """The answer with ✓/⚠ marks, its status line, a table per document when several were chosen,
    links that open each source's page, and each verified figure's source excerpt."""
    answer = in_chinese(answer, words)
    html = render_answer_html(answer, words)
    if store is None:
        return str(html)
    extra = []
    if doc_ids and len(doc_ids) > 1:
        extra.append(documents_table_html(answer, store, doc_ids, words))
    links = source_links(answer, store, words)
    if links:
        extra.append(render(__file__, "page_links.html", links=links, t=words))
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
            ex = excerpt_html(doc, f, words=words)
            if ex:
                label = words.label(source_text(fig.source, words) if fig.source else f.table_title)
                extra.append(render(__file__, "table_source.html", figure=fig.text, label=label, excerpt=ex, t=words))
    return str(html + (Markup("\n") + Markup("\n").join(extra) if extra else ""))


# --- several documents: one row each ------------------------------------------------------------
def documents_rows(answer: Answer, store, doc_ids: list[str], words: Words = ZH) -> list[dict]:
    """Per chosen document, the figures the answer gives for it (✓/⚠ each) and their sources."""
    by_doc: dict[str, list[Figure]] = {d: [] for d in doc_ids}
    for fig, d in _figure_docs(answer, store):
        if d in by_doc:
            by_doc[d].append(fig)
    rows = []
    for d, figs in by_doc.items():
        s = store.summary(d)
        name = (s.department or s.file) if s else d
        when = f"{s.year or ''}{s.kind or ''}" if s else ""
        cells = []
        for f in figs:
            ref = citation_ref(store, f.source) if f.source else None
            title = source_text(f.source, words) if f.source else (f.reason or words("figure.unverified"))
            cells.append({"text": f.text, "ok": f.verified, "title": title,
                          "key": ref.key() if ref else None})
        rows.append({"name": name, "when": when, "file": s.file if s else d, "cells": cells})
    return rows


def comparable(answer: Answer, store, doc_ids: list[str]) -> list[tuple[str, float, str]] | None:
    """Bars for the documents when each gives one verified figure of the same measure and unit; else None."""
    items, measure = [], set()
    rows = documents_rows(answer, store, doc_ids)
    figs = {}
    for fig, d in _figure_docs(answer, store):
        figs.setdefault(d, []).append(fig)
    for d, row in zip(doc_ids, rows):
        fs = figs.get(d, [])
        if len(fs) != 1 or not fs[0].verified or fs[0].source is None:
            return None
        f, c = fs[0], fs[0].source
        row_name = (c.row or "").split(" ", 1)[-1]  # the code differs between documents, the name does not
        measure.add((f.unit, c.table, row_name, c.column))
        items.append((f"{row['name']} {row['when']}", float(f.value), f.text))
    return items if len(items) > 1 and len(measure) == 1 else None


def _figure_docs(answer: Answer, store) -> list[tuple[Figure, str | None]]:
    """Each figure with its document: its cited cell's, else the one document every citation names
    (a figure quoted from a 情况说明 sentence cites no cell)."""
    cited = {citation_doc_id(store, c) for c in answer.citations} - {None}
    only = next(iter(cited)) if len(cited) == 1 else None
    return [(f, figure_doc_id(store, f) or only) for f in answer.figures]


def documents_table_html(answer: Answer, store, doc_ids: list[str], words: Words = ZH) -> Markup:
    rows = documents_rows(answer, store, doc_ids, words)
    bars = comparable(answer, store, doc_ids)
    chart = bar_chart_svg_of(bars, words("answer.compare_chart")) if bars else ""
    return render(__file__, "doc_answers.html", rows=rows, chart=chart, t=words, head=words.split("answer.docs_head"))


# --- the page view's captions -----------------------------------------------------------------
def text_source_html(doc_file: str, lines: list[dict], words: Words = ZH) -> str:
    cap = words("pv.text_caption", first=lines[0]["n"] if lines else "", last=lines[-1]["n"] if lines else "")
    return str(render(__file__, "text_source.html", file=doc_file, lines=lines, cap=cap))


# --- uploads and the audit ------------------------------------------------------------------
def upload_list_html(lines: list[tuple[str, str]]) -> str:
    """The upload list: (state, message) per file, state run (still parsing), ok or bad."""
    return str(render(__file__, "upload_log.html", lines=lines))


SEVERITIES = ("error", "warning", "rounding")


def audit_html(findings: list, link=None, marks: dict[str, tuple[str, str | None]] | None = None,
               words: Words = ZH) -> str:
    """The audit tab: counts per severity, the findings with both sources; rounding gaps folded away.

    `link(location)` gives the page view's reference of a source (or None): each source then opens its page.
    `marks` (finding id → (已确认 / 忽略, note)) are a reviewer's marks, shown beside their findings with
    the links that set or clear them (the page's script hands a link's finding and mark to the server).
    """
    marks = marks or {}
    names = {k: words(f"severity.{k}") for k in SEVERITIES}
    counts = {k: sum(f.severity == k for f in findings) for k in SEVERITIES}
    head = words("sep").join(words("audit.count", name=names[k], n=n) for k, n in counts.items() if n)
    reviewed = sum(f.id in marks for f in findings)
    if reviewed:
        head += words("sep") + words("audit.marks_count", n=reviewed)
    keys = {}
    for f in findings:
        for loc in (f.a, f.b):
            ref = link(loc) if link else None
            keys[id(loc)] = ref.key() if ref else None
    # rounding gaps (尾数误差) are normal in 万元 tables: listed, but folded away
    return str(render(__file__, "audit.html", findings=findings, names=names, head=head, t=words,
                      key=lambda loc: keys.get(id(loc)), marks={k: m for k, (m, _) in marks.items()},
                      notes={k: n for k, (_, n) in marks.items() if n},
                      label=lambda loc: audit_label(loc, words), serious=[f for f in findings if f.severity != "rounding"],
                      rounding=[f for f in findings if f.severity == "rounding"]))


def audit_label(loc, words: Words = ZH) -> str:
    """A finding's source in Chinese; a location naming nothing (no table, no sentence) says so."""
    if loc.sentence is None and not loc.table and not loc.row:
        return words("audit.unknown_source")
    return words.label(loc.label().replace("「None」", "").replace("None", "—"))


def location_ref(doc: Document, loc) -> SourceRef | None:
    """The page view of an audit location: the cell's box (table cells), or the sentence on its page."""
    if loc.sentence is not None:
        if loc.page:
            return SourceRef(doc.doc_id, loc.page, (), None, loc.sentence)
        return SourceRef(doc.doc_id, None, (), loc.line, loc.sentence) if loc.line else None
    table = next((t for t in doc.tables if t.ref == loc.table_ref), None)
    row = None
    if table is not None and loc.row:
        row = next((r for r in table.rows if f"{r.code or ''} {r.name}".strip() == loc.row or r.name == loc.row), None)
    if row is not None:
        box = row.boxes.get(loc.column) if loc.column else None
        if row.page:
            return SourceRef(doc.doc_id, row.page, (tuple(box),) if box else ())
        if row.line:
            value = row.cells.get(loc.column) if loc.column else None
            return SourceRef(doc.doc_id, None, (), row.line, _fmt(value) if value is not None else row.name)
    if loc.page:
        return SourceRef(doc.doc_id, loc.page)
    return SourceRef(doc.doc_id, None, (), loc.line) if loc.line else None


# --- tables -------------------------------------------------------------------------------
def table_label(t: Table, words: Words = ZH) -> str:
    pages = ",".join(map(str, t.pages))
    where = (words("where.page", page=pages) if pages else
             (words("where.from_line", line=t.rows[0].line) if t.rows and t.rows[0].line else ""))
    number = t.number or words("table.number", n=t.index)
    return f"{number} · {t.title} · {t.unit or words('unit.none_table')} · {where} · {words('table.rows', n=len(t.rows))}"


def table_listed(t: Table) -> bool:
    """Whether the tables tab offers a table: it has rows and is a table people know (not a stray grid)."""
    return bool(t.rows) and (t.kind != "other" or bool(t.title.strip()))


def table_frame(t: Table, words: Words = ZH) -> pd.DataFrame:
    """A table as printed: code, name, then each column (numbers as floats, texts as they are)."""
    code, item = words("excerpt.code"), words("excerpt.item")
    records = []
    for r in t.rows:
        rec = {code: r.code or "", item: r.name}
        for c in t.columns:
            v = r.cells.get(c)
            rec[c] = float(v) if v is not None else r.texts.get(c, None)
        records.append(rec)
    return pd.DataFrame.from_records(records, columns=[code, item, *t.columns])


def header_rows(columns: list[str]) -> list[list[dict]]:
    """Grouped header rows from flattened paths (本年支出/基本支出/人员经费): a cell per run of equal
    prefixes, spanning its columns; a path shorter than the deepest spans the remaining rows."""
    paths = [c.split("/") for c in columns]
    depth = max((len(p) for p in paths), default=1)
    rows: list[list[dict]] = []
    for level in range(depth):
        row: list[dict] = []
        i = 0
        while i < len(paths):
            p = paths[i]
            if len(p) <= level:  # covered by a cell above that spans down
                i += 1
                continue
            j = i + 1
            while (j < len(paths) and len(paths[j]) > level and paths[j][:level + 1] == p[:level + 1]
                   and len(p) > level + 1 and len(paths[j]) > level + 1):
                j += 1
            last = len(p) == level + 1
            row.append({"text": p[level], "colspan": j - i, "rowspan": depth - level if last else 1})
            i = j
        rows.append(row)
    return rows


def table_html(t: Table, words: Words = ZH) -> str:
    """A table as printed: grouped headers, numbers right-aligned with separators and their decimals."""
    body = []
    for r in t.rows:
        cells = []
        for c in t.columns:
            v = r.cells.get(c)
            cells.append({"num": v is not None, "text": _fmt(v) if v is not None else r.texts.get(c, "")})
        body.append({"code": r.code or "", "name": r.name, "total": r.is_total, "cells": cells})
    return str(render(__file__, "table_grid.html", table=t, head=header_rows(t.columns), depth=max(
        (c.count("/") + 1 for c in t.columns), default=1), rows=body, t=words,
        unit=words("excerpt.unit", unit=t.unit or words("unit.none"))))


# --- comparison chart ---------------------------------------------------------------------
def bar_chart_svg(items: list[tuple[str, float]], unit: str, title: str, log_scale: bool = False,
                  words: Words = ZH) -> str:
    """The compare tab's chart: one bar per document, its value in `unit`.

    log_scale: bar lengths follow log10(1 + value), so a university's budget does not flatten every
    department to a sliver; the printed figure stays the value itself.
    """
    if not items:
        return str(render(__file__, "no_measure.html", t=words))
    bars = [(label, math.log10(1 + v) if log_scale and v > 0 else v, f"{v:,.2f}") for label, v in items]
    heading = words("chart.heading_log" if log_scale else "chart.heading", title=title, unit=unit)
    return str(bar_chart_svg_of(bars, title, heading=heading))
