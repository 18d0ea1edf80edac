"""The learned sentence reader: its file is data in the pack (checked, refused at its line),
every extracted item says how it was read, training is deterministic and reproduces the
shipped reader, and derive of a curated case never loads it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.base.errors import LoadError
from engine.ingest.cues import load_cues
from engine.ingest.extract import extract
from engine.ingest.reader import CueReading, load_reader, sentence_features
from engine.model.case import Case
from engine.model.pack import load_pack

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PAGE = ROOT / "tests" / "data" / "reports" / "blackpool-2025-partnerships-communities.txt"


@pytest.fixture(scope="module")
def cqc():
    pack = load_pack(ROOT / "rules" / "cqc-la")
    return pack, load_cues(pack)


def _pack_copy(tmp_path: Path, name: str = "cqc-la") -> Path:
    dst = tmp_path / "rules" / name
    shutil.copytree(ROOT / "rules" / name, dst)
    return dst


def _problems(root: Path) -> list:
    pack = load_pack(root)
    with pytest.raises(LoadError) as exc:
        load_cues(pack)
    return exc.value.problems


def test_a_malformed_weight_is_refused_at_its_line(tmp_path):
    root = _pack_copy(tmp_path)
    path = root / "reader.json"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith('    "not always": '))
    lines[at] = '    "not always": {"polarity": [1.0, 2.0]},'  # two weights for four classes
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (p,) = _problems(root)
    assert p.line == at + 1 and "not always" in p.message and p.file.endswith("reader.json")


def test_broken_json_and_foreign_readers_are_refused_with_their_place(tmp_path):
    root = _pack_copy(tmp_path)
    path = root / "reader.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"heads": {', '"heads": {,', 1), encoding="utf-8")
    (p,) = _problems(root)
    assert p.line is not None and p.line > 1 and "not valid JSON" in p.message
    other = ROOT / "rules" / "ofsted-ilacs" / "reader.json"
    path.write_text(other.read_text(encoding="utf-8"), encoding="utf-8")
    (p,) = _problems(root)
    assert p.line == 3 and "ofsted-ilacs" in p.message


def test_a_category_the_pack_does_not_have_is_refused(tmp_path):
    root = _pack_copy(tmp_path)
    path = root / "reader.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["heads"]["category"]["classes"][0] = "gossip"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    (p,) = _problems(root)
    assert "gossip" in p.message and p.line is not None


def test_a_missing_reader_file_says_how_to_make_it(tmp_path):
    root = _pack_copy(tmp_path)
    (root / "reader.json").unlink()
    (p,) = _problems(root)
    assert p.file.endswith("cues.yaml") and "train-reader" in p.message and p.line is not None


def test_features_are_words_pairs_and_the_cues_reading():
    feats = sentence_features(
        "People did not always receive 12 visits.", CueReading("shortfall", "people_experience", ("delays",))
    )
    assert {
        "not always",
        "always",
        "0 visits",
        "cue: shortfall",
        "cue tag: delays",
        "cue category: people_experience",
    } <= set(feats)
    assert feats == sorted(feats)


def test_every_extracted_item_says_how_it_was_read(cqc, tmp_path):
    pack, cues = cqc
    data = extract(pack, PAGE, PAGE.name, cues)
    assert data["items"] and data["not_evidence"]
    for it in data["items"]:
        r = it["reading"]
        assert (
            r["by"] in ("reader", "cues+reader")
            and r["because"]
            and all(isinstance(b, str) and b for b in r["because"])
        )
        assert 0 <= r["confidence"] <= 1 and r["intensity"] in (1, 2, 3)
    # the opening of the statement's findings (its first 1,500 characters) carries the tag; later items do not
    opening = ["opening" in it.get("tags", []) for it in data["items"]]
    assert opening[0] and opening == sorted(opening, reverse=True) and not all(opening)
    for ne in data["not_evidence"]:
        assert ne["reading"]["because"][0].startswith("polarity none")
    Case.model_validate(data)


def test_the_reasons_are_the_features_that_decided(cqc):
    pack, cues = cqc
    from engine.ingest.extract import read_sentence

    pol, _, _, _, reading = read_sentence(
        cues, "People told us they waited too long for an assessment and did not always get a reply."
    )
    assert pol == "shortfall"
    assert reading["because"][0].startswith("polarity shortfall (p = ")
    pushes = [b for b in reading["because"][1:] if b.startswith("'")]
    assert pushes and all(float(b.rsplit(" ", 1)[1]) > 0 for b in pushes)


def test_extracted_case_carries_its_readings_into_explain_and_derive(tmp_path):
    from engine.cli import main

    case = tmp_path / "page.yaml"
    assert (
        main(["extract", str(PAGE), "-o", str(case), "--rules", str(ROOT / "rules")], out=open(tmp_path / "o", "w"))
        == 0
    )
    from io import StringIO

    out = StringIO()
    assert main(["explain", str(case), "--rules", str(ROOT / "rules"), "--format", "json"], out=out) == 0
    ev = [e for st in json.loads(out.getvalue())["statements"] for c in st["categories"] for e in c["evidence"]]
    assert ev and all(e["reading"]["because"] for e in ev)
    out = StringIO()
    assert main(["derive", str(case), "--rules", str(ROOT / "rules"), "--format", "json"], out=out) == 0
    [obj] = json.loads(out.getvalue())
    read = [r for st in obj["statements"] for r in st.get("read", [])]
    assert len(read) == len(ev) and all(r["reading"]["by"] in ("reader", "cues+reader") for r in read)
    out = StringIO()
    assert main(["explain", str(case), "--rules", str(ROOT / "rules")], out=out) == 0
    assert "read by " in out.getvalue()


def test_a_quote_of_not_evidence_is_checked_against_its_line(tmp_path):
    from engine.cli import main

    case = tmp_path / "page.yaml"
    assert (
        main(["extract", str(PAGE), "-o", str(case), "--rules", str(ROOT / "rules")], out=open(tmp_path / "o", "w"))
        == 0
    )
    text = case.read_text(encoding="utf-8")
    i = text.index("not_evidence:")
    j = text.index("quote: ", i) + len("quote: ")
    case.write_text(text[:j] + "Nobody said this. " + text[j:], encoding="utf-8")
    err = open(tmp_path / "err", "w+")
    assert main(["check", str(case), "--rules", str(ROOT / "rules")], out=open(tmp_path / "o2", "w"), err=err) == 1
    err.seek(0)
    assert "not_evidence" in err.read() or "quote not found" in (tmp_path / "o2").read_text()


def test_cues_alone_still_read_when_asked(cqc):
    pack, _ = cqc
    cues = load_cues(pack, with_reader=False)
    data = extract(pack, PAGE, PAGE.name, cues)
    assert data["items"] and "not_evidence" not in data
    assert all(it["reading"]["by"] == "cues" and it["reading"]["because"] for it in data["items"])


def test_training_is_deterministic(cqc):
    from engine.authoring.train_reader import label_files, train_pack

    pack, _ = cqc
    files = [f for f in label_files(SHARED / "labels", pack) if "seed" in f.name]
    a, _ = train_pack(pack, files, [SHARED / "reports"], [], cv=False, date="2000-01-01")
    b, _ = train_pack(pack, files, [SHARED / "reports"], [], cv=False, date="2000-01-01")
    assert a == b and json.loads(a)["provenance"]["rows_used"] == 1404


def test_the_shipped_ofsted_reader_is_reproduced_exactly_from_shared():
    from engine.authoring.train_reader import label_files, train_pack

    pack = load_pack(ROOT / "rules" / "ofsted-ilacs")
    shipped = json.loads((ROOT / "rules" / "ofsted-ilacs" / "reader.json").read_text(encoding="utf-8"))
    text, _ = train_pack(
        pack,
        label_files(SHARED / "labels", pack),
        [SHARED / "ofsted-ilacs" / "reports"],
        [SHARED / "ofsted-ilacs" / "inspections.csv"],
        cv=False,
        date=shipped["provenance"]["date"],
    )
    got = json.loads(text)
    # the same features, classes and counts; each weight to within a few units of its last
    # rounded digit (the solver's last bits differ between releases of SciPy and NumPy)
    assert _close(got["heads"], shipped["heads"]) and _close(got["weights"], shipped["weights"])
    prov = {k: v for k, v in shipped["provenance"].items() if k != "leave_one_group_out"}
    assert got["provenance"] == prov


def _close(a, b, tol: float = 5e-4) -> bool:
    """Equal structures whose numbers differ by at most `tol`."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], tol) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y, tol) for x, y in zip(a, b, strict=True))
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return abs(a - b) <= tol
    return a == b


