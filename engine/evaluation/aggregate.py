"""Percentage bands: from scores to a score or rating, with ambiguous gaps reported, never hidden.

Published bands have whole-number edges (25-38, 39-62, ...). A percentage that falls
between two bands (38.9 = 14/36, 62.5 = 10/16) has two readings: truncated to a whole
percent, and rounded half up. Both are returned; the pack says which one it chooses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.model.packfiles import BandStep


@dataclass(frozen=True)
class StepResult:
    total: int
    count: int
    percent: float | None
    value: int | str | None
    ambiguous: bool
    readings: dict[str, int | str | None]
    chosen: str


def _band(step: BandStep, percent: float) -> int | str | None:
    for b in step.bands:
        if b.min_percent <= percent <= b.max_percent:
            return b.score if b.score is not None else b.rating
    return None


def apply(step: BandStep, scores: list[int], max_score: int) -> StepResult:
    if not scores:
        return StepResult(0, 0, None, None, False, {}, step.choose)
    total = sum(scores)
    if step.of == "lower_median":
        percent = 100.0 * lower_median(scores) / max_score
    else:
        percent = 100.0 * total / (len(scores) * max_score)
    exact = _band(step, percent)
    readings: dict[str, int | str | None]
    if exact is not None:
        readings = {"truncate": exact, "round_half_up": exact}
    else:
        readings = {
            "truncate": _band(step, math.floor(percent + 1e-9)),
            "round_half_up": _band(step, math.floor(percent + 0.5 + 1e-9)),
        }
    ambiguous = readings["truncate"] != readings["round_half_up"]
    return StepResult(total, len(scores), round(percent, 2), readings[step.choose], ambiguous, readings, step.choose)


def lower_median(scores: list[int]) -> int:
    """The middle score; of the two middle ones of an even count, the lower."""
    return sorted(scores)[(len(scores) - 1) // 2]


def counted_cells(sizes: list[int], min_items: int) -> list[bool]:
    """Which cells of a statement count towards its score: those with at least `min_items`
    evidence items, or every cell when none has that many (thin evidence is still evidence)."""
    enough = [n >= min_items for n in sizes]
    return enough if any(enough) else [True] * len(sizes)


def edges(step: BandStep) -> list[float]:
    """The percentages at which the chosen reading moves from one band to the next: the
    lower band's top and the upper band's bottom meet halfway when gaps round half up
    (38.5% reads as 39%), at the upper band's bottom when they are truncated."""
    bands = sorted(step.bands, key=lambda b: b.min_percent)
    if step.choose == "truncate":
        return [hi.min_percent for hi in bands[1:]]
    return [(lo.max_percent + hi.min_percent) / 2 for lo, hi in zip(bands, bands[1:], strict=False)]


def to_edge(step: BandStep, percent: float | None) -> float | None:
    """How many percentage points `percent` sits from the nearest band edge: how firm a
    result is (0.5 is one small change from another score; 12 is well inside its band)."""
    cuts = edges(step)
    if percent is None or not cuts:
        return None
    return round(min(abs(percent - e) for e in cuts), 2)
