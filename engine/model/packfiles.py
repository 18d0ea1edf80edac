"""The YAML files of a framework pack as models: `pack.yaml` (PackCore), `features.yaml`
(FeatureFile) and `tables.yaml` (TableFile). Validation of each file alone lives here;
cross-references between them are checked when the pack is loaded (engine.model.pack)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from engine.base.models import Strict


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
    # Items with this tag were read without a cue (extraction's fallback): a statement's basis
    # counts them apart, as weaker evidence.
    uncued: bool = False
    # A shortfall with this tag is a serious one in the pack's wording (risk of harm, no
    # assurance): a statement's summary of what was read counts them apart.
    serious: bool = False


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
    # What the percentage is taken of: the scores' mean (sum / (count x top score)), or their
    # lower median (the middle score, the lower of the two middle ones for an even count, over
    # the top score): a framework whose overall judgement follows its middle judgement.
    of: Literal["mean", "lower_median"] = "mean"
    of_reason: str | None = None


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
    # how plausible one such change is as a misreading or an omission (0-1), for an item the
    # learned reader did not read: a read item's flip or drop takes the reader's own doubt
    # (1 - its confidence) instead, a mixed item's flip at least 0.5 (engine.analysis.plausibility)
    plausibility: float = Field(default=0.2, ge=0, le=1)


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


class CalibrationParameter(Strict):
    """A number of the pack that `rederive calibrate` may fit from a corpus: where it lives
    (file and path, as in a rule override), the values to try, and how to write one."""

    id: str
    file: Literal["pack.yaml", "features.yaml", "tables.yaml", "cues.yaml"]
    path: str
    values: list[float | int] = Field(min_length=1, max_length=20)
    template: str | None = None  # e.g. "shortfall_share >= {value}"; the bare value when absent
    doc: str = ""

    @model_validator(mode="after")
    def _template_names_the_value(self) -> CalibrationParameter:
        if self.template is not None and "{value}" not in self.template:
            raise ValueError("template must contain {value}")
        return self


class ProbabilityTable(Strict):
    """How often each published score went with each derived score on a corpus, every score
    derived with everything fitted without its council (`rederive calibrate` writes it):
    derived score -> published score -> how many. `smoothing`: how many of a derived score's
    cases the corpus's own spread of published scores counts as (engine.evaluation.probability)."""

    corpus: str
    counts: dict[int, dict[int, int]]
    smoothing: float = Field(default=2.0, ge=0)


class Calibration(Strict):
    source: str
    parameters: list[CalibrationParameter] = Field(min_length=1, max_length=6)
    # the last fit adopted: corpus, size, date, values, in-sample and cross-validated figures
    fitted: dict[str, Any] | None = None
    # how likely a derived score is the published one, from the fit's held-out scores
    probabilities: ProbabilityTable | None = None


class PublishedTable(Strict):
    """How a published table of grades (one row per report) names things: which column holds
    the file, the council, the overall rating and each statement's grade, and what its words
    mean. `consistency` and `agree` read such a table as they read their own formats."""

    source: str
    file: str
    council: str
    overall: str | None = None
    statements: dict[str, str]  # statement id -> column
    grades: dict[str, int]  # a cell's wording (case ignored) -> score
    ratings: dict[str, str] = {}  # the overall column's wording -> rating id (default: rating labels and ids)
    not_assessed: list[str] = [""]  # cells that mean: not judged in this report


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
    calibration: Calibration | None = None
    published_table: PublishedTable | None = None


class Where(Strict):
    polarity: list[Literal["strength", "shortfall", "mixed"]] | None = None
    tags_any: list[str] | None = None
    tags_all: list[str] | None = None  # every one of these tags (with tags_any: and one of those)
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
    term: str | None = None  # how a sentence names the value ("the share of shortfalls"); the name when absent
    unit: Literal["percent", "count", "number", "flag"] | None = None  # how it is shown; from kind and type when absent

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
