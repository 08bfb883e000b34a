"""The CLI parses arguments, makes one library call, and turns evalkit errors into clear exits."""
from types import SimpleNamespace

import pytest

from evalkit import cli
from evalkit.errors import ConfigError, DataValidationError, Problem


def test_report_calls_build_reports_once(monkeypatch, capsys, tmp_path):
    calls = []

    def fake_build(config, out, jobs, use_cache):
        calls.append((str(config), str(out), jobs, use_cache))
        return SimpleNamespace(ok=True, summary=lambda: "all good")

    monkeypatch.setattr("evalkit.report.build_reports", fake_build)
    code = cli.main(["report", "--config", "p.yml", "--out", str(tmp_path), "--jobs", "2", "--no-cache"])
    assert code == 0
    assert calls == [("p.yml", str(tmp_path), 2, False)]
    assert "all good" in capsys.readouterr().out


def test_report_failure_exits_non_zero(monkeypatch, tmp_path):
    monkeypatch.setattr("evalkit.report.build_reports",
                        lambda *a, **k: SimpleNamespace(ok=False, summary=lambda: "FAILED x"))
    assert cli.main(["report", "--config", "p.yml", "--out", str(tmp_path)]) == 1


def test_check_lists_differences(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr("evalkit.report.check_reports", lambda config, d, jobs: ["index.html: differs from the re-run"])
    assert cli.main(["report", "--config", "p.yml", "--check", str(tmp_path)]) == 1
    assert "index.html: differs" in capsys.readouterr().err


def test_config_error_prints_message_not_traceback(monkeypatch, capsys):
    def boom(config):
        raise ConfigError("programme.yml: no such file; check the --config path")

    monkeypatch.setattr("evalkit.programme.validate_programme", boom)
    assert cli.main(["validate", "--config", "programme.yml"]) == 1
    err = capsys.readouterr().err
    assert "no such file" in err and "Traceback" not in err


def test_validation_problems_each_printed(monkeypatch, capsys):
    problems = [Problem("survey.csv", 3, "rating", "6 is outside 1-5; use a value from 1 to 5"),
                Problem("survey.csv", None, "role", "column missing; did you mean 'Role '?", fatal=True)]

    def boom(config):
        raise DataValidationError(problems)

    monkeypatch.setattr("evalkit.programme.validate_programme", boom)
    assert cli.main(["validate", "--config", "p.yml"]) == 1
    err = capsys.readouterr().err
    assert "survey.csv:3:rating: 6 is outside 1-5" in err
    assert "survey.csv::role: column missing" in err


def test_report_needs_out_or_check(capsys):
    assert cli.main(["report", "--config", "p.yml"]) == 1
    assert "--out" in capsys.readouterr().err


def test_unknown_command_is_an_argparse_error():
    with pytest.raises(SystemExit):
        cli.main(["frobnicate"])


def test_export_qdpx_calls_the_library_once(monkeypatch, capsys, tmp_path):
    calls = []

    def fake_export(config, out, unredacted, journals, machine):
        calls.append((str(config), str(out), unredacted, journals, machine))
        return "Wrote x.qdpx"

    monkeypatch.setattr("evalkit.exchange.export_qdpx", fake_export)
    assert cli.main(["export-qdpx", "--config", "p.yml", "--out", "x.qdpx", "--unredacted"]) == 0
    assert calls == [("p.yml", "x.qdpx", True, None, True)]
    assert "Wrote x.qdpx" in capsys.readouterr().out


def test_import_qdpx_calls_the_library_once(monkeypatch, capsys):
    calls = []

    def fake_import(input, out, config, codebook):
        calls.append((str(input), str(out), config, codebook))
        return "Read 3 codings"

    monkeypatch.setattr("evalkit.exchange.import_qdpx", fake_import)
    assert cli.main(["import-qdpx", "--input", "in.qdpx", "--out", "coded.csv"]) == 0
    assert calls == [("in.qdpx", "coded.csv", None, None)]
    assert "Read 3 codings" in capsys.readouterr().out


def test_import_qdpx_errors_print_file_and_message(capsys, tmp_path):
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"nope")
    assert cli.main(["import-qdpx", "--input", str(bad), "--out", str(tmp_path / "c.csv")]) == 1
    assert "not a zip file" in capsys.readouterr().err
