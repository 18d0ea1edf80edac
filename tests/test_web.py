"""The explorer's routes, in-process: every API answer equals the command line's JSON for the
same input; hostile requests get a 4xx with a located message and change nothing."""

from __future__ import annotations

import html
import io
import json
import re
import threading
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import CASES, ROOT, run_json

from engine.web.app import create_app
from engine.web.served import Served

CASE_FILES = {
    "blackpool-2025": CASES / "blackpool-2025.yaml",
    "lincolnshire-2023": CASES / "lincolnshire-2023.yaml",
    "blackpool-2020-ofsted-monitoring": CASES / "blackpool-2020-ofsted-monitoring.yaml",
}
STATEMENT = {"blackpool-2025": "learning", "lincolnshire-2023": "equity", "blackpool-2020-ofsted-monitoring": None}
SAME = {"origin": "http://testserver"}


@pytest.fixture
def workspace(tmp_path) -> Path:
    return tmp_path / "workspace"


@pytest.fixture
def client(workspace):
    from starlette.testclient import TestClient

    served = Served([str(CASES)], None, workspace, ROOT / "tests" / "data" / "cqc-la-ratings.csv")
    with TestClient(create_app(served, ["testserver"])) as c:
        yield c


def _files(root: Path) -> dict[str, bytes]:
    return (
        {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
        if root.exists()
        else {}
    )


def test_cases_lists_the_served_cases(client):
    got = client.get("/api/cases").json()
    assert {c["id"] for c in got} == set(CASE_FILES)
    assert {c["framework"] for c in got} == {"cqc-la", "ofsted-ilacs"}
    assert all(c["council"] for c in got)


@pytest.mark.parametrize("cid", list(CASE_FILES))
def test_derive_and_explain_answer_what_the_commands_print(client, cid):
    assert client.get(f"/api/cases/{cid}/derive").json() == run_json("derive", str(CASE_FILES[cid]))[0]
    assert client.get(f"/api/cases/{cid}/explain").json() == run_json("explain", str(CASE_FILES[cid]))
    sid = STATEMENT[cid]
    if sid is not None:
        got = client.get(f"/api/cases/{cid}/explain", params={"statement": sid}).json()
        assert got == run_json("explain", str(CASE_FILES[cid]), "--statement", sid)


def _first_items(cid: str) -> list[str]:
    case = yaml.safe_load(CASE_FILES[cid].read_text())
    return [it["id"] for it in case["items"][:2]]


@pytest.mark.parametrize("cid", list(CASE_FILES))
def test_whatif_answers_what_the_command_prints(client, tmp_path, cid):
    a, b = _first_items(cid)
    scenario = {
        "name": "two changes",
        "changes": [{"op": "drop", "item": a}, {"op": "set", "item": b, "field": "tags", "value": []}],
    }
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario))
    got = client.post(f"/api/cases/{cid}/whatif", json=scenario, headers=SAME)
    assert got.status_code == 200, got.text
    assert got.json() == run_json("whatif", str(CASE_FILES[cid]), "--scenario", str(path))


def test_whatif_with_the_bundled_scenario(client):
    path = CASES / "scenarios" / "learning-people-heard.yaml"
    body = yaml.safe_load(path.read_text())
    got = client.post("/api/cases/blackpool-2025/whatif", json=body).json()
    assert got == run_json("whatif", str(CASE_FILES["blackpool-2025"]), "--scenario", str(path))
    assert any(m["level"] == "statement" and m["statement"] == "learning" for m in got["moved"])


