"""The explorer in a real browser: Playwright driving Debian's chromium against
`rederive serve` started as a user starts it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import CASES, ROOT, browser_flags, run_json, serving

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


def _open_case(pg, url: str, statement: str | None = None) -> None:
    pg.goto(f"{url.rstrip('/')}/cases/blackpool-2025")
    pg.wait_for_selector("body[data-ready='1']")
    if statement:
        pg.click(f"button.pick[data-statement='{statement}']")
        pg.wait_for_selector(f"#detail[data-statement='{statement}']")


def test_a_brief_made_with_a_change_names_it_first_and_a_partial_case_has_no_rating(server, page, tmp_path):
    """Item 1: a brief downloaded after a change states it (with its quote) before any score;
    a case of one statement page shows no overall rating as if the council's."""
    _open_case(page, server, "learning")
    page.click("#item-le10 button.drop")
    page.wait_for_selector("body[data-changes='1']")
    with page.expect_download() as dl:
        page.click("button.brief[data-kind='md']")
    brief = tmp_path / "brief.md"
    dl.value.save_as(brief)
    head = brief.read_text(encoding="utf-8")[:1500]
    assert "These scores rest on 1 hypothetical change(s) to the report's evidence" in head
    assert "leave out this finding [drop le10]" in head and "People with lived experience" in head
    assert head.index("leave out this finding") < head.index("## Process checks")
    page.on("dialog", lambda d: d.accept())
    page.goto(server)
    page.set_input_files(
        "#upload-file", str(ROOT / "tests" / "data" / "reports" / "blackpool-2025-learning-improvement-innovation.txt")
    )
    page.click("#upload button[type=submit]")
    page.wait_for_url("**/cases/report-*")
    page.wait_for_selector("body[data-ready='1']")
    assert "This case covers 1 of 9 quality statements" in page.inner_text("#coverage")
    assert "Overall: no rating (over 1 of 9 quality statements: 1/4" in page.inner_text("#overall")
    _shot(page, "partial-case")
    page.goto(server)
    assert page.locator("td.partial:has-text('no rating: 1 of 9 quality statements')").count() == 1
    assert page.errors == []


def test_the_most_arguable_sets_ten_at_a_time_and_never_a_dead_end(server, page):
    """Item 2: sets ten at a time in one ranking; a target out of reach shows the closest set
    (which applies) and a button for the least bound worth searching."""
    _open_case(page, server)
    page.select_option("#take-target", "overall=requires_improvement")
    page.fill("#take-max", "2")
    page.click("#take-form button[type=submit]")
    page.wait_for_selector("#take-result .more")
    sets = page.locator("#take-result ol.sets > li")
    assert sets.count() == 10
    first_ten = [t.split("apply as a what-if")[0] for t in sets.all_inner_texts()]
    page.click("#take-result .more")
    page.wait_for_selector("#take-result ol.sets > li:nth-child(20)")
    assert sets.count() == 20
    assert [t.split("apply as a what-if")[0] for t in sets.all_inner_texts()][:10] == first_ten
    assert "20 of 481 shown" in page.inner_text("#take-result .more-sets")
    plaus = [
        float(t)
        for t in page.locator("#take-result ol.sets > li > span.meta").all_inner_texts()
        for t in [t.split()[-1]]
    ]
    assert plaus == sorted(plaus, reverse=True)
    _shot(page, "sets-twenty")

    page.select_option("#take-target", "overall=good")
    page.fill("#take-max", "3")
    page.click("#take-form button[type=submit]")
    page.wait_for_selector("#out-of-reach")
    assert "The closest with at most 3" in page.inner_text("#take-result")
    page.click("#take-result .bound[data-max='4']")  # the next bound, searched at once
    page.wait_for_selector("#take-result .bound[data-max='5']")
    assert page.input_value("#take-max") == "4"
    _shot(page, "out-of-reach")
    page.locator("#closest .apply-set").click()  # the closest set applies as a what-if
    page.wait_for_selector("body:not([data-changes='0'])")
    assert page.inner_text("#overall-derived") == "Requires improvement"
    # the sets were searched from the case before the change: they are not left as if current
    assert "search again" in page.inner_text("#take-result .stale")
    assert page.locator("#take-result .apply-set").count() == 0
    assert page.errors == []


