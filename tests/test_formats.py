"""Reports as users have them: the Blackpool report as text, as a saved web page in CQC's
structure with page furniture around it, as a PDF printed by headless Chromium (running
headers and footers, page numbers), and as a council's statement pages merged: the same
scores every way, items that differ only in their citations; bad files refused clearly."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import CASES, ROOT, chromium, run_cli, run_json

from engine.ingest.readers import read_report

TEXT = CASES / "sources" / "blackpool-2025-cqc-la-assessment.txt"
FURNITURE = (
    "We use cookies on this site. The local authority was not effective at accepting them.",
    "Staff told us there were significant delays in another council entirely.",
    "Risks were not managed by this footer.",
)


def _blocks(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        m = re.match(r"^(#+)\s*(.*)$", s)
        if m:
            level = min(len(m.group(1)) + 1, 6)
            out.append(f"<h{level}>{html.escape(m.group(2))}</h{level}>")
        elif s.startswith(("- ", "* ")):
            out.append(f"<ul><li><a href='#'>{html.escape(s[2:])}</a></li></ul>")
        else:
            out.append(f"<p>{html.escape(s)}</p>")
    return out


def web_page(text: str, title: str) -> str:
    """CQC's page structure, with what a saved page carries around its content."""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>" + html.escape(title) + "</title>"
        "<script>var x = 'Key findings for this quality statement: people were not safe';</script>"
        "<style>p{margin:0 0 1em}</style></head><body>"
        f"<div id='cookie-banner' class='cookie-consent'><p>{FURNITURE[0]}</p><button>Accept</button></div>"
        "<header class='site-header'><nav><ul><li><a href='/'>Home</a></li><li>Find and compare services</li></ul></nav></header>"
        "<nav class='breadcrumb'><ol><li>Home</li><li>Local authority assessments</li></ol></nav>"
        "<main id='main-content'><article>" + "".join(_blocks(text)) + "</article></main>"
        f"<aside class='related'><p>{FURNITURE[1]}</p></aside>"
        f"<footer class='site-footer'><p>{FURNITURE[2]}</p><p>© Care Quality Commission</p></footer>"
        "</body></html>"
    )


def print_page(text: str, title: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>" + html.escape(title) + "</title>"
        "<style>body{font:14px serif}</style></head><body><main>" + "".join(_blocks(text)) + "</main></body></html>"
    )


def print_pdf(page: Path, pdf: Path, profile: Path) -> None:
    """Print a page to PDF in headless Chromium, with its running header (date, title) and
    footer (address, page x/y): the page furniture a reader must leave out."""
    subprocess.run(
        [*chromium(profile), f"--print-to-pdf={pdf}", page.as_uri()], capture_output=True, timeout=180, check=False
    )
    assert pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-"


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> dict[str, Path]:
    """The Blackpool report extracted as text, web page and PDF (each into its own folder)."""
    work = tmp_path_factory.mktemp("formats")
    text = TEXT.read_text(encoding="utf-8")
    (work / "blackpool.html").write_text(web_page(text, TEXT.stem), encoding="utf-8")
    (work / "print.html").write_text(print_page(text, TEXT.stem), encoding="utf-8")
    print_pdf(work / "print.html", work / "blackpool.pdf", work / "profile")
    out = {}
    for kind, src in (("text", TEXT), ("html", work / "blackpool.html"), ("pdf", work / "blackpool.pdf")):
        target = work / kind / "blackpool.yaml"
        code, _, err = run_cli("extract", str(src), "-o", str(target))
        assert code == 0, err
        out[kind] = target
    return out


def _items(case: Path) -> list[tuple]:
    data = yaml.safe_load(case.read_text(encoding="utf-8"))
    return [(it["statement"], it["category"], it["polarity"], " ".join(it["quote"].split())) for it in data["items"]]


def _scores(case: Path) -> tuple[list, str]:
    [obj] = run_json("derive", str(case))
    return [(s["id"], s["derived"]) for s in obj["statements"]], obj["overall"]["derived"]


def test_a_web_page_reads_as_the_text_does(versions):
    assert _scores(versions["html"]) == _scores(versions["text"])
    assert _items(versions["html"]) == _items(versions["text"])  # the same items, in order: only citations differ
    rendering = (versions["html"].parent / "sources" / "blackpool.txt").read_text(encoding="utf-8")
    assert (
        not any(f in rendering for f in FURNITURE) and "var x" not in rendering and "Find and compare" not in rendering
    )
    assert (versions["html"].parent / "sources" / "blackpool.html").is_file()  # the original, unchanged, beside it


