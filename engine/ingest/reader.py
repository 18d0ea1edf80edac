"""The learned sentence reader: a sparse linear model that reads every sentence of a
statement's findings (polarity, category, intensity), stored as data in the pack.

A sentence is described by features anyone can read: its words, its pairs of adjacent words
(numbers folded to 0), and what the pack's cues make of it (``cue: shortfall``, ``cue tag:
delays``). Each head (polarity, category, intensity) scores every class as an intercept plus
the weights of the features the sentence has; the class with the highest score is the
reading, and the features that pushed it past the runner-up are its ``because``. The weights
are fitted by ``rederive train-reader`` from labelled sentences and written to the pack's
reader file (JSON, one feature a line, with the provenance of the fit), which this module
loads, checks and refuses at its line when malformed.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from engine.base.errors import LoadError, Problem
from engine.base.models import Strict

if TYPE_CHECKING:
    from engine.base.yamlio import Document
    from engine.model.pack import Pack

FORMAT = "rederive-reader/1"
HEADS = ("polarity", "category", "intensity")
POLARITIES = ("strength", "shortfall", "mixed", "none")
MAX_READER_BYTES = 32 * 1024 * 1024

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class CueReading:
    """What the pack's cues read in a sentence: the reader's cue features come from it."""

    polarity: str | None
    category: str
    tags: tuple[str, ...] = ()
    metric: bool = False


def words(text: str) -> list[str]:
    low = _NUM.sub("0", text.lower().translate(_QUOTES))
    return _WORD.findall(low)


def sentence_features(text: str, cue: CueReading | None) -> list[str]:
    """The features of one sentence, sorted: words, adjacent word pairs and the cues' reading."""
    w = words(text)
    feats = set(w)
    feats.update(f"{a} {b}" for a, b in zip(w, w[1:], strict=False))
    if cue is not None:
        feats.add(f"cue: {cue.polarity or 'none'}")
        feats.add(f"cue category: {cue.category}")
        feats.update(f"cue tag: {t}" for t in cue.tags)
        if cue.metric:
            feats.add("cue: national data")
    return sorted(feats)


@dataclass
class Head:
    classes: list[str]
    intercept: list[float]


@dataclass
class HeadReading:
    label: str
    probability: float
    runner_up: str | None
    margin: float
    because: list[tuple[str, float]]  # (feature, its push towards label over the runner-up)


@dataclass
class ReaderModel:
    """A loaded reader: its heads, the weight of each feature on each head, its provenance."""

    pack: str
    heads: dict[str, Head]
    weights: dict[str, dict[str, list[float]]]
    provenance: dict[str, Any] = field(default_factory=dict)
    path: str = ""

    def score(self, head: str, feats: list[str], bias: dict[str, float] | None = None) -> HeadReading:
        h = self.heads[head]
        z = list(h.intercept)
        present = []
        for f in feats:
            row = self.weights.get(f)
            if row is None or head not in row:
                continue
            w = row[head]
            present.append((f, w))
            for i, v in enumerate(w):
                z[i] += v
        if bias:
            for i, c in enumerate(h.classes):
                z[i] += bias.get(c, 0.0)
        order = sorted(range(len(z)), key=lambda i: (-z[i], i))
        k = order[0]
        top = max(z)
        total = sum(math.exp(v - top) for v in z)
        prob = 1.0 / total
        j = order[1] if len(order) > 1 else None
        pushes = sorted(((f, w[k] - (w[j] if j is not None else 0.0)) for f, w in present), key=lambda x: (-x[1], x[0]))
        return HeadReading(
            h.classes[k],
            prob,
            h.classes[j] if j is not None else None,
            z[k] - (z[j] if j is not None else 0.0),
            [p for p in pushes if p[1] > 0][:12],
        )


# Words that carry no finding on their own (articles, prepositions, pronouns, auxiliaries and
# linking words): a feature made only of them, or of them and a number, is never given as a
# reason for a reading. Negations, quantities and contrasts ("not", "no", "few", "more",
# "only", "but", "however") carry meaning and are not among them.
FUNCTION_WORDS = frozenset(
    """a an the of in on at to for with by from into onto about over under through between across
    within during after before around among via per upon towards toward and or so as than that
    which who whom whose whether if while it its they them their theirs this these those there
    here he she his her we our us you your i my me is are was were be been being has have had
    do does did will would could should can may might must shall also then such other own same
    each both what when where how 0""".split()
)


def is_reason(feature: str, generic: frozenset[str] = frozenset()) -> bool:
    """Whether a feature may be given as a reason: the cues' reading always; words and pairs
    only when one of their words carries meaning (not a function word, a number, or one of the
    pack's `generic` words that stand in nearly every sentence of its reports)."""
    if feature.startswith("cue"):
        return True
    return any(w not in FUNCTION_WORDS and w not in generic for w in feature.split())


