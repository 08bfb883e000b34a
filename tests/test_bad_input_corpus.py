"""A corpus of bad input: every case ends in a message or a clean load, never a traceback, a lost row or a leak.

Each case copies the small fixture programme (``tests/fixtures/programme/good``), breaks one thing
(encodings, truncation, quotes, hostile YAML, hostile text, hostile ids, faults) and runs
``evalkit validate``. The case says whether validate must refuse (``fatal``) or pass (``ok``). When
it passes, the programme is opened the way ``evalkit report`` opens it (the shared work every page
needs included) and the test checks that every row read is loaded, quarantined or counted as
blank, that the expected number of rows was read, and that planted personal details reach neither
the report's tables nor ``quarantine.csv``.
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest
import yaml

from evalkit.cli import main

GOOD = Path(__file__).parent / "fixtures" / "programme" / "good"
SECRETS = ("Zebedee Quinlan", "07700 900461", "zeb.quinlan@example.com", "943 476 5870", "SW1A 2AA",
           "14 Larkspur Avenue")
PLANTED = "Zebedee Quinlan rang 07700 900461, email zeb.quinlan@example.com, NHS 943 476 5870, 14 Larkspur Avenue SW1A 2AA"
HEADER = "response_id,respondent_id,project_id,role,age_band,sharing_power,sessions_attended,worked_well"
ROWS = ['R001,A01,P01,co-producer,25-44,5,12,"Everyone listened, even when we disagreed."',
        "R002,A02,P01,researcher,,4,3,",
        "R003,A03,P02,practitioner,45-64,3,0,Being paid for our time.",
        f'R004,A04,P02,other,65+,2,7,"{PLANTED}"']


@dataclass
class Case:
    id: str
    mutate: Callable[[Path], None]
    expect: str = "ok"          # "ok": validate passes and the report data opens; "fatal": validate refuses
    rows: int | None = 4        # data rows of the survey that must be read (ok cases)
    message: str | None = None  # a phrase the refusal must contain


def survey(root: Path, rows=None, header=HEADER, encoding="utf-8", raw: bytes | None = None) -> None:
    data = raw if raw is not None else ("\n".join([header, *(ROWS if rows is None else rows)]) + "\n").encode(encoding)
    (root / "feedback_survey.csv").write_bytes(data)


def config(root: Path, edit) -> None:
    path = root / "programme.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def raw_config(root: Path, text: str | bytes) -> None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    (root / "programme.yml").write_bytes(data)


def to_xlsx(root: Path, cut: int | None = None, encrypted: bool = False) -> None:
    frame = pd.read_csv(root / "feedback_survey.csv", dtype=str, keep_default_na=False)
    frame.to_excel(root / "survey.xlsx", index=False)
    data = (root / "survey.xlsx").read_bytes()
    if cut is not None:
        (root / "survey.xlsx").write_bytes(data[:cut])
    if encrypted:
        (root / "survey.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)
    config(root, lambda d: d["sources"]["feedback_survey"].update(path="survey.xlsx"))


def row(text: str, rid: str = "R005", project: str = "P01") -> str:
    quoted = '"' + text.replace('"', '""') + '"'
    return f"{rid},A05,{project},co-producer,25-44,4,2,{quoted}"


def bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
        previous = name
    return "\n".join(lines) + "\n"


def outside_file(root: Path) -> Path:
    target = root.parent / "elsewhere.csv"
    target.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    return target


def member_checks(root: Path, data: bytes) -> None:
    folder = root / "member_checks"
    folder.mkdir()
    (folder / "reviewer.xlsx").write_bytes(data)
    config(root, lambda d: d.update(member_checks="member_checks"))


def facts(root: Path, rows: str) -> None:
    (root / "facts.csv").write_text("project_id,n_coproducers\n" + rows, encoding="utf-8")
    config(root, lambda d: d["sources"].update(facts={
        "path": "facts.csv", "id_column": "project_id", "project_column": "project_id",
        "columns": {"n_coproducers": {"type": "number", "min": 0, "integer": True}}}))


def outcomes(root: Path, text: str) -> None:
    (root / "outcomes.csv").write_text("response_id,respondent_id,project_id,wellbeing_before,wellbeing_after\n" + text,
                                       encoding="utf-8")


def codes(root: Path, key: str, text: str) -> None:
    (root / f"{key}.csv").write_text(text, encoding="utf-8")
    config(root, lambda d: d.update({key: f"{key}.csv"}))


def _symlink_outside(root: Path) -> None:
    os.symlink(outside_file(root), root / "linked.csv")
    config(root, lambda d: d["sources"]["feedback_survey"].update(path="linked.csv"))


CASES = [
    # --- encodings -----------------------------------------------------------------------
    Case("utf8-bom", lambda r: survey(r, raw=b"\xef\xbb\xbf" + ("\n".join([HEADER, *ROWS]) + "\n").encode())),
    Case("cp1252", lambda r: survey(r, rows=ROWS[:3] + [row("Caf\u00e9 \u00a35 \u2013 fine", "R004")], encoding="cp1252")),
    Case("utf16-bom", lambda r: survey(r, encoding="utf-16")),
    Case("utf16-le-no-bom", lambda r: survey(r, encoding="utf-16-le")),
    Case("utf16-be-no-bom", lambda r: survey(r, encoding="utf-16-be")),
    Case("mixed-utf8-and-cp1252", lambda r: survey(r, raw=("\n".join([HEADER, *ROWS]) + "\ncaf\u00e9\n").encode()
                                                   + row("na\u00efve", "R006").encode("cp1252") + b"\n"),
         "fatal", message="mixes two encodings"),
    Case("nul-bytes-in-cell", lambda r: survey(r, rows=ROWS + [row("nul\x00byte")]), rows=5),
    Case("config-not-utf8", lambda r: raw_config(r, (r / "programme.yml").read_text().replace("Fixture", "F\u00eate")
                                                 .encode("cp1252")), "fatal", message="not UTF-8"),
    Case("config-with-bom", lambda r: raw_config(r, b"\xef\xbb\xbf" + (r / "programme.yml").read_bytes())),
    # --- truncation ----------------------------------------------------------------------
    Case("csv-cut-mid-row", lambda r: survey(r, raw=("\n".join([HEADER, *ROWS]) + "\nR005,A05,P0").encode()), rows=5),
    Case("csv-cut-inside-quote", lambda r: survey(r, raw=("\n".join([HEADER, *ROWS]) + '\nR005,A05,P01,co-producer,'
                                                          '25-44,4,2,"half an ans').encode()),
         "fatal", message="never closed"),
    Case("csv-empty", lambda r: survey(r, raw=b""), "fatal", message="empty"),
    Case("csv-header-only", lambda r: survey(r, rows=[]), "fatal", message="no data rows"),
    Case("xlsx-truncated", lambda r: to_xlsx(r, cut=400), "fatal", message="Excel"),
    Case("xlsx-encrypted", lambda r: to_xlsx(r, encrypted=True), "fatal", message="password-protected"),
    Case("xlsx-zero-bytes", lambda r: (to_xlsx(r), (r / "survey.xlsx").write_bytes(b"")), "fatal", message="empty"),
    Case("xlsx-ok", lambda r: to_xlsx(r)),
    Case("salt-empty", lambda r: (r / "pseudonym_salt.txt").write_text("  \n"), "fatal", message="salt"),
    # --- quotes --------------------------------------------------------------------------
    Case("unclosed-quote-swallows-next-row", lambda r: survey(r, rows=ROWS[:3] + [
        'R004,A04,P02,other,65+,2,7,"It started well',
        "R005,A05,P01,co-producer,25-44,4,2,then a quote was never closed",
        'R006,A06,P01,co-producer,25-44,4,2,and the end"']), "fatal", message="not closed"),
    Case("doubled-quotes", lambda r: survey(r, rows=ROWS + [row('She said "thanks" twice')]), rows=5),
    Case("quoted-newlines", lambda r: survey(r, rows=ROWS + [row("line one\nline two\r\nline three")]), rows=5),
    Case("stray-quote-mid-field", lambda r: survey(r, rows=ROWS + ['R005,A05,P01,co-producer,25-44,4,2,it is 6" tall']),
         rows=5),
    Case("semicolon-separated", lambda r: survey(r, header=HEADER.replace(",", ";"),
                                                 rows=[x.replace(",", ";") for x in ROWS[1:3]]),
         "fatal", message="semicolon"),
    Case("more-cells-than-header", lambda r: survey(r, rows=ROWS + ["R005,A05,P01,co-producer,25-44,4,2,a,b,c"]), rows=5),
    # --- hostile YAML --------------------------------------------------------------------
    Case("yaml-alias-bomb", lambda r: raw_config(r, bomb()), "fatal", message="alias"),
    Case("yaml-deep-nesting", lambda r: raw_config(r, "[" * 100_000 + "]" * 100_000), "fatal", message="nested"),
    Case("yaml-deep-mappings", lambda r: raw_config(r, "a: " * 5000 + "1\n"), "fatal"),
    Case("yaml-alias-loop", lambda r: raw_config(r, "a: &a [*a]\n"), "fatal"),
    Case("yaml-python-tag", lambda r: raw_config(r, "programme: !!python/object/apply:os.system ['touch pwned']\n"),
         "fatal", message="YAML"),
    Case("yaml-huge", lambda r: raw_config(r, "# " + "x" * 3_000_000 + "\n"), "fatal", message="over 2 MB"),
    Case("yaml-list-not-mapping", lambda r: raw_config(r, "- a\n- b\n"), "fatal", message="mapping"),
    Case("yaml-tabs", lambda r: raw_config(r, "programme:\n\tname: x\n"), "fatal", message="YAML"),
    Case("names-null-and-number", lambda r: config(r, lambda d: d["privacy"].update(names=[None, 12])), "fatal",
         message="names"),
    Case("names-not-a-list", lambda r: config(r, lambda d: d["privacy"].update(names="Priya")), "fatal", message="names"),
    Case("seed-text", lambda r: config(r, lambda d: d["report"].update(seed="abc")), "fatal", message="seed"),
    Case("seed-negative", lambda r: config(r, lambda d: d["report"].update(seed=-5)), "fatal", message="seed"),
    Case("seed-bool", lambda r: config(r, lambda d: d["report"].update(seed=True)), "fatal", message="seed"),
    Case("quotes-per-question-text", lambda r: config(r, lambda d: d["report"].update(quotes_per_question="x")),
         "fatal"),
    Case("unknown-column-type", lambda r: config(r, lambda d: d["sources"]["feedback_survey"]["columns"]["role"]
                                               .update(type="choice")), "fatal", message="single_choice"),
    Case("path-absolute-outside", lambda r: config(r, lambda d: d["sources"]["feedback_survey"]
                                                  .update(path=str(outside_file(r)))), "fatal", message="outside"),
    Case("path-dotdot-outside", lambda r: (outside_file(r), config(r, lambda d: d["sources"]["feedback_survey"]
                                                                   .update(path="../elsewhere.csv"))),
         "fatal", message="outside"),
    Case("path-symlink-outside", _symlink_outside, "fatal", message="outside"),
    Case("path-outside-allowed", lambda r: (shutil.copy(r / "feedback_survey.csv", r.parent / "survey.csv"),
                                            config(r, lambda d: (d["sources"]["feedback_survey"].update(path="../survey.csv"),
                                                                 d.update(allow_paths_outside=True))))),
    Case("salt-file-outside", lambda r: (outside_file(r), config(r, lambda d: d["privacy"]
                                                                 .update(salt_file="../elsewhere.csv"))),
         "fatal", message="outside"),
    # --- hostile text --------------------------------------------------------------------
    Case("word-control-characters", lambda r: survey(r, rows=ROWS + [row("line\x0bbreak\x0cpage\x07bell")]), rows=5),
    Case("ansi-escapes-in-answer-and-id", lambda r: survey(r, rows=ROWS + [
        row("\x1b[31mred\x1b[0m", rid="R\x1b[2J5", project="P\x1b[31m9")]), rows=5),
    Case("ansi-escape-in-header", lambda r: survey(r, header=HEADER + ",\x1b[31mextra"), rows=4),
    Case("formula-payloads", lambda r: survey(r, rows=ROWS + [row("=HYPERLINK(\"http://evil\",\"x\")", "=1+1"),
                                                               row("=cmd|' /C calc'!A0", "R006", "P99")]), rows=6),
    Case("cell-over-128kb", lambda r: survey(r, rows=ROWS + [row("x" * 140_000)]), "fatal", message="128 KB"),
    Case("bidi-override", lambda r: survey(r, rows=ROWS + [row("abc\u202etxt.exe")]), rows=5),
    Case("emoji-and-zero-width", lambda r: survey(r, rows=ROWS + [row("great \U0001F600\u200b\u200d\ufeff")]), rows=5),
    Case("html-script", lambda r: survey(r, rows=ROWS + [row("<script>alert(1)</script><img src=x onerror=alert(1)>")]),
         rows=5),
    Case("lone-surrogate-like-bytes", lambda r: survey(r, raw=("\n".join([HEADER, *ROWS]) + "\n").encode()
                                                       + b"R005,A05,P01,co-producer,25-44,4,2,\xed\xa0\x80\n"),
         "fatal"),
    Case("whitespace-only-answers", lambda r: survey(r, rows=ROWS + [row("   \t  ")]), rows=5),
    # --- hostile ids ---------------------------------------------------------------------
    Case("project-id-dotdot", lambda r: (config(r, lambda d: d["projects"].append(
        {"id": "../../etc", "name": "Escape", "theme": "x", "description": "y"})),
        survey(r, rows=ROWS + [row("fine", "R005", "../../etc")])), rows=5),
    Case("project-id-slashes-and-spaces", lambda r: (config(r, lambda d: d["projects"].append(
        {"id": "a/b c", "name": "Slashes", "theme": "x", "description": "y"})),
        survey(r, rows=ROWS + [row("fine", "R005", "a/b c")])), rows=5),
    Case("duplicate-response-ids", lambda r: survey(r, rows=ROWS + [row("again", "R001")]), rows=5),
    Case("blank-ids", lambda r: survey(r, rows=ROWS + [row("no id", "")]), rows=5),
    Case("very-long-id", lambda r: survey(r, rows=ROWS + [row("long id", "R" * 10_000)]), rows=5),
    Case("unicode-ids", lambda r: survey(r, rows=ROWS + [row("ok", "R\u00e9\u4e2d5")]), rows=5),
    Case("id-with-newline", lambda r: survey(r, rows=ROWS + ['"R00\n5",A05,P01,co-producer,25-44,4,2,ok']), rows=5),
    Case("unknown-project", lambda r: survey(r, rows=ROWS + [row("where?", "R005", "P77")]), rows=5),
    # --- faults --------------------------------------------------------------------------
    Case("data-file-missing", lambda r: (r / "feedback_survey.csv").unlink(), "fatal", message="not found"),
    Case("data-path-is-a-folder", lambda r: ((r / "feedback_survey.csv").unlink(), (r / "feedback_survey.csv").mkdir()),
         "fatal", message="not found"),
    Case("salt-file-missing", lambda r: (r / "pseudonym_salt.txt").unlink(), "fatal", message="salt"),
    Case("codebook-missing", lambda r: config(r, lambda d: d.update(codebook="nope.yml")), "fatal", message="codebook"),
    Case("codebook-catastrophic-regex", lambda r: ((r / "book.yml").write_text(
        'name: t\nversion: "1"\nthemes:\n  - {id: a, name: A, patterns: ["re:(a|aa)+$"]}\n'),
        config(r, lambda d: d.update(codebook="book.yml"))), "fatal", message="regular expression"),
    Case("member-check-corrupt", lambda r: member_checks(r, b"PK\x03\x04 not really a workbook"), "fatal"),
    Case("member-check-encrypted", lambda r: member_checks(r, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
         "fatal"),
    Case("codes-of-quarantined-answer", lambda r: (survey(r, rows=ROWS + [row("quarantined", "R005", "P77")]),
                                                   codes(r, "double_coding", "source,response_id,column,coder,theme_id\n"
                                                         "feedback_survey,R005,worked_well,A,feeling_heard\n"
                                                         "feedback_survey,R001,worked_well,A,feeling_heard\n"
                                                         "feedback_survey,R001,worked_well,B,feeling_heard\n")),
         rows=5),
    Case("codes-of-unknown-answer", lambda r: codes(r, "ground_truth", "source,response_id,column,theme_id\n"
                                                    "feedback_survey,R999,worked_well,feeling_heard\n"
                                                    "feedback_survey,R001,worked_well,feeling_heard\n")),
    Case("project-with-no-rows", lambda r: config(r, lambda d: d["projects"].append(
        {"id": "P09", "name": "Empty", "theme": "x", "description": "y"}))),
    Case("identical-before-scores", lambda r: outcomes(r, "O001,A01,P01,20,24\nO002,A02,P01,20,22\n"
                                                       "O005,A05,P01,20,21\nO003,A03,P02,19,21\n"
                                                       "O004,A04,P02,20,25\nO006,A06,P02,24,25\n")),
    Case("too-few-before-after-pairs", lambda r: outcomes(r, "O001,A01,P01,20,24\nO003,A03,P02,19,21\n"
                                                          "O004,A04,P02,20,25\nO006,A06,P02,24,25\n")),
    Case("facts-missing-a-project", lambda r: facts(r, "P01,5\n")),
    Case("all-rows-of-a-project-quarantined", lambda r: survey(r, rows=[ROWS[0], ROWS[1],
                                                                       "R003,A03,P02,practitioner,45-64,9,0,bad rating",
                                                                       ROWS[3].replace(",2,7,", ",8,7,")])),
]


def _run(args) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue() + err.getvalue()


def test_corpus_is_large_enough():
    assert len(CASES) >= 60 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case, tmp_path, monkeypatch):
    monkeypatch.delenv("EVALKIT_PSEUDONYM_SALT", raising=False)
    root = tmp_path / "programme"
    shutil.copytree(GOOD, root)
    survey(root)
    case.mutate(root)
    code, text = _run(["validate", "--config", str(root / "programme.yml")])
    assert "Traceback" not in text and "\x1b" not in text and "\u202e" not in text, text[-2000:]
    assert "root:x:0:0" not in text, "a file outside the programme folder was echoed"
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()
    if case.expect == "fatal":
        assert code == 1, text[-2000:]
        if case.message:
            assert case.message.lower() in text.lower(), text[-2000:]
        return
    assert code == 0, text[-3000:]
    _report_side(root, tmp_path / "out", case)


def _report_side(root: Path, out: Path, case: Case) -> None:
    """Open the programme as evalkit report does; count rows; look for leaks."""
    from evalkit.report import sections
    from evalkit.report.data import load_report_programme, open_report, write_quarantine

    programme = load_report_programme(root / "programme.yml")
    counts = programme.row_counts
    assert (counts["rows_read"] == counts["loaded"] + counts["quarantined"] + counts["blank"]).all()
    if case.rows is not None:
        assert int(counts.loc["feedback_survey", "rows_read"]) == case.rows, counts
    report = open_report(root / "programme.yml", programme=programme)
    sections.prepare(report)
    report.answers, report.coded, report.sentiment  # noqa: B018 - the shared work every page does
    if report.double_coding is not None:
        from evalkit.reliability import themes as reliability_themes  # noqa: F401 - importable for the page
    set_aside = sum(not p.warning for p in programme.code_problems)
    assert report.codes_set_aside >= set_aside
    write_quarantine(programme, out)
    published = [t.to_csv() for t in report.tables.values()] + [(out / "quarantine.csv").read_text(encoding="utf-8-sig")]
    published += report.answers["text"].tolist()
    blob = "\n".join(published)
    for secret in SECRETS:
        assert secret not in blob, secret
    for line in (out / "quarantine.csv").read_text(encoding="utf-8-sig").splitlines()[1:]:
        assert not line.startswith(("=", "+", "-", "@")), line


@pytest.mark.slow
def test_awkward_programme_builds_every_page(tmp_path):
    """validate passes, so report builds: an empty project, a facts file missing a project, a quarantined row,
    identical before-scores in one project and too few before/after pairs in another."""
    from evalkit.report import build_reports

    root = tmp_path / "programme"
    shutil.copytree(GOOD, root)
    many = [f"R{i:03d},A{i:03d},P0{1 + i % 2},co-producer,25-44,{1 + i % 5},{i % 9},answer number {i} was fine"
            for i in range(10, 30)]
    survey(root, rows=ROWS + many + [row("quarantined", "R005", "P77")])
    config(root, lambda d: d["projects"].append({"id": "P09", "name": "Empty", "theme": "x", "description": "y"}))
    facts(root, "P01,5\n")
    outcomes(root, "O001,A01,P01,20,24\nO002,A02,P01,20,22\nO005,A05,P01,20,21\nO003,A03,P02,19,21\n")
    code, text = _run(["validate", "--config", str(root / "programme.yml")])
    assert code == 0, text
    result = build_reports(root / "programme.yml", tmp_path / "out", jobs=2)
    assert result.ok, result.summary()


def test_an_answer_with_a_comma_list_on_its_own_line_is_not_taken_for_a_swallowed_row(tmp_path):
    root = tmp_path / "programme"
    shutil.copytree(GOOD, root)
    survey(root, rows=ROWS + [row("We need:\ntea, cake, chairs, ramps, loops, signs, maps, time, money")])
    code, text = _run(["validate", "--config", str(root / "programme.yml")])
    assert code == 0, text
