"""Exact counterfactuals: all minimal sets of evidence changes that reach a target.

Changes are drawn from the operations the pack declares (flip an item's polarity, drop an
item, move a metric one comparison band, add an item of a polarity to a statement and
category). The search is exhaustive by increasing size, so the first size that reaches the
target is the minimum, and no smaller set exists (every smaller size was tried in full).
Two reductions keep it exact while making it fast:

* statement decomposition: a change touches one statement, and the overall rating depends
  on the statements only through their scores, so each statement's reachable scores are
  computed from its own changes and combined arithmetically;
* interchangeable items: items of one cell with the same polarity, tags and metric band
  give identical features, so the search picks how many of them to change, not which;
  the listed sets are then expanded to the concrete items (the count is exact).

"Reach" means at least the target in its direction: a better target than the derived one
is reached by that or better, a worse target by that or worse.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from engine.analysis import plausibility
from engine.analysis.candidates import (  # noqa: F401  (build: the shared state of several searches)
    ClassOp,
    Search,
    _changes_for,
    _concrete_count,
    _concrete_sets,
    build,
    combinations,
)
from engine.analysis.scenario import apply
from engine.analysis.scoring import score_rows
from engine.base.errors import UsageError
from engine.evaluation.aggregate import apply as band
from engine.evaluation.derive import Derivation, derive
from engine.model.case import Item, LoadedCase
from engine.model.expr import suggest
from engine.model.pack import Pack
from engine.reports.derived import derive_object


def parse_target(pack: Pack, text: str) -> tuple[str, str | int]:
    key, eq, value = text.partition("=")
    if not eq:
        raise UsageError(f"--target expects overall=RATING or STATEMENT=SCORE, found {text!r}")
    if key == "overall":
        ids = [r.id for r in pack.core.ratings]
        if value not in ids:
            raise UsageError(f"--target: unknown rating {value!r}: expected one of {ids}{suggest(value, ids)}")
        return key, value
    if key not in pack.statement_ids:
        raise UsageError(f"--target: unknown statement {key!r}{suggest(key, pack.statement_ids)}")
    if not value.isdigit() or int(value) not in pack.scores:
        raise UsageError(f"--target: score {value!r} is not on the scale {pack.scores}")
    return key, int(value)


def _goal(
    pack: Pack, base, key: str, goal: str | int
) -> tuple[int, Callable[[dict[str, int | None]], bool], list[str]]:
    """The direction to move (1 up, -1 down, 0 already there), the test that a set of
    statement scores reaches the target, and the statements whose changes can matter."""
    if key == "overall":
        order = [r.id for r in pack.core.ratings]
        now = order.index(base.overall.value) if base.overall.value in order else None
        want = order.index(str(goal))
        direction = 0 if now == want else (1 if now is None or want > now else -1)

        def reached(scores: dict[str, int | None]) -> bool:
            r = band(
                pack.core.aggregation.statements_to_overall,
                [v for v in scores.values() if v is not None],
                max(pack.scores),
            )
            if r.value is None:
                return False
            got = order.index(str(r.value))
            return got >= want if direction > 0 else got <= want

        return direction, reached, list(pack.statement_ids)
    now_s = base.statement(key).score
    direction = 0 if now_s == goal else (1 if now_s is None or int(goal) > now_s else -1)

    def reached_statement(scores: dict[str, int | None]) -> bool:
        v = scores[key]
        return v is not None and (v >= int(goal) if direction > 0 else v <= int(goal))

    return direction, reached_statement, [key]


def _statement_options(s: Search, sid: str, k: int) -> dict[int | None, Any]:
    """Statement `sid`'s score after each multiset of k changes: score -> the multisets (rows
    of operation indices) that give it, in enumeration order (cached in `s`)."""
    if (sid, k) not in s.options:
        rows = combinations(s, sid, k)
        scores = score_rows(s, sid, rows)
        s.options[(sid, k)] = {(None if v < 0 else v): rows[scores == v] for v in dict.fromkeys(scores.tolist())}
    return s.options[(sid, k)]


def _picks(s: Search, sid: str, rows) -> list[tuple[ClassOp, ...]]:
    ops = s.ops.get(sid, [])
    return [tuple(ops[i] for i in row) for row in rows]


def best_case(
    pack: Pack,
    baseline: dict[str, int | None],
    reached: Callable[[dict[str, int | None]], bool],
    direction: int,
    k: int,
) -> dict[str, int | None] | None:
    """A bound on what any set of k changes can do to the overall rating: a change touches one
    statement, and a touched statement ends at best on the top score (up) or the bottom one
    (down), which moves the rating at least as far as leaving the statement unassessed would;
    the rating follows the scores monotonically. So if no choice of k statements set to that
    score reaches the target, no set of k changes does. Returns the best such scores that
    reach it, or None (out of reach)."""
    end = max(pack.scores) if direction > 0 else min(pack.scores)
    sids = list(baseline)
    for chosen in itertools.combinations(sids, min(k, len(sids))):
        scores = {sid: (end if sid in chosen else v) for sid, v in baseline.items()}
        if reached(scores):
            return scores
    return None


def _find_minimal(
    s: Search,
    statements: list[str],
    baseline: dict[str, int | None],
    reached: Callable[[dict[str, int | None]], bool],
    k_max: int,
    possible: Callable[[int], bool] = lambda k: True,
    progress: Callable[[], None] = lambda: None,
    hopeful: Callable[[list[tuple[str, int]]], bool] = lambda alloc: True,
) -> tuple[list[tuple[ClassOp, ...]], int | None, int, int]:
    """Every multiset of changes of the least size k <= k_max that reaches the target: try
    every size in turn, each spread of k changes over the statements, each combination of
    the statements' reachable scores. Two bounds skip work that cannot find anything: a size
    `possible` rules out is not enumerated, nor is a spread whose statements could not reach
    the target even at their best (`hopeful`); each statement's options are computed when a
    spread first needs them. Returns (sets, k or None, evaluations, combinations)."""
    considered = combinations = 0
    computed: set[tuple[str, int]] = set()

    def options(sid: str, n: int) -> dict:
        nonlocal considered
        opts = _statement_options(s, sid, n)
        if (sid, n) not in computed:
            computed.add((sid, n))
            considered += sum(len(v) for v in opts.values())
            progress()
        return opts

    for k in range(1, k_max + 1):
        found: list[tuple[ClassOp, ...]] = []
        if not possible(k):
            continue
        for alloc in _allocations(statements, k):
            if not hopeful(alloc):
                continue
            per = [list(options(sid, n).items()) for sid, n in alloc]
            for combo in itertools.product(*per):
                combinations += 1
                scores = dict(baseline)
                for (sid, _), (score, _) in zip(alloc, combo, strict=True):
                    scores[sid] = score
                if reached(scores):
                    lists = [_picks(s, sid, rows) for (sid, _), (_, rows) in zip(alloc, combo, strict=True)]
                    for parts in itertools.product(*lists):
                        found.append(tuple(op for part in parts for op in part))
        if found:
            return found, k, considered, combinations
    return [], None, considered, combinations


RANK_LIMIT = 20_000  # concrete sets ranked at most; a search with more ranks the first so many


def _picked_items(s: Search, picks: tuple[ClassOp, ...], expand: dict) -> list[Item | None]:
    """The item each pick changes, in pick order (None for an added item)."""
    used: dict[tuple, int] = defaultdict(int)
    out: list[Item | None] = []
    for op in picks:
        if op.group is None:
            out.append(None)
            continue
        out.append(expand[op.group][used[op.group]])
        used[op.group] += 1
    return out


def _plausibility(pack: Pack, s: Search, picks: tuple[ClassOp, ...], expand: dict) -> float:
    items = _picked_items(s, picks, expand)
    return plausibility.of_set(
        [plausibility.change(pack, op.op_id, op.kind, it) for op, it in zip(picks, items, strict=True)]
    )


def _details(pack: Pack, lc: LoadedCase, s: Search, picks: tuple[ClassOp, ...], expand: dict) -> list[dict[str, Any]]:
    """Each change of a set with the item's quote, where it stands and its own plausibility."""
    out = []
    for op, it in zip(picks, _picked_items(s, picks, expand), strict=True):
        d: dict[str, Any] = {
            "operation": op.op_id,
            "kind": op.kind,
            "statement": op.statement,
            "statement_name": pack.statement(op.statement).name,
            "category": op.category,
            "to": op.to,
            "plausibility": round(plausibility.change(pack, op.op_id, op.kind, it), 4),
        }
        if it is not None:
            d.update(
                {
                    "item": it.id,
                    "polarity": it.polarity,
                    "quote": it.quote,
                    "file": it.source.file,
                    "line": it.source.line,
                }
            )
            if it.reading is not None and it.reading.confidence is not None:
                d["confidence"] = it.reading.confidence
        out.append(d)
    return out


