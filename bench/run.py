#!/usr/bin/env python3
"""rederive benchmark: batch evaluation against zen-engine and a plain interpreter, and the
latency targets, each printed as `name: value` and as a ratio against a reference measured
in the same run. Not a test: run it by hand (`--quick` for a run under 30 s).

    .venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/run.py --quick
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.evaluation.batch import BatchPack, batch_features, item_kinds  # noqa: E402
from engine.evaluation.derive import evaluate_table  # noqa: E402
from engine.model.expr import Name, Num, Unary  # noqa: E402
from engine.model.pack import load_pack  # noqa: E402

SEED = 20251125


def line(name: str, value) -> None:
    print(f"{name}: {value}", flush=True)


def synthetic(pack, n: int, seed: int = SEED):
    """n seeded synthetic cells across the pack's feature space: random item-kind counts."""
    rng = np.random.default_rng(seed)
    kinds = item_kinds(pack)
    k = len(kinds)

    def counts(lo: int, hi: int) -> np.ndarray:
        m = np.zeros((n, k), dtype=np.int64)
        sizes = rng.integers(lo, hi + 1, size=n)
        rows = np.repeat(np.arange(n), sizes)
        np.add.at(m, (rows, rng.integers(0, k, size=rows.size)), 1)
        return m

    cell = counts(1, 12)
    statement = cell + counts(0, 8)
    feats = batch_features(pack, kinds, cell, statement)
    cats = rng.integers(0, len(pack.category_ids), size=n)
    sts = rng.integers(0, len(pack.statement_ids), size=n)
    table_of = np.array(
        [pack.table_for(pack.statement_ids[s], pack.category_ids[c]).table.id for s, c in zip(sts, cats, strict=True)]
    )
    return feats, table_of


def dicts(pack, feats, idx) -> list[dict]:
    names = [f.name for f in pack.features]
    cols = [feats[nm] for nm in names]
    out = []
    for i in idx:
        out.append(
            {
                nm: (bool(c[i]) if c.dtype == bool else (int(c[i]) if c.dtype.kind == "i" else float(c[i])))
                for nm, c in zip(names, cols, strict=True)
            }
        )
    return out


# (d) the reference: a plain interpreter that walks each condition's syntax tree per row
def interp(node, env):
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        return env[node.name]
    if isinstance(node, Unary):
        v = interp(node.operand, env)
        return (not v) if node.op == "not" else -v
    a = interp(node.left, env)
    if node.op == "and":
        return bool(a) and bool(interp(node.right, env))
    if node.op == "or":
        return bool(a) or bool(interp(node.right, env))
    b = interp(node.right, env)
    return {
        "==": a == b,
        "!=": a != b,
        "<": a < b,
        "<=": a <= b,
        ">": a > b,
        ">=": a >= b,
        "+": a + b,
        "-": a - b,
        "*": a * b,
        "/": (a / b) if b else 0.0,
    }[node.op]


def reference(ct, env):
    fired, trace = [], []
    for cr in ct.rows:
        ok = True
        for c in cr.conditions:
            if not interp(c.node, env):
                ok = False
                break
        trace.append(ok)
        if ok:
            fired.append(cr)
    if fired:
        p = ct.table.hit_policy
        if p in ("first", "unique"):
            kept = fired[0]
        else:
            best = (min if p == "collect_min" else max)(cr.row.score for cr in fired)
            kept = next(cr for cr in fired if cr.row.score == best)
        return kept.row.score, kept.row.id, trace
    d = ct.table.default
    return (d.score, "default", trace) if d else (None, None, trace)


# (c) zen-engine, on the same tables exported to its JDM format
def to_jdm(ct) -> str:
    rules = []
    for cr in ct.rows:
        expr = " and ".join(f"({c.text})" for c in cr.conditions)
        rules.append(
            {"_id": cr.row.id, "c": expr, "s": str(cr.row.score), "r": json.dumps(cr.row.id).replace('"', "'")}
        )
    policy = "first" if ct.table.hit_policy in ("first", "unique") else "collect"
    node = {
        "id": "t",
        "type": "decisionTableNode",
        "name": ct.table.id,
        "position": {"x": 0, "y": 0},
        "content": {
            "hitPolicy": policy,
            "inputs": [{"id": "c", "name": "when", "field": ""}],
            "outputs": [{"id": "s", "name": "score", "field": "score"}, {"id": "r", "name": "row", "field": "row"}],
            "rules": rules,
        },
    }
    return json.dumps(
        {
            "nodes": [
                {"id": "in", "type": "inputNode", "name": "in", "position": {"x": 0, "y": 0}},
                node,
                {"id": "out", "type": "outputNode", "name": "out", "position": {"x": 0, "y": 0}},
            ],
            "edges": [
                {"id": "e1", "sourceId": "in", "targetId": "t", "type": "edge"},
                {"id": "e2", "sourceId": "t", "targetId": "out", "type": "edge"},
            ],
        }
    )


