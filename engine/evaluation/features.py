"""Feature values of one cell (a statement and an evidence category), from its evidence items.

Each feature is declared in the pack (`features.yaml`) as a kind over a filter of items;
this module only knows the kinds, never the names.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.model.case import Item, fold
from engine.model.pack import Pack
from engine.model.packfiles import Feature

Value = int | float | bool


def metric_band(pack: Pack, item: Item) -> int | None:
    if item.metric is None:
        return None
    c = item.metric.comparison
    band = pack.comparison_band.get(fold(c).lower())
    return band if band is not None else pack.comparison_ids.get(c)


def statement_values(pack: Pack, statement_items: Sequence[Item]) -> tuple[Value, ...]:
    """The values of the statement-scope features only (a cell's context)."""
    values, _ = _compute(pack, pack.statement_features, (), statement_items)
    return tuple(values[f.name] for f in pack.statement_features)


def compute(
    pack: Pack,
    cell_items: Sequence[Item],
    statement_items: Sequence[Item],
    shared: dict[str, tuple[Value, tuple[str, ...]]] | None = None,
) -> tuple[dict[str, Value], dict[str, tuple[str, ...]]]:
    """Return (feature values, ids of the items each feature counted). `shared` keeps the
    statement-scope values between the cells of one statement (they are the same for all)."""
    return _compute(pack, pack.features, cell_items, statement_items, shared)


def _compute(
    pack: Pack,
    feats: Sequence[Feature],
    cell_items: Sequence[Item],
    statement_items: Sequence[Item],
    shared: dict[str, tuple[Value, tuple[str, ...]]] | None = None,
) -> tuple[dict[str, Value], dict[str, tuple[str, ...]]]:
    values: dict[str, Value] = {}
    used: dict[str, tuple[str, ...]] = {}
    for f in feats:
        if f.kind == "expr":
            raw = pack.expr_conditions[f.name].fn(values)
            values[f.name] = bool(raw) if f.type == "bool" else raw
            used[f.name] = ()
            continue
        if f.scope != "category" and shared is not None and f.name in shared:
            values[f.name], used[f.name] = shared[f.name]
            continue
        items = cell_items if f.scope == "category" else statement_items
        pols, tags, has_metric, tags_all = pack.filters[f.name]  # a hot loop: the filter read inline
        hit = [
            it
            for it in items
            if (pols is None or it.polarity in pols)
            and (tags is None or not tags.isdisjoint(it.tags))
            and (has_metric is None or (it.metric is not None) == has_metric)
            and (tags_all is None or tags_all.issubset(it.tags))
        ]
        used[f.name] = tuple(it.id for it in hit)
        if f.kind == "count" or f.kind == "share":
            total = sum(f.weights.get(it.polarity, 1.0) for it in hit)
            if f.kind == "share":
                total = total / len(items) if items else 0.0
            values[f.name] = round(float(total), 6) if f.type == "number" else int(total)
        elif f.kind == "any":
            values[f.name] = bool(hit)
        else:
            bands = [b for it in hit if (b := metric_band(pack, it)) is not None]
            if bands:
                values[f.name] = min(bands) if f.kind == "worst_metric" else max(bands)
            else:
                values[f.name] = f.default
        if f.scope != "category" and shared is not None:
            shared[f.name] = (values[f.name], used[f.name])
    return values, used


def item_kinds(pack: Pack) -> list[tuple[str, tuple[str, ...], int | None]]:
    """Every distinguishable item: polarity x (no tag, one allowed tag, or a tag some feature
    needs together with another, `tags_all`, beside one allowed tag) x (no metric or a band)."""
    bands = sorted({c.band for c in pack.core.comparisons.bands})
    joint = {t for f in pack.features for t in (f.where.tags_all or [])}
    together = {  # the tags a feature needs beside a joint one
        t for f in pack.features if f.where.tags_all for t in [*(f.where.tags_any or []), *f.where.tags_all]
    }
    out = []
    for pol in ("strength", "shortfall", "mixed"):
        tags = [t.id for t in pack.core.tags if pol == "mixed" or t.applies_to in ("any", pol)]
        ok = [None] + [b for b in bands if (pol != "strength" or b >= 0) and (pol != "shortfall" or b <= 0)]
        pairs = [tuple(sorted((j, t))) for j in sorted(joint) if j in tags for t in tags if t != j and t in together]
        for tag in [(), *((t,) for t in tags), *dict.fromkeys(pairs)]:
            for band in ok:
                out.append((pol, tag, band))
    return out
