"""Agreement of derived with published grades over a corpus: exact and within-one agreement,
the baseline of always answering the commonest published grade, quadratic weighted kappa and
the confusion matrix. Framework-free: grades are ordered values (scores, or rating ids in the
pack's order)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any


def quadratic_kappa(pairs: Sequence[tuple[int, int]], levels: Sequence[int]) -> float | None:
    """Cohen's kappa with quadratic weights over ordered `levels` (1.0 perfect, 0 chance);
    None when it is undefined (fewer than two pairs, or no spread in either rater)."""
    if len(pairs) < 2:
        return None
    idx = {v: i for i, v in enumerate(levels)}
    k = len(levels)
    n = len(pairs)
    observed = [[0.0] * k for _ in range(k)]
    for a, b in pairs:
        observed[idx[a]][idx[b]] += 1
    rows = [sum(r) for r in observed]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    weight = [[(i - j) ** 2 / (k - 1) ** 2 if k > 1 else 0.0 for j in range(k)] for i in range(k)]
    num = sum(weight[i][j] * observed[i][j] for i in range(k) for j in range(k))
    den = sum(weight[i][j] * rows[i] * cols[j] / n for i in range(k) for j in range(k))
    return None if den == 0 else round(1 - num / den, 3)


def summary(pairs: Sequence[tuple[int, int | None]], levels: Sequence[int]) -> dict[str, Any]:
    """(published, derived) pairs; a derived None (nothing read) counts as a disagreement."""
    n = len(pairs)
    exact = sum(p == d for p, d in pairs)
    within = sum(d is not None and abs(levels.index(p) - levels.index(d)) <= 1 for p, d in pairs)
    common = Counter(p for p, _ in pairs).most_common(1)
    base_grade, base_n = common[0] if common else (None, 0)
    matrix = {str(p): {str(d): 0 for d in [*levels, None]} for p in levels}
    for p, d in pairs:
        matrix[str(p)][str(d)] += 1
    return {
        "compared": n,
        "exact": exact,
        "within_one": within,
        "exact_percent": round(100 * exact / n, 1) if n else None,
        "within_one_percent": round(100 * within / n, 1) if n else None,
        "baseline": {"grade": base_grade, "exact": base_n, "exact_percent": round(100 * base_n / n, 1) if n else None},
        "kappa": quadratic_kappa([(p, d) for p, d in pairs if d is not None], levels),
        "kappa_baseline": 0.0 if n else None,
        "confusion": {"rows": "published", "columns": "derived (None: nothing read)", "matrix": matrix},
    }
