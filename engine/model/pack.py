"""Framework packs: the data that says how evidence becomes scores and ratings.

A pack is a folder under rules/ holding YAML files (`pack.yaml`, `features.yaml`,
`tables.yaml`). The engine knows no framework: statement ids, scales, bands, features
and decision tables all come from here. Loading checks every cross-reference and
compiles every condition, so an unknown name fails before anything is evaluated.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from engine.base.errors import ExpressionError, LoadError, Problem, value_or_raise
from engine.base.models import Strict, problems_from_validation
from engine.base.yamlio import Document, load_yaml
from engine.model.expr import Condition, suggest

PACK_FILES = ("pack.yaml", "features.yaml", "tables.yaml")


class Theme(Strict):
    id: str
    name: str
    statements: list[str]


class Statement(Strict):
    id: str
    name: str
    theme: str
    aliases: list[str] = []


class ScaleLevel(Strict):
    score: int
    wording: str
    label: str | None = None


class Scale(Strict):
    source: str
    levels: list[ScaleLevel]


class Rating(Strict):
    id: str
    label: str
    min_percent: float
    max_percent: float


class Category(Strict):
    id: str
    name: str
    short: str | None = None  # column heading in tables
    doc: str = ""


class Tag(Strict):
    id: str
    applies_to: Literal["shortfall", "strength", "any"]
    doc: str


class Comparison(Strict):
    id: str
    band: int
    wording: list[str]


class Comparisons(Strict):
    source: str
    bands: list[Comparison]


class Band(Strict):
    score: int | None = None
    rating: str | None = None
    min_percent: float
    max_percent: float


class BandStep(Strict):
    """Percentage bands with whole-number edges; a percentage between two bands is ambiguous."""

    source: str
    bands: list[Band]
    choose: Literal["round_half_up", "truncate"]
    choose_reason: str


class Aggregation(Strict):
    category_to_statement: BandStep
    statements_to_overall: BandStep
    # A category cell with fewer evidence items than this is scored and explained but left out
    # of its statement's score, unless no cell of the statement has that many.
    category_min_items: int = Field(default=1, ge=1)
    category_min_items_reason: str | None = None


class Framework(Strict):
    id: str
    name: str
    source: str
    note: str = ""
    unit: str = "statement"


class Operation(Strict):
    """A change the counterfactual search may make to the evidence."""

    id: str
    op: Literal["flip_polarity", "drop_item", "shift_metric", "add_item"]
    polarity: Literal["strength", "shortfall", "mixed"] | None = None  # add_item: the polarity added
    doc: str = ""


class Counterfactual(Strict):
    source: str = ""
    max_changes: int = 3
    operations: list[Operation] = []


class Calendar(Strict):
    country: str
    subdiv: str | None = None


class Review(Strict):
    """How a rating review is requested: grounds, deadline, word limit, draft wording."""

    source: str
    working_days: int
    calendar: Calendar
    word_limit: int
    ground: str
    not_grounds: list[str] = []
    who: str = ""
    draft_opening: str
    draft_no_ground: str
    draft_closing: str = ""


class FindingBand(Strict):
    rating: str
    id: str
    label: str


class Findings(Strict):
    """A worded finding derived from the overall rating (e.g. a monitoring visit's progress)."""

    source: str
    from_overall: list[FindingBand]


class PackCore(Strict):
    framework: Framework
    themes: list[Theme]
    statements: list[Statement]
    scale: Scale
    ratings: list[Rating]
    ratings_source: str
    categories: list[Category]
    tags: list[Tag]
    comparisons: Comparisons
    aggregation: Aggregation
    counterfactual: Counterfactual = Counterfactual()
    review: Review | None = None
    findings: Findings | None = None


class Where(Strict):
    polarity: list[Literal["strength", "shortfall", "mixed"]] | None = None
    tags_any: list[str] | None = None
    has_metric: bool | None = None


class Feature(Strict):
    name: str
    type: Literal["int", "number", "bool"]
    doc: str
    kind: Literal["count", "share", "any", "worst_metric", "best_metric", "expr"]
    where: Where = Where()
    weights: dict[Literal["strength", "shortfall", "mixed"], float] = {}
    scope: Literal["category", "statement"] = "category"
    expr: str | None = None
    default: float = 0

    @model_validator(mode="after")
    def _expr_needed(self) -> Feature:
        if (self.kind == "expr") != (self.expr is not None):
            raise ValueError("'expr' is given exactly when kind is 'expr'")
        return self


class FeatureFile(Strict):
    features: list[Feature]


class Row(Strict):
    id: str
    score: int
    when: list[str] = Field(min_length=1)
    reason: str
    source: str | None = None


class Default(Strict):
    score: int
    reason: str


class Table(Strict):
    id: str
    doc: str = ""
    categories: list[str] | Literal["*"] = "*"
    statements: list[str] | Literal["*"] = "*"
    hit_policy: Literal["first", "unique", "collect_min", "collect_max"]
    rows: list[Row] = Field(min_length=1)
    default: Default | None = None
    source: str


class TableFile(Strict):
    tables: list[Table]


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

    def __init__(self, root: Path, core: PackCore, features: list[Feature],
                 tables: list[CompiledTable]) -> None:
        self.root = root
        self.core = core
        self.features = features
        self.feature_by_name = {f.name: f for f in features}
        self.tables = tables
        self.statement_ids = [s.id for s in core.statements]
        self.category_ids = [c.id for c in core.categories]
        self.tag_ids = {t.id for t in core.tags}
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
        new_agg = agg.model_copy(update={
            "category_to_statement": agg.category_to_statement.model_copy(update={"choose": choose}),
            "statements_to_overall": agg.statements_to_overall.model_copy(update={"choose": choose})})
        return Pack(self.root, self.core.model_copy(update={"aggregation": new_agg}), self.features, self.tables)

    def rating_label(self, rating_id: str | None) -> str:
        for r in self.core.ratings:
            if r.id == rating_id:
                return r.label
        return str(rating_id)


def _read(root: Path, name: str) -> Document:
    path = root / name
    display = str(path)
    if not path.is_file():
        raise LoadError(f"missing pack file {name}", [Problem(display, None, None, "", f"missing pack file: expected {name} in {root}")])
    return load_yaml(path, display)


def iter_pack_problems(root: Path, transform: Callable[[dict[str, Document]], list[Problem]] | None = None
                       ) -> Iterator[Problem | Pack]:
    """Yield every problem in the pack at `root`; yield the Pack last if there were none.

    `transform` may change the parsed documents (a rule what-if) before validation; it
    returns the problems it found, located in its own input.
    """
    docs: dict[str, Document] = {}
    for name in PACK_FILES:
        try:
            docs[name] = _read(root, name)
        except LoadError as exc:
            yield from exc.problems
    if len(docs) < len(PACK_FILES):
        return
    if transform is not None:
        found = transform(docs)
        if found:
            yield from found
            return
    parsed: dict[str, object] = {}
    for name, model in (("pack.yaml", PackCore), ("features.yaml", FeatureFile), ("tables.yaml", TableFile)):
        doc = docs[name]
        if not isinstance(doc.data, dict):
            yield doc.problem((), "expected a mapping at the top of the file")
            continue
        try:
            parsed[name] = model.model_validate(doc.data)
        except ValidationError as exc:
            yield from problems_from_validation(doc, exc)
    if len(parsed) < len(PACK_FILES):
        return
    core: PackCore = parsed["pack.yaml"]  # type: ignore[assignment]
    feats: list[Feature] = parsed["features.yaml"].features  # type: ignore[attr-defined]
    tables: list[Table] = parsed["tables.yaml"].tables  # type: ignore[attr-defined]
    pdoc, fdoc, tdoc = docs["pack.yaml"], docs["features.yaml"], docs["tables.yaml"]
    problems: list[Problem] = []

    statement_ids = [s.id for s in core.statements]
    category_ids = [c.id for c in core.categories]
    tag_ids = [t.id for t in core.tags]
    scores = [lv.score for lv in core.scale.levels]
    rating_ids = [r.id for r in core.ratings]
    theme_ids = [t.id for t in core.themes]
    for i, s in enumerate(core.statements):
        if s.theme not in theme_ids:
            problems.append(pdoc.problem(("statements", i, "theme"), f"unknown theme {s.theme!r}{suggest(s.theme, theme_ids)}"))
    for i, t in enumerate(core.themes):
        for j, sid in enumerate(t.statements):
            if sid not in statement_ids:
                problems.append(pdoc.problem(("themes", i, "statements", j), f"unknown statement {sid!r}{suggest(sid, statement_ids)}"))
    for step_name in ("category_to_statement", "statements_to_overall"):
        step = getattr(core.aggregation, step_name)
        for i, b in enumerate(step.bands):
            path = ("aggregation", step_name, "bands", i)
            if b.score is not None and b.score not in scores:
                problems.append(pdoc.problem(path + ("score",), f"score {b.score} is not on the scale {scores}"))
            if b.rating is not None and b.rating not in rating_ids:
                problems.append(pdoc.problem(path + ("rating",), f"unknown rating {b.rating!r}{suggest(b.rating, rating_ids)}"))
            if (b.score is None) == (b.rating is None):
                problems.append(pdoc.problem(path, "a band names exactly one of 'score' or 'rating'"))
    for kind, ids in (("statement", statement_ids), ("category", category_ids), ("tag", tag_ids),
                      ("score", scores), ("rating", rating_ids)):
        seen: set[object] = set()
        for x in ids:
            if x in seen:
                problems.append(pdoc.problem((), f"duplicate {kind} id {x!r}"))
            seen.add(x)

    # Features: filters name known tags; expressions name earlier features only (no cycles).
    known: list[str] = []
    for i, f in enumerate(feats):
        if f.name in known:
            problems.append(fdoc.problem(("features", i, "name"), f"duplicate feature {f.name!r}"))
        for j, tag in enumerate(f.where.tags_any or []):
            if tag not in tag_ids:
                problems.append(fdoc.problem(("features", i, "where", "tags_any", j), f"unknown tag {tag!r}{suggest(tag, tag_ids)}"))
        if f.expr is not None:
            try:
                Condition.build(f.expr, known)
            except ExpressionError as exc:
                problems.append(fdoc.problem(("features", i, "expr"), f"{exc} (an expr feature may use features defined above it)"))
        known.append(f.name)

    compiled: list[CompiledTable] = []
    table_ids: set[str] = set()
    for i, t in enumerate(tables):
        tpath = ("tables", i)
        if t.id in table_ids:
            problems.append(tdoc.problem(tpath + ("id",), f"duplicate table id {t.id!r}"))
        table_ids.add(t.id)
        for key, universe, label in (("categories", category_ids, "category"), ("statements", statement_ids, "statement")):
            value = getattr(t, key)
            if value != "*":
                for j, x in enumerate(value):
                    if x not in universe:
                        problems.append(tdoc.problem(tpath + (key, j), f"unknown {label} {x!r}{suggest(x, universe)}"))
        if t.default is not None and t.default.score not in scores:
            problems.append(tdoc.problem(tpath + ("default", "score"), f"score {t.default.score} is not on the scale {scores}"))
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
        compiled.append(CompiledTable(t, rows))
    if problems:
        yield from problems
        return
    yield Pack(root, core, feats, compiled)


def load_pack(root: Path, transform: Callable[[dict[str, Document]], list[Problem]] | None = None) -> Pack:
    return value_or_raise(iter_pack_problems(root, transform), Pack, "pack")
