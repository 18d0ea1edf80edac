"""Rule conditions in plain words: `shortfall_share >= 0.6` with the cell's 0.6667 becomes
"the share of the category's evidence showing shortfalls at least 60% (it is 67%)", and its
opposite "... below 60% (it is 67%)"; `serious_shortfalls >= 1` negated, "no serious
shortfalls (risk of harm, no assurance) in the category (it has 5)".

Each feature is named by its `term` in the pack (its name when it has none) and shown in
its `unit`: a share as a percentage, a count as a whole number, a flag as so or not so. A
condition that is not a single comparison of one feature with a number keeps its own text,
with the values it reads.
"""

from __future__ import annotations

import re
from typing import Any

from engine.model.pack import Pack
from engine.model.packfiles import Feature

_CONDITION = re.compile(r"^\s*(not\s+)?([A-Za-z_]\w*)\s*(?:(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?))?\s*$")
_NEGATED = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "==": "!=", "!=": "=="}
_COUNT_WORDS = {
    ">=": "at least",
    ">": "more than",
    "<=": "at most",
    "<": "fewer than",
    "==": "exactly",
    "!=": "other than",
}
_LEVEL_WORDS = {">=": "at least", ">": "above", "<=": "at most", "<": "below", "==": "exactly", "!=": "other than"}


def unit(f: Feature | None) -> str:
    """How a feature's value is shown: its declared `unit`, else from its type and kind."""
    if f is None:
        return "number"
    if f.unit is not None:
        return f.unit
    if f.type == "bool":
        return "flag"
    if f.kind == "share":
        return "percent"
    return "count" if f.kind == "count" and f.type == "int" else "number"


def term(f: Feature | None, name: str) -> str:
    """How a sentence names a feature: its declared `term`, else its name in words."""
    return f.term if f is not None and f.term else name.replace("_", " ")


def _shown(value: Any, u: str) -> str:
    if isinstance(value, bool) or value is None:
        return "so" if value else "not so"
    if u == "percent":
        return f"{float(value) * 100:.0f}%"
    if u == "count" or float(value).is_integer():
        return f"{value:g}" if isinstance(value, float) else str(value)
    return f"{float(value):.2f}"


def condition(pack: Pack, text: str, features: dict[str, Any], negate: bool = False) -> str:
    """The condition (or, `negate`, its opposite) in words, with the value it reads now."""
    m = _CONDITION.match(text)
    if m is None or (m.group(1) and m.group(3)):
        values = ", ".join(f"{n} = {_shown(v, 'number')}" for n, v in features.items() if re.search(rf"\b{n}\b", text))
        return f"{'not ' if negate else ''}{text}" + (f" ({values})" if values else "")
    name = m.group(2)
    f = pack.feature_by_name.get(name)
    u, t, now = unit(f), term(f, name), features.get(name)
    if m.group(3) is None:  # a flag: `name` or `not name`
        wanted = (m.group(1) is None) != negate
        return f"{'' if wanted else 'not '}{t} (it is {_shown(bool(now), 'flag')})"
    op = _NEGATED[m.group(3)] if negate else m.group(3)
    value = float(m.group(4))
    shown = _shown(int(value) if value.is_integer() else value, u)
    if u == "count":
        if (op, value) in (("<", 1), ("<=", 0)):
            return f"no {t} (it has {_shown(now, u)})"
        return f"{_COUNT_WORDS[op]} {shown} {t} (it has {_shown(now, u)})"
    return f"{t} {_LEVEL_WORDS[op]} {shown} (it is {_shown(now, u)})"


def in_sentence(name: str) -> str:
    """A name inside a sentence: its first letter lower-cased, unless it opens an acronym."""
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]


def why_not(pack: Pack, w: dict[str, Any], conditions: dict[str, list[str]], features: dict[str, Any]) -> str:
    """A "why not the next score" entry as sentences. `conditions`: the conditions of the rows
    it names (the row to fire, or the rows that must stop firing), by row id."""
    who = in_sentence(pack.category_name(w["category"]))
    label = next((lv.label for lv in pack.core.scale.levels if lv.score == w["statement_target"]), None)
    goal = f"{w['statement_target']} ({label})" if label else f"{w['statement_target']}"
    lead = f"To reach {goal}, {who} would need to score {w['target']}"
    if w.get("blocked_by"):
        parts = [
            ", or ".join(condition(pack, c, features, negate=True) for c in conditions.get(b, []))
            for b in w["blocked_by"]
        ]
        if len(parts) == 1:
            return f"{lead}, and the rule that holds it stops applying only with {parts[0]}."
        return (
            f"{lead}, and each of the {len(parts)} rules that hold it must stop applying: "
            + "; ".join(f"({n}) with {part}" for n, part in enumerate(parts, start=1))
            + "."
        )
    if w.get("failing_all"):
        return f"{lead}: that needs " + " and ".join(condition(pack, c, features) for c in w["failing_all"]) + "."
    if w.get("row") == "default":
        return f"{lead}: it does only when no rule of its table applies."
    return f"{lead}: no rule gives {w['target']}."


def set_change(pack: Pack, d: dict[str, Any]) -> str:
    """One change of a counterfactual set (its `details` entry) in plain words, with the quote
    of the finding it changes (the ids stay in the JSON)."""
    where = f"{d['statement_name']}, {in_sentence(pack.category_name(d['category']))}"
    if d["kind"] == "add_item":
        return f"one more {d['to']} finding in {where}"
    if d["kind"] == "drop_item":
        return f"leave out this {d.get('polarity', '')} finding ({where})"
    if d["kind"] == "flip_polarity":
        return f"read this {d.get('polarity', '')} finding as a {d['to']} ({where})"
    return f"read this comparison as {str(d['to']).replace('_', ' ')} ({where})"


def set_in_words(pack: Pack, s: dict[str, Any]) -> list[str]:
    """A counterfactual set's changes in words, each with its quote and line where it has one."""
    return [
        set_change(pack, d) + (f": “{d['quote']}” (line {d['line']})" if d.get("quote") else "")
        for d in s.get("details", [])
    ]


def change_words(pack: Pack, ch: Any) -> str:
    """A what-if change (a scenario's `set`, `drop` or `add`) in plain words, naming
    statements, categories and tags by the pack's names (the change's own label keeps the ids)."""
    if ch.op == "drop":
        return "leave out this finding"
    if ch.op == "add":
        return "; ".join(
            f"add a {a.polarity} finding to {pack.statement(a.statement).name if a.statement in pack.statement_ids else a.statement}, "
            f"{pack.category_name(a.category)}"
            for a in ch.items or []
        )
    if ch.field == "polarity":
        return f"read this finding as {'a ' if ch.value != 'mixed' else ''}{ch.value}"
    if ch.field == "category":
        return f"move this finding to {pack.category_name(str(ch.value))}"
    if ch.field == "statement":
        name = pack.statement(str(ch.value)).name if ch.value in pack.statement_ids else ch.value
        return f"move this finding to {name}"
    if ch.field == "tags":
        tags = [str(t).replace("_", " ") for t in (ch.value or [])]
        return f"tag this finding {', '.join(tags)}" if tags else "clear this finding's tags"
    return f"read this finding's comparison as {str(ch.value).replace('_', ' ')}"
