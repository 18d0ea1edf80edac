"""Finding framework packs and case files on disk."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from engine.base.errors import LoadError, Problem
from engine.model.expr import suggest
from engine.model.pack import Pack, load_pack

if TYPE_CHECKING:
    from engine.model.case import LoadedCase

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the project folder: engine/model/locate.py


class Packs:
    """Loads each framework pack once, from --rules, or the nearest rules/ folder above a case."""

    def __init__(self, rules_dir: Path | None = None) -> None:
        self.rules_dir = rules_dir
        self._cache: dict[Path, Pack] = {}

    def candidates(self, near: Path | None) -> list[Path]:
        dirs: list[Path] = []
        if self.rules_dir is not None:
            return [self.rules_dir]
        if near is not None:
            for parent in [near.resolve(), *near.resolve().parents]:
                if (parent / "rules").is_dir():
                    dirs.append(parent / "rules")
                    break
        if (Path.cwd() / "rules").is_dir():
            dirs.append(Path.cwd() / "rules")
        if (_PACKAGE_ROOT / "rules").is_dir():
            dirs.append(_PACKAGE_ROOT / "rules")
        unique: dict[Path, None] = {}
        for d in dirs:
            unique.setdefault(d.resolve(), None)
        return list(unique)

    def readable(self, near: Path | None) -> list[str]:
        """The ids of the packs found near `near` that say how to read reports (a cues.yaml)."""
        return sorted(
            {root.name for rules in self.candidates(near) for root in rules.iterdir() if (root / "cues.yaml").is_file()}
        )

    def get(self, framework: str, near: Path | None = None) -> Pack:
        tried = self.candidates(near)
        for rules in tried:
            root = (rules / framework).resolve()
            if root.parent != rules.resolve():
                break  # a framework id may not walk out of rules/
            if root.is_dir():
                if root not in self._cache:
                    self._cache[root] = load_pack(root)
                return self._cache[root]
        known = sorted({p.name for r in tried if r.is_dir() for p in r.iterdir() if p.is_dir()})
        msg = f"no framework pack {framework!r} (looked in {', '.join(str(t) for t in tried) or 'nowhere'}){suggest(framework, known)}"
        raise LoadError(msg, [Problem(str(tried[0] / framework) if tried else framework, None, None, "", msg)])

    def detect_for_columns(self, columns: list[str], near: Path | None = None) -> str:
        """The id of the one pack whose statement ids are all among `columns`."""
        from engine.base.errors import UsageError

        found: set[str] = set()
        for rules in self.candidates(near):
            for root in sorted(p for p in rules.iterdir() if (p / "pack.yaml").is_file()):
                try:
                    pack = self.get(root.name, near)
                except LoadError:
                    continue
                tab = pack.core.published_table
                if set(pack.statement_ids) <= set(columns) or (
                    tab is not None and {tab.file, *tab.statements.values()} <= set(columns)
                ):
                    found.add(pack.id)
        if len(found) != 1:
            which = ", ".join(sorted(found)) or "none"
            raise UsageError(
                f"cannot tell which framework the table is for (packs matching its columns: {which}); name it with --framework"
            )
        return found.pop()

    def pack_for(self, near: Path | None):
        return lambda framework: self.get(framework, near)


def expand_cases(paths: list[str]) -> list[Path]:
    """Case files named directly, or every *.yaml directly inside a named folder."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(sorted(q for q in path.glob("*.yaml") if q.is_file()))
        else:
            out.append(path)
    return out


def load_cases(paths: list[Path], packs: Packs) -> list[LoadedCase]:
    """Each case file loaded with the pack its framework names, found from its folder."""
    from engine.model.case import load_case

    return [load_case(p, packs.pack_for(p.parent)) for p in paths]
