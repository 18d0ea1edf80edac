"""Cue patterns as compiled for lower-cased text: one alternation per set of patterns, behind
a substring prefilter read off the patterns' required literals."""

from __future__ import annotations

import re

from engine.ingest.literals import required_literals

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def fold_text(text: str) -> str:
    """Lower case, curly quotes made straight (same length): what cue patterns match against."""
    return text.lower().translate(_QUOTES)


def lower_pattern(pattern: str) -> str:
    """The pattern for lower-cased text: its letters lower-cased, but never the letter of an
    escape, whose case is its meaning (\\W is not \\w, \\S is not \\s, \\B is not \\b)."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        else:
            out.append(pattern[i].lower())
            i += 1
    return "".join(out)


def _lower_rx(pattern: str) -> re.Pattern:
    """Cue patterns match lower-cased text: Python's re is several times slower with IGNORECASE."""
    return re.compile(lower_pattern(pattern))


def _literals_of(patterns: list[str]) -> list[tuple[str, ...] | None]:
    """Each pattern's required literals (None: it has none the parser can tell)."""
    return [None if (lits := required_literals(lower_pattern(p))) is None else tuple(sorted(lits)) for p in patterns]


def _prefilter(each: list[tuple[str, ...] | None]) -> tuple[str, ...] | None:
    """From each pattern's literals, those one of which every match of any of them holds (None:
    some pattern has none)."""
    found: set[str] = set()
    for lits in each:
        if lits is None:
            return None
        found.update(lits)
    return tuple(sorted(found))


class _AnyOf:
    """Several patterns as one alternation: `search` finds whether any of them matches.

    Python's regex engine tries every alternative at every position of the text. Every
    match must contain one of a few literal strings read off the parsed patterns
    (`literals`); most sentences contain none, and a plain substring test rules them out
    several times faster.
    """

    def __init__(self, patterns: list[str]) -> None:
        self.rx = _lower_rx("|".join(f"(?:{p})" for p in patterns)) if patterns else None
        each = _literals_of(patterns)
        self.literals = _prefilter(each) if patterns else None
        # each pattern with its own literals: once the set's literals are in a sentence, only
        # the patterns whose literals are there need running (most sentences hold "people");
        # empty when some pattern has no literal (then the alternation runs, in one pass).
        # A pattern is compiled on its first use: a short run needs few of them.
        self.parts: list[tuple[tuple[str, ...], int]] = (
            [(lits, i) for i, lits in enumerate(each) if lits is not None] if self.literals is not None else []
        )
        self._patterns = patterns
        self._rxs: list[re.Pattern | None] = [None] * len(patterns)

    def _part(self, i: int) -> re.Pattern:
        rx = self._rxs[i]
        if rx is None:
            rx = self._rxs[i] = _lower_rx(self._patterns[i])
        return rx

    def may_match(self, low: str) -> bool:
        """False only when no pattern can match the lower-cased text."""
        return self.rx is not None and (self.literals is None or any(map(low.__contains__, self.literals)))

    def search(self, text: str) -> bool:
        return self.search_lower(fold_text(text))

    def search_lower(self, low: str) -> bool:
        """`search` on text the caller has already lower-cased."""
        if not self.may_match(low):
            return False
        if not self.parts:  # some pattern has no literal: one pass of the alternation
            return self.rx.search(low) is not None  # type: ignore[union-attr]  # may_match is False without a pattern
        return any(
            (self._rxs[i] or self._part(i)).search(low) is not None
            for lits, i in self.parts
            if any(map(low.__contains__, lits))
        )
