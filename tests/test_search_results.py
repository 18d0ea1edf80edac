"""The searches, reviews and lint of the bundled cases give exactly what they gave before
they were made fast (issue 14): the same minimal sizes, set counts, sets in order, bounds,
review sensitivities and lint findings, for Blackpool, Lincolnshire and the Ofsted case."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, run_json

RECORDED = json.loads((ROOT / "tests" / "data" / "search-results.json").read_text(encoding="utf-8"))


def _summary(argv: list[str], got: dict) -> dict:
    if argv[0] == "counterfactual":
        return {
            "minimal_size": got["minimal_size"],
            "sets_total": got["sets_total"],
            "statements_touched": got["statements_touched"],
            "sets": [s["changes"] for s in got["sets"]],
            "bound": got.get("bound"),
        }
    if argv[0] == "review":
        keys = ("level", "current", "target", "minimal_changes", "sets", "example")
        return {"sensitivity": [{k: e[k] for k in keys} for e in got["sensitivity"]]}
    return got


@pytest.mark.parametrize("entry", RECORDED["commands"], ids=lambda e: " ".join(e["argv"][:2] + e["argv"][3:4]))
def test_the_same_results_as_before_the_speed_ups(entry):
    assert _summary(entry["argv"], run_json(*entry["argv"])) == entry["expected"]
