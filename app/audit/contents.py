"""The 目录 against the tables: a table it lists that the document lacks, a standard table it leaves out.

Entries and tables are matched by title, never by printed number: both normalised (numbering,
blanks, quotes, 表N / 预算表N / 公开NN表 and years dropped) and equal, or the entry's title
classified as the table's standard kind (目录「一般公共预算财政拨款
支出决算表」 for 「一般公共预算财政拨款收入支出决算表」). Conservative on purpose:
- a listed table the parser did not rebuild is no document error: when the entry's title is printed
  anywhere after the 目录 (a heading, a paragraph), nothing is reported;
- a 目录 that lists fewer than three tables, a document shorter than the pages its 目录 names, or one
  missing more than half of what it lists (an extract, or a 目录 misread) gives no finding;
- only the core standard tables must be listed (绩效 forms and extra tables are often 附件).
"""

from __future__ import annotations

import re
from functools import lru_cache

from budgetqa.app.audit.model import AuditResult, Finding, Location, cell_location
from budgetqa.ingest.classify import PERFORMANCE_KINDS, STANDARD_KINDS, classify
from budgetqa.ingest.grams import bigrams
from budgetqa.ingest.labels import strip_numbering
from budgetqa.ingest.models import Document, Paragraph, Table, TocEntry
from budgetqa.ingest.toc import PART

_NUMBER = re.compile(r"[（(]?(?:预算表|公开|附表|表)\s*[\d一二三四五六七八九十]+\s*表?[)）]?|[（(]\s*[)）]")
_YEAR = re.compile(r"20\d\d\s*年度?")
_MARKUP = re.compile(r"<[^>]+>|\*\*")
_NOISE = re.compile(r"[\s\u3000“”\"'‘’《》·]")
_SECTION = re.compile(r"^(?:(?:部门|单位)(?:预算|决算)?|预算|决算|公开|报)*(?:报)?表$")
# A part's name with the department in it: 四、2026年湖州市退役军人事务局部门预算表
_DEPT_SECTION = re.compile(r"(?:部门|单位)(?:预算|决算)(?:公开)?报?表$")
_QUALIFIER = re.compile(r"(?:[（(][^（()）]*[)）])+$")  # （按功能分类科目）
MIN_LISTED = 3
# Titles this alike are one table printed two ways (…贷款情况表（分地区） / …贷款分地区情况表): Dice
# on character bigrams. Matching more loosely only makes both findings rarer.
SIMILAR = 0.8


def norm(title: str) -> str:
    """A title without numbering, years, table numbers, quotes and blanks."""
    s = _NOISE.sub("", strip_numbering(re.sub(r"^[-*]\s*", "", _MARKUP.sub("", title).strip())))
    s = strip_numbering(s)
    s = _NUMBER.sub("", _YEAR.sub("", s))
    return re.sub(r"^\d+[.．、]", "", s)


def listed_tables(doc: Document) -> list[tuple[TocEntry, str]]:
    """The 目录 entries that name a table (not a part, a section or a 说明), with their normalised titles."""
    out = []
    for e in doc.toc:
        if PART.match(re.sub(r"\s", "", e.title)):
            continue
        n = norm(e.title)
        bare = _QUALIFIER.sub("", n)
        if not bare.endswith("表") or len(bare) < 4 or _SECTION.match(bare):
            continue
        if _DEPT_SECTION.search(bare) and (doc.department or "") and classify(bare, "", doc.kind) == "other":
            continue
        out.append((e, n))
    return out


