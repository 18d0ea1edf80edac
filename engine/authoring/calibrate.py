"""Calibration as a reproducible step: the numbers a pack declares under `calibration:` are
fitted to a corpus of published pages by exhaustive search over the declared values, and the
fit is cross-validated by leaving out one group (council) at a time.

Every value of the grid is tried on every page once (the pages are re-read only when a value
of the cue file changes). The in-sample choice is the combination with the most exact
agreements (ties: the higher quadratic weighted kappa, then the earlier combination in the
declared order). Leave-one-group-out: for each group, the choice made without its pages
predicts them; the pooled predictions give the cross-validated figure, an honest estimate for
groups nobody has read. The result is a rule override (`changes` of file, path and value) that
`rederive agree --rules-override` and `rederive whatif --rules-override` take.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.analysis.override import RuleOverride, transform_for
from engine.authoring.corpus import IndexRow, read_pages, score_pages
from engine.base.errors import UsageError
from engine.base.yamlio import Document
from engine.model.pack import Pack, load_pack
from engine.reports.agreement import summary

MAX_COMBINATIONS = 400


def grid(pack: Pack) -> list[dict[str, Any]]:
    """Every combination of the declared values, as a list of {parameter id: value}."""
    params = _parameters(pack)
    combos = [
        dict(zip([p.id for p in params], vals, strict=True)) for vals in itertools.product(*(p.values for p in params))
    ]
    if len(combos) > MAX_COMBINATIONS:
        raise UsageError(f"{len(combos)} combinations of calibration values: at most {MAX_COMBINATIONS}")
    return combos


def _parameters(pack: Pack) -> list:
    """The numbers the pack declares under `calibration:` (a pack without it has none to fit)."""
    if pack.core.calibration is None:
        raise UsageError(f"pack {pack.id!r} declares no calibration: nothing to fit (add 'calibration:' to pack.yaml)")
    return list(pack.core.calibration.parameters)


def changes_for(pack: Pack, combo: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for p in _parameters(pack):
        value = combo[p.id]
        out.append({"file": p.file, "path": p.path, "value": p.template.format(value=value) if p.template else value})
    return out


def _override(changes: list[dict[str, Any]], name: str) -> tuple[Document, RuleOverride]:
    data = {"name": name, "changes": changes}
    return Document(f"<{name}>", data), RuleOverride.model_validate(data)


def variant(
    pack: Pack, changes: list[dict[str, Any]], load_cues: Callable, reading: str = "reader"
) -> tuple[Pack, Any]:
    """The pack and cue file with `changes` applied to copies (`reading`: with the pack's
    learned reader, or the cues alone)."""
    doc, override = _override(changes, "calibration")
    transform = transform_for(doc, override)
    return load_pack(pack.root, transform), load_cues(pack, transform, with_reader=reading == "reader")


def _not_of(council: str) -> Callable[[dict[str, Any]], bool]:
    """Keep the pages of every council but `council`."""
    return lambda p: bool(p["council"] != council)


def _better(a: tuple[int, float, int], b: tuple[int, float, int] | None) -> bool:
    return b is None or a > b


def choose(
    results: list[list[dict[str, Any]]],
    keep: Callable[[dict[str, Any]], bool],
    levels: list[int],
    kept: list[int] | None = None,
) -> int:
    """Index of the best combination on the pages `keep` selects: the most exact agreements,
    then the higher kappa; on a tie the combination that keeps more of the values the pack
    holds now (`kept[i]`: how many of combination i's values are the pack's), so a fit never
    moves a number the data cannot tell apart; then the earlier combination."""
    best, best_key = 0, None
    key: tuple[int, float, int]
    for i, scored in enumerate(results):
        pairs = [(p["published"], p["derived"]) for p in scored if keep(p)]
        s = summary(pairs, levels)
        key = (s["exact"], s["kappa"] if s["kappa"] is not None else -1.0, kept[i] if kept else 0)
        if _better(key, best_key):
            best, best_key = i, key
    return best


@dataclass
class Refit:
    """What a calibration refits with the thresholds: the pack's learned reader, from labels.
    `labels` and `feats` are the labelled sentences and their features; a reader is trained
    without the labels of the groups (councils) a fold leaves out."""

    labels: list[Any]
    feats: list[list[str]]
    account: dict[str, Any]
    readers: dict[frozenset[str], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._labelled = frozenset(lab.group for lab in self.labels)  # the groups with labels

    def reader(self, pack: Pack, without: frozenset[str]) -> Any:
        from engine.authoring.train_reader import train

        without = self.effective(without)
        if without not in self.readers:
            keep = [i for i, lab in enumerate(self.labels) if lab.group not in without]
            self.readers[without] = train(pack, [self.labels[i] for i in keep], [self.feats[i] for i in keep])
        return self.readers[without]

    def effective(self, without: frozenset[str]) -> frozenset[str]:
        """The groups left out that have labels (leaving out one without labels changes nothing)."""
        return without & self._labelled


def calibrate(
    pack: Pack,
    rows: list[IndexRow],
    pages_dir: Path | list[Path],
    index_name: str,
    advance: Callable[[], None] = lambda: None,
    refit: Refit | None = None,
    reading: str = "reader",
    nested: bool = True,
) -> dict[str, Any]:
    """Fit the declared values. With `refit`, the reader is retrained inside every fold: a
    held-out council's pages are read by a reader trained without its labels, and the values
    its fold chooses are chosen on the other councils' pages, each read by a reader trained
    without its own labels and the held-out council's (nested: nothing of the held-out
    council reaches its own prediction)."""

    combos = grid(pack)
    cue_params = {p.id for p in _parameters(pack) if p.file == "cues.yaml"}
    # the parameters that change what the cues read (not only the reader's decision): their
    # values key the memo of each report's candidate sentences
    reading_params = {p.id for p in _parameters(pack) if p.file == "cues.yaml" and not p.path.startswith("reader.")}
    memos: dict[tuple, dict] = {}
    groups = sorted({r.group for r in rows})
    levels = list(pack.scores)
    kept = _kept(pack, combos)
    held = next((i for i, k in enumerate(kept) if k == len(combos[i])), None)  # the pack's own values, if on the grid
    if refit is not None and reading != "reader":
        raise UsageError("refitting the reader (--labels) needs the reader's reading, not --reading cues")
    variants = _variants(pack, combos, refit, reading)
    pages_cache: dict[tuple, tuple[list, list]] = {}
    score_cache: dict[tuple, list[dict[str, Any]]] = {}
    missing: list[IndexRow] = []

    def scored(i: int, without: frozenset[str] | None, subset: list[IndexRow]) -> list[dict[str, Any]]:
        nonlocal missing
        var_pack, var_cues = variants[i]
        ckey = tuple(sorted((k, v) for k, v in combos[i].items() if k in cue_params))
        eff = refit.effective(without) if refit is not None and without is not None else without
        key = (ckey, eff, tuple((r.file, r.statement) for r in subset))
        if key not in pages_cache:
            if refit is not None and without is not None:
                var_cues.reader = refit.reader(pack, without)
            mkey = tuple(sorted((k, v) for k, v in combos[i].items() if k in reading_params))
            pages_cache[key] = read_pages(var_pack, var_cues, pages_dir, subset, memo=memos.setdefault(mkey, {}))
            missing = pages_cache[key][1] if len(subset) == len(rows) else missing
        skey = (i, key)
        if skey not in score_cache:  # what the choice and the figures need, kept small: many are held at once
            score_cache[skey] = [
                {k: p[k] for k in ("file", "council", "statement", "published", "derived")}
                for p in score_pages(var_pack, pages_cache[key][0])
            ]
        return score_cache[skey]

    full: frozenset[str] | None = frozenset() if refit is not None else None
    results = [scored(i, full, rows) for i in range(len(combos))]
    by_group = {g: [r for r in rows if r.group == g] for g in groups}
    cross = None
    if refit is not None:  # each page read by a reader trained without its council's labels
        cross = [[p for g in groups for p in scored(i, frozenset({g}), by_group[g])] for i in range(len(combos))]
    # the values the pack should hold: chosen on readings like those of a council nobody
    # labelled (cross-fitted) when the reader is refitted, else on the pages as read
    chosen = choose(cross if cross is not None else results, lambda p: True, levels, kept)
    loco_pairs, held_out, loco_rows = _loco(
        groups, by_group, results, combos, scored, refit is not None, levels, kept, advance, nested
    )
    current = None if held is None else {"values": combos[held], **_figures(results[held], levels)}
    loco = _loco_figures(loco_pairs, loco_rows, held_out, levels, refit is not None, nested)
    return _result(pack, index_name, results, groups, missing, combos, chosen, cross, current, loco, refit, levels)


def _loco_figures(
    loco_pairs: list, loco_rows: list, held_out: list, levels: list[int], refitting: bool, nested: bool
) -> dict[str, Any]:
    """The leave-one-council-out figures, each page's held-out score and their counts."""
    return {
        **_figures_pairs(loco_pairs, levels),
        "by_statement": _by_statement(loco_rows, levels),
        "held_out": held_out,
        # each page's held-out score: what a probability table (pack.yaml calibration.probabilities) counts
        "pages": [{k: p[k] for k in ("file", "council", "statement", "published", "derived")} for p in loco_rows],
        "counts": counts(loco_pairs),
        "refits": ("the reader and the values" if refitting else "the values only")
        + (
            ""
            if nested or not refitting
            else "; values chosen on the other councils' cross-fitted readings (not nested)"
        ),
    }


