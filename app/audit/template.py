"""Completeness and template leftovers: what a disclosure keeps from the template it was filled in.

Placeholders never filled (XX万元, ××单位, 【】, 20XX年), and phrases left from two template branches at
once (增加持平, 增长（减少）, 增加/减少), are warnings: the figures may be right, the text is not finished.
An empty 政府性基金 / 国有资本经营 / 三公 table must say why (「本部门无…」, 「此表为空」); one that
prints nothing and says nothing, in the table or in the 情况说明, is a warning too.
"""

from __future__ import annotations

import re

from budgetqa.app.audit.model import AuditResult, Finding, Location, cell_location
from budgetqa.app.audit.written import sentence_loc
from budgetqa.ingest.models import Document, Table

# An unfilled blank: XX / ×× / ＸＸ standing for a figure, a year or a name, or an empty 【】/（ ）.
_PLACEHOLDER = re.compile(r"(?<![A-Za-z])(?:[XＸ]{2,}|[×]{2,}|＊{2,})(?![A-Za-z])|【\s*】|20[XＸ×]{2}\s*年")
# Two branches of a template sentence left side by side.
_LEFTOVER = re.compile(r"增加持平|减少持平|增长持平|下降持平|增加（减少）|增长（下降）|增加\(减少\)|增长\(下降\)|增加/减少|增长/下降"
                       r"|增加或减少|（增加/减少）")


def check_template(doc: Document, result: AuditResult) -> None:
    """Placeholders and leftovers in the prose: one warning per paragraph and kind, with its count."""
    for para in doc.paragraphs:
        text = para.text
        for rx, check, what, cue in ((_PLACEHOLDER, "document.placeholder", "模板占位符", "XＸ×＊【"),
                                     (_LEFTOVER, "document.leftover", "模板残留用语", "持（(/或")):
            if not any(c in text for c in cue):
                continue  # most paragraphs hold no cue character: skip the pattern
            hits = list(rx.finditer(text))
            if not hits:
                continue
            hit = hits[0]
            start = max(max(text.rfind(c, 0, hit.start()) for c in "。；;") + 1, hit.start() - 60)
            end = min([i for i in (text.find(c, hit.end()) for c in "。；;") if i != -1] or [len(text)])
            sentence = text[start: end + 1]
            loc = sentence_loc(doc, para, sentence)
            more = f"（本段共 {len(hits)} 处）" if len(hits) > 1 else ""
            result.findings.append(Finding(
                "warning", check, loc, loc, None, None, None, None,
                f"说明中留有{what}「{hit.group(0)}」{more}，请补全或删去：{sentence.strip()[:60]}"))


# Tables the templates allow to be empty, with a note saying so; and the words of such a note.
_MAY_BE_EMPTY = re.compile(r"政府性基金|国有资本经营|三公")
_NOTE = re.compile(r"无|没有|空表|为空|不涉及|未安排|未发生|本表本年无|为0|为零|0\.00\s*万元")


def check_empty_tables(doc: Document, result: AuditResult) -> None:
    """An empty fund or 三公 table with no note, neither in the table nor in the prose about its fund."""
    prose = " ".join(p.text for p in doc.paragraphs)
    for t in doc.tables:
        fund = _MAY_BE_EMPTY.search(t.kind) or _MAY_BE_EMPTY.search(t.title)
        if fund is None or t.side == "支出" or _prints_figures(t):
            continue
        words = " ".join([t.title, *(r.name for r in t.rows), *(v for r in t.rows for v in r.texts.values())])
        if _NOTE.search(words):
            continue
        # 「本部门无 2022 年国有资本经营预算支出」 or 「国有资本经营预算支出为 0」: the note on either side
        said = [m for m in re.finditer(fund.group(0), prose) if _NOTE.search(prose[max(0, m.start() - 30): m.end() + 60])]
        if said:
            continue
        loc = cell_location(doc, t, None, None)
        result.findings.append(Finding(
            "warning", "document.empty_table", loc, Location(document=doc.file), None, None, None, None,
            f"{loc.label()} 没有数字，表内和说明中也未注明「本部门无{fund.group(0)}…」，请补充空表说明。"))


_FUNDS = re.compile(r"政府性基金|国有资本经营")
_NONE_BEFORE = re.compile(r"(?:本|我)(?:部门|单位|局|院|委|办)[^。；，,]{0,12}(?:无|没有|未安排|不涉及)[^。；]{0,12}$")
_NONE_AFTER = re.compile(r"^[^。；，,]{0,24}?(?:为\s*0(?:\.0+)?\s*(?:万元|元)?|为零|\s0(?:\.0+)?\s*万元)")


def says_none(doc: Document, kind: str) -> bool:
    """The prose says the department has none of the fund a table is for (「本部门无当年国有资本经营预算
    拨款收支」, 「当年国有资本经营预算拨款 0 万元」): the table may rightly be left out."""
    fund = _FUNDS.search(kind)
    if fund is None:
        return False
    for p in doc.paragraphs:
        for m in re.finditer(fund.group(0), p.text):
            if _NONE_BEFORE.search(p.text[max(0, m.start() - 30): m.start()]) or _NONE_AFTER.search(p.text[m.end(): m.end() + 40]):
                return True
    return False


def _prints_figures(t: Table) -> bool:
    return any(v is not None and v != 0 for r in t.rows for v in r.cells.values())
