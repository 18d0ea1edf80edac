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
    percent = 100.0 * total / (len(scores) * max_score)
    exact = _band(step, percent)
    if exact is not None:
        readings = {"truncate": exact, "round_half_up": exact}
    else:
        readings = {"truncate": _band(step, math.floor(percent + 1e-9)),
                    "round_half_up": _band(step, math.floor(percent + 0.5 + 1e-9))}
    ambiguous = readings["truncate"] != readings["round_half_up"]
    return StepResult(total, len(scores), round(percent, 2), readings[step.choose], ambiguous,
                      readings, step.choose)


def counted_cells(sizes: list[int], min_items: int) -> list[bool]:
    """Which cells of a statement count towards its score: those with at least `min_items`
    evidence items, or every cell when none has that many (thin evidence is still evidence)."""
    enough = [n >= min_items for n in sizes]
    return enough if any(enough) else [True] * len(sizes)
