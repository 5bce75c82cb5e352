"""Inline SVG charts: a picture of sales and listing states, no JavaScript library."""

from __future__ import annotations

from markupsafe import Markup, escape

COLORS = ("#1979c3", "#79a22e", "#eb5202", "#e22626", "#9b59b6", "#41362f", "#adadad")
WIDTH, HEIGHT, PAD = 560, 180, 28


def _scale(values, top):
    return [HEIGHT - PAD - (v / top) * (HEIGHT - 2 * PAD) if top else HEIGHT - PAD for v in values]


def _x(n, count):
    return [PAD + i * (WIDTH - 2 * PAD) / max(1, count - 1) for i in range(n)]


def _frame(title: str, labels: list[str], top: float, body: str, legend: str = "") -> Markup:
    ticks = ""
    if labels:
        xs = _x(len(labels), len(labels))
        step = max(1, len(labels) // 6)
        ticks = "".join(f'<text x="{x:.1f}" y="{HEIGHT - 8}" font-size="10" text-anchor="middle">{escape(label)}</text>'
                        for i, (x, label) in enumerate(zip(xs, labels)) if i % step == 0)
    return Markup(
        f'<svg class="channel-chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {HEIGHT + 20}"'
        f' width="100%" preserveAspectRatio="xMidYMid meet"><title>{escape(title)}</title>'
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#ccc"/>'
        f'<text x="{PAD}" y="{PAD - 10}" font-size="10">{top:,.0f}</text>{body}{ticks}{legend}</svg>')


def line_chart(labels: list[str], values: list[float], title: str) -> Markup:
    if not values:
        return Markup(f'<p class="channel-empty">{escape(title)}: no data yet.</p>')
    top = max(values) or 1
    xs, ys = _x(len(values), len(values)), _scale(values, top)
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{COLORS[0]}"/>' for x, y in zip(xs, ys))
    return _frame(title, labels, top, f'<polyline fill="none" stroke="{COLORS[0]}" stroke-width="2" '
                                      f'points="{points}"/>{dots}')


def stacked_area(labels: list[str], series: dict[str, list[int]], title: str) -> Markup:
    if not labels:
        return Markup(f'<p class="channel-empty">{escape(title)}: no data yet.</p>')
    totals = [sum(s[i] for s in series.values()) for i in range(len(labels))]
    top = max(totals) or 1
    xs = _x(len(labels), len(labels))
    base = [0] * len(labels)
    body, legend = "", ""
    for n, (name, values) in enumerate(series.items()):
        upper = [b + v for b, v in zip(base, values)]
        top_pts = list(zip(xs, _scale(upper, top)))
        bottom_pts = list(zip(xs, _scale(base, top)))[::-1]
        if len(labels) == 1:
            top_pts = [(PAD, top_pts[0][1]), (WIDTH - PAD, top_pts[0][1])]
            bottom_pts = [(WIDTH - PAD, bottom_pts[0][1]), (PAD, bottom_pts[0][1])]
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in top_pts + bottom_pts)
        color = COLORS[n % len(COLORS)]
        body += f'<polygon points="{pts}" fill="{color}" fill-opacity="0.75"><title>{escape(name)}</title></polygon>'
        legend += (f'<rect x="{PAD + n * 78}" y="{HEIGHT + 4}" width="9" height="9" fill="{color}"/>'
                   f'<text x="{PAD + n * 78 + 12}" y="{HEIGHT + 12}" font-size="10">{escape(name)}</text>')
        base = upper
    return _frame(title, labels, top, body, legend)
