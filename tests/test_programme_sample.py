"""The committed synthetic sample programme (data/sample/) loads with no fatal problems."""
from __future__ import annotations

from evalkit.paths import SAMPLE_CONFIG
from evalkit.programme import load_programme, validate_programme



def test_the_sample_is_committed():
    # data/sample is committed: a checkout without it is broken and must fail, not skip.
    assert SAMPLE_CONFIG.is_file(), f"{SAMPLE_CONFIG} is missing: data/sample is committed; restore it from git"


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
