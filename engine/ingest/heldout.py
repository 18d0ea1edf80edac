"""A report the pack's reader learnt from is read by a reader that has not.

The shipped reader is trained on every labelled sentence, the seed reports' among them: it
would read those reports in-sample, better than any council's own report is read. A pack may
hold, beside it, readers trained without one labelled report each (`rederive train-reader
--without TEXT`, listed in cues.yaml `reader.held_out`); each records the keys of the
sentences it left out. A report most of whose sentences of findings are one of them is read by
that reader, and every reading says so.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from engine.ingest.cues import Cues

SHARE = 0.5  # of a report's sentences of findings that must be a left-out report's labelled ones


def sentence_key(sentence: str) -> str:
    """The labels' key of a sentence: its lower-cased words, SHA-1, 16 hex digits."""
    return hashlib.sha1(" ".join(sentence.lower().split()).encode("utf-8")).hexdigest()[:16]


def _held(cues: Cues) -> list[tuple[frozenset[str], Any, str]]:
    """The pack's held-out readers with the keys each left out, loaded once per cue object."""
    got = cues.__dict__.get("_held_out")
    if got is not None:
        return got
    from engine.ingest.reader import load_reader

    got = []
    spec = cues.data.reader
    for name in spec.held_out if spec is not None else []:
        model = load_reader(cues.pack.root / name, cues.pack.id, cues.pack.category_ids)
        keys = frozenset(k for w in model.provenance.get("without", []) for k in w.get("sentence_keys", []))
        got.append((keys, model, name))
    cues.__dict__["_held_out"] = got
    return got


def reading_cues(cues: Cues, sentences: list[str]) -> tuple[Cues, str | None]:
    """The cues to read these sentences with: the pack's own, or a copy whose reader has not
    learnt from the report they come from (with the note every reading then carries)."""
    if cues.reader is None or not sentences or cues.data.reader is None or not cues.data.reader.held_out:
        return cues, None
    keys = [sentence_key(s) for s in sentences]
    for left_out, model, name in _held(cues):
        share = sum(k in left_out for k in keys) / len(keys)
        if share >= SHARE:
            other = copy.copy(cues)
            other.reader = model
            note = (
                f"read by a reader trained without this report's labels ({name}): {share:.0%} of its "
                "sentences of findings are among them, and the pack's own reader learnt from them"
            )
            return other, note
    return cues, None
