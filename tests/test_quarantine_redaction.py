"""quarantine.csv: redaction happens on the raw cells, before truncating or JSON escaping (issue 13)."""
from __future__ import annotations

import shutil
from pathlib import Path

from evalkit.report.data import load_report_programme, write_quarantine

GOOD = Path(__file__).parent / "fixtures" / "programme" / "good"
HEADER = "response_id,respondent_id,project_id,role,age_band,sharing_power,sessions_attended,worked_well"


def _programme(tmp_path, rows):
    root = tmp_path / "p"
    shutil.copytree(GOOD, root)
    (root / "feedback_survey.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return load_report_programme(root / "programme.yml")


def test_values_cut_at_40_characters_are_redacted_first(tmp_path):
    rows = ['R001,A01,P01,co-producer,25-44,"I would rather you phoned me on 07700 900461",3,fine',
            'R002,A02,P01,co-producer,25-44,"Ask for my carer Zebedee Quinlanovich-Smythe",3,fine',
            "R003,A03,P02,researcher,45-64,4,2,ok", "R004,A04,P02,researcher,45-64,4,2,ok"]
    programme = _programme(tmp_path, rows)
    assert len(programme.quarantine) == 2
    raw = "\n".join(programme.quarantine["problem"])
    assert "07700 9" in raw  # the message quotes the value, cut at 40 characters
    text = write_quarantine(programme, tmp_path / "out").read_text(encoding="utf-8-sig")
    for leak in ("07700", "900461", "Zebedee", "Quinlanovich"):
        assert leak not in text, leak


def test_a_name_after_a_line_break_is_redacted_in_the_record(tmp_path):
    rows = ['R001,A01,P01,co-producer,25-44,9,3,"Thanks to everyone\nJulie helped me\ncall 07700\n900461"',
            "R003,A03,P02,researcher,45-64,4,2,ok", "R004,A04,P02,researcher,45-64,4,2,ok"]
    programme = _programme(tmp_path, rows)
    assert len(programme.quarantine) == 1 and "\\nJulie" in programme.quarantine["record"].iloc[0]
    text = write_quarantine(programme, tmp_path / "out").read_text(encoding="utf-8-sig")
    assert "Julie" not in text and "[name]" in text
