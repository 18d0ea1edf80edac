"""JSON Schemas of every file rederive reads, generated from the pydantic models.

Committed under schemas/ so editors validate and complete YAML files that start with
`# yaml-language-server: $schema=...`; a test keeps them in sync with the models.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from engine.base.atomic import write_text

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def models() -> dict[str, type[BaseModel]]:
    from engine.analysis.override import RuleOverride
    from engine.analysis.scenario import Scenario
    from engine.authoring.ruletest import RuleTestFile
    from engine.ingest.cues import CueFile
    from engine.model.case import Case
    from engine.model.packfiles import FeatureFile, PackCore, TableFile

    return {
        "pack": PackCore,
        "features": FeatureFile,
        "tables": TableFile,
        "case": Case,
        "rule-test": RuleTestFile,
        "scenario": Scenario,
        "rule-override": RuleOverride,
        "cues": CueFile,
    }


def schema_text(name: str, model: type[BaseModel]) -> str:
    schema = {"$schema": DRAFT, "$id": f"{name}.schema.json", **model.model_json_schema()}
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def generate() -> dict[str, str]:
    return {f"{name}.schema.json": schema_text(name, m) for name, m in models().items()}


def schema_for(yaml_file: Path) -> str:
    """Which schema a YAML file of this repository follows, by its place and name."""
    if yaml_file.parent.name == "tests" and (yaml_file.parent.parent / "pack.yaml").is_file():
        return "rule-test.schema.json"
    if yaml_file.name in ("pack.yaml", "features.yaml", "tables.yaml", "cues.yaml"):
        return yaml_file.name.replace(".yaml", ".schema.json")
    if yaml_file.parent.name == "scenarios":
        return "scenario.schema.json"
    if yaml_file.parent.name == "overrides":
        return "rule-override.schema.json"
    return "case.schema.json"


def write_all(folder: Path, force: bool = False) -> list[Path]:
    written = []
    for name, text in generate().items():
        target = folder / name
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        write_text(target, text, force=force)
        written.append(target)
    return written