def _variants(pack: Pack, combos: list[dict[str, Any]], refit: Refit | None, reading: str) -> list:
    """The pack and cues of every combination. Each is loaded without a reader: refitting,
    each reading is by a reader trained here; else all share the pack's own, loaded once
    (its bias is each variant's cue data)."""
    from engine.ingest.cues import load_cues

    variants = [variant(pack, changes_for(pack, c), load_cues, "cues") for c in combos]
    if refit is None and reading == "reader":
        shared = load_cues(pack).reader
        for _, var_cues in variants:
            var_cues.reader = shared
    return variants


def _result(
    pack, index_name, results, groups, missing, combos, chosen, cross, current, loco, refit, levels
) -> dict[str, Any]:
    labels = ("rows_used", "rows_without_text", "rows_not_found_in_text")
    return {
        "framework": pack.id,
        "index": index_name,
        "pages": len(results[0]),
        "councils": len(groups),
        "missing": [r.file for r in missing],
        "combinations": len(combos),
        "chosen": combos[chosen],
        "changes": changes_for(pack, combos[chosen]),
        "in_sample": _figures(results[chosen], levels),
        **({"cross_fitted": _figures(cross[chosen], levels)} if cross is not None else {}),
        "current": current,
        "leave_one_council_out": loco,
        **({"reader_labels": {k: refit.account[k] for k in labels}} if refit is not None else {}),
        "date": dt.date.today().isoformat(),
    }


