"""The review-request brief: deadline, checks, sensitivity, draft within the limit, escaped HTML
that a real browser renders."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from conftest import CASES, CQC, ROOT, chromium, run_cli, run_json

from engine.analysis.review import draft, words, working_days_after
from engine.model.pack import load_pack
from engine.render.brief import html, markdown

BLACKPOOL = CASES / "blackpool-2025.yaml"


@pytest.fixture(scope="module")
def brief_json(tmp_path_factory):
    out = tmp_path_factory.mktemp("brief") / "brief.html"
    code, text, err = run_cli("review", str(BLACKPOOL), "-o", str(out), "--format", "json")
    assert code == 0, err
    return json.loads(text), out


def test_blackpool_deadline_is_28_august_2025(brief_json):
    obj, _ = brief_json
    assert set(obj) == {"case", "deadline", "draft", "checks", "sensitivity", "changes", "coverage"}
    assert obj["deadline"] == "2025-08-28"


def test_working_days_skip_weekends_and_bank_holidays():
    assert working_days_after(dt.date(2025, 8, 6), 15, "GB", "ENG") == dt.date(2025, 8, 28)
    # without the 25 August bank holiday the count would end a day earlier
    assert working_days_after(dt.date(2025, 8, 6), 14, "GB", "ENG") == dt.date(2025, 8, 27)
    assert working_days_after(dt.date(2025, 12, 23), 3, "GB", "ENG") == dt.date(2025, 12, 30)


def test_checks_and_sensitivity(brief_json):
    obj, _ = brief_json
    ids = {c["id"] for c in obj["checks"]}
    assert {"overall_follows_from_scores", "statement_supported_by_evidence"} <= ids
    overall = next(c for c in obj["checks"] if c["id"] == "overall_follows_from_scores")
    assert overall["status"] == "pass" and not overall["process_ground"]
    supported = [c for c in obj["checks"] if c["id"] == "statement_supported_by_evidence"]
    assert len(supported) == 9 and all(c["deciding"] and c["deciding"][0]["quotes"] for c in supported)
    equity = next(c for c in supported if c["statement"] == "equity")
    assert [d["category"] for d in equity["deciding"] if not d["counted"]] == ["outcomes"]  # one item: not counted
    levels = {(s["level"], s["target"]) for s in obj["sensitivity"]}
    assert ("overall", "requires_improvement") in levels and ("learning", 2) in levels
    up = next(s for s in obj["sensitivity"] if s["level"] == "overall")
    assert up["minimal_changes"] == 2


def test_draft_is_counted_and_within_the_limit(brief_json):
    obj, _ = brief_json
    d = obj["draft"]
    assert d["words"] == words(d["text"]) <= 500
    assert "no departure" in d["text"]  # Blackpool: no process ground found, and the draft says so


def test_draft_limit_is_enforced():
    from engine.model.case import Case, LoadedCase, Published

    pack = load_pack(CQC)
    lc = LoadedCase(
        Path("x.yaml"),
        Case(
            case="x",
            council="X Council",
            framework="cqc-la",
            sources=["s"],
            published=Published(rating="good", date="2025-01-01"),
        ),
    )
    grounds = [{"process_ground": True, "detail": "word " * 120} for _ in range(8)]
    d = draft(pack, lc, grounds)
    assert d["words"] <= 500 and d["grounds"] == 8
    assert d["text"].startswith("On behalf of X Council, we request a review")


def test_html_escapes_report_text(brief_json):
    obj, _ = brief_json
    fake = json.loads(json.dumps(obj))
    sample = {
        "case": "c",
        "council": "<b>Evil & Co</b>",
        "framework": "f",
        "published": {"date": "2025-01-01", "rating": "x"},
        "deadline": "2025-01-22",
        "deadline_rule": "r",
        "ground": "g",
        "not_grounds": ["n"],
        "who": "w",
        "bands": [],
        "next_rating": None,
        "max_changes": 3,
        "draft": fake["draft"],
        "sensitivity": [],
        "checks": [
            {
                "id": "statement_supported_by_evidence",
                "statement": "s",
                "status": "pass",
                "process_ground": False,
                "detail": "d",
                "deciding": [
                    {
                        "category": "c",
                        "score": 1,
                        "row": "r",
                        "reason": "x",
                        "quotes": [{"quote": "<script>alert(1)</script>", "file": "f", "line": 1}],
                    }
                ],
            }
        ],
        "derive": {"statements": [], "overall": {"percent": None}},
    }
    page = html(sample)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Evil &amp; Co&lt;/b&gt;" in page
    md = markdown(sample)
    assert "<script>" not in md and "“&lt;script&gt;alert(1)&lt;/script&gt;” (f:1)" in md


def test_existing_output_is_not_overwritten(tmp_path):
    out = tmp_path / "b.md"
    out.write_text("keep me")
    code, _, err = run_cli("review", str(BLACKPOOL), "-o", str(out))
    assert code == 2 and "not overwritten" in err and out.read_text() == "keep me"
    code, _, err = run_cli("review", str(BLACKPOOL), "-o", str(tmp_path / "b.pdf"))
    assert code == 2 and ".md or .html" in err


def test_html_renders_in_a_real_browser(brief_json, tmp_path):
    """CI installs Debian's chromium (.ci/run); on a machine without it this test says so."""
    browser = chromium(tmp_path / "profile")
    _, page = brief_json
    dom = subprocess.run([*browser, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert "Review brief: Blackpool Council" in dom.stdout
    assert "<svg" in dom.stdout and "Deadline: Thursday 28 August 2025" in dom.stdout
    shot = tmp_path / "brief.png"
    subprocess.run(
        [*browser, "--window-size=1100,1400", f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a blank page is far smaller


def test_the_brief_states_its_deadline_as_a_person_reads_it(brief_json, tmp_path):
    """Markdown and HTML say "Thursday 28 August 2025"; JSON keeps the ISO date."""
    obj, html_out = brief_json
    assert obj["deadline"] == "2025-08-28"
    assert "Deadline: Thursday 28 August 2025" in html_out.read_text()
    md = tmp_path / "brief.md"
    code, _, err = run_cli("review", str(BLACKPOOL), "-o", str(md), "--format", "json")
    assert code == 0, err
    assert "**Deadline: Thursday 28 August 2025**" in md.read_text()


def test_review_with_a_scenario_states_its_changes_and_marks_the_draft(tmp_path):
    out = tmp_path / "brief.md"
    code, _, err = run_cli(
        "review",
        "cases/blackpool-2025.yaml",
        "--scenario",
        "cases/scenarios/learning-people-heard.yaml",
        "-o",
        str(out),
    )
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "These scores rest on 2 hypothetical change(s)" in text and "## Hypothetical changes" in text
    assert "[NOT FOR SUBMISSION: drafted from the evidence with 2 hypothetical change(s)" in text
    got = run_json("review", "cases/blackpool-2025.yaml", "--scenario", "cases/scenarios/learning-people-heard.yaml")
    assert got["draft"]["hypothetical"] is True and [c["item"] for c in got["changes"]] == ["le10", "le11"]


def test_a_brief_of_a_case_covering_some_statements_says_its_overall_is_no_rating(tmp_path):
    page = ROOT / "tests" / "data" / "reports" / "blackpool-2025-learning-improvement-innovation.txt"
    code, _, err = run_cli("extract", str(page), "-o", str(tmp_path / "page.yaml"))
    assert code == 0, err
    got = run_json("review", str(tmp_path / "page.yaml"))
    assert got["coverage"]["assessed"] == 1 and len(got["coverage"]["missing"]) == 8
    code, _, err = run_cli("review", str(tmp_path / "page.yaml"), "-o", str(tmp_path / "b.md"))
    assert "This case covers 1 of 9 statements: its overall result is not a rating of the council" in (
        tmp_path / "b.md"
    ).read_text(encoding="utf-8")


def test_the_brief_names_statements_categories_and_ratings(tmp_path):
    """What a person reads in the brief uses the framework's names: the ids stay in the JSON,
    and a rule's id only in brackets after its reason."""
    import re

    pack = load_pack(CQC)
    out = tmp_path / "brief.md"
    assert run_cli("review", str(BLACKPOOL), "-o", str(out))[0] == 0
    text = out.read_text(encoding="utf-8")
    read = [ln for ln in text.splitlines() if ln.startswith(("|", "- **"))]
    read = [re.sub(r"`[^`]*`", "", ln) for ln in read]  # a rule's id, in code, after its reason
    ids = [i for i in (*pack.statement_ids, *pack.category_ids, *(r.id for r in pack.core.ratings)) if "_" in i]
    assert len(ids) >= 6  # the ids that are no English word ("outcomes" is both)
    leaks = [(i, ln[:80]) for ln in read for i in ids if re.search(rf"\b{i}\b", ln)]
    assert not leaks, leaks[:5]
    assert "| Learning, improvement and innovation | 1 | 2 |" in text
    assert "- **Learning, improvement and innovation · People's experience = 1**" in text
    assert "| Overall rating | Inadequate | Requires improvement |" in text