def test_the_shipped_cqc_reader_names_the_shared_texts_it_was_trained_on():
    import hashlib

    shipped = json.loads((ROOT / "rules" / "cqc-la" / "reader.json").read_text(encoding="utf-8"))
    prov = shipped["provenance"]
    for name in ("blackpool-2025-cqc-la-assessment.txt", "lincolnshire-2023-cqc-la-pilot-assessment.txt"):
        assert prov["texts"][hashlib.sha256((SHARED / "reports" / name).read_bytes()).hexdigest()] > 100
    for f in prov["label_files"]:
        assert f["sha256"] == hashlib.sha256((SHARED / "labels" / f["file"]).read_bytes()).hexdigest()
    assert (
        prov["rows_without_text"] == 0
        and prov["rows_used"] == 1946
        and prov["leave_one_group_out"]["polarity_percent"] > 50
    )
    assert prov["council_name_words_left_out"] >= 20  # no weight names a council


def test_no_feature_names_a_council_the_labels_are_about():
    import csv

    from engine.authoring.train_reader import GENERIC_NAME_WORDS
    from engine.ingest.reader import words

    for pack_id, labels, index, sep, col in (
        ("cqc-la", "cqc-dev-pages.tsv", SHARED / "data" / "cqc-la-dev-pages.tsv", "\t", "council"),
        (
            "ofsted-ilacs",
            "ofsted-dev-inspections.tsv",
            SHARED / "ofsted-ilacs" / "inspections.csv",
            ",",
            "local_authority",
        ),
    ):
        files = {
            r["file"] for r in csv.DictReader((SHARED / "labels" / labels).read_text().splitlines(), delimiter="\t")
        }
        rows = csv.DictReader(index.read_text().splitlines(), delimiter=sep)
        names = {w for r in rows if r["file"] in files for w in words(r[col])} - GENERIC_NAME_WORDS
        weights = json.loads((ROOT / "rules" / pack_id / "reader.json").read_text(encoding="utf-8"))["weights"]
        assert names and not [f for f in weights if names.intersection(f.split())], pack_id


