"""What-if and exact counterfactuals: copies only, inverses restore, sets reach and are minimal."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from conftest import CASES, CQC, run_cli, run_json
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import items as item_strategy

from engine.analysis.counterfactual import search
from engine.analysis.scenario import Change, Scenario, apply, inverse
from engine.analysis.whatif import evidence_whatif
from engine.base.errors import LoadError
from engine.evaluation.derive import derive
from engine.model.case import Case, LoadedCase
from engine.model.pack import load_pack
from engine.reports.derived import derive_object

PACK = load_pack(CQC)
BLACKPOOL = CASES / "blackpool-2025.yaml"


def _scores(items):
    d = derive(PACK, items)
    return (
        {s.id: s.score for s in d.statements},
        {(c.statement, c.category): (c.score, c.kept) for s in d.statements for c in s.cells},
        d.overall.value,
    )


def test_scenario_file_moves_learning(packs):
    obj = run_json("whatif", str(BLACKPOOL), "--scenario", str(CASES / "scenarios" / "learning-people-heard.yaml"))
    assert set(obj) == {"case", "before", "after", "changes", "moved"}
    moved = {(m["level"], m.get("statement"), m.get("category")): m for m in obj["moved"]}
    assert moved[("statement", "learning", None)]["after"] == 2
    cat = moved[("category", "learning", "people_experience")]
    assert cat["rows"] == {"before": "significant_in_context", "after": "default"}
    assert obj["before"]["statements"][8]["derived"] == 1 and obj["after"]["statements"][8]["derived"] == 2


def test_whatif_never_touches_the_file():
    before = BLACKPOOL.read_bytes()
    run_cli("whatif", str(BLACKPOOL), "--drop", "an01", "--set", "an02.polarity=strength")
    assert BLACKPOOL.read_bytes() == before


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--drop", "zz99"], "no item 'zz99'"),
        (["--set", "an01.tags=risk_of_harm,not_a_tag"], "unknown tag 'not_a_tag'"),
        (["--set", "an01.polarity=strength"], "tag 'no_assurance' belongs on a shortfall or mixed item"),
        (["--set", "an01.statement=equty"], "did you mean 'equity'"),
    ],
)
def test_bad_changes_are_refused(argv, message):
    code, _, err = run_cli("whatif", str(BLACKPOOL), *argv)
    assert code == 1 and message in err


def test_add_items_file(tmp_path: Path):
    f = tmp_path / "add.yaml"
    f.write_text(
        "items:\n  - {id: new1, statement: learning, category: people_experience, polarity: strength}\n"
        "  - {id: new2, statement: learning, category: people_experience, polarity: strength}\n"
    )
    obj = run_json("whatif", str(BLACKPOOL), "--add", str(f))
    assert any(m["level"] == "statement" and m["statement"] == "learning" for m in obj["moved"])


def test_rules_override_moves_and_explains():
    obj = run_json("whatif", str(CASES), "--rules-override", str(CASES / "overrides" / "stricter-some-shortfalls.yaml"))
    assert obj["moved_cases"] == 2
    linc = next(c for c in obj["cases"] if c["case"] == "lincolnshire-2023")
    [m] = linc["moved"]
    assert m["rows"] == {"before": "some_shortfalls", "after": "default"}


def test_rules_override_bad_path_is_located(tmp_path: Path):
    f = tmp_path / "o.yaml"
    f.write_text(
        "name: x\nframework: cqc-la\nchanges:\n  - {file: tables.yaml, path: 'tables[nope].rows[0]', value: 1}\n"
    )
    code, _, err = run_cli("whatif", str(CASES), "--rules-override", str(f))
    assert code == 1 and f"{f}:4:" in err and "no element with id 'nope'" in err


# --- properties -----------------------------------------------------------------


def _lc(items) -> LoadedCase:
    case = Case(case="synthetic", council="S", framework="cqc-la", sources=["x"], items=items)
    return LoadedCase(Path("synthetic.yaml"), case)


@st.composite
def small_cases(draw):
    statements = draw(st.lists(st.sampled_from(PACK.statement_ids), min_size=1, max_size=2, unique=True))
    out = []
    for n in range(draw(st.integers(1, 8))):
        out.append(draw(item_strategy(statement=draw(st.sampled_from(statements)), ident=f"s{n}")))
    return out


PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(small_cases())
def test_empty_scenario_is_the_baseline(items):
    lc = _lc(items)
    r = evidence_whatif(PACK, lc, [])
    assert r["before"] == r["after"] and r["moved"] == []


@PROPS
@given(small_cases(), st.data())
def test_a_change_and_its_inverse_give_the_baseline(items, data):
    target = data.draw(st.sampled_from(items))
    kind = data.draw(st.sampled_from(["drop", "polarity", "category"]))
    if kind == "drop":
        ch = Change(op="drop", item=target.id)
    elif kind == "category":
        ch = Change(op="set", item=target.id, field="category", value=data.draw(st.sampled_from(PACK.category_ids)))
    else:
        value = data.draw(st.sampled_from(["strength", "shortfall", "mixed"]))
        ch = Change(op="set", item=target.id, field="polarity", value=value)
    try:
        changed = apply(PACK, items, [ch])
    except LoadError:
        return  # e.g. a tag or metric the new polarity may not carry: refused, as it should be
    back = apply(PACK, changed, [inverse(items, ch)])
    assert _scores(back) == _scores(items)


@PROPS
@given(st.lists(small_cases(), min_size=2, max_size=4))
def test_a_shared_memo_gives_what_a_fresh_derivation_gives(cases):
    """derive's memo lends a statement's result to a later call whose items read the same:
    over several item lists (some statements alike, some not), never a different result."""
    memo: dict = {}
    for items in cases + cases[:1]:
        assert derive(PACK, items, memo=memo) == derive(PACK, items)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cases(), st.sampled_from([1, -1]))
def test_counterfactual_sets_reach_the_target_and_are_minimal(items, step):
    lc = _lc(items)
    base = derive(PACK, items).overall.value
    order = [r.id for r in PACK.core.ratings]
    i = order.index(base) + step
    if not 0 <= i < len(order):
        return
    goal = order[i]
    res = search(PACK, lc, ("overall", goal), max_changes=2, max_sets=20)

    def reaches(changes):
        got = order.index(derive(PACK, apply(PACK, items, changes)).overall.value)
        return got >= i if step > 0 else got <= i

    if res["minimal_size"] is None:
        return
    assert res["sets_total"] >= len(res["sets"]) > 0
    for s in res["sets"]:
        steps = [[Change.model_validate(c) for c in step] for step in s["steps"]]
        assert len(steps) == res["minimal_size"]
        scenario = Scenario.model_validate(s["scenario"])
        assert reaches(scenario.changes)
        assert derive_object(PACK, lc, derive(PACK, apply(PACK, items, scenario.changes))) == s["result"]
        for k in range(len(steps)):
            for sub in itertools.combinations(steps, k):
                assert not reaches([c for st_ in sub for c in st_]), "a proper subset reaches the target"


def test_blackpool_least_change_to_requires_improvement():
    obj = run_json("counterfactual", str(BLACKPOOL), "--target", "overall=requires_improvement", "--max-sets", "5")
    assert obj["minimal_size"] == 2 and obj["direction"] == "at_least"
    assert set(obj) >= {"target", "minimal_size", "sets", "examined", "seconds"}
    for s in obj["sets"]:
        ov = s["result"]["overall"]
        assert ov["derived"] == "requires_improvement" and ov["sum"] == 14 and ov["ambiguous"]
        whatif = run_json("whatif", str(BLACKPOOL), "--scenario", _write_scenario(s["scenario"]))
        assert whatif["after"]["overall"]["derived"] == "requires_improvement"


def test_truncated_reading_needs_three_changes_for_learning_alone():
    obj = run_json(
        "counterfactual", str(BLACKPOOL), "--target", "learning=2", "--reading", "truncate", "--max-sets", "1"
    )
    assert obj["minimal_size"] == 1


def _write_scenario(scenario: dict) -> str:
    import tempfile

    f = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    json.dump(scenario, f)  # JSON is YAML
    f.close()
    return f.name


def test_target_errors():
    code, _, err = run_cli("counterfactual", str(BLACKPOOL), "--target", "overall=gud")
    assert code == 2 and "unknown rating 'gud'" in err
    code, _, err = run_cli("counterfactual", str(BLACKPOOL), "--target", "equity=9")
    assert code == 2 and "not on the scale" in err


@pytest.mark.parametrize(
    "case, at_least",
    [("blackpool-2025.yaml", 3_000), ("lincolnshire-2023.yaml", 800), ("blackpool-2020-ofsted-monitoring.yaml", 300)],
)
def test_batch_scoring_of_candidates_equals_derive(packs, case, at_least):
    """The compiled batch path of the counterfactual search against `derive` of the changed
    items themselves: every candidate of one change, every fifth of two and samples of three and
    four (the sorting of a candidate's changes differs with their number), on real cases
    (Lincolnshire's many one-item categories exercise which categories count; the Ofsted
    pack's statement-scope weights, features shared by a statement's cells)."""
    from engine.analysis.candidates import (
        _changes_for,
        _concrete_sets,
        build,
        combinations,
    )
    from engine.analysis.scoring import _score_many
    from engine.model.case import load_case

    path = BLACKPOOL.parent / case
    lc = load_case(path, packs.pack_for(path.parent))
    pack = packs.get(lc.case.framework)
    items = list(lc.case.items)
    s = build(pack, items)
    compared = 0
    for sid in pack.statement_ids:
        own = [it for it in items if it.statement == sid]
        for k, stride in ((1, 1), (2, 5), (3, 97), (4, 4999)):
            group = [tuple(s.ops[sid][i] for i in row) for row in combinations(s, sid, k)[::stride]]
            for picks, score in zip(group, _score_many(s, sid, group), strict=True):
                steps, _ = _changes_for(s, picks, next(_concrete_sets(s, picks)))
                changed = apply(pack, own, [c for step in steps for c in step])
                assert derive(pack, changed).statement(sid).score == score, (
                    sid,
                    [c.label() for st in steps for c in st],
                )
                compared += 1
    assert compared > at_least


def test_an_out_of_reach_target_is_proved_by_a_bound_without_enumerating():
    """Blackpool to Outstanding needs 20 more score points than it has; four changes can add
    at most 3 each (a statement touched ends at best on 4): the search says so at once."""
    obj = run_json("counterfactual", str(BLACKPOOL), "--target", "overall=outstanding", "--max-changes", "4")
    assert obj["minimal_size"] is None and obj["sets_total"] == 0 and obj["examined"] == 0
    bound = obj["bound"]
    assert bound["proved_out_of_reach"] and bound["changes"] == 4
    assert (bound["best_sum"], bound["out_of"], bound["best_rating"]) == (24, 36, "good")
    code, out, _ = run_cli("counterfactual", str(BLACKPOOL), "--target", "overall=outstanding", "--max-changes", "4")
    assert code == 0 and "proved by a bound" in out


def test_the_bound_never_hides_a_set(packs):
    """Where the bound allows a size, the search is the same exhaustive one: the minimal size
    and the sets of a reachable target do not depend on it (a bound that allows everything)."""
    from engine.analysis import counterfactual as cf
    from engine.model.case import load_case

    lc = load_case(BLACKPOOL, packs.pack_for(BLACKPOOL.parent))
    real = cf.best_case
    try:
        cf.best_case = lambda pack, baseline, reached, direction, k: {}  # "always possible"
        loose = cf.search(PACK, lc, ("overall", "requires_improvement"), 2, 5)
    finally:
        cf.best_case = real
    tight = cf.search(PACK, lc, ("overall", "requires_improvement"), 2, 5)
    assert (loose["minimal_size"], loose["sets_total"]) == (tight["minimal_size"], tight["sets_total"]) == (2, 481)
    assert [s["changes"] for s in loose["sets"]] == [s["changes"] for s in tight["sets"]]


@given(st.integers(0, 9), st.integers(1, 4))
def test_multisets_are_enumerated_as_itertools_does(n, size):
    """The array form of the candidates' multisets: the same rows in the same order."""
    import numpy as np

    from engine.analysis.candidates import _with_replacement

    expected = np.array(list(itertools.combinations_with_replacement(range(n), size)), dtype=np.int64).reshape(-1, size)
    got = _with_replacement(n, size)
    assert got.shape == expected.shape and (got == expected).all()


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.integers(1, 300), st.sampled_from([2, 7, 40, 5000, 10**12]), st.integers(1, 5), st.data())
def test_grouping_of_candidates_is_exact(width, m, n, n_extra, data):
    """The search's grouping of candidate rows, on every path (dense table, sort, rows too
    wide for one integer): rows with the same sorted class ids and extra share a group, and
    no others; the sorting network sorts as a sort does."""
    import numpy as np

    from engine.analysis.scoring import _group, _sorted_rows

    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    raw = rng.integers(0, min(n, 9), size=(m, width), dtype=np.int64)  # few distinct values: groups form
    classes = _sorted_rows(raw)
    assert (classes == np.sort(raw, axis=1)).all()
    extra = rng.integers(0, n_extra, size=m, dtype=np.int64)
    reps, back = _group(classes, n, extra, n_extra)
    keys = [tuple(r) + (e,) for r, e in zip(classes.tolist(), extra.tolist(), strict=True)]
    assert len(reps) == len(set(keys))
    for i, key in enumerate(keys):
        assert keys[reps[back[i]]] == key
    assert len({keys[r] for r in reps}) == len(reps)


def test_a_target_out_of_reach_is_never_a_dead_end():
    """No set of three changes takes Blackpool to Good: the answer says how far the best set of
    three gets (and that set derives so), and the least bound worth searching next."""
    obj = run_json("counterfactual", str(BLACKPOOL), "--target", "overall=good")
    assert obj["minimal_size"] is None and obj["needs_at_least"] == 4
    close = obj["closest"]
    assert close["exact"] and 1 <= close["changes"] <= 3
    assert close["set"]["result"]["overall"]["derived"] == close["gets"] == "requires_improvement"
    assert all(d["quote"] for d in close["set"]["details"])
    # four changes: the bound no longer rules them out, the exhaustive search finds none, and
    # the next bound offered is five
    four = run_json("counterfactual", str(BLACKPOOL), "--target", "overall=good", "--max-changes", "4")
    assert "bound" not in four and four["minimal_size"] is None and four["needs_at_least"] == 5
    assert four["closest"]["percent"] >= close["percent"]
    code, out, _ = run_cli("counterfactual", str(BLACKPOOL), "--target", "overall=good")
    assert code == 0 and "The closest with at most 3 changes: requires_improvement" in out
    assert "try --max-changes 4" in out
