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
