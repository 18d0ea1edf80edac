"""Extraction: read a published report and write a case file of cited evidence items.

How a framework's reports are laid out and worded (headings, boilerplate, who is speaking,
shortfall and strength cues, tags, national-data comparisons) is data in the pack's
`cues.yaml`. Evidence extraction is blind to the answer: lines that carry scores, score
wording or the rating are blanked before any evidence is read, and only the separate
published-block reader looks at them.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from engine.base.errors import LoadError, Problem
from engine.ingest.cues import Cues, fold_text, load_cues
from engine.ingest.layout import (  # noqa: F401  (also imported from here)
    MAX_SENTENCE,
    Section,
    _is_heading,
    blind,
    resembling,
    sections,
    split_sentences,
)
from engine.ingest.published import council_name, document_kind, read_published, read_table  # noqa: F401  (also imported from here)
from engine.ingest.reading import classify, read_sentence
from engine.model.case import (
    PAGE_MARK,
    Item,
    Metric,
    NotEvidence,
    Reading,
    SourceRef,
    page_of,
)
from engine.model.pack import Pack


@dataclass
class Candidate:
    """A sentence of a statement's findings, with what the cues read in it (cached: a learned
    reader may read the same candidates many times, as a calibration does)."""

    statement: str
    sentence: str
    idx: int  # 0-based line index
    heading: str | None
    cue: tuple[str | None, str, list[str], Metric | None]
    placed: str | None = None  # why the sentence stands under its statement, where no known heading says so


def candidates(
    cues: Cues, lines: list[str], original: list[str] | None = None, secs: list[Section] | None = None
) -> list[Candidate]:
    """Every sentence of the report's statement sections that may be evidence, in order."""
    out: list[Candidate] = []
    for sec in secs if secs is not None else sections(cues, lines):
        mode = "evidence"
        heading: str | None = None  # the sub-heading the findings stand under
        for idx in range(sec.start + sec.size, sec.end):
            line = lines[idx]
            low = fold_text(line)
            if cues.boiler.search_lower(low):
                mode = "boilerplate"
                continue
            if cues.evidence_start.search_lower(low):
                mode = "evidence"
                continue
            if not line.strip() or cues.skip.search_lower(low):
                continue
            if _is_heading(line):
                if original is not None and original[idx] != line:
                    continue  # the rest of a paragraph whose answer sentences were cut
                if mode == "evidence":
                    heading = line.strip().lstrip("#").strip() or heading
                continue
            if mode == "boilerplate":
                if cues.boiler_line.rx is None or cues.boiler_line.search_lower(low):
                    continue
                mode = "evidence"  # a paragraph that is not boilerplate: the findings have begun
            for sentence in split_sentences(line):
                if len(sentence) > MAX_SENTENCE:
                    continue  # a run of text without a full stop, not a sentence of findings
                if len(sentence.split()) >= cues.data.sentences.min_words:
                    placed = (
                        None
                        if sec.why is None
                        else f"read under {cues.pack.statement(sec.statement).name!r}: no heading the pack "
                        f"knows stands above it, and its paragraph {sec.why}"
                    )
                    out.append(Candidate(sec.statement, sentence, idx, heading, classify(cues, sentence), placed))
    return out


def extract_items(
    cues: Cues,
    lines: list[str],
    source: str,
    original: list[str] | None = None,
    not_evidence: list[NotEvidence] | None = None,
) -> list[Item]:
    """Evidence items from the report's statement sections; `lines` must already be blinded
    (`original`: the lines before blinding; what is left of a cut line is never a heading).
    The sentences a learned reader reads as stating no finding are appended to `not_evidence`."""
    return items_from(cues, candidates(cues, lines, original), source, not_evidence)