def zen_result(ct, res):
    out = res["result"]
    hits = out if isinstance(out, list) else ([out] if out else [])
    hits = [h for h in hits if h]
    if hits:
        p = ct.table.hit_policy
        h = (
            hits[0]
            if p in ("first", "unique")
            else (min if p == "collect_min" else max)(
                hits,
                key=lambda h: (
                    (h["score"], [cr.row.id for cr in ct.rows].index(h["row"]))
                    if p == "collect_min"
                    else (h["score"], -[cr.row.id for cr in ct.rows].index(h["row"]))
                ),
            )
        )
        return h["score"], h["row"]
    d = ct.table.default
    return (d.score, "default") if d else (None, None)


def run_batch(bp, feats, table_of):
    out = {}
    for tid, bt in bp.tables.items():
        idx = np.nonzero(table_of == tid)[0]
        env = {k: v[idx] for k, v in feats.items()}
        out[tid] = (idx, bt.evaluate(env, len(idx)))
    return out


def timed(fn, *args, repeat: int = 3):
    best = float("inf")
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - t)
    return best, result


def memory_child(n: int) -> None:
    pack = load_pack(ROOT / "rules" / "cqc-la")
    bp = BatchPack(pack)
    feats, table_of = synthetic(pack, n)
    run_batch(bp, feats, table_of)
    # VmHWM: this process's own peak (ru_maxrss may carry the parent's peak across fork and exec)
    status = Path("/proc/self/status")
    if status.exists():
        for row in status.read_text().splitlines():
            if row.startswith("VmHWM:"):
                print(int(row.split()[1]))  # KiB
                return
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--memory-child", type=int, default=None)
    a = ap.parse_args()
    if a.memory_child:
        memory_child(a.memory_child)
        return 0
    n = a.n or (20_000 if a.quick else 200_000)
    n_slow = 1_000 if a.quick else 5_000
    pack = load_pack(ROOT / "rules" / "cqc-la")
    bp = BatchPack(pack)
    line(
        "machine",
        f"{os.uname().machine}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, numpy {np.__version__}",
    )
    line("cases", f"{n} seeded synthetic cells (feature vectors, one table evaluation each), seed {SEED}")
    feats, table_of = synthetic(pack, n)
    cts = {ct.table.id: ct for ct in pack.tables}

    # identical results from all four before anything is timed
    batch = run_batch(bp, feats, table_of)
    sample = np.arange(min(n, n_slow))
    envs = dicts(pack, feats, sample)
    import zen

    engine = zen.ZenEngine()
    decisions = {tid: engine.create_decision(to_jdm(ct)) for tid, ct in cts.items()}
    mismatches = 0
    for j, i in enumerate(sample):
        tid = table_of[i]
        idx, tr = batch[tid]
        pos = int(np.searchsorted(idx, i))
        a_score, a_kept, a_rows = bp.tables[tid].row_traces(tr, pos)
        b_score, b_kept, b_rows = evaluate_table(cts[tid], envs[j])
        r_score, r_kept, _ = reference(cts[tid], envs[j])
        z_score, z_kept = zen_result(cts[tid], decisions[tid].evaluate(envs[j], {"trace": True}))
        if not (a_score == b_score == r_score == z_score and a_kept == b_kept == r_kept == z_kept and a_rows == b_rows):
            mismatches += 1
    line("identical_results", f"{mismatches == 0} ({len(sample)} cells compared across all four evaluators)")
    if mismatches:
        return 1

    t_batch, _ = timed(run_batch, bp, feats, table_of)
    rate_batch = n / t_batch

    def one_at_a_time():
        for j, i in enumerate(sample):
            evaluate_table(cts[table_of[i]], envs[j])

    t_one, _ = timed(one_at_a_time)
    rate_one = len(sample) / t_one

    def ref():
        for j, i in enumerate(sample):
            reference(cts[table_of[i]], envs[j])

    t_ref, _ = timed(ref)
    rate_ref = len(sample) / t_ref

    def zen_all():
        for j, i in enumerate(sample):
            decisions[table_of[i]].evaluate(envs[j], {"trace": True})

    t_zen, _ = timed(zen_all, repeat=1)
    rate_zen = len(sample) / t_zen

    line("batch_trace_cases_per_s", f"{rate_batch:,.0f}")
    line("one_at_a_time_cases_per_s", f"{rate_one:,.0f}")
    line("zen_trace_cases_per_s", f"{rate_zen:,.0f}")
    line("reference_interpreter_cases_per_s", f"{rate_ref:,.0f}")
    line("ratio_vs_zen_trace", f"{rate_batch / rate_zen:.1f} (target >= 10: {_met(rate_batch / rate_zen >= 10)})")
    line("ratio_vs_reference", f"{rate_batch / rate_ref:.1f}")
    line("batch_target_200k_per_s", f"{rate_batch >= 200_000} ({rate_batch / 200_000:.2f} of target, one core)")

    # latency targets, against `python -c pass` measured now
    # the least of seven runs each, as timeit does: the rest is other work on the machine
    t_pass = min(_wall([sys.executable, "-c", "pass"]) for _ in range(7))
    exe = [sys.executable, "-m", "engine"]
    t_cold = min(_wall(exe + ["derive", "cases/blackpool-2025.yaml"]) for _ in range(7))
    line("python_c_pass_s", f"{t_pass:.3f}")
    line(
        "cold_derive_blackpool_s",
        f"{t_cold:.3f} (target < 0.5: {_met(t_cold < 0.5)}; {t_cold / t_pass:.1f}x python -c pass)",
    )
    # interactive commands: each at most 2.5x a cold derive of the same case, measured now
    for name, cmd in (
        ("review_blackpool", ["review", "cases/blackpool-2025.yaml"]),
        (
            "counterfactual_ri_truncate",
            [
                "counterfactual",
                "cases/blackpool-2025.yaml",
                "--target",
                "overall=requires_improvement",
                "--reading",
                "truncate",
            ],
        ),
        (
            "counterfactual_outstanding_k4",
            ["counterfactual", "cases/blackpool-2025.yaml", "--target", "overall=outstanding", "--max-changes", "4"],
        ),
        ("lint_cqc_la", ["lint", "rules/cqc-la"]),
    ):
        t_cmd = min(_wall(exe + cmd) for _ in range(7))  # the least of seven, as for derive: like for like
        line(
            f"{name}_s",
            f"{t_cmd:.3f} ({t_cmd / t_cold:.2f}x cold derive; target <= 2.5x: {_met(t_cmd <= 2.5 * t_cold)})",
        )
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import explorer

    explorer.targets(t_cold, line, _met)

    from engine.analysis.counterfactual import search
    from engine.evaluation.derive import derive
    from engine.ingest.extract import extract, load_cues
    from engine.model.case import Item, load_case
    from engine.model.locate import Packs

    report = ROOT / "cases" / "sources" / "blackpool-2025-cqc-la-assessment.txt"
    cue_only = load_cues(pack, with_reader=False)
    t_load, cues = timed(lambda: load_cues(pack))  # the pack's cues with its learned reader (reader.json)

    def extract_derive(with_cues):
        data = extract(pack, report, report.name, with_cues)
        return derive(pack, [Item.model_validate(x) for x in data["items"]])

    t_ex, _ = timed(lambda: extract_derive(cues))
    t_cue, _ = timed(lambda: extract_derive(cue_only))
    # the learned reader reads every sentence: whole-report extraction stays interactive (< 1 s
    # with loading the reader); the cues alone keep their earlier target
    line(
        "extract_plus_derive_blackpool_s",
        f"{t_ex:.3f} + {t_load:.3f} loading the reader (target < 1: "
        f"{_met(t_ex + t_load < 1)}; {t_ex / t_pass:.1f}x python -c pass)",
    )
    line("extract_plus_derive_blackpool_cues_alone_s", f"{t_cue:.3f} (target < 0.3: {_met(t_cue < 0.3)})")

    _pdf_target(pack, cues, t_pass)
    _ofsted_targets(packs_root=ROOT / "rules", t_pass=t_pass, quick="--quick" in sys.argv)

    packs = Packs(ROOT / "rules")
    lc = load_case(ROOT / "cases" / "blackpool-2025.yaml", packs.pack_for(ROOT / "cases"))
    t_cf, res = timed(lambda: search(pack, lc, ("overall", "requires_improvement"), 3, max_sets=1), repeat=1)
    line(
        "counterfactual_blackpool_ri_s",
        f"{t_cf:.3f} (target < 1: {_met(t_cf < 1)}; minimal size {res['minimal_size']}, "
        f"{res['examined']:,} examined; {t_cf / t_pass:.1f}x python -c pass)",
    )

    sizes = (25_000, 50_000, 100_000)
    peaks = [
        int(
            subprocess.run(
                [sys.executable, str(Path(__file__)), "--memory-child", str(s)], capture_output=True, text=True
            ).stdout
        )
        / 1024
        for s in sizes
    ]
    slope1 = (peaks[1] - peaks[0]) / (sizes[1] - sizes[0]) * 1000
    slope2 = (peaks[2] - peaks[1]) / (sizes[2] - sizes[1]) * 1000
    line("peak_rss_100000_batch_mib", f"{peaks[2]:.1f} (25k: {peaks[0]:.1f}, 50k: {peaks[1]:.1f})")
    line(
        "memory_mib_per_1000_cases",
        f"{slope1:.2f} from 25k to 50k, {slope2:.2f} from 50k to 100k "
        f"(ratio {slope2 / slope1:.2f}; linear growth is ~1)",
    )
    return 0


