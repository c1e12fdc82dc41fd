"""Presenting an eval run: plain-text summary, comparison with a previous run, self-contained HTML page."""

from __future__ import annotations

import json
from html import escape

# ---------------------------------------------------------------- text


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _secs(x: float | None) -> str:
    return "—" if x is None else f"{x * 1000:.0f} ms" if x < 10 else f"{x:.1f} s"


def text_summary(run: dict) -> str:
    """The run's figures for a terminal: accuracy overall / per kind / per document, checker, latency."""
    s = run["summary"]
    lines = [f"accuracy {_pct(s['accuracy'])} ({s['right']}/{s['n']})  ·  checker failures {s['checker_failures']}"
             f"  ·  right but unverified {s['right_unverified']}  ·  latency p50 {_secs(s['latency']['p50'])}"
             f" p95 {_secs(s['latency']['p95'])}"]
    if s["errors"]:
        lines.append(f"errors {s['errors']} (documents missing or ask raised)")
    lines.append("")
    lines.append("by kind:")
    lines += [f"  {k:<13} {_pct(v['accuracy']):>7}  {v['right']}/{v['n']}" for k, v in s["by_kind"].items()]
    lines.append("by document:")
    lines += [f"  {d:<40} {_pct(v['accuracy']):>7}  {v['right']}/{v['n']}" for d, v in s["by_doc"].items()]
    wrong = [i for i in run["items"] if not i["score"]["right"]]
    if wrong:
        lines.append("")
        lines.append("wrong:")
        for i in wrong:
            flag = " [CHECKER FAILURE]" if i["score"]["checker_failure"] else ""
            lines.append(f"  {i['id']} {i['kind']}{flag}: {i['score']['detail'] or i['error']}")
    return "\n".join(lines)


# ---------------------------------------------------------------- compare


def compare(previous: dict, current: dict) -> dict:
    """Items that got better / worse since `previous`, and accuracy deltas overall and per kind."""
    before = {i["id"]: i["score"]["right"] for i in previous.get("items", [])}
    better, worse = [], []
    for i in current["items"]:
        was = before.get(i["id"])
        if was is None or was == i["score"]["right"]:
            continue
        (better if i["score"]["right"] else worse).append({"id": i["id"], "kind": i["kind"], "question": i["question"],
                                                          "detail": i["score"]["detail"]})

    def delta(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else round(b - a, 4)

    ps, cs = previous.get("summary", {}), current["summary"]
    kinds = {k: delta(ps.get("by_kind", {}).get(k, {}).get("accuracy"), v["accuracy"])
             for k, v in cs["by_kind"].items()}
    return {
        "accuracy": delta(ps.get("accuracy"), cs["accuracy"]),
        "by_kind": kinds,
        "checker_failures": cs["checker_failures"] - ps.get("checker_failures", 0),
        "better": better,
        "worse": worse,
        "new": [i["id"] for i in current["items"] if i["id"] not in before],
    }


def compare_text(c: dict) -> str:
    def d(x: float | None) -> str:
        return "—" if x is None else f"{x * 100:+.1f} pts"

    lines = [f"compared with previous: accuracy {d(c['accuracy'])}, checker failures {c['checker_failures']:+d}"]
    lines += [f"  {k:<13} {d(v)}" for k, v in c["by_kind"].items()]
    for label in ("better", "worse"):
        if c[label]:
            lines.append(f"{label}:")
            lines += [f"  {i['id']} {i['kind']}: {i['question']}  ({i['detail']})" for i in c[label]]
    if c["new"]:
        lines.append(f"new items: {', '.join(c['new'])}")
    return "\n".join(lines)


def perturb_text(summary: dict) -> str:
    s = summary
    lines = [f"perturbations flagged {_pct(s['flagged_share'])} ({s['flagged']}/{s['perturbations']})  ·  faithful "
             f"answers wrongly flagged {_pct(s['faithful_flagged_share'])} ({s['faithful_flagged']}/{s['faithful']})"]
    lines += [f"  {t:<17} {_pct(v['share']):>7}  {v['flagged']}/{v['n']}" for t, v in s["by_type"].items()]
    for label, key in (("got through", "got_through"), ("faithful flagged", "faithful_wrongly_flagged")):
        for c in s[key]:
            lines.append(f"{label}: {c['item_id']} {c['type']}: {c['text']}  ({c['note']})")
    if s["skipped"]:
        lines.append(f"skipped {len(s['skipped'])}: " + "; ".join(f"{k} {v}" for k, v in s["skipped"].items()))
    return "\n".join(lines)


# ---------------------------------------------------------------- html

_CSS = """
body{font:14px/1.5 system-ui,'Noto Sans CJK SC','PingFang SC',sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f4f4f4}.ok{color:#1a7f37}.bad{color:#c62828}.cf{background:#fdecea}
.figs{margin:0;padding-left:1.2em}.muted{color:#777}pre{white-space:pre-wrap;margin:0}
.kpi span{display:inline-block;margin-right:2em}
"""


def _bar_chart(by_kind: dict) -> str:
    """Inline SVG: one horizontal bar per kind, its accuracy."""
    row_h, label_w, bar_w = 24, 110, 360
    h = row_h * len(by_kind) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 110}" height="{h}" '
             f'role="img" aria-label="accuracy per kind">']
    for n, (kind, v) in enumerate(by_kind.items()):
        y = 5 + n * row_h
        acc = v["accuracy"] or 0
        parts.append(f'<text x="0" y="{y + 15}" font-size="13">{escape(kind)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{bar_w}" height="{row_h - 8}" fill="#eee"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{bar_w * acc:.1f}" height="{row_h - 8}" fill="#4c8bf5"/>')
        parts.append(f'<text x="{label_w + bar_w + 8}" y="{y + 15}" font-size="13">'
                     f'{acc * 100:.0f}% ({v["right"]}/{v["n"]})</text>')
    parts.append("</svg>")
    return "".join(parts)


