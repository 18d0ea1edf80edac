"""Rule tests as data: `rules/<pack>/tests/*.yaml`, run by `rederive test` and collected by pytest.

An entry gives evidence items (short form: category, polarity, tags, metric, count) or
feature values for one table, and the expected category scores, kept rows, statement
scores and overall rating. A failure names file:line, expected vs got, and the explanation
of the cell that disagreed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from engine.analysis.scenario import Change, apply
from engine.base.errors import LoadError, Problem
from engine.base.models import Strict, validated
from engine.base.yamlio import Document, load_yaml
from engine.evaluation.derive import Derivation, derive, evaluate_table
from engine.model.case import Item, Metric, SourceRef
from engine.model.expr import suggest
from engine.model.pack import Pack, load_pack


class TestMetric(Strict):
    comparison: str
    name: str = "metric"
    value: float | str = 0


class TestItem(Strict):
    statement: str | None = None
    category: str
    polarity: Literal["strength", "shortfall", "mixed"]
    tags: list[str] = []
    metric: TestMetric | None = None
    count: int = Field(default=1, ge=1, le=1000)


class Expect(Strict):
    categories: dict[str, int | None] = {}  # "statement.category": score
    rows: dict[str, str | None] = {}  # "statement.category": kept row id, or "default"
    statements: dict[str, int | None] = {}
    overall: str | None = None
    score: int | None = None  # features form: the table's score
    row: str | None = None  # features form: the kept row


class TestScenario(Strict):
    """Changes applied to the test's items (ids are t<entry>.<copy>, e.g. t0.0) before deriving."""

    changes: list[Change]


class RuleTest(Strict):
    name: str
    statement: str | None = None
    items: list[TestItem] | None = None
    scenario: TestScenario | None = None
    table: str | None = None
    features: dict[str, float | int | bool] | None = None
    expect: Expect


class RuleTestFile(Strict):
    tests: list[RuleTest] = Field(min_length=1)


