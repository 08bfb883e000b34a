"""Tests for evalkit.compare.framework (Framework Method matrix) and evalkit.compare.joint."""
import re
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from evalkit.compare.framework import framework_matrix, long_texts, representative_quote
from evalkit.compare.joint import joint_display
from evalkit.errors import ConfigError
from evalkit.figures import FigureWithAlt


def survey():
    """P01 with 20 responses, P02 with 10; two Likert items and one free-text column."""
    rows = []
    for project, n in (("P01", 20), ("P02", 10)):
        for i in range(n):
            rows.append({"response_id": f"{project}-{i:02d}", "project_id": project,
                         "sharing_power": 4 + (i % 2), "accessibility": 2 + (i % 4),
                         "worked_well": f"Answer {i} from {project}, Anna was there."})
    df = pd.DataFrame(rows)
    df.loc[0, "worked_well"] = "=HYPERLINK(\"http://x\") we felt heard"
    df.loc[1, "worked_well"] = ""
    return df


def coded():
    """feeling_heard on 10 P01 answers and 3 P02 answers; safe_spaces on 9 P01 answers."""
    rows = [(f"P01-{i:02d}", "feeling_heard") for i in range(10)]
    rows += [(f"P02-{i:02d}", "feeling_heard") for i in range(3)]
    rows += [(f"P01-{i:02d}", "safe_spaces") for i in range(5, 14)]
    return pd.DataFrame(rows, columns=["response_id", "theme_id"]).assign(column="worked_well")


def redact(text):
    """A stand-in redactor: hides the one name used in the fixtures."""
    return text.replace("Anna", "[name]")


def build(policy=None):
    """Framework matrix of the fixtures."""
    df = survey()
    texts = long_texts(df, ["worked_well"])
    return framework_matrix(coded(), df[["response_id", "project_id"]], texts,
                            theme_labels={"feeling_heard": "Feeling heard",
                                          "safe_spaces": "Safe spaces"},
                            redact=redact, policy=policy)


def test_long_texts_drops_blank_answers():
    texts = long_texts(survey(), ["worked_well"])
    assert len(texts) == 29 and list(texts.columns) == ["response_id", "project_id", "column",
                                                        "text"]


def test_representative_quote_prefers_focused_answers_of_typical_length():
    texts = pd.Series(["short", "a typical answer here", "a typical answer, too", "x" * 90])
    others = pd.Series([0, 1, 0, 0])
    assert representative_quote(texts, others) == "a typical answer, too"
    assert representative_quote(pd.Series([], dtype=str), pd.Series([], dtype=int)) is None


def test_cells_hold_suppressed_prevalence_summary_and_redacted_quote():
    fm = build()
    cells = fm.cells.set_index(["project_id", "theme"])
    p01 = cells.loc[("P01", "feeling_heard")]
    assert (p01["n"], p01["n %"], p01["responses"]) == ("10", "50%", "20")
    assert p01["summary"] == "Raised in 50% of responses; the most common theme in this project."
    assert "[name]" in p01["quote"] and "Anna" not in p01["quote"]
    p02 = cells.loc[("P02", "feeling_heard")]
    # 3 of 10: count hidden, and no quote from so small a group
    assert (p02["n"], p02["n %"], p02["quote"]) == ("*", "*", "")
    assert p02["summary"] == "Raised by fewer than 8 responses."
    assert cells.loc[("P02", "safe_spaces"), "summary"] == "Not raised."
    for value in fm.cells.to_numpy().ravel():
        assert not re.fullmatch(r"[1-7]", str(value))


def test_researcher_summaries_override_generated_ones():
    df = survey()
    fm = framework_matrix(coded(), df[["response_id", "project_id"]],
                          summaries={("P01", "safe_spaces"): "Spaces felt safe after week 3."},
                          redact=redact)
    cell = fm.cells.set_index(["project_id", "theme"]).loc[("P01", "safe_spaces")]
    assert cell["summary"] == "Spaces felt safe after week 3." and cell["quote"] == ""


def test_matrix_is_projects_by_themes():
    wide = build().matrix()
    assert list(wide.index) == ["P01", "P02"]
    assert list(wide.columns) == ["Feeling heard", "Safe spaces"]
    # 9 answers round to 10 of 20, so 50% (the exact share, 45%, must not appear)
    assert wide.loc["P01", "Safe spaces"].startswith("n=10 (50%)\nRaised in 50% of responses")


def test_heatmap_has_numbers_in_cells_and_alt_text_from_data():
    fig = build().heatmap()
    assert isinstance(fig, FigureWithAlt)
    texts = [t.get_text() for t in fig.figure.axes[0].texts]
    assert "50%\nn=10" in texts and "*" in texts
    assert fig.figure.axes[0].images[0].get_cmap().name == "cividis"
    assert "'Feeling heard' was raised most in P01 (50% of 20 responses)" in fig.alt
    assert "fewer than 8 responses raised that theme" in fig.alt


