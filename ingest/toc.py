"""The 目录 (table of contents) a disclosure prints on its first pages, read line by line.

Entries are kept as printed, without numbering marks' dot leaders and page numbers: 「一、收入支出
决算总表.....5」 → 一、收入支出决算总表 (page 5). The 目录 starts at a line reading 目录 and ends at
the first prose line (a sentence, or a line too long for an entry), when its first entry comes back
(the body's first heading), or after `MAX_ENTRIES`. What the entries mean (which are tables) is the
audit's business.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from budgetqa.ingest.labels import NUMBERING
from budgetqa.ingest.models import TocEntry

MAX_ENTRIES = 150
PDF_PAGES = 5  # the 目录 starts on one of the first pages …
MAX_TOC_PAGES = 4  # … and runs over a few more at most
_MARKUP = re.compile(r"<[^>]+>|\*\*|^#+|^[-*]\s+")
_TOC_WORD = re.compile(r"^(?:.{0,40}?)目\s*录$")
_LEADER = re.compile(r"[.．·…⋯_\-—]{2,}|…+")
_PAGE = re.compile(r"^(?P<t>.*?)[\s\t.．·…⋯_\-—]*(?P<p>\d{1,3})$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# a part's heading (第二部分): no table, and no wrapped tail of an entry
PART = re.compile(r"^第[一二三四五六七八九十\d]+部分")


def _clean(text: str) -> str:
    return _MARKUP.sub("", text.strip()).strip()


def read_toc(lines: Iterable[tuple[str, int | None, int | None]]) -> list[TocEntry]:
    """The 目录 entries among (text, page, line) lines; [] when no 目录 is printed."""
    entries: list[TocEntry] = []
    started = False
    for text, page, line in lines:
        t = _clean(text)
        if not started:
            started = bool(_TOC_WORD.match(re.sub(r"\s", "", t))) and len(t) <= 50
            continue
        if not t:
            continue
        title, printed = t, None
        m = _PAGE.match(t)
        if m and (_LEADER.search(t) or "\t" in t or re.search(r"\s\d{1,3}$", t)):
            title, printed = m.group("t"), int(m.group("p"))
        title = re.sub(r"\s+", " ", _LEADER.sub("", title)).strip(" .．·…\t")
        if not _CJK.search(title):
            continue  # a page number, a year or quote marks lifted off their line
        if re.search(r"[，。；]", title) or len(title) > 50:
            break
        if entries and _continues(entries[-1].title, title):
            entries[-1].title += title  # an entry wrapped: 「九、…培训费支出预算」 then 「表」
            entries[-1].printed_page = printed or entries[-1].printed_page
            continue
        first = _squeeze(entries[0].title) if entries else ""
        if entries and (_squeeze(title) == first or (len(_squeeze(title)) >= 6 and first.startswith(_squeeze(title)))):
            break  # the body's first heading (perhaps wrapped): the 目录 is over
        entries.append(TocEntry(title, printed, page, line))
        if len(entries) >= MAX_ENTRIES:
            break
    return entries


def _continues(previous: str, line: str) -> bool:
    """A short line without a numbering mark after an entry that is not yet a table's or a part's name."""
    return (len(_squeeze(line)) <= 12 and not NUMBERING.match(line) and not PART.match(line)
            and not previous.endswith(("表", "）", ")")))


def _squeeze(s: str) -> str:
    return re.sub(r"\s", "", s)


def text_toc(text: str) -> list[TocEntry]:
    """The 目录 of a text conversion (its first 300 lines)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[:300]
    return read_toc((ln, None, i + 1) for i, ln in enumerate(lines))


def pdf_toc(path: Path) -> list[TocEntry]:
    """The 目录 of a PDF, from the text of its first pages ([] when they print none or cannot be read).

    pdfium's plain text (pdfplumber's own dependency) is read, not a layout: a twentieth of the cost,
    and quotes stay on their line. Pages after the one printing 目录 are read only while the 目录 goes
    on (a province's runs over three)."""
    import pypdfium2 as pdfium

    def text(pdf, k: int) -> list[str]:
        page = pdf[k]
        try:
            return page.get_textpage().get_text_range().replace("\r\n", "\n").split("\n")
        finally:
            page.close()

    try:
        pdf = pdfium.PdfDocument(str(path))
    except Exception:  # a PDF the reader proper could parse but this pass cannot: no 目录, no harm
        return []
    try:
        n = len(pdf)
        for start in range(min(n, PDF_PAGES)):
            lines = text(pdf, start)
            if any(_TOC_WORD.match(re.sub(r"\s", "", _clean(ln))) for ln in lines[:8]):
                break
        else:
            return []

        def lines_from(first: list[str]):
            yield from ((ln, start + 1, None) for ln in first)
            for k in range(start + 1, min(n, start + 1 + MAX_TOC_PAGES)):
                yield from ((ln, k + 1, None) for ln in text(pdf, k))

        return read_toc(lines_from(lines))
    except Exception:
        return []
    finally:
        pdf.close()
