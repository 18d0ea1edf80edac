"""Reading one sentence of a statement's findings: what the pack's cues find in it (polarity,
category, tags, a national-data comparison) and, when the pack has a learned reader, what the
reader decides with the cues' reading among its features; with the reasons either gives.
"""

from __future__ import annotations

import re
from typing import Any

from engine.ingest.cues import Cues, fold_text
from engine.ingest.reader import CueReading, explain, is_reason, sentence_features
from engine.model.case import Metric


def classify(cues: Cues, sentence: str) -> tuple[str | None, str, list[str], Metric | None]:
    """(polarity or None, category, tags, metric) for one sentence."""
    metric = None
    polarity: str | None = None
    low = fold_text(sentence)
    if cues.metric is not None and (m := cues.metric.search(low)):
        wording = m.group(1).lower()
        band = cues.pack.comparison_band.get(wording)
        if band is not None:
            num = re.search(r"(\d+(?:\.\d+)?)%", sentence)
            metric = Metric(
                name="national data comparison", value=float(num.group(1)) if num else wording, comparison=wording
            )
            polarity = "shortfall" if band < 0 else "strength"
    if polarity is None:
        polarity = _polarity(cues, low)
    category = cues.data.default_category
    if metric is not None and cues.data.metric is not None:
        category = cues.data.metric.category
    else:
        for cat, pats in cues.categories:
            if pats.search_lower(low):
                category = cat
                break
    if polarity is None:
        return None, category, [], None
    rule = cues.tag_rule
    tags = [
        t
        for t, pats in cues.tags.items()
        if (polarity == "mixed" or rule[t] in ("any", polarity)) and pats.search_lower(low)
    ]
    return polarity, category, tags, metric


def read_sentence(
    cues: Cues,
    sentence: str,
    cue: tuple[str | None, str, list[str], Metric | None] | None = None,
) -> tuple[str | None, str, list[str], Metric | None, dict[str, Any]]:
    """(polarity or None, category, tags, metric, reading) for one sentence of a statement's
    findings. With a learned reader in the pack, it decides (the cues' reading is among its
    features); without one, the cues do. `reading` says by what and why."""
    polarity, category, tags, metric = cue if cue is not None else classify(cues, sentence)
    tags = list(tags)
    model = cues.reader
    if model is None:
        return (
            polarity,
            category,
            tags,
            metric,
            {"by": "cues", "because": cue_reasons(cues, sentence, polarity, metric)},
        )
    feats = sentence_features(sentence, CueReading(polarity, category, tuple(tags), metric is not None))
    rp = model.score("polarity", feats, cues.reader_bias)
    because = explain("polarity", rp, cues.generic_words)
    by = "cues+reader" if (polarity or "none") == rp.label else "reader"
    if by == "reader" and polarity is not None:
        because.append(f"the cues read {polarity}: " + "; ".join(cue_reasons(cues, sentence, polarity, metric)))
    reading: dict[str, Any] = {"by": by, "because": because, "confidence": round(rp.probability, 3)}
    if rp.label == "none":
        return None, category, [], None, reading
    rc = model.score("category", feats)
    ri = model.score("intensity", feats)
    reading["because"] = because + [
        f"category {rc.label}"
        + (
            f" ({', '.join(names)})"
            if (names := [repr(f) for f, _ in rc.because if is_reason(f, cues.generic_words)][:2])
            else ""
        )
    ]
    reading["intensity"] = int(ri.label)
    pol = rp.label
    rule = cues.tag_rule
    tags = [
        t
        for t, pats in cues.tags.items()
        if (pol == "mixed" or rule[t] in ("any", pol)) and pats.search_lower(fold_text(sentence))
    ]
    emphatic = cues.intensity_tags.get(pol)
    if emphatic and reading["intensity"] == 3 and emphatic not in tags:
        tags.append(emphatic)
    if metric is not None:
        band = cues.pack.comparison_band.get(metric.comparison)
        if band is not None and ((band < 0 and pol == "strength") or (band > 0 and pol == "shortfall")):
            metric = None  # the comparison the cues found is not what the sentence's finding rests on
    return pol, rc.label, tags, metric, reading


def cue_reasons(cues: Cues, sentence: str, polarity: str | None, metric: Metric | None) -> list[str]:
    """The cue wording a sentence holds, as readable text (the cues' own because)."""
    low = fold_text(sentence)
    out = []
    if metric is not None:
        out.append(f"national data comparison {metric.comparison!r}")
    for name, cue_set in (("mixed", cues.mixed), ("shortfall", cues.shortfall), ("strength", cues.strength)):
        if cue_set.rx is not None and cue_set.may_match(low):
            found = [m.group(0).strip() for m in cue_set.rx.finditer(low)][:3]
            if found:
                out.append(f"{name} cue " + ", ".join(repr(f) for f in found))
    return out or [f"read {polarity or 'no finding'} by the cues"]


def _polarity(cues: Cues, sentence: str) -> str | None:
    """Count shortfall and strength cues in a lower-cased sentence; a strength cue just after a
    negation counts as a shortfall."""
    if cues.mixed.search_lower(sentence):
        return "mixed"
    if cues.context.search_lower(sentence):
        return None  # the area or its population, not the council's work
    if cues.neutral_phrase.may_match(sentence):
        sentence = cues.neutral_phrase.rx.sub(" ~ ", sentence)  # type: ignore[union-attr]  # may_match: a pattern exists
    pos = 0
    if cues.any_positive_phrase.search_lower(sentence):
        for p in cues.positive_phrase:
            sentence, n = p.subn(" ~ ", sentence)  # blank them so their words are not read as shortfalls
            pos += n
    neg = 0
    if cues.shortfall.may_match(sentence):
        for m in cues.shortfall.rx.finditer(sentence):  # type: ignore[union-attr]  # may_match: a pattern exists
            if not cues.remedy.search(sentence[max(0, m.start() - 40) : m.start()]):
                neg += 1
    if cues.strength.may_match(sentence):
        for m in cues.strength.rx.finditer(sentence):  # type: ignore[union-attr]  # may_match: a pattern exists
            before = sentence[max(0, m.start() - 60) : m.start()]
            if cues.negation.search(before[-40:]):
                neg += 1
            elif cues.purpose.search(before):
                continue  # "to ensure ... effective": an aim, not a finding
            else:
                pos += 1
    if neg == 0 and cues.intention.search_lower(sentence):
        return None  # an aim or a plan, not a finding
    weighed = neg * cues.data.polarity.shortfall_weight
    if weighed > pos:
        return "shortfall"
    if pos > weighed:
        return "strength"
    return "mixed" if neg else None