def _loco(
    groups: list[str],
    by_group: dict[str, list[IndexRow]],
    results: list[list[dict[str, Any]]],
    combos: list[dict[str, Any]],
    scored: Callable,
    refitting: bool,
    levels: list[int],
    kept: list[int],
    advance: Callable[[], None],
    nested: bool = True,
) -> tuple[list, list, list]:
    """Leave one council out at a time: (pooled pairs, each fold's record, the scored pages)."""
    loco_pairs, held_out, loco_rows = [], [], []
    for g in groups:
        if not refitting:
            i = choose(results, _not_of(g), levels, kept)
            own = [p for p in results[i] if p["council"] == g]
        else:  # every other council's pages read without its own labels and (nested) without g's
            inner = [
                [p for d in groups if d != g for p in scored(i, frozenset({g, d} if nested else {d}), by_group[d])]
                for i in range(len(combos))
            ]
            i = choose(inner, lambda p: True, levels, kept)
            own = scored(i, frozenset({g}), by_group[g])
        loco_pairs += [(p["published"], p["derived"]) for p in own]
        loco_rows += own
        held_out.append(
            {
                "council": g,
                "pages": len(own),
                "exact": sum(p["published"] == p["derived"] for p in own),
                "chosen": combos[i],
            }
        )
        advance()
    return loco_pairs, held_out, loco_rows


