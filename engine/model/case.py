"""Case files: a council's published result and the evidence items quoted from its report.

Loading checks every item against the pack's vocabulary and every quote against its
source: the quote must stand verbatim (whitespace folded) on the cited line of a file
that lies inside the case's folder. The published block is kept apart from the evidence
and is never read by the derivation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator

from engine.base.errors import LoadError, Problem, value_or_raise
from engine.base.models import Strict, problems_from_validation
from engine.base.yamlio import Document, load_yaml, read_text
from engine.model.expr import suggest
from engine.model.pack import Pack

MAX_SOURCE_BYTES = 16 * 1024 * 1024
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WS = re.compile(r"\s+")


class Metric(Strict):
    name: str
    value: float | str
    england: float | str | None = None
    comparison: str


class SourceRef(Strict):
    file: str
    line: int = Field(ge=1)
    page: int | None = Field(default=None, ge=1)  # for a PDF's rendering: checked against its page marks


# A rendering of a paged document (a PDF) marks where each page begins with a line of its own.
PAGE_MARK = re.compile(r"^=== page (\d+) ===$")


def page_of(lines: list[str], line: int) -> int | None:
    """The page a 1-based line of a rendering stands on (None for a rendering without pages)."""
    page = None
    for ln in lines[:line]:
        m = PAGE_MARK.match(ln)
        if m:
            page = int(m.group(1))
    return page


class Evidence(Strict):
    """What an evidence item says, wherever it comes from (a report, or a what-if scenario)."""

    id: str = Field(min_length=1)
    statement: str
    category: str
    polarity: Literal["strength", "shortfall", "mixed"]
    tags: list[str] = []
    metric: Metric | None = None


class Reading(Strict):
    """How an extracted sentence was read: by what, and the cues, phrases or weights that decided."""

    by: Literal["cues", "reader", "cues+reader"]  # cues+reader: the learned reader, and the cues read it the same way
    because: list[str] = Field(min_length=1)
    confidence: float | None = Field(default=None, ge=0, le=1)  # the reader's probability of its polarity
    intensity: int | None = Field(default=None, ge=1, le=3)  # 1 weak or hedged, 2 clear, 3 emphatic


class Item(Evidence):
    """An evidence item of a case: with its verbatim quote and where it stands in the source."""

    quote: str = Field(min_length=1)
    source: SourceRef
    heading: str | None = None  # the report's sub-heading the quote stands under (checked: it stands above the line)
    note: str | None = None
    reading: Reading | None = None  # an extracted item: how it was read


class NotEvidence(Strict):
    """A sentence of a statement's findings that the reader read as stating no finding."""

    statement: str
    quote: str = Field(min_length=1)
    source: SourceRef
    reading: Reading


class Published(Strict):
    rating: str | None = None
    scores: dict[str, int | None] = {}
    date: str | None = None
    indicative: bool = False
    finding: str | None = None

    @field_validator("date")
    @classmethod
    def _iso(cls, v: str | None) -> str | None:
        if v is not None and not _DATE.match(v):
            raise ValueError("expected a date as YYYY-MM-DD")
        return v


class Case(Strict):
    case: str
    council: str
    framework: str
    kind: str | None = None  # the kind of document (a full inspection, a monitoring letter), as extract read it
    sources: list[str] = Field(min_length=1)
    published: Published = Published()
    items: list[Item] = []
    not_evidence: list[NotEvidence] = []  # read, and found to state no finding (extracted cases)


class LoadedCase:
    """A validated case with the folder its paths are relative to."""

    def __init__(self, path: Path, case: Case) -> None:
        self.path = path
        self.folder = path.parent
        self.case = case

    @property
    def slug(self) -> str:
        return self.case.case


def fold(text: str) -> str:
    return _WS.sub(" ", text).strip()