def test_the_case_page_reads_in_plain_words(server, page):
    """Item 3: names, not ids; rules by their reason; why-not as sentences; ids in tooltips."""
    _open_case(page, server, "learning")
    text = page.inner_text("main")
    for jargon in ("hit policy", "collect_min", "people_experience", "requires_improvement", "shortfall_share >="):
        assert jargon not in text, jargon
    assert page.inner_text("button.pick[data-statement='learning']") == "Learning, improvement and innovation"
    assert (
        page.locator("#detail .card[data-category='people_experience'] h3")
        .inner_text()
        .startswith("People's experience")
    )
    why = page.locator(".why-not li").first
    assert why.inner_text().startswith("To reach 2 (Requires improvement), people's experience would need to score 2")
    assert "shortfall_share" in (why.get_attribute("title") or "")
    page.click("#item-le10 button.drop")
    page.wait_for_selector("body[data-changes='1']")
    change = page.locator("#change-list li").first
    assert change.inner_text().startswith("leave out this finding (line 965)")
    assert change.get_attribute("title") == "drop le10"
    _shot(page, "plain-words")
    assert page.errors == []


def test_an_upload_is_listed_by_council_after_a_restart_and_opens(page, tmp_path):
    """Item 4: the workspace keeps the upload; a restarted server lists it by council and its
    address still answers."""
    ws = str(tmp_path / "workspace")
    with serving("--port", "0", "--format", "json", "--workspace", ws) as proc:
        url = json.loads(proc.stdout.readline())["url"]
        page.goto(url)
        page.set_input_files("#upload-file", str(CASES / "sources" / "lincolnshire-2023-cqc-la-pilot-assessment.txt"))
        page.click("#upload button[type=submit]")
        page.wait_for_url("**/cases/report-*")
        page.wait_for_selector("body[data-ready='1']")  # loaded in full before this server stops
        address = page.url
    with serving("--port", "0", "--format", "json", "--workspace", ws) as proc:
        url = json.loads(proc.stdout.readline())["url"]
        page.goto(url)
        row = page.locator("table.cases tbody tr:has-text('lincolnshire-2023-cqc-la-pilot-assessment.txt')")
        assert row.count() == 1 and "Lincolnshire" in row.inner_text()
        _shot(page, "restarted")
        row.locator("a").click()
        page.wait_for_selector("body[data-ready='1']")
        assert "Lincolnshire" in page.inner_text("h1")
        assert page.url.split("/cases/")[1] == address.split("/cases/")[1]
    assert page.errors == []


def test_consistency_is_linked_sortable_and_leads_to_the_case(page, tmp_path):
    """Item 5: with --ratings, every page links the consistency view; it sorts by a column and
    each council served links to its case."""
    ratings = ROOT / "tests" / "data" / "cqc-la-ratings.csv"
    with serving(
        "--port", "0", "--format", "json", "--workspace", str(tmp_path / "ws"), "--ratings", str(ratings)
    ) as proc:
        url = json.loads(proc.stdout.readline())["url"]
        _open_case(page, url)
        page.click("header >> text=consistency of the published ratings")
        page.wait_for_selector("table")
        table = page.locator("table:has(a[href='/cases/blackpool-2025'])")
        heading = table.locator("tr").first.locator("th").first
        before = table.locator("tr").nth(1).inner_text()
        heading.click()
        heading.click()
        assert table.locator("tr").nth(1).inner_text() != before  # sorted, then reversed
        _shot(page, "consistency")
        page.click("a[href='/cases/blackpool-2025']")
        page.wait_for_selector("body[data-ready='1']")
        assert "Blackpool" in page.inner_text("h1")
    assert page.errors == []


@pytest.mark.parametrize("width,height", [(1280, 800), (1440, 900), (1920, 1080)])
def test_the_layout_at_common_widths(server, page, width, height):
    """Item 8: the overall and the statement table above the fold, no column clipped, the
    search offering a rating the case does not have, the quoted sentence marked within its
    paragraph, and the page under 200 KB on the wire."""
    page.set_viewport_size({"width": width, "height": height})
    _open_case(page, server)
    box = page.evaluate(
        """() => { const t = document.querySelector('table.statements').getBoundingClientRect();
        const p = document.querySelector('#panel');
        const nav = performance.getEntriesByType('navigation')[0];
        return {bottom: t.bottom, scroll: p.scrollWidth, client: p.clientWidth, bytes: nav.transferSize}; }"""
    )
    assert box["bottom"] <= height and box["scroll"] <= box["client"], box
    assert 0 < box["bytes"] < 200_000, box
    assert page.input_value("#take-target") != "overall=" + page.get_attribute("#overall-derived", "data-rating")
    mark = page.locator("#report .line.cited mark").first
    line = mark.locator("xpath=ancestor::p[1]")
    assert len(mark.inner_text()) < len(line.inner_text())  # a sentence, not the paragraph
    item = line.get_attribute("data-items").split()[0]
    page.click(f"button.pick[data-statement='{line.get_attribute('data-statement')}']")
    page.wait_for_selector(f"#item-{item}")
    assert (
        page.locator(f'#report .line.cited mark:text-is("{page.inner_text(f"#item-{item} blockquote")}")').count() >= 1
    )
    _shot(page, f"layout-{width}")
    assert page.errors == []
