"""`check`: every problem in packs and cases, found without stopping at the first."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from engine.base.errors import Problem
from engine.model.case import LoadedCase, iter_case_problems
from engine.model.locate import Packs
from engine.model.pack import Pack, iter_pack_problems


def _is_pack(path: Path) -> bool:
    return path.is_dir() and (path / "pack.yaml").is_file()


def iter_problems(paths: list[Path], packs: Packs) -> Iterator[Problem]:
    for path in paths:
        if not path.exists():
            yield Problem(str(path), None, None, "", "no such file or folder")
        elif _is_pack(path):
            pack: Pack | None = None
            for x in iter_pack_problems(path):
                if isinstance(x, Pack):
                    pack = x
                else:
                    yield x
            if pack is not None and (path / "cues.yaml").is_file():
                from engine.base.errors import LoadError
                from engine.ingest.cues import load_cues

                try:
                    load_cues(pack)
                except LoadError as exc:
                    yield from exc.problems
        elif path.is_dir():
            subs = sorted(p for p in path.iterdir() if _is_pack(p))
            cases = sorted(p for p in path.glob("*.yaml") if p.is_file())
            if not subs and not cases:
                yield Problem(str(path), None, None, "", "no pack (pack.yaml) or case file (*.yaml) here")
            yield from iter_problems(subs + cases, packs)
        else:
            for found in iter_case_problems(path, packs.pack_for(path.parent)):
                if not isinstance(found, LoadedCase):
                    yield found
