"""Training the learned sentence reader from labelled sentences, reproducibly.

Labels are tab-separated files (``file, statement, line, start, end, key, polarity,
intensity, category``): one row a sentence, named by its place in a text and by ``key`` (the
first 16 hex digits of the SHA-1 of the sentence lower-cased with its whitespace collapsed).
A label file belongs to the pack whose statements it names. Each row's sentence is found in
its text (searched for in the folders given, a PDF or web page read as ``extract`` reads it)
at its place, or by its key where the text was laid out differently; a row whose sentence
cannot be found is counted, never guessed.

The reader is a multinomial logistic regression per head (scikit-learn, L2, classes balanced
for polarity and category) over binary features (engine.ingest.reader.sentence_features);
training is deterministic, and the weights are rounded to four decimals before anything
(cross-validation included) uses them, so that the file written is the model measured.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.base.errors import LoadError, Problem, UsageError
from engine.ingest.heldout import sentence_key  # noqa: F401  (the labels' key, as extraction computes it)
from engine.ingest.reader import (
    HEADS,
    POLARITIES,
    CueReading,
    Head,
    ReaderModel,
    round_weight,
    sentence_features,
)
from engine.model.pack import Pack

COLUMNS = ("file", "statement", "line", "start", "end", "key", "polarity", "intensity", "category")
MIN_DF = 2  # a feature seen in fewer training sentences than this is left out
# words of a council's name that name no council on their own (kept as features)
GENERIC_NAME_WORDS = frozenset(
    "council borough city county district metropolitan royal london of the and upon on in north south east west".split()
)
C = 1.0  # inverse regularisation strength of every head
_END = re.compile(r"(?<=[.!?])[\"'\u2019\u201d)]*\s+(?=[A-Z0-9\"'\u2018\u201c(])")


@dataclass(frozen=True)
class Label:
    file: str  # the text the sentence stands in
    group: str  # who it is about (a council): cross-validation leaves a group out whole
    statement: str
    text: str
    polarity: str
    intensity: int
    category: str
    where: str  # label file and line, for messages
    names: tuple[str, ...] = ()  # the words of the council's name its text gives (never features)


def _spans(line: str) -> Iterable[str]:
    start = 0
    for m in _END.finditer(line):
        if s := line[start : m.start()].strip():
            yield s
        start = m.end()
    if s := line[start:].strip():
        yield s


def _category(pack: Pack, raw: str) -> str | None:
    for c in pack.core.categories:
        if raw in (c.id, c.short):
            return c.id
    return None


def label_files(labels: Path, pack: Pack) -> list[Path]:
    """The label files (*.tsv) of a folder that name this pack's statements."""
    if labels.is_file():
        return [labels]
    if not labels.is_dir():
        raise UsageError(f"no such labels folder or file: {labels}")
    out = []
    for path in sorted(labels.glob("*.tsv")):
        try:
            with path.open(encoding="utf-8", newline="") as fh:
                rows = list(csv.DictReader(fh, delimiter="\t"))
        except (OSError, UnicodeDecodeError):
            continue
        if rows and all(c in rows[0] for c in COLUMNS) and all(r["statement"] in pack.statement_ids for r in rows):
            out.append(path)
    return out


def _text(path: Path) -> list[str]:
    from engine.ingest.readers import read_report

    return read_report(path).text.removeprefix("\ufeff").splitlines()


def _parsed(pack: Pack, path: Path, n: int, r: dict[str, str]) -> tuple[str, str, int, int, int, int] | Problem:
    """A label row's polarity, category, line, span and intensity, or what is wrong with it."""
    pol, cat = r["polarity"].strip(), _category(pack, r["category"].strip())
    if pol not in POLARITIES:
        return Problem(str(path), n, 1, "", f"polarity {pol!r}: expected one of {list(POLARITIES)}")
    if cat is None:
        return Problem(str(path), n, 1, "", f"category {r['category']!r} is none of the pack's {pack.category_ids}")
    try:
        return pol, cat, int(r["line"]), int(r["start"]), int(r["end"]), int(r["intensity"] or 0)
    except ValueError:
        return Problem(str(path), n, 1, "", "line, start, end and intensity must be whole numbers")


