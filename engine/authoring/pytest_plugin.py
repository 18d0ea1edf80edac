"""pytest plugin: collects `rules/<pack>/tests/*.yaml`, one pytest item per rule-test entry.

Registered through the `pytest11` entry point in pyproject.toml, so `pytest` (with `rules`
in testpaths) runs every YAML rule test beside the Python tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.base.errors import LoadError


class RuleTestFailure(Exception):
    pass


def pytest_collect_file(parent: pytest.Collector, file_path: Path):
    from engine.authoring.ruletest import is_rule_test_file

    if is_rule_test_file(file_path):
        return YamlRuleFile.from_parent(parent, path=file_path)
    return None


class YamlRuleFile(pytest.File):
    def collect(self):
        from engine.authoring.ruletest import load_tests, pack_of
        from engine.model.pack import load_pack

        try:
            doc, tf = load_tests(self.path)
            pack = load_pack(pack_of(self.path))
        except LoadError as exc:
            raise self.CollectError(str(exc)) from None
        for i, t in enumerate(tf.tests):
            line, _ = doc.where(("tests", i))
            yield YamlRuleItem.from_parent(self, name=t.name, index=i, line=line or 0, pack=pack, doc=doc, test=t)


class YamlRuleItem(pytest.Item):
    def __init__(self, *, index, line, pack, doc, test, **kwargs):
        super().__init__(**kwargs)
        self.index, self.line, self.pack, self.doc, self.test = index, line, pack, doc, test

    def runtest(self) -> None:
        from engine.authoring.ruletest import _vocab_problems, run_one

        problems = _vocab_problems(self.doc, self.index, self.test, self.pack)
        if problems:
            raise RuleTestFailure("\n".join(str(p) for p in problems))
        bad, explanation = run_one(self.pack, self.test)
        if bad:
            raise RuleTestFailure(
                "\n".join(
                    [
                        f"{self.path}:{self.line}: {self.test.name}",
                        *(f"  {m}" for m in bad),
                        *(f"  | {e}" for e in explanation),
                    ]
                )
            )

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, RuleTestFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, self.line - 1, f"rule test: {self.name}"
