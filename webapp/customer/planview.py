"""The large-venue overview as a plan: each section where it sits around the stage,
shaded by what is left, drawn as SVG on the server (see partials/sections.html)."""

from __future__ import annotations

from dataclasses import dataclass

from webapp.booking.holds.seatmap import SectionSummary
from webapp.booking.venues.plan import Placed, Plan, plan_of


@dataclass(frozen=True)
class PlanSection:
    placed: Placed
    summary: SectionSummary
    level: str  # plenty | some | few | none: the fill, and the legend's words
    points: str  # the turned rectangle as an SVG polygon
    short: str  # what fits on the block: "A" for "Block A", short names whole


def level(summary: SectionSummary) -> str:
    """How much is left, in the four steps the plan shades."""
    if not summary.available:
        return "none"
    share = summary.available / summary.total
    return "plenty" if share > 0.5 else "some" if share > 0.15 else "few"


def short_name(name: str) -> str:
    """A name that fits on a block of the plan: short names whole, else the last word."""
    return name if len(name) <= 6 else name.split()[-1][:6]


def venue_plan(event_id: int, sections: list[SectionSummary]) -> tuple[Plan, list[PlanSection]]:
    """The event's plan with this moment's summaries laid on it."""
    plan = plan_of(event_id)
    by_name = {s.name: s for s in sections}
    drawn = [
        PlanSection(
            p,
            by_name[p.name],
            level(by_name[p.name]),
            " ".join(f"{x:.1f},{y:.1f}" for x, y in p.corners()),
            short_name(p.name),
        )
        for p in plan.sections
        if p.name in by_name
    ]
    return plan, drawn
