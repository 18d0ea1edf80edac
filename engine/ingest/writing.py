"""Writing extracted cases: one report into one case, or a council's statement pages merged
into one case. The report is copied unchanged to `sources/` beside the case; a web page or a
PDF is also rendered to text there (`sources/<name>.txt`), and the case cites the rendering,
so every quote is checked on its line as for any text report."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from engine.base.errors import LoadError, Problem
from engine.ingest.cues import Cues, load_cues
from engine.ingest.extract import detect_framework, extract
from engine.ingest.readers import Rendering, read_report

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "case.schema.json"


def case_yaml(data: dict[str, Any], schema_rel: str) -> str:
    import yaml

    head = (
        f"# yaml-language-server: $schema={schema_rel}\n"
        "# Extracted by `rederive extract`: review it before relying on it (extract -> review -> derive).\n"
    )
    dumper = getattr(
        yaml, "CSafeDumper", yaml.SafeDumper
    )  # libyaml when present: the same output, several times faster
    return head + yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)


def _refuse(path: Path | str, msg: str) -> LoadError:
    return LoadError(msg, [Problem(str(path), None, None, "", msg)])


def _place(sources: Path, name: str, raw: bytes, force: bool) -> None:
    """Write `raw` to sources/name unless the same bytes are there; never replace other
    content without --force."""
    copy = sources / name
    if copy.exists() and copy.read_bytes() == raw:
        return
    if copy.exists() and not force:
        raise _refuse(copy, f"{copy} exists with other content: not overwritten (use --force)")
    sources.mkdir(parents=True, exist_ok=True)
    tmp = copy.with_name(f".{copy.name}.tmp")
    tmp.write_bytes(raw)
    os.replace(tmp, copy)


def rendering_name(report: Path, rendering: Rendering) -> str:
    """The file a case cites: the report itself, or its text rendering beside it."""
    return f"{report.stem}.txt" if rendering.rendered else report.name


def detect(packs, report: Path, text: str, near: Path, framework: str | None) -> str:
    """The framework a report follows: named, or told by its wording among the packs found
    near `near` (read by their cues alone: no learned reader is loaded to detect)."""
    if framework is not None:
        return framework
    candidates = []
    broken: list[str] = []
    for fid in packs.readable(near):
        try:
            candidates.append((fid, load_cues(packs.get(fid, near), with_reader=False)))
        except LoadError as e:
            broken.append(f"{fid} ({e})")
    found = detect_framework(text, candidates)
    if found is None:
        why = f"; packs that could not be read: {'; '.join(broken)}" if broken else ""
        raise _refuse(report, f"cannot tell which framework this report follows: name it with --framework{why}")
    return found  # the caller loads the found pack's cues, with its reader


def _read(report: Path) -> tuple[Rendering, str]:
    rendering = read_report(report)
    return rendering, rendering_name(report, rendering)


def _copy_sources(target: Path, report: Path, rendering: Rendering, name: str, force: bool) -> None:
    sources = target.parent / "sources"
    _place(sources, report.name, report.read_bytes(), force)
    if rendering.rendered:
        if name == report.name:
            raise _refuse(report, f"its rendering would replace the report itself ({name})")
        _place(sources, name, rendering.text.encode("utf-8"), force)


def _write_case(target: Path, data: dict[str, Any], packs, framework: str, force: bool) -> dict[str, Any]:
    from engine.base.atomic import write_text
    from engine.model.case import load_case

    if target.is_dir():
        raise _refuse(target, f"{target} is a folder: name the case file to write (CASE.yaml)")
    if target.exists() and not force:
        raise _refuse(target, f"{target} exists: not overwritten (use --force)")
    schema = os.path.relpath(SCHEMA, target.parent.resolve())
    checking = target.with_name(f".{target.stem}.{os.getpid()}.checking.yaml")  # checked before it replaces the target
    write_text(checking, case_yaml(data, schema), force=True)
    try:
        lc = load_case(checking, packs.pack_for(target.parent))
        os.replace(checking, target)
    finally:
        checking.unlink(missing_ok=True)  # gone already where it replaced the target
    return {
        "case_file": str(target),
        "case": lc.slug,
        "framework": framework,
        "items": len(lc.case.items),
        "assessed": len({it.statement for it in lc.case.items}),
        "published": lc.case.published.model_dump(exclude_none=True),
    }


def reading_cues(pack, reading: str = "reader") -> Cues:
    """The pack's cues as extraction reads with them: with the learned reader (`reader`, when
    the pack has one) or the cues alone (`cues`)."""
    if reading not in ("reader", "cues"):
        raise ValueError(f"reading {reading!r}: expected 'reader' or 'cues'")
    return load_cues(pack, with_reader=reading == "reader")


def refuse_empty(report: Path, data: dict[str, Any], rendering: Rendering) -> None:
    """A report from which no evidence is read is refused with the reason, never written as
    a case of no items."""
    if data["items"]:
        return
    lines = sum(1 for ln in rendering.text.splitlines() if ln.strip())
    unread = len(data.get("not_evidence", []))
    why = (
        f"{unread} sentence(s) under its statements' headings were read, none as a finding"
        if unread
        else f"none of its {lines:,} lines stands under a heading of a {data['framework']} statement's findings"
    )
    raise _refuse(report, f"no evidence read from {report.name}: {why}; nothing written")


def write_extracted(
    report: Path,
    target: Path,
    rules_dir: Path | None,
    framework: str | None,
    force: bool = False,
    reading: str = "reader",
    named: str | None = None,
) -> dict[str, Any]:
    """Extract one report (text, web page or PDF) into `target`; `named`: the name the report
    was given, for a council a report does not name (else its file's name stands in)."""
    from engine.model.locate import Packs

    packs = Packs(rules_dir)
    rendering, name = _read(report)
    framework = detect(packs, report, rendering.text, target.parent, framework)
    pack = packs.get(framework, target.parent)
    data = extract(pack, report, name, reading_cues(pack, reading), rendering.text)
    refuse_empty(report, data, rendering)
    if named is not None and data["council"] == report.stem:
        data["council"] = Path(named).stem
    data["case"] = target.stem
    _copy_sources(target, report, rendering, name, force)
    return _write_case(target, data, packs, framework, force)


def _same_council(a: str, b: str) -> bool:
    fold = lambda s: re.sub(r"[^a-z0-9]+", " ", s.lower()).replace(" and ", " ").strip()  # noqa: E731
    return fold(a) == fold(b)


def write_merged(
    reports: list[Path],
    target: Path,
    rules_dir: Path | None,
    framework: str | None,
    force: bool = False,
    reading: str = "reader",
) -> dict[str, Any]:
    """A council's pages (one per statement, with or without its summary) as one case: every
    page read as `extract` reads it, items renumbered per statement, the published scores of
    all pages together; pages of different councils, or of one statement twice, are refused."""
    from engine.model.locate import Packs

    packs = Packs(rules_dir)
    read = [(r, *_read(r)) for r in reports]
    framework = detect(packs, reports[0], read[0][1].text, target.parent, framework)
    pack = packs.get(framework, target.parent)
    cues = reading_cues(pack, reading)
    parts: list[tuple[Path, dict[str, Any], Rendering, str]] = []
    seen: dict[str, str] = {}
    for report, rendering, name in read:
        data = extract(pack, report, name, cues, rendering.text)
        refuse_empty(report, data, rendering)
        if parts and not _same_council(data["council"], parts[0][1]["council"]):
            raise _refuse(
                report,
                f"a page of {data['council']!r}, not of {parts[0][1]['council']!r}: merge the pages of one council",
            )
        for sid in {it["statement"] for it in data["items"]}:
            if sid in seen:
                raise _refuse(report, f"{sid!r} is also read from {seen[sid]}: merge one page per statement")
            seen[sid] = report.name
        parts.append((report, data, rendering, name))
    merged = _merge([d for _, d, _, _ in parts], target.stem)
    for report, _, rendering, name in parts:
        _copy_sources(target, report, rendering, name, force)
    return _write_case(target, merged, packs, framework, force)


def _merge(datas: list[dict[str, Any]], case: str) -> dict[str, Any]:
    scores: dict[str, int] = {}
    published: dict[str, Any] = {}
    items: list[dict[str, Any]] = []
    counters: dict[str, int] = {}
    for d in datas:
        pub = d["published"]
        scores.update(pub.get("scores", {}))
        for key in ("rating", "date", "indicative", "finding"):
            if pub.get(key) is not None and published.get(key) is None:
                published[key] = pub[key]
        for it in d["items"]:
            counters[it["statement"]] = counters.get(it["statement"], 0) + 1
            items.append({**it, "id": f"{it['statement']}-{counters[it['statement']]:03d}"})
    published["scores"] = scores
    sources = [s for d in datas for s in d["sources"]]
    unread = [ne for d in datas for ne in d.get("not_evidence", [])]
    return {
        "case": case,
        "council": datas[0]["council"],
        "framework": datas[0]["framework"],
        "sources": list(dict.fromkeys(sources)),
        "published": published,
        "items": items,
        **({"not_evidence": unread} if unread else {}),
    }
