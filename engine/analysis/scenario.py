"""Scenarios: evidence changes applied to a copy of a case's items, never to the file.

A change is `set` (ITEM.FIELD = VALUE), `drop` (ITEM) or `add` (new, hypothetical items).
Every change is checked against the case and the pack before anything is derived.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from engine.base.errors import LoadError, Problem
from engine.base.models import Strict, problems_from_validation, validated
from engine.base.yamlio import load_yaml
from engine.model.case import Evidence, Item, SourceRef, fold
from engine.model.expr import suggest
from engine.model.pack import Pack

SETTABLE = ("polarity", "statement", "category", "tags", "metric.comparison")
HYPOTHETICAL = "(hypothetical)"


class AddItem(Evidence):
    """A hypothetical item a scenario adds: no source, so its quote only says so."""

    quote: str = HYPOTHETICAL


class Change(Strict):
    op: Literal["set", "drop", "add"]
    item: str | None = None
    field: Literal["polarity", "statement", "category", "tags", "metric.comparison"] | None = None
    value: str | list[str] | None = None
    items: list[AddItem] | None = None

    def label(self) -> str:
        if self.op == "set":
            v = ",".join(self.value) if isinstance(self.value, list) else self.value
            return f"set {self.item}.{self.field}={v}"
        if self.op == "drop":
            return f"drop {self.item}"
        return "add " + ", ".join(f"{a.id} ({a.polarity} {a.statement}.{a.category})" for a in self.items or [])


class Scenario(Strict):
    name: str
    description: str = ""
    changes: list[Change] = []


def parse_set(text: str) -> Change:
    """`ITEM.FIELD=VALUE` from the command line; tags take a comma-separated list."""
    from engine.base.errors import UsageError

    target, eq, value = text.partition("=")
    item, dot, field = target.partition(".")
    if not eq or not dot or not item:
        raise UsageError(f"--set expects ITEM.FIELD=VALUE, found {text!r}")
    if field not in SETTABLE:
        raise UsageError(
            f"--set: cannot set {field!r}; settable fields: {', '.join(SETTABLE)}{suggest(field, SETTABLE)}"
        )
    return Change.model_validate(
        {
            "op": "set",
            "item": item,
            "field": field,
            "value": [t for t in value.split(",") if t] if field == "tags" else value,
        }
    )


def load_scenario(path: Path) -> Scenario:
    return validated(load_yaml(path), Scenario)


def load_added_items(path: Path) -> list[AddItem]:
    doc = load_yaml(path)
    data = doc.data.get("items") if isinstance(doc.data, dict) else doc.data
    if not isinstance(data, list):
        raise LoadError(
            "expected a list of items", [doc.problem((), "expected a list of items (or a mapping with 'items:')")]
        )
    try:
        return [AddItem.model_validate(x) for x in data]
    except ValidationError as exc:
        problems = problems_from_validation(doc, exc)
        raise LoadError(problems[0].message, problems) from None


def _check_item(pack: Pack, it: Item, where: str) -> list[str]:
    bad = []
    if it.statement not in pack.statement_ids:
        bad.append(f"{where}: unknown statement {it.statement!r}{suggest(it.statement, pack.statement_ids)}")
    if it.category not in pack.category_ids:
        bad.append(f"{where}: unknown category {it.category!r}{suggest(it.category, pack.category_ids)}")
    rule = {t.id: t.applies_to for t in pack.core.tags}
    for tag in it.tags:
        if tag not in rule:
            bad.append(f"{where}: unknown tag {tag!r}{suggest(tag, sorted(rule))}")
        elif rule[tag] != "any" and it.polarity != "mixed" and rule[tag] != it.polarity:
            bad.append(f"{where}: tag {tag!r} belongs on a {rule[tag]} or mixed item, not a {it.polarity}")
    if it.metric is not None:
        band = pack.comparison_band.get(
            fold(it.metric.comparison).lower(), pack.comparison_ids.get(it.metric.comparison)
        )
        if band is None:
            bad.append(f"{where}: unknown comparison wording {it.metric.comparison!r}")
        elif (band < 0 and it.polarity == "strength") or (band > 0 and it.polarity == "shortfall"):
            bad.append(f"{where}: a {it.polarity} item cannot carry a metric that compares {it.metric.comparison!r}")
    return bad


def apply(pack: Pack, items: list[Item], changes: list[Change], origin: str = "scenario") -> list[Item]:
    """The items after the changes, in order; the input list is not touched."""
    out = list(items)
    problems: list[str] = []
    for n, ch in enumerate(changes):
        where = f"change {n + 1} ({ch.label()})"
        index = {it.id: i for i, it in enumerate(out)}
        if ch.op in ("set", "drop"):
            if ch.item not in index:
                problems.append(f"{where}: no item {ch.item!r}{suggest(str(ch.item), list(index))}")
                continue
            i = index[ch.item]
            if ch.op == "drop":
                del out[i]
                continue
            if ch.field is None or ch.value is None:
                problems.append(f"{where}: 'set' needs a field and a value")
                continue
            old = out[i]
            if ch.field == "metric.comparison":
                if old.metric is None:
                    problems.append(f"{where}: item {old.id!r} has no metric")
                    continue
                new = old.model_copy(update={"metric": old.metric.model_copy(update={"comparison": ch.value})})
            elif ch.field == "tags":
                new = old.model_copy(update={"tags": list(ch.value) if isinstance(ch.value, list) else [ch.value]})
            else:
                if ch.field == "polarity" and ch.value not in ("strength", "shortfall", "mixed"):
                    problems.append(f"{where}: polarity must be strength, shortfall or mixed")
                    continue
                new = old.model_copy(update={ch.field: ch.value})
            problems.extend(_check_item(pack, new, where))
            out[i] = new
        else:
            for a in ch.items or []:
                if a.id in index:
                    problems.append(f"{where}: item id {a.id!r} is already in the case")
                    continue
                new = Item(
                    id=a.id,
                    statement=a.statement,
                    category=a.category,
                    polarity=a.polarity,
                    tags=list(a.tags),
                    metric=a.metric,
                    quote=a.quote,
                    source=SourceRef(file=f"({origin})", line=1),
                    note="hypothetical: added by a scenario",
                )
                problems.extend(_check_item(pack, new, where))
                out.append(new)
                index[a.id] = len(out) - 1
    if problems:
        raise LoadError(problems[0], [Problem(origin, None, None, "", p) for p in problems])
    return out


def inverse(items: list[Item], ch: Change) -> Change:
    """The change that undoes `ch` applied to `items`."""
    if ch.op == "add":
        raise ValueError("the inverse of an add is one drop per added item")
    old = next(it for it in items if it.id == ch.item)
    if ch.op == "drop":
        return Change(
            op="add",
            items=[
                AddItem(
                    id=old.id,
                    statement=old.statement,
                    category=old.category,
                    polarity=old.polarity,
                    tags=list(old.tags),
                    metric=old.metric,
                    quote=old.quote,
                )
            ],
        )
    value: str | list[str]
    if ch.field == "metric.comparison":
        value = old.metric.comparison if old.metric is not None else ""  # apply refuses a metric change without one
    elif ch.field == "tags":
        value = list(old.tags)
    else:
        value = getattr(old, str(ch.field))
    return Change(op="set", item=ch.item, field=ch.field, value=value)
