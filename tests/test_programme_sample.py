"""The committed synthetic sample programme (data/sample/) loads with no fatal problems."""
from __future__ import annotations

import pytest

from evalkit.paths import SAMPLE_CONFIG
from evalkit.programme import load_programme, validate_programme

pytestmark = pytest.mark.skipif(not SAMPLE_CONFIG.is_file(), reason="data/sample/programme.yml not generated yet")


def test_sample_has_no_fatal_problems():
    assert [str(p) for p in validate_programme(SAMPLE_CONFIG) if p.fatal] == []


def test_sample_loads_every_source_and_counts_add_up():
    programme = load_programme(SAMPLE_CONFIG)
    assert set(programme.tables) == set(programme.sources)
    for source, counts in programme.row_counts.iterrows():
        assert counts["loaded"] + counts["quarantined"] + counts["blank"] == counts["rows_read"], source
        assert len(programme.table(source)) == counts["loaded"]
        for name, column in programme.sources[source].columns.items():
            dtype = str(programme.table(source)[name].dtype)
            expected = {"likert": "Int64", "single_choice": "category", "free_text": "string"}.get(
                column.type, "Int64" if column.integer else "Float64")
            assert dtype == expected, (source, name)


def test_sample_member_check_files_are_listed_and_hashed():
    programme = load_programme(SAMPLE_CONFIG)
    folder = SAMPLE_CONFIG.parent.resolve() / "member_checks"
    assert programme.member_check_files == [folder / f"reviewer_{i}.xlsx" for i in (1, 2, 3)]
    files = programme.input_files()
    for i in (1, 2, 3):
        assert files[f"member_check:reviewer_{i}.xlsx"] == folder / f"reviewer_{i}.xlsx"