def _figures_html(answer: dict | None) -> str:
    if not answer or not answer.get("figures"):
        return '<span class="muted">no figures</span>'
    items = []
    for f in answer["figures"]:
        mark = '<span class="ok">✓ verified</span>' if f["verified"] else '<span class="bad">⚠ unverified</span>'
        src = f.get("source") or {}
        where = " · ".join(str(x) for x in (src.get("table"), src.get("row"), src.get("column")) if x)
        extra = escape(f"{f.get('derivation') or ''} {where}".strip()) if f["verified"] else escape(f.get("reason") or "")
        items.append(f"<li>{escape(f['text'])} {mark} <span class='muted'>{extra}</span></li>")
    return f"<ul class='figs'>{''.join(items)}</ul>"


def _evidence_html(ev: dict, computation: str | None) -> str:
    parts = [f"<b>{escape(k)}</b>: {escape(str(v))}" for k, v in ev.items() if v not in (None, "")]
    if computation:
        parts.append(f"<b>computation</b>: {escape(computation)}")
    return "<br>".join(parts)


def html_report(run: dict, comparison: dict | None = None) -> str:
    """One self-contained page: figures, a bar chart per kind, every failure in full, the settings."""
    s = run["summary"]
    failures = [i for i in run["items"] if not i["score"]["right"]]
    rows = []
    for i in failures:
        a = i.get("answer") or {}
        cls = ' class="cf"' if i["score"]["checker_failure"] else ""
        tag = "<br><b class='bad'>checker failure</b>" if i["score"]["checker_failure"] else ""
        gold = i["gold"]
        rows.append(
            f"<tr{cls}><td>{escape(i['id'])}<br><span class='muted'>{escape(i['kind'])}</span>{tag}</td>"
            f"<td>{escape(i['question'])}<br><span class='muted'>{escape(i['doc'])}</span></td>"
            f"<td><pre>{escape(a.get('answer') or i.get('error') or '')}</pre>"
            f"<span class='muted'>status: {escape(a.get('status') or '—')}</span></td>"
            f"<td>{escape(gold.get('text') or '')}<br><span class='muted'>value {escape(str(gold.get('value')))} "
            f"{escape(str(gold.get('unit') or ''))} ±{escape(str(i.get('tolerance') or 0))}</span></td>"
            f"<td>{_evidence_html(i.get('evidence') or {}, i.get('computation'))}</td>"
            f"<td>{_figures_html(a)}<span class='muted'>{escape(i['score']['detail'] or '')}</span></td></tr>"
        )
    docs = "".join(f"<tr><td>{escape(d)}</td><td>{_pct(v['accuracy'])}</td><td>{v['right']}/{v['n']}</td></tr>"
                   for d, v in s["by_doc"].items())
    cmp_html = ""
    if comparison:
        cmp_html = f"<h2>Compared with the previous run</h2><pre>{escape(compare_text(comparison))}</pre>"
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>budgetqa eval — {escape(run['dataset'])}</title>
<style>{_CSS}</style></head><body>
<h1>budgetqa eval — {escape(run['dataset'])}</h1>
<p class="kpi"><span>accuracy <b>{_pct(s['accuracy'])}</b> ({s['right']}/{s['n']})</span>
<span>checker failures <b class="{'bad' if s['checker_failures'] else 'ok'}">{s['checker_failures']}</b></span>
<span>right but unverified <b>{s['right_unverified']}</b></span>
<span>latency p50 <b>{_secs(s['latency']['p50'])}</b> p95 <b>{_secs(s['latency']['p95'])}</b></span></p>
<h2>Accuracy per kind</h2>{_bar_chart(s['by_kind'])}
<h2>Accuracy per document</h2><table><tr><th>document</th><th>accuracy</th><th>right</th></tr>{docs}</table>
{cmp_html}
<h2>Failures ({len(failures)})</h2>
<table><tr><th>id</th><th>question</th><th>answer</th><th>gold</th><th>evidence</th><th>figures</th></tr>
{''.join(rows) or '<tr><td colspan="6">none</td></tr>'}</table>
<h2>Settings</h2><pre>{escape(json.dumps(run['settings'], ensure_ascii=False, indent=1))}</pre>
</body></html>
"""


def perturb_html(run: dict) -> str:
    """The checker stress run as a page: shares per perturbation type and every case that went wrong."""
    s = run["perturb"]["summary"]
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>budgetqa checker stress run — {escape(run['dataset'])}</title>
<style>{_CSS}</style></head><body>
<h1>budgetqa checker stress run — {escape(run['dataset'])}</h1>
<pre>{escape(perturb_text(s))}</pre>
<h2>Settings</h2><pre>{escape(json.dumps(run['settings'], ensure_ascii=False, indent=1))}</pre>
</body></html>
"""
