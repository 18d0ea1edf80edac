"""The cases a server serves: addressed by id, loaded once, derived on copies.

No request names a file: a case is found by its id among the served set, and an uploaded
report is stored under a name made from its content (its SHA-256), so the same report
uploaded twice opens the same case and nothing is ever overwritten.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.analysis.scenario import Change, apply
from engine.base.errors import LoadError, Problem, RederiveError, UsageError
from engine.evaluation.derive import Derivation, derive
from engine.model.case import LoadedCase, resolve_source
from engine.model.expr import suggest
from engine.model.locate import Packs, expand_cases, load_cases
from engine.model.pack import Pack

REPORT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
KIND_SUFFIX = {"text": ".txt", "html": ".html", "pdf": ".pdf"}


class NotServed(RederiveError):
    """A case id that is not among the served cases (answered 404)."""


@dataclass(frozen=True)
class Entry:
    id: str
    pack: Pack
    case: LoadedCase


@dataclass(frozen=True)
class Current:
    """A case with a scenario's changes applied to a copy of its items, and its derivation."""

    entry: Entry
    case: LoadedCase
    derivation: Derivation
    base: Derivation

    @property
    def pack(self) -> Pack:
        return self.entry.pack


class Served:
    """The served cases, by id, and the workspace uploads are extracted into."""

    def __init__(self, paths: list[str], rules: Path | None, workspace: Path, ratings: Path | None = None) -> None:
        self.rules = rules
        self.workspace = workspace
        self.ratings = ratings
        self.packs = Packs(rules)
        self._lock = threading.Lock()
        self._entries: dict[str, Entry] = {}
        self._lines: dict[str, list[dict[str, Any]]] = {}
        self._base: dict[str, Derivation] = {}
        reports = [Path(p) for p in paths if Path(p).suffix.lower() in REPORT_SUFFIXES and Path(p).is_file()]
        files = expand_cases([p for p in paths if Path(p) not in reports])
        for f in files:
            self._add(f)
        for r in reports:
            self.add_report(r.read_bytes(), r.name)
        for kept in sorted(workspace.glob("report-*.yaml")) if workspace.is_dir() else []:
            try:  # reports uploaded before a restart: listed again, at the same address
                self._add(kept)
            except RederiveError:
                continue  # a case that no longer loads (its pack changed) is left on disk, not served

    def upload_name(self, cid: str) -> str | None:
        """The file name an uploaded report was given (kept beside its case in the workspace)."""
        entry = self.get(cid)
        side = entry.case.path.with_suffix(".name")
        if entry.case.path.parent.resolve() != self.workspace.resolve() or not side.is_file():
            return None
        return side.read_text(encoding="utf-8").strip()[:200] or None

    def _add(self, path: Path) -> Entry:
        with self._lock:
            for entry in self._entries.values():
                if entry.case.path.resolve() == path.resolve():
                    return entry
            [lc] = load_cases([path], self.packs)
            pack = self.packs.get(lc.case.framework, lc.folder)
            cid, n = lc.slug, 1
            while cid in self._entries:
                n += 1
                cid = f"{lc.slug}-{n}"
            entry = Entry(cid, pack, lc)
            self._entries[cid] = entry
            return entry

    def lines(self, cid: str) -> list[dict[str, Any]]:
        """The case's sources as `report_lines` gives them, read once (a served case's files
        are not written by the explorer)."""
        entry = self.get(cid)
        with self._lock:
            if cid not in self._lines:
                self._lines[cid] = report_lines(entry.case)
            return self._lines[cid]

    def ids(self) -> list[str]:
        return list(self._entries)

    def get(self, cid: str) -> Entry:
        entry = self._entries.get(cid)
        if entry is None:
            msg = f"no case {cid!r} is served{suggest(cid, list(self._entries))}"
            raise NotServed(msg, [Problem("(request)", None, None, "", msg)])
        return entry

    def current(self, cid: str, changes: list[Change] | None = None, origin: str = "scenario") -> Current:
        """The case with `changes` applied to a copy of its items (the file is never touched)."""
        entry = self.get(cid)
        base = self._base.get(cid)
        if base is None:  # a served case does not change: derived once (a Derivation is immutable)
            base = self._base.setdefault(cid, derive(entry.pack, entry.case.case.items))
        if not changes:
            return Current(entry, entry.case, base, base)
        items = apply(entry.pack, list(entry.case.case.items), changes, origin)
        lc = LoadedCase(entry.case.path, entry.case.case.model_copy(update={"items": items}))
        return Current(entry, lc, derive(entry.pack, items, reuse=base), base)

    def save_labels(self, cid: str, changes: list[Change]) -> dict[str, Any]:
        """The changes that read an item otherwise or add one from the report, kept as label rows
        in the workspace's `labels/CASE.tsv` (the shared label format; the latest correction of
        a sentence stands), for `rederive train-reader` to retrain on."""
        from engine.authoring.corrections import merged, rows_of
        from engine.base.atomic import write_text

        entry = self.get(cid)
        self.current(cid, changes)  # refuse changes the case does not take
        rows = rows_of(entry.pack, entry.case, changes)
        if not rows:
            msg = "no change reads an item otherwise or adds one from the report: nothing to keep as a label"
            raise UsageError(msg, [Problem("(request)", None, None, "", msg)])
        target = self.workspace / "labels" / f"{cid}.tsv"
        with self._lock:
            text, total = merged(target.read_text(encoding="utf-8") if target.is_file() else None, rows)
            write_text(target, text, force=True)
        return {
            "written": f"labels/{cid}.tsv",
            "rows": rows,
            "total": total,
            "retrain": f"rederive train-reader rules/{entry.pack.id} --labels WORKSPACE/labels "
            f"--texts {'WORKSPACE/sources' if entry.case.folder.resolve() == self.workspace.resolve() else 'CASES/sources'} "
            "(with the pack's own label files and texts) -o READER.json",
        }

    def frameworks(self) -> list[str]:
        """The ids of the framework packs an upload may name."""
        return self.packs.readable(None)

    def add_report(
        self, raw: bytes, name: str = "upload", framework: str | None = None, reading: str = "reader"
    ) -> Entry:
        """Extract an uploaded report into the workspace as a case named by its content, or
        open the case the same report was extracted into before. A report that cannot be
        read, or yields no evidence, is refused and nothing is written."""
        from engine.ingest.readers import MAX_PDF_BYTES, sniff
        from engine.ingest.writing import write_extracted

        if len(raw) > MAX_PDF_BYTES:
            msg = f"the upload is {len(raw):,} bytes; the limit is {MAX_PDF_BYTES:,} bytes"
            raise LoadError(msg, [Problem(name, None, None, "", msg)])
        kind = sniff(Path(name), raw[:4096])
        if framework is not None and framework not in (known := self.frameworks()):
            msg = f"no framework {framework!r}: expected one of {', '.join(known)}"  # no server path in it
            raise LoadError(msg, [Problem(name, None, None, "", msg)])
        digest = hashlib.sha256(raw)
        if framework is not None or reading != "reader":  # another choice reads it into another case
            digest.update(f"\0{framework or ''}\0{reading}".encode())
        stem = f"report-{digest.hexdigest()[:16]}"
        target = self.workspace / f"{stem}.yaml"
        with self._lock:  # one extraction at a time: two uploads of one report write one case
            if not target.exists():
                with tempfile.TemporaryDirectory(prefix="rederive-upload-") as tmp:
                    report = Path(tmp) / f"{stem}{KIND_SUFFIX[kind]}"
                    report.write_bytes(raw)
                    try:
                        write_extracted(report, target, self.rules, framework, reading=reading, named=name)
                    except RederiveError as exc:
                        raise _renamed(
                            exc, str(report), name, "name it with --framework", "choose its framework"
                        ) from None
                    target.with_suffix(".name").write_text(Path(name).name + "\n", encoding="utf-8")
        return self._add(target)


