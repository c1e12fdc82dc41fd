"""Answers for people: each figure marked ✓ (verified) or ⚠ (not verified), sources beneath."""

from __future__ import annotations

from markupsafe import Markup, escape

from budgetqa.app import zh
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


def status_line(answer: Answer) -> str:
    if answer.status == "not_found":
        return "未找到：文件中没有能回答这个问题的数字"
    n = len(answer.figures)
    bad = sum(not f.verified for f in answer.figures)
    if n and not bad:
        return "全部数字已核验"
    if not n:
        return "答案不含数字" if answer.status != "unverified" else "引自说明文字，未与表格核验"
    return f"{bad} 个数字未能核验（共 {n} 个）"


def source_text(c) -> str:
    parts = [c.doc]
    if c.page:
        parts.append(f"第{c.page}页")
    elif getattr(c, "line", None):
        parts.append(f"第{c.line}行")
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
    return "ok" if status_line(answer) == "全部数字已核验" else ("bad" if answer.figures else "")


def render_answer_html(answer: Answer) -> Markup:
    """HTML for the web page: marks, a status line and expandable sources (templates/answer.html)."""
    def wrap(f):
        title = source_text(f.source) if f.source else (f.reason or "未能核验")
        return render(__file__, "figure.html", verified=f.verified, title=title, text=f.text)

    body = Markup(mark_figures(answer, wrap=wrap, between=escape))
    sources = [(source_text(c), c) for c in answer.citations]
    return render(__file__, "answer.html", answer=answer, body=body, status=status_line(answer),
                  state=status_state(answer), sources=sources)