def _listed_sets(
    pack: Pack,
    lc: LoadedCase,
    s: Search,
    found: list[tuple[ClassOp, ...]],
    title: str,
    max_sets: int,
    base: Any = None,
    first: int = 0,
) -> tuple[list[dict[str, Any]], int, dict[str, int]]:
    """The `max_sets` most plausible concrete sets after the `first`, in full (scenario,
    derived result, each change's quote and line), the exact number of concrete sets, and how
    many of them touch each statement."""
    sets_out: list[dict[str, Any]] = []
    total = 0
    memo: dict = {}  # the listed sets share most of their statements' changed readings
    touched: dict[str, int] = defaultdict(int)
    for picks in found:
        n = _concrete_count(s, picks)
        total += n
        for sid in {op.statement for op in picks}:
            touched[sid] += n
    # every concrete set (up to RANK_LIMIT) ranked by how arguable its changes are, before any is
    # derived: the most plausible misreadings and omissions first
    ranked: list[tuple[float, int, tuple[ClassOp, ...], dict]] = []
    for picks in found:
        for expand in _concrete_sets(s, picks):
            ranked.append((_plausibility(pack, s, picks, expand), len(ranked), picks, expand))
            if len(ranked) >= RANK_LIMIT:
                break
        if len(ranked) >= RANK_LIMIT:
            break
    ranked.sort(key=lambda r: (-r[0], r[1]))
    for plaus, _, picks, expand in ranked[first : first + max_sets]:
        steps, labels = _changes_for(s, picks, expand)
        changes = [c for step in steps for c in step]
        after = derive(pack, apply(pack, list(lc.case.items), changes, "counterfactual"), reuse=base, memo=memo)
        sets_out.append(
            {
                "plausibility": plaus,
                "details": _details(pack, lc, s, picks, expand),
                "changes": labels,
                "operations": [op.op_id for op in picks],
                "statements": sorted({op.statement for op in picks}),
                "steps": [[c.model_dump(exclude_none=True) for c in step] for step in steps],
                "scenario": {
                    "name": f"counterfactual {title}",
                    "description": "; ".join(op.describe() for op in picks),
                    "changes": [c.model_dump(exclude_none=True) for c in changes],
                },
                "result": derive_object(pack, lc, after),
            }
        )
    return sets_out, total, touched


