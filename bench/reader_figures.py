"""Figures of the learned reader that `train-reader` and `calibrate` do not print:

- the seed reports (Blackpool 2025, Lincolnshire 2023) extracted whole: by the shipped pack
  (which reads each with its held-out reader, cues.yaml reader.held_out), by the pack's main
  reader (in-sample: their labels trained it), by a reader trained here without that report's
  labels (the held-out reader rebuilt) and by the cues alone;
  statements agreeing with the published scores, and the items' agreement with the curated
  cases' hand-read items (matched, read with the other polarity, in another category);
- a page-level baseline: a TF-IDF classifier of the development pages' findings (word
  1-2-grams, logistic regression), leave-one-council-out.

    .venv/bin/python bench/reader_figures.py [--pages ../dev-pages]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"


def seeds() -> dict:
    from engine.authoring.train_reader import features_of, label_files, read_labels, train
    from engine.evaluation.derive import derive
    from engine.ingest.cues import load_cues
    from engine.ingest.extract import extract
    from engine.model.case import Item
    from engine.model.locate import Packs, load_cases
    from engine.model.pack import load_pack
    from engine.reports.itemdiff import item_diff

    pack = load_pack(ROOT / "rules" / "cqc-la")
    texts = [d for d in (ROOT.parent / "dev-pages", SHARED / "reports") if d.is_dir()]
    labels, _ = read_labels(pack, label_files(SHARED / "labels", pack), texts, lambda f: f)
    feats = features_of(load_cues(pack, with_reader=False), labels)
    packs = Packs(ROOT / "rules")
    out = {}
    for name, case in (
        ("blackpool-2025-cqc-la-assessment.txt", "blackpool-2025.yaml"),
        ("lincolnshire-2023-cqc-la-pilot-assessment.txt", "lincolnshire-2023.yaml"),
    ):
        report = SHARED / "reports" / name
        curated = load_cases([ROOT / "cases" / case], packs)[0]
        row = {}
        for how in ("shipped", "in_sample", "own_labels_left_out", "cues_alone"):
            cues = load_cues(pack, with_reader=how != "cues_alone")
            if how == "in_sample":
                cues.__dict__["_held_out"] = []  # no held-out reader: the main reader reads it
            if how == "own_labels_left_out":
                keep = [i for i, lab in enumerate(labels) if lab.file != name]
                cues.reader = train(pack, [labels[i] for i in keep], [feats[i] for i in keep])
            data = extract(pack, report, name, cues)
            items = [Item.model_validate(x) for x in data["items"]]
            der = derive(pack, items)
            pub = data["published"]["scores"]
            diff = item_diff(curated, SimpleNamespace(case=SimpleNamespace(items=items), path=name))
            row[how] = {
                "statements_agreeing": sum(st.score == pub.get(st.id) for st in der.statements),
                "overall": der.overall.value,
                "published_overall": data["published"].get("rating"),
                "items": len(items),
                "curated_matched": diff["summary"]["matched"],
                "other_polarity": sum("polarity" in d["fields"] for d in diff["differ"]),
                "other_category": sum("category" in d["fields"] for d in diff["differ"]),
            }
        out[case] = row
    return out


def tfidf_pages(pages: Path) -> dict | None:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from engine.authoring.corpus import read_index
    from engine.model.pack import load_pack
    from engine.reports.agreement import summary

    if not pages.is_dir():
        return None
    pack = load_pack(ROOT / "rules" / "cqc-la")
    rows = [r for r in read_index(SHARED / "data" / "cqc-la-dev-pages.tsv", pack) if (pages / r.file).is_file()]
    texts = []
    for r in rows:  # the findings only: what follows the key-findings heading (the score line is above it)
        t = (pages / r.file).read_text(encoding="utf-8")
        texts.append(t.split("Key findings for this quality statement", 1)[-1])
    y = np.array([r.published for r in rows])
    pred = np.zeros(len(rows), dtype=int)
    for g in sorted({r.group for r in rows}):
        te = np.array([r.group == g for r in rows])
        v = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        x = v.fit_transform([t for t, k in zip(texts, ~te, strict=True) if k])
        m = LogisticRegression(C=10, max_iter=2000).fit(x, y[~te])
        pred[te] = m.predict(v.transform([t for t, k in zip(texts, te, strict=True) if k]))
    s = summary(list(zip(y.tolist(), pred.tolist(), strict=True)), list(pack.scores))
    return {k: s[k] for k in ("compared", "exact", "exact_percent", "kappa", "baseline")}


if __name__ == "__main__":
    pages = Path(sys.argv[sys.argv.index("--pages") + 1]) if "--pages" in sys.argv else ROOT.parent / "dev-pages"
    print(json.dumps({"seeds": seeds(), "tfidf_page_classifier_leave_one_council_out": tfidf_pages(pages)}, indent=1))
