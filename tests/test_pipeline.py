"""`evalkit code` / `evalkit train` end to end through the CLI, on small files."""
from __future__ import annotations

import csv

import pandas as pd
import pytest
from openpyxl import Workbook

from evalkit.cli import main
from evalkit.coding.codebook import load_codebook
from evalkit.coding.pipeline import CODED_COLUMNS, code_file, load_model, model_codes
from evalkit.xlsx import save_workbook

ANSWERS = [
    ("r1", "The venue was not accessible and there was no lift.", "venue"),
    ("r2", "We were paid promptly for our time, thank you!", "money"),
    ("r3", "", "money"),
    ("r4", "Zoom kept crashing 😡 and I missed half the meeting", "online"),
    ("r5", "Diolch yn fawr – roedd y sesiwn yn wych ŵ", "online"),
    ("r6", "The venue was not accessible and there was no lift.", "venue"),
    ("r7", "Café was lovely; the parking was far away", "venue"),
    ("r8", "Payment came late and the vouchers only worked in one shop", "money"),
]


def write_csv(path, rows=ANSWERS, encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "comment", "label"])
        writer.writerows(rows)
    return path


def run(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_code_csv_end_to_end(tmp_path, capsys):
    src = write_csv(tmp_path / "in.csv")
    out = tmp_path / "coded.csv"
    code, stdout, _ = run(["code", "--input", str(src), "--text-column", "comment", "--id-column", "id",
                           "--out", str(out), "--quiet"], capsys)
    assert code == 0
    assert stdout.startswith(f"Coded 8 answers from {src}:")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel shows accents
    table = pd.read_csv(out, keep_default_na=False, encoding="utf-8-sig")
    assert list(table.columns) == CODED_COLUMNS
    r1 = table[table["response_id"] == "r1"]
    venue = r1[(r1["source"] == "rules") & (r1["theme_id"] == "accessibility_venue")].iloc[0]
    assert venue["evidence"] == "NOT lift; venue" and float(venue["score"]) == 1
    assert venue["negated"] == "False"
    assert set(table["source"]) <= {"rules", "codebook", ""}  # sentiment is in its own columns, never a theme
    assert set(table["theme_id"]) <= set(load_codebook().themes) | {""}
    assert r1["sentiment"].nunique() == 1 and r1["sentiment"].iloc[0] in {"positive", "neutral", "negative"}
    shares = r1[["sentiment_positive", "sentiment_neutral", "sentiment_negative"]].iloc[0].astype(float)
    assert abs(shares.sum() - 1) < 0.01
    blank = table[table["response_id"] == "r3"]  # blank answers are present, with no theme
    assert len(blank) == 1 and (blank.drop(columns="response_id") == "").all(axis=None)
    assert table[table["response_id"] == "r6"].drop(columns="response_id").to_numpy().tolist() == \
        r1.drop(columns="response_id").to_numpy().tolist()
    online = table[(table["response_id"] == "r4") & (table["source"] == "rules")]
    assert "accessibility_online" in set(online["theme_id"])
    welsh = table[table["response_id"] == "r5"]  # no rule matched; the codebook coder still suggests one
    assert set(welsh["source"]) == {"codebook"} and len(welsh) == 1 and welsh["sentiment"].iloc[0] != ""
    assert "like: " in welsh["evidence"].iloc[0]  # the nearest codebook text explains the suggestion
    assert list(table["response_id"].drop_duplicates()) == [r[0] for r in ANSWERS]


def test_without_a_model_the_codebook_coder_codes_and_can_be_switched_off(tmp_path):
    src = write_csv(tmp_path / "in.csv")
    code_file(src, "comment", tmp_path / "a.csv", id_column="id", progress=False)
    code_file(src, "comment", tmp_path / "b.csv", id_column="id", progress=False, guided=False)
    a = pd.read_csv(tmp_path / "a.csv", keep_default_na=False, encoding="utf-8-sig")
    b = pd.read_csv(tmp_path / "b.csv", keep_default_na=False, encoding="utf-8-sig")
    assert set(a.loc[a["response_id"] != "r3", "response_id"]) <= set(a.loc[a["source"] == "codebook", "response_id"])
    assert "codebook" not in set(b["source"])
    assert a[a["source"] == "rules"].reset_index(drop=True).equals(b[b["source"] == "rules"].reset_index(drop=True))


def test_output_is_byte_identical_and_chunking_does_not_matter(tmp_path):
    src = write_csv(tmp_path / "in.csv")
    code_file(src, "comment", tmp_path / "a.csv", id_column="id", progress=False)
    code_file(src, "comment", tmp_path / "b.csv", id_column="id", progress=False, chunk_size=3)
    code_file(src, "comment", tmp_path / "c.csv", id_column="id", progress=False, chunk_size=1)
    first = (tmp_path / "a.csv").read_bytes()
    assert first == (tmp_path / "b.csv").read_bytes() == (tmp_path / "c.csv").read_bytes()


def test_ids_and_evidence_are_quoted_as_csv(tmp_path):
    src = write_csv(tmp_path / "in.csv", rows=[('A, "quoted"\nid', "Lovely venue, bus, parking", "x")])
    out = tmp_path / "o.csv"
    code_file(src, "comment", out, id_column="id", progress=False)
    table = pd.read_csv(out)
    assert set(table["response_id"]) == {'A, "quoted"\nid'}
    assert table[table["source"] == "rules"]["evidence"].iloc[0] == "venue; bus; parking"


def test_clearing_the_memo_does_not_change_output(tmp_path, monkeypatch):
    import evalkit.coding.pipeline as pipeline

    src = write_csv(tmp_path / "in.csv")
    code_file(src, "comment", tmp_path / "a.csv", id_column="id", progress=False)
    monkeypatch.setattr(pipeline, "MEMO_LIMIT", 1)
    code_file(src, "comment", tmp_path / "b.csv", id_column="id", progress=False, chunk_size=2)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_default_ids_are_spreadsheet_rows_and_cp1252_is_read(tmp_path):
    src = write_csv(tmp_path / "in.csv", rows=[("a", "Café payment – late", "x"), ("b", "Lovely venue", "y")],
                    encoding="cp1252")
    out = tmp_path / "o.csv"
    code_file(src, "comment", out, progress=False)
    table = pd.read_csv(out)
    assert set(table["response_id"]) == {2, 3}
    assert "payment_recognition" in set(table[table["response_id"] == 2]["theme_id"])


def test_xlsx_input(tmp_path, capsys):
    wb = Workbook()
    ws = wb.active
    ws.append(["response_id", "how_improve"])
    ws.append(["S1", "More breaks and the room was too noisy"])
    ws.append(["S2", None])
    ws.append([3, "Pay us on time"])
    src = save_workbook(wb, tmp_path / "in.xlsx")
    out = tmp_path / "o.csv"
    code, _, _ = run(["code", "--input", str(src), "--text-column", "how_improve", "--id-column", "response_id",
                      "--out", str(out), "--quiet"], capsys)
    assert code == 0
    table = pd.read_csv(out, dtype={"response_id": str}, encoding="utf-8-sig")
    assert {"S1", "S2", "3"} == set(table["response_id"])
    assert table[table["response_id"] == "S2"]["theme_id"].isna().all()
    assert {"time_resources", "accessibility_venue"} <= set(table[table["response_id"] == "S1"]["theme_id"])


@pytest.mark.parametrize("argv_extra, message", [
    (["--text-column", "nope"], "in.csv:1:nope: no text column 'nope'; the file's columns are 'id', 'comment', 'label'"),
    (["--text-column", "comment", "--id-column", "ID"], "in.csv:1:ID: no id column 'ID'"),
])
def test_missing_columns(tmp_path, capsys, argv_extra, message):
    src = write_csv(tmp_path / "in.csv")
    code, _, err = run(["code", "--input", str(src), "--out", str(tmp_path / "o.csv"), "--quiet", *argv_extra], capsys)
    assert code == 1
    assert message in err
    assert not (tmp_path / "o.csv").exists()


def test_unreadable_inputs_and_outputs(tmp_path, capsys):
    code, _, err = run(["code", "--input", str(tmp_path / "gone.csv"), "--text-column", "t",
                        "--out", str(tmp_path / "o.csv"), "--quiet"], capsys)
    assert code == 1 and "gone.csv::: file not found; check the path." in err
    bad = tmp_path / "notes.docx"
    bad.write_bytes(b"PK\x03\x04")
    code, _, err = run(["code", "--input", str(bad), "--text-column", "t", "--out", str(tmp_path / "o.csv"), "--quiet"], capsys)
    assert code == 1 and "cannot read '.docx' files; save it as .csv or .xlsx." in err
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    code, _, err = run(["code", "--input", str(broken), "--text-column", "t", "--out", str(tmp_path / "o.csv"), "--quiet"], capsys)
    assert code == 1 and "broken.xlsx::: the workbook is damaged or cut short" in err
    src = write_csv(tmp_path / "in.csv")
    code, _, err = run(["code", "--input", str(src), "--text-column", "comment", "--out", str(tmp_path / "o.parquet"), "--quiet"], capsys)
    assert code == 1 and "write the coded table as .csv" in err
    code, _, err = run(["code", "--input", str(src), "--text-column", "comment", "--out", str(tmp_path / "o.csv"),
                        "--model", str(tmp_path / "none.joblib"), "--quiet"], capsys)
    assert code == 1 and "none.joblib: model file not found" in err
    code, _, err = run(["code", "--input", str(src), "--text-column", "comment", "--out", str(tmp_path / "o.csv"),
                        "--codebook", str(tmp_path / "none.yml"), "--quiet"], capsys)
    assert code == 1 and "none.yml: codebook file not found" in err


def test_train_then_code_with_model(tmp_path, capsys):
    rows = [(f"t{i}", text, label) for i, (_, text, label) in enumerate(ANSWERS * 4) if text]
    src = write_csv(tmp_path / "train.csv", rows=rows)
    model = tmp_path / "m.joblib"
    code, stdout, _ = run(["train", "--input", str(src), "--text-column", "comment", "--label-column", "label",
                           "--out", str(model)], capsys)
    assert code == 0, stdout
    assert stdout.startswith(f"Trained ThemeClassifier on {len(rows)} answers (3 classes)")
    out = tmp_path / "o.csv"
    code, stdout, _ = run(["code", "--input", str(write_csv(tmp_path / "in.csv")), "--text-column", "comment",
                           "--id-column", "id", "--model", str(model), "--out", str(out), "--quiet"], capsys)
    assert code == 0 and "model codes" in stdout
    table = pd.read_csv(out)
    models = table[table["source"] == "model"]
    assert set(models["theme_id"]) <= {"venue", "money", "online"}
    assert models["score"].between(0, 1).all()
    assert "r3" not in set(models["response_id"])
    assert models.set_index("response_id").loc["r1", "theme_id"] == "venue"
    import joblib
    clf = load_model(model)
    texts = [t for _, t, _ in ANSWERS if t] + ["Parking and payment", "Zoom venue money"]
    assert list(model_codes(clf, texts)["theme_id"]) == list(clf.predict(texts))


def test_train_multilabel_and_bad_cells(tmp_path, capsys):
    texts = [t for _, t, _ in ANSWERS if t] * 4
    frame = pd.DataFrame({"comment": texts,
                          "venue": [1 if ("venue" in t or "parking" in t) else "" for t in texts],
                          "money": [str(int("pay" in t.lower() or "paid" in t.lower())) for t in texts]})
    frame.to_csv(tmp_path / "ml.csv", index=False)
    model = tmp_path / "ml.joblib"
    code, stdout, _ = run(["train", "--input", str(tmp_path / "ml.csv"), "--text-column", "comment",
                           "--label-column", "venue", "--label-column", "money", "--out", str(model)], capsys)
    assert code == 0 and "(2 themes)" in stdout
    import joblib
    codes = model_codes(load_model(model), ["Pay us promptly", "", "The venue parking"])
    assert set(codes["doc"]) <= {0, 2}
    assert set(codes["theme_id"]) <= {"venue", "money"}
    frame.loc[2, "money"] = "yes"
    frame.to_csv(tmp_path / "bad.csv", index=False)
    code, _, err = run(["train", "--input", str(tmp_path / "bad.csv"), "--text-column", "comment",
                        "--label-column", "venue", "--label-column", "money", "--out", str(model)], capsys)
    assert code == 1
    assert "bad.csv:4:money: expected 1, 0 or blank for a theme column, got 'yes'." in err


def test_no_answer_placeholders_are_blank_in_coding_and_left_out_of_training(tmp_path, capsys):
    rows = ANSWERS + [("r9", "Did not answer", "money"), ("r10", "N/A.", "venue"), ("r11", "Nothing", "venue")]
    src = write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "coded.csv"
    assert main(["code", "--input", str(src), "--text-column", "comment", "--id-column", "id",
                 "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out, keep_default_na=False, encoding="utf-8-sig")
    for placeholder in ("r9", "r10"):
        row = table[table["response_id"] == placeholder]
        assert len(row) == 1 and row["theme_id"].iloc[0] == "" and row["sentiment"].iloc[0] == ""
    assert table.loc[table["response_id"] == "r11", "sentiment"].iloc[0] != ""  # "Nothing" is a real answer
    capsys.readouterr()
    model = tmp_path / "model.joblib"
    assert main(["train", "--input", str(src), "--text-column", "comment", "--label-column", "label",
                 "--out", str(model)]) == 0
    summary = capsys.readouterr().out
    assert "Trained ThemeClassifier on 8 answers" in summary
    assert "3 rows with no answer (blank or a placeholder such as 'Did not answer') left out" in summary