def test_a_pdf_reads_as_the_text_does(versions):
    assert _scores(versions["pdf"]) == _scores(versions["text"])
    text, pdf = _items(versions["text"]), _items(versions["pdf"])
    # PDF paragraphs are rebuilt from visual lines: all but a handful of sentences come back whole
    assert len(set(text) & set(pdf)) >= 0.98 * len(text), (len(set(text) - set(pdf)), len(set(pdf) - set(text)))
    rendering = (versions["pdf"].parent / "sources" / "blackpool.txt").read_text(encoding="utf-8").splitlines()
    assert not any(
        ln.startswith("file://") or re.search(r"\b\d+/\d+$", ln) for ln in rendering
    )  # footer and page x/y gone
    assert sum(1 for ln in rendering if ln.startswith("=== page ")) > 20


def test_items_from_a_pdf_record_their_page_and_the_page_is_checked(versions, tmp_path):
    data = yaml.safe_load(versions["pdf"].read_text(encoding="utf-8"))
    pages = [it["source"]["page"] for it in data["items"]]
    assert all(isinstance(p, int) and p >= 1 for p in pages) and pages == sorted(pages)
    explained = run_json("explain", str(versions["pdf"]), "--statement", "learning")
    assert all("page" in e for c in explained["statements"][0]["categories"] for e in c["evidence"])
    code, out, _ = run_cli("explain", str(versions["pdf"]), "--statement", "learning")
    assert re.search(r"blackpool\.txt:\d+ \(p\. \d+\)", out)
    # a wrong page is refused when the case loads, like a wrong line
    bad = tmp_path / "case"
    shutil.copytree(versions["pdf"].parent, bad)
    text = (bad / "blackpool.yaml").read_text(encoding="utf-8")
    first = data["items"][0]["source"]["page"]
    (bad / "blackpool.yaml").write_text(text.replace(f"page: {first}\n", f"page: {first + 5}\n", 1), encoding="utf-8")
    code, _, err = run_cli("derive", str(bad / "blackpool.yaml"))
    assert code == 1 and f"not {first + 5}" in err and "Traceback" not in err


def test_a_councils_statement_pages_merge_into_one_case(tmp_path):
    """The nine statement pages (web pages, one per statement) and the summary page, merged:
    every statement present, the published scores of all pages, the same derived scores."""
    from engine.ingest.cues import load_cues
    from engine.ingest.extract import sections
    from engine.model.pack import load_pack

    cues = load_cues(load_pack(ROOT / "rules" / "cqc-la"))
    lines = TEXT.read_text(encoding="utf-8").splitlines()
    longest = {}
    for sec in sections(cues, lines):
        if sec.end - sec.start > longest.get(sec.statement, (0, 0, 0))[2]:
            longest[sec.statement] = (sec.start, sec.end, sec.end - sec.start)
    pages = []
    for sid, (start, end, _) in sorted(longest.items()):
        page = tmp_path / f"{sid}.html"
        title = next(ln for ln in lines if ln.strip())  # "# Blackpool Council: local authority assessment"
        page.write_text(web_page("\n".join([title, *lines[start:end]]), sid), encoding="utf-8")
        pages.append(page)
    code, _, err = run_cli("extract", "--merge", *map(str, pages), "-o", str(tmp_path / "out" / "merged.yaml"))
    assert code == 0, err
    [obj] = run_json("derive", str(tmp_path / "out" / "merged.yaml"))
    assert all(s["assessed"] for s in obj["statements"]) and len(obj["statements"]) == 9
    assert all(s["published"] is not None for s in obj["statements"])
    assert _scores(tmp_path / "out" / "merged.yaml")[0] == [
        (s["id"], s["derived"]) for s in run_json("derive", str(_extract_text(tmp_path)))[0]["statements"]
    ]


def _extract_text(tmp_path: Path) -> Path:
    target = tmp_path / "text" / "blackpool.yaml"
    code, _, err = run_cli("extract", str(TEXT), "-o", str(target))
    assert code == 0, err
    return target


