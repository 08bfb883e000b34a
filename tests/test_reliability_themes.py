"""Per-theme reliability tables, disagreements lists and machine vs people comparisons."""
import sys

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from openpyxl import load_workbook
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline

from evalkit.reliability import (
    ReliabilityError,
    cohens_kappa,
    disagreements,
    export_disagreements,
    gwet_ac1,
    indicator_matrices,
    krippendorff_alpha,
    machine_vs_people,
    percent_agreement,
    reading_guide,
    theme_reliability,
)

THEMES = ["feeling_heard", "payment_recognition", "jargon_language"]


def _simulated_codes(n_answers=60, seed=0, coders=("coder_a", "coder_b"), error=0.1):
    """Long codes table: each coder flips each true theme with probability ``error``."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_answers):
        truth = {t for t in THEMES if rng.random() < 0.35}
        for coder in coders:
            for theme in THEMES:
                if (theme in truth) != (rng.random() < error):
                    rows.append(("feedback_survey", f"R{i:03d}", "worked_well", coder, theme))
    return pd.DataFrame(rows, columns=["source", "response_id", "column", "coder", "theme_id"])


def test_per_theme_statistics_equal_direct_calls():
    codes = _simulated_codes()
    table = theme_reliability(codes, themes=THEMES, n_boot=200).summary_frame().set_index("theme_id")
    matrices, coders, answers = indicator_matrices(codes, THEMES)
    assert coders == ["coder_a", "coder_b"] and len(answers) == codes["response_id"].nunique()
    for theme in THEMES:
        m = matrices[theme]
        row = table.loc[theme]
        assert_allclose(row["kappa"], cohen_kappa_score(m[0], m[1]))
        assert_allclose(row["alpha"], krippendorff_alpha(m))
        assert_allclose(row["ac1"], gwet_ac1(m, categories=[0, 1]))
        assert_allclose(row["agreement"], percent_agreement(m))
        assert row["kappa_low"] <= row["kappa"] <= row["kappa_high"]
        assert row["n_positive"] == int(m.max(axis=0).sum())


def test_overall_row_pools_answer_theme_units():
    codes = _simulated_codes()
    table = theme_reliability(codes, n_boot=100).summary_frame()
    overall = table.iloc[-1]
    matrices, _, answers = indicator_matrices(codes)
    stacked = np.hstack([matrices[t] for t in sorted(matrices)])
    assert overall["theme_id"] == "(all themes)"
    assert overall["n_units"] == len(answers) * len(matrices)
    assert_allclose(overall["kappa"], cohens_kappa(stacked[0], stacked[1]))
    assert_allclose(overall["alpha"], krippendorff_alpha(stacked))


def test_table_is_deterministic_and_seeded():
    codes = _simulated_codes()
    first = theme_reliability(codes, n_boot=300, seed=4).summary_frame()
    pd.testing.assert_frame_equal(first, theme_reliability(codes, n_boot=300, seed=4).summary_frame())
    assert not first["alpha_low"].equals(theme_reliability(codes, n_boot=300, seed=5).summary_frame()["alpha_low"])


def test_too_few_rule_and_plain_note():
    codes = _simulated_codes(n_answers=20)
    table = theme_reliability(codes, n_boot=0).summary_frame()
    themed = table[table["theme_id"] != "(all themes)"]
    assert themed["too_few"].all()
    assert themed["note"].str.contains("fewer than 30").all()
    assert np.isnan(table["kappa_low"]).all()
    many = theme_reliability(_simulated_codes(n_answers=200), n_boot=0).summary_frame()
    assert not many["too_few"].any()
    rare = theme_reliability(_simulated_codes(n_answers=200), n_boot=0, min_positive=500).summary_frame()
    assert rare.loc[0, "too_few"] and "fewer than 500" in rare.loc[0, "note"]


def test_units_add_answers_nobody_coded():
    codes = _simulated_codes(n_answers=40)
    extra = pd.DataFrame({"source": "feedback_survey", "response_id": ["R900", "R901"], "column": "worked_well"})
    units = pd.concat([codes[["source", "response_id", "column"]].drop_duplicates(), extra])
    with_units = theme_reliability(codes, units=units, n_boot=0).summary_frame()
    without = theme_reliability(codes, n_boot=0).summary_frame()
    assert (with_units["n_units"].iloc[:-1] == without["n_units"].iloc[:-1] + 2).all()
    with pytest.raises(ReliabilityError, match="not in units"):
        theme_reliability(codes, units=extra, n_boot=0).summary_frame()


def test_three_coders_kappa_is_blank_with_note():
    codes = _simulated_codes(coders=("a", "b", "c"))
    table = theme_reliability(codes, n_boot=0).summary_frame()
    assert table["kappa"].isna().all()
    assert table["note"].str.contains("kappa is for two coders").all()
    assert table["alpha"].notna().all()


def test_blank_theme_rows_mark_answers_coded_with_no_theme():
    codes = pd.DataFrame({"response_id": ["R1", "R1", "R2", "R2"], "coder": ["a", "b", "a", "b"],
                          "theme_id": ["t1", "t1", "", None]})
    table = theme_reliability(codes, n_boot=0).summary_frame()
    assert table.loc[0, "n_units"] == 2 and table.loc[0, "agreement"] == 1.0


@pytest.mark.parametrize("codes, message", [
    (pd.DataFrame({"id": [1], "coder": ["a"], "theme_id": ["t"]}), "response_id"),
    (pd.DataFrame({"response_id": [1], "theme_id": ["t"]}), "coder"),
    (pd.DataFrame({"response_id": [1, 2], "coder": ["a", "a"], "theme_id": ["t", "t"]}), "at least 2 coders"),
    (pd.DataFrame({"response_id": [1, None], "coder": ["a", "b"], "theme_id": ["t", "t"]}), "row 3"),
])
def test_bad_codes_tables(codes, message):
    with pytest.raises(ReliabilityError, match=message):
        theme_reliability(codes, n_boot=0).summary_frame()


def test_unknown_theme_is_reported():
    with pytest.raises(ReliabilityError, match="not in themes"):
        theme_reliability(_simulated_codes(), themes=THEMES[:2], n_boot=0).summary_frame()


def test_reading_guide_mentions_thresholds():
    guide = reading_guide()
    assert "0.667" in guide and "0.8" in guide and "Landis and Koch" in guide and "30" in guide


def test_disagreements_lists_each_coders_themes():
    codes = pd.DataFrame({"response_id": ["R1", "R1", "R2", "R3", "R3"],
                          "coder": ["a", "b", "a", "a", "b"],
                          "theme_id": ["t1", "t1", "t2", "t1", "t2"]})
    texts = pd.Series({"R1": "fine", "R2": "=HYPERLINK(\"http://x\")", "R3": "mixed"})
    table = disagreements(codes, texts=texts)
    assert table["response_id"].tolist() == ["R2", "R3"]
    assert table.columns.tolist() == ["response_id", "text", "a", "b", "in_dispute"]
    assert table.loc[0, ["a", "b", "in_dispute"]].tolist() == ["t2", "", "t2"]
    assert table.loc[1, "in_dispute"] == "t1; t2"


def test_export_disagreements_csv_and_xlsx_are_safe_and_reproducible(tmp_path):
    codes = pd.DataFrame({"response_id": ["R2", "R3"], "coder": ["a", "b"], "theme_id": ["t2", "t1"]})
    table = disagreements(codes, texts=pd.Series({"R2": "=1+1", "R3": "@SUM(A1)"}))
    csv = export_disagreements(table, tmp_path / "d.csv")
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel shows accents
    assert "'=1+1" in csv.read_text(encoding="utf-8-sig") and "agreed_themes,notes" in csv.read_text(encoding="utf-8-sig")
    first = export_disagreements(table, tmp_path / "d1.xlsx").read_bytes()
    assert first == export_disagreements(table, tmp_path / "d2.xlsx").read_bytes()
    ws = load_workbook(tmp_path / "d1.xlsx")["Disagreements"]
    assert ws["B2"].value == "=1+1" and ws["B2"].data_type == "s" and ws["B2"].quotePrefix
    assert ws.freeze_panes == "A2" and ws.page_setup.fitToWidth == 1 and ws.print_title_rows == "$1:$1"


def test_export_disagreements_survives_control_characters(tmp_path):
    codes = pd.DataFrame({"response_id": ["R2", "R2"], "coder": ["a", "b"], "theme_id": ["t1", "t2"]})
    table = disagreements(codes, texts=pd.Series({"R2": "café\x0bsecond line\x07"}))
    ws = load_workbook(export_disagreements(table, tmp_path / "d.xlsx"))["Disagreements"]
    assert ws["B2"].value == "café\nsecond line" and ws.row_dimensions[2].height > 15
    assert "café\nsecond line" in export_disagreements(table, tmp_path / "d.csv").read_text(encoding="utf-8-sig")
    with pytest.raises(ReliabilityError, match=".csv or .xlsx"):
        export_disagreements(table, tmp_path / "d.txt")


def _sample_study(n=90, seed=1):
    """Texts whose themes are signalled by words, agreed codes, and two coders on a subset."""
    rng = np.random.default_rng(seed)
    cue = {"feeling_heard": "listened heard", "payment_recognition": "paid money",
           "jargon_language": "jargon acronyms"}
    texts, agreed, human = {}, [], []
    for i in range(n):
        themes = [t for t in THEMES if rng.random() < 0.4] or [THEMES[i % 3]]
        rid = f"R{i:03d}"
        texts[rid] = f"answer {i}: " + " ".join(cue[t] for t in themes)
        agreed += [(rid, t) for t in themes]
        if i < 45:
            for coder in ("a", "b"):
                human += [(rid, coder, t) for t in themes if rng.random() > 0.15]
    return (pd.Series(texts), pd.DataFrame(agreed, columns=["response_id", "theme_id"]),
            pd.DataFrame(human, columns=["response_id", "coder", "theme_id"]))


def _factory():
    return make_pipeline(TfidfVectorizer(), OneVsRestClassifier(LogisticRegression(C=10.0)))


def test_machine_vs_people_table():
    texts, agreed, human = _sample_study()
    double = pd.DataFrame({"response_id": [f"R{i:03d}" for i in range(45)]})
    table = machine_vs_people(texts, agreed, human, estimator_factory=_factory, n_boot=100, seed=0,
                              units=double)
    assert table["comparison"].unique().tolist() == [
        "person vs person", "machine vs agreed", "machine vs agreed (double-coded answers)"]
    people = table[table["comparison"] == "person vs person"].set_index("theme_id")
    machine = table[table["comparison"] == "machine vs agreed"].set_index("theme_id")
    assert (people.loc[THEMES, "n_units"] == 45).all() and (machine.loc[THEMES, "n_units"] == 90).all()
    # Cue words make the themes learnable, so out-of-fold machine codes agree closely.
    assert (machine.loc[THEMES, "kappa"] > 0.9).all()
    again = machine_vs_people(texts, agreed, human, estimator_factory=_factory, n_boot=100, seed=0,
                              units=double)
    pd.testing.assert_frame_equal(table, again)


def test_machine_is_never_trained_on_the_answer_it_predicts():
    texts, agreed, human = _sample_study()
    seen = []

    class Memoriser:
        def fit(self, x, y):
            self.known_ = dict(zip(x, y.to_numpy()))
            seen.append(set(x))
            return self

        def predict(self, x):
            assert not set(x) & seen[-1]
            return np.array([self.known_.get(t, np.zeros(3)) for t in x])

    machine_vs_people(texts, agreed, human, estimator_factory=Memoriser, n_splits=3, n_boot=0)
    assert len(seen) == 3


def test_missing_classifier_gives_clear_error(monkeypatch):
    texts, agreed, human = _sample_study()
    monkeypatch.setitem(sys.modules, "evalkit.coding.classifier", None)
    with pytest.raises(ReliabilityError, match="estimator_factory"):
        machine_vs_people(texts, agreed, human, n_boot=0)


def test_machine_vs_people_rejects_codes_without_texts():
    texts, agreed, human = _sample_study()
    with pytest.raises(ReliabilityError, match="not in texts"):
        machine_vs_people(texts.iloc[:50], agreed, human, estimator_factory=_factory, n_boot=0)


def test_machine_vs_people_with_one_theme():
    # iterstrat's MultilabelStratifiedKFold refuses one label column ("Supported target type
    # is: multilabel-indicator. Got 'binary' instead."); one theme is stratified by
    # sklearn's StratifiedKFold, and a flat prediction vector is accepted.
    texts, agreed, human = _sample_study()
    one = THEMES[0]
    table = machine_vs_people(texts, agreed[agreed.theme_id == one], human[human.theme_id == one],
                              estimator_factory=_factory, n_boot=50, seed=0)
    assert set(table["theme_id"]) == {one, "(all themes)"}
    machine = table[table["comparison"] == "machine vs agreed"].set_index("theme_id")
    assert machine.loc[one, "kappa"] > 0.9

    class Flat:
        def fit(self, x, y):
            self.model_ = _factory().fit(x, y.iloc[:, 0])
            return self

        def predict(self, x):
            return self.model_.predict(x)

    flat = machine_vs_people(texts, agreed[agreed.theme_id == one], human[human.theme_id == one],
                             estimator_factory=Flat, n_boot=0, seed=0)
    assert flat.loc[flat["comparison"] == "machine vs agreed", "kappa"].iloc[0] > 0.9
