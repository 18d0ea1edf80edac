"""The explorer in a real browser: Playwright driving Debian's chromium against
`rederive serve` started as a user starts it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import CASES, browser_flags, run_json, serving

SHOTS = Path(os.environ.get("REDERIVE_SHOTS", "")) if os.environ.get("REDERIVE_SHOTS") else None


@pytest.fixture
def server(tmp_path):
    with serving("--port", "0", "--format", "json", "--workspace", str(tmp_path / "workspace")) as proc:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        yield json.loads(line)["url"]


@pytest.fixture
def page():
    exe, flags = browser_flags()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=flags)
        pg = browser.new_page(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.errors = errors
        yield pg
        browser.close()


def _shot(pg, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(SHOTS / f"{name}.png"))


def test_drop_an_item_watch_the_scores_move_and_download_the_scenario(server, page, tmp_path):
    page.goto(server)
    assert page.locator("table.cases tbody tr").count() == 3
    _shot(page, "cases")
    page.click("text=blackpool-2025")
    page.wait_for_selector("body[data-ready='1']")
    page.click("button.pick[data-statement='learning']")
    page.wait_for_selector("#detail[data-statement='learning']")
    learning = page.locator("td.derived[data-statement='learning']")
    assert learning.inner_text().strip() == "1"
    assert "33.33%" in page.inner_text("#overall-percent")
    _shot(page, "case-learning")

    page.click("#item-le10 button.drop")
    page.wait_for_selector("body[data-changes='1']")
    assert learning.inner_text().split()[0] == "2" and "was 1" in learning.inner_text()
    assert "36.11%" in page.inner_text("#overall-percent")
    assert page.locator("tr.statement.moved[data-statement='learning']").count() == 1
    assert page.locator("#item-le10").count() == 0
    page.locator("h1").scroll_into_view_if_needed()
    _shot(page, "case-dropped")

    with page.expect_download() as dl:
        page.click("#download-scenario")
    scenario = tmp_path / dl.value.suggested_filename
    dl.value.save_as(scenario)
    assert scenario.name == "blackpool-2025-scenario.yaml"
    cli = run_json("whatif", str(CASES / "blackpool-2025.yaml"), "--scenario", str(scenario))
    after = {s["id"]: s["derived"] for s in cli["after"]["statements"]}
    assert after["learning"] == 2 and cli["after"]["overall"]["percent"] == 36.11
    shown = {
        row.get_attribute("data-statement"): row.inner_text().split()[0] for row in page.locator("td.derived").all()
    }
    assert shown == {k: str(v) for k, v in after.items()}

    page.click("#reset")
    page.wait_for_selector("body[data-changes='0']")
    assert learning.inner_text().strip() == "1"
    assert page.errors == []


def test_lines_items_and_what_would_it_take(server, page):
    page.goto(f"{server}cases/blackpool-2025")
    page.wait_for_selector("body[data-ready='1']")
    cited = page.locator("#report .line.cited.shortfall").first
    cited.click()  # a highlighted line selects its item
    page.wait_for_selector("#detail")
    first = cited.get_attribute("data-items").split()[0]
    assert page.locator(f"#item-{first}").count() == 1
    page.select_option("#take-target", "learning=2")
    page.fill("#take-max", "1")
    page.click("#take-form button[type=submit]")
    page.wait_for_selector("#take-result .apply-set")
    _shot(page, "take")
    page.locator("#take-result .apply-set").first.click()
    page.wait_for_selector("tr.statement.moved[data-statement='learning']")  # the page's policy runs no test script
    assert page.locator("td.derived[data-statement='learning']").inner_text().split()[0] == "2"
    page.locator("#report .line:not(.cited)").nth(3).click()  # any other line: add an item from it
    page.wait_for_selector("#add-dialog[open]")
    page.select_option("#add-statement", "learning")
    page.select_option("#add-polarity", "strength")
    page.click("#add-confirm")
    page.wait_for_selector("#change-list li[title*='added-1']:has-text('add a strength finding to Learning')")
    _shot(page, "case-added")
    page.click("#save-labels")  # the applied set and the added sentence kept as labels for retraining
    page.wait_for_selector("#panel-error:has-text('correction(s) as labels in the workspace')")

    assert page.errors == []


def test_a_report_uploaded_from_the_page_opens_as_a_case(server, page):
    page.goto(server)
    page.set_input_files("#upload-file", str(CASES / "sources" / "lincolnshire-2023-cqc-la-pilot-assessment.txt"))
    page.click("#upload button[type=submit]")
    page.wait_for_url("**/cases/report-*")
    page.wait_for_selector("body[data-ready='1']")
    assert "Lincolnshire" in page.inner_text("h1")
    page.goto(server)
    page.set_input_files(
        "#upload-file", files=[{"name": "r.pdf", "mimeType": "application/pdf", "buffer": b"PK\x03\x04zip"}]
    )
    page.click("#upload button[type=submit]")
    page.wait_for_selector("#upload-error:has-text('ZIP')")
    assert page.url == server
    # the form's choices: the framework named and the cues alone read it
    page.set_input_files("#upload-file", str(CASES / "sources" / "lincolnshire-2023-cqc-la-pilot-assessment.txt"))
    page.select_option("#upload-framework", "cqc-la")
    page.select_option("#upload-reading", "cues")
    page.click("#upload button[type=submit]")
    page.wait_for_url("**/cases/report-*")
    page.wait_for_selector("body[data-ready='1']")
    assert "Lincolnshire" in page.inner_text("h1") and "by: reader" not in page.content()


def test_the_address_keeps_the_work_through_reload_back_and_a_shared_link(server, page):
    page.goto(server.rstrip("/") + "/cases/blackpool-2025")
    page.wait_for_selector("body[data-ready='1']")
    page.click("button.pick[data-statement='learning']")
    page.wait_for_selector("#detail[data-statement='learning']")
    page.click("#item-le10 button.drop")
    page.wait_for_selector("body[data-changes='1']")
    address = page.url
    assert "s=learning" in address and "c=" in address
    page.on("dialog", lambda d: d.accept())  # leaving with changes asks first
    page.reload()
    page.wait_for_selector("body[data-changes='1']")
    assert page.locator("td.derived[data-statement='learning']").inner_text().split()[0] == "2"
    page.go_back()  # the state before the drop
    page.wait_for_selector("body[data-changes='0']")
    assert page.locator("td.derived[data-statement='learning']").inner_text().strip() == "1"
    other = page.context.browser.new_page()  # a shared link opens the same work
    other.goto(address)
    other.wait_for_selector("body[data-changes='1']")
    assert other.locator("#detail[data-statement='learning']").count() == 1
    assert page.errors == []


def test_the_support_chart_opens_with_a_dot_for_every_published_score(page, tmp_path):
    """`consistency --reports -o chart.html`: one dot per published score, the least supported
    red and listed below with their weightiest finding."""
    from conftest import ROOT

    ofsted = ROOT.parent / "shared" / "ofsted-ilacs"
    reports = [ofsted / "reports" / f for f in ("barnsley-2018-11-19.pdf", "barnsley-2023-10-27.pdf")]
    chart = tmp_path / "support.html"
    obj = run_json(
        "consistency", "--reports", *map(str, reports), "--index", str(ofsted / "inspections.csv"), "-o", str(chart)
    )
    page.goto(chart.as_uri())
    low = [s for s in obj["scores"] if s["probability_of_published"] <= 0.25]
    assert page.locator("circle").count() == len(obj["scores"])
    assert page.locator("circle.low").count() == page.locator("tr.least").count() == len(low)
    assert page.locator("figure").count() == len({s["statement"] for s in obj["scores"]})
    assert not page.errors
    _shot(page, "support-chart")
