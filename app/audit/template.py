"""Completeness and template leftovers: what a disclosure keeps from the template it was filled in.

Placeholders never filled (XX万元, ××单位, 【】, 20XX年), and phrases left from two template branches at
once (增加持平, 增长（减少）, 增加/减少), are warnings: the figures may be right, the text is not finished.
"""

from __future__ import annotations

import re

from budgetqa.app.audit.model import AuditResult, Finding
from budgetqa.app.audit.written import sentence_loc
from budgetqa.ingest.models import Document

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