def explain(head: str, r: HeadReading, generic: frozenset[str] = frozenset()) -> list[str]:
    """A reading's reasons as readable text: the margin over the runner-up, then the features
    that pushed it and mean something (function words push too, but are no reason; the reading
    itself is unchanged)."""
    out = [
        f"{head} {r.label} (p = {r.probability:.2f})" + (f", {r.margin:.2f} over {r.runner_up}" if r.runner_up else "")
    ]
    out += [f"{f!r} {push:+.2f}" for f, push in r.because if is_reason(f, generic)][:4]
    return out


def _line_of(text: str, key: str, after: int = 0) -> int | None:
    """The 1-based line where a JSON key first stands (after a given offset)."""
    needle = json.dumps(key) + ":"
    at = text.find(needle, after)
    return None if at < 0 else text.count("\n", 0, at) + 1


def load_reader(path: Path, pack_id: str, categories: list[str]) -> ReaderModel:
    """Load and check a reader file; every problem is located at its line."""
    name = str(path)

    def fail(msg: str, line: int | None = None) -> LoadError:
        return LoadError(msg, [Problem(name, line, 1 if line else None, "", msg)])

    try:
        if path.stat().st_size > MAX_READER_BYTES:
            raise fail(f"reader file is larger than {MAX_READER_BYTES // (1024 * 1024)} MB")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot read the reader file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise fail("the reader file is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(exc.msg, [Problem(name, exc.lineno, exc.colno, "", f"not valid JSON: {exc.msg}")]) from None
    if not isinstance(data, dict):
        raise fail("expected a JSON object at the top of the reader file", 1)
    if data.get("format") != FORMAT:
        raise fail(f"format is {data.get('format')!r}: expected {FORMAT!r}", _line_of(text, "format"))
    if data.get("pack") != pack_id:
        raise fail(f"this reader was trained for pack {data.get('pack')!r}, not {pack_id!r}", _line_of(text, "pack"))
    heads_raw = data.get("heads")
    if not isinstance(heads_raw, dict) or set(heads_raw) != set(HEADS):
        raise fail(f"'heads' must hold exactly {list(HEADS)}", _line_of(text, "heads"))
    heads: dict[str, Head] = {}
    for hname in HEADS:
        h = heads_raw[hname]
        line = _line_of(text, hname, text.find('"heads"'))
        if (
            not isinstance(h, dict)
            or not isinstance(h.get("classes"), list)
            or not isinstance(h.get("intercept"), list)
        ):
            raise fail(f"head {hname!r} needs 'classes' and 'intercept' lists", line)
        classes, icpt = h["classes"], h["intercept"]
        if len(classes) < 2 or len(set(classes)) != len(classes) or not all(isinstance(c, str) for c in classes):
            raise fail(f"head {hname!r}: 'classes' must be two or more distinct names", line)
        if len(icpt) != len(classes) or not all(_finite(v) for v in icpt):
            raise fail(f"head {hname!r}: 'intercept' must give one finite number per class ({len(classes)})", line)
        if hname == "polarity" and not set(classes) <= set(POLARITIES):
            raise fail(f"head 'polarity': classes must be among {list(POLARITIES)}, got {classes}", line)
        if hname == "category" and (bad := [c for c in classes if c not in categories]):
            raise fail(f"head 'category': unknown categories {bad}: the pack's are {categories}", line)
        if hname == "intensity" and not all(c in ("1", "2", "3") for c in classes):
            raise fail(f"head 'intensity': classes must be among ['1', '2', '3'], got {classes}", line)
        heads[hname] = Head([str(c) for c in classes], [float(v) for v in icpt])
    raw = data.get("weights")
    if not isinstance(raw, dict):
        raise fail("'weights' must be an object of feature: {head: [weight per class]}", _line_of(text, "weights"))
    start = text.find('"weights"')
    weights: dict[str, dict[str, list[float]]] = {}
    for feat, row in raw.items():
        ok = (
            isinstance(row, dict)
            and row
            and all(
                k in heads and isinstance(v, list) and len(v) == len(heads[k].classes) and all(_finite(x) for x in v)
                for k, v in row.items()
            )
        )
        if not ok:
            raise fail(
                f"feature {feat!r}: expected {{head: [one finite weight per class]}} for heads {list(HEADS)}",
                _line_of(text, feat, start),
            )
        weights[feat] = {k: [float(x) for x in v] for k, v in row.items()}
    prov = data.get("provenance", {})
    return ReaderModel(pack_id, heads, weights, prov if isinstance(prov, dict) else {}, name)


def _finite(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def dump_reader(
    pack_id: str, heads: dict[str, Head], weights: dict[str, dict[str, list[float]]], provenance: dict[str, Any]
) -> str:
    """The reader file's text: deterministic, one feature a line (sorted), weights rounded."""
    head_part = {
        h: {"classes": heads[h].classes, "intercept": [round_weight(v) for v in heads[h].intercept]} for h in HEADS
    }
    lines = [
        "{",
        f'  "format": {json.dumps(FORMAT)},',
        f'  "pack": {json.dumps(pack_id)},',
        '  "provenance": ' + json.dumps(provenance, indent=2, sort_keys=True).replace("\n", "\n  ") + ",",
        '  "heads": ' + json.dumps(head_part, indent=2).replace("\n", "\n  ") + ",",
        '  "weights": {',
    ]
    feats = sorted(weights)
    for n, f in enumerate(feats):
        row = {h: [round_weight(v) for v in weights[f][h]] for h in HEADS if h in weights[f]}
        lines.append(
            f"    {json.dumps(f)}: {json.dumps(row, separators=(', ', ': '))}" + ("," if n < len(feats) - 1 else "")
        )
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def round_weight(v: float) -> float:
    x = round(float(v), 4)
    return 0.0 if x == 0 else x


class ReaderCues(Strict):
    """The pack's learned sentence reader (engine.ingest.reader) and how its readings are used."""

    file: str = "reader.json"  # in the pack's folder, written by `rederive train-reader`
    # added to a polarity's score before a reading is chosen: a decision threshold that
    # `rederive calibrate` may fit (0 leaves the fitted model as it is)
    bias: dict[Literal["strength", "shortfall", "mixed", "none"], float] = {}
    # polarity -> the tag an emphatic reading (intensity 3) of that polarity is given
    intensity_tags: dict[Literal["strength", "shortfall"], str] = {}
    # a tag the items the reader reads in the opening of a statement's findings are given (the
    # sentences that start within `tag_within` characters of the findings' first): an opening
    # is read whole, not a selection, so its evidence is weighed on a scale of its own
    tag: str | None = None
    tag_within: int = Field(default=1500, ge=1)
    # the tag every item the reader reads is given: it reads every sentence of a statement's
    # findings and decides for each whether it states a finding (a curator or the cues select
    # findings), so a pack may weigh its items across all of a statement's findings
    tag_every: str | None = None
    # words standing in nearly every sentence of the framework's reports ("local", "authority"):
    # a feature made only of them and function words is no reason for a reading
    generic_words: list[str] = []
    # readers trained without one labelled report each (`train-reader --without`): a report
    # most of whose sentences are that report's labelled ones is read by the reader that has
    # not learnt from it, never by one that has (its reading would be in-sample)
    held_out: list[str] = []


def reader_problems(doc: Document, pack: Pack, rc: ReaderCues, files: bool = True) -> list[Problem]:
    """What is wrong with a cue file's `reader` section, each at its place."""
    from engine.model.expr import suggest

    problems = []
    if "/" in rc.file or "\\" in rc.file or rc.file.startswith("."):
        problems.append(
            doc.problem(("reader", "file"), f"reader file {rc.file!r} must be a file name in the pack's folder")
        )
    for pol, b in rc.bias.items():
        if not -10 <= b <= 10:
            problems.append(doc.problem(("reader", "bias", pol), f"bias {b} is out of range: expected -10 to 10"))
    rule = {t.id: t.applies_to for t in pack.core.tags}
    for i, name in enumerate(rc.held_out):
        if "/" in name or "\\" in name or name.startswith("."):
            problems.append(
                doc.problem(("reader", "held_out", i), f"{name!r} must be a file name in the pack's folder")
            )
        elif files and not (pack.root / name).is_file():  # training the readers needs none of them
            problems.append(doc.problem(("reader", "held_out", i), f"no file {name!r} in the pack's folder"))
    for key, tag in (("tag", rc.tag), ("tag_every", rc.tag_every)):
        if tag is not None and rule.get(tag) != "any":
            problems.append(
                doc.problem(
                    ("reader", key),
                    f"tag {tag!r} must be a tag of the pack that applies to any item"
                    + (f" (it applies to {rule[tag]} items)" if tag in rule else suggest(tag, sorted(rule))),
                )
            )
    for pol, tag in rc.intensity_tags.items():
        if tag not in rule:
            problems.append(
                doc.problem(("reader", "intensity_tags", pol), f"unknown tag {tag!r}{suggest(tag, sorted(rule))}")
            )
        elif rule[tag] not in ("any", pol):
            problems.append(
                doc.problem(("reader", "intensity_tags", pol), f"tag {tag!r} applies to {rule[tag]} items, not {pol}")
            )
    return problems
