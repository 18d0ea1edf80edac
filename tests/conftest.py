from __future__ import annotations

import io
import json
import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from engine.cli import main

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases"
RULES = ROOT / "rules"
CQC = RULES / "cqc-la"
RATINGS = ROOT / "tests" / "data" / "cqc-la-ratings.csv"


def chromium(profile: Path) -> list[str]:
    """Headless Debian Chromium as root with a fresh profile and no background traffic (the
    machine has no network); CI installs it (.ci/run), elsewhere the test says it is missing."""
    import shutil

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: .ci/run must install it")
        pytest.skip("chromium not installed (apt-get install chromium); CI runs this test")
    return [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]


def browser_flags() -> tuple[str, list[str]]:
    """Debian's chromium for Playwright (`executable_path`) and the flags `chromium` uses."""
    exe, *flags = chromium(Path("/nonexistent"))
    return exe, [f for f in flags if not f.startswith("--user-data-dir")]


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def run_json(*argv: str):
    code, out, err = run_cli(*argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(autouse=True)
def _no_color(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="session")
def pack():
    from engine.model.pack import load_pack

    return load_pack(CQC)


@pytest.fixture(scope="session")
def packs():
    from engine.model.locate import Packs

    return Packs(RULES)


def load(path: Path, packs):
    from engine.model.case import load_case

    return load_case(path, packs.pack_for(path.parent))


__all__ = ["CASES", "CQC", "RATINGS", "ROOT", "RULES", "load", "os", "run_cli", "run_json"]


@pytest.fixture()
def corpus(tmp_path: Path) -> tuple[Path, Path]:
    """A folder of two statement pages and an index of their published scores (and one page missing)."""
    import shutil

    pages = tmp_path / "pages"
    pages.mkdir()
    for f in (ROOT / "tests" / "data" / "reports").glob("*.txt"):
        shutil.copy(f, pages / f.name)
    index = tmp_path / "index.tsv"
    index.write_text(
        "file\tcouncil\tstatement\tpublished\tsource\n"
        "blackpool-2025-learning-improvement-innovation.txt\tBlackpool\tlearning\t1\tx\n"
        "blackpool-2025-partnerships-communities.txt\tBlackpool\tpartnerships\t2\tx\n"
        "not-here.txt\tElsewhere\tlearning\t3\tx\n"
    )
    return pages, index


@contextmanager
def serving(*args: str):
    """`rederive serve ARGS` started as a user starts it, stopped after the block."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "serve", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)