def _renamed(exc: RederiveError, inner: str, name: str, *plain: str) -> RederiveError:
    """The error with the temporary file's name replaced by the name the upload was given (and
    each pair of `plain` words, the command line's, by the form's)."""

    def say(text: str) -> str:
        text = text.replace(inner, name)
        for old, new in zip(plain[::2], plain[1::2], strict=True):
            text = text.replace(old, new)
        return text

    problems = [
        Problem(name if p.file == inner else p.file, p.line, p.col, p.path, say(p.message)) for p in exc.problems
    ]
    return type(exc)(say(str(exc.args[0])) if exc.args else name, problems)


def report_lines(lc: LoadedCase) -> list[dict[str, Any]]:
    """Each source of a case with its lines and, for a rendered PDF, the page of each line."""
    from engine.model.case import PAGE_MARK

    out: list[dict[str, Any]] = []
    for rel in lc.case.sources:
        real, why = resolve_source(lc.folder, rel)
        if real is None:
            out.append({"file": rel, "error": why, "lines": []})
            continue
        shown, page = [], None
        for n, text in enumerate(real.read_text(encoding="utf-8").splitlines(), start=1):
            mark = PAGE_MARK.match(text)
            page = int(mark.group(1)) if mark else page
            shown.append({"n": n, "text": text, "page": page, "mark": bool(mark)})
        out.append({"file": rel, "error": None, "lines": shown})
    return out