@pytest.mark.parametrize(
    ("cid", "target"),
    [
        ("blackpool-2025", "overall=requires_improvement"),
        ("lincolnshire-2023", "overall=requires_improvement"),
        ("blackpool-2020-ofsted-monitoring", None),
    ],
)
def test_counterfactual_answers_what_the_command_prints(client, cid, target):
    if target is None:  # another grade than the Ofsted case's evidence derives
        from engine.model.locate import Packs

        derived = client.get(f"/api/cases/{cid}/derive").json()["overall"]["derived"]
        ratings = [r.id for r in Packs(ROOT / "rules").get("ofsted-ilacs").core.ratings]
        at = ratings.index(derived)
        target = f"overall={ratings[at + 1] if at + 1 < len(ratings) else ratings[at - 1]}"
    got = client.post(f"/api/cases/{cid}/counterfactual", json={"target": target, "max_changes": 2}, headers=SAME)
    assert got.status_code == 200, got.text
    cli = run_json("counterfactual", str(CASE_FILES[cid]), "--target", target, "--max-changes", "2")
    api = got.json()
    assert api.pop("seconds") >= 0 and cli.pop("seconds") >= 0  # the time each search took
    assert api == cli


@pytest.mark.parametrize(
    "path",
    [
        "/api/cases/..%2F..%2Fetc%2Fpasswd/derive",
        "/api/cases/%2Fetc%2Fpasswd/derive",
        "/api/cases/..%5Cblackpool-2025/derive",
        "/api/cases/blackpool-2025.yaml/derive",
        "/api/cases/cases%2Fblackpool-2025.yaml/explain",
    ],
)
def test_a_path_for_an_id_is_not_found(client, path):
    got = client.get(path)
    assert got.status_code == 404
    assert got.json()["problems"]  # located: the address, or the id with the ids served


def test_an_unknown_id_names_the_served_ones(client):
    got = client.get("/api/cases/blackpool-2024/derive")
    assert got.status_code == 404 and "blackpool-2025" in got.json()["error"]


def _unchanged(client, workspace, request):
    before = _files(CASES), _files(workspace)
    got = request()
    assert (_files(CASES), _files(workspace)) == before
    return got


