"""Consistency of judgement across a corpus: every published score ranked by how little its own
report's evidence supports it (`rederive consistency --reports ... --index ...`)."""

from __future__ import annotations

import csv
import io

from conftest import ROOT, run_cli, run_json

from engine.ingest.readers import read_report

OFSTED = ROOT.parent / "shared" / "ofsted-ilacs"
FOUR = [
    OFSTED / "reports" / f
    for f in (
        "barnsley-2018-11-19.pdf",
        "barnsley-2023-10-27.pdf",
        "barking-and-dagenham-2019-04-01.pdf",
        "barking-and-dagenham-2023-09-04.pdf",
    )
]


def test_published_scores_ranked_from_least_supported_with_findings_checked_at_their_lines():
    obj = run_json("consistency", "--reports", *map(str, FOUR), "--index", str(OFSTED / "inspections.csv"))
    scores = obj["scores"]
    assert obj["framework"] == "ofsted-ilacs" and obj["reports"] == 4 and obj["councils"] == 2
    assert {s["file"] for s in scores} == {p.name for p in FOUR}  # only the reports named
    assert len(scores) >= 14  # four judgements each, care leavers from 2023 on
    probs = [s["probability_of_published"] for s in scores]
    assert probs == sorted(probs) and [s["rank"] for s in scores] == list(range(1, len(scores) + 1))
    for s in scores:
        assert 0 < s["probability_of_published"] < 1
        assert abs(sum(s["distribution"].values()) - 1) < 1e-3
        assert s["probability_of_published"] == s["distribution"][str(s["published"])]
        assert s["engine_right"]["of"] > 0 and s["apart"] == s["derived"] - s["published"]
        # the findings pull the way the derived score leans from the published one
        want = {-1: "shortfall", 1: "strength"}.get((s["apart"] > 0) - (s["apart"] < 0))
        assert s["findings"] and all(want is None or f["polarity"] in (want, "mixed") for f in s["findings"])
        lines = read_report(OFSTED / "reports" / s["file"]).text.splitlines()
        # derived otherwise: the fewest sentences that would have to read otherwise, each at its line
        assert ("would_read_otherwise" in s) == (s["derived"] != s["published"])
        other = s.get("would_read_otherwise") or {"changes": None, "sentences": []}
        assert other["changes"] is None or len(other["sentences"]) == other["changes"] >= 1
        for f in [*s["findings"], *(x for x in other["sentences"] if "quote" in x)]:
            assert " ".join(f["quote"].split()) in " ".join(lines[f["line"] - 1].split())
    # the levels of support count every score, and how many of them the engine derived as published
    assert sum(lv["scores"] for lv in obj["support_levels"]) == len(scores)
    assert sum(lv["derived_as_published"] for lv in obj["support_levels"]) == sum(
        s["derived"] == s["published"] for s in scores
    )
    assert "not an error of the inspectorate" in obj["note"]
    assert any(s.get("would_read_otherwise", {}).get("changes") for s in scores)


def test_support_reads_back_from_csv_and_prints_a_table():
    args = ["consistency", "--reports", *map(str, FOUR[:2]), "--index", str(OFSTED / "inspections.csv")]
    code, out, _ = run_cli(*args, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    obj = run_json(*args)
    assert code == 0 and [r["statement"] for r in rows] == [s["statement"] for s in obj["scores"]]
    assert [float(r["probability_of_published"]) for r in rows] == [
        s["probability_of_published"] for s in obj["scores"]
    ]
    code, out, _ = run_cli(*args)
    flat = " ".join(out.split())
    assert code == 0 and "least supported" in flat and "not an error of the inspectorate" in flat


def test_support_refuses_what_it_cannot_do():
    index = str(OFSTED / "inspections.csv")
    code, _, err = run_cli("consistency", "--reports", str(FOUR[0]))
    assert code == 2 and "--index" in err and "Traceback" not in err
    code, _, err = run_cli("consistency", "--reports", str(FOUR[0]), "--index", index, "--ratings", index)
    assert code == 2 and "either --ratings" in err
    code, _, err = run_cli("consistency", "--reports", str(OFSTED / "nowhere.pdf"), "--index", index)
    assert code == 2 and "no such report" in err