def _pdf_target(pack, cues, t_pass: float) -> None:
    """Extracting a 60-page PDF (the two bundled reports printed by headless Chromium, with
    running headers and footers) stays under a second: read, rendered, extracted, in-process."""
    import html as html_mod
    import shutil
    import tempfile

    from engine.ingest.extract import extract
    from engine.ingest.readers import read_report

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        line("pdf_extract_60_pages_s", "skipped (chromium not installed: apt-get install chromium)")
        return
    work = Path(tempfile.mkdtemp(prefix="rederive-bench-"))
    texts = [
        (ROOT / "cases" / "sources" / f).read_text(encoding="utf-8")
        for f in ("blackpool-2025-cqc-la-assessment.txt", "lincolnshire-2023-cqc-la-pilot-assessment.txt")
    ]
    body = "".join(f"<p>{html_mod.escape(ln)}</p>" for text in texts for ln in text.splitlines() if ln.strip())
    (work / "r.html").write_text(f"<html><body style='font:15px serif'>{body}</body></html>", encoding="utf-8")
    subprocess.run(
        [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={work / 'p'}",
            f"--print-to-pdf={work / 'r.pdf'}",
            (work / "r.html").as_uri(),
        ],
        capture_output=True,
        timeout=180,
    )
    pdf = work / "r.pdf"
    pages = read_report(pdf).text.count("=== page ")

    def pdf_extract():
        return extract(pack, pdf, "r.txt", cues, read_report(pdf).text)

    t_pdf, _ = timed(pdf_extract)
    line(
        "pdf_extract_60_pages_s",
        f"{t_pdf:.3f} for {pages} pages (target < 1 for 60: "
        f"{_met(t_pdf * 60 / max(pages, 1) < 1)}; {t_pdf / t_pass:.1f}x python -c pass)",
    )
    shutil.rmtree(work, ignore_errors=True)


