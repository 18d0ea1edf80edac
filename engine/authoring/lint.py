"""Lint: what a decision table can never do, checked over generated evidence before any case.

Findings: conditions that can never be true (over each feature's whole domain); rows that
never fire, or fire but are never kept under their hit policy; overlapping rows under
`unique`; inputs no row covers in a table without a default (over generated cells:
exhaustive single and paired items, then seeded random cells); features and tags never
used; cells (statement x category) that no table covers.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.base.errors import Problem
from engine.base.yamlio import load_yaml
from engine.evaluation.features import item_kinds
from engine.model.case import Item, Metric, SourceRef
from engine.model.expr import Condition
from engine.model.pack import Pack
from engine.model.packfiles import Feature

RANDOM_CELLS = 3000
GRID_LIMIT = 200_000
SEED = 20251125


@dataclass(frozen=True)
class Finding(Problem):
    """A located problem with how much it matters and which check found it."""

    severity: str  # error | warning | info
    code: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}" if self.line else self.file
        inside = f" [{self.path}]" if self.path else ""
        return f"{where}:{inside} {self.severity} {self.code}: {self.message}"

    @classmethod
    def of(cls, problem: Problem, severity: str, code: str) -> Finding:
        return cls(**vars(problem), severity=severity, code=code)


def _domain(pack: Pack, f: Feature) -> list[float | int | bool]:
    bands: list[float | int | bool] = sorted({c.band for c in pack.core.comparisons.bands} | {int(f.default)})
    if f.kind == "any" or f.type == "bool":
        return [False, True]
    if f.kind in ("worst_metric", "best_metric"):
        return bands
    if f.kind == "share":
        return sorted({round(k / n, 6) for n in range(1, 13) for k in range(n + 1)})
    if f.kind == "count":
        step = 0.5 if any(w != int(w) for w in f.weights.values()) else 1
        return [i * step for i in range(int(24 / step) + 1)]
    return []  # expr: values come from generated cells


def _make(pack: Pack, kinds, picks, statement: str, category: str, start: int) -> list[Item]:
    comparison_of: dict[int, str] = {}
    for c in pack.core.comparisons.bands:
        comparison_of.setdefault(c.band, c.id)
    out = []
    for n, k in enumerate(picks):
        pol, tags, band = kinds[k]
        out.append(
            Item(
                id=f"g{start + n}",
                statement=statement,
                category=category,
                polarity=pol,
                tags=list(tags),
                metric=None if band is None else Metric(name="m", value=0, comparison=comparison_of[band]),
                quote="(generated)",
                source=SourceRef(file="(generated)", line=1),
            )
        )
    return out


def generated_envs(pack: Pack) -> list[dict]:
    """Feature values of generated cells: every single item, every pair of items with at most
    one tag each, three of each kind, then seeded random cells
    (each a cell's items and, beside them, other items of its statement). The values are the
    ones `features.compute` gives for those items, computed for all cells at once."""
    import numpy as np

    from engine.evaluation.batch import batch_features

    kinds = item_kinds(pack)
    n = len(kinds)
    cells: list[list[int]] = [[i] for i in range(n)]
    single = [i for i, (_, tags, _) in enumerate(kinds) if len(tags) <= 1]  # pairs of tags: alone and in threes
    cells += [list(c) for c in itertools.combinations_with_replacement(single, 2)]
    cells += [[i, i, i] for i in range(n)]  # three alike: rows that need several of a kind
    extras: list[list[int]] = [[] for _ in cells]
    rng = random.Random(SEED)
    for _ in range(RANDOM_CELLS):
        cells.append([rng.randrange(n) for _ in range(rng.randint(1, 12))])
        extras.append([rng.randrange(n) for _ in range(rng.randint(0, 8))])
    cell = np.array([np.bincount(c, minlength=n) for c in cells], dtype=np.int64)
    statement = cell + np.array([np.bincount(x, minlength=n) for x in extras], dtype=np.int64)
    arrays = batch_features(pack, kinds, cell, statement)
    has_band = {}
    bands = np.array([np.nan if b is None else b for _, _, b in kinds], dtype=float)
    for f in pack.features:
        if f.kind in ("worst_metric", "best_metric"):
            from engine.evaluation.batch import _matches as kind_matches

            match = np.array(
                [kind_matches(pack.filters[f.name], (pol, frozenset(tags), band)) for pol, tags, band in kinds],
                dtype=bool,
            )
            counts = cell if f.scope == "category" else statement
            has_band[f.name] = ((counts > 0) & match[None, :] & ~np.isnan(bands)[None, :]).any(axis=1)
    columns = {name: a.tolist() for name, a in arrays.items()}
    counted = [f for f in pack.features if f.kind != "expr"]
    envs = []
    seen: dict[tuple, dict] = {}  # many cells have the same counted values: their expressions are computed once
    for i in range(len(cells)):
        base = tuple(
            (int(columns[f.name][i]) if has_band[f.name][i] else f.default)
            if f.name in has_band
            else columns[f.name][i]
            for f in counted
        )
        env = seen.get(base)
        if env is None:
            env = {}
            given = dict(zip((f.name for f in counted), base, strict=True))
            for f in pack.features:
                if f.kind == "expr":  # Python values, as `compute` gives them
                    raw = pack.expr_conditions[f.name].fn(env)
                    env[f.name] = bool(raw) if f.type == "bool" else raw
                else:
                    env[f.name] = given[f.name]
            seen[base] = env
        envs.append(env)  # shared by cells of equal values: read, never written
    return envs


def _used_names(pack: Pack) -> set[str]:
    used: set[str] = set()
    for ct in pack.tables:
        for cr in ct.rows:
            for c in cr.conditions:
                used |= c.names
    changed = True
    while changed:  # an expr feature that is used makes its inputs used
        changed = False
        for f in pack.features:
            if f.name in used and f.expr:
                names = Condition.build(f.expr, list(pack.feature_by_name)).names
                if not names <= used:
                    used |= names
                    changed = True
    return used


def _at(doc, path, severity, code, message) -> Finding:
    return Finding.of(doc.problem(path, message), severity, code)


def _domains(pack: Pack, envs: list[dict]) -> dict[str, list]:
    domains = {f.name: _domain(pack, f) for f in pack.features}
    for f in pack.features:
        if not domains[f.name]:
            domains[f.name] = sorted({e[f.name] for e in envs})
    return domains


def _never_true(pack: Pack, domains: dict[str, list], tdoc, never_true: set[tuple[int, int]]) -> Iterator[Finding]:
    """Conditions false at every point of their features' domains (grids up to GRID_LIMIT)."""
    for t_i, ct in enumerate(pack.tables):
        for cr in ct.rows:
            for c_i, cond in enumerate(cr.conditions):
                names = sorted(cond.names)
                size = 1
                for n in names:
                    size *= max(1, len(domains[n]))
                if size > GRID_LIMIT:
                    continue
                if not any(
                    cond(dict(zip(names, vals, strict=True)))
                    for vals in itertools.product(*(domains[n] for n in names))
                ):
                    never_true.add((t_i, cr.index))
                    yield _at(
                        tdoc,
                        ("tables", t_i, "rows", cr.index, "when", c_i),
                        "warning",
                        "never-true",
                        f"condition {cond.text!r} can never be true over the features' domains",
                    )


def _env_arrays(pack: Pack, envs: list[Any]) -> dict:
    """The generated cells' feature values as one array per feature."""
    from engine.evaluation.batch import stack_features

    return stack_features(pack, envs)


def _fired(ct, arrays: dict, n: int):
    """Which rows fire in which generated cells (rows x cells), all cells at once."""
    import numpy as np

    from engine.evaluation.batch import compile_np

    fired = np.ones((len(ct.rows), n), dtype=bool)
    for r, cr in enumerate(ct.rows):
        for cond in cr.conditions:
            fired[r] &= np.broadcast_to(np.asarray(compile_np(cond.node)(arrays), dtype=bool), (n,))
    return fired


def _kept_rows(ct, fired):
    """The row each cell keeps under the table's hit policy (-1: none fired), as evaluate_table."""
    import numpy as np

    any_fired = fired.any(axis=0)
    policy = ct.table.hit_policy
    if policy in ("first", "unique"):
        kept = np.argmax(fired, axis=0)
    else:
        scores = np.array([cr.row.score for cr in ct.rows])[:, None]
        big = np.iinfo(np.int64).max
        masked = np.where(fired, scores, big if policy == "collect_min" else -big)
        best = masked.min(axis=0) if policy == "collect_min" else masked.max(axis=0)
        kept = np.argmax(fired & (scores == best[None, :]), axis=0)
    return np.where(any_fired, kept, -1)


def _table_findings(
    t_i: int, ct, envs: list[dict], never_true: set[tuple[int, int]], tdoc, arrays: dict | None = None
) -> Iterator[Finding]:
    """Rows that never fire or are never kept, overlaps under 'unique', a gap with no default."""
    import numpy as np

    policy = ct.table.hit_policy
    if arrays is None:
        raise ValueError("feature arrays of the generated cells are required")
    fired_m = _fired(ct, arrays, len(envs))
    fired = fired_m.sum(axis=1).tolist()
    overlapping = (fired_m.sum(axis=0) > 1) if policy == "unique" else np.zeros(len(envs), dtype=bool)
    overlap: dict[tuple[int, int], dict] = {}
    for i in np.nonzero(overlapping)[0].tolist():
        hits = np.nonzero(fired_m[:, i])[0].tolist()
        overlap.setdefault((hits[0], hits[1]), envs[i])
    kept_row = _kept_rows(ct, fired_m)
    scored = ~overlapping
    kept = [int(((kept_row == r) & scored).sum()) for r in range(len(ct.rows))]
    empty = np.nonzero(scored & (kept_row < 0))[0]
    gap: dict | None = envs[int(empty[0])] if empty.size else None
    for cr in ct.rows:
        path = ("tables", t_i, "rows", cr.index)
        if (t_i, cr.index) in never_true:
            continue
        if not fired[cr.index]:
            yield _at(
                tdoc, path, "warning", "never-fires", f"row {cr.row.id!r} fired in none of {len(envs)} generated cells"
            )
        elif not kept[cr.index] and policy != "unique":
            yield _at(
                tdoc,
                path,
                "warning",
                "unreachable",
                f"row {cr.row.id!r} fires ({fired[cr.index]} cells) but hit policy {policy!r} never keeps it",
            )
    for (a, b), env in overlap.items():
        names = sorted(set().union(*(c.names for c in ct.rows[a].conditions + ct.rows[b].conditions)))
        example = ", ".join(f"{n}={env[n]}" for n in names)
        yield _at(
            tdoc,
            ("tables", t_i, "rows", b),
            "error",
            "overlap",
            f"rows {ct.rows[a].row.id!r} and {ct.rows[b].row.id!r} both fire under hit policy 'unique', e.g. {example}",
        )
    if gap is not None and ct.table.default is None:
        names = sorted(set().union(*(c.names for cr in ct.rows for c in cr.conditions)))
        example = ", ".join(f"{n}={gap[n]}" for n in names)
        yield _at(
            tdoc, ("tables", t_i), "warning", "gap", f"table {ct.table.id!r} has no default and no row covers {example}"
        )


def _vocabulary_findings(pack: Pack, fdoc, pdoc, tdoc) -> Iterator[Finding]:
    """Features no row uses, tags no feature reads, cells no table covers."""
    used = _used_names(pack)
    for i, f in enumerate(pack.features):
        if f.name not in used:
            yield _at(
                fdoc,
                ("features", i, "name"),
                "info",
                "unused-feature",
                f"feature {f.name!r} is used by no row (it still shows in explanations)",
            )
    used_tags = {t for f in pack.features for t in [*(f.where.tags_any or []), *(f.where.tags_all or [])]}
    for i, t in enumerate(pack.core.tags):
        if t.id not in used_tags and t.id not in pack.uncued_tags:  # an uncued tag is read by every statement's basis
            yield _at(
                pdoc,
                ("tags", i, "id"),
                "info",
                "unused-tag",
                f"tag {t.id!r} is read by no feature (it still documents evidence)",
            )
    for sid in pack.statement_ids:
        for cid in pack.category_ids:
            if pack.table_for(sid, cid) is None:
                yield _at(
                    tdoc, ("tables",), "warning", "no-table", f"no table covers statement {sid!r}, category {cid!r}"
                )


def iter_findings(pack: Pack) -> Iterator[Finding]:
    """Every finding of the pack: conditions never true, then each table's rows, then vocabulary."""
    fdoc = load_yaml(pack.root / "features.yaml")
    tdoc = load_yaml(pack.root / "tables.yaml")
    pdoc = load_yaml(pack.root / "pack.yaml")
    envs = generated_envs(pack)
    arrays = _env_arrays(pack, envs)
    never_true: set[tuple[int, int]] = set()
    yield from _never_true(pack, _domains(pack, envs), tdoc, never_true)
    for t_i, ct in enumerate(pack.tables):
        yield from _table_findings(t_i, ct, envs, never_true, tdoc, arrays)
    yield from _vocabulary_findings(pack, fdoc, pdoc, tdoc)
    yield from _cue_findings(pack)


def _cue_findings(pack: Pack) -> Iterator[Finding]:
    """cues.yaml against the pack, as extraction checks it (without building the cues or
    loading the readers), and the reader files it names: the reader and each held-out reader
    must be in the pack's folder."""
    from engine.base.errors import LoadError
    from engine.ingest.cues import cue_file_problems
    from engine.ingest.reader import reader_problems

    if not (pack.root / "cues.yaml").is_file():
        return  # a pack that reads no reports
    try:
        doc, data, problems = cue_file_problems(pack)
    except LoadError as exc:
        problems, data = list(exc.problems), None
    for problem in problems:
        yield Finding.of(problem, "error", "cues")
    rc = data.reader if data is not None else None
    if rc is None:
        return
    for problem in reader_problems(doc, pack, rc, files=True):
        yield Finding.of(problem, "error", "reader-file")
    if not (pack.root / rc.file).is_file():
        yield _at(doc, ("reader", "file"), "error", "reader-file", f"no file {rc.file!r} in the pack's folder")


def lint_paths(paths: list[Path], packs) -> list[Finding]:
    """Lint packs; for case files, also report evidence in cells no table covers."""
    from engine.model.case import load_case
    from engine.model.pack import load_pack

    out: list[Finding] = []
    for path in paths:
        if path.is_dir() and (path / "pack.yaml").is_file():
            out.extend(iter_findings(load_pack(path)))
        elif path.is_dir():
            out.extend(
                lint_paths(
                    sorted(p for p in path.iterdir() if (p / "pack.yaml").is_file() or p.suffix == ".yaml"), packs
                )
            )
        else:
            lc = load_case(path, packs.pack_for(path.parent))
            pack = packs.get(lc.case.framework, lc.folder)
            doc = load_yaml(path)
            for i, it in enumerate(lc.case.items):
                if pack.table_for(it.statement, it.category) is None:
                    out.append(
                        Finding.of(
                            doc.problem(
                                ("items", i),
                                f"evidence in statement {it.statement!r}, "
                                f"category {it.category!r}, which no table scores",
                            ),
                            "warning",
                            "no-table",
                        )
                    )
    return out
