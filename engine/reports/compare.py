"""Agreement across cases (diff) and internal consistency of published results."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from engine.base.errors import LoadError, Problem
from engine.evaluation import aggregate
from engine.model.expr import suggest
from engine.model.pack import Pack


def diff(
    pack: Pack, objects: list[dict[str, Any]], deciders: dict[tuple[str, str], list[dict[str, Any]]]
) -> dict[str, Any]:
    """Agreement of derived with published scores over derive objects of many cases."""
    per: dict[str, dict[str, int]] = {sid: {"compared": 0, "exact": 0, "within_one": 0} for sid in pack.statement_ids}
    scores = pack.scores
    confusion = {str(p): {str(d): 0 for d in scores} for p in scores}
    disagreements = []
    overall = {"compared": 0, "agree": 0}
    for obj in objects:
        for st in obj["statements"]:
            if st["published"] is None or not st["assessed"]:
                continue
            d, p = st["derived"], st["published"]
            row = per[st["id"]]
            row["compared"] += 1
            row["exact"] += d == p
            row["within_one"] += abs(d - p) <= 1
            confusion[str(p)][str(d)] += 1
            if d != p:
                disagreements.append(
                    {
                        "case": obj["case"],
                        "statement": st["id"],
                        "derived": d,
                        "published": p,
                        "categories": st["categories"],
                        "deciding_rows": deciders.get((obj["case"], st["id"]), []),
                    }
                )
        ov = obj["overall"]
        if ov["published"] is not None:
            overall["compared"] += 1
            overall["agree"] += ov["derived"] == ov["published"]
            if ov["derived"] != ov["published"]:
                disagreements.append(
                    {
                        "case": obj["case"],
                        "statement": "overall",
                        "derived": ov["derived"],
                        "published": ov["published"],
                        "percent": ov["percent"],
                        "ambiguous": ov["ambiguous"],
                        "deciding_rows": [],
                    }
                )
    compared = sum(r["compared"] for r in per.values())
    return {
        "framework": pack.id,
        "cases": [o["case"] for o in objects],
        "statements": [{"id": sid, **r} for sid, r in per.items()],
        "total": {
            "compared": compared,
            "exact": sum(r["exact"] for r in per.values()),
            "within_one": sum(r["within_one"] for r in per.values()),
        },
        "overall": overall,
        "confusion": {"rows": "published", "columns": "derived", "matrix": confusion},
        "disagreements": disagreements,
    }


def published_rows(pack: Pack, csv_path: Path) -> list[dict[str, Any]]:
    """The rows of a table of published results: {council, line, file, scores, rating}, from
    either a table in rederive's own format (a column per statement id and `overall`) or one
    the pack describes (`published_table` in pack.yaml). A rating that is not reported is None."""
    name = str(csv_path)
    try:
        text = csv_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(str(exc), [Problem(name, None, None, "", f"cannot read ratings table: {exc}")]) from None
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    tab = pack.core.published_table
    own = "overall" in header or tab is None
    if own:
        columns, overall, who_cols = {sid: sid for sid in pack.statement_ids}, "overall", ("council", "report_slug")
        grades = {str(s): s for s in pack.scores}
        ratings = {r.label.lower(): r.id for r in pack.core.ratings} | {r.id: r.id for r in pack.core.ratings}
        blank = {"", "-", "na", "n/a"}
    else:
        assert tab is not None
        columns, overall, who_cols = dict(tab.statements), tab.overall or "", (tab.council, tab.file)
        grades = {k.lower(): v for k, v in tab.grades.items()}
        ratings = (
            {r.label.lower(): r.id for r in pack.core.ratings}
            | {r.id: r.id for r in pack.core.ratings}
            | {k.lower(): v for k, v in tab.ratings.items()}
        )
        blank = {b.lower() for b in tab.not_assessed}
    problems = [
        Problem(name, 1, 1, "", f"missing column {c!r}{suggest(c, header)}")
        for c in [*columns.values(), *([overall] if overall else [])]
        if c not in header
    ]
    if problems:
        raise LoadError(problems[0].message, problems)
    rows = []
    for line_no, row in enumerate(reader, start=2):
        who = next((row[c] for c in who_cols if row.get(c)), f"line {line_no}")
        scores: dict[str, int | None] = {}
        for sid, col in columns.items():
            raw = (row.get(col) or "").strip()
            if raw.lower() in blank:
                scores[sid] = None  # not assessed: left out, as the published method says
            elif raw.lower() in grades:
                scores[sid] = grades[raw.lower()]
            else:
                msg = f"{col}: {raw!r} is not a grade: expected one of {sorted(grades)} or blank"
                raise LoadError(msg, [Problem(name, line_no, 1, who, msg)])
        raw = (row.get(overall) or "").strip() if overall else ""
        if overall and raw.lower() not in blank and raw.lower() not in ratings:
            msg = f"unknown rating {raw!r}: expected one of {sorted(ratings)}"
            raise LoadError(msg, [Problem(name, line_no, 1, who, msg)])
        rows.append(
            {
                "council": who,
                "line": line_no,
                "file": row.get(tab.file) if tab and not own else None,
                "scores": scores,
                "rating": ratings.get(raw.lower()),
            }
        )
    return rows


def csv_header(path: Path) -> list[str]:
    """The column names of a ratings table (to tell which pack it is for)."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return next(csv.reader(f), [])
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(str(exc), [Problem(str(path), None, None, "", f"cannot read ratings table: {exc}")]) from None


