"""Command line: `main(argv) -> int` parses arguments and calls library functions.

Exit codes: 0 done; 1 problems found (bad input, failed checks); 2 usage error.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from .errors import RederiveError, UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["table", "json"], default="table", help="output format (default: table)")
    p.add_argument("--rules", type=Path, default=None, help="folder of framework packs (default: nearest rules/)")


COMMANDS = ("derive", "explain", "diff", "consistency", "check", "whatif", "counterfactual", "review",
            "extract", "lint", "test", "schemas")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="rederive", description="Re-derive inspection ratings from report evidence, explain them, diff them.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    p = sub.add_parser("derive", help="derived scores and rating beside the published ones")
    p.add_argument("cases", nargs="+", metavar="CASE")
    _common(p)
    p = sub.add_parser("explain", help="why each score is what it is: rows, features, quotes")
    p.add_argument("case", metavar="CASE")
    p.add_argument("--statement", default=None, metavar="ID")
    _common(p)
    p = sub.add_parser("diff", help="agreement of derived with published scores across cases")
    p.add_argument("cases", nargs="+", metavar="CASE|DIR")
    p.add_argument("--items", action="store_true", help="compare the evidence items of CURATED and EXTRACTED instead")
    p.add_argument("--framework", default=None, help="compare only the cases of this framework")
    p.add_argument("--format", choices=["table", "json", "markdown"], default="table")
    p.add_argument("--rules", type=Path, default=None, help="folder of framework packs (default: nearest rules/)")
    p = sub.add_parser("consistency", help="does each published rating follow from its own published scores?")
    p.add_argument("--ratings", required=True, type=Path, metavar="CSV")
    p.add_argument("--framework", default=None, help="pack id (default: the one pack whose statement ids are the CSV's columns)")
    _common(p)
    p = sub.add_parser("test", help="run the YAML rule tests of packs (rules/<pack>/tests/*.yaml)")
    p.add_argument("paths", nargs="*", metavar="PATH", help="test files or folders (default: rules/)")
    _common(p)
    p = sub.add_parser("whatif", help="derive before and after evidence changes or a rule override")
    p.add_argument("target", metavar="CASE|DIR")
    p.add_argument("--set", action="append", default=[], metavar="ITEM.FIELD=VALUE")
    p.add_argument("--drop", action="append", default=[], metavar="ITEM")
    p.add_argument("--add", type=Path, default=None, metavar="ITEMS.yaml")
    p.add_argument("--scenario", type=Path, default=None, metavar="SCENARIO.yaml")
    p.add_argument("--rules-override", type=Path, default=None, metavar="OVERRIDE.yaml")
    _common(p)
    p = sub.add_parser("counterfactual", help="all minimal sets of evidence changes that reach a target")
    p.add_argument("case", metavar="CASE")
    p.add_argument("--target", required=True, metavar="overall=RATING|STATEMENT=SCORE")
    p.add_argument("--max-changes", type=int, default=None, metavar="K")
    p.add_argument("--max-sets", type=int, default=50, metavar="N", help="sets listed in full (the count is always exact)")
    p.add_argument("--reading", choices=["round_half_up", "truncate"], default=None,
                   help="read ambiguous boundary sums this way instead of the pack's choice")
    _common(p)
    p = sub.add_parser("review", help="the review-request brief: process checks, sensitivity, draft, deadline")
    p.add_argument("case", metavar="CASE")
    p.add_argument("-o", "--output", type=Path, default=None, metavar="BRIEF.md|BRIEF.html")
    p.add_argument("--force", action="store_true", help="replace an existing output file")
    _common(p)
    p = sub.add_parser("extract", help="read a published report (or a folder of them) and write case files")
    p.add_argument("report", metavar="REPORT|DIR")
    p.add_argument("-o", "--output", type=Path, default=None, metavar="CASE.yaml|OUTDIR")
    p.add_argument("--force", action="store_true", help="replace existing case files")
    p.add_argument("--framework", default=None, help="pack id (default: detected from the report's wording)")
    _common(p)
    p = sub.add_parser("lint", help="find dead, overlapping or uncovered rows, unused features and tags")
    p.add_argument("paths", nargs="+", metavar="PACK|CASE")
    _common(p)
    p = sub.add_parser("schemas", help="write the JSON Schemas of packs, cases and rule tests")
    p.add_argument("-o", "--output", type=Path, default=Path("schemas"), metavar="DIR")
    p.add_argument("--force", action="store_true", help="replace schema files that differ")
    _common(p)
    p = sub.add_parser("check", help="validate packs and cases; list every problem as file:line:col")
    p.add_argument("paths", nargs="+", metavar="PATH")
    _common(p)
    return parser


def _load(args: argparse.Namespace, paths: list[str]):
    from .check import load_cases
    from .derive import derive
    from .locate import Packs, expand_cases

    packs = Packs(args.rules)
    files = expand_cases(paths)
    if not files:
        raise UsageError(f"no case files in {', '.join(paths)}")
    out = []
    with_progress = len(files) > 1 and getattr(args, "format", "table") == "table"
    from . import render

    with render.progress(sys.stderr, len(files), "deriving", enabled=with_progress) as advance:
        lcs = []
        for f in files:
            lcs.extend(load_cases([f], packs))
            advance()
    for lc in lcs:
        pack = packs.get(lc.case.framework, lc.folder)
        out.append((pack, lc, derive(pack, lc.case.items)))
    return out


def _whatif(args: argparse.Namespace, out: TextIO) -> int:
    from . import render
    from .scenario import Change, load_added_items, load_scenario, parse_set

    if args.rules_override is not None:
        if args.set or args.drop or args.add or args.scenario:
            raise UsageError("--rules-override goes alone: evidence changes and rule changes are separate what-ifs")
        from .check import load_cases
        from .locate import Packs, expand_cases
        from .override import load_override, transform_for
        from .pack import load_pack
        from .whatif import rules_whatif

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
            raise UsageError(f"a rule override applies to one framework; these cases use {', '.join(sorted(frameworks))}:"
                             " name it with 'framework:' in the override")
        base = packs.get(frameworks.pop(), cases[0].folder)
        changed = load_pack(base.root, transform_for(doc, override))
        result = rules_whatif(base, changed, cases, override.name)
        render.to_json(result, out) if args.format == "json" else render.rules_whatif_text(result, out)
        return 0
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
    from .whatif import evidence_whatif

    [(pack, lc, _)] = _load(args, [args.target])
    result = evidence_whatif(pack, lc, changes, origin)
    render.to_json(result, out) if args.format == "json" else render.whatif_text(result, out)
    return 0


def _extract(args: argparse.Namespace, out: TextIO) -> int:
    from . import render
    from .extract import write_extracted

    src = Path(args.report)
    if not src.exists():
        raise UsageError(f"no such file or folder: {src}")
    if src.is_dir():
        reports = sorted(p for p in src.iterdir() if p.is_file() and p.suffix.lower() in (".txt", ".md"))
        if not reports:
            raise UsageError(f"no reports (*.txt, *.md) in {src}")
        if args.output is None:
            raise UsageError("extracting a folder needs -o OUTDIR")
        targets = [(r, args.output / f"{_slug(r)}.yaml") for r in reports]
    else:
        reports = [src]
        targets = [(src, args.output or Path(f"{_slug(src)}.yaml"))]
    existing = [str(t) for _, t in targets if t.exists()]
    if existing and not args.force:
        raise UsageError(f"{', '.join(existing[:3])}{' ...' if len(existing) > 3 else ''} exists: not overwritten (use --force)")
    results: list[dict] = []
    failed: list[dict] = []
    with render.progress(out, len(targets), "extracting", enabled=args.format != "json" and len(targets) > 1) as advance:
        for report, target in targets:
            try:
                results.append(write_extracted(report, target, args.rules, args.framework, force=args.force))
            except RederiveError as exc:
                if not src.is_dir():
                    raise
                failed.append({"report": str(report), "error": str(exc.problems[0].message if exc.problems else exc)})
            advance()
    if args.format == "json":
        render.to_json({"written": results, "failed": failed} if src.is_dir() else results[0], out)
    else:
        for r in results:
            out.write(f"wrote {r['case_file']}: {r['items']} items in {r['assessed']} statement(s)"
                      f" (framework {r['framework']})\n")
        for f in failed:
            out.write(f"not extracted: {f['report']}: {f['error']}\n")
    return 1 if failed else 0


def _slug(path: Path) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")


def _csv_header(path: Path) -> list[str]:
    import csv

    from .errors import LoadError, Problem

    try:
        with path.open(encoding="utf-8", newline="") as f:
            return next(csv.reader(f), [])
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(str(exc), [Problem(str(path), None, None, "", f"cannot read ratings table: {exc}")]) from None


def _deciders(lc, der) -> dict[tuple[str, str], list[dict[str, Any]]]:
    return {(lc.slug, st.id): [{"category": c.category, "score": c.score, "table": c.table, "row": c.kept}
                               for c in st.cells] for st in der.statements}


def run(args: argparse.Namespace, out: TextIO) -> int:
    from . import render

    if args.command is None:
        raise UsageError(f"a command is required: {', '.join(COMMANDS)} (see --help)")
    fmt = args.format
    if args.command == "derive":
        from .report import derive_object

        loaded = _load(args, args.cases)
        objs = [derive_object(p, lc, d) for p, lc, d in loaded]
        if fmt == "json":
            render.to_json(objs, out)
        else:
            for (pack, _, _), obj in zip(loaded, objs, strict=True):  # each case in its own pack's columns
                render.derive_table([obj], [(c.id, c.short or c.id) for c in pack.core.categories], out)
        return 0
    if args.command == "explain":
        from .explain import explain

        [(pack, lc, der)] = _load(args, [args.case])
        if args.statement is not None and args.statement not in pack.statement_ids:
            from .expr import suggest

            raise UsageError(f"unknown statement {args.statement!r}{suggest(args.statement, pack.statement_ids)}")
        obj = explain(pack, lc, der, args.statement)
        render.to_json(obj, out) if fmt == "json" else render.explain_tree(obj, out)
        return 0
    if args.command == "diff":
        from .compare import diff
        from .report import derive_object

        if args.items:
            from .itemdiff import item_diff

            if len(args.cases) != 2:
                raise UsageError("diff --items takes two case files: CURATED.yaml EXTRACTED.yaml")
            (_, cur, _), (_, ext, _) = _load(args, args.cases[:1]) + _load(args, args.cases[1:])
            result = item_diff(cur, ext)
            render.to_json(result, out) if fmt == "json" else render.item_diff_text(result, out)
            return 0
        loaded = _load(args, args.cases)
        frameworks = sorted({p.id for p, _, _ in loaded})
        if args.framework is not None:
            if args.framework not in frameworks:
                raise UsageError(f"--framework {args.framework}: no case uses it (these use {', '.join(frameworks)})")
            loaded = [x for x in loaded if x[0].id == args.framework]
        # one agreement table per framework: scores of different frameworks do not add up
        results = []
        for fid in ([args.framework] if args.framework is not None else frameworks):
            group = [x for x in loaded if x[0].id == fid]
            deciders: dict = {}
            for _, lc, d in group:
                deciders.update(_deciders(lc, d))
            results.append(diff(group[0][0], [derive_object(p, lc, d) for p, lc, d in group], deciders))
        if fmt == "json":  # one framework: its table; several: a list of them
            render.to_json(results[0] if len(results) == 1 else results, out)
            return 0
        for i, result in enumerate(results):
            if i:
                out.write("\n")
            render.diff_markdown(result, out) if fmt == "markdown" else render.diff_table(result, out)
        return 0
    if args.command == "consistency":
        from .compare import consistency
        from .locate import Packs

        packs = Packs(args.rules)
        framework = args.framework or packs.detect_for_columns(_csv_header(args.ratings), args.ratings.parent)
        pack = packs.get(framework, args.ratings.parent)
        result = consistency(pack, args.ratings)
        render.to_json(result, out) if fmt == "json" else render.consistency_table(result, out)
        return 0 if not result["exceptions"] else 1
    if args.command == "test":
        from .ruletest import find_test_files, iter_outcomes

        roots = [Path(p) for p in args.paths] or [args.rules or Path("rules")]
        missing = [str(p) for p in roots if not p.exists()]
        if missing:
            raise UsageError(f"no such file or folder: {', '.join(missing)}")
        outcomes = [o for f in find_test_files(roots) for o in iter_outcomes(f)]
        if not outcomes:
            raise UsageError(f"no rule tests under {', '.join(map(str, roots))}")
        passed = sum(o.passed for o in outcomes)
        if fmt == "json":
            render.to_json({"passed": passed, "failed": len(outcomes) - passed,
                            "tests": [o.__dict__ for o in outcomes]}, out)
        else:
            for o in outcomes:
                if not o.passed:
                    out.write(o.summary() + "\n")
            out.write(f"rule tests: {passed} passed, {len(outcomes) - passed} failed\n")
        return 0 if passed == len(outcomes) else 1
    if args.command == "whatif":
        return _whatif(args, out)
    if args.command == "counterfactual":
        from .counterfactual import parse_target, search

        [(pack, lc, _)] = _load(args, [args.case])
        if args.reading is not None:
            pack = pack.with_reading(args.reading)
        if args.max_changes is not None and not 0 <= args.max_changes <= 6:
            raise UsageError("--max-changes must be between 0 and 6")
        result = search(pack, lc, parse_target(pack, args.target), args.max_changes, args.max_sets)
        render.to_json(result, out) if fmt == "json" else render.counterfactual_text(result, out)
        return 0
    if args.command == "review":
        from .atomic import write_text
        from .brief_render import html, markdown
        from .review import brief

        [(pack, lc, der)] = _load(args, [args.case])
        if args.output is not None and args.output.suffix.lower() not in (".md", ".html", ".htm"):
            raise UsageError(f"-o: write a .md or .html file, not {args.output.name!r}")
        if args.output is not None and args.output.exists() and not args.force:
            raise UsageError(f"{args.output} exists: not overwritten (use --force to replace it)")
        steps = 2 * len(pack.statement_ids) + 2
        with render.progress(sys.stderr, steps, "sensitivity", enabled=fmt != "json") as advance:
            b = brief(pack, lc, der, advance)
        if args.output is not None:
            text = markdown(b) if args.output.suffix.lower() == ".md" else html(b)
            write_text(args.output, text, force=args.force)
        if fmt == "json":
            render.to_json({k: b[k] for k in ("case", "deadline", "draft", "checks", "sensitivity")}, out)
        else:
            render.review_text(b, out, args.output)
        return 0
    if args.command == "extract":
        return _extract(args, out)
    if args.command == "lint":
        from .lint import lint_paths
        from .locate import Packs

        findings = lint_paths([Path(p) for p in args.paths], Packs(args.rules))
        failing = [f for f in findings if f.severity != "info"]
        if fmt == "json":
            render.to_json({"ok": not failing, "findings": [f.__dict__ for f in findings]}, out)
        else:
            out.write("".join(f"{f}\n" for f in findings))
            out.write(f"lint: {len(failing)} error(s) or warning(s), {len(findings) - len(failing)} note(s)\n")
        return 1 if failing else 0
    if args.command == "schemas":
        from .schemas import write_all

        written = write_all(args.output, force=args.force)
        if fmt == "json":
            render.to_json({"written": [str(p) for p in written]}, out)
        else:
            out.write("".join(f"wrote {p}\n" for p in written) or f"{args.output}: up to date\n")
        return 0
    if args.command == "check":
        from .check import iter_problems
        from .locate import Packs

        problems = list(iter_problems([Path(p) for p in args.paths], Packs(args.rules)))
        if fmt == "json":
            render.to_json({"problems": [p.__dict__ for p in problems], "ok": not problems}, out)
        else:
            render.problems_text(problems, out)
            if not problems:
                out.write(f"ok: {len(args.paths)} path(s), no problems\n")
        return 1 if problems else 0
    raise UsageError(f"a command is required: {', '.join(COMMANDS)} (see --help)")


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = build_parser().parse_args(list(argv) if argv is not None else None)
        return run(args, out)
    except UsageError as exc:
        err.write(f"{exc}\n")
        return 2
    except RederiveError as exc:
        for line in (exc.problems or [exc]):
            err.write(f"error: {line}\n")
        return 1
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug, not bad input: say so briefly; REDERIVE_DEBUG=1 shows the traceback
        if os.environ.get("REDERIVE_DEBUG"):
            raise
        err.write(f"internal error: {type(exc).__name__}: {exc} (run with REDERIVE_DEBUG=1 for details)\n")
        return 3


def main_entry() -> None:
    # rederive uses no pydantic plugin; looking them up scans every installed package's
    # metadata on the first model built (~10 ms of a cold start). A user who sets the
    # variable keeps their value.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    sys.exit(main())
