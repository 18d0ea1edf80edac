"""The README and docs/ are checked, not trusted: every `$ rederive ...` example in them runs
(exit 0; consistency: 1 with exceptions listed), every output line shown under an example is
in what it prints, the README stays short, and the Quickstart is what CI runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = sorted((ROOT / "docs").rglob("*.md"))
CONSOLE = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)


def examples(text: str) -> list[tuple[str, list[str]]]:
    """Each `$ rederive` line of a console block with the output lines shown under it."""
    out: list[tuple[str, list[str]]] = []
    for block in CONSOLE.findall(text):
        for line in block.splitlines():
            if line.startswith("$ rederive "):
                out.append((line.removeprefix("$ rederive "), []))
            elif out and line.strip():
                out[-1][1].append(line.strip())
    return out


ALL = [
    (path, cmd, shown)
    for path in [ROOT / "README.md", *DOCS]
    for cmd, shown in examples(path.read_text(encoding="utf-8"))
]


def test_there_are_examples():
    assert len(examples(README)) >= 10
    assert sum(1 for p, _, _ in ALL if p != ROOT / "README.md") >= 15


@pytest.mark.parametrize(("path", "line", "shown"), ALL, ids=[f"{p.name}:{c[:60]}" for p, c, _ in ALL])
def test_example_runs_and_prints_what_is_shown(path: Path, line: str, shown: list[str]):
    # in file order: later examples use earlier outputs (the README's first)
    argv = shlex.split(line, comments=True)
    shared = ROOT.parent / "shared"
    argv = [
        str(ROOT / "tests/data/cqc-la-ratings.csv") if a.startswith("../shared/") and not shared.exists() else a
        for a in argv
    ]
    code, out, err = run_cli(*argv)
    # consistency exits 1 when a published rating does not follow its rule (the Ofsted table has 8)
    assert code == 0 or (argv[0] == "consistency" and code == 1 and "Exceptions (" in out), err
    assert out.strip()
    printed = {ln.strip() for ln in out.splitlines()}
    missing = [s for s in shown if s not in printed]
    assert not missing, f"{path.name}: shown under `{line}` but not printed: {missing}"


def test_readme_is_short():
    assert len(README.splitlines()) <= 250


def test_docs_link_to_files_that_exist():
    for path in [ROOT / "README.md", *DOCS]:
        for target in re.findall(r"\]\(([^)#]+)\)", path.read_text(encoding="utf-8")):
            if "://" not in target:
                assert (path.parent / target).exists(), f"{path.name} links to {target}, which does not exist"


def test_every_command_is_in_the_commands_table():
    from engine.cli import COMMANDS

    table = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    for name in COMMANDS:
        assert f"| `{name} " in table or f"| `{name}`" in table, name


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    test_cmd = re.findall(r"^(python3 -m venv .+pytest)$", README, flags=re.MULTILINE)
    assert test_cmd and test_cmd[0] in ci


def test_output_excerpt_is_real():
    code, out, _ = run_cli("derive", "cases/blackpool-2025.yaml")
    for line in out.splitlines()[3:13]:
        assert line.strip() in README