def test_a_scenario_naming_an_unknown_item_is_refused(client, workspace):
    got = _unchanged(
        client,
        workspace,
        lambda: client.post(
            "/api/cases/blackpool-2025/whatif", json={"name": "x", "changes": [{"op": "drop", "item": "le99"}]}
        ),
    )
    assert got.status_code == 400
    assert "no item 'le99'" in got.json()["error"] and "did you mean" in got.json()["error"]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b'{"name": "x", "changes": [}', "(request body):1:27: malformed JSON"),
        (b'{"name": "x",\n "changes": [{"op": "explode"}]}', "(request body):2:"),
        (b'{"name": "x", "chnages": []}', "unknown key 'chnages'"),
        (b"[1, 2]", "expected a JSON object"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_a_malformed_body_is_located(client, workspace, body, where):
    got = _unchanged(client, workspace, lambda: client.post("/api/cases/blackpool-2025/whatif", content=body))
    assert got.status_code == 400, got.text
    assert where in got.json()["error"], got.json()


def test_a_counterfactual_with_a_bad_target_is_refused(client):
    got = client.post("/api/cases/blackpool-2025/counterfactual", json={"target": "overall=splendid"})
    assert got.status_code == 400 and "splendid" in got.json()["error"]
    got = client.post("/api/cases/blackpool-2025/counterfactual", json={"target": "overall=good", "max_changes": 60})
    assert got.status_code == 400 and "between 0 and 6" in got.json()["error"]


def test_a_cross_site_post_is_refused(client, workspace):
    body = {"name": "x", "changes": []}
    for headers in ({"origin": "http://evil.example"}, {"origin": "null"}, {"sec-fetch-site": "cross-site"}):
        got = _unchanged(
            client, workspace, lambda h=headers: client.post("/api/cases/blackpool-2025/whatif", json=body, headers=h)
        )
        assert got.status_code == 403 and "explorer's own pages" in got.json()["error"]
        up = client.post("/api/extract", files={"file": ("r.txt", b"text")}, headers=headers)
        assert up.status_code == 403
    assert client.post("/api/cases/blackpool-2025/whatif", json=body, headers=SAME).status_code == 200


def test_a_host_the_server_does_not_answer_to_is_refused(client):
    assert client.get("/api/cases", headers={"host": "attacker.example"}).status_code == 400


def test_pages_carry_a_policy_that_runs_only_the_explorers_script(client):
    got = client.get("/cases/blackpool-2025")
    assert got.status_code == 200
    assert "script-src 'self'" in got.headers["content-security-policy"]
    assert got.headers["x-content-type-options"] == "nosniff"


def _upload(client, name: str, raw: bytes):
    return client.post("/api/extract", files={"file": (name, raw)}, headers=SAME)


def test_an_upload_is_extracted_by_content_and_opens_as_a_case(client, workspace):
    raw = (ROOT / "cases" / "sources" / "lincolnshire-2023-cqc-la-pilot-assessment.txt").read_bytes()
    got = _upload(client, "../../lincs.txt", raw)
    assert got.status_code == 200, got.text
    made = got.json()
    assert made["framework"] == "cqc-la" and made["items"] > 50 and made["id"].startswith("report-")
    assert sorted(_files(workspace)) == [f"{made['id']}.name", f"{made['id']}.yaml", f"sources/{made['id']}.txt"]
    assert not any(p.name == "lincs.txt" for p in workspace.rglob("*"))  # the name it was given is not a path
    assert (workspace / f"{made['id']}.name").read_text() == "lincs.txt\n"  # kept as a label only
    again = _unchanged(client, workspace, lambda: _upload(client, "other-name.md", raw))
    assert again.json()["id"] == made["id"]  # the same content: the same case, nothing rewritten
    assert made["id"] in {c["id"] for c in client.get("/api/cases").json()}
    assert client.get(f"/api/cases/{made['id']}/derive").json()["overall"]["derived"] is not None
    assert client.get(f"/cases/{made['id']}").status_code == 200


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "raw", "why"),
    [
        ("report.pdf", _zip(), "not a report but a ZIP archive"),
        ("report.txt", b"", "empty file"),
        ("report.txt", b"caf\xe9 au lait\n", "not UTF-8"),
        ("report.html", b"<html><body><main>" + b"<div>" * 5_000 + b"<p>x</p></main></body></html>", "5,003 deep"),
        ("report.txt", b"A shopping list.\nEggs, milk and bread.\n", "cannot tell which framework"),
    ],
)
def test_a_bad_upload_is_refused_and_writes_nothing(client, workspace, name, raw, why):
    got = _unchanged(client, workspace, lambda: _upload(client, name, raw))
    assert got.status_code == 400, got.text
    assert why in got.json()["error"], got.json()
    assert "rederive-upload-" not in got.json()["error"]  # located on the upload's own name


def test_an_oversized_upload_is_refused_before_it_is_read(client, workspace, monkeypatch):
    from engine.ingest import readers

    monkeypatch.setattr(readers, "MAX_PDF_BYTES", 1000)
    got = _unchanged(client, workspace, lambda: _upload(client, "big.txt", b"word " * 100_000))
    assert got.status_code == 413 and "limit" in got.json()["error"]
    big = b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    got = client.post("/api/cases/blackpool-2025/whatif", content=big)
    assert got.status_code == 413


def test_an_upload_without_a_file_is_refused(client):
    got = client.post("/api/extract", data={"note": "no file"}, headers=SAME)
    assert got.status_code == 400 and "'file'" in got.json()["error"]


