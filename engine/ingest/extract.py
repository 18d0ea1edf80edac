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
from typing import Any

from engine.base.errors import LoadError, Problem
from engine.ingest.cues import Cues, fold_text, heading_key, load_cues
from engine.ingest.reading import classify, read_sentence
from engine.model.case import (
    PAGE_MARK,
    Item,
    Metric,
    NotEvidence,
    Published,
    Reading,
    SourceRef,
    page_of,
)
from engine.model.pack import Pack


@dataclass
class Section:
    statement: str
    start: int  # index of the heading line
    end: int  # index one past the last line
    by_heading: bool = True  # False: opened by the statement's commitment text, its heading unrecognised
    size: int = 1  # lines the heading takes (a wrapped heading)


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


def _score_on(cues: Cues, line: str) -> int | None:
    for p in cues.score:
        if (m := p.search(line)) and m.group(1).isdigit() and int(m.group(1)) in cues.pack.scores:
            return int(m.group(1))
    return None


def read_published(cues: Cues, lines: list[str], secs: list[Section], kind: str | None = None) -> Published:
    """The answer: council-level rating and per-statement scores. Never used for evidence."""
    indicative = any(p.search(line) for line in lines for p in cues.indicative)
    date = None
    for line in lines:
        for p in cues.date:
            if m := p.search(line):
                date = _iso_date(m.group(1))
                break
        if date:
            break
    scores: dict[str, int | None] = {}
    for n, sec in enumerate(secs):
        if sec.statement in scores:
            continue
        # the score follows the heading (on some pages it comes just before it); with no
        # heading recognised, it is above the commitment; never inside another section
        floor = secs[n - 1].end if n else 0
        above = lines[max(floor, sec.start - (3 if sec.by_heading else 8)) : sec.start]
        windows = [lines[sec.start + 1 : min(sec.end, sec.start + 8)], above] if sec.by_heading else [above]
        for line in (ln for window in windows for ln in window):
            score = _score_on(cues, line)
            if score is not None:
                scores[sec.statement] = score
                break
    rating = None
    labels = {r.label.casefold(): r.id for r in cues.pack.core.ratings}
    table_scores: dict[str, int] = {}
    if cues.table_start:
        table_scores, rating = read_table(cues, lines)
        scores = {**table_scores, **{k: v for k, v in scores.items() if k not in table_scores}}
    for i, line in enumerate(lines):
        if any(p.search(line) for p in cues.rating_heading):
            for nxt in lines[i + 1 : i + 8]:
                head = nxt.strip().lstrip("#").strip().split(":")[0].strip().casefold()
                if head in labels:
                    rating = labels[head]
                    break
            if rating:
                break
    if rating is None and not table_scores:  # a judgement table without an overall row rates nothing
        for line in lines:
            for p in cues.rating:
                if (m := p.search(line)) and m.group(1).casefold() in labels:
                    rating = labels[m.group(1).casefold()]
                    break
            if rating:
                break
    finding = (
        next((label for line in lines for p, label in cues.finding if p.search(line)), None)
        if cues.states_finding(kind)
        else None
    )
    return Published(rating=rating, scores=scores, date=date, indicative=indicative, finding=finding)


def read_table(cues: Cues, lines: list[str]) -> tuple[dict[str, int], str | None]:
    """A judgement table: rows of a statement's name (or the overall row's) then its grade,
    names and grades wrapped over lines as a PDF's columns leave them. ({statement: score},
    overall rating id or None)."""
    start = next((i for i, ln in enumerate(lines) if any(p.search(ln) for p in cues.table_start)), None)
    if start is None:
        return {}, None
    cells = []
    for line in lines[start + 1 :]:
        if len(line.split()) >= 25 or PAGE_MARK.match(line):
            break
        cells.append(line.strip())
    text = " ".join(" ".join(cells).split())
    scores: dict[str, int] = {}
    rating = None
    order = [r.id for r in cues.pack.core.ratings]
    pos = 0
    if cues.grade_rx is None:
        return {}, None
    for m in cues.grade_rx.finditer(text):
        name = heading_key(text[pos : m.start()])
        pos = m.end()
        grade = cues.grades[" ".join(m.group(1).casefold().split())]
        sid = cues.headings.get(name) or cues.near_heading(name)
        if sid is not None:
            scores.setdefault(sid, grade)
        elif name in cues.overall_row and len(order) == len(cues.pack.scores):
            rating = order[sorted(cues.pack.scores).index(grade)]
    return scores, rating


def document_kind(cues: Cues, lines: list[str]) -> str | None:
    """The kind of document (cues.yaml `kinds`), read from its first page."""
    head = "\n".join(lines[:60])
    found = cues.kind_of(head)
    return found[0] if found else None


def _iso_date(text: str) -> str | None:
    import datetime as dt

    try:
        return dt.datetime.strptime(text.strip(), "%d %B %Y").date().isoformat()
    except ValueError:
        return None


def council_name(cues: Cues, lines: list[str]) -> str | None:
    for line in lines[:12]:
        for p in cues.council:
            if m := p.search(line.strip()):
                return m.group(1).strip()
    return None


@dataclass
class Candidate:
    """A sentence of a statement's findings, with what the cues read in it (cached: a learned
    reader may read the same candidates many times, as a calibration does)."""

    statement: str
    sentence: str
    idx: int  # 0-based line index
    heading: str | None
    cue: tuple[str | None, str, list[str], Metric | None]


def candidates(cues: Cues, lines: list[str], original: list[str] | None = None) -> list[Candidate]:
    """Every sentence of the report's statement sections that may be evidence, in order."""
    out: list[Candidate] = []
    for sec in sections(cues, lines):
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
                    out.append(Candidate(sec.statement, sentence, idx, heading, classify(cues, sentence)))
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
        opening = read_chars.get(c.statement, 0) < cues.reader_tag_within
        read_chars[c.statement] = read_chars.get(c.statement, 0) + len(c.sentence) + 1
        if polarity is not None and cues.reader is not None and cues.reader_tag and opening:
            tags = [*tags, cues.reader_tag]
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
                polarity=polarity,
                tags=tags,
                metric=metric,  # type: ignore[arg-type]
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
        if not secs:
            names = ", ".join(s.name for s in pack.core.statements)
            msg = f"no {pack.core.framework.unit} found; looked for the headings {names}"
            raise LoadError(msg, [Problem(str(report), None, None, "", msg)])
        paged = any(PAGE_MARK.match(ln) for ln in lines)
        unpaged = ["" if PAGE_MARK.match(ln) else ln for ln in lines]
        cands = candidates(cues, blind(cues, unpaged), unpaged)
        kind = document_kind(cues, lines)
        head = {
            "council": council_name(cues, lines) or report.stem,
            "kind": kind,
            "published": read_published(cues, lines, secs, kind).model_dump(exclude_none=True),
        }
        if memo is not None:
            memo[key] = (lines, paged, cands, head)
    unread: list[NotEvidence] = []
    items = items_from(cues, cands, f"sources/{source_name}", unread)
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
