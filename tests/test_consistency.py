"""Consistency across all published councils: the margin to the next rating (exact, checked
against brute force), the JSON shape, the table's summary line, and the chart a real browser
draws."""

from __future__ import annotations

import csv
import itertools
import re
import subprocess
from pathlib import Path

from conftest import CQC, RATINGS, chromium, run_cli, run_json
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.evaluation import aggregate
from engine.model.pack import load_pack
from engine.reports.compare import to_next

PACK = load_pack(CQC)


def _council(obj: dict, name: str) -> dict:
    return next(c for c in obj["councils"] if c["council"] == name)


def test_margins_of_blackpool_and_york():
    obj = run_json("consistency", "--ratings", str(RATINGS))
    blackpool, york = _council(obj, "Blackpool Council"), _council(obj, "City of York Council")
    assert blackpool["to_next"] == {"up": {"rating": "requires_improvement", "points": 2}, "down": None}
    assert york["to_next"]["down"] == {"rating": "inadequate", "points": 1}
    assert york["sum"] == 14 and york["out_of"] == 36 and york["published"] == "requires_improvement"


def test_json_shape_keeps_the_old_keys_and_adds_the_councils():
    obj = run_json("consistency", "--ratings", str(RATINGS))
    assert {"total", "agree", "ambiguous", "exceptions", "councils"} <= set(obj)
    keys = {"council", "line", "sum", "out_of", "assessed", "percent", "published", "derived", "readings", "to_next"}
    for c in obj["councils"]:
        assert keys <= set(c)
        for m in c["to_next"].values():
            assert m is None or (set(m) == {"rating", "points"} and m["points"] >= 1)
    # the best rating has nowhere up to go, the worst nowhere down
    ids = [r.id for r in PACK.core.ratings]
    assert all(c["to_next"]["up"] is None for c in obj["councils"] if c["derived"] == ids[-1])
    assert all(c["to_next"]["down"] is None for c in obj["councils"] if c["derived"] == ids[0])
    near = sum(any(m and m["points"] == 1 for m in c["to_next"].values()) for c in obj["councils"])
    assert obj["within_one_point"] == near > 0


def _rating(scores: tuple[int, ...]) -> str | None:
    return aggregate.apply(PACK.core.aggregation.statements_to_overall, list(scores), 4).value


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4))
def test_margin_is_the_least_change_by_brute_force(scores):
    """Against every score vector of the same statements: the least L1 distance to a better
    (worse) rating is the margin up (down), and that rating is the nearest one reached."""
    order = [r.id for r in PACK.core.ratings]
    now = order.index(_rating(tuple(scores)))
    best: dict[str, tuple[int, int] | None] = {"up": None, "down": None}
    for other in itertools.product(range(1, 5), repeat=len(scores)):
        r = order.index(_rating(other))
        d = sum(abs(a - b) for a, b in zip(scores, other, strict=True))
        for direction, ok in (("up", r > now), ("down", r < now)):
            if ok and (best[direction] is None or (d, abs(r - now)) < best[direction]):
                best[direction] = (d, abs(r - now))
    got = to_next(PACK, scores)
    for direction, sign in (("up", 1), ("down", -1)):
        if best[direction] is None:
            assert got[direction] is None
        else:
            assert got[direction] == {"rating": order[now + sign * best[direction][1]], "points": best[direction][0]}


def test_table_shows_the_margin_and_the_summary_line():
    code, out, _ = run_cli("consistency", "--ratings", str(RATINGS))
    assert code == 0
    assert "↑2 RI" in out and "↓1 I " in out and "RI requires_improvement" in out
    rows = len(list(csv.DictReader(RATINGS.read_text(encoding="utf-8").splitlines())))
    assert re.search(rf"\d+ of {rows} councils are within one statement score point of another rating", out)


def test_chart_refuses_to_overwrite_and_other_suffixes(tmp_path: Path):
    out = tmp_path / "chart.html"
    out.write_text("keep me")
    code, _, err = run_cli("consistency", "--ratings", str(RATINGS), "-o", str(out))
    assert code == 2 and "not overwritten" in err and out.read_text() == "keep me"
    code, _, err = run_cli("consistency", "--ratings", str(RATINGS), "-o", str(tmp_path / "c.pdf"))
    assert code == 2 and ".md or .html" in err


def _hostile_table(tmp_path: Path) -> Path:
    text = RATINGS.read_text(encoding="utf-8").splitlines()
    header, first = text[0], text[1].split(",")
    first[0] = '<script>alert(1)</script> & "Council"'
    path = tmp_path / "ratings.csv"
    path.write_text("\n".join([header, ",".join(first), *text[2:]]) + "\n", encoding="utf-8")
    return path


def test_markdown_chart_lists_every_council_and_the_distribution(tmp_path: Path):
    out = tmp_path / "chart.md"
    code, _, err = run_cli("consistency", "--ratings", str(_hostile_table(tmp_path)), "-o", str(out))
    assert code == 0, err
    md = out.read_text()
    rows = len(RATINGS.read_text(encoding="utf-8").splitlines()) - 1
    assert md.count("\n| ") == rows + 1 + len(PACK.statement_ids) + 1  # two tables: header rows + one row each
    assert "<script>" not in md and "&lt;script&gt;" in md


def test_chart_renders_in_a_real_browser(tmp_path: Path):
    """The page a real browser draws: a dot per council, coloured by its published rating,
    the four bands and the gaps between them, York in the ambiguous gap, and per statement
    bars that add up to the councils; a hostile council name stays text."""
    browser = chromium(tmp_path / "profile")
    page = tmp_path / "chart.html"
    table = _hostile_table(tmp_path)
    code, _, err = run_cli("consistency", "--ratings", str(table), "-o", str(page))
    assert code == 0, err
    text = page.read_text()
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in text
    dom = subprocess.run([*browser, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    rows = list(csv.DictReader(table.read_text(encoding="utf-8").splitlines()))
    assert dom.count('<circle class="council') == len(rows)
    assert (
        dom.count('class="band"') == len(PACK.core.ratings) and dom.count('class="gap"') == len(PACK.core.ratings) - 1
    )
    assert "<script>alert" not in dom and "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    for r in PACK.core.ratings:  # each dot is coloured as its published rating
        published = sum(1 for row in rows if row["overall"].lower() == r.label.lower())
        assert dom.count(f'data-rating="{r.id}" cx=') == published
    for sid in PACK.statement_ids:
        counts = [int(n) for n in re.findall(rf'data-statement="{sid}" data-score="\d" data-count="(\d+)"', dom)]
        assert sum(counts) == len(rows), sid
    assert "ambiguous: between 38" in dom
    shot = tmp_path / "chart.png"
    subprocess.run(
        [*browser, "--window-size=1100,1600", f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
