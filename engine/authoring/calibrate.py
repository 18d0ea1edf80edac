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
    cal = pack.core.calibration
    if cal is None:
        raise UsageError(f"pack {pack.id!r} declares no calibration: nothing to fit (add 'calibration:' to pack.yaml)")
    combos = [dict(zip([p.id for p in cal.parameters], vals, strict=True))
              for vals in itertools.product(*(p.values for p in cal.parameters))]
    if len(combos) > MAX_COMBINATIONS:
        raise UsageError(f"{len(combos)} combinations of calibration values: at most {MAX_COMBINATIONS}")
    return combos


def changes_for(pack: Pack, combo: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for p in pack.core.calibration.parameters:  # type: ignore[union-attr]
        value = combo[p.id]
        out.append({"file": p.file, "path": p.path, "value": p.template.format(value=value) if p.template else value})
    return out


def _override(changes: list[dict[str, Any]], name: str) -> tuple[Document, RuleOverride]:
    data = {"name": name, "changes": changes}
    return Document(f"<{name}>", data), RuleOverride.model_validate(data)


def variant(pack: Pack, changes: list[dict[str, Any]], load_cues: Callable) -> tuple[Pack, Any]:
    """The pack and cue file with `changes` applied to copies."""
    doc, override = _override(changes, "calibration")
    transform = transform_for(doc, override)
    return load_pack(pack.root, transform), load_cues(pack, transform)


def _better(a: tuple[int, float, bool], b: tuple[int, float, bool] | None) -> bool:
    return b is None or a > b


def choose(results: list[list[dict[str, Any]]], keep: Callable[[dict[str, Any]], bool], levels: list[int],
           kept: list[int] | None = None) -> int:
    """Index of the best combination on the pages `keep` selects: the most exact agreements,
    then the higher kappa; on a tie the combination that keeps more of the values the pack
    holds now (`kept[i]`: how many of combination i's values are the pack's), so a fit never
    moves a number the data cannot tell apart; then the earlier combination."""
    best, best_key = 0, None
    for i, scored in enumerate(results):
        pairs = [(p["published"], p["derived"]) for p in scored if keep(p)]
        s = summary(pairs, levels)
        key = (s["exact"], s["kappa"] if s["kappa"] is not None else -1.0, kept[i] if kept else 0)
        if _better(key, best_key):
            best, best_key = i, key
    return best


def calibrate(pack: Pack, rows: list[IndexRow], pages_dir: Path, index_name: str,
              advance: Callable[[], None] = lambda: None) -> dict[str, Any]:
    from engine.ingest.cues import load_cues

    combos = grid(pack)
    cue_params = {p.id for p in pack.core.calibration.parameters if p.file == "cues.yaml"}  # type: ignore[union-attr]
    pages_by_cues: dict[tuple, list] = {}
    results: list[list[dict[str, Any]]] = []
    missing: list[IndexRow] = []
    for combo in combos:
        var_pack, var_cues = variant(pack, changes_for(pack, combo), load_cues)
        key = tuple(sorted((k, v) for k, v in combo.items() if k in cue_params))
        if key not in pages_by_cues:  # re-read the pages only when the reading changes
            pages_by_cues[key], missing = read_pages(var_pack, var_cues, pages_dir, rows)
        results.append(score_pages(var_pack, pages_by_cues[key]))
        advance()
    levels = list(pack.scores)
    kept = _kept(pack, combos)
    held = next((i for i, k in enumerate(kept) if k == len(combos[i])), None)  # the pack's own values, if on the grid
    chosen = choose(results, lambda p: True, levels, kept)
    groups = sorted({p["council"] for p in results[0]})
    loco_pairs, held_out, loco_rows = [], [], []
    for g in groups:
        i = choose(results, lambda p, g=g: p["council"] != g, levels, kept)
        own = [p for p in results[i] if p["council"] == g]
        loco_pairs += [(p["published"], p["derived"]) for p in own]
        loco_rows += own
        held_out.append({"council": g, "pages": len(own), "exact": sum(p["published"] == p["derived"] for p in own),
                         "chosen": combos[i]})
    current = None if held is None else {"values": combos[held], **_figures(results[held], levels)}
    return {"framework": pack.id, "index": index_name, "pages": len(results[0]), "councils": len(groups),
            "missing": [r.file for r in missing], "combinations": len(combos), "chosen": combos[chosen],
            "changes": changes_for(pack, combos[chosen]),
            "in_sample": _figures(results[chosen], levels),
            "current": current,
            "leave_one_council_out": {**_figures_pairs(loco_pairs, levels), "by_statement": _by_statement(loco_rows, levels),
                                      "held_out": held_out},
            "date": dt.date.today().isoformat()}


def _figures(scored: list[dict[str, Any]], levels: list[int]) -> dict[str, Any]:
    return {**_figures_pairs([(p["published"], p["derived"]) for p in scored], levels),
            "by_statement": _by_statement(scored, levels)}


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
    for p in pack.core.calibration.parameters:  # type: ignore[union-attr]
        try:
            held[p.id] = get_path(load_yaml(pack.root / p.file).data, p.path)
        except KeyError:
            continue
    params = [p for p in pack.core.calibration.parameters if p.id in held]  # type: ignore[union-attr]
    return [sum(held[p.id] == (p.template.format(value=combo[p.id]) if p.template else combo[p.id]) for p in params)
            for combo in combos]


def override_yaml(result: dict[str, Any], schema_rel: str) -> str:
    import yaml

    ins, loco = result["in_sample"], result["leave_one_council_out"]
    description = (f"Fitted by rederive calibrate on {result['date']} to {result['pages']} pages of "
                   f"{result['councils']} councils ({result['index']}), {result['combinations']} combinations. "
                   f"In-sample exact {ins['exact_percent']}% (kappa {ins['kappa']}); leave-one-council-out exact "
                   f"{loco['exact_percent']}% (kappa {loco['kappa']}); always answering {ins['baseline']['grade']} "
                   f"gets {ins['baseline']['exact_percent']}%.")
    data = {"name": f"calibration of {result['framework']} ({result['date']})", "framework": result["framework"],
            "description": description, "changes": result["changes"]}
    return (f"# yaml-language-server: $schema={schema_rel}\n"
            + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