def candidates_count(s: Search, statements: list[str], k_max: int) -> int:
    """How many multisets of up to k_max changes the search may score (an upper bound: before
    the check that a group has enough items)."""
    return sum(math.comb(len(s.ops.get(sid, [])) + k - 1, k) for sid in statements for k in range(1, k_max + 1))


def search(
    pack: Pack,
    lc: LoadedCase,
    target: tuple[str, str | int],
    max_changes: int | None = None,
    max_sets: int = 50,
    state: Search | None = None,
    progress: Callable[[int], Callable[[], None]] | None = None,
    base: Derivation | None = None,
    first: int = 0,
    closest: bool = True,
) -> dict[str, Any]:
    """`first`: how many of the ranked sets to pass over before the `max_sets` listed (a page
    of them). `closest`: for a target out of reach, say how far the best set gets and the
    least bound worth trying (`closest`, `needs_at_least`; engine/analysis/reach.py).
    `state`, from `build(pack, items of lc)`, and `base`, `derive(pack, items of lc)`, may be
    passed to share work between searches.
    `progress(steps)`, when given, is told how many steps the search may take and returns
    the function to call after each."""
    t0 = time.perf_counter()
    k_max = pack.core.counterfactual.max_changes if max_changes is None else max_changes
    items = list(lc.case.items)
    base = base if base is not None else derive(pack, items)
    s = state if state is not None else build(pack, items)
    key, goal = target
    direction, reached, statements = _goal(pack, base, key, goal)
    baseline = {st.id: st.score for st in base.statements}
    found: list[tuple[ClassOp, ...]] = []
    minimal: int | None = 0
    considered = combinations = 0
    bound = None
    if direction != 0:

        def possible(k: int) -> bool:
            return key != "overall" or best_case(pack, baseline, reached, direction, k) is not None

        end = max(pack.scores) if direction > 0 else min(pack.scores)

        def hopeful(alloc: list[tuple[str, int]]) -> bool:
            return key != "overall" or reached({**baseline, **{sid: end for sid, _ in alloc}})

        if key == "overall" and not possible(k_max):
            minimal = None  # proved without enumerating: no set of at most k_max changes reaches it
            from engine.analysis.reach import bound_figures

            bound = {"proved_out_of_reach": True, **bound_figures(pack, baseline, direction, k_max)}
        else:
            step = progress(len(statements) * k_max) if progress else (lambda: None)
            found, minimal, considered, combinations = _find_minimal(
                s, statements, baseline, reached, k_max, possible, step, hopeful
            )
    sets_out, total, touched = _listed_sets(pack, lc, s, found, f"{key}={goal}", max_sets, base, first)
    beyond = {}
    if closest and direction != 0 and minimal is None:
        from engine.analysis.reach import out_of_reach

        beyond = out_of_reach(pack, lc, s, statements, baseline, (key, goal), direction, reached, k_max, base)
    return {
        "case": lc.slug,
        "target": f"{key}={goal}",
        "direction": {1: "at_least", -1: "at_most", 0: "already"}[direction],
        "baseline": base.overall.value if key == "overall" else base.statement(key).score,
        "minimal_size": minimal,
        "max_changes": k_max,
        "sets_total": total,
        "sets_listed": len(sets_out),
        "sets_ranked": min(total, RANK_LIMIT),  # the sets `first` pages through (ranked, then listed)
        "first": first,
        "statements_touched": dict(sorted(touched.items(), key=lambda kv: -kv[1])),
        "sets": sets_out,
        "examined": considered + combinations,
        "examined_detail": {"statement_evaluations": considered, "score_combinations": combinations},
        **({"bound": bound} if bound else {}),
        **beyond,
        "seconds": round(time.perf_counter() - t0, 4),
    }


def _allocations(statements: list[str], k: int) -> Iterator[list[tuple[str, int]]]:
    """Every way to spread k changes over the statements (order of statements fixed)."""

    def rec(i: int, left: int, acc: list[tuple[str, int]]):
        if left == 0:
            yield list(acc)
            return
        if i == len(statements):
            return
        for n in range(left, -1, -1):
            if n:
                acc.append((statements[i], n))
            yield from rec(i + 1, left - n, acc)
            if n:
                acc.pop()

    yield from rec(0, k, [])