def test_derive_of_a_curated_case_loads_no_reader_and_no_learning_library():
    code = (
        "import sys, io; from engine.cli import main; "
        "rc = main(['derive', 'cases/blackpool-2025.yaml', '--format', 'json'], out=io.StringIO()); "
        "assert rc == 0, rc; "
        "bad = [m for m in ('engine.ingest.reader', 'sklearn', 'scipy') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_extraction_reads_with_the_stored_weights_without_the_learning_library(cqc):
    code = (
        "import sys; from pathlib import Path; from engine.model.pack import load_pack; "
        "from engine.ingest.cues import load_cues; from engine.ingest.extract import extract; "
        "p = load_pack(Path('rules/cqc-la')); d = extract(p, Path('tests/data/reports/blackpool-2025-partnerships-communities.txt'), 'x.txt', load_cues(p)); "
        "assert d['items']; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_load_reader_round_trips_the_file(tmp_path):
    from engine.ingest.reader import dump_reader

    m = load_reader(
        ROOT / "rules" / "cqc-la" / "reader.json", "cqc-la", load_pack(ROOT / "rules" / "cqc-la").category_ids
    )
    text = dump_reader(m.pack, m.heads, m.weights, m.provenance)
    assert text == (ROOT / "rules" / "cqc-la" / "reader.json").read_text(encoding="utf-8")


def test_function_words_are_no_reason_but_negations_and_phrases_are():
    from engine.ingest.reader import is_reason

    assert not is_reason("with") and not is_reason("and") and not is_reason("of the") and not is_reason("in 0")
    assert not is_reason("the local", frozenset({"local"}))  # a pack's generic word with a function word
    assert is_reason("not always") and is_reason("lack of") and is_reason("waiting lists") and is_reason("however")
    assert is_reason("cue tag: delays")


@pytest.mark.parametrize(
    "pack_id, report",
    [
        ("cqc-la", SHARED / "reports" / "blackpool-2025-cqc-la-assessment.txt"),
        ("cqc-la", SHARED / "reports" / "lincolnshire-2023-cqc-la-pilot-assessment.txt"),
        ("cqc-la", PAGE),
        ("ofsted-ilacs", SHARED / "ofsted-ilacs" / "reports" / "barnsley-2023-10-27.pdf"),
    ],
)
def test_no_reading_of_the_bundled_and_seed_reports_gives_a_function_word_as_its_reason(pack_id, report):
    """Every reason a reading gives for an item or a sentence read as no finding is a word or
    phrase that carries meaning (the reading itself is the model's, unchanged)."""
    import re

    from engine.ingest.reader import FUNCTION_WORDS, is_reason

    pack = load_pack(ROOT / "rules" / pack_id)
    cues = load_cues(pack)
    data = extract(pack, report, report.name, cues)
    quoted = [
        m.group(1)
        for x in [*data["items"], *data.get("not_evidence", [])]
        for b in x["reading"]["because"]
        for m in re.finditer(r"'([^']+)' [+-]\d", b)
    ]
    assert len(quoted) > 50
    bad = [f for f in quoted if not is_reason(f, cues.generic_words) or f in FUNCTION_WORDS]
    assert not bad, bad[:10]


@pytest.mark.parametrize(
    "name, minimum, rating",
    [
        ("blackpool-2025-cqc-la-assessment.txt", 8, "inadequate"),
        ("lincolnshire-2023-cqc-la-pilot-assessment.txt", 8, "good"),
    ],
)
def test_a_seed_report_is_read_by_the_reader_that_has_not_learnt_from_it(name, minimum, rating):
    """The shipped reader learnt from the seed reports' labels; the pack reads each with the
    reader trained without them (cues.yaml reader.held_out), every reading says so, and the
    out-of-sample reading derives the published rating."""
    import hashlib

    from engine.evaluation.derive import derive
    from engine.ingest.heldout import reading_cues, sentence_key
    from engine.model.case import Item

    pack = load_pack(ROOT / "rules" / "cqc-la")
    cues = load_cues(pack)
    report = ROOT / "cases" / "sources" / name
    sha = hashlib.sha256(report.read_bytes()).hexdigest()
    [(file, model)] = [
        (f, load_reader(pack.root / f, pack.id, pack.category_ids))
        for f in cues.data.reader.held_out
        if any(w["sha256"] == sha for w in json.loads((pack.root / f).read_text())["provenance"]["without"])
    ]
    [w] = model.provenance["without"]
    assert set(w) == {"sha256", "sentence_keys"}  # the report by its hash: no reader file names a council
    # it learnt from none of the sentences it left out, and the shipped reader learnt from them all
    assert model.provenance["rows_used"] + len(w["sentence_keys"]) == cues.reader.provenance["rows_used"]
    assert model.provenance["council_name_words_left_out"] >= 20
    data = extract(pack, report, name, cues)
    note = f"read by a reader trained without this report's labels ({file})"
    assert all(it["reading"]["because"][-1].startswith(note) for it in data["items"])
    items = [Item.model_validate(x) for x in data["items"]]
    der = derive(pack, items)
    pub = data["published"]
    assert sum(st.score == pub["scores"][st.id] for st in der.statements) >= minimum
    assert der.overall.value == pub["rating"] == rating
    # Blackpool's statement page repeats its report's sentences: the same held-out reader reads it
    page = extract(pack, PAGE, PAGE.name, cues)
    assert ("blackpool" in name) == all(it["reading"]["because"][-1].startswith(note) for it in page["items"])
    # sentences no held-out reader left out are read by the main reader
    by, note = reading_cues(cues, ["A sentence no report holds, about nothing at all."])
    assert by is cues and note is None and len(sentence_key("A  Sentence")) == 16
