"""Agreement over a corpus: the metrics (against hand-worked values), the runner on pages made
from the bundled reports, and the confidence basis of each derived statement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import CASES, CQC, ROOT, run_cli, run_json

from engine.evaluation import aggregate
from engine.model.pack import load_pack
from engine.reports.agreement import quadratic_kappa, summary

PACK = load_pack(CQC)


def test_kappa_hand_worked():
    # perfect agreement is 1; a constant rater against a varied one is 0 (no better than chance)
    assert quadratic_kappa([(1, 1), (2, 2), (3, 3)], [1, 2, 3, 4]) == 1.0
    assert quadratic_kappa([(2, 3), (3, 3), (4, 3)], [1, 2, 3, 4]) == 0.0
    # two raters on four items: observed weighted disagreement 2/9 against 10/9 expected by chance
    # (weights (i-j)^2/9 over 4 levels): kappa = 1 - (2/9)/(10/9 ... ) worked out below
    pairs = [(1, 1), (2, 3), (3, 2), (4, 4)]
    rows = cols = [1, 1, 1, 1]
    w = [[(i - j) ** 2 / 9 for j in range(4)] for i in range(4)]
    expected = sum(w[i][j] * rows[i] * cols[j] / 4 for i in range(4) for j in range(4))
    observed = (1 / 9) * 2
    assert quadratic_kappa(pairs, [1, 2, 3, 4]) == round(1 - observed / expected, 3)
    assert quadratic_kappa([(3, 3)], [1, 2, 3, 4]) is None


def test_summary_reports_the_baseline_and_counts_nothing_read_as_a_miss():
    s = summary([(3, 3), (3, 2), (2, 2), (3, None)], [1, 2, 3, 4])
    assert (s["exact"], s["within_one"], s["compared"]) == (2, 3, 4)
    assert s["baseline"] == {"grade": 3, "exact": 3, "exact_percent": 75.0}
    assert s["confusion"]["matrix"]["3"]["None"] == 1


def test_agree_over_a_folder_and_index(corpus):
    pages, index = corpus
    obj = run_json("agree", str(pages), "--index", str(index), "--reading", "cues")
    assert obj["framework"] == "cqc-la" and obj["missing"] == ["not-here.txt"]
    got = {p["statement"]: p["derived"] for p in obj["pages"]}
    # each page scores as its statement does in the full report (learning 1, partnerships 1)
    assert got == {"learning": 1, "partnerships": 1}
    assert obj["summary"]["exact"] == 1 and obj["summary"]["compared"] == 2
    assert obj["summary"]["baseline"]["exact"] == 1
    assert all(p["deciding"] and p["items"] > 0 for p in obj["pages"])
    assert obj["index_disagrees_with_page"] == []  # the pages print the scores the index gives


def test_agree_reads_pages_blind_to_their_score_lines(corpus, tmp_path):
    """Deleting the score lines from the pages changes no derived score."""
    pages, index = corpus
    before = run_json("agree", str(pages), "--index", str(index))
    for f in pages.glob("*.txt"):
        lines = [
            ln
            for ln in f.read_text(encoding="utf-8").splitlines()
            if not ln.strip().lower().startswith("score") and "evidence shows" not in ln.lower()
        ]
        f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    after = run_json("agree", str(pages), "--index", str(index))
    assert [p["derived"] for p in before["pages"]] == [p["derived"] for p in after["pages"]]


def test_agree_refuses_a_bad_index(corpus, tmp_path):
    pages, _ = corpus
    bad = tmp_path / "bad.tsv"
    bad.write_text("file\tstatement\tpublished\nblackpool-2025-partnerships-communities.txt\tpartnership\t2\n")
    code, _, err = run_cli("agree", str(pages), "--index", str(bad), "--framework", "cqc-la")
    assert code == 1 and "bad.tsv:2" in err and "not one of the pack's" in err and "Traceback" not in err
    code, _, err = run_cli("agree", str(tmp_path / "nowhere"), "--index", str(bad))
    assert code == 2 and "no such folder" in err


def test_edges_follow_the_pack_reading():
    step = PACK.core.aggregation.category_to_statement
    assert aggregate.edges(step) == [38.5, 62.5, 87.5]
    truncating = step.model_copy(update={"choose": "truncate"})
    assert aggregate.edges(truncating) == [39, 63, 88]
    assert aggregate.to_edge(step, 50.0) == 11.5 and aggregate.to_edge(step, 37.5) == 1.0
    assert aggregate.to_edge(step, None) is None


def test_every_statement_says_what_its_score_rests_on():
    [obj] = run_json("derive", str(CASES / "blackpool-2025.yaml"))
    for st in obj["statements"]:
        assert st["basis"]["items"] > 0 and st["basis"]["to_edge"] is not None and st["basis"]["uncued"] == 0
    learning = next(s for s in obj["statements"] if s["id"] == "learning")
    assert learning["percent"] == 37.5 and learning["basis"]["to_edge"] == 1.0
    code, out, _ = run_cli("explain", str(CASES / "blackpool-2025.yaml"), "--statement", "learning")
    assert "basis: rests on 29 evidence item(s); 1 point(s) from a band edge (close" in out


def test_a_statement_with_no_readable_evidence_says_so(tmp_path):
    code, _, err = run_cli(
        "extract",
        str(ROOT / "tests" / "data" / "reports" / "blackpool-2025-learning-improvement-innovation.txt"),
        "-o",
        str(tmp_path / "page.yaml"),
    )
    assert code == 0, err
    [obj] = run_json("derive", str(tmp_path / "page.yaml"))
    other = next(s for s in obj["statements"] if s["id"] == "equity")
    assert other["assessed"] is False and other["basis"] == {"items": 0, "to_edge": None, "uncued": 0}
    code, out, _ = run_cli("derive", str(tmp_path / "page.yaml"))
    assert "none read" in out
    code, out, _ = run_cli("explain", str(tmp_path / "page.yaml"), "--statement", "equity")
    assert "no readable evidence for this statement" in out
    json.dumps(obj)  # the shape stays plain JSON


def test_a_statement_whose_findings_no_cue_reads_rests_on_its_descriptive_sentences_and_says_so(tmp_path):
    """Findings that only describe practice (no strength or shortfall cue anywhere in the
    statement) are read as the pack's `descriptive` cue says, each item tagged so, and the
    basis counts them apart; aims and the area's context are still not evidence. A statement
    with one cue-read item keeps only that item."""
    head = (
        "Assessing needs\n\nWhat people expect\n\nI have care and support that is coordinated.\n\n"
        "Key findings for this quality statement\n\n"
    )
    described = (
        "The council ran a single front door for adult social care with a duty team of social workers. "
        "People could contact the team by telephone, online or through their GP practice. "
        "The service aimed to triage every referral on the day it arrived. "
        "The borough has high levels of deprivation in its coastal wards.\n"
    )
    (tmp_path / "described.txt").write_text(head + described)
    (tmp_path / "one-cue.txt").write_text(head + described + "Staff told us waiting lists were a concern.\n")
    for name in ("described", "one-cue"):
        code, _, err = run_cli(
            "extract",
            str(tmp_path / f"{name}.txt"),
            "--framework",
            "cqc-la",
            "--reading",
            "cues",
            "-o",
            str(tmp_path / f"{name}.yaml"),
        )
        assert code == 0, err
    case = yaml.safe_load((tmp_path / "described.yaml").read_text())
    assert [(i["polarity"], i["tags"]) for i in case["items"]] == [("strength", ["no_cue"])] * 2
    [obj] = run_json("derive", str(tmp_path / "described.yaml"))
    st = next(s for s in obj["statements"] if s["id"] == "assessing_needs")
    assert st["derived"] == 3 and st["basis"]["uncued"] == st["basis"]["items"] == 2
    code, out, _ = run_cli("explain", str(tmp_path / "described.yaml"), "--statement", "assessing_needs")
    assert "2 of them read without a strength or shortfall cue" in out and "(firm)" not in out
    case = yaml.safe_load((tmp_path / "one-cue.yaml").read_text())
    assert [(i["polarity"], i.get("tags", [])) for i in case["items"]] == [("shortfall", ["delays"])]
    # a statement met twice (say in a summary, then in its own section): one cue-read item in
    # either section is the statement's evidence, and every id stays unique
    (tmp_path / "twice.txt").write_text(
        head + described + "Safeguarding\n\nKey findings for this quality statement\n\n"
        "Staff told us the safeguarding team was effective and responsive.\n"
        + head
        + "Staff told us waiting lists were a concern.\n"
    )
    code, _, err = run_cli(
        "extract",
        str(tmp_path / "twice.txt"),
        "--framework",
        "cqc-la",
        "--reading",
        "cues",
        "-o",
        str(tmp_path / "twice.yaml"),
    )
    assert code == 0, err
    items = yaml.safe_load((tmp_path / "twice.yaml").read_text())["items"]
    assert [(i["statement"], i["polarity"]) for i in items] == [
        ("safeguarding", "strength"),
        ("assessing_needs", "shortfall"),
    ]
    assert len({i["id"] for i in items}) == len(items)


@pytest.fixture()
def statement_pages(tmp_path: Path) -> tuple[Path, Path]:
    """A small corpus of two 'councils': each statement section of the two full reports saved
    as a page of its own (heading, boxes and findings), indexed with its published score."""
    from engine.ingest.extract import load_cues, read_published, sections

    cues = load_cues(PACK)
    pages = tmp_path / "pages"
    pages.mkdir()
    lines_out = ["file\tcouncil\tstatement\tpublished"]
    for council, report in (
        ("A", "blackpool-2025-cqc-la-assessment.txt"),
        ("B", "lincolnshire-2023-cqc-la-pilot-assessment.txt"),
    ):
        lines = (CASES / "sources" / report).read_text(encoding="utf-8").splitlines()
        published = read_published(cues, lines, sections(cues, lines)).scores
        longest = {}
        for sec in sections(cues, lines):  # a statement may be named in a summary too: keep its own section
            if sec.end - sec.start > getattr(longest.get(sec.statement), "size", 0):
                longest[sec.statement] = type("S", (), {"size": sec.end - sec.start, "sec": sec})
        for sid in sorted(longest):
            sec = longest[sid].sec
            name = f"{council}--{sec.statement}.txt"
            (pages / name).write_text("\n".join([lines[0], *lines[sec.start : sec.end]]) + "\n", encoding="utf-8")
            lines_out.append(f"{name}\t{council}\t{sec.statement}\t{published[sec.statement]}")
    index = tmp_path / "index.tsv"
    index.write_text("\n".join(lines_out) + "\n")
    return pages, index


def test_calibrate_fits_the_declared_numbers_with_leave_one_council_out(statement_pages, tmp_path):
    pages, index = statement_pages
    out = tmp_path / "override.yaml"
    obj = run_json("calibrate", str(CQC), "--pages", str(pages), "--index", str(index), "-o", str(out))
    grid_size = 1
    for p in PACK.core.calibration.parameters:
        grid_size *= len(p.values)
    assert obj["combinations"] == grid_size and obj["pages"] == 18 and obj["councils"] == 2
    assert set(obj["chosen"]) == {p.id for p in PACK.core.calibration.parameters}
    loco = obj["leave_one_council_out"]
    assert loco["compared"] == 18 and sum(h["pages"] for h in loco["held_out"]) == 18
    # the held-out figure never beats the in-sample one: each group is predicted by a choice made without it
    assert loco["exact"] <= obj["in_sample"]["exact"]
    assert obj["current"] is not None  # the pack's own values are on its grid
    # the override is the ordinary rule-override format, taken by agree (and whatif)
    text = out.read_text()
    assert "leave-one-council-out exact" in text and "schema=" in text.splitlines()[0]
    after = run_json("agree", str(pages), "--index", str(index), "--rules-override", str(out))
    assert after["summary"]["exact"] == obj["in_sample"]["exact"]
    code, _, err = run_cli("whatif", str(CASES), "--rules-override", str(out))
    assert code == 0, err


def test_agree_counts_the_pages_read_from_findings_no_cue_reads(statement_pages):
    """A page whose findings only describe practice is scored from them, and agree says how many
    pages rest on such a reading and how many of those agree, apart from the rest."""
    pages, index = statement_pages
    (pages / "C--assessing_needs.txt").write_text(
        "Assessing needs\n\nKey findings for this quality statement\n\n"
        "The council ran a single front door for adult social care with a duty team of social workers. "
        "People could contact the team by telephone, online or through their GP practice.\n"
    )
    index.write_text(index.read_text() + "C--assessing_needs.txt\tC\tassessing_needs\t3\n")
    obj = run_json("agree", str(pages), "--index", str(index), "--reading", "cues")
    [page] = [p for p in obj["pages"] if p["file"] == "C--assessing_needs.txt"]
    assert page["derived"] == 3 and page["uncued"] == page["items"] == 2
    assert all(p["uncued"] == 0 for p in obj["pages"] if p is not page)
    code, out, _ = run_cli("agree", str(pages), "--index", str(index), "--reading", "cues")
    assert code == 0 and "1 page(s) read from findings no cue reads" in out and "1 of them exact" in out


def test_calibrate_is_deterministic_and_refuses_to_overwrite(statement_pages, tmp_path):
    pages, index = statement_pages
    a = run_json("calibrate", str(CQC), "--pages", str(pages), "--index", str(index))
    b = run_json("calibrate", str(CQC), "--pages", str(pages), "--index", str(index))
    assert a["chosen"] == b["chosen"] and a["leave_one_council_out"] == b["leave_one_council_out"]
    out = tmp_path / "keep.yaml"
    out.write_text("keep")
    code, _, err = run_cli("calibrate", str(CQC), "--pages", str(pages), "--index", str(index), "-o", str(out))
    assert code == 2 and "not overwritten" in err and out.read_text() == "keep"


def test_a_tie_keeps_the_values_the_pack_holds():
    from engine.authoring.calibrate import choose

    pages = [{"published": 3, "derived": 3, "council": "A"}, {"published": 2, "derived": 3, "council": "A"}]
    same = [dict(p) for p in pages]
    assert choose([pages, same], lambda p: True, [1, 2, 3, 4], kept=[0, 2]) == 1
    assert choose([pages, same], lambda p: True, [1, 2, 3, 4], kept=None) == 0
    # a partial tie: the combination keeping more of the pack's values wins
    assert choose([pages, same, [dict(p) for p in pages]], lambda p: True, [1, 2, 3, 4], kept=[1, 0, 1]) == 0
    assert choose([pages, same, [dict(p) for p in pages]], lambda p: True, [1, 2, 3, 4], kept=[0, 1, 0]) == 1


def test_the_pack_records_where_its_fitted_numbers_came_from():
    fitted = PACK.core.calibration.fitted
    assert {"corpus", "date", "pages", "councils", "values", "in_sample", "leave_one_council_out", "baseline"} <= set(
        fitted
    )
    from engine.analysis.override import get_path
    from engine.base.yamlio import load_yaml

    for p in PACK.core.calibration.parameters:  # the values in force are the ones the record names
        held = get_path(load_yaml(CQC / p.file).data, p.path)
        value = fitted["values"][p.id]
        assert held == (p.template.format(value=value) if p.template else value)


STRENGTH = "The duty team responded to every referral in a timely and effective way."
SHORTFALL = "People waited too long for their care needs to be assessed."


@pytest.mark.parametrize("planted", [0.15, 0.2])
def test_calibrate_recovers_a_threshold_planted_in_generated_pages(tmp_path: Path, planted: float):
    """Generated pages (strengths and shortfalls in known shares, three 'councils') labelled by
    the pack's own reading with one threshold set to a planted value: the fit finds that value,
    agrees on every page in-sample and left-one-council-out, and keeps the held value of the
    number the pages cannot tell apart (no sentence holds both kinds of cue)."""
    from engine.authoring.calibrate import calibrate, changes_for, variant
    from engine.authoring.corpus import read_index, read_pages, score_pages
    from engine.ingest.cues import load_cues

    pages = tmp_path / "pages"
    pages.mkdir()
    # (items, shortfalls): shares 0.33, 0.25, 0.5, 0.4, 0, 0.33, 0.6, 0.67, 0.1, 0.17
    mixes = [(3, 1), (4, 1), (2, 1), (5, 2), (3, 0), (6, 2), (5, 3), (3, 2), (10, 1), (6, 1)]
    rows = ["file\tcouncil\tstatement\tpublished"]
    for council in "ABC":
        for k, (n, bad) in enumerate(mixes):
            name = f"{council}-{k}.txt"
            findings = [SHORTFALL] * bad + [STRENGTH] * (n - bad)
            (pages / name).write_text(
                "Assessing needs\n\nKey findings for this quality statement\n\n" + "\n".join(findings) + "\n"
            )
            rows.append(f"{name}\t{council}\tassessing_needs\t3")
    index = tmp_path / "index.tsv"
    index.write_text("\n".join(rows) + "\n")
    held = dict(PACK.core.calibration.fitted["values"])
    var_pack, var_cues = variant(PACK, changes_for(PACK, {**held, "opening_shortfalls_share": planted}), load_cues)
    read, _ = read_pages(var_pack, var_cues, pages, read_index(index, PACK))
    labels = {p["file"]: p["derived"] for p in score_pages(var_pack, read)}
    assert set(labels.values()) == {2, 3}  # the pages tell the values apart
    index.write_text("\n".join(rows[:1] + [r[:-1] + str(labels[r.split("\t")[0]]) for r in rows[1:]]) + "\n")

    result = calibrate(PACK, read_index(index, PACK), pages, "generated")
    assert result["chosen"]["opening_shortfalls_share"] == planted
    assert result["chosen"]["shortfall_bias"] == held["shortfall_bias"]  # these sentences read the same at every bias
    assert result["in_sample"]["exact"] == result["leave_one_council_out"]["exact"] == 3 * len(mixes)
    assert [h["chosen"]["opening_shortfalls_share"] for h in result["leave_one_council_out"]["held_out"]] == [
        planted
    ] * 3
