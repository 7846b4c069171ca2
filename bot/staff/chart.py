"""A stacked bar chart as inline SVG: no scripts, no external files, readable in any browser or email."""

from __future__ import annotations

import math
from html import escape

LEGEND_COLUMNS = 2
LEGEND_CHARS = 48  # longer topic names are shortened in the legend (the table below has them in full)
# Okabe-Ito colours: distinguishable with the common kinds of colour blindness.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")


def _nice_max(value: int, ticks: int = 4) -> int:
    """A round number at or above value that splits into whole-number ticks, for the top of the axis."""
    need = max(value, 1) / ticks
    magnitude = 10 ** int(math.floor(math.log10(need))) if need >= 1 else 1
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        size = step * magnitude
        if size >= need and size == int(size):
            return int(size * ticks)
    return int(10 * magnitude * ticks)


def stacked_bars(columns: list[str], series: dict[str, list[int]], title: str,
                 width: int = 760, height: int = 340) -> str:
    """One bar per column (week), stacked by series (topic); returns an <svg> element as text."""
    left, right, top, legend_h = 48, 12, 28, 22 * math.ceil(len(series) / LEGEND_COLUMNS)
    bottom = 34 + legend_h
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for values in series.values()) for i in range(len(columns))]
    ymax = _nice_max(max(totals, default=0))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>",
             '<style>text{font:12px system-ui,sans-serif;fill:#222}.axis{stroke:#888}.grid{stroke:#ddd}</style>']
    for tick in range(5):
        value = ymax * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>')
    parts.append(f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}"/>')
    band = plot_w / max(len(columns), 1)
    bar_w = max(4.0, band * 0.7)
    for i, label in enumerate(columns):
        x = left + band * i + (band - bar_w) / 2
        y = top + plot_h
        for n, (name, values) in enumerate(series.items()):
            value = values[i]
            if value <= 0:
                continue
            h = plot_h * value / ymax
            y -= h
            parts.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{PALETTE[n % len(PALETTE)]}"><title>{escape(label)}: {escape(name)}, {value}</title></rect>')
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{escape(label)}</text>')
    for n, name in enumerate(series):
        lx = left + (n % LEGEND_COLUMNS) * (plot_w / LEGEND_COLUMNS)
        ly = height - legend_h + (n // LEGEND_COLUMNS) * 22
        label = name if len(name) <= LEGEND_CHARS else name[: LEGEND_CHARS - 1].rstrip() + "…"
        parts.append(f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="12" fill="{PALETTE[n % len(PALETTE)]}"/>')
        parts.append(f'<text x="{lx + 18:.1f}" y="{ly}">{escape(label)}<title>{escape(name)}</title></text>')
    if not columns or ymax == 0:
        parts.append(f'<text x="{width / 2}" y="{top + plot_h / 2}" text-anchor="middle">No questions in this period yet</text>')
    parts.append("</svg>")
    return "\n".join(parts)
