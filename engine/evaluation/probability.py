"""How likely each derived score is the published one: a distribution over the scale for every
derived statement score, and over the ratings for the overall one.

A pack's calibration may hold `probabilities`: how often each published score went with each
derived score on a corpus of published reports, every score derived with everything fitted
without its council (leave-one-council-out). A statement derived `d` then has the published
score `k` with probability (n[d][k] + a * base[k]) / (n[d] + a), where `base` is the corpus's
share of each published score and `a` the pack's `smoothing` (a derived score the corpus
rarely gave leans towards how often each score is published at all). The overall rating's
distribution follows from the statements' through the pack's own aggregation, the statements
taken as independent: every combination of scores is weighed (a sum's distribution for an
average, each combination for a median), so a rating is as sure as the scores it rests on.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from engine.evaluation import aggregate
from engine.model.packfiles import BandStep, ProbabilityTable

if TYPE_CHECKING:
    from engine.evaluation.derive import Derivation
    from engine.model.pack import Pack

Distribution = dict[int, float]  # score -> probability (or rating id -> probability)


def statement_distribution(table: ProbabilityTable, scale: Sequence[int], derived: int) -> Distribution:
    """The published score's distribution for a statement derived `derived`."""
    totals = {k: sum(row.get(k, 0) for row in table.counts.values()) for k in scale}
    grand = sum(totals.values())
    base = {k: (totals[k] + 1) / (grand + len(scale)) for k in scale}  # never 0: every score can be published
    row = table.counts.get(derived, {})
    n = sum(row.get(k, 0) for k in scale)
    a = table.smoothing
    return {k: (row.get(k, 0) + a * base[k]) / (n + a) for k in scale}


def overall_distribution(
    step: BandStep, dists: Sequence[Mapping[int, float]], max_score: int
) -> dict[str, float] | dict[int, float]:
    """The overall result's distribution, from each assessed statement's distribution."""
    if not dists:
        return {}
    out: dict = {}
    if step.of == "lower_median" or len(dists) <= 4:
        for combo in itertools.product(*(sorted(d.items()) for d in dists)):
            p = 1.0
            for _, q in combo:
                p *= q
            value = aggregate.apply(step, [s for s, _ in combo], max_score).value
            out[value] = out.get(value, 0.0) + p
        return _rounded(out)
    sums: dict[int, float] = {0: 1.0}  # an average depends on the sum alone
    for d in dists:
        nxt: dict[int, float] = {}
        for total, p in sums.items():
            for s, q in d.items():
                nxt[total + s] = nxt.get(total + s, 0.0) + p * q
        sums = nxt
    n = len(dists)
    for total, p in sums.items():
        value = aggregate.apply(step, _spread(total, n, max_score), max_score).value
        out[value] = out.get(value, 0.0) + p
    return _rounded(out)


def _spread(total: int, n: int, max_score: int) -> list[int]:
    """Some n scores on the scale with this sum (an average's band depends on the sum alone)."""
    base, extra = divmod(total, n)
    scores = [base + (1 if i < extra else 0) for i in range(n)]
    return [min(max(s, 1), max_score) for s in scores]


def _rounded(d: dict) -> dict:
    return {k: round(v, 4) for k, v in sorted(d.items(), key=lambda kv: -kv[1]) if k is not None}


def of_derivation(pack: Pack, der: Derivation) -> tuple[dict[str, Distribution], dict] | None:
    """Each assessed statement's distribution and the overall one, or None where the pack
    holds no probability table."""
    cal = pack.core.calibration
    if cal is None or cal.probabilities is None:
        return None
    scale = list(pack.scores)
    per = {
        st.id: statement_distribution(cal.probabilities, scale, st.score)
        for st in der.statements
        if st.assessed and st.score is not None
    }
    overall = overall_distribution(pack.core.aggregation.statements_to_overall, list(per.values()), max(scale))
    return {k: _rounded(v) for k, v in per.items()}, overall
