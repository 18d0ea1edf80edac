"""Hostile saved web pages: every reader takes time linear in its input (or refuses the page
at once), and a page that yields no evidence is refused, never written as an empty case.

Time bounds are ratios to reading Blackpool's whole report in the same run, per byte: a
hostile page may cost no more per byte than a few times what a real report costs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from engine.base.errors import LoadError
from engine.ingest.readers import MAX_NESTING, nesting, read_report

HEAD = "<html><body><main><h1>A Council: local authority assessment</h1><h2>Learning, improvement and innovation</h2>"
FINDING = (
    "<p>The local authority did not have effective arrangements to learn from feedback. "
    "Staff told us there were long delays in reviews of people's care.</p>"
)
TAIL = "</main></body></html>"
BLACKPOOL = ROOT / "cases" / "sources" / "blackpool-2025-cqc-la-assessment.txt"


def _page(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.html"
    path.write_text(HEAD + body + TAIL, encoding="utf-8")
    return path


def _seconds(fn) -> float:
    best = float("inf")
    for _ in range(2):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


@pytest.fixture(scope="module")
def per_byte() -> float:
    """Seconds per byte to read and extract Blackpool's whole report (the reference)."""
    from engine.ingest.extract import extract
    from engine.ingest.writing import reading_cues
    from engine.model.locate import Packs

    pack = Packs(ROOT / "rules").get("cqc-la")
    cues = reading_cues(pack, "cues")

    def job():
        extract(pack, BLACKPOOL, BLACKPOOL.name, cues, read_report(BLACKPOOL).text)

    return _seconds(job) / BLACKPOOL.stat().st_size


def test_nesting_is_measured_in_one_pass_past_comments_and_scripts():
    assert nesting("<div><p>a<br><img src='>'><div/></div>") == (1, 1)
    assert nesting("<div><script>if (a<b) {'<div><div><div>'}</script><!-- <div><div> --></div>")[0] == 1
    assert nesting("\n\n<section><div><span>x</span></div></section>") == (3, 3)
    assert nesting("</div>" * 5 + "<div>" * 4)[0] == 4  # stray end tags do not hide what follows


@pytest.mark.parametrize("depth", [5_000, 200_000])
def test_deep_nesting_is_refused_in_linear_time(tmp_path, per_byte, depth):
    page = _page(tmp_path, f"deep{depth}", "<div>" * depth + FINDING + "</div>" * depth)
    took = _seconds(lambda: pytest.raises(LoadError, read_report, page))
    with pytest.raises(LoadError) as exc:
        read_report(page)
    assert f"{depth + 3:,} deep" in str(exc.value) and f"deeper than {MAX_NESTING}" in str(exc.value)
    assert took / page.stat().st_size < 5 * per_byte, (took, page.stat().st_size * per_byte)


def test_findings_hidden_deep_under_a_found_heading_write_no_case(tmp_path):
    """The page that once gave a case of 0 items and exit 0: refused, and nothing written."""
    page = _page(tmp_path, "hidden", "<div>" * 5_000 + FINDING + "</div>" * 5_000)
    out = tmp_path / "out"
    code, _, err = run_cli("extract", str(page), "-o", str(out / "case.yaml"), "--framework", "cqc-la")
    assert code == 1 and "5,003 deep" in err and "Traceback" not in err
    assert not out.exists()


def test_the_same_findings_nested_within_the_limit_are_read(tmp_path):
    page = _page(tmp_path, "nested", "<div>" * 400 + FINDING + "</div>" * 400)
    code, out, err = run_cli(
        "extract", str(page), "-o", str(tmp_path / "case.yaml"), "--framework", "cqc-la", "--format", "json"
    )
    assert code == 0, err
    assert '"items": 2' in out


def test_a_million_tiny_elements_read_in_linear_time(tmp_path, per_byte):
    page = _page(tmp_path, "tiny", "<span>a</span>" * 1_000_000 + FINDING)
    took = _seconds(lambda: read_report(page))
    assert "long delays" in read_report(page).text
    assert took / page.stat().st_size < 5 * per_byte, (took, page.stat().st_size * per_byte)


def test_one_huge_line_is_read_in_linear_time_and_not_taken_as_a_sentence(tmp_path, per_byte):
    page = _page(tmp_path, "line", "<p>" + "word " * 2_000_000 + "</p>" + FINDING)
    took = _seconds(lambda: read_report(page))
    assert took / page.stat().st_size < 5 * per_byte, (took, page.stat().st_size * per_byte)
    case = tmp_path / "case.yaml"
    code, _, err = run_cli("extract", str(page), "-o", str(case), "--framework", "cqc-la")
    assert code == 0, err
    assert case.stat().st_size < 100_000  # the run of words is not kept as a sentence


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("<h1>Adult social care</h1><p>Find out how we inspect.</p>", "no findings found"),
        (
            "<h2>Learning, improvement and innovation</h2><p>This page describes how we assess this statement.</p>",
            "no evidence read from menu.html",
        ),
    ],
)
def test_a_page_with_no_evidence_is_refused_with_its_reason(tmp_path, body, reason):
    page = tmp_path / "menu.html"
    page.write_text(f"<html><body><main>{body}</main></body></html>")
    out = tmp_path / "out"
    code, _, err = run_cli("extract", str(page), "-o", str(out / "case.yaml"), "--framework", "cqc-la")
    assert code == 1 and reason in err, err
    assert not out.exists()
