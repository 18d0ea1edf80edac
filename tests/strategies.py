"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from conftest import CQC
from hypothesis import strategies as st

from engine.model.case import Item, Metric, SourceRef
from engine.model.pack import load_pack

PACK = load_pack(CQC)
SRC = SourceRef(file="r.txt", line=1)
BANDS = {c.id: c.band for c in PACK.core.comparisons.bands}


@st.composite
def items(draw, polarity=None, statement=None, category=None, ident=None):
    pol = polarity or draw(st.sampled_from(["strength", "shortfall", "mixed"]))
    allowed = [t.id for t in PACK.core.tags if t.applies_to in ("any", pol) or pol == "mixed"]
    tags = draw(st.lists(st.sampled_from(allowed), max_size=2, unique=True))
    metric = None
    if draw(st.booleans()):
        ok = [c for c, b in BANDS.items() if (pol != "strength" or b >= 0) and (pol != "shortfall" or b <= 0)]
        metric = Metric(name="m", value=1, comparison=draw(st.sampled_from(ok)))
    return Item(
        id=ident or f"x{draw(st.integers(0, 10**9))}",
        statement=statement or draw(st.sampled_from(PACK.statement_ids)),
        category=category or draw(st.sampled_from(PACK.category_ids)),
        polarity=pol,
        tags=tags,
        metric=metric,
        quote="q",
        source=SRC,
    )


def _unique(xs):
    seen, out = set(), []
    for x in xs:
        if x.id not in seen:
            seen.add(x.id)
            out.append(x)
    return out
