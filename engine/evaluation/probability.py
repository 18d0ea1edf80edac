"""How likely each derived score is the published one: a distribution over the scale for every
derived statement score, and over the ratings for the overall one.

A pack's calibration may hold `probabilities`: how often each published score went with each
derived score on a corpus of published reports, every score derived with everything fitted
without its council (leave-one-council-out). A statement derived `d` then has the published
score `k` with probability (n[d][k] + a * base[k]) / (n[d] + a), where `base` is the corpus's
share of each published score and `a` the pack's `smoothing` (a derived score the corpus
rarely gave leans towards how often each score is published at all). The overall rating's
distribution follows from the statements' through the pack's own aggregation, the statements
of one report erring together (see overall_distribution).
"""

from __future__ import annotations

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
    """The overall result's distribution, from each assessed statement's distribution. The
    statements of one report are taken to err together (one reading of one report): at every
    level u of chance each takes the score at quantile u of its own distribution (scores in
    order), and the pack's aggregation turns those scores into the overall result. Taken as
    independent, nine statements each 70% sure would make a rating far less sure than its
    evidence, for errors that in practice run the same way."""
    if not dists:
        return {}
    cdfs = []
    for d in dists:
        acc, steps = 0.0, []
        for score, p in sorted(d.items()):
            acc += p
            steps.append((acc, score))
        cdfs.append(steps)
    cuts = sorted({c for steps in cdfs for c, _ in steps if 0 < c < 1} | {1.0})
    out: dict = {}
    lo = 0.0
    for hi in cuts:
        u = (lo + hi) / 2
        scores = [next((sc for c, sc in steps if u <= c), steps[-1][1]) for steps in cdfs]
        value = aggregate.apply(step, scores, max_score).value
        out[value] = out.get(value, 0.0) + (hi - lo)
        lo = hi
    return _rounded(out)


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
