"""Every pair of consecutive inspections of one council in the Ofsted corpus, compared
(`rederive compare`): how often a change of published grade is matched by the derived grade
moving the same way, how often an unchanged grade keeps its derived grade, and how long one
comparison takes.

    .venv/bin/python bench/compare_pairs.py
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OFSTED = ROOT.parent / "shared" / "ofsted-ilacs"


def main() -> dict:
    from engine.authoring.compare import compare, read_side
    from engine.model.locate import Packs

    rows = list(csv.DictReader((OFSTED / "inspections.csv").open(encoding="utf-8")))
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(r["local_authority"], []).append(r)
    packs = Packs(ROOT / "rules")
    changed = {"up": [0, 0], "down": [0, 0]}
    kept = [0, 0]
    times = []
    for inspections in by.values():
        inspections.sort(key=lambda r: r["published"])
        for a, b in zip(inspections, inspections[1:], strict=False):
            t0 = time.perf_counter()
            pack, old = read_side(OFSTED / "reports" / a["file"], packs, "ofsted-ilacs")
            _, new = read_side(OFSTED / "reports" / b["file"], packs, "ofsted-ilacs")
            result = compare(pack, old, new)
            times.append(time.perf_counter() - t0)
            for st in result["statements"]:
                if st["follows"] is None:
                    continue
                o, n = st["published"]["old"], st["published"]["new"]
                tally = kept if o == n else changed["up" if n > o else "down"]
                tally[0] += 1
                tally[1] += bool(st["follows"])
    return {
        "pairs": len(times),
        "grade_changed": {k: {"judgements": v[0], "derived_moved_the_same_way": v[1]} for k, v in changed.items()},
        "grade_kept": {"judgements": kept[0], "derived_kept": kept[1]},
        "seconds_per_comparison": {"mean": round(sum(times) / len(times), 2), "max": round(max(times), 2)},
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