def read_labels(
    pack: Pack, files: list[Path], texts: list[Path], group_of: Callable[[str], str]
) -> tuple[list[Label], dict[str, Any]]:
    """Every label row of the files whose sentence can be found, and an account of the rest."""
    found: dict[str, Path | None] = {}
    lines_of: dict[str, list[str]] = {}
    keyed: dict[str, dict[str, str]] = {}
    labels: list[Label] = []
    names_of: dict[str, tuple[str, ...]] = {}
    from engine.ingest.cues import load_cues

    cues = load_cues(pack, with_reader=False)
    missing_text: Counter[str] = Counter()
    unaligned = 0
    problems: list[Problem] = []
    for path in files:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh, delimiter="\t")
            for n, r in enumerate(reader, start=2):
                where = f"{path.name}:{n}"
                parsed = _parsed(pack, path, n, r)
                if isinstance(parsed, Problem):
                    problems.append(parsed)
                    continue
                pol, cat, ln, a, b, inten = parsed
                name = r["file"].strip()
                if name not in found:
                    found[name] = text = next((d / name for d in texts if (d / name).is_file()), None)
                    if text is not None:
                        lines_of[name] = _text(text)
                if found[name] is None:
                    missing_text[name] += 1
                    continue
                lines = lines_of[name]
                if name not in names_of:
                    names_of[name] = _name_words(cues, lines, group_of(name))
                sent = lines[ln - 1][a:b] if 0 < ln <= len(lines) else ""
                if sentence_key(sent) != r["key"]:
                    if name not in keyed:
                        keyed[name] = {sentence_key(s): s for line in lines for s in _spans(line)}
                    sent = keyed[name].get(r["key"], "")
                if not sent:
                    unaligned += 1
                    continue
                labels.append(
                    Label(
                        name,
                        group_of(name),
                        r["statement"],
                        sent,
                        pol,
                        min(max(inten, 0), 3),
                        cat,
                        where,
                        names_of[name],
                    )
                )
    if problems:
        raise LoadError(problems[0].message, problems)
    shas = {name: _sha(p) for name, p in found.items() if p is not None}
    account = {
        "label_files": [{"file": p.name, "sha256": _sha(p)} for p in files],
        # each text by its SHA-256 (what it holds, not what it is called), with its rows used
        "texts": dict(sorted(Counter(shas[lab.file] for lab in labels).items())),
        "rows_used": len(labels),
        "rows_without_text": sum(missing_text.values()),
        "texts_missing": sorted(missing_text),
        "rows_not_found_in_text": unaligned,
    }
    return labels, account


def _name_words(cues: Any, lines: list[str], group: str) -> tuple[str, ...]:
    """The words naming the council a text is about: from the name the report gives itself and
    the group (council) an index gives it, less words that name no council alone."""
    from engine.ingest.extract import council_name
    from engine.ingest.reader import words

    found = set(words(council_name(cues, lines) or "")) | (
        set(words(group)) if not group.endswith((".txt", ".pdf", ".html")) else set()
    )
    return tuple(sorted(w for w in found if w not in GENERIC_NAME_WORDS and not w.isdigit()))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def features_of(cues: Any, labels: list[Label]) -> list[list[str]]:
    from engine.ingest.extract import classify

    out = []
    for lab in labels:
        pol, cat, tags, metric = classify(cues, lab.text)
        out.append(sentence_features(lab.text, CueReading(pol, cat, tuple(tags), metric is not None)))
    return out