def _ofsted_targets(packs_root: Path, t_pass: float, quick: bool) -> None:
    """One 14-page Ofsted inspection read, extracted and derived in-process well under a second;
    the whole development corpus (../shared/ofsted-ilacs, read where it lies) extracted by one
    `rederive extract DIR` run, a fresh process, in under a minute."""
    import shutil
    import tempfile

    from engine.evaluation.derive import derive
    from engine.ingest.extract import extract, load_cues
    from engine.ingest.readers import read_report
    from engine.model.case import Item
    from engine.model.locate import Packs

    corpus = ROOT.parent / "shared" / "ofsted-ilacs" / "reports"
    if not corpus.is_dir():
        line("ofsted_inspection_extract_derive_s", f"skipped (no corpus at {corpus})")
        return
    pack = Packs(packs_root).get("ofsted-ilacs", ROOT)
    cues = load_cues(pack)
    pdf = corpus / "blackpool-2026-07-28.pdf"  # 14 pages, the size the target names

    def one():
        text = read_report(pdf).text
        data = extract(pack, pdf, "r.txt", cues, text)
        return derive(pack, [Item.model_validate(x) for x in data["items"]]), text.count("=== page ")

    t_one, (_, pages) = timed(one)
    line(
        "ofsted_inspection_extract_derive_s",
        f"{t_one:.3f} for {pages} pages (target < 1: {_met(t_one < 1)}; {t_one / t_pass:.1f}x python -c pass)",
    )
    if quick:
        return
    work = Path(tempfile.mkdtemp(prefix="rederive-bench-ofsted-"))
    n = len(list(corpus.glob("*.pdf")))
    t_all = _wall(
        [sys.executable, "-m", "engine", "extract", str(corpus), "-o", str(work / "cases"), "--format", "json"]
    )
    written = len(list((work / "cases").glob("*.yaml")))
    line(
        "ofsted_corpus_extract_dir_s",
        f"{t_all:.1f} for {written} of {n} inspections (target < 60: {_met(t_all < 60 and written == n)})",
    )
    _ofsted_corpus_read_back(work / "cases", corpus.parent / "inspections.csv")
    shutil.rmtree(work, ignore_errors=True)
    index = corpus.parent / "inspections.csv"
    t_sup = _wall(
        [
            sys.executable,
            "-m",
            "engine",
            "consistency",
            "--reports",
            str(corpus),
            "--index",
            str(index),
            "--format",
            "json",
        ]
    )
    line(
        "ofsted_corpus_consistency_reports_s",
        f"{t_sup:.1f} for {n} inspections ranked by support (target < 60: {_met(t_sup < 60)}; "
        f"{t_sup / t_all:.2f}x extracting them to cases)",
    )
    pair = [str(corpus / "barnsley-2018-11-19.pdf"), str(corpus / "barnsley-2023-10-27.pdf")]
    t_cmp = _wall([sys.executable, "-m", "engine", "compare", *pair, "--format", "json"])
    line(
        "ofsted_compare_two_inspections_s",
        f"{t_cmp:.3f} (target < 2: {_met(t_cmp < 2)}; {t_cmp / t_pass:.1f}x python -c pass)",
    )


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _ofsted_corpus_read_back(cases: Path, index: Path) -> None:
    """What the tests check on a sample, over the whole corpus: every report a full inspection,
    and every judgement grade read from its report's table as the index has it."""
    import csv
    import re

    grades = {"inadequate": 1, "requires improvement": 2, "requires improvement to be good": 2, "good": 3}
    grades["outstanding"] = 4
    columns = {
        "leaders_impact": "impact_of_leaders_grade",
        "help_and_protection": "help_and_protection_grade",
        "children_in_care": "in_care_grade",
        "care_leavers": "care_leavers_grade",
    }
    full = right = total = 0
    rows = list(csv.DictReader(index.read_text(encoding="utf-8").splitlines()))
    for row in rows:
        case = cases / (re.sub(r"[^a-z0-9]+", "-", Path(row["file"]).stem.lower()).strip("-") + ".yaml")
        text = case.read_text(encoding="utf-8") if case.is_file() else ""
        full += bool(re.search(r"^kind: full_inspection$", text, re.M))
        scores = yaml_scores(text)
        for sid, col in columns.items():
            if row[col].lower() in grades:
                total += 1
                right += scores.get(sid) == grades[row[col].lower()]
    line(
        "ofsted_corpus_read_back",
        f"{full} of {len(rows)} full inspections; {right} of {total} judgements read as the index has them "
        f"(target: all: {_met(full == len(rows) and right == total)})",
    )


def yaml_scores(text: str) -> dict[str, int]:
    """The published scores of a case file (its `published: scores:` block)."""
    import yaml

    doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) if text else {}  # noqa: S506 (a safe loader)
    return dict(((doc or {}).get("published") or {}).get("scores") or {})


def _wall(cmd) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, capture_output=True, env={**os.environ, "NO_COLOR": "1"})
    return time.perf_counter() - t


if __name__ == "__main__":
    raise SystemExit(main())