def consistency(pack: Pack, csv_path: Path) -> dict[str, Any]:
    """Does each published overall rating follow from its own published scores?"""
    step = pack.core.aggregation.statements_to_overall
    max_score = max(pack.scores)
    total = agree = 0
    ambiguous, exceptions, councils, not_rated = [], [], [], []
    for row in published_rows(pack, csv_path):
        scores = [v for v in row["scores"].values() if v is not None]
        if row["rating"] is None:
            not_rated.append({"council": row["council"], "line": row["line"]})
            continue
        res = aggregate.apply(step, scores, max_score)
        total += 1
        entry = {
            "council": row["council"],
            "line": row["line"],
            "sum": res.total,
            "out_of": res.count * max_score,
            "assessed": res.count,
            "percent": res.percent,
            "published": row["rating"],
            "derived": res.value,
            "readings": dict(res.readings),
            "to_next": to_next(pack, scores),
            "scores": row["scores"],
        }
        if row["file"]:
            entry["file"] = row["file"]
        councils.append(entry)
        if res.ambiguous:
            ambiguous.append(entry)
        follows = row["rating"] in set(res.readings.values()) if res.ambiguous else row["rating"] == res.value
        if follows:
            agree += 1
        else:
            exceptions.append(entry)
    near = sum(1 for c in councils if any(m and m["points"] == 1 for m in c["to_next"].values()))
    return {
        "total": total,
        "agree": agree,
        "ambiguous": ambiguous,
        "exceptions": exceptions,
        "within_one_point": near,
        "councils": councils,
        "not_rated": not_rated,
        "rule": {"of": step.of, "source": step.source, "reason": step.of_reason},
    }


def _score_or_none(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else None


def to_next(pack: Pack, scores: list[int]) -> dict[str, dict[str, Any] | None]:
    """The least number of statement score points that moves the overall rating up, and
    down, under the pack's reading of ambiguous sums: {"rating", "points"}, or None where no
    rating lies beyond. Each point moves one statement by one within the scale, so every sum
    between the lowest and the highest the assessed statements allow can be reached, and the
    rating depends on the scores only through their sum."""
    step = pack.core.aggregation.statements_to_overall
    lo, hi = min(pack.scores), max(pack.scores)
    order = [r.id for r in pack.core.ratings]  # worst first
    now = aggregate.apply(step, scores, hi).value
    total, n = sum(scores), len(scores)
    result: dict[str, dict[str, Any] | None] = {"up": None, "down": None}
    if now not in order:
        return result
    if step.of != "mean":
        return _to_next_by_scores(pack, scores, now, order)
    for direction, sums in (("up", range(total + 1, n * hi + 1)), ("down", range(total - 1, n * lo - 1, -1))):
        for s in sums:
            rating = aggregate.apply(step, _spread(s, n, lo, hi), hi).value
            better = rating in order and order.index(rating) > order.index(now)
            worse = rating in order and order.index(rating) < order.index(now)
            if (better and direction == "up") or (worse and direction == "down"):
                result[direction] = {"rating": rating, "points": abs(s - total)}
                break
    return result


def _to_next_by_scores(pack: Pack, scores: list[int], now: str, order: list[str]) -> dict[str, dict[str, Any] | None]:
    """to_next where the rating does not follow the sum (a median): every score vector is
    tried, nearest first (a framework of a few judgements: 4 scores on a 4-point scale are 256)."""
    import itertools

    step, hi = pack.core.aggregation.statements_to_overall, max(pack.scores)
    result: dict[str, dict[str, Any] | None] = {"up": None, "down": None}
    for other in itertools.product(pack.scores, repeat=len(scores)):
        points = sum(abs(a - b) for a, b in zip(other, scores, strict=True))
        rating = aggregate.apply(step, list(other), hi).value
        if rating not in order or rating == now:
            continue
        direction = "up" if order.index(rating) > order.index(now) else "down"
        best = result[direction]
        if (
            best is None
            or points < best["points"]
            or (
                points == best["points"]
                and abs(order.index(rating) - order.index(now)) < abs(order.index(best["rating"]) - order.index(now))
            )
        ):
            result[direction] = {"rating": rating, "points": points}
    return result


def _spread(total: int, n: int, lo: int, hi: int) -> list[int]:
    """n scores within [lo, hi] that add up to `total` (only the sum matters to the band)."""
    base, extra = divmod(total - n * lo, hi - lo) if hi > lo else (0, 0)
    return [hi] * base + ([lo + extra] if base < n else []) + [lo] * max(0, n - base - 1)
