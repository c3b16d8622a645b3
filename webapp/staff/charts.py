"""Server-rendered SVG: occupancy by section as stacked horizontal bars."""

from __future__ import annotations

from markupsafe import Markup, escape

COLOURS = {"booked": "#8a8f98", "held": "#d29b00", "blocked": "#333333", "available": "#1a7f37"}
ORDER = ["booked", "held", "blocked", "available"]


def occupancy_svg(sections: list[dict], width: int = 520) -> Markup:
    """One bar per section: sold, held, blocked, available; labelled for screen readers."""
    bar_h, gap, label_w = 22, 10, 110
    height = len(sections) * (bar_h + gap) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="Occupancy by section">'
    ]
    for i, counts in enumerate(sections):
        counts = {**counts, "held": counts["held"] + counts.get("mine", 0)}
        total = sum(counts[k] for k in ORDER) or 1
        y, x = i * (bar_h + gap), label_w
        summary = ", ".join(f"{counts[k]} {k}" for k in ORDER)
        parts.append(
            f"<g><title>{escape(counts['section'])}: {summary}</title>"
            f'<text x="0" y="{y + 16}" font-size="13">{escape(counts["section"])}</text>'
        )
        for kind in ORDER:
            w = (width - label_w - 50) * counts[kind] / total
            if w > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                    f'fill="{COLOURS[kind]}"/>'
                )
            x += w
        sold = 100 * counts["booked"] / total
        parts.append(f'<text x="{width - 45}" y="{y + 16}" font-size="12">{sold:.0f}%</text></g>')
    legend_y = height - 8
    for j, kind in enumerate(ORDER):
        parts.append(
            f'<rect x="{j * 110}" y="{legend_y - 10}" width="10" height="10" '
            f'fill="{COLOURS[kind]}"/><text x="{j * 110 + 14}" y="{legend_y}" '
            f'font-size="12">{kind}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


VELOCITY_COLOURS = {"seats_held": "#d29b00", "seats_sold": "#1a7f37", "seats_released": "#b42318"}
VELOCITY_NAMES = {"seats_held": "held", "seats_sold": "sold", "seats_released": "released"}


def velocity_svg(series: dict[str, list[int]], width: int = 520, height: int = 170) -> Markup:
    """Seats held, sold and released per minute as three lines over the last minutes
    (oldest on the left, now on the right), with the totals in its accessible name."""
    left, top, plot_h = 36, 8, height - 48
    minutes = max((len(v) for v in series.values()), default=0) or 1
    peak = max((max(v) for v in series.values() if v), default=0) or 1
    step = (width - left - 8) / max(minutes - 1, 1)
    totals = ", ".join(f"{sum(v)} {VELOCITY_NAMES[k]}" for k, v in series.items())
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" class="velocity" '
        f'aria-label="Seats per minute over the last {minutes} minutes: {totals}">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" '
        f'stroke="#999"/><text x="0" y="{top + 10}" font-size="11">{peak}</text>'
        f'<text x="0" y="{top + plot_h}" font-size="11">0</text>',
        f'<text x="{left}" y="{top + plot_h + 14}" font-size="11">−{minutes} min</text>'
        f'<text x="{width - 30}" y="{top + plot_h + 14}" font-size="11">now</text>',
    ]
    for kind, values in series.items():
        points = " ".join(
            f"{left + i * step:.1f},{top + plot_h - plot_h * v / peak:.1f}"
            for i, v in enumerate(values)
        )
        parts.append(
            f'<polyline fill="none" stroke="{VELOCITY_COLOURS[kind]}" stroke-width="1.5" '
            f'points="{points}"><title>{VELOCITY_NAMES[kind]}: {sum(values)}</title></polyline>'
        )
    for j, kind in enumerate(series):
        x = left + j * 120
        parts.append(
            f'<rect x="{x}" y="{height - 12}" width="10" height="10" '
            f'fill="{VELOCITY_COLOURS[kind]}"/><text x="{x + 14}" y="{height - 3}" '
            f'font-size="12">{VELOCITY_NAMES[kind]} ({sum(series[kind])})</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
