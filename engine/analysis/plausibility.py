"""How arguable a set of evidence changes is: each change's plausibility as a misreading or an
omission, and a set's as the product of its changes' (they are separate arguments, each of
which a reviewer must accept).

A change to an item the learned reader read takes the reader's own doubt, 1 minus its
confidence in the reading (a sentence read as a shortfall with probability 0.55 is nearly as
likely the other way); reading a mixed item either way is at least an even argument; any other
change takes the plausibility its operation declares in the pack (a curator's reading, an
added finding)."""

from __future__ import annotations

from engine.model.case import Item
from engine.model.pack import Pack


def change(pack: Pack, op_id: str, kind: str, item: Item | None) -> float:
    """One change's plausibility (0-1)."""
    declared = _declared(pack).get(op_id, 0.2)
    if item is None:
        return declared
    if kind in ("flip_polarity", "drop_item") and item.reading is not None and item.reading.confidence is not None:
        doubt = 1.0 - item.reading.confidence
        return max(doubt, 0.5) if kind == "flip_polarity" and item.polarity == "mixed" else doubt
    if kind == "flip_polarity" and item.polarity == "mixed":
        return max(declared, 0.5)
    return declared


def _declared(pack: Pack) -> dict[str, float]:
    """Each operation's declared plausibility, kept on the pack (a search asks often)."""
    got = pack.__dict__.get("_plausibility")
    if got is None:
        got = pack.__dict__["_plausibility"] = {o.id: o.plausibility for o in pack.core.counterfactual.operations}
    return got


def of_set(values: list[float]) -> float:
    p = 1.0
    for v in values:
        p *= v
    return round(p, 6)
