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

from engine.base.errors import EvaluationError, Problem
from engine.base.yamlio import load_yaml
from engine.evaluation.derive import evaluate_table
from engine.evaluation.features import compute, item_kinds
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
    bands = sorted({c.band for c in pack.core.comparisons.bands} | {int(f.default)})
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
    comparison_of = {}
    for c in pack.core.comparisons.bands:
        comparison_of.setdefault(c.band, c.id)
    out = []
    for n, k in enumerate(picks):
        pol, tags, band = kinds[k]
        out.append(Item(id=f"g{start + n}", statement=statement, category=category, polarity=pol, tags=list(tags),
                        metric=None if band is None else Metric(name="m", value=0, comparison=comparison_of[band]),
                        quote="(generated)", source=SourceRef(file="(generated)", line=1)))
    return out


def generated_envs(pack: Pack) -> list[dict]:
    """Feature values of generated cells: every single item and pair, then seeded random cells."""
    kinds = item_kinds(pack)
    sid, cid, other = pack.statement_ids[0], pack.category_ids[0], pack.category_ids[-1]
    envs = []
    combos = [(i,) for i in range(len(kinds))] + list(itertools.combinations_with_replacement(range(len(kinds)), 2))
    for picks in combos:
        cell = _make(pack, kinds, picks, sid, cid, 0)
        envs.append(compute(pack, cell, cell)[0])
    rng = random.Random(SEED)
    for _ in range(RANDOM_CELLS):
        cell = _make(pack, kinds, [rng.randrange(len(kinds)) for _ in range(rng.randint(1, 12))], sid, cid, 0)
        extra = _make(pack, kinds, [rng.randrange(len(kinds)) for _ in range(rng.randint(0, 8))], sid, other, 100)
        envs.append(compute(pack, cell, cell + extra)[0])
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
                if not any(cond(dict(zip(names, vals, strict=True))) for vals in itertools.product(*(domains[n] for n in names))):
                    never_true.add((t_i, cr.index))
                    yield _at(tdoc, ("tables", t_i, "rows", cr.index, "when", c_i), "warning", "never-true",
                              f"condition {cond.text!r} can never be true over the features' domains")


def _table_findings(t_i: int, ct, envs: list[dict], never_true: set[tuple[int, int]], tdoc) -> Iterator[Finding]:
    """Rows that never fire or are never kept, overlaps under 'unique', a gap with no default."""
    policy = ct.table.hit_policy
    fired = [0] * len(ct.rows)
    kept = [0] * len(ct.rows)
    overlap: dict[tuple[int, int], dict] = {}
    gap: dict | None = None
    for env in envs:
        hits = [cr.index for cr in ct.rows if all(c(env) for c in cr.conditions)]
        for h in hits:
            fired[h] += 1
        if policy == "unique" and len(hits) > 1:
            overlap.setdefault((hits[0], hits[1]), env)
            continue
        try:
            _, kept_id, traces = evaluate_table(ct, env)
        except EvaluationError:
            continue
        for tr in traces:
            kept[tr.index] += tr.kept
        if kept_id is None and gap is None:
            gap = env
    for cr in ct.rows:
        path = ("tables", t_i, "rows", cr.index)
        if (t_i, cr.index) in never_true:
            continue
        if not fired[cr.index]:
            yield _at(tdoc, path, "warning", "never-fires", f"row {cr.row.id!r} fired in none of {len(envs)} generated cells")
        elif not kept[cr.index] and policy != "unique":
            yield _at(tdoc, path, "warning", "unreachable",
                      f"row {cr.row.id!r} fires ({fired[cr.index]} cells) but hit policy {policy!r} never keeps it")
    for (a, b), env in overlap.items():
        names = sorted(set().union(*(c.names for c in ct.rows[a].conditions + ct.rows[b].conditions)))
        example = ", ".join(f"{n}={env[n]}" for n in names)
        yield _at(tdoc, ("tables", t_i, "rows", b), "error", "overlap",
                  f"rows {ct.rows[a].row.id!r} and {ct.rows[b].row.id!r} both fire under hit policy 'unique', e.g. {example}")
    if gap is not None and ct.table.default is None:
        names = sorted(set().union(*(c.names for cr in ct.rows for c in cr.conditions)))
        example = ", ".join(f"{n}={gap[n]}" for n in names)
        yield _at(tdoc, ("tables", t_i), "warning", "gap", f"table {ct.table.id!r} has no default and no row covers {example}")


def _vocabulary_findings(pack: Pack, fdoc, pdoc, tdoc) -> Iterator[Finding]:
    """Features no row uses, tags no feature reads, cells no table covers."""
    used = _used_names(pack)
    for i, f in enumerate(pack.features):
        if f.name not in used:
            yield _at(fdoc, ("features", i, "name"), "info", "unused-feature",
                      f"feature {f.name!r} is used by no row (it still shows in explanations)")
    used_tags = {t for f in pack.features for t in (f.where.tags_any or [])}
    for i, t in enumerate(pack.core.tags):
        if t.id not in used_tags:
            yield _at(pdoc, ("tags", i, "id"), "info", "unused-tag",
                      f"tag {t.id!r} is read by no feature (it still documents evidence)")
    for sid in pack.statement_ids:
        for cid in pack.category_ids:
            if pack.table_for(sid, cid) is None:
                yield _at(tdoc, ("tables",), "warning", "no-table", f"no table covers statement {sid!r}, category {cid!r}")


def iter_findings(pack: Pack) -> Iterator[Finding]:
    """Every finding of the pack: conditions never true, then each table's rows, then vocabulary."""
    fdoc = load_yaml(pack.root / "features.yaml")
    tdoc = load_yaml(pack.root / "tables.yaml")
    pdoc = load_yaml(pack.root / "pack.yaml")
    envs = generated_envs(pack)
    never_true: set[tuple[int, int]] = set()
    yield from _never_true(pack, _domains(pack, envs), tdoc, never_true)
    for t_i, ct in enumerate(pack.tables):
        yield from _table_findings(t_i, ct, envs, never_true, tdoc)
    yield from _vocabulary_findings(pack, fdoc, pdoc, tdoc)


def lint_paths(paths: list[Path], packs) -> list[Finding]:
    """Lint packs; for case files, also report evidence in cells no table covers."""
    from engine.model.case import load_case
    from engine.model.pack import load_pack

    out: list[Finding] = []
    for path in paths:
        if path.is_dir() and (path / "pack.yaml").is_file():
            out.extend(iter_findings(load_pack(path)))
        elif path.is_dir():
            out.extend(lint_paths(sorted(p for p in path.iterdir() if (p / "pack.yaml").is_file() or p.suffix == ".yaml"), packs))
        else:
            lc = load_case(path, packs.pack_for(path.parent))
            pack = packs.get(lc.case.framework, lc.folder)
            doc = load_yaml(path)
            for i, it in enumerate(lc.case.items):
                if pack.table_for(it.statement, it.category) is None:
                    out.append(Finding.of(doc.problem(("items", i), f"evidence in statement {it.statement!r}, "
                                                      f"category {it.category!r}, which no table scores"),
                                          "warning", "no-table"))
    return out
