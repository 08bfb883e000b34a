"""evalkit code / train against hostile input: formulas, foreign models, broken files (issue 13)."""
from __future__ import annotations

import pickle

import pandas as pd
import pytest

from evalkit.cli import main
from evalkit.coding.pipeline import code_file, load_model, save_model
from evalkit.errors import DataValidationError, EvalkitError


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("EVALKIT_MODEL_KEY", "test-key")


def _csv(path, rows, encoding="utf-8"):
    pd.DataFrame(rows).to_csv(path, index=False, encoding=encoding)
    return path


def test_coded_csv_neutralises_formula_payloads(tmp_path):
    src = _csv(tmp_path / "in.csv", {"id": ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "=cmd|' /C calc'!A0"],
                                     "text": ["the venue was accessible"] * 5})
    out = code_file(src, "text", tmp_path / "out.csv", id_column="id", progress=False)
    assert "Coded 5" in out
    ids = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")["response_id"]
    assert all(v.startswith("'") for v in ids), ids.tolist()


def test_coded_evidence_never_carries_a_name(tmp_path):
    src = _csv(tmp_path / "in.csv", {"text": ["My support worker Siobhan O'Neill made the venue accessible"]})
    code_file(src, "text", tmp_path / "out.csv", progress=False)
    assert "Siobhan" not in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")


def test_model_files_evalkit_did_not_sign_are_never_unpickled(tmp_path):
    evil = tmp_path / "evil.joblib"

    class Boom:
        def __reduce__(self):
            return (exec, ("open(%r, 'w').write('pwned')" % str(tmp_path / "pwned"),))

    evil.write_bytes(pickle.dumps(Boom()))
    with pytest.raises(EvalkitError, match="not a model written by 'evalkit train'"):
        load_model(evil)
    assert not (tmp_path / "pwned").exists()
    forged = tmp_path / "forged.joblib"
    forged.write_bytes(b"EVALKIT-MODEL 1\n" + b"0" * 64 + b"\n" + pickle.dumps(Boom()))
    with pytest.raises(EvalkitError):
        load_model(forged)
    assert not (tmp_path / "pwned").exists()


def test_signed_model_round_trips(tmp_path):
    from sklearn.dummy import DummyClassifier

    model = DummyClassifier().fit([[0], [1]], ["a", "b"])
    path = save_model(model, tmp_path / "m.joblib")
    assert list(load_model(path).classes_) == ["a", "b"]
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(EvalkitError):
        load_model(path)


def test_utf16_csv_is_read_as_utf16(tmp_path):
    src = _csv(tmp_path / "in.csv", {"text": ["café was accessible", "ok"]}, encoding="utf-16")
    assert "Coded 2" in code_file(src, "text", tmp_path / "out.csv", progress=False)


@pytest.mark.parametrize("content, expected", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password-protected"),
    (b"PK\x03\x04" + b"\0" * 50, "damaged or cut short"),
])
def test_encrypted_or_truncated_xlsx_is_a_message(tmp_path, capsys, content, expected):
    src = tmp_path / "in.xlsx"
    src.write_bytes(content)
    assert main(["code", "--input", str(src), "--text-column", "t", "--out", str(tmp_path / "o.csv"), "--quiet"]) == 1
    assert expected in capsys.readouterr().err


def test_unwritable_out_is_a_message(tmp_path, capsys):
    src = _csv(tmp_path / "in.csv", {"text": ["fine"]})
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["code", "--input", str(src), "--text-column", "text", "--out", str(blocker / "o.csv"), "--quiet"]) == 1
    assert "cannot write the coded table" in capsys.readouterr().err


def test_truncated_xlsx_in_read_chunks(tmp_path):
    from evalkit.coding.pipeline import read_chunks

    src = tmp_path / "in.xlsx"
    pd.DataFrame({"t": ["a"] * 50}).to_excel(src, index=False)
    src.write_bytes(src.read_bytes()[:300])
    with pytest.raises(DataValidationError, match="damaged or cut short"):
        list(read_chunks(src, {"t": "text"}))