def items_from(
    cues: Cues, cands: list[Candidate], source: str, not_evidence: list[NotEvidence] | None = None
) -> list[Item]:
    """The items the candidate sentences are read as (by the pack's reader, or its cues)."""
    items: list[Item] = []
    counters: dict[str, int] = {}
    uncued: dict[
        str, list[tuple[str, str, int, str | None]]
    ] = {}  # statement: (sentence, category, line index, heading)
    read_chars: dict[str, int] = {}  # characters of each statement's findings read so far
    for c in cands:
        polarity, category, tags, metric, reading = read_sentence(cues, c.sentence, c.cue)
        if c.placed is not None:
            reading = {**reading, "because": [*reading["because"], c.placed]}
        opening = read_chars.get(c.statement, 0) < cues.reader_tag_within
        read_chars[c.statement] = read_chars.get(c.statement, 0) + len(c.sentence) + 1
        if polarity is not None and cues.reader is not None and cues.reader_tag and opening:
            tags = [*tags, cues.reader_tag]
        every = cues.data.reader.tag_every if cues.data.reader else None
        if polarity is not None and cues.reader is not None and every and every not in tags:
            tags = [*tags, every]
        if polarity is None:
            if not_evidence is not None and reading["by"] != "cues":
                not_evidence.append(
                    NotEvidence(
                        statement=c.statement,
                        quote=c.sentence,
                        source=SourceRef(file=source, line=c.idx + 1),
                        reading=Reading(**reading),
                    )
                )
            elif cues.data.descriptive is not None and cues.reader is None and not counters.get(c.statement):
                uncued.setdefault(c.statement, []).append((c.sentence, category, c.idx, c.heading))
            continue
        counters[c.statement] = counters.get(c.statement, 0) + 1
        items.append(
            Item(
                id=f"{c.statement}-{counters[c.statement]:03d}",
                statement=c.statement,
                category=category,
                polarity=cast(
                    Literal["strength", "shortfall", "mixed"], polarity
                ),  # read_sentence gives one of the three, or None (skipped above)
                tags=tags,
                metric=metric,
                quote=c.sentence,
                source=SourceRef(file=source, line=c.idx + 1),
                heading=c.heading,
                reading=Reading(**reading),
            )
        )
    if (how := cues.data.descriptive) is not None:  # statements whose findings no cue reads
        for sid, found in uncued.items():
            if not counters.get(sid):
                found = [f for f in found if described(cues, f[0])]
                items += [
                    Item(
                        id=f"{sid}-{n:03d}",
                        statement=sid,
                        category=category,
                        polarity=how.polarity,
                        tags=[how.tag],
                        quote=sentence,
                        source=SourceRef(file=source, line=idx + 1),
                        heading=heading,
                        reading=Reading(
                            by="cues",
                            because=[
                                f"no cue reads this statement's findings: a descriptive sentence, "
                                f"read as {how.polarity} ({how.tag})"
                            ],
                        ),
                    )
                    for n, (sentence, category, idx, heading) in enumerate(found, 1)
                ]
    return items


def described(cues: Cues, sentence: str) -> bool:
    """A sentence no cue reads that still describes the council's work: not an aim or a plan,
    not the area or its population."""
    low = fold_text(sentence)
    return not (cues.intention.search_lower(low) or cues.context.search_lower(low))


def detect_framework(text: str, candidates: list[tuple[str, Cues]]) -> str | None:
    """The framework whose detect cues the report shows most of; failing any, the one whose
    statement headings and commitment texts it shows most of (a page cut down to one
    statement may have lost the words that name the framework, but not its heading)."""
    scored = [(sum(bool(p.search(text)) for p in cues.detect), fid) for fid, cues in candidates]
    if not any(n for n, _ in scored):
        lines = text.splitlines()
        scored = [(len({s.statement for s in sections(cues, lines)}), fid) for fid, cues in candidates]
    scored = [s for s in scored if s[0] > 0]
    return max(scored)[1] if scored else None


