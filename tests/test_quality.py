"""The codebase's own checks, run with the tests: `mypy engine` with the settings in
pyproject.toml, `ruff check` and `ruff format --check`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def _tool(name: str) -> str:
    """The tool installed beside the Python running the tests (the test extras install it)."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is installed with the test extras (pip install -e '.[test]')"
    return found


def test_mypy_passes():
    got = subprocess.run([_tool("mypy"), "engine"], cwd=ROOT, capture_output=True, text=True)
    assert got.returncode == 0, got.stdout[-3000:]


def test_ruff_check_passes():
    got = subprocess.run([_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert got.returncode == 0, got.stdout[-3000:]


def test_code_is_formatted():
    got = subprocess.run([_tool("ruff"), "format", "--check", "."], cwd=ROOT, capture_output=True, text=True)
    assert got.returncode == 0, got.stdout[-3000:]


def test_every_type_ignore_says_why():
    import re

    bare = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in sorted((ROOT / "engine").rglob("*.py"))
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if "type: ignore" in line and not re.search(r"type: ignore\[[\w, -]+\]\s+#\s*\S", line)
    ]
    assert not bare, f"a type: ignore without its reason: {bare}"