def test_xlsx_export_neutralises_formulas_and_is_reproducible(tmp_path):
    fm = build()
    a = fm.to_xlsx(tmp_path / "a.xlsx")
    b = fm.to_xlsx(tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()
    wb = load_workbook(a)
    assert wb.sheetnames == ["Framework matrix", "Cells", "About"]
    quotes = [c.value for c in wb["Cells"]["H"] if c.value]
    assert all(not str(q).startswith("=") for q in quotes)
    with zipfile.ZipFile(a) as z:
        sheet = z.read("xl/worksheets/sheet2.xml").decode()
        assert "<f>" not in sheet
    assert "NHS Digital" in wb["About"]["A3"].value


def test_formula_text_in_quotes_is_neutralised_in_xlsx(tmp_path):
    df = survey()
    coded_rows = pd.DataFrame({"response_id": [f"P01-{i:02d}" for i in [0, *range(2, 10)]],
                               "theme_id": "feeling_heard", "column": "worked_well"})
    texts = long_texts(df, ["worked_well"]).query("response_id == 'P01-00'")
    fm = framework_matrix(coded_rows, df[["response_id", "project_id"]], texts,
                          redact=lambda s: s)
    assert fm.cells.set_index(["project_id", "theme"]).loc[("P01", "feeling_heard"),
                                                          "quote"].startswith("=HYPERLINK")
    path = fm.to_xlsx(tmp_path / "f.xlsx")
    cells = [c for row in load_workbook(path)["Cells"].iter_rows() for c in row]
    quote = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert quote and all(c.data_type == "s" and c.quotePrefix for c in quote)  # text, no apostrophe shown


def test_xlsx_rows_fit_wrapped_text_and_print_one_page_wide(tmp_path):
    book = load_workbook(build().to_xlsx(tmp_path / "f.xlsx"))
    matrix = book["Framework matrix"]
    for r in range(2, matrix.max_row + 1):  # every line of every cell in the row is visible
        lines = max(str(c.value).count("\n") + 1 for c in matrix[r])
        assert matrix.row_dimensions[r].height >= lines * 11 * 1.3
    assert matrix.page_setup.fitToWidth == 1 and matrix.print_title_rows == "$1:$1"


def test_html_repr_escapes_text():
    html = build()._repr_html_()
    assert "<br>" in html and "<table" in html and "NHS Digital" in html


def test_joint_display_puts_numbers_beside_themes_and_quotes():
    df = survey()
    table = joint_display(df, coded(), "P01", items=["sharing_power", "accessibility"],
                          texts=long_texts(df, ["worked_well"]),
                          item_labels={"sharing_power": "Power was shared"},
                          item_principles={"sharing_power": "sharing_power",
                                           "accessibility": "including_all_perspectives"},
                          theme_parents={"feeling_heard": "sharing_power",
                                         "safe_spaces": "building_relationships"},
                          redact=redact, seed=1)
    assert list(table.columns) == ["principle", "statement", "n", "median (95% CI)", "agreed",
                                   "theme", "raised by", "quote"]
    first = table.iloc[0]
    assert (first["principle"], first["statement"], first["n"]) == ("sharing power",
                                                                      "Power was shared", "20")
    # 10 answers of 4 and 10 of 5: median 4.5, all 20 agreed
    assert first["median (95% CI)"].startswith("4.5 (") and first["agreed"] == "100%"
    assert (first["theme"], first["raised by"]) == ("feeling_heard", "50% (n=10)")
    assert "[name]" in first["quote"]
    assert table.iloc[1]["theme"] == "(no theme coded)"
    other = table[table["principle"] == "building relationships"].iloc[0]
    assert other["n"] == "" and other["theme"] == "safe_spaces"
    for value in table.to_numpy().ravel():
        assert not re.fullmatch(r"[1-7]", str(value))


def test_joint_display_withholds_small_projects_and_rejects_unknown_ones():
    df = survey()
    small = joint_display(df, coded(), "P02", items=["sharing_power"], redact=redact)
    row = small.iloc[0]
    # ten answers alternating 4 and 5: median 4.5, every bootstrap median lies in 4..5
    assert (row["n"], row["median (95% CI)"], row["agreed"]) == ("10", "4.5 (4 to 5)", "100%")
    hidden = small[small["principle"] == "Other"].iloc[0]
    assert (hidden["raised by"], hidden["quote"]) == ("* (n=*)", "")
    tiny = df[df.project_id == "P01"].head(5).assign(project_id="P03")
    table = joint_display(pd.concat([df, tiny.assign(response_id=lambda d: d.response_id + "x")]),
                          coded(), "P03", items=["sharing_power"], redact=redact)
    assert table.iloc[0][["n", "median (95% CI)", "agreed"]].tolist() == ["*", "*", "*"]
    with pytest.raises(ConfigError, match="project 'P09' has no responses"):
        joint_display(df, coded(), "P09", items=["sharing_power"])
