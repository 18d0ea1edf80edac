"""Framework packs: the data that says how evidence becomes scores and ratings.

A pack is a folder under rules/ holding YAML files (`pack.yaml`, `features.yaml`,
`tables.yaml`). The engine knows no framework: statement ids, scales, bands, features
and decision tables all come from here. Loading checks every cross-reference and
compiles every condition, so an unknown name fails before anything is evaluated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError

from engine.base.errors import ExpressionError, LoadError, Problem, value_or_raise
from engine.base.models import problems_from_validation
from engine.base.yamlio import Document, load_yaml
from engine.model.expr import Condition, suggest
from engine.model.packfiles import Feature, FeatureFile, PackCore, Row, Statement, Table, TableFile

PACK_FILES = ("pack.yaml", "features.yaml", "tables.yaml")


class CompiledRow:
    __slots__ = ("conditions", "index", "row")

    def __init__(self, row: Row, conditions: list[Condition], index: int) -> None:
        self.row = row
        self.conditions = conditions
        self.index = index


class CompiledTable:
    __slots__ = ("rows", "table")

    def __init__(self, table: Table, rows: list[CompiledRow]) -> None:
        self.table = table
        self.rows = rows


class Pack:
    """A loaded, cross-checked and compiled framework pack."""

    def __init__(self, root: Path, core: PackCore, features: list[Feature], tables: list[CompiledTable]) -> None:
        self.root = root
        self.core = core
        self.features = features
        self.feature_by_name = {f.name: f for f in features}
        self.tables = tables
        self.statement_ids = [s.id for s in core.statements]
        self.category_ids = [c.id for c in core.categories]
        self.tag_ids = {t.id for t in core.tags}
        self.uncued_tags = {t.id for t in core.tags if t.uncued}  # items so tagged were read without a cue
        self.scores = sorted(level.score for level in core.scale.levels)
        self.comparison_band = {w.lower(): c.band for c in core.comparisons.bands for w in c.wording}
        self.comparison_ids = {c.id: c.band for c in core.comparisons.bands}
        self._table_cache: dict[tuple[str, str], CompiledTable | None] = {}
        # expr features compiled once; each may use only the features declared above it
        self.expr_conditions: dict[str, Condition] = {}
        known: list[str] = []
        for f in features:
            if f.expr is not None:
                self.expr_conditions[f.name] = Condition.build(f.expr, known)
            known.append(f.name)
        self.statement_features = [f for f in features if f.scope == "statement"]
        # each counted feature's item filter as sets, read once: (polarities, tags, has_metric, all tags)
        self.filters = {
            f.name: (
                None if f.where.polarity is None else frozenset(f.where.polarity),
                None if f.where.tags_any is None else frozenset(f.where.tags_any),
                f.where.has_metric,
                None if f.where.tags_all is None else frozenset(f.where.tags_all),
            )
            for f in features
        }

    @property
    def id(self) -> str:
        return self.core.framework.id

    def statement(self, sid: str) -> Statement:
        return next(s for s in self.core.statements if s.id == sid)

    def table_for(self, statement: str, category: str) -> CompiledTable | None:
        """The most specific table for a cell: named statement and category beats a wildcard."""
        key = (statement, category)
        if key not in self._table_cache:
            best: tuple[int, CompiledTable] | None = None
            for ct in self.tables:
                t = ct.table
                cat_ok = t.categories == "*" or category in t.categories
                st_ok = t.statements == "*" or statement in t.statements
                if cat_ok and st_ok:
                    rank = (t.categories != "*") + 2 * (t.statements != "*")
                    if best is None or rank > best[0]:
                        best = (rank, ct)
            self._table_cache[key] = best[1] if best else None
        return self._table_cache[key]

    def with_reading(self, choose: str) -> Pack:
        """A copy whose aggregation steps read ambiguous gaps as `choose`."""
        agg = self.core.aggregation
        new_agg = agg.model_copy(
            update={
                "category_to_statement": agg.category_to_statement.model_copy(update={"choose": choose}),
                "statements_to_overall": agg.statements_to_overall.model_copy(update={"choose": choose}),
            }
        )
        return Pack(self.root, self.core.model_copy(update={"aggregation": new_agg}), self.features, self.tables)

    def rating_label(self, rating_id: str | None) -> str:
        for r in self.core.ratings:
            if r.id == rating_id:
                return r.label
        return str(rating_id)

    def category_name(self, category_id: str) -> str:
        """A category's name as a person reads it ("People's experience"); the id when unknown."""
        return next((c.name for c in self.core.categories if c.id == category_id), category_id.replace("_", " "))