@dataclass
class Outcome:
    file: str
    line: int | None
    name: str
    passed: bool
    mismatches: list[str] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)

    def summary(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        if self.passed:
            return f"{where}: PASS {self.name}"
        return "\n".join(
            [
                f"{where}: FAIL {self.name}",
                *(f"  {m}" for m in self.mismatches),
                *(f"  | {e}" for e in self.explanation),
            ]
        )


def pack_of(test_file: Path) -> Path:
    """rules/<pack>/tests/x.yaml belongs to rules/<pack>."""
    return test_file.parent.parent


def is_rule_test_file(path: Path) -> bool:
    return path.suffix == ".yaml" and path.parent.name == "tests" and (path.parent.parent / "pack.yaml").is_file()


def load_tests(path: Path) -> tuple[Document, RuleTestFile]:
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        raise LoadError("expected a mapping", [doc.problem((), "expected a mapping with 'tests:'")])
    return doc, validated(doc, RuleTestFile)


def _vocab_problems(doc: Document, i: int, t: RuleTest, pack: Pack) -> list[Problem]:
    out = []
    base = ("tests", i)
    if t.statement is not None and t.statement not in pack.statement_ids:
        out.append(
            doc.problem(
                base + ("statement",), f"unknown statement {t.statement!r}{suggest(t.statement, pack.statement_ids)}"
            )
        )
    for j, it in enumerate(t.items or []):
        sid = it.statement or t.statement
        if sid is None:
            out.append(doc.problem(base + ("items", j), "item needs a statement (on the item or the test)"))
        elif sid not in pack.statement_ids:
            out.append(
                doc.problem(
                    base + ("items", j, "statement"), f"unknown statement {sid!r}{suggest(sid, pack.statement_ids)}"
                )
            )
        if it.category not in pack.category_ids:
            out.append(
                doc.problem(
                    base + ("items", j, "category"),
                    f"unknown category {it.category!r}{suggest(it.category, pack.category_ids)}",
                )
            )
        for k, tag in enumerate(it.tags):
            if tag not in pack.tag_ids:
                out.append(
                    doc.problem(
                        base + ("items", j, "tags", k), f"unknown tag {tag!r}{suggest(tag, sorted(pack.tag_ids))}"
                    )
                )
    if (t.items is None) == (t.features is None):
        out.append(doc.problem(base, "a rule test gives exactly one of 'items' or 'features'"))
    if t.features is not None:
        ids = [ct.table.id for ct in pack.tables]
        if t.table not in ids:
            out.append(doc.problem(base + ("table",), f"unknown table {t.table!r}{suggest(str(t.table), ids)}"))
        for name in t.features:
            if name not in pack.feature_by_name:
                out.append(
                    doc.problem(
                        base + ("features", name),
                        f"unknown feature {name!r}{suggest(name, list(pack.feature_by_name))}",
                    )
                )
    return out


def _items(t: RuleTest) -> list[Item]:
    out: list[Item] = []
    for j, it in enumerate(t.items or []):
        for k in range(it.count):
            metric = (
                Metric(name=it.metric.name, value=it.metric.value, comparison=it.metric.comparison)
                if it.metric
                else None
            )
            out.append(
                Item(
                    id=f"t{j}.{k}",
                    statement=it.statement or t.statement or "",
                    category=it.category,
                    polarity=it.polarity,
                    tags=list(it.tags),
                    metric=metric,
                    quote="(rule test)",
                    source=SourceRef(file="(rule test)", line=1),
                )
            )
    return out


def _explain_cell(der: Derivation, statement: str, category: str) -> list[str]:
    st = der.statement(statement)
    for c in st.cells:
        if c.category == category:
            rows = ", ".join(f"{r.id}{'*' if r.kept else '+' if r.fired else ''}" for r in c.rows)
            feats = ", ".join(f"{k}={v}" for k, v in c.features.items())
            return [
                f"{statement}.{category}: table {c.table}, kept {c.kept} (rows: {rows}; * kept, + fired)",
                f"features: {feats}",
            ]
    return [f"{statement}.{category}: no evidence"]


def run_one(pack: Pack, t: RuleTest) -> tuple[list[str], list[str]]:
    """Return (mismatches, explanation lines)."""
    bad: list[str] = []
    explanation: list[str] = []
    e = t.expect
    if t.features is not None:
        ct = next(ct for ct in pack.tables if ct.table.id == t.table)
        env: dict[str, Any] = {f.name: f.default for f in pack.features}
        env.update(t.features)
        table_score, kept, traces = evaluate_table(ct, env)
        if e.score is not None and table_score != e.score:
            bad.append(f"score: expected {e.score}, got {table_score}")
        if e.row is not None and kept != e.row:
            bad.append(f"row: expected {e.row}, got {kept}")
        if bad:
            explanation.append(
                "rows: " + ", ".join(f"{r.id}{'*' if r.kept else '+' if r.fired else ''}" for r in traces)
            )
        return bad, explanation
    items = _items(t)
    if t.scenario is not None:
        try:
            items = apply(pack, items, t.scenario.changes, "rule test scenario")
        except LoadError as exc:
            return [f"scenario: {exc.problems[0].message if exc.problems else exc}"], []
    der = derive(pack, items)
    cells = {f"{c.statement}.{c.category}": c for s in der.statements for c in s.cells}
    shown: set[str] = set()
    got: int | str | None  # a score, a row id, or why there is none
    for key, want in e.categories.items():
        got = cells[key].score if key in cells else None
        if got != want:
            bad.append(f"category {key}: expected {want}, got {got}")
            shown.add(key)
    for key, row in e.rows.items():
        got = cells[key].kept if key in cells else None
        if got != row:
            bad.append(f"row {key}: expected {row}, got {got}")
            shown.add(key)
    for sid, want in e.statements.items():
        got = der.statement(sid).score if sid in pack.statement_ids else "unknown statement"
        if got != want:
            bad.append(f"statement {sid}: expected {want}, got {got}")
            shown.update(k for k in cells if k.startswith(sid + "."))
    if e.overall is not None and der.overall.value != e.overall:
        bad.append(f"overall: expected {e.overall}, got {der.overall.value} ({der.overall.percent}%)")
    for key in sorted(shown):
        sid, _, cid = key.partition(".")
        if sid in pack.statement_ids:
            explanation.extend(_explain_cell(der, sid, cid))
    return bad, explanation


def iter_outcomes(path: Path, pack: Pack | None = None) -> Iterator[Outcome]:
    """Run every test in a rule-test file. Load problems raise LoadError (located)."""
    pack = pack or load_pack(pack_of(path))
    doc, tf = load_tests(path)
    problems = [p for i, t in enumerate(tf.tests) for p in _vocab_problems(doc, i, t, pack)]
    if problems:
        raise LoadError(problems[0].message, problems)
    for i, t in enumerate(tf.tests):
        line, _ = doc.where(("tests", i))
        bad, explanation = run_one(pack, t)
        yield Outcome(str(path), line, t.name, not bad, bad, explanation)


def find_test_files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            out.extend(sorted(q for q in p.rglob("*.yaml") if is_rule_test_file(q)))
    return out