def train(pack: Pack, labels: list[Label], feats: list[list[str]]) -> ReaderModel:
    """Fit the three heads on the given labelled sentences (deterministic; weights rounded)."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    df: Counter[str] = Counter(f for fs in feats for f in fs)
    names = {w for lab in labels for w in lab.names}
    vocab = sorted(
        f for f, n in df.items() if n >= MIN_DF and not names.intersection(f.split())
    )  # no feature names a council
    col = {f: i for i, f in enumerate(vocab)}
    heads: dict[str, Head] = {}
    weights: dict[str, dict[str, list[float]]] = {}
    for head in HEADS:
        keep = [i for i, lab in enumerate(labels) if head != "intensity" or lab.polarity != "none"]
        y = [
            (lab.polarity if head == "polarity" else lab.category if head == "category" else str(max(lab.intensity, 1)))
            for lab in (labels[i] for i in keep)
        ]
        classes = sorted(set(y), key=lambda c: _order(head, pack, c))
        if len(classes) < 2:
            raise UsageError(f"the labels give head {head!r} only the class {classes}: at least two are needed")
        rows, cols = [], []
        for r, i in enumerate(keep):
            for f in feats[i]:
                if f in col:
                    rows.append(r)
                    cols.append(col[f])
        x = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(keep), len(vocab)))
        model = LogisticRegression(
            C=C, solver="newton-cg", max_iter=1000, class_weight=None if head == "intensity" else "balanced"
        )
        model.fit(x, y)
        order = [list(model.classes_).index(c) for c in classes]
        coef = model.coef_
        icpt = model.intercept_
        if len(model.classes_) == 2:  # a binary head: scikit-learn gives one row, for the second class
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            icpt = np.array([-icpt[0] / 2, icpt[0] / 2])
        heads[head] = Head(classes, [round_weight(icpt[k]) for k in order])
        for f, j in col.items():
            w = [round_weight(coef[k, j]) for k in order]
            if any(w):
                weights.setdefault(f, {})[head] = w
    return ReaderModel(pack.id, heads, weights)


def _order(head: str, pack: Pack, c: str) -> int:
    if head == "polarity":
        return POLARITIES.index(c)
    if head == "category":
        return pack.category_ids.index(c)
    return int(c)


def predict(model: ReaderModel, feats: list[str]) -> tuple[str, str, int]:
    p = model.score("polarity", feats).label
    c = model.score("category", feats).label
    i = int(model.score("intensity", feats).label)
    return p, c, i


def provenance(
    account: dict[str, Any], labels: list[Label], cv: dict[str, Any] | None, date: str | None
) -> dict[str, Any]:
    import sklearn

    return {
        "trained_by": "rederive train-reader",
        "date": date or dt.date.today().isoformat(),
        "model": f"logistic regression per head (scikit-learn {sklearn.__version__}), C={C}, "
        f"binary features seen in at least {MIN_DF} training sentences",
        **account,
        "council_name_words_left_out": len({w for lab in labels for w in lab.names}),
        "counts": {
            "polarity": dict(sorted(Counter(lab.polarity for lab in labels).items())),
            "category": dict(sorted(Counter(lab.category for lab in labels).items())),
            "groups": len({lab.group for lab in labels}),
        },
        **({"leave_one_group_out": cv} if cv is not None else {}),
    }


def group_map(pack: Pack, indexes: list[Path]) -> Callable[[str], str]:
    """A text's group (council) from the indexes given (as agree reads them); else its name."""
    from engine.authoring.corpus import read_index

    groups: dict[str, str] = {}
    for path in indexes:
        if not path.is_file():
            raise UsageError(f"--index: no such file: {path}")
        for row in read_index(path, pack):
            groups.setdefault(row.file, row.group)
    return lambda name: groups.get(name, name)


def train_pack(
    pack: Pack,
    files: list[Path],
    texts: list[Path],
    indexes: list[Path],
    cv: bool = True,
    date: str | None = None,
    advance: Callable[[], None] = lambda: None,
    without: list[str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """Train the pack's reader on the label files; (the reader file's text, a summary).
    `without`: labelled texts (file names) whose labels are left out; the provenance keeps each
    one's SHA-256 and the keys of its labelled sentences (not its name, which may name a council), by which extraction knows a report
    this reader has not learnt from (see cues.yaml `reader.held_out`)."""
    from engine.ingest.cues import load_cues
    from engine.ingest.reader import dump_reader

    cues = load_cues(pack, with_reader=False)
    labels, account = read_labels(pack, files, texts, group_map(pack, indexes))
    left_out = []
    for name in without or []:
        own = [lab for lab in labels if lab.file == name]
        if not own:
            raise UsageError(f"--without {name}: no labelled sentence of that text was found in the texts given")
        path = next(d / name for d in texts if (d / name).is_file())
        left_out.append({"sha256": _sha(path), "sentence_keys": sorted({sentence_key(lab.text) for lab in own})})
        labels = [lab for lab in labels if lab.file != name]
        account = {
            **account,
            "rows_used": len(labels),
            "texts": {h: n for h, n in account["texts"].items() if h != left_out[-1]["sha256"]},
        }
    if not labels:
        raise UsageError("no labelled sentence could be found in the texts given (--texts)")
    feats = features_of(cues, labels)
    model = train(pack, labels, feats)
    figures = cross_validate(pack, labels, feats, advance) if cv else None
    prov = provenance(account, labels, figures, date)
    if left_out:
        prov["without"] = left_out
    text = dump_reader(pack.id, model.heads, model.weights, prov)
    return text, {"pack": pack.id, "features": len(model.weights), **prov}


from engine.authoring.reader_cv import cross_validate, sentence_figures  # noqa: E402,F401  (moved; kept importable here)
