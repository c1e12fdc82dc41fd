"""The one chart helper: a horizontal bar chart as inline SVG (no plotting library, nothing fetched).

The compare tab draws measures in 万元 with it, the eval report accuracy per question kind.
"""

from __future__ import annotations

from budgetqa.app.templating import Markup, render

WIDTH, BAR_H, GAP = 760, 26, 10


def bar_chart_svg(items: list[tuple[str, float, str]], title: str, heading: str | None = None,
                  top: float | None = None, label_w: int = 300, track: bool = False) -> Markup:
    """One bar per (label, value, value text); bars scale to `top` (default: the largest value).

    `heading` is printed above the bars; `track` draws each bar's full length in grey behind it
    (for shares, where `top` is 1).
    """
    top = top or max((v for _, v, _ in items), default=0.0) or 1.0
    bar_w = WIDTH - label_w - 110
    y0 = 30 if heading else 5
    bars = []
    for i, (label, v, text) in enumerate(items):
        y = y0 + i * (BAR_H + GAP)
        w = max(1.0, bar_w * (v / top)) if v > 0 else 1.0
        bars.append({"y": y, "w": w, "label": label[:22], "text": text, "text_x": label_w + (bar_w if track else w) + 6})
    height = len(items) * (BAR_H + GAP) + y0 + 10
    return render(__file__, "bar_chart.svg", width=WIDTH, height=height, title=title, heading=heading, bars=bars,
                  label_w=label_w, bar_w=bar_w, bar_h=BAR_H, track=track)
