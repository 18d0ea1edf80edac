"""The published block of a report, read apart from its evidence: the rating, the scores
(in the text or a judgement table), the date, the kind of document and the council."""

from __future__ import annotations

from engine.ingest.cues import Cues, heading_key
from engine.ingest.layout import Section
from engine.model.case import PAGE_MARK, Published


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
