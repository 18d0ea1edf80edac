"""The layout of a report as extraction reads it: the sections of each statement's findings
(opened by the statement's heading, or by its commitment where the heading is not found), the
report blinded to its own answer, and its sentences."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from engine.ingest.cues import Cues, fold_text


@dataclass
class Section:
    statement: str
    start: int  # index of the heading line
    end: int  # index one past the last line
    by_heading: bool = True  # False: opened by the statement's commitment text, its heading unrecognised
    size: int = 1  # lines the heading takes (a wrapped heading)
    why: str | None = None  # placed by resemblance (no heading the pack knows): why this statement


def resembling(cues: Cues, lines: list[str]) -> list[Section]:
    """Sections for a report none of whose headings the pack recognises: each paragraph goes
    to the statement whose heading (name and aliases) shares most of its meaningful words with
    it (each word weighed by how rare it is among the report's paragraphs), a paragraph that
    shares none stays with the one before; paragraphs before the first
    that resembles any statement are not read (a title, an introduction)."""
    from engine.ingest.reader import FUNCTION_WORDS, words

    generic = cues.generic_words
    vocab: dict[str, set[str]] = {}
    for st in cues.pack.core.statements:
        ws: set[str] = set()
        for name in [st.name, *st.aliases]:
            ws |= {w for w in words(name) if w not in FUNCTION_WORDS and w not in generic and len(w) > 2}
        vocab[st.id] = ws
    paragraphs = [(i, set(words(line))) for i, line in enumerate(lines) if line.strip() and not _is_heading(line)]
    df: dict[str, int] = {}
    for _, ws in paragraphs:
        for w in ws:
            df[w] = df.get(w, 0) + 1
    n = len(paragraphs) or 1
    idf = {
        w: math.log((n + 1) / (df.get(w, 0) + 1)) for ws in vocab.values() for w in ws
    }  # a word in every paragraph tells little
    found: list[Section] = []
    for i, present in paragraphs:
        best = max(((sum(idf[w] for w in ws & present), sid) for sid, ws in vocab.items()), key=lambda x: x[0])
        if best[0] <= 0:
            if found and found[-1].end == i:
                found[-1].end = i + 1  # stays with the paragraph before
            continue
        sid = best[1]
        shared = ", ".join(sorted(vocab[sid] & present))
        if found and found[-1].statement == sid and found[-1].end == i:
            found[-1].end = i + 1
            continue
        found.append(Section(sid, i, i + 1, False, 0, f"shares the words {shared} with its heading"))
    return found


def blind(cues: Cues, lines: list[str]) -> list[str]:
    """The report with every answer line and answer section blanked, the answer spans and the
    sentences that state an answer cut out (same line numbers; what is left of a line is its
    own text, so a quote from it is still verbatim)."""
    out = list(lines)
    in_answer = False
    for i, line in enumerate(lines):
        low = fold_text(line)
        if cues.answer_section.search_lower(low):
            in_answer = True
        elif in_answer and (
            cues.section_end.search_lower(low) or cues.answer_section_end.search_lower(low) or len(line) > 300
        ):
            in_answer = False
        if in_answer or cues.answer_line.search_lower(low):
            out[i] = ""
            continue
        line = cues.strip_answer(line)
        if cues.answer_sentence.may_match(low):
            line = " ".join(s for s in split_sentences(line) if not cues.answer_sentence.search_lower(fold_text(s)))
        out[i] = line
    return out


def sections(cues: Cues, lines: list[str]) -> list[Section]:
    found: list[Section] = []
    skip_to = 0
    for i, line in enumerate(lines):
        if i < skip_to:
            continue
        low = fold_text(line)
        hit = cues.heading_at(lines, i) if line.strip() else None
        sid, size = hit if hit else (None, 1)
        by_heading = sid is not None
        if sid is None and cues.commitment and line.strip():
            sid = cues.commitment_of(low)
            if sid is not None and found and found[-1].end == -1 and found[-1].statement == sid:
                sid = None  # the commitment of the section its heading already opened
        ends = cues.section_end.search_lower(low)
        if (sid or ends) and found and found[-1].end == -1:
            found[-1].end = i
        if sid:
            found.append(Section(sid, i, -1, by_heading, size))
            skip_to = i + size
    if found and found[-1].end == -1:
        found[-1].end = len(lines)
    return found


# the cheap test first: most positions do not follow a full stop, and fail there
_SENT = re.compile(r"(?<=[.!?])(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bNo)[\"'’”)]*\s+(?=[A-Z0-9‘“\"'(])")


MAX_SENTENCE = 2_000  # characters: a report's longest sentences run to a few hundred


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.split(text) if s.strip()]


def _is_heading(line: str) -> bool:
    s = line.strip()
    return s.startswith("#") or (len(s.split()) <= 12 and not re.search(r"[.!?][\"'’”)]*$", s))
