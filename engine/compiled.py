"""Features over counts of item signatures: the same values as `features.compute`, computed
from how many items of each (polarity, tags, metric band) a cell holds.

Items with one signature are indistinguishable to every feature kind, so a cell is a
Counter of signatures; each feature is a sum, share, any, min or max over that Counter.
Used where many variants of one case are evaluated (counterfactual search).
"""
from __future__ import annotations

from collections import Counter

from .case import Item
from .features import Value, metric_band
from .pack import Feature, Pack

Signature = tuple[str, frozenset[str], int | None]


def signature(pack: Pack, it: Item) -> Signature:
    return (it.polarity, frozenset(it.tags), metric_band(pack, it))


def _matches(f: Feature, sig: Signature) -> bool:
    pol, tags, band = sig
    w = f.where
    if w.polarity is not None and pol not in w.polarity:
        return False
    if w.tags_any is not None and not any(t in tags for t in w.tags_any):
        return False
    return not (w.has_metric is not None and (band is not None) != w.has_metric)


class CountEvaluator:
    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self._match: dict[tuple[str, Signature], float | None] = {}

    def _weight(self, f: Feature, sig: Signature) -> float | None:
        key = (f.name, sig)
        if key not in self._match:
            self._match[key] = f.weights.get(sig[0], 1.0) if _matches(f, sig) else None
        return self._match[key]

    def values(self, cell: Counter, statement: Counter | None = None) -> dict[str, Value]:
        out: dict[str, Value] = {}
        for f in self.pack.features:
            if f.kind == "expr":
                raw = self.pack.expr_conditions[f.name].fn(out)
                out[f.name] = bool(raw) if f.type == "bool" else raw
                continue
            counts = cell if f.scope == "category" else (statement if statement is not None else cell)
            out[f.name] = self._value(f, counts)
        return out

    def statement_values(self, statement: Counter) -> tuple[Value, ...]:
        return tuple(self._value(f, statement) for f in self.pack.statement_features)

    def _value(self, f: Feature, counts: Counter) -> Value:
        if f.kind in ("count", "share"):
            total = 0.0
            n = 0
            for sig, c in counts.items():
                n += c
                w = self._weight(f, sig)
                if w is not None:
                    total += w * c
            if f.kind == "share":
                total = total / n if n else 0.0
            return round(total, 6) if f.type == "number" else int(total)
        hits = [sig for sig, c in counts.items() if c > 0 and self._weight(f, sig) is not None]
        if f.kind == "any":
            return bool(hits)
        bands = [sig[2] for sig in hits if sig[2] is not None]
        if not bands:
            return f.default
        return min(bands) if f.kind == "worst_metric" else max(bands)
