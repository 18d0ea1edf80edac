"""`rederive compare OLD NEW`: two inspections of one council, the grade changes and the
evidence that changed, each finding quoted at its line."""

from __future__ import annotations

import pytest
from conftest import CASES, ROOT, run_cli, run_json

from engine.ingest.readers import read_report

REPORTS = ROOT.parent / "shared" / "ofsted-ilacs" / "reports"


@pytest.mark.parametrize(
    "old, new",
    [
        ("barnsley-2018-11-19.pdf", "barnsley-2023-10-27.pdf"),
        ("barking-and-dagenham-2019-04-01.pdf", "barking-and-dagenham-2023-09-04.pdf"),
    ],
)
def test_two_inspections_of_one_council_list_the_evidence_that_changed(old, new):
    obj = run_json("compare", str(REPORTS / old), str(REPORTS / new))
    assert obj["framework"] == "ofsted-ilacs"
    assert obj["old"]["date"] < obj["new"]["date"]
    texts = {side: read_report(REPORTS / name).text.splitlines() for side, name in (("old", old), ("new", new))}
    listed = 0
    for st in obj["statements"]:
        # every finding of each side is kept (paired with one of the other side), new or gone
        for side, kind in (("old", "gone_findings"), ("new", "new_findings")):
            total = sum(sum(c.values()) for c in st["counts"][side].values())
            assert st["kept"] + st[kind] == total, (st["statement"], side)
        pub, der = st["published"], st["derived"]
        if None not in (pub["old"], pub["new"], der["old"], der["new"]):
            sign = lambda a, b: (b > a) - (b < a)  # noqa: E731
            assert st["follows"] == (sign(pub["old"], pub["new"]) == sign(der["old"], der["new"]))
        for kind, side in (("new", "new"), ("gone", "old")):
            for f in st[kind]:
                assert f["file"].endswith(new if side == "new" else old)
                assert " ".join(f["quote"].split()) in " ".join(texts[side][f["line"] - 1].split())
                listed += 1
    assert listed >= 10
    # a grade changed between these inspections, and the comparison says so
    assert any(st["published"]["old"] != st["published"]["new"] for st in obj["statements"])


def test_compare_a_case_with_itself_changes_nothing_and_refuses_what_it_cannot_read(tmp_path):
    case = CASES / "lincolnshire-2023.yaml"
    obj = run_json("compare", str(case), str(case))
    assert all(st["new_findings"] == st["gone_findings"] == 0 for st in obj["statements"])
    assert all(st["follows"] for st in obj["statements"])
    code, out, _ = run_cli("compare", str(case), str(case))
    assert code == 0 and "published" in out
    code, _, err = run_cli("compare", str(case), str(tmp_path / "nowhere.pdf"))
    assert code == 2 and "no such case or report" in err and "Traceback" not in err
    code, _, err = run_cli("compare", str(case), str(REPORTS / "barnsley-2023-10-27.pdf"))
    assert code == 2 and "one framework" in err
