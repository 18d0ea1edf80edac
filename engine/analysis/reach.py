"""For a target no set of at most k changes reaches: how far the best set of k changes gets
(the closest result, with the set in full to apply) and the least bound worth searching next.

The closest result is searched as the minimal sets are, statement by statement (a change
touches one statement, and the overall rating depends on the statements only through their
scores): each statement's best score in the target's direction with n changes, for n up to
three (four can take seconds), then the best spread of k changes over the statements. Of the
changes that give a statement its best score, the most plausible are taken, so the set offered
is the most arguable of its reach.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from engine.analysis.candidates import ClassOp, Search, _concrete_sets
from engine.analysis.counterfactual import _listed_sets, _picks, _plausibility, _statement_options, best_case
from engine.evaluation.aggregate import apply as band
from engine.evaluation.derive import Derivation
from engine.model.case import LoadedCase
from engine.model.pack import Pack

CLOSEST_DEPTH = 3  # changes per statement the closest-result search tries (4 can take seconds)
CLOSEST_ROWS = 200  # the changes of one statement compared for plausibility at most


def out_of_reach(
    pack: Pack,
    lc: LoadedCase,
    s: Search,
    statements: list[str],
    baseline: dict[str, int | None],
    target: tuple[str, str | int],
    direction: int,
    reached: Callable[[dict[str, int | None]], bool],
    k_max: int,
    base: Derivation,
) -> dict[str, Any]:
    """For a target no set of at most `k_max` changes reaches: how far the best such set gets
    (`closest`, with the set in full to apply) and the least bound worth searching next
    (`needs_at_least`: no set of fewer changes can reach the target)."""
    key, goal = target
    better = (lambda a, b: a > b) if direction > 0 else (lambda a, b: a < b)
    # each statement's best score (in the target's direction) with n changes, and the changes
    best: dict[str, list[tuple[int | None, tuple[ClassOp, ...]]]] = {}
    depth = min(k_max, CLOSEST_DEPTH)
    for sid in statements:
        row: list[tuple[int | None, tuple[ClassOp, ...]]] = [(baseline[sid], ())]
        for n in range(1, depth + 1):
            got = row[-1]
            for score, rows in _statement_options(s, sid, n).items():
                if score is not None and (got[0] is None or better(score, got[0])):
                    got = (score, _most_plausible(pack, s, _picks(s, sid, rows[:CLOSEST_ROWS])))
            row.append(got)
        best[sid] = row
    # the best spread of at most k_max changes over the statements (their scores add up)
    plans: dict[int, tuple[dict[str, int | None], tuple[ClassOp, ...]]] = {0: (dict(baseline), ())}
    for sid in statements:
        nxt = dict(plans)
        for used, (scores, picks) in plans.items():
            for n in range(1, depth + 1):
                score, extra = best[sid][n]
                if used + n > k_max or not extra:
                    continue
                cand = ({**scores, sid: score}, picks + extra)
                have = nxt.get(used + n)
                if have is None or better(_measure(pack, cand[0], key), _measure(pack, have[0], key)):
                    nxt[used + n] = cand
        plans = nxt
    used, (scores, picks) = min(
        plans.items(), key=lambda kv: (-direction * _measure(pack, kv[1][0], key), kv[0])
    )  # the furthest in the target's direction, then the fewest changes
    out: dict[str, Any] = {}
    if picks:
        listed, _, _ = _listed_sets(pack, lc, s, [picks], f"closest to {key}={goal}", 1, base)
        res = listed[0]["result"]
        got = (
            res["overall"]["derived"]
            if key == "overall"
            else next(st["derived"] for st in res["statements"] if st["id"] == key)
        )
        out["closest"] = {
            "changes": used,
            "gets": got,
            "percent": res["overall"]["percent"],
            "exact": k_max <= CLOSEST_DEPTH,
            "set": listed[0],
        }
    needs = k_max + 1
    if key == "overall":
        needs = (
            next(
                (k for k in range(k_max + 1, len(statements) + 1) if best_case(pack, baseline, reached, direction, k)),
                None,
            )
            or len(statements) + 1
        )
    out["needs_at_least"] = needs
    return out


def _most_plausible(pack: Pack, s: Search, candidates: list[tuple[ClassOp, ...]]) -> tuple[ClassOp, ...]:
    """The candidate whose best concrete set is the most plausible (a set's plausibility is its
    changes' multiplied, so the best of each statement's makes the best of their union)."""

    def best(picks: tuple[ClassOp, ...]) -> float:
        return max(
            (_plausibility(pack, s, picks, ex) for ex in itertools.islice(_concrete_sets(s, picks), 50)), default=0.0
        )

    return max(candidates, key=best)


def _measure(pack: Pack, scores: dict[str, int | None], key: str) -> float:
    """What a spread of scores gives the target: the overall percentage or the statement's score."""
    if key != "overall":
        v = scores[key]
        return -1.0 if v is None else float(v)
    r = band(
        pack.core.aggregation.statements_to_overall, [v for v in scores.values() if v is not None], max(pack.scores)
    )
    return -1.0 if r.percent is None else float(r.percent)


def bound_figures(pack: Pack, baseline: dict[str, int | None], direction: int, k: int) -> dict[str, Any]:
    """The best overall result the bound allows for k changes (for the output)."""
    end = max(pack.scores) if direction > 0 else min(pack.scores)
    order = sorted(baseline, key=lambda sid: (baseline[sid] is not None, baseline[sid] or 0), reverse=direction < 0)
    chosen = set(order[:k])
    scores = [end if sid in chosen else v for sid, v in baseline.items()]
    r = band(pack.core.aggregation.statements_to_overall, [v for v in scores if v is not None], max(pack.scores))
    return {
        "changes": k,
        "best_sum": r.total,
        "out_of": r.count * max(pack.scores),
        "best_percent": r.percent,
        "best_rating": r.value,
        "reason": f"each change touches one statement, which ends at best on {end}: with {k} change(s) "
        f"the best is {r.total}/{r.count * max(pack.scores)} ({r.percent}%, {r.value})",
    }
