"""`--format csv` on derive, diff, consistency and agree: proper CSV (a header row, RFC 4180
quoting and line ends, UTF-8, nothing else on standard output), read back with
`csv.DictReader` and checked against the JSON of the same command."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import CASES, ROOT, run_cli, run_json

from engine.render.csvout import cell

RATINGS = ROOT.parent / "shared" / "data" / "cqc-la-ratings.csv"
ALL = [
    str(CASES / f) for f in ("blackpool-2025.yaml", "lincolnshire-2023.yaml", "blackpool-2020-ofsted-monitoring.yaml")
]


def _csv(*argv: str) -> list[dict[str, str]]:
    code, out, err = run_cli(*argv, "--format", "csv")
    assert code in (0, 1), err
    assert out.endswith("\r\n") and "\n" not in out.replace("\r\n", "")  # RFC 4180 line ends, and nothing else
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert rows
    return rows


def test_derive_has_a_row_per_case_and_statement_and_one_overall_row():
    rows = _csv("derive", *ALL)
    objs = run_json("derive", *ALL)
    assert len(rows) == sum(len(o["statements"]) + 1 for o in objs)
    by = {(r["case"], r["statement"]): r for r in rows}
    for o in objs:
        for st in o["statements"]:
            r = by[(o["case"], st["id"])]
            assert (r["council"], r["framework"]) == (o["council"], o["framework"])
            assert r["derived"] == cell(st["derived"]) and r["published"] == cell(st["published"])
            assert r["match"] == cell(st["match"]) and r["percent"] == cell(st["percent"])
            assert r["basis"] == cell((st["basis"] or {}).get("items"))
            assert dict(kv.split("=") for kv in r["categories"].split(";") if kv) == {
                k: cell(v) for k, v in st["categories"].items()
            }
        ov = by[(o["case"], "overall")]
        assert (ov["derived"], ov["published"], ov["percent"]) == (
            cell(o["overall"]["derived"]),
            cell(o["overall"]["published"]),
            cell(o["overall"]["percent"]),
        )


def test_diff_rows_agree_with_its_json():
    rows = _csv("diff", str(CASES))
    groups = run_json("diff", str(CASES))
    groups = groups if isinstance(groups, list) else [groups]
    for g in groups:
        mine = {r["statement"]: r for r in rows if r["framework"] == g["framework"]}
        for s in g["statements"]:
            assert (mine[s["id"]]["compared"], mine[s["id"]]["exact"], mine[s["id"]]["within_one"]) == (
                str(s["compared"]),
                str(s["exact"]),
                str(s["within_one"]),
            )
        assert mine["all statements"]["exact"] == str(g["total"]["exact"])
        assert mine["overall"]["exact"] == str(g["overall"]["agree"])


def test_consistency_opens_as_a_table_of_76_councils():
    assert RATINGS.is_file(), "../shared lies beside every clone"
    rows = _csv("consistency", "--ratings", str(RATINGS))
    result = run_json("consistency", "--ratings", str(RATINGS))
    assert len(rows) == 76 == len(result["councils"])
    for r, c in zip(rows, result["councils"], strict=True):
        assert r["council"] == c["council"] and r["sum"] == str(c["sum"]) and r["percent"] == cell(c["percent"])
        assert all(r[s] == cell(v) for s, v in c["scores"].items())
        assert r["follows"] == cell(c["published"] == c["derived"])
        assert r["up_points"] == cell(c["to_next"]["up"]["points"] if c["to_next"]["up"] else None)
    assert sum(r["follows"] == "true" for r in rows) == result["agree"]


def test_agree_has_a_row_per_page(corpus):
    pages, index = corpus
    rows = _csv("agree", str(pages), "--index", str(index), "--reading", "cues")
    obj = run_json("agree", str(pages), "--index", str(index), "--reading", "cues")
    assert len(rows) == len(obj["pages"]) == 2
    for r, p in zip(rows, obj["pages"], strict=True):
        assert r["file"] == p["file"] and r["derived"] == cell(p["derived"]) and r["published"] == cell(p["published"])


def test_quoting_follows_rfc_4180(tmp_path: Path):
    from engine.render.csvout import write

    out = io.StringIO(newline="")
    write(["a", "b"], [{"a": 'say "hi", then go', "b": "two\nlines"}, {"a": None, "b": True}], out)
    assert out.getvalue() == 'a,b\r\n"say ""hi"", then go","two\nlines"\r\n,true\r\n'


@pytest.mark.parametrize(
    "argv",
    [
        ("diff", "--items", str(CASES / "blackpool-2025.yaml"), str(CASES / "lincolnshire-2023.yaml")),
        ("explain", str(CASES / "blackpool-2025.yaml")),
    ],
)
def test_commands_without_a_table_refuse_csv(argv):
    code, out, err = run_cli(*argv, "--format", "csv")
    assert code == 2 and out == "" and "csv" in err