def _read(root: Path, name: str) -> Document:
    path = root / name
    display = str(path)
    if not path.is_file():
        raise LoadError(
            f"missing pack file {name}",
            [Problem(display, None, None, "", f"missing pack file: expected {name} in {root}")],
        )
    return load_yaml(path, display)


def _read_all(root: Path) -> tuple[dict[str, Document], list[Problem]]:
    docs: dict[str, Document] = {}
    problems: list[Problem] = []
    for name in PACK_FILES:
        try:
            docs[name] = _read(root, name)
        except LoadError as exc:
            problems.extend(exc.problems)
    return docs, problems


def _parse_all(docs: dict[str, Document]) -> tuple[dict[str, object], list[Problem]]:
    parsed: dict[str, object] = {}
    problems: list[Problem] = []
    for name, model in (("pack.yaml", PackCore), ("features.yaml", FeatureFile), ("tables.yaml", TableFile)):
        doc = docs[name]
        if not isinstance(doc.data, dict):
            problems.append(doc.problem((), "expected a mapping at the top of the file"))
            continue
        try:
            parsed[name] = model.model_validate(doc.data)
        except ValidationError as exc:
            problems.extend(problems_from_validation(doc, exc))
    return parsed, problems


def _core_problems(core: PackCore, pdoc: Document) -> Iterator[Problem]:
    """pack.yaml against itself: themes and statements, bands on the scale, unique ids."""
    statement_ids = [s.id for s in core.statements]
    scores = [lv.score for lv in core.scale.levels]
    rating_ids = [r.id for r in core.ratings]
    theme_ids = [t.id for t in core.themes]
    for i, s in enumerate(core.statements):
        if s.theme not in theme_ids:
            yield pdoc.problem(("statements", i, "theme"), f"unknown theme {s.theme!r}{suggest(s.theme, theme_ids)}")
    for i, t in enumerate(core.themes):
        for j, sid in enumerate(t.statements):
            if sid not in statement_ids:
                yield pdoc.problem(
                    ("themes", i, "statements", j), f"unknown statement {sid!r}{suggest(sid, statement_ids)}"
                )
    for step_name in ("category_to_statement", "statements_to_overall"):
        step = getattr(core.aggregation, step_name)
        for i, b in enumerate(step.bands):
            path = ("aggregation", step_name, "bands", i)
            if b.score is not None and b.score not in scores:
                yield pdoc.problem(path + ("score",), f"score {b.score} is not on the scale {scores}")
            if b.rating is not None and b.rating not in rating_ids:
                yield pdoc.problem(path + ("rating",), f"unknown rating {b.rating!r}{suggest(b.rating, rating_ids)}")
            if (b.score is None) == (b.rating is None):
                yield pdoc.problem(path, "a band names exactly one of 'score' or 'rating'")
    if (tab := core.published_table) is not None:
        for sid in tab.statements:
            if sid not in statement_ids:
                yield pdoc.problem(
                    ("published_table", "statements", sid), f"unknown statement {sid!r}{suggest(sid, statement_ids)}"
                )
        for word, v in tab.grades.items():
            if v not in scores:
                yield pdoc.problem(("published_table", "grades", word), f"score {v} is not on the scale {scores}")
        for word, rid in tab.ratings.items():
            if rid not in rating_ids:
                yield pdoc.problem(
                    ("published_table", "ratings", word), f"unknown rating {rid!r}{suggest(rid, rating_ids)}"
                )
    for kind, ids in (
        ("statement", statement_ids),
        ("category", [c.id for c in core.categories]),
        ("tag", [t.id for t in core.tags]),
        ("score", scores),
        ("rating", rating_ids),
    ):
        seen: set[object] = set()
        for x in ids:
            if x in seen:
                yield pdoc.problem((), f"duplicate {kind} id {x!r}")
            seen.add(x)


