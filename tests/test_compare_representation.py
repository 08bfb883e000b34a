"""Tests for evalkit.compare.representation: who answered, per project vs the programme."""
import re

import pandas as pd
import pytest

from evalkit.compare.representation import (representation_counts, representation_note,
                                            representation_table)
from evalkit.errors import ConfigError
from evalkit.privacy.suppression import SUPPRESSED, SuppressionPolicy


def survey():
    """P01: 30 co-producers, 10 researchers; P02: 3 co-producers, 17 researchers, 10 blank."""
    role = ["co-producer"] * 30 + ["researcher"] * 10 + ["co-producer"] * 3 \
        + ["researcher"] * 17 + [None] * 10
    project = ["P01"] * 40 + ["P02"] * 30
    age = (["16-24", "65+"] * 35)
    return pd.DataFrame({"project_id": project, "role": role, "age_band": age})


def test_counts_include_declared_categories_and_not_given():
    raw = representation_counts(survey(), ["role"],
                                choices={"role": ["co-producer", "researcher", "other"]})
    assert raw["category"].tolist() == ["co-producer", "researcher", "other", "Not given"]
    assert raw.set_index("category").loc["Not given", ["P01", "P02", "Programme"]].tolist() \
        == [0, 10, 10]
    assert raw.set_index("category").loc["other", "Programme"] == 0


def test_table_is_suppressed_with_percentages_of_each_project():
    table = representation_table(survey(), ["role", "age_band"])
    for value in table.to_numpy().ravel():
        assert not re.fullmatch(r"[1-7]", str(value))
    role = table[table.characteristic == "role"].set_index("category")
    # P02's 3 co-producers are hidden; with two projects the complements cascade (row:
    # P01's 30; column P01: its 10 researchers; column P02: its 10 not given; ...) until no
    # row or project column holds a lone "*", which here hides every project cell.
    projects = role[["P01", "P02"]]
    assert role.loc["co-producer", "P02"] == SUPPRESSED
    for line in [*projects.itertuples(index=False), *(projects[c] for c in projects)]:
        assert list(line).count(SUPPRESSED) != 1
    assert role.loc["researcher", "P01 %"] == SUPPRESSED
    assert role.loc["co-producer", ["Programme", "Programme %"]].tolist() == ["35", "50%"]
    three = pd.concat([survey(), pd.DataFrame({"project_id": ["P03"] * 40,
                                               "role": ["co-producer"] * 20 + ["researcher"] * 20,
                                               "age_band": "16-24"})])
    role3 = representation_table(three, ["role"]).set_index("category")
    # P03's column needs a partner for its hidden 20 co-producers; its 0 "not given" is never
    # hidden (zero is shown as 0), so its 20 researchers are hidden instead.
    assert role3["P03"].tolist() == ["*", "*", "0"]
    assert role3.loc["Not given", "P03 %"] == "0%"
    assert role3["P01"].tolist() == ["30", "10", "0"]
    assert "NHS Digital" in table.attrs["suppression_statement"]


def test_note_names_gaps_and_missing_groups_using_shown_numbers_only():
    df = pd.DataFrame({"project_id": ["P01"] * 40 + ["P02"] * 40,
                       "role": ["co-producer"] * 40 + ["co-producer"] * 10 + ["researcher"] * 30})
    table = representation_table(df, ["role"])
    note = representation_note(table, "P01")
    assert note.startswith("In P01, 100% gave role 'co-producer' compared with 62% across the "
                           "programme; no respondents gave role 'researcher' (38% did across")
    assert "whose voices are missing" in note
    even = representation_table(pd.DataFrame({"project_id": ["P01", "P02"] * 20,
                                              "role": ["a", "a", "b", "b"] * 10}), ["role"])
    assert "looks broadly like the programme" in representation_note(even, "P01")


def test_note_caps_the_number_of_points_and_rejects_unknown_projects():
    df = pd.DataFrame({"project_id": ["P01"] * 40 + ["P02"] * 40,
                       "role": ["a"] * 40 + ["b"] * 10 + ["c"] * 10 + ["d"] * 10 + ["e"] * 10})
    note = representation_note(representation_table(df, ["role"]), "P01", max_points=2)
    assert note.count("no respondents gave") + note.count("compared with") == 2
    assert "and 3 smaller differences" in note
    with pytest.raises(ConfigError, match=r"the projects are \['P01', 'P02'\]"):
        representation_note(representation_table(df, ["role"]), "P09")


def test_disabled_policy_shows_exact_counts():
    table = representation_table(survey(), ["role"], policy=SuppressionPolicy(enabled=False))
    role = table.set_index("category")
    assert role.loc["co-producer", ["P02", "P02 %"]].tolist() == ["3", "10%"]
    assert table.attrs["suppressed_cells"] == []


def test_note_quotes_exact_shares_not_rounded_ones():
    from evalkit.compare.representation import representation_note, representation_table
    from evalkit.privacy.suppression import SuppressionPolicy

    survey = pd.DataFrame({"project_id": ["A"] * 11 + ["B"] * 20,
                           "role": ["Patient"] * 8 + [None] * 3 + ["Patient"] * 5 + ["Carer"] * 15})
    shown = representation_table(survey, ["role"], choices={"role": ["Patient", "Carer"]},
                                 policy=SuppressionPolicy(secondary=False))
    exact = representation_table(survey, ["role"], choices={"role": ["Patient", "Carer"]},
                                 policy=SuppressionPolicy(enabled=False))
    assert "100%" in representation_note(shown, "A")  # 8 of 11 rounds to 10 of 10
    note = representation_note(shown, "A", exact=exact)
    assert "73% gave role 'Patient'" in note and "100%" not in note