def check_contents(doc: Document, result: AuditResult) -> None:
    _bigrams.cache_clear()  # each title's bigrams once within the document, not kept past it
    listed = listed_tables(doc)
    if len(listed) < MIN_LISTED:
        return
    tables = list({t.index: t for t in doc.tables if t.side != "支出"}.values())
    titles = [(t, norm(t.title.split("/")[0])) for t in tables]
    entry_kinds = [classify(n, "", doc.kind) for _, n in listed]
    matched: set[int] = set()
    absent: list[tuple[TocEntry, str]] = []
    for (e, n), kind in zip(listed, entry_kinds):
        hits = _same_tables(n, kind, titles)
        matched.update(t.index for t in hits)
        if not hits:
            absent.append((e, n))
    if absent:  # named in the body (a table printed as text) is no absence
        body = _body_texts(doc)
        absent = [(e, n) for e, n in absent if not any(n in b for b in body)]
    if absent and not _extract(doc, listed, absent):
        for e, _ in absent:
            loc = _entry_loc(doc, e)
            result.findings.append(Finding(
                "warning", "document.toc_absent", loc, Location(document=doc.file), None, None, None, None,
                f"目录列出「{e.title}」，但文件中未找到该表（正文中也没有这个表名）：请确认是否漏印了这张表。"))
    core = _core_kinds(doc)
    for t in tables:
        if t.index in matched or t.kind not in core:
            continue
        loc = cell_location(doc, t, None, None)
        toc = _entry_loc(doc, listed[0][0])
        toc.row = None
        result.findings.append(Finding(
            "warning", "document.toc_unlisted", loc, toc, None, None, None, None,
            f"{loc.label()} 未列入目录（目录列出 {len(listed)} 张表）：请在目录中补列，或核对表名。"))


def _same_tables(entry: str, entry_kind: str, titles: list[tuple[Table, str]]) -> list[Table]:
    """The tables an entry names: the same title, the same standard kind, or (tables of no standard kind)
    one title inside the other, or titles nearly alike. Containment alone would let 「支出决算表」 stand for
    every 支出 table. The cheap tests come first: a 目录 of 44 entries meets 230 tables (黑龙江)."""
    a = _bigrams(entry)
    la = len(a)
    out = []
    for t, tn in titles:
        if tn == entry or (entry_kind != "other" and entry_kind == t.kind):
            out.append(t)
        elif entry_kind == "other" == t.kind and min(len(entry), len(tn)) >= 4 and (entry in tn or tn in entry):
            out.append(t)
        elif la:
            b = _bigrams(tn)
            # the length bound first: where the shared bigrams cannot reach the bar, they are not counted
            if b and 2 * min(la, len(b)) >= SIMILAR * (la + len(b)) and 2 * len(a & b) / (la + len(b)) >= SIMILAR:
                out.append(t)
    return out


@lru_cache(maxsize=4096)
def _bigrams(s: str) -> frozenset[str]:
    """Each title's bigrams once: a 目录 of 30 entries meets 130 tables (黑龙江)."""
    return frozenset(bigrams(s))


def _core_kinds(doc: Document) -> set[str]:
    kinds = STANDARD_KINDS.get(doc.kind or "", [])
    return {k for k in kinds if k not in PERFORMANCE_KINDS and k != "相关信息统计表"}


def _extract(doc: Document, listed: list, absent: list) -> bool:
    """The document is a part of what its 目录 describes (or the 目录 was misread): no finding."""
    printed = [e.printed_page for e, _ in listed if e.printed_page]
    if doc.pages and printed and max(printed) > doc.pages:
        return True
    return len(absent) * 2 > len(listed)


def _toc_run(doc: Document) -> int:
    """How many leading paragraphs are the cover and the 目录 itself (its lines read as paragraphs)."""
    entries = {_NOISE.sub("", e.title) for e in doc.toc}
    last_page = max((e.page for e in doc.toc if e.page), default=None)
    i = 0
    for p in doc.paragraphs:
        text = _NOISE.sub("", p.text)
        if "目录" in text or text in entries or (last_page is not None and p.page is not None and p.page < last_page):
            i += 1
            continue
        break
    return i


def _body_texts(doc: Document) -> list[str]:
    """Paragraphs and headings after the 目录, normalised as titles are."""
    paras: list[Paragraph] = doc.paragraphs[_toc_run(doc):]
    seen: set[str] = set()
    for p in paras:
        seen.add(p.text)
        seen.update(p.heading_path)
    return [norm(s) for s in seen]


def _entry_loc(doc: Document, e: TocEntry) -> Location:
    return Location(document=doc.file, page=e.page, table="目录", row=e.title, line=e.line)
