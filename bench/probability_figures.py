"""How well the probabilities rederive gives its derived scores are calibrated: a reliability
table and the Brier score, beside the baseline's, from the held-out scores of a calibration.

    .venv/bin/rederive calibrate PACK ... --format json > calibration.json
    .venv/bin/python bench/probability_figures.py calibration.json [--pack rules/cqc-la]

Every page's score was derived with everything fitted without its council (the calibration's
nested leave-one-council-out). Here, too, each council's probabilities come from a table
counted without its own pages: the probability it is given is one a council nobody has read
would be given. The baseline gives every page the spread of published scores of the other
councils, whatever was derived. Brier: the mean over pages of the squared distance between the
distribution and the published score (0 perfect; lower is better). With `--write`, the table
counted on every page is written into the pack (calibration.probabilities).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.authoring.calibrate import counts  # noqa: E402
from engine.evaluation.probability import statement_distribution  # noqa: E402
from engine.model.packfiles import ProbabilityTable  # noqa: E402

BINS = [(0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)]


def figures(pages: list[dict], scale: list[int], smoothing: float = 2.0) -> dict:
    rows = []
    for p in pages:
        if p["derived"] is None:
            continue
        others = [(q["published"], q["derived"]) for q in pages if q["council"] != p["council"]]
        table = ProbabilityTable(corpus="held out", counts=counts(others), smoothing=smoothing)
        dist = statement_distribution(table, scale, p["derived"])
        pubs = [q for q, _ in others]
        base = {k: (pubs.count(k) + 1) / (len(pubs) + len(scale)) for k in scale}
        rows.append((p, dist, base))
    brier = sum(sum((d[k] - (k == p["published"])) ** 2 for k in scale) for p, d, _ in rows) / len(rows)
    brier_base = sum(sum((b[k] - (k == p["published"])) ** 2 for k in scale) for p, _, b in rows) / len(rows)
    table = []
    for lo, hi in BINS:
        inside = [(p, d) for p, d, _ in rows if lo <= d[p["derived"]] < hi]
        if inside:
            table.append(
                {
                    "bin": f"{lo:.1f}-{min(hi, 1.0):.1f}",
                    "scores": len(inside),
                    "mean_probability": round(sum(d[p["derived"]] for p, d in inside) / len(inside), 3),
                    "right": round(sum(p["derived"] == p["published"] for p, _ in inside) / len(inside), 3),
                }
            )
    return {
        "scores": len(rows),
        "brier": round(brier, 4),
        "brier_baseline": round(brier_base, 4),
        "reliability": table,
        "counts": counts([(p["published"], p["derived"]) for p in pages]),
    }


def main() -> None:
    result = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    pages = result["leave_one_council_out"]["pages"]
    scale = sorted({1, 2, 3, 4})
    out = figures(pages, scale)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
