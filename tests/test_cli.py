"""The command line, in-process: exit codes, formats, NO_COLOR, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import CASES, CQC, RATINGS, ROOT, run_cli

BLACKPOOL = str(CASES / "blackpool-2025.yaml")


@pytest.mark.parametrize(
    "argv",
    [
        ["derive", BLACKPOOL],
        ["explain", BLACKPOOL, "--statement", "safeguarding"],
        ["diff", str(CASES), "--framework", "cqc-la"],
        ["consistency", "--ratings", str(RATINGS)],
        ["check", str(CQC), BLACKPOOL],
    ],
)
def test_every_command_has_table_and_json(argv):
    code, out, err = run_cli(*argv)
    assert code == 0, err
    assert out.strip() and "\x1b[" not in out  # NO_COLOR is set by the fixture
    code, out, err = run_cli(*argv, "--format", "json")
    assert code == 0, err
    json.loads(out)


def test_derive_table_shows_match_and_percentage():
    _, out, _ = run_cli("derive", BLACKPOOL)
    assert "assessing_needs" in out and "✓" in out
    assert "overall: derived inadequate (p " in out and "· published inadequate" in out
    assert "12/36 = 33.33%" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "a command is required"),
        (["derive"], "the following arguments are required: CASE"),
        (["derive", BLACKPOOL, "--format", "xml"], "invalid choice: 'xml'"),
        (["explain", BLACKPOOL, "--statement", "safegarding"], "did you mean 'safeguarding'?"),
        (["diff", str(ROOT / "engine")], "no case files"),
    ],
)
def test_usage_errors_exit_2(argv, message):
    code, out, err = run_cli(*argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_missing_file_exits_1_with_message():
    code, _, err = run_cli("derive", "nothere.yaml")
    assert code == 1 and err.startswith("error: nothere.yaml: cannot read file")


def test_console_script_and_module_entry_points():
    for cmd in (["rederive"], [sys.executable, "-m", "engine"]):
        exe = cmd if cmd[0] != "rederive" else [str(ROOT / ".venv" / "bin" / "rederive")]
        if exe[0].endswith("rederive") and not (ROOT / ".venv" / "bin" / "rederive").exists():
            exe = [sys.executable, "-m", "engine"]
        res = subprocess.run(
            exe + ["derive", BLACKPOOL, "--format", "json"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
        )
        assert res.returncode == 0, res.stderr
        assert json.loads(res.stdout)[0]["overall"]["derived"] == "inadequate"


def test_inputs_are_never_modified(tmp_path):
    before = {p: p.read_bytes() for p in CASES.rglob("*") if p.is_file()}
    for argv in (["derive", str(CASES)], ["explain", BLACKPOOL], ["diff", str(CASES)], ["check", str(CASES)]):
        run_cli(*argv)
    assert before == {p: p.read_bytes() for p in CASES.rglob("*") if p.is_file()}


def test_no_color_is_honoured_even_on_a_forced_terminal(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    _, coloured, _ = run_cli("derive", BLACKPOOL)
    assert "\x1b[" in coloured  # the check below could fail
    monkeypatch.setenv("NO_COLOR", "1")
    _, plain, _ = run_cli("derive", BLACKPOOL)
    assert "\x1b[" not in plain


def test_consistency_detects_the_framework_from_columns(tmp_path):
    code, _, err = run_cli("consistency", "--ratings", str(CASES / "blackpool-2025.yaml"))
    assert code == 2 and "name it with --framework" in err


def test_every_command_is_listed_and_has_json():
    from engine.cli import COMMANDS, build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)
    for name, parser in sub.choices.items():
        fmt = next(a for a in parser._actions if a.dest == "format")
        assert "json" in fmt.choices, name
