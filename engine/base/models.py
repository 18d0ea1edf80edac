"""Shared pydantic base and the conversion of validation errors into located problems."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from engine.base.errors import LoadError, Problem
from engine.base.yamlio import Document, PathKey


class Strict(BaseModel):
    """Frozen, unknown keys refused: every file model derives from this.

    defer_build: a model's validator is built on its first use, not at import, so a
    command pays only for the models it validates (cold `derive` skips the lint,
    scenario, override and review models).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, defer_build=True)


def problems_from_validation(doc: Document, exc: ValidationError, prefix: PathKey = ()) -> list[Problem]:
    out: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc: tuple[Any, ...] = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        path = prefix + tuple(loc)
        kind = err["type"]
        found = err.get("input")
        if kind == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}"
        elif kind == "missing":
            msg = f"missing required key {loc[-1]!r}"
        else:
            shown = repr(found)
            if len(shown) > 60:
                shown = shown[:57] + "..."
            msg = f"{err['msg']}; found {shown}"
        out.append(doc.problem(path, msg))
    return out


M = TypeVar("M", bound=BaseModel)


def validated(doc: Document, model: type[M]) -> M:
    """The document's data as `model`, or a LoadError with every problem located in the file."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        problems = problems_from_validation(doc, exc)
        raise LoadError(problems[0].message, problems) from None
