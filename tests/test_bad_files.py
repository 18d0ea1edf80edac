"""One bad file per loader mistake, each refused with its expected, located message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_cli

BAD = Path(__file__).parent / "bad" / "cases"
NO_HEADER = {"empty.yaml": "empty file: expected a YAML mapping"}


def _expected(path: Path) -> str:
    if path.name in NO_HEADER:
        return NO_HEADER[path.name]
    first = path.read_bytes().split(b"\n", 1)[0].decode("ascii")
    m = re.match(r"# expect: (.*)", first)
    assert m, f"{path.name} has no '# expect:' line"
    return m.group(1)


FILES = sorted(BAD.glob("*.yaml"))


def test_corpus_is_there():
    assert len(FILES) >= 30


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_bad_case_refused_with_message(path: Path):
    code, out, err = run_cli("check", str(path))
    assert code == 1
    assert _expected(path) in out, out
    assert "Traceback" not in out + err
    # every problem is located: file:line:col
    first = out.splitlines()[0]
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: ", first), first


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_derive_refuses_bad_case_without_traceback(path: Path):
    code, out, err = run_cli("derive", str(path))
    assert code == 1
    assert err.startswith("error: ")
    assert "Traceback" not in err


TABLES = sorted((Path(__file__).parent / "bad" / "tables").glob("*.yaml"))
TOY = Path(__file__).parent / "fixtures" / "rules" / "toy"


@pytest.mark.parametrize("path", TABLES, ids=[p.name for p in TABLES])
def test_bad_tables_file_refused_with_message(path: Path, tmp_path: Path):
    """One tables.yaml per mistake, dropped into a copy of the toy pack."""
    import shutil

    root = tmp_path / "toy"
    shutil.copytree(TOY, root)
    shutil.copy(path, root / "tables.yaml")
    code, out, err = run_cli("check", str(root))
    assert code == 1
    assert _expected(path) in out, out
    assert re.search(r"tables\.yaml:\d+:\d+: \[tables\[0\]", out), out
    assert "Traceback" not in out + err
