"""Leave-one-group-out sentence accuracy of a learned reader (train-reader's cross-validation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.ingest.reader import POLARITIES
from engine.model.pack import Pack

if TYPE_CHECKING:
    from engine.authoring.train_reader import Label


def cross_validate(
    pack: Pack, labels: list[Label], feats: list[list[str]], advance: Callable[[], None] = lambda: None
) -> dict[str, Any]:
    """Sentence accuracy with each group (council) left out of training in turn."""
    from engine.authoring.train_reader import predict, train

    groups = sorted({lab.group for lab in labels})
    got: list[tuple[str, str, int] | None] = [None] * len(labels)
    for g in groups:
        tr = [i for i, lab in enumerate(labels) if lab.group != g]
        model = train(pack, [labels[i] for i in tr], [feats[i] for i in tr])
        for i, lab in enumerate(labels):
            if lab.group == g:
                got[i] = predict(model, feats[i])
        advance()
    figures = sentence_figures(labels, got, groups)
    by_file: dict[str, list[int]] = {}
    for i, lab in enumerate(labels):
        by_file.setdefault(lab.where.split(":")[0], []).append(i)
    figures["by_label_file"] = {
        f: {
            k: v
            for k, v in sentence_figures([labels[i] for i in ix], [got[i] for i in ix]).items()
            if k in ("sentences", "polarity_percent", "category_percent", "intensity_percent")
        }
        for f, ix in sorted(by_file.items())
    }
    return figures


def sentence_figures(labels: list[Label], got: list[Any], groups: list[str] | None = None) -> dict[str, Any]:
    pol = [(lab.polarity, g[0]) for lab, g in zip(labels, got, strict=True)]
    cat = [(lab.category, g[1]) for lab, g in zip(labels, got, strict=True)]
    inten = [
        (max(lab.intensity, 1), g[2])
        for lab, g in zip(labels, got, strict=True)
        if lab.polarity != "none" and g[0] != "none"
    ]

    def acc(pairs: list[tuple[Any, Any]]) -> float | None:
        return round(100 * sum(a == b for a, b in pairs) / len(pairs), 1) if pairs else None

    return {
        "sentences": len(labels),
        **({"groups": len(groups)} if groups is not None else {}),
        "polarity_percent": acc(pol),
        "polarity_by_class": {
            c: {"n": sum(1 for a, _ in pol if a == c), "percent": acc([p for p in pol if p[0] == c])}
            for c in POLARITIES
            if any(a == c for a, _ in pol)
        },
        "category_percent": acc(cat),
        "category_by_class": {
            c: {"n": sum(1 for a, _ in cat if a == c), "percent": acc([p for p in cat if p[0] == c])}
            for c in sorted({a for a, _ in cat})
        },
        "intensity_percent": acc(inten),
    }
