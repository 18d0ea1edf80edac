"""`rederive diff CASE...|DIR`: agreement of derived with published scores across cases;
`--items CURATED EXTRACTED`: the evidence items each case reads differently."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from engine.base.errors import UsageError
from engine.cli.common import common, load

HELP = "agreement of derived with published scores across cases"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("cases", nargs="+", metavar="CASE|DIR")
    p.add_argument("--items", action="store_true", help="compare the evidence items of CURATED and EXTRACTED instead")
    p.add_argument("--framework", default=None, help="compare only the cases of this framework")
    common(p, formats=("table", "json", "markdown", "csv"))


def _deciders(lc, der) -> dict[tuple[str, str], list[dict[str, Any]]]:
    return {
        (lc.slug, st.id): [
            {"category": c.category, "score": c.score, "table": c.table, "row": c.kept} for c in st.cells
        ]
        for st in der.statements
    }


def _items(args: argparse.Namespace, out: TextIO) -> int:
    from engine.render import terminal as render
    from engine.reports.itemdiff import item_diff

    if len(args.cases) != 2:
        raise UsageError("diff --items takes two case files: CURATED.yaml EXTRACTED.yaml")
    (_, cur, _), (_, ext, _) = load(args, args.cases[:1]) + load(args, args.cases[1:])
    result = item_diff(cur, ext)
    render.to_json(result, out) if args.format == "json" else render.item_diff_text(result, out)
    return 0


def agreement_tables(loaded: list, framework: str | None) -> list[dict[str, Any]]:
    """One agreement table per framework: scores of different frameworks do not add up."""
    from engine.reports.compare import diff
    from engine.reports.derived import derive_object

    frameworks = sorted({p.id for p, _, _ in loaded})
    if framework is not None and framework not in frameworks:
        raise UsageError(f"--framework {framework}: no case uses it (these use {', '.join(frameworks)})")
    results = []
    for fid in [framework] if framework is not None else frameworks:
        group = [x for x in loaded if x[0].id == fid]
        deciders: dict = {}
        for _, lc, d in group:
            deciders.update(_deciders(lc, d))
        results.append(diff(group[0][0], [derive_object(p, lc, d) for p, lc, d in group], deciders))
    return results


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.render import terminal as render

    if args.items:
        if args.format == "csv":
            raise UsageError(
                "diff --items answers as a table, markdown or json; --format csv is for the agreement table"
            )
        return _items(args, out)
    results = agreement_tables(load(args, args.cases), args.framework)
    if args.format == "json":  # one framework: its table; several: a list of them
        render.to_json(results[0] if len(results) == 1 else results, out)
        return 0
    if args.format == "csv":  # one table for every framework, a column saying which
        from engine.render import csvout

        csvout.diff(results, out)
        return 0
    for i, result in enumerate(results):
        if i:
            out.write("\n")
        render.diff_markdown(result, out) if args.format == "markdown" else render.diff_table(result, out)
    return 0
