"""A framework's cue lexicon (`cues.yaml` in its pack), validated and compiled.

How the framework's reports are laid out and worded: headings, boilerplate, the answer
lines, who is speaking, shortfall and strength cues, tags, national-data comparisons.
Patterns are matched against lower-cased text with curly quotes made straight; each set of
patterns is one alternation behind a substring prefilter (`_AnyOf`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from engine.base.errors import LoadError, Problem
from engine.base.models import Strict, validated
from engine.base.yamlio import Document, load_yaml
from engine.ingest.patterns import _AnyOf, _lower_rx, fold_text, lower_pattern  # noqa: F401  (fold_text, lower_pattern: used by importers)
from engine.ingest.reader import ReaderCues, reader_problems
from engine.model.expr import suggest
from engine.model.pack import Pack

if TYPE_CHECKING:
    from engine.ingest.reader import ReaderModel


class Layout(Strict):
    section_end: list[str] = []
    boilerplate_start: list[str] = []
    boilerplate_line: list[str] = []  # lines boilerplate consists of; any other paragraph ends it
    evidence_start: list[str] = []
    skip_line: list[str] = []
    answer_line: list[str] = []
    answer_section: list[str] = []
    answer_section_end: list[str] = []  # besides section_end and a long paragraph: where an answer section stops
    # spans of a line that state the answer (a grade after a heading's colon): cut out, the rest
    # kept; a pattern with a group named `answer` cuts that group only
    answer_text: list[str] = []
    # sentences that state the answer or an earlier one ("was judged <grade> in <year>"): left out
    answer_sentence: list[str] = []
    # how many lines a statement's heading may wrap over (a PDF's narrow heading column)
    heading_lines: int = Field(default=1, ge=1, le=4)
    # statement id -> the opening words of the fixed text the framework prints under that
    # statement in every report: a section starts there when its heading is missing or
    # worded in a way not listed
    commitment: dict[str, str] = {}


class FindingCue(Strict):
    pattern: str
    label: str


class PublishedCues(Strict):
    council: list[str] = []
    date: list[str] = []
    indicative: list[str] = []
    score: list[str] = []
    rating_heading: list[str] = []
    rating: list[str] = []  # a pattern whose first group is a rating's label, anywhere in the text
    finding: list[FindingCue] = []
    # a judgement table: the line it starts at, and the wording of its grades (case ignored)
    table_start: list[str] = []
    grades: dict[str, int] = {}
    overall_row: list[str] = []  # the row names of the overall rating in the table


class Kind(Strict):
    """A kind of document the framework publishes (full inspection, monitoring letter):
    the first kind whose every pattern the report's opening shows is the document's."""

    id: str
    label: str
    all_of: list[str] = Field(min_length=1)
    finding: bool = True  # whether such a document states a finding (published.finding is read)


class CategoryCue(Strict):
    category: str
    cues: list[str]


class Sentences(Strict):
    min_words: int = 5


class PolarityCues(Strict):
    shortfall: list[str]
    strength: list[str]
    mixed: list[str] = []  # wording that is itself a mixed finding ("mixed feedback")
    positive_phrase: list[str] = []  # negative words that make a positive finding ("no delays"): count as strengths
    neutral_phrase: list[str] = []  # terms that hold a shortfall word but state no finding ("adults at risk"): ignored
    negation: str = r"\b(not|no|lack of|limited|without|never|little|less)\b[^.;,]{0,25}$"  # before a strength cue
    intention: list[str] = []  # plans and aims: not evidence unless a shortfall cue is present
    purpose: str = (
        r"\bto (ensure|plan|make|provide|promote|support|achieve|deliver|improve|develop|enable|be)\b[^.;]{0,40}$"
    )
    # Before a shortfall cue: the problem is what an action aims at ("to reduce delays"), not a finding.
    remedy: str = r"$^"
    # Description of the area or its population, not of the council's work ("high levels of
    # deprivation"): such a sentence is not evidence unless it carries a data comparison.
    context: list[str] = []
    # How much one shortfall cue weighs against one strength cue when a sentence has both:
    # a number a pack may fit from data (`rederive calibrate`; provenance in pack.yaml).
    shortfall_weight: float = Field(default=1.0, gt=0, le=10)


class MetricCue(Strict):
    pattern: str
    category: str  # where a national-data comparison belongs


class DescriptiveCue(Strict):
    """How to read a statement whose findings no cue reads: its descriptive sentences, each with
    this polarity and tag (so that every such item says it was read without a cue)."""

    polarity: Literal["strength", "shortfall", "mixed"]
    tag: str


class CueFile(Strict):
    source: str
    detect: list[str] = []
    kinds: list[Kind] = []
    layout: Layout = Layout()
    published: PublishedCues = PublishedCues()
    sentences: Sentences = Sentences()
    categories: list[CategoryCue] = []
    default_category: str
    polarity: PolarityCues
    tags: dict[str, list[str]] = {}
    metric: MetricCue | None = None
    descriptive: DescriptiveCue | None = None
    reader: ReaderCues | None = None


class Cues:
    """A cue file with every pattern compiled (case-insensitive) and checked against the pack."""

    def __init__(self, pack: Pack, data: CueFile) -> None:
        self.pack = pack
        self.data = data
        c = lambda pats: [re.compile(p, re.IGNORECASE) for p in pats]  # noqa: E731
        lay = data.layout
        a = _AnyOf
        self.section_end, self.boiler, self.evidence_start = (
            a(lay.section_end),
            a(lay.boilerplate_start),
            a(lay.evidence_start),
        )
        self.boiler_line = a(lay.boilerplate_line)
        self.skip, self.answer_line, self.answer_section = a(lay.skip_line), a(lay.answer_line), a(lay.answer_section)
        self.answer_section_end = a(lay.answer_section_end)
        self.answer_text = c(lay.answer_text)
        self.answer_sentence = a(lay.answer_sentence)
        self.kinds = [(k.id, k.label, k.finding, [re.compile(p, re.I | re.M) for p in k.all_of]) for k in data.kinds]
        pub = data.published
        self.council, self.date, self.indicative = c(pub.council), c(pub.date), c(pub.indicative)
        self.score, self.rating_heading = c(pub.score), c(pub.rating_heading)
        self.rating = c(pub.rating)
        self.finding = [(re.compile(f.pattern, re.IGNORECASE), f.label) for f in pub.finding]
        self.table_start, self.overall_row = c(pub.table_start), [heading_key(r) for r in pub.overall_row]
        self.grades = {" ".join(k.casefold().split()): v for k, v in pub.grades.items()}
        # one alternation, longest wording first (a grade that holds another grade's words before that grade)
        self.grade_rx = (
            re.compile(
                r"\b(" + "|".join(re.escape(g) for g in sorted(self.grades, key=len, reverse=True)) + r")\b",
                re.IGNORECASE,
            )
            if self.grades
            else None
        )
        self.categories = [(cc.category, a(cc.cues)) for cc in data.categories]
        self.mixed, self.intention = a(data.polarity.mixed), a(data.polarity.intention)
        self.positive_phrase = [_lower_rx(p) for p in data.polarity.positive_phrase]
        # one search that tells whether any positive phrase can match: most sentences skip the list
        self.any_positive_phrase = _AnyOf(data.polarity.positive_phrase)
        self.neutral_phrase = _AnyOf(data.polarity.neutral_phrase)
        # each polarity's cues as one alternation: a sentence's count is its non-overlapping matches
        self.shortfall = _AnyOf(data.polarity.shortfall)
        self.strength = _AnyOf(data.polarity.strength)
        self.negation = _lower_rx(data.polarity.negation)
        self.purpose = _lower_rx(data.polarity.purpose)
        self.remedy = _lower_rx(data.polarity.remedy)
        self.context = a(data.polarity.context)
        self.tags = {t: a(p) for t, p in data.tags.items()}
        self.tag_rule = {t.id: t.applies_to for t in pack.core.tags}
        self.metric = _lower_rx(data.metric.pattern) if data.metric else None
        self.detect = c(data.detect)
        names: dict[str, str] = {}
        for st in pack.core.statements:
            for n in [st.name, *st.aliases]:
                names[heading_key(n)] = st.id
        self.headings = names
        self._long_headings: dict[str, list[str]] = {}  # first word -> headings of six words or more
        for h in names:
            if len(h.split()) >= 6:
                self._long_headings.setdefault(h.split()[0], []).append(h)
        self.commitment = [(sid, _lower_rx(p)) for sid, p in lay.commitment.items()]
        self.reader: ReaderModel | None = None  # set by load_cues when the pack has a reader
        self.reader_bias: dict[str, float] = {str(k): v for k, v in data.reader.bias.items()} if data.reader else {}
        self.intensity_tags: dict[str, str] = (
            {str(k): v for k, v in data.reader.intensity_tags.items()} if data.reader else {}
        )
        self.reader_tag: str | None = data.reader.tag if data.reader else None
        self.generic_words: frozenset[str] = frozenset(
            w.lower() for w in (data.reader.generic_words if data.reader else [])
        )
        self.reader_tag_within: int = data.reader.tag_within if data.reader else 0

    def strip_answer(self, line: str) -> str:
        """The line without the spans that state the answer."""
        for p in self.answer_text:
            if m := p.search(line):
                # with a group named `answer`, only that group is the answer's span
                a, b = m.span("answer") if "answer" in p.groupindex else m.span()
                line = line[:a] + line[b:]
        return line

    def heading_at(self, lines: list[str], i: int) -> tuple[str, int] | None:
        """(statement id, lines the heading takes) when a statement's heading starts at line i,
        wrapped over at most `layout.heading_lines` short lines, its answer spans cut out."""
        text = ""
        for n in range(self.data.layout.heading_lines):
            if i + n >= len(lines):
                break
            part = self.strip_answer(lines[i + n].strip())
            if not part or len(part.split()) > 14 or (part.endswith(".") and n == 0):
                break
            text = f"{text} {part}".strip()
            sid = self.headings.get(heading_key(text)) or self.near_heading(text)
            if sid is not None:
                return sid, n + 1
        return None

    def near_heading(self, text: str) -> str | None:
        """The statement whose long heading this text is but for a letter or a word (a word
        dropped or a letter changed where the heading wraps): a close match of at
        least 0.93 (difflib's ratio) to a heading of at least six words."""
        key = heading_key(text)
        if len(key.split()) < 6:
            return None
        near = self._long_headings.get(key.split()[0])
        if not near:
            return None
        import difflib

        best = difflib.get_close_matches(key, near, n=1, cutoff=0.93)
        return self.headings[best[0]] if best else None

    def kind_of(self, text: str) -> tuple[str, str] | None:
        """(id, label) of the first kind of document whose patterns all match the text."""
        return next(((k, label) for k, label, _, pats in self.kinds if all(p.search(text) for p in pats)), None)

    def states_finding(self, kind: str | None) -> bool:
        """Whether documents of this kind state a finding (`published.finding`)."""
        return next((f for k, _, f, _ in self.kinds if k == kind), True)

    def commitment_of(self, low: str) -> str | None:
        """The statement whose commitment text opens this lower-cased line, if any."""
        return next((sid for sid, rx in self.commitment if rx.search(low)), None)


def heading_key(line: str) -> str:
    """A heading as compared with statement names: case, punctuation, '&' and spacing ignored
    ("Care provision, integration, and continuity" is "Care provision, integration and continuity")."""
    text = line.strip().lstrip("#").strip().rstrip(":.").replace("&", " and ").replace(",", " ")
    return " ".join(text.split()).casefold()


def load_cues(
    pack: Pack, transform: Callable[[dict[str, Document]], list[Problem]] | None = None, with_reader: bool = True
) -> Cues:
    """The pack's cue file, checked against the pack; `transform` may change it first (a
    rule override naming cues.yaml, such as a calibration's output). `with_reader=False`
    leaves the learned reader out (the cues alone, as training reads them)."""
    doc, data, problems = cue_file_problems(pack, transform)

    reader = None
    if data.reader is not None:
        problems += reader_problems(doc, pack, data.reader, files=with_reader)
        rpath = pack.root / data.reader.file
        if not problems and with_reader:
            if not rpath.is_file():
                problems.append(
                    doc.problem(
                        ("reader", "file"),
                        f"reader file {data.reader.file!r} does not exist in {pack.root}: "
                        f"train it with `rederive train-reader {pack.root}`",
                    )
                )
            else:
                from engine.ingest.reader import load_reader

                reader = load_reader(rpath, pack.id, pack.category_ids)  # refused at its line when malformed

    if problems:
        raise LoadError(problems[0].message, problems)
    cues = Cues(pack, data)
    cues.reader = reader
    return cues


def cue_file_problems(
    pack: Pack, transform: Callable[[dict[str, Document]], list[Problem]] | None = None
) -> tuple[Document, CueFile, list[Problem]]:
    """The pack's cue file read and checked against the pack (its names, its patterns), without
    building the cues or loading a reader: (document, data, problems). A file that is missing or
    not of the schema raises its located LoadError."""
    path = pack.root / "cues.yaml"
    if not path.is_file():
        msg = f"framework pack {pack.id!r} has no cues.yaml: it does not say how to read its reports"
        raise LoadError(msg, [Problem(str(path), None, None, "", msg)])
    doc = load_yaml(path)
    if transform is not None and (found := transform({"cues.yaml": doc})):
        raise LoadError(found[0].message, found)
    data = validated(doc, CueFile)
    return doc, data, _cue_problems(doc, pack, data) + _pattern_problems(doc)


def _cue_problems(doc: Document, pack: Pack, data: CueFile) -> list[Problem]:
    """Every category, tag and statement the cue file names must be the pack's."""
    problems: list[Problem] = []
    for i, cc in enumerate(data.categories):
        if cc.category not in pack.category_ids:
            problems.append(
                doc.problem(
                    ("categories", i, "category"),
                    f"unknown category {cc.category!r}{suggest(cc.category, pack.category_ids)}",
                )
            )
    if data.metric is not None and data.metric.category not in pack.category_ids:
        problems.append(doc.problem(("metric", "category"), f"unknown category {data.metric.category!r}"))
    if data.descriptive is not None:
        tag = data.descriptive.tag
        if tag not in pack.tag_ids:
            problems.append(
                doc.problem(("descriptive", "tag"), f"unknown tag {tag!r}{suggest(tag, sorted(pack.tag_ids))}")
            )
        elif tag not in pack.uncued_tags:  # else a statement read without a cue would look as firm as any other
            problems.append(
                doc.problem(
                    ("descriptive", "tag"),
                    f"tag {tag!r} must be marked `uncued: true` in pack.yaml "
                    "(items read without a cue are counted apart in each statement's basis)",
                )
            )
        elif (applies := next(t.applies_to for t in pack.core.tags if t.id == tag)) not in (
            "any",
            data.descriptive.polarity,
        ) and data.descriptive.polarity != "mixed":
            problems.append(
                doc.problem(
                    ("descriptive", "tag"),
                    f"tag {tag!r} applies to {applies} items, "
                    f"not to the {data.descriptive.polarity} items this reading makes",
                )
            )
    if data.default_category not in pack.category_ids:
        problems.append(doc.problem(("default_category",), f"unknown category {data.default_category!r}"))
    for sid in data.layout.commitment:
        if sid not in pack.statement_ids:
            problems.append(
                doc.problem(
                    ("layout", "commitment", sid), f"unknown statement {sid!r}{suggest(sid, pack.statement_ids)}"
                )
            )
    for t in data.tags:
        if t not in pack.tag_ids:
            problems.append(doc.problem(("tags", t), f"unknown tag {t!r}{suggest(t, sorted(pack.tag_ids))}"))
    return problems


def _pattern_problems(doc: Document) -> list[Problem]:
    """Every pattern of the cue file must compile as a regular expression."""
    problems: list[Problem] = []

    def walk(node: Any, path: tuple) -> None:
        if (
            isinstance(node, str)
            and path
            and path[0] not in ("source", "default_category", "reader")
            and path[-1] != "category"
        ):
            try:
                re.compile(node)
            except re.error as exc:
                problems.append(doc.problem(path, f"not a valid regular expression: {exc}"))
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, path + (i,))

    walk(doc.data, ())
    return problems