def extract(
    pack: Pack,
    report: Path,
    source_name: str,
    cues: Cues | None = None,
    text: str | None = None,
    memo: dict[Any, Any] | None = None,
) -> dict[str, Any]:
    """The case, as plain data ready to be written, from one report file (or its rendering,
    `text`); `source_name` is the file the items cite. `memo` keeps what the cues read in a
    report (its sentences, its published block) between calls that differ only in the
    learned reader (a calibration's folds)."""
    cues = cues or load_cues(pack)
    if text is None:
        from engine.ingest.readers import read_report

        text = read_report(report).text
    key = (source_name, len(text), hash(text))
    if memo is not None and key in memo:
        lines, paged, cands, head = memo[key]
    else:
        lines = text.removeprefix("\ufeff").splitlines()  # a byte-order mark is not part of the title
        secs = sections(cues, lines)
        paged = any(PAGE_MARK.match(ln) for ln in lines)
        unpaged = ["" if PAGE_MARK.match(ln) else ln for ln in lines]
        blinded = blind(cues, unpaged)
        if not secs:  # no heading the pack knows: each paragraph under the statement it resembles
            placed = resembling(cues, blinded)
            cands = candidates(cues, blinded, unpaged, placed)
            if not cands:
                found = [ln.strip().lstrip("#").strip() for ln in unpaged if ln.strip() and _is_heading(ln)][:8]
                names = ", ".join(s.name for s in pack.core.statements)
                msg = (
                    f"no findings found: no {pack.core.framework.unit} heading the pack knows ({names}), and no "
                    "paragraph that resembles one"
                    + (f"; the headings found were: {'; '.join(found)}" if found else "; no headings were found")
                )
                raise LoadError(msg, [Problem(str(report), None, None, "", msg)])
        else:
            cands = candidates(cues, blinded, unpaged)
        kind = document_kind(cues, lines)
        head = {
            "council": council_name(cues, lines) or report.stem,
            "kind": kind,
            "published": read_published(cues, lines, secs, kind).model_dump(exclude_none=True),
        }
        if memo is not None:
            memo[key] = (lines, paged, cands, head)
    unread: list[NotEvidence] = []
    from engine.ingest.heldout import reading_cues

    by, note = reading_cues(cues, [c.sentence for c in cands])
    items = items_from(by, cands, f"sources/{source_name}", unread)
    if note is not None:  # read by a reader that has not learnt from this report: every reading says so
        items = [it.model_copy(update={"reading": _noted(it.reading, note)}) for it in items]
        unread = [ne.model_copy(update={"reading": _noted(ne.reading, note)}) for ne in unread]
    if paged:
        items = [
            it.model_copy(update={"source": it.source.model_copy(update={"page": page_of(lines, it.source.line)})})
            for it in items
        ]
        unread = [
            ne.model_copy(update={"source": ne.source.model_copy(update={"page": page_of(lines, ne.source.line)})})
            for ne in unread
        ]
    kind = head["kind"]
    return {
        "case": re.sub(r"[^a-z0-9]+", "-", report.stem.lower()).strip("-"),
        "council": head["council"],
        "framework": pack.id,
        **({"kind": kind} if kind else {}),
        "sources": [f"sources/{source_name}"],
        "published": copy.deepcopy(head["published"]),
        "items": [_item_dict(it) for it in items],
        **({"not_evidence": [_not_evidence_dict(ne) for ne in unread]} if unread else {}),
    }


def _noted(reading: Reading | None, note: str) -> Reading | None:
    return None if reading is None else reading.model_copy(update={"because": [*reading.because, note]})


def _item_dict(it: Item) -> dict[str, Any]:
    d: dict[str, Any] = {"id": it.id, "statement": it.statement, "category": it.category, "polarity": it.polarity}
    if it.tags:
        d["tags"] = list(it.tags)
    if it.metric is not None:
        d["metric"] = it.metric.model_dump(exclude_none=True)
    d["quote"] = it.quote
    d["source"] = {"file": it.source.file, "line": it.source.line}
    if it.source.page is not None:
        d["source"]["page"] = it.source.page
    if it.heading is not None:
        d["heading"] = it.heading
    if it.reading is not None:
        d["reading"] = it.reading.model_dump(exclude_none=True)
    return d


def _not_evidence_dict(ne: NotEvidence) -> dict[str, Any]:
    src: dict[str, Any] = {"file": ne.source.file, "line": ne.source.line}
    if ne.source.page is not None:
        src["page"] = ne.source.page
    return {
        "statement": ne.statement,
        "quote": ne.quote,
        "source": src,
        "reading": ne.reading.model_dump(exclude_none=True),
    }
