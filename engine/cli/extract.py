"""`rederive extract REPORT|DIR`: read published reports (text, saved web pages, PDFs) into case
files of cited evidence; `--merge PAGE...`: a council's statement pages into one case."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any, TextIO

from engine.base.errors import RederiveError, UsageError
from engine.cli.common import common

HELP = "read a published report (or a folder of them) and write case files"
REPORT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("report", nargs="+", metavar="REPORT|DIR")
    p.add_argument(
        "--merge",
        action="store_true",
        help="read several pages of one council (its statement pages, with or without the summary) into one case",
    )
    p.add_argument("-o", "--output", type=Path, default=None, metavar="CASE.yaml|OUTDIR")
    p.add_argument("--force", action="store_true", help="replace existing case files")
    p.add_argument("--framework", default=None, help="pack id (default: detected from the report's wording)")
    p.add_argument(
        "--reading",
        choices=["reader", "cues"],
        default="reader",
        help="read sentences with the pack's learned reader (default) or with its cues alone",
    )
    common(p)


def slug(path: Path) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")


def _targets(src: Path, output: Path | None) -> list[tuple[Path, Path]]:
    if not src.exists():
        raise UsageError(f"no such file or folder: {src}")
    if not src.is_dir():  # one report: into the case file named, or into a folder that exists
        if output is not None and output.is_dir():
            return [(src, output / f"{slug(src)}.yaml")]
        return [(src, output or Path(f"{slug(src)}.yaml"))]
    reports = sorted(p for p in src.iterdir() if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)
    if not reports:
        raise UsageError(f"no reports ({', '.join('*' + s for s in REPORT_SUFFIXES)}) in {src}")
    if output is None:
        raise UsageError("extracting a folder needs -o OUTDIR")
    return [(r, output / f"{slug(r)}.yaml") for r in reports]


def _several(sources: list[Path], output: Path | None) -> list[tuple[Path, Path]]:
    """Several reports or folders, each report into a case file of the folder `output`."""
    if output is None or output.suffix.lower() in (".yaml", ".yml") or output.is_file():
        raise UsageError("several reports: give -o OUTDIR (a folder), or --merge -o CASE.yaml for one council's pages")
    targets = [t for src in sources for t in _targets(src, output if src.is_dir() else None)]
    targets = [(r, output / f"{slug(r)}.yaml") for r, _ in targets]
    seen: dict[Path, Path] = {}
    for report, target in targets:
        if target in seen:
            raise UsageError(f"{seen[target]} and {report} would both be written to {target}: extract them apart")
        seen[target] = report
    return targets


def _print(results: list[dict[str, Any]], failed: list[dict[str, str]], out: TextIO) -> None:
    for r in results:
        out.write(
            f"wrote {r['case_file']}: {r['items']} items in {r['assessed']} statement(s) (framework {r['framework']})\n"
        )
    for f in failed:
        out.write(f"not extracted: {f['report']}: {f['error']}\n")


def _merge(args: argparse.Namespace, out: TextIO) -> int:
    from engine.ingest.writing import write_merged
    from engine.render import terminal as render

    pages = [Path(r) for r in args.report]
    missing = [str(p) for p in pages if not p.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    if args.output is None:
        raise UsageError("--merge needs -o CASE.yaml")
    if args.output.exists() and not args.force:
        raise UsageError(f"{args.output} exists: not overwritten (use --force)")
    result = write_merged(pages, args.output, args.rules, args.framework, force=args.force, reading=args.reading)
    render.to_json(result, out) if args.format == "json" else _print([result], [], out)
    return 0


def run(args: argparse.Namespace, out: TextIO) -> int:
    from engine.ingest.writing import write_extracted
    from engine.render import terminal as render

    if args.merge:
        return _merge(args, out)
    src = Path(args.report[0])
    batch = len(args.report) > 1 or src.is_dir()  # several reports: each into the folder, failures listed
    if len(args.report) > 1:
        targets = _several([Path(r) for r in args.report], args.output)
    else:
        targets = _targets(src, args.output)
    existing = [str(t) for _, t in targets if t.exists()]
    if existing and not args.force:
        raise UsageError(
            f"{', '.join(existing[:3])}{' ...' if len(existing) > 3 else ''} exists: not overwritten (use --force)"
        )
    results: list[dict] = []
    failed: list[dict] = []
    with render.progress(
        out, len(targets), "extracting", enabled=args.format != "json" and len(targets) > 1
    ) as advance:
        for report, target in targets:
            try:
                results.append(
                    write_extracted(report, target, args.rules, args.framework, force=args.force, reading=args.reading)
                )
            except RederiveError as exc:
                if not batch:
                    raise
                failed.append({"report": str(report), "error": str(exc.problems[0].message if exc.problems else exc)})
            advance()
    if args.format == "json":
        render.to_json({"written": results, "failed": failed} if batch else results[0], out)
    else:
        _print(results, failed, out)
    return 1 if failed else 0