def _feature_problems(feats: list[Feature], fdoc: Document, tag_ids: list[str]) -> Iterator[Problem]:
    """Filters name known tags; expressions name earlier features only (so no cycles)."""
    known: list[str] = []
    for i, f in enumerate(feats):
        if f.name in known:
            yield fdoc.problem(("features", i, "name"), f"duplicate feature {f.name!r}")
        for key, listed in (("tags_any", f.where.tags_any), ("tags_all", f.where.tags_all)):
            for j, tag in enumerate(listed or []):
                if tag not in tag_ids:
                    yield fdoc.problem(("features", i, "where", key, j), f"unknown tag {tag!r}{suggest(tag, tag_ids)}")
        if f.expr is not None:
            try:
                Condition.build(f.expr, known)
            except ExpressionError as exc:
                yield fdoc.problem(
                    ("features", i, "expr"), f"{exc} (an expr feature may use features defined above it)"
                )
        known.append(f.name)


def _table_scope_problems(t: Table, tpath: tuple, tdoc: Document, core: PackCore) -> Iterator[Problem]:
    for key, universe, label in (
        ("categories", [c.id for c in core.categories], "category"),
        ("statements", [s.id for s in core.statements], "statement"),
    ):
        value = getattr(t, key)
        if value != "*":
            for j, x in enumerate(value):
                if x not in universe:
                    yield tdoc.problem(tpath + (key, j), f"unknown {label} {x!r}{suggest(x, universe)}")


def _compile_table(
    t: Table, tpath: tuple, tdoc: Document, scores: list[int], known: list[str], problems: list[Problem]
) -> CompiledTable:
    """Each row's conditions compiled against the declared features; problems appended."""
    if t.default is not None and t.default.score not in scores:
        problems.append(
            tdoc.problem(tpath + ("default", "score"), f"score {t.default.score} is not on the scale {scores}")
        )
    rows: list[CompiledRow] = []
    row_ids: set[str] = set()
    for r_i, row in enumerate(t.rows):
        rpath = tpath + ("rows", r_i)
        if row.id in row_ids:
            problems.append(tdoc.problem(rpath + ("id",), f"duplicate row id {row.id!r} in table {t.id!r}"))
        row_ids.add(row.id)
        if row.score not in scores:
            problems.append(tdoc.problem(rpath + ("score",), f"score {row.score} is not on the scale {scores}"))
        conds: list[Condition] = []
        for c_i, text in enumerate(row.when):
            try:
                conds.append(Condition.build(text, known))
            except ExpressionError as exc:
                problems.append(tdoc.problem(rpath + ("when", c_i), str(exc)))
        rows.append(CompiledRow(row, conds, r_i))
    return CompiledTable(t, rows)


def _compile_tables(
    tables: list[Table], tdoc: Document, core: PackCore, known: list[str], problems: list[Problem]
) -> list[CompiledTable]:
    scores = [lv.score for lv in core.scale.levels]
    compiled: list[CompiledTable] = []
    table_ids: set[str] = set()
    for i, t in enumerate(tables):
        tpath = ("tables", i)
        if t.id in table_ids:
            problems.append(tdoc.problem(tpath + ("id",), f"duplicate table id {t.id!r}"))
        table_ids.add(t.id)
        problems.extend(_table_scope_problems(t, tpath, tdoc, core))
        compiled.append(_compile_table(t, tpath, tdoc, scores, known, problems))
    return compiled


def iter_pack_problems(
    root: Path, transform: Callable[[dict[str, Document]], list[Problem]] | None = None
) -> Iterator[Problem | Pack]:
    """Yield every problem in the pack at `root`; yield the Pack last if there were none.

    Read the three files, let `transform` change the parsed documents (a rule what-if; it
    returns the problems it found, located in its own input), validate each file, then check
    the cross-references and compile every condition.
    """
    docs, problems = _read_all(root)
    if problems:
        yield from problems
        return
    if transform is not None and (found := transform(docs)):
        yield from found
        return
    parsed, problems = _parse_all(docs)
    if problems:
        yield from problems
        return
    core = cast(PackCore, parsed["pack.yaml"])  # each file parsed by its own model (_parse_all)
    feats: list[Feature] = cast(Any, parsed["features.yaml"]).features
    tables: list[Table] = cast(Any, parsed["tables.yaml"]).tables
    problems = list(_core_problems(core, docs["pack.yaml"]))
    problems.extend(_feature_problems(feats, docs["features.yaml"], [t.id for t in core.tags]))
    compiled = _compile_tables(tables, docs["tables.yaml"], core, [f.name for f in feats], problems)
    if problems:
        yield from problems
        return
    yield Pack(root, core, feats, compiled)


def load_pack(root: Path, transform: Callable[[dict[str, Document]], list[Problem]] | None = None) -> Pack:
    return value_or_raise(iter_pack_problems(root, transform), Pack, "pack")