def test_pages_of_different_councils_are_not_merged(tmp_path):
    a = ROOT / "tests" / "data" / "reports" / "blackpool-2025-partnerships-communities.txt"
    other = tmp_path / "other.txt"
    other.write_text(
        a.read_text(encoding="utf-8").replace(
            "Blackpool Council: local authority", "Elsewhere Council: local authority"
        ),
        encoding="utf-8",
    )
    learning = ROOT / "tests" / "data" / "reports" / "blackpool-2025-learning-improvement-innovation.txt"
    code, _, err = run_cli("extract", "--merge", str(learning), str(other), "-o", str(tmp_path / "m.yaml"))
    assert code == 1 and "merge the pages of one council" in err and not (tmp_path / "m.yaml").exists()
    code, _, err = run_cli("extract", "--merge", str(a), str(a), "-o", str(tmp_path / "m.yaml"))
    assert code == 1 and "one page per statement" in err
    code, _, err = run_cli("extract", str(a), str(learning), "-o", str(tmp_path / "m.yaml"))
    assert code == 2 and "--merge" in err


def _pdf_bytes(text_pages: list[str], encrypt: bool = False) -> bytes:
    """A small PDF made here: one text line per page (Helvetica), optionally password-protected."""
    import pypdfium2.raw as raw  # noqa: F401  (pdfium can read, not write encryption: built by hand below)

    objs = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for i, t in enumerate(text_pages):
        page_no, content_no = 3 + 2 * i, 4 + 2 * i
        kids.append(f"{page_no} 0 R")
        stream = f"BT /F1 12 Tf 72 720 Td ({t}) Tj ET"
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_no} 0 R "
            f"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"
        )
        objs.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objs[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    trailer = f"<< /Size {len(objs) + 1} /Root 1 0 R"
    if encrypt:  # an encryption dictionary pdfium cannot open without the password
        trailer += " /Encrypt << /Filter /Standard /V 1 /R 2 /O (0123456789abcdef0123456789abcdef) /U (0123456789abcdef0123456789abcdef) /P -4 >> /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]"
    out += f"trailer\n{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.html", b"   \n\n", "empty file"),
        ("picture.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not a report but a PNG image"),
        ("report.txt", b"PK\x03\x04" + b"\x00" * 64, "a ZIP archive"),
        ("latin1.txt", "Caf\u00e9 not UTF-8".encode("latin-1"), "not UTF-8 text"),
        ("broken.pdf", b"%PDF-1.7\n this is not a PDF at all", "corrupt or unreadable PDF"),
        (
            "minutes.html",
            b"<html><body><main><p>Minutes of the meeting. Nothing was decided.</p></main></body></html>",
            "cannot tell which framework",
        ),
    ],
)
def test_bad_files_are_refused_clearly(tmp_path, name, content, message):
    src = tmp_path / name
    src.write_bytes(content)
    target = tmp_path / "out" / "case.yaml"
    code, out, err = run_cli("extract", str(src), "-o", str(target))
    assert code == 1 and message in err and name in err, err
    assert "Traceback" not in err and not target.exists()


def test_a_scanned_or_encrypted_pdf_is_refused(tmp_path):
    scanned = tmp_path / "scanned.pdf"
    scanned.write_bytes(_pdf_bytes(["", "", ""]))
    code, _, err = run_cli("extract", str(scanned), "-o", str(tmp_path / "a.yaml"), "--framework", "cqc-la")
    assert code == 1 and "no text layer" in err
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(_pdf_bytes(["Blackpool Council: local authority assessment"], encrypt=True))
    code, _, err = run_cli("extract", str(locked), "-o", str(tmp_path / "b.yaml"), "--framework", "cqc-la")
    assert code == 1 and ("encrypted PDF" in err or "corrupt" in err), err


def test_a_page_with_no_statement_is_refused_with_what_was_looked_for(tmp_path):
    page = tmp_path / "summary.html"
    page.write_bytes(
        b"<html><body><main><h1>Blackpool Council: local authority assessment</h1>"
        b"<p>Quality statement scores were published in the Care Act assessment.</p></main></body></html>"
    )
    code, _, err = run_cli("extract", str(page), "-o", str(tmp_path / "s.yaml"))
    assert code == 1 and "no findings found: no quality statement heading the pack knows (Assessing needs" in err
    assert "the headings found were: Blackpool Council: local authority assessment" in err
    assert not (tmp_path / "s.yaml").exists()


def test_derive_imports_no_format_library():
    code = (
        "import sys; from engine.cli import main; main(['derive', 'cases/blackpool-2025.yaml', '--format', 'json'], "
        "out=open('/dev/null', 'w')); bad = [m for m in sys.modules if m.split('.')[0] in ('selectolax', 'pypdfium2')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_web_page_in_another_declared_encoding(tmp_path):
    page = tmp_path / "latin.html"
    page.write_bytes(
        "<html><head><meta charset='iso-8859-1'></head><body><main><p>Café society</p></main></body></html>".encode(
            "latin-1"
        )
    )
    assert "Café society" in read_report(page).text
