"""Answers for people: each figure marked ✓ (verified) or ⚠ (not verified), sources beneath."""

from __future__ import annotations

from markupsafe import Markup, escape

from budgetqa.app import zh
from budgetqa.app.messages import ZH, Words
from budgetqa.app.models import Answer
from budgetqa.app.templating import render

OK, BAD = "✓", "⚠"


def mark_figures(answer: Answer, ok: str = OK, bad: str = BAD, wrap=None, between=lambda s: s) -> str:
    """The answer text with a mark after each figure the checker looked at.

    `wrap(figure)` renders a figure (HTML spans); `between(text)` renders the text around them (escaping).
    """
    text, out, pos = answer.answer, [], 0
    for f in answer.figures:
        i = text.find(f.text, pos)
        if i < 0:
            continue
        end = i + len(f.text)
        out.append(between(text[pos:i]) + (wrap(f) if wrap else f.text) + (ok if f.verified else bad))
        pos = end
    out.append(between(text[pos:]))
    return "".join(out)


def status_line(answer: Answer, words: Words = ZH) -> str:
    if answer.status == "not_found":
        return words("status.not_found")
    n = len(answer.figures)
    bad = sum(not f.verified for f in answer.figures)
    if n and not bad:
        return words("status.all_verified")
    if not n:
        return words("status.no_figures") if answer.status != "unverified" else words("status.prose")
    return words("status.some_unverified", bad=bad, n=n)


def source_text(c, words: Words = ZH) -> str:
    parts = [c.doc]
    where = words.where(c.page, getattr(c, "line", None))
    if where:
        parts.append(where)
    for p in (c.table, c.row, c.column):
        if p:
            parts.append(p)
    return " · ".join(parts)


def render_answer_text(answer: Answer, store=None) -> str:
    lines = [mark_figures(answer), ""]
    if answer.interpretation:
        lines += answer.interpretation.splitlines()
    lines.append(f"[{status_line(answer)}]")
    for n in answer.notices:
        lines.append(f"注意：{zh.reason(n)}")
    if answer.citations:
        lines.append("来源：")
        for c in answer.citations:
            extra = f"：{c.text}" if c.text and not c.column else (f" = {c.text}" if c.text else "")
            lines.append(f"  - {source_text(c)}{extra}")
    unverified = [f for f in answer.figures if not f.verified and f.reason]
    for f in unverified:
        lines.append(f"  {BAD} {f.text}：{zh.reason(f.reason)}")
    return "\n".join(lines)


def status_state(answer: Answer) -> str:
    """The status line's class: ok (every figure verified), bad (some not), "" (no figures)."""
    every = answer.status != "not_found" and answer.figures and all(f.verified for f in answer.figures)
    return "ok" if every else ("bad" if answer.figures else "")


def render_answer_html(answer: Answer, words: Words = ZH) -> Markup:
    """HTML for the web page: marks, a status line and expandable sources (templates/answer.html)."""
    def wrap(f):
        title = source_text(f.source, words) if f.source else (f.reason or words("figure.unverified"))
        return render(__file__, "figure.html", verified=f.verified, title=title, text=f.text)

    body = Markup(mark_figures(answer, wrap=wrap, between=escape))
    sources = [(source_text(c, words), c) for c in answer.citations]
    return render(__file__, "answer.html", answer=answer, body=body, status=status_line(answer, words),
                  state=status_state(answer), sources=sources, t=words)