def test_clients_at_once_do_not_interfere(client):
    """Derivations of different cases and of one case with different changes, at once: each
    answers what it answers alone, and the served case is unchanged after."""
    alone = {}
    asks = [
        ("blackpool-2025", [{"op": "drop", "item": "le10"}]),
        ("blackpool-2025", []),
        ("blackpool-2025", [{"op": "set", "item": "le04", "field": "polarity", "value": "shortfall"}]),
        ("lincolnshire-2023", []),
        ("blackpool-2020-ofsted-monitoring", []),
    ]
    for n, (cid, changes) in enumerate(asks):
        alone[n] = client.post(f"/api/cases/{cid}/whatif", json={"name": "x", "changes": changes}).json()
    got: dict[int, list] = {n: [] for n in alone}

    def ask(n: int) -> None:
        cid, changes = asks[n]
        for _ in range(4):
            got[n].append(client.post(f"/api/cases/{cid}/whatif", json={"name": "x", "changes": changes}).json())

    threads = [threading.Thread(target=ask, args=(n,)) for n in alone for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for n, answers in got.items():
        assert answers and all(a == alone[n] for a in answers)
    assert (
        client.get("/api/cases/blackpool-2025/derive").json()
        == run_json("derive", str(CASE_FILES["blackpool-2025"]))[0]
    )


def test_the_panel_marks_what_moved(client):
    got = client.post(
        "/cases/blackpool-2025/panel", json={"changes": [{"op": "drop", "item": "le10"}], "statement": "learning"}
    )
    assert got.status_code == 200
    data = json.loads(got.text.split('id="panel-data">', 1)[1].split("</script>", 1)[0])
    assert data["changes"] == [{"op": "drop", "item": "le10"}] and data["statement"] == "learning"
    assert "le10" not in {i for m in data["marks"].values() for i in m["items"]}
    assert 'class="statement chosen moved" data-statement="learning"' in got.text
    assert "was 1" in got.text and "36.11%" in got.text


def test_the_report_and_its_text_are_escaped(client, workspace):
    raw = (ROOT / "cases" / "sources" / "lincolnshire-2023-cqc-la-pilot-assessment.txt").read_text()
    raw = raw.replace("Lincolnshire County Council", "Lincolnshire <script>alert(1)</script> Council", 1)
    made = _upload(client, "x.txt", raw.encode()).json()
    page = client.get(f"/cases/{made['id']}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_downloaded_scenario_is_one_whatif_accepts(client, tmp_path):
    changes = [
        {"op": "drop", "item": "le10"},
        {
            "op": "add",
            "items": [
                {
                    "id": "added-1",
                    "statement": "learning",
                    "category": "partners",
                    "polarity": "strength",
                    "quote": "Partners told us they were involved.",
                }
            ],
        },
    ]
    got = client.post("/cases/blackpool-2025/scenario.yaml", json={"changes": changes})
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    path = tmp_path / "s.yaml"
    path.write_bytes(got.content)
    cli = run_json("whatif", str(CASE_FILES["blackpool-2025"]), "--scenario", str(path))
    api = client.post("/api/cases/blackpool-2025/whatif", json=yaml.safe_load(got.content)).json()
    assert cli["after"] == api["after"] and cli["moved"] == api["moved"]
    read = client.post("/cases/blackpool-2025/scenario/read?name=s.yaml", content=got.content).json()
    changes[1]["items"][0]["tags"] = []  # read back with the default written out
    assert read["changes"] == changes


def test_a_loaded_scenario_is_located(client):
    got = client.post(
        "/cases/blackpool-2025/scenario/read?name=../../s.yaml", content=b"name: x\nchanges:\n  - {op: boom}\n"
    )
    assert got.status_code == 400 and got.json()["error"].startswith("s.yaml:3:")


def test_briefs_and_the_consistency_page(client):
    md = client.post("/cases/blackpool-2025/brief.md", json={"changes": [{"op": "drop", "item": "le10"}]})
    assert md.status_code == 200 and md.headers["content-disposition"].endswith('-brief.md"')
    # a brief made with changes says so at its top, with each change's quote and line, and
    # never presents a changed score as the report's
    assert "These scores rest on 1 hypothetical change(s) to the report's evidence" in md.text
    assert (
        "1. leave out this finding [drop le10] (sources/blackpool-2025-cqc-la-assessment.txt:965): “People with lived experience"
        in md.text
    )
    assert "the rules give 2 from the evidence as changed (1 hypothetical change(s)); published 1" in md.text
    assert "from the report's evidence" not in md.text and "[NOT FOR SUBMISSION" in md.text
    page = client.post("/cases/blackpool-2025/brief.html", json={"changes": []})
    assert page.text.startswith("<!doctype html>") and "hypothetical" not in page.text
    page = client.get("/consistency")
    assert page.status_code == 200 and page.text.count("<svg") >= 1
    # in the explorer: its header and a way back, a sortable table, served councils linked to their case
    assert "<a href='/'>cases</a>" in page.text and "<table class='sortable'>" in page.text
    assert "<a href='/cases/blackpool-2025'>Blackpool Council</a>" in page.text
    assert (
        'href="/consistency"' in client.get("/").text
        and 'href="/consistency"' in client.get("/cases/blackpool-2025").text
    )


def test_counterfactual_sets_apply_as_whatifs(client):
    got = client.post("/cases/blackpool-2025/take", json={"target": "learning=2", "max_changes": 1})
    assert got.status_code == 200
    first = got.text.split("data-changes='", 1)[1].split("'", 1)[0]
    changes = json.loads(first.replace("&#39;", "'"))
    after = client.post("/api/cases/blackpool-2025/whatif", json={"name": "x", "changes": changes}).json()
    assert next(s for s in after["after"]["statements"] if s["id"] == "learning")["derived"] >= 2


def test_an_inspection_pdf_served_shows_its_pages(tmp_path):
    """A PDF given on the command line is extracted into the workspace and shown with the
    page of each line (an Ofsted inspection: its rating is not read off a percentage)."""
    from starlette.testclient import TestClient

    pdf = ROOT.parent / "shared" / "ofsted-ilacs" / "reports" / "barking-and-dagenham-2019-04-01.pdf"
    assert pdf.is_file(), "../shared lies beside every clone"
    served = Served([str(pdf)], None, tmp_path / "ws")
    [cid] = served.ids()
    with TestClient(create_app(served, ["testserver"])) as c:
        page = c.get(f"/cases/{cid}")
        assert page.status_code == 200, page.text[:500]
        assert 'class="page-mark"' in page.text and "barking-and-dagenham-2019-04-01" in page.text
        sid = c.get(f"/api/cases/{cid}/derive").json()["statements"][0]["id"]
        panel = c.post(f"/cases/{cid}/panel", json={"statement": sid})
        assert panel.status_code == 200 and "page " in panel.text.split('class="items"', 1)[1]


def test_serving_beyond_loopback_says_who_can_use_it(tmp_path):
    from conftest import serving

    with serving("--host", "0.0.0.0", "--port", "0", "--workspace", str(tmp_path)) as proc:
        warning = proc.stderr.readline()
    assert warning.startswith("warning: listening on http://0.0.0.0:") and "anyone who can reach it" in warning


def test_a_bad_command_line_is_refused_before_serving(tmp_path):
    from conftest import run_cli

    assert run_cli("serve", str(tmp_path / "nowhere"))[0] == 2
    assert run_cli("serve", "--port", "70000")[0] == 2
    (tmp_path / "file").write_text("x")
    code, _, err = run_cli("serve", "--workspace", str(tmp_path / "file"))
    assert code == 2 and "is a file" in err


def test_a_case_covering_some_statements_shows_no_overall_rating_as_if_complete(tmp_path):
    from starlette.testclient import TestClient

    page = ROOT / "tests" / "data" / "reports" / "blackpool-2025-learning-improvement-innovation.txt"
    served = Served([str(page)], None, tmp_path / "ws")
    [cid] = served.ids()
    with TestClient(create_app(served, ["testserver"])) as c:
        page = c.get(f"/cases/{cid}").text
    assert (
        "This case covers 1 of 9 quality statements, so it gives no overall rating of the council (not covered: Assessing needs"
        in page
    )
    assert 'no rating <span id="overall-percent">(over 1 of 9 quality statements: 1/4 = 25.0%)' in page
    assert "Overall</strong>: derived" not in page and 'class="bands"' not in page


def test_what_would_it_take_lists_the_most_arguable_sets_first_in_plain_words(client):
    got = client.post("/cases/blackpool-2025/take", json={"target": "overall=requires_improvement", "max_changes": 2})
    assert got.status_code == 200
    assert "most arguable" in got.text and "plausibility 0.25" in got.text
    assert "read this mixed finding as a strength (Assessing needs, people's experience)" in html.unescape(got.text)
    assert "<q>" in got.text and "(line " in got.text


def test_uploads_are_listed_again_after_a_restart_by_the_name_they_were_given(tmp_path):
    from starlette.testclient import TestClient

    raw = (ROOT / "cases" / "sources" / "lincolnshire-2023-cqc-la-pilot-assessment.txt").read_bytes()
    ws = tmp_path / "ws"
    first = Served([str(CASES / "blackpool-2025.yaml")], None, ws)
    entry = first.add_report(raw, "lincolnshire-pilot.txt")
    again = Served([str(CASES / "blackpool-2025.yaml")], None, ws)  # a restart: the same workspace
    assert entry.id in again.ids()
    with TestClient(create_app(again, ["testserver"])) as c:
        assert c.get(f"/cases/{entry.id}").status_code == 200
        listing = c.get("/").text
    assert "lincolnshire-pilot.txt" in listing and "published 2023-11-17" in listing


def test_the_evidence_support_page_ranks_the_served_scores_and_compares_two_cases(client):
    page = client.get("/consistency/support")
    assert page.status_code == 200 and "<a href='/'>cases</a>" in page.text
    # every served published score is a dot, each served case of a calibrated framework linked
    cqc = 9 + 9  # the two bundled CQC cases' published statement scores
    assert page.text.count("<circle") >= cqc
    assert "<option value='blackpool-2025'>" in page.text and "action='/consistency/compare'" in page.text
    got = client.get("/consistency/compare", params={"old": "lincolnshire-2023", "new": "blackpool-2025"})
    assert got.status_code == 200 and "<table id='compare'>" in got.text
    assert got.text.count("<tr><td title=") == 9  # a row per statement, named (its id in a tooltip)
    assert "<td title='learning'>Learning, improvement and innovation</td>" in got.text
    assert "published Good → Inadequate" in got.text and "(People&#x27;s experience)" in got.text
    assert "no longer there (lincolnshire-2023)" in got.text and "href='/cases/blackpool-2025#s=" in got.text
    bad = client.get("/consistency/compare", params={"old": "lincolnshire-2023", "new": "nowhere"})
    assert bad.status_code == 404 or "no case 'nowhere' is served" in bad.text
    mixed = client.get(
        "/consistency/compare", params={"old": "lincolnshire-2023", "new": "blackpool-2020-ofsted-monitoring"}
    )
    assert "compare cases of one framework" in mixed.text
    assert 'href="/consistency/support"' in client.get("/").text


def test_an_upload_takes_the_forms_framework_and_reading_and_a_refusal_writes_nothing(client, workspace):
    raw = (ROOT / "cases" / "sources" / "lincolnshire-2023-cqc-la-pilot-assessment.txt").read_bytes()
    form = client.get("/").text
    assert "id='upload-framework'" in form.replace('"', "'") and "value='cues'" in form.replace('"', "'")
    cues = client.post(
        "/api/extract",
        files={"file": ("lincs.txt", raw)},
        data={"reading": "cues", "framework": "cqc-la"},
        headers=SAME,
    )
    assert cues.status_code == 200, cues.text
    case = client.get(f"/api/cases/{cues.json()['id']}/derive").json()
    reader = _upload(client, "lincs.txt", raw).json()
    assert reader["id"] != cues.json()["id"]  # another reading of the same report is another case
    text = (workspace / f"{cues.json()['id']}.yaml").read_text(encoding="utf-8")
    assert "by: cues" in text and "by: reader" not in text and case["overall"]["derived"] is not None
    for data, why in (({"framework": "nope"}, "nope"), ({"reading": "guess"}, "expected 'reader' or 'cues'")):
        got = _unchanged(
            client,
            workspace,
            lambda d=data: client.post("/api/extract", files={"file": ("x.txt", raw)}, data=d, headers=SAME),
        )
        assert got.status_code in (400, 404, 422) and why in got.text, got.text
        assert str(workspace) not in got.text and str(ROOT) not in got.text


def test_corrections_kept_as_labels_retrain_a_reader(client, workspace):
    """Reading items otherwise and adding one from a sentence of the report, kept as label rows
    in the workspace; `train-reader` finds every row in its text and trains on them."""
    import csv

    import yaml

    from engine.authoring.train_reader import label_files, train_pack
    from engine.model.pack import load_pack

    raw = (ROOT / "cases" / "sources" / "lincolnshire-2023-cqc-la-pilot-assessment.txt").read_bytes()
    cid = _upload(client, "lincs.txt", raw).json()["id"]
    case = yaml.safe_load((workspace / f"{cid}.yaml").read_text(encoding="utf-8"))
    first, second = case["items"][0], case["items"][1]
    other = {"strength": "shortfall", "shortfall": "strength", "mixed": "strength"}
    free = case["not_evidence"][0]  # a sentence read as no finding: added as one
    changes = [
        {"op": "set", "item": first["id"], "field": "polarity", "value": other[first["polarity"]]},
        {"op": "set", "item": second["id"], "field": "category", "value": "partners"},
        {
            "op": "add",
            "items": [
                {
                    "id": "added-1",
                    "statement": free["statement"],
                    "category": "people_experience",
                    "polarity": "shortfall",
                    "quote": free["quote"],
                }
            ],
        },
    ]
    nothing = _unchanged(
        client,
        workspace,
        lambda: client.post(f"/api/cases/{cid}/labels", json={"name": "x", "changes": []}, headers=SAME),
    )
    assert nothing.status_code == 400 and "nothing to keep" in nothing.text
    got = client.post(f"/api/cases/{cid}/labels", json={"name": "corrections", "changes": changes}, headers=SAME)
    assert got.status_code == 200, got.text
    assert got.json()["written"] == f"labels/{cid}.tsv" and got.json()["total"] == 3
    path = workspace / "labels" / f"{cid}.tsv"
    rows = list(csv.DictReader(path.open(encoding="utf-8"), delimiter="\t"))
    lines = (workspace / "sources" / f"{cid}.txt").read_text(encoding="utf-8").splitlines()
    assert [r["polarity"] for r in rows] == [other[first["polarity"]], second["polarity"], "shortfall"]
    assert rows[1]["category"] == "partners" and rows[2]["category"] == "people_experience"
    for r, quote in zip(rows, (first["quote"], second["quote"], free["quote"]), strict=True):
        assert lines[int(r["line"]) - 1][int(r["start"]) : int(r["end"])] == quote
    # saved again: the same sentences' rows replaced, not repeated
    again = client.post(f"/api/cases/{cid}/labels", json={"name": "c", "changes": changes[:1]}, headers=SAME)
    assert again.json()["total"] == 3
    pack = load_pack(ROOT / "rules" / "cqc-la")
    shared = ROOT.parent / "shared"
    files = [path, *[f for f in label_files(shared / "labels", pack) if "seed" in f.name]]
    _, result = train_pack(pack, files, [workspace / "sources", shared / "reports"], [], cv=False, date="2000-01-01")
    prov = result["provenance"] if "provenance" in result else result
    assert prov["rows_used"] == 1404 + 3 and prov["rows_without_text"] == 0


def test_sets_come_ten_at_a_time_in_one_ranking(client):
    q = {"target": "overall=requires_improvement", "max_changes": 2, "max_sets": 10}
    first = client.post("/api/cases/blackpool-2025/counterfactual", json=q).json()
    second = client.post("/api/cases/blackpool-2025/counterfactual", json={**q, "first": 10}).json()
    whole = client.post("/api/cases/blackpool-2025/counterfactual", json={**q, "max_sets": 20}).json()
    assert first["first"] == 0 and second["first"] == 10 and len(first["sets"]) == len(second["sets"]) == 10
    assert [s["changes"] for s in first["sets"] + second["sets"]] == [s["changes"] for s in whole["sets"]]
    plaus = [s["plausibility"] for s in whole["sets"]]
    assert plaus == sorted(plaus, reverse=True)
    page = client.post("/cases/blackpool-2025/take", json={**q, "first": 10}).text
    assert '<ol class="sets" start="11">' in page and "20 of 481 shown" in page
    assert 'class="more" data-first="20">show 10 more' in page
    assert whole["sets_ranked"] == whole["sets_total"] == 481
    last = client.post("/cases/blackpool-2025/take", json={**q, "first": 480}).text
    assert "481 of 481 shown" in last and 'class="more"' not in last  # the end: no button to nowhere
    for bad in ({"first": -1}, {"max_sets": 10_000}):
        got = client.post("/api/cases/blackpool-2025/counterfactual", json={**q, **bad})
        assert got.status_code == 400 and "first must be 0 or more" in got.json()["error"]


def test_a_target_out_of_reach_says_how_far_the_best_set_gets_and_offers_the_next_bound(client):
    got = client.post("/api/cases/blackpool-2025/counterfactual", json={"target": "overall=good"}).json()
    assert got["minimal_size"] is None and got["needs_at_least"] == 4
    close = got["closest"]
    assert close["changes"] <= got["max_changes"] and close["gets"] == "requires_improvement"
    assert close["set"]["result"]["overall"]["derived"] == "requires_improvement"  # the set does get there
    page = client.post("/cases/blackpool-2025/take", json={"target": "overall=good"}).text
    assert "No set of at most 3 changes reaches the overall rating: Good from Inadequate" in page
    assert "<strong>Requires improvement</strong>" in page and "apply-set" in page
    assert 'class="bound" data-max="4">Search with at most 4 changes' in page
    # beyond the bound the explorer searches, it says so rather than offering a dead button
    far = client.post("/cases/blackpool-2025/take", json={"target": "overall=outstanding", "max_changes": 1}).text
    assert "No set of 6 changes or fewer can reach it (it needs at least 7)" in far and 'class="bound"' not in far


def test_the_case_page_speaks_in_names_and_sentences(client):
    page = client.get("/cases/blackpool-2025?statement=learning").text
    visible = re.sub(r'(title|data-[a-z-]+|value|class|id|aria-label)="[^"]*"', "", page)
    visible = html.unescape(re.sub(r"<script.*?</script>", "", visible, flags=re.S))
    for jargon in ("hit policy", "collect_min", "people_experience", "requires_improvement", "significant_in_context"):
        assert jargon not in visible, jargon
    assert "Learning, improvement and innovation" in visible and "Inadequate" in visible
    assert "To reach 2 (Requires improvement), people's experience would need to score 2" in visible
    assert "of the rules that apply, the lowest score counts" in visible
    # the ids are still there for who wants them: tooltips and the JSON
    assert 'title="rule significant_in_context"' in page


def test_the_case_page_is_compressed_and_fetches_a_line_s_sentences_when_asked(client):
    page = client.get("/cases/blackpool-2025", headers={"accept-encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    assert int(page.headers["content-length"]) < 200_000
    assert '"sentences"' not in page.text
    key = "sources/blackpool-2025-cqc-la-assessment.txt:965"
    got = client.get("/cases/blackpool-2025/sentences", params={"line": key})
    assert got.status_code == 200 and got.json()[0] == "However, there were missed opportunities for co-production."
    assert client.get("/cases/blackpool-2025/sentences", params={"line": "x.txt:1"}).status_code == 404