def resolve_source(folder: Path, rel: str) -> tuple[Path | None, str | None]:
    """A source path inside the case folder, or the reason it is refused."""
    if "\x00" in rel:
        return None, f"source path {rel!r} holds a NUL character: give a file name"
    if Path(rel).is_absolute() or rel.startswith("~"):
        return None, f"source path {rel!r} is absolute: give a path relative to the case file's folder"
    target = folder / rel
    try:
        real = target.resolve(strict=False)
        base = folder.resolve()
    except (OSError, RuntimeError) as exc:
        return None, f"source path {rel!r} cannot be resolved: {exc}"
    if base != real and base not in real.parents:
        return None, f"source path {rel!r} leaves the case folder"
    if not real.is_file():
        return None, f"source file {rel!r} does not exist (looked in {folder})"
    return real, None


def iter_case_problems(
    path: Path, pack_for: Callable[[str], Pack], display: str | None = None
) -> Iterator[Problem | LoadedCase]:
    """Yield every problem in the case file; yield the LoadedCase last if there were none."""
    name = display or str(path)
    try:
        doc = load_yaml(path, name)
    except LoadError as exc:
        yield from exc.problems
        return
    if not isinstance(doc.data, dict):
        yield doc.problem((), "expected a mapping at the top of the case file")
        return
    try:
        case = Case.model_validate(doc.data)
    except ValidationError as exc:
        yield from problems_from_validation(doc, exc)
        return
    try:
        pack = pack_for(case.framework)
    except LoadError as exc:
        yield doc.problem(
            ("framework",),
            f"framework pack {case.framework!r} did not load: {exc.problems[0].message if exc.problems else exc}",
        )
        return
    problems = list(_check_against_pack(doc, case, pack, path.parent))
    if problems:
        yield from problems
        return
    yield LoadedCase(path, case)


def _check_against_pack(doc: Document, case: Case, pack: Pack, folder: Path) -> Iterator[Problem]:
    statements, categories, tags = pack.statement_ids, pack.category_ids, sorted(pack.tag_ids)
    tag_rule = {t.id: t.applies_to for t in pack.core.tags}
    ratings = [r.id for r in pack.core.ratings]
    pub = case.published
    if pub.rating is not None and pub.rating not in ratings:
        yield doc.problem(
            ("published", "rating"),
            f"unknown rating {pub.rating!r}: expected one of {ratings}{suggest(pub.rating, ratings)}",
        )
    for sid, score in pub.scores.items():
        if sid not in statements:
            yield doc.problem(("published", "scores", sid), f"unknown statement {sid!r}{suggest(sid, statements)}")
        elif score is not None and score not in pack.scores:
            yield doc.problem(
                ("published", "scores", sid), f"score {score} is out of range: expected one of {pack.scores}"
            )

    sources: dict[str, list[str]] = {}
    for i, rel in enumerate(case.sources):
        real, why = resolve_source(folder, rel)
        if real is None:
            yield doc.problem(("sources", i), why or f"source {rel!r} cannot be read")
            continue
        try:
            text = read_text(real, rel, MAX_SOURCE_BYTES)
        except LoadError as exc:
            yield doc.problem(("sources", i), str(exc.problems[0].message if exc.problems else exc))
            continue
        sources[rel] = text.splitlines()

    seen: dict[str, int] = {}
    for i, item in enumerate(case.items):
        base = ("items", i)
        if item.id in seen:
            yield doc.problem(base + ("id",), f"duplicate item id {item.id!r} (first at items[{seen[item.id]}])")
        seen.setdefault(item.id, i)
        if item.statement not in statements:
            yield doc.problem(
                base + ("statement",), f"unknown statement {item.statement!r}{suggest(item.statement, statements)}"
            )
        if item.category not in categories:
            yield doc.problem(
                base + ("category",), f"unknown category {item.category!r}{suggest(item.category, categories)}"
            )
        for j, tag in enumerate(item.tags):
            if tag not in pack.tag_ids:
                yield doc.problem(base + ("tags", j), f"unknown tag {tag!r}{suggest(tag, tags)}")
            elif tag_rule[tag] != "any" and item.polarity != "mixed" and tag_rule[tag] != item.polarity:
                yield doc.problem(
                    base + ("tags", j), f"tag {tag!r} belongs on a {tag_rule[tag]} or mixed item, not a {item.polarity}"
                )
        if item.metric is not None:
            band = pack.comparison_band.get(
                fold(item.metric.comparison).lower(), pack.comparison_ids.get(item.metric.comparison)
            )
            if band is None:
                known = sorted(pack.comparison_band)
                yield doc.problem(
                    base + ("metric", "comparison"),
                    f"unknown comparison wording {item.metric.comparison!r}: expected one of {known}{suggest(item.metric.comparison, known)}",
                )
            elif (band < 0 and item.polarity == "strength") or (band > 0 and item.polarity == "shortfall"):
                yield doc.problem(
                    base + ("metric", "comparison"),
                    f"a {item.polarity} item cannot carry a metric that compares {item.metric.comparison!r}",
                )
        yield from _check_citation(doc, base, item, case, sources)
    yield from _check_not_evidence(doc, case, pack, sources)


