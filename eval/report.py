"""Presenting an eval run: plain-text summary, comparison with a previous run, self-contained HTML page."""

from __future__ import annotations

import json

from budgetqa.app.chart import bar_chart_svg
from budgetqa.app.templating import Markup, render

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


def _bar_chart(by_kind: dict):
    """Accuracy per kind: one bar per kind on a 100% track."""
    items = [(kind, v["accuracy"] or 0, f"{(v['accuracy'] or 0) * 100:.0f}% ({v['right']}/{v['n']})") for kind, v in by_kind.items()]
    return bar_chart_svg(items, "accuracy per kind", top=1.0, label_w=110, track=True)


def _settings(run: dict) -> str:
    return json.dumps(run["settings"], ensure_ascii=False, indent=1)


def html_report(run: dict, comparison: dict | None = None) -> str:
    """One self-contained page: figures, a bar chart per kind, every failure in full, the settings."""
    s = run["summary"]
    failures = [i for i in run["items"] if not i["score"]["right"]]
    return str(render(__file__, "report.html", title=f"budgetqa eval — {run['dataset']}", css=Markup(_CSS), s=s,
                      chart=_bar_chart(s["by_kind"]), failures=failures, settings=_settings(run),
                      comparison=compare_text(comparison) if comparison else None, pct=_pct, secs=_secs))


def perturb_html(run: dict) -> str:
    """The checker stress run as a page: shares per perturbation type and every case that went wrong."""
    return str(render(__file__, "perturb.html", title=f"budgetqa checker stress run — {run['dataset']}",
                      css=Markup(_CSS), text=perturb_text(run["perturb"]["summary"]), settings=_settings(run)))
