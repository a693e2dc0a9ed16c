"""Inline SVG charts, drawn in Python: no JavaScript, no CDN, nothing to download (the big screens may be offline).

Each function returns SVG markup for a ``viewBox`` of fixed width; CSS scales it to its tile. Every label that comes
from data passes through :func:`django.utils.html.escape` before it is placed in the markup, so the result is safe
to mark as such. Text inherits the page's font (a CJK sans-serif), so Chinese renders wherever the page does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

AXIS = "#3b5b8c"
GRID = "rgba(96, 165, 250, 0.12)"
TEXT = "#9fb7d9"
TEXT_STRONG = "#e6f1ff"
FONT = 12


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    values: Sequence[float]


def _svg(width: int, height: int, body: list[str], label: str) -> SafeString:
    markup = (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
        f"<title>{escape(label)}</title>{''.join(body)}</svg>"
    )
    return mark_safe(markup)  # noqa: S308 - every data label above and in ``body`` went through escape()


def _text(x: float, y: float, text: object, *, size: int = FONT, fill: str = TEXT, anchor: str = "start", **kw) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in kw.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" text-anchor="{anchor}"{extra}>'
        f"{escape(str(text))}</text>"
    )


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def nice_max(value: float, ticks: int = 4) -> tuple[float, float]:
    """A round axis maximum ≥ ``value`` and its tick step (1, 2, 2.5 or 5 × 10^k)."""
    if value <= 0:
        return float(ticks), 1.0
    raw = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw:
            break
    if step < 1 and value >= ticks:  # counts: whole-number ticks
        step = 1.0
    return step * math.ceil(value / step - 1e-9), step


def empty(label: str, message: str = "暂无数据 No data", width: int = 640, height: int = 180) -> SafeString:
    return _svg(width, height, [_text(width / 2, height / 2, message, size=16, anchor="middle")], label)


def hbars(
    labels: Sequence[tuple[str, str]],
    series: Sequence[Series],
    *,
    label: str,
    width: int = 640,
    label_width: int = 170,
    row: int = 38,
) -> SafeString:
    """Horizontal stacked bars, one row per ``(zh, en)`` label; the total is printed after each bar."""
    if not labels:
        return empty(label, width=width)
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    top, right = 8, 48
    plot = width - label_width - right
    peak, _ = nice_max(max(totals) or 1)
    height = top + row * len(labels) + 8
    body = []
    for i, (zh, en) in enumerate(labels):
        y = top + i * row
        body.append(_text(label_width - 10, y + 15, zh, anchor="end", fill=TEXT_STRONG, size=13))
        body.append(_text(label_width - 10, y + 29, en, anchor="end", size=10))
        body.append(
            f'<rect x="{label_width}" y="{y + 6}" width="{plot}" height="{row - 14}" fill="{GRID}" rx="3"></rect>'
        )
        x = float(label_width)
        for s in series:
            value = s.values[i]
            if value <= 0:
                continue
            w = plot * value / peak
            body.append(
                f'<rect x="{x:.1f}" y="{y + 6}" width="{w:.1f}" height="{row - 14}" fill="{s.color}" rx="2">'
                f"<title>{escape(zh)} · {escape(s.name)}: {_fmt(value)}</title></rect>"
            )
            x += w
        body.append(_text(x + 6, y + 23, _fmt(totals[i]), fill=TEXT_STRONG, size=13, font_weight="600"))
    return _svg(width, height, body, label)


def _y_axis(body: list[str], left: int, top: int, plot_w: int, plot_h: int, peak: float, step: float) -> None:
    ticks = round(peak / step)
    for t in range(ticks + 1):
        value = step * t
        y = top + plot_h - plot_h * value / peak
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"></line>')
        body.append(_text(left - 6, y + 4, _fmt(value), anchor="end", size=10))


def columns(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    label: str,
    width: int = 640,
    height: int = 240,
    show_totals: bool = True,
) -> SafeString:
    """Vertical stacked columns with a y axis; ``labels`` under the columns."""
    if not labels or not any(v for s in series for v in s.values):
        return empty(label, width=width, height=height)
    left, right, top, bottom = 40, 10, 18, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    peak, step = nice_max(max(totals))
    body: list[str] = []
    _y_axis(body, left, top, plot_w, plot_h, peak, step)
    slot = plot_w / len(labels)
    bar = min(46.0, slot * 0.62)
    for i, text in enumerate(labels):
        cx = left + slot * (i + 0.5)
        y = float(top + plot_h)
        for s in series:
            value = s.values[i]
            if value <= 0:
                continue
            h = plot_h * value / peak
            y -= h
            body.append(
                f'<rect x="{cx - bar / 2:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{s.color}">'
                f"<title>{escape(text)} · {escape(s.name)}: {_fmt(value)}</title></rect>"
            )
        if show_totals and totals[i]:
            body.append(_text(cx, y - 4, _fmt(totals[i]), anchor="middle", fill=TEXT_STRONG, size=11))
        body.append(_text(cx, top + plot_h + 16, text, anchor="middle", size=11))
    body.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{AXIS}"></line>'
    )
    return _svg(width, height, body, label)


def trend(
    labels: Sequence[str],
    line: Sequence[float | None],
    bars: Sequence[Series],
    *,
    label: str,
    line_max: float = 5.0,
    line_color: str = "#22d3ee",
    width: int = 640,
    height: int = 250,
) -> SafeString:
    """A line (left axis 0..``line_max``, gaps where ``None``) over stacked count columns (right axis)."""
    if not labels:
        return empty(label, width=width, height=height)
    left, right, top, bottom = 36, 40, 22, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    body: list[str] = []
    for t in range(6):
        value = line_max * t / 5
        y = top + plot_h - plot_h * t / 5
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"></line>')
        body.append(_text(left - 6, y + 4, _fmt(value), anchor="end", size=10, fill=line_color))
    totals = [sum(s.values[i] for s in bars) for i in range(len(labels))]
    peak, step = nice_max(max(totals) * 1.2 if totals else 0)  # headroom: the line's labels stay readable
    for t in range(round(peak / step) + 1):
        y = top + plot_h - plot_h * (step * t) / peak
        body.append(_text(left + plot_w + 6, y + 4, _fmt(step * t), size=10))
    slot = plot_w / len(labels)
    bar = min(30.0, slot * 0.45)
    points: list[tuple[float, float, float] | None] = []
    for i, text in enumerate(labels):
        cx = left + slot * (i + 0.5)
        y = float(top + plot_h)
        for s in bars:
            value = s.values[i]
            if value <= 0:
                continue
            h = plot_h * value / peak
            y -= h
            body.append(
                f'<rect x="{cx - bar / 2:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{s.color}">'
                f"<title>{escape(text)} · {escape(s.name)}: {_fmt(value)}</title></rect>"
            )
        body.append(_text(cx, top + plot_h + 16, text, anchor="middle", size=11))
        v = line[i]
        points.append(None if v is None else (cx, top + plot_h - plot_h * v / line_max, v))
    segment: list[str] = []
    for p in [*points, None]:
        if p is None:
            if len(segment) > 1:
                body.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" stroke="{line_color}" stroke-width="2.5" '
                    f'stroke-linejoin="round"></polyline>'
                )
            segment = []
        else:
            segment.append(f"{p[0]:.1f},{p[1]:.1f}")
    for p in points:
        if p is not None:
            body.append(
                f'<circle cx="{p[0]:.1f}" cy="{p[1]:.1f}" r="4" fill="#0b1730" stroke="{line_color}" '
                f'stroke-width="2.5"></circle>'
            )
            body.append(_text(p[0], p[1] - 9, f"{p[2]:.2f}", anchor="middle", size=11, fill=TEXT_STRONG))
    body.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{AXIS}"></line>'
    )
    return _svg(width, height, body, label)


def scatter_map(
    points: Sequence[dict],
    colors: dict[str, str],
    status_names: dict[str, str],
    *,
    label: str,
    landmarks: dict[str, tuple[float, float]] | None = None,
    width: int = 640,
    max_height: int = 560,
) -> SafeString:
    """Event coordinates on an equirectangular projection (longitude scaled by cos(latitude), so distances look
    right), coloured by status, over a coordinate grid with district names at their centres as landmarks."""
    if not points:
        return empty(label, "暂无事件 No events", width=width, height=300)
    lats = [p["lat"] for p in points]
    longs = [p["long"] for p in points]
    mid_lat, mid_long = (min(lats) + max(lats)) / 2, (min(longs) + max(longs)) / 2
    kx = math.cos(math.radians(mid_lat))
    lat_span = max(max(lats) - min(lats), 0.02) * 1.2  # degrees of latitude, with a margin
    long_span = max((max(longs) - min(longs)) * kx, 0.02) * 1.2  # in degrees of latitude too (scaled by cos)
    pad = 14
    plot_w = width - 2 * pad
    plot_h = round(min(max(plot_w * lat_span / long_span, 300), max_height))
    height = plot_h + 2 * pad
    scale = min(plot_w / long_span, plot_h / lat_span)  # px per degree of latitude

    def xy(lat: float, long: float) -> tuple[float, float]:
        return pad + plot_w / 2 + (long - mid_long) * kx * scale, pad + plot_h / 2 - (lat - mid_lat) * scale

    def inside(x: float, y: float) -> bool:
        return pad <= x <= pad + plot_w and pad <= y <= pad + plot_h

    body = [
        f'<rect x="{pad}" y="{pad}" width="{plot_w}" height="{plot_h}" fill="rgba(15, 40, 80, 0.45)" '
        f'stroke="{AXIS}" rx="6"></rect>'
    ]
    lat0, lat1 = mid_lat - plot_h / 2 / scale, mid_lat + plot_h / 2 / scale
    long0, long1 = mid_long - plot_w / 2 / scale / kx, mid_long + plot_w / 2 / scale / kx
    extent = max(lat1 - lat0, long1 - long0)
    grid = next((g for g in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5) if extent / g <= 7), 1.0)
    g = math.ceil(lat0 / grid) * grid
    while g < lat1:
        _, y = xy(g, mid_long)
        body.append(f'<line x1="{pad}" y1="{y:.1f}" x2="{pad + plot_w}" y2="{y:.1f}" stroke="{GRID}"></line>')
        body.append(_text(pad + 4, y - 3, f"{g:.2f}°N", size=9))
        g += grid
    g = math.ceil(long0 / grid) * grid
    while g < long1:
        x, _ = xy(mid_lat, g)
        body.append(f'<line x1="{x:.1f}" y1="{pad}" x2="{x:.1f}" y2="{pad + plot_h}" stroke="{GRID}"></line>')
        body.append(_text(x + 3, pad + plot_h - 4, f"{g:.2f}°E", size=9))
        g += grid
    for name, (lat, long) in (landmarks or {}).items():
        x, y = xy(lat, long)
        if inside(x, y):
            body.append(
                f'<path d="M{x - 4:.1f},{y:.1f}h8M{x:.1f},{y - 4:.1f}v8" stroke="#64748b" stroke-width="1"></path>'
            )
            body.append(_text(x, y - 7, name, anchor="middle", size=13, fill="rgba(186, 205, 235, 0.55)"))
    for p in reversed(points):  # most recent drawn last, on top
        x, y = xy(p["lat"], p["long"])
        color = colors.get(p["status"], "#94a3b8")
        tip = f"{p['category']} · {p['district']} · {status_names.get(p['status'], p['status'])}"
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{color}" fill-opacity="0.85" stroke="#0b1730" '
            f'stroke-width="1.5"><title>{escape(tip)}</title></circle>'
        )
    return _svg(width, height, body, label)