def _check_citation(
    doc: Document, base: tuple, item: Item, case: Case, sources: dict[str, list[str]]
) -> Iterator[Problem]:
    """An item's quote stands verbatim on its cited line, under its heading, on its page."""
    found, lines = _cited(doc, base, item.source, case, sources)
    yield from found
    if lines is None:
        return
    ln = item.source.line
    if item.heading is not None:
        wanted = fold(item.heading)
        if not any(wanted in fold(above) for above in reversed(lines[: ln - 1])):
            yield doc.problem(
                base + ("heading",), f"heading {item.heading!r} does not stand above {item.source.file}:{ln}"
            )
    if item.source.page is not None and page_of(lines, ln) != item.source.page:
        yield doc.problem(
            base + ("source", "page"),
            f"{item.source.file}:{ln} stands on page {page_of(lines, ln)}, not {item.source.page}",
        )
    quote = fold(item.quote)
    if quote not in fold(lines[ln - 1]):
        hint = ""
        for k, other in enumerate(lines, start=1):
            if quote in fold(other):
                hint = f"; it stands on line {k}"
                break
        yield doc.problem(
            base + ("quote",), f"quote not found verbatim on {item.source.file}:{ln}{hint}: {quote[:60]!r}"
        )


def _cited(
    doc: Document, base: tuple, src: SourceRef, case: Case, sources: dict[str, list[str]]
) -> tuple[list[Problem], list[str] | None]:
    """(problems, the source's lines when the cited line is in it) for a cited source."""
    if src.file not in case.sources:
        return [
            doc.problem(
                base + ("source", "file"),
                f"source file {src.file!r} is not listed under 'sources'{suggest(src.file, case.sources)}",
            )
        ], None
    lines = sources.get(src.file)
    if lines is not None and src.line > len(lines):
        return [
            doc.problem(
                base + ("source", "line"), f"line {src.line} is past the end of {src.file} ({len(lines)} lines)"
            )
        ], None
    return [], lines


def _check_not_evidence(doc: Document, case: Case, pack: Pack, sources: dict[str, list[str]]) -> Iterator[Problem]:
    for i, ne in enumerate(case.not_evidence):
        base = ("not_evidence", i)
        if ne.statement not in pack.statement_ids:
            yield doc.problem(
                base + ("statement",), f"unknown statement {ne.statement!r}{suggest(ne.statement, pack.statement_ids)}"
            )
        found, lines = _cited(doc, base, ne.source, case, sources)
        yield from found
        if lines is not None and fold(ne.quote) not in fold(lines[ne.source.line - 1]):
            yield doc.problem(
                base + ("quote",),
                f"quote not found verbatim on {ne.source.file}:{ne.source.line}: {fold(ne.quote)[:60]!r}",
            )


def load_case(path: Path, pack_for: Callable[[str], Pack]) -> LoadedCase:
    return value_or_raise(iter_case_problems(path, pack_for), LoadedCase, "case")