def counts(pairs: list[tuple[int, int | None]]) -> dict[int, dict[int, int]]:
    """How often each published score went with each derived score: derived -> published -> n."""
    out: dict[int, dict[int, int]] = {}
    for published, derived in pairs:
        if derived is not None:
            row = out.setdefault(derived, {})
            row[published] = row.get(published, 0) + 1
    return {d: dict(sorted(row.items())) for d, row in sorted(out.items())}


def _figures(scored: list[dict[str, Any]], levels: list[int]) -> dict[str, Any]:
    return {
        **_figures_pairs([(p["published"], p["derived"]) for p in scored], levels),
        "by_statement": _by_statement(scored, levels),
    }


def _by_statement(scored: list[dict[str, Any]], levels: list[int]) -> dict[str, Any]:
    """Exact agreement and kappa of each statement's pages (a framework's judgements differ)."""
    out = {}
    for sid in dict.fromkeys(p["statement"] for p in scored):
        s = summary([(p["published"], p["derived"]) for p in scored if p["statement"] == sid], levels)
        out[sid] = {k: s[k] for k in ("compared", "exact", "exact_percent", "kappa")}
    return out


def _figures_pairs(pairs: list[tuple[int, int | None]], levels: list[int]) -> dict[str, Any]:
    s = summary(pairs, levels)
    return {k: s[k] for k in ("compared", "exact", "exact_percent", "within_one_percent", "kappa", "baseline")}


def _kept(pack: Pack, combos: list[dict[str, Any]]) -> list[int]:
    """For each combination, how many of its values are the ones the pack holds now (a value
    the pack's files do not hold, or hold off the grid, is never kept)."""
    from engine.analysis.override import get_path
    from engine.base.yamlio import load_yaml

    held: dict[str, Any] = {}
    for p in _parameters(pack):
        try:
            held[p.id] = get_path(load_yaml(pack.root / p.file).data, p.path)
        except KeyError:
            continue
    params = [p for p in _parameters(pack) if p.id in held]
    return [
        sum(held[p.id] == (p.template.format(value=combo[p.id]) if p.template else combo[p.id]) for p in params)
        for combo in combos
    ]


def override_yaml(result: dict[str, Any], schema_rel: str) -> str:
    import yaml

    ins, loco = result["in_sample"], result["leave_one_council_out"]
    description = (
        f"Fitted by rederive calibrate on {result['date']} to {result['pages']} pages of "
        f"{result['councils']} councils ({result['index']}), {result['combinations']} combinations. "
        f"In-sample exact {ins['exact_percent']}% (kappa {ins['kappa']}); leave-one-council-out exact "
        f"{loco['exact_percent']}% (kappa {loco['kappa']}); always answering {ins['baseline']['grade']} "
        f"gets {ins['baseline']['exact_percent']}%."
    )
    data = {
        "name": f"calibration of {result['framework']} ({result['date']})",
        "framework": result["framework"],
        "description": description,
        "changes": result["changes"],
    }
    return f"# yaml-language-server: $schema={schema_rel}\n" + yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100
    )
