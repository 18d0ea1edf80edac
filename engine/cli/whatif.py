"""`rederive whatif CASE|DIR`: derive before and after evidence changes (`--set`, `--drop`,
`--add`, `--scenario`) or a rule override (`--rules-override`), on copies."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from engine.base.errors import UsageError
from engine.cli.common import common, load

HELP = "derive before and after evidence changes or a rule override"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("target", metavar="CASE|DIR")
    p.add_argument("--set", action="append", default=[], metavar="ITEM.FIELD=VALUE")
    p.add_argument("--drop", action="append", default=[], metavar="ITEM")
    p.add_argument("--add", type=Path, default=None, metavar="ITEMS.yaml")
    p.add_argument("--scenario", type=Path, default=None, metavar="SCENARIO.yaml")
    p.add_argument("--rules-override", type=Path, default=None, metavar="OVERRIDE.yaml")
    common(p)


def _rules(args: argparse.Namespace, out: TextIO) -> int:
    from engine.analysis.override import load_override, transform_for
    from engine.analysis.whatif import rules_whatif
    from engine.model.locate import Packs, expand_cases, load_cases
    from engine.model.pack import load_pack
    from engine.render import terminal as render

    if args.set or args.drop or args.add or args.scenario:
        raise UsageError("--rules-override goes alone: evidence changes and rule changes are separate what-ifs")
    packs = Packs(args.rules)
    files = expand_cases([args.target])
    if not files:
        raise UsageError(f"no case files in {args.target}")
    cases = load_cases(files, packs)
    doc, override = load_override(args.rules_override)
    if override.framework is not None:
        cases = [lc for lc in cases if lc.case.framework == override.framework]
        if not cases:
            raise UsageError(f"no case in {args.target} uses framework {override.framework!r}")
    frameworks = {lc.case.framework for lc in cases}
    if len(frameworks) > 1:
        raise UsageError(
            f"a rule override applies to one framework; these cases use {', '.join(sorted(frameworks))}:"
            " name it with 'framework:' in the override"
        )
    base = packs.get(frameworks.pop(), cases[0].folder)
    changed = load_pack(base.root, transform_for(doc, override))
    result = rules_whatif(base, changed, cases, override.name)
    render.to_json(result, out) if args.format == "json" else render.rules_whatif_text(result, out)
    return 0


def _evidence(args: argparse.Namespace, out: TextIO) -> int:
    from engine.analysis.scenario import Change, load_added_items, load_scenario, parse_set
    from engine.analysis.whatif import evidence_whatif
    from engine.render import terminal as render

    changes: list[Change] = []
    origin = "command line"
    if args.scenario is not None:
        sc = load_scenario(args.scenario)
        changes.extend(sc.changes)
        origin = str(args.scenario)
    changes.extend(parse_set(s) for s in args.set)
    changes.extend(Change(op="drop", item=i) for i in args.drop)
    if args.add is not None:
        changes.append(Change(op="add", items=load_added_items(args.add)))
    [(pack, lc, _)] = load(args, [args.target])
    result = evidence_whatif(pack, lc, changes, origin)
    render.to_json(result, out) if args.format == "json" else render.whatif_text(result, out)
    return 0


def run(args: argparse.Namespace, out: TextIO) -> int:
    return _rules(args, out) if args.rules_override is not None else _evidence(args, out)
