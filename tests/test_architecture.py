"""The architecture is kept, not hoped for: the import contracts of pyproject.toml hold,
no function of engine/ is a wall of code, no module outgrows a few hundred lines, and no
module leans on a private module of the standard library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE = sorted((ROOT / "engine").rglob("*.py"))
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 400


def _lint_imports(config: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(exe), "--config", str(config), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_import_contracts_are_kept():
    done = _lint_imports(ROOT / "pyproject.toml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_a_broken_contract_fails(tmp_path: Path):
    """The check can fail: a layer order read upside down (base above cli) is broken."""
    text = (ROOT / "pyproject.toml").read_text()
    start = text.index("[tool.importlinter]")
    contracts = text[start:]
    layers = contracts[contracts.index("layers = [") : contracts.index("]", contracts.index("layers = ["))]
    lines = layers.splitlines()
    upside_down = "\n".join([lines[0], *reversed(lines[1:])]) + "\n"
    config = tmp_path / "pyproject.toml"
    config.write_text(contracts.replace(layers, upside_down))
    done = _lint_imports(config)
    assert done.returncode != 0
    assert "engine layers BROKEN" in done.stdout


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: str(p.relative_to(ROOT / "engine")))
def test_no_wall_of_code(path: Path):
    text = path.read_text()
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{path.name}: over {MAX_MODULE_LINES} lines: split it"
    long = [
        (f.name, f.end_lineno - f.lineno + 1)
        for f in _functions(ast.parse(text))
        if f.end_lineno - f.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"{path.name}: functions over {MAX_FUNCTION_LINES} lines: {long}"


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: str(p.relative_to(ROOT / "engine")))
def test_no_private_standard_library_module(path: Path):
    tree = ast.parse(path.read_text())
    private = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        top = {n.split(".")[0] for n in names}
        if top & set(sys.stdlib_module_names):
            private += [n for n in names if any(part.startswith("_") and part != "__future__" for part in n.split("."))]
    assert not private, f"{path.name} imports private standard-library modules: {private}"


def test_every_command_is_a_module_of_the_cli_package():
    from engine.cli import COMMANDS

    for name in COMMANDS:
        assert (ROOT / "engine" / "cli" / f"{name.replace('-', '_')}.py").is_file(), name
