"""The coding panel's per-coder store: saving, crash safety, concurrency, blind reading."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from evalkit.errors import ConfigError, EvalkitError
from evalkit.panel import store as store_module
from evalkit.errors import StoreError
from evalkit.panel.store import CoderStore, coder_slug, other_coders_codes

Q = "What worked well?"
REPO = Path(__file__).resolve().parents[1]


def test_slug_is_file_safe_readable_and_ignores_case_and_spacing():
    slug = coder_slug("  Ann  O'Néill ")
    assert slug.startswith("ann-o-neill-")
    assert all(c.isalnum() or c == "-" for c in slug)
    assert coder_slug("ann o'néill") == slug


def test_names_that_read_alike_still_get_different_files():
    assert coder_slug("Ann Smith") != coder_slug("Ann-Smith")
    assert coder_slug("../../etc/passwd").startswith("etc-passwd-")


def test_blank_coder_name_is_refused_with_a_fix():
    with pytest.raises(ConfigError, match="coder name is blank"):
        CoderStore(".", "   ")


def test_round_trip_through_a_new_store(tmp_path):
    s = CoderStore(tmp_path, "AS")
    s.tick("R1", Q, "feeling_heard")
    s.tick("R1", Q, "jargon_language")
    s.untick("R1", Q, "jargon_language")
    s.set_memo("R1", Q, "talks about being listened to")
    s.set_status("R1", Q, "done")
    s.tick(7, Q, "safe_spaces")

    again = CoderStore(tmp_path, "AS")
    assert again.codes("R1", Q).themes == {"feeling_heard"}
    assert again.codes("R1", Q).memo == "talks about being listened to"
    assert again.is_done("R1", Q)
    assert again.codes(7, Q).themes == {"safe_spaces"}
    assert again.codes(7, Q).status == "open"
    assert again.keys() == [("R1", Q), (7, Q)]


def test_codes_frame_is_long_sorted_and_optionally_keeps_empty_answers(tmp_path):
    s = CoderStore(tmp_path, "AS")
    s.tick("R2", Q, "safe_spaces")
    s.tick("R1", Q, "time_resources")
    s.tick("R1", Q, "feeling_heard")
    s.set_memo("R1", Q, "memo one")
    s.set_status("R3", Q, "done")
    frame = s.codes_frame()
    assert list(frame.columns) == ["response_id", "question", "theme_id", "coder", "memo"]
    assert frame[["response_id", "theme_id"]].values.tolist() == [
        ["R1", "feeling_heard"], ["R1", "time_resources"], ["R2", "safe_spaces"]]
    assert set(frame["coder"]) == {"AS"}
    assert frame.loc[frame.response_id == "R1", "memo"].tolist() == ["memo one", "memo one"]
    with_empty = s.codes_frame(include_empty=True)
    assert len(with_empty) == 4
    assert pd.isna(with_empty.loc[with_empty.response_id == "R3", "theme_id"]).all()


def test_empty_store_gives_an_empty_frame_with_the_columns(tmp_path):
    frame = CoderStore(tmp_path, "AS").codes_frame()
    assert frame.empty
    assert list(frame.columns) == ["response_id", "question", "theme_id", "coder", "memo"]


def test_every_click_is_fsynced_before_returning(tmp_path, monkeypatch):
    s = CoderStore(tmp_path, "AS")
    calls = []
    real = os.fsync
    monkeypatch.setattr(store_module.os, "fsync", lambda fd: (calls.append(fd), real(fd)))
    s.tick("R1", Q, "feeling_heard")
    s.set_memo("R1", Q, "x")
    assert len(calls) >= 2


def test_unchanged_memo_and_status_write_nothing(tmp_path):
    s = CoderStore(tmp_path, "AS")
    s.set_memo("R1", Q, "same")
    s.set_status("R1", Q, "done")
    size = s.path.stat().st_size
    s.set_memo("R1", Q, "same")
    s.set_status("R1", Q, "done")
    assert s.path.stat().st_size == size


def test_bad_status_is_refused(tmp_path):
    with pytest.raises(ValueError, match="status must be one of"):
        CoderStore(tmp_path, "AS").set_status("R1", Q, "finished")


def test_crash_during_compaction_keeps_the_old_journal(tmp_path, monkeypatch):
    s = CoderStore(tmp_path, "AS")
    for i in range(5):
        s.tick(f"R{i}", Q, "feeling_heard")
    before = s.path.read_bytes()

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module.os, "replace", crash)
    with pytest.raises(OSError):
        s.compact()
    monkeypatch.undo()
    assert s.path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert {k for k in CoderStore(tmp_path, "AS").keys()} == {(f"R{i}", Q) for i in range(5)}


def test_compaction_keeps_every_code_and_shrinks_the_journal(tmp_path):
    s = CoderStore(tmp_path, "AS")
    for _ in range(10):
        s.tick("R1", Q, "feeling_heard")
        s.untick("R1", Q, "feeling_heard")
    s.tick("R1", Q, "safe_spaces")
    s.set_memo("R1", Q, "m")
    s.set_status("R1", Q, "done")
    s.untick("R2", Q, "safe_spaces")
    before = s.codes_frame(include_empty=True)
    size = s.path.stat().st_size
    s.compact()
    assert s.path.stat().st_size < size
    lines = s.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2  # header and R1; R2 holds nothing
    pd.testing.assert_frame_equal(CoderStore(tmp_path, "AS").codes_frame(include_empty=True), before)


def test_a_write_torn_by_a_crash_loses_only_that_click(tmp_path, monkeypatch):
    s = CoderStore(tmp_path, "AS")
    s.tick("R1", Q, "feeling_heard")
    s.tick("R2", Q, "safe_spaces")

    def torn(fd, data):
        os.write(fd, bytes(data)[: len(data) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(store_module, "_write_all", torn)
    with pytest.raises(KeyboardInterrupt):
        s.tick("R3", Q, "jargon_language")
    monkeypatch.undo()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reopened = CoderStore(tmp_path, "AS")
        reopened.tick("R4", Q, "time_resources")
        final = CoderStore(tmp_path, "AS")
    assert final.codes("R1", Q).themes == {"feeling_heard"}
    assert final.codes("R2", Q).themes == {"safe_spaces"}
    assert final.codes("R3", Q).themes == set()
    assert final.codes("R4", Q).themes == {"time_resources"}
    assert final.damaged_lines == [4]
    assert any("skipped an unreadable line" in str(w.message) for w in caught)


_CLICKER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[3])
    from evalkit.panel.store import CoderStore
    store = CoderStore(sys.argv[1], sys.argv[2])
    i = 0
    while True:
        store.tick(f"{sys.argv[2]}-{i}", "Q", "feeling_heard")
        print(i, flush=True)
        i += 1
    """
)


def _start_clicker(store_dir, coder):
    """Start a process that ticks a new answer for ``coder`` in a loop, printing each one saved."""
    return subprocess.Popen(
        [sys.executable, "-c", _CLICKER, str(store_dir), coder, str(REPO)],
        stdout=subprocess.PIPE, text=True,
    )


def test_a_kernel_killed_mid_save_loses_no_acknowledged_click(tmp_path):
    proc = _start_clicker(tmp_path, "AS")
    acknowledged = -1
    for line in proc.stdout:
        acknowledged = int(line)
        if acknowledged >= 40:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        reloaded = CoderStore(tmp_path, "AS")
    saved = {key[0] for key in reloaded.keys()}
    assert {f"AS-{i}" for i in range(acknowledged + 1)} <= saved
    assert len(reloaded.damaged_lines) <= 1


def test_two_coders_at_once_never_touch_each_others_files(tmp_path):
    procs = [_start_clicker(tmp_path, name) for name in ("AS", "BT")]
    counts = {}
    for name, proc in zip(("AS", "BT"), procs):
        for line in proc.stdout:
            if int(line) >= 30:
                counts[name] = int(line)
                break
    for proc in procs:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    for name in ("AS", "BT"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            keys = {k[0] for k in CoderStore(tmp_path, name).keys()}
        assert all(k.startswith(f"{name}-") for k in keys)
        assert {f"{name}-{i}" for i in range(counts[name] + 1)} <= keys
    assert len(list(tmp_path.glob("*.jsonl"))) == 2


def test_same_coder_in_two_panels_merges_instead_of_overwriting(tmp_path):
    first, second = CoderStore(tmp_path, "AS"), CoderStore(tmp_path, "AS")
    first.tick("R1", Q, "feeling_heard")
    second.tick("R1", Q, "safe_spaces")  # second has not seen first's click yet
    first.set_memo("R1", Q, "from first")
    second.compact()
    first.tick("R2", Q, "time_resources")  # after the journal was replaced under it
    for store in (first, second):
        store.refresh()
        assert store.codes("R1", Q).themes == {"feeling_heard", "safe_spaces"}
        assert store.codes("R1", Q).memo == "from first"
        assert store.codes("R2", Q).themes == {"time_resources"}


_SAME_CODER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[3])
    from evalkit.panel.store import CoderStore
    store = CoderStore(sys.argv[1], "AS")
    for i in range(60):
        store.tick("R1", "Q", f"{sys.argv[2]}_{i}")
        if i % 20 == 19:
            store.compact()
    """
)


def test_same_coder_in_two_processes_keeps_every_click(tmp_path):
    procs = [
        subprocess.Popen([sys.executable, "-c", _SAME_CODER, str(tmp_path), tag, str(REPO)])
        for tag in ("a", "b")
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    themes = CoderStore(tmp_path, "AS").codes("R1", "Q").themes
    assert themes == {f"{tag}_{i}" for tag in ("a", "b") for i in range(60)}


def test_a_journal_copied_to_another_coders_name_is_refused(tmp_path):
    CoderStore(tmp_path, "AS").tick("R1", Q, "feeling_heard")
    source = tmp_path / f"{coder_slug('AS')}.jsonl"
    source.rename(tmp_path / f"{coder_slug('BT')}.jsonl")
    with pytest.raises(StoreError, match="belongs to coder 'AS'"):
        CoderStore(tmp_path, "BT")


def test_a_journal_from_a_newer_evalkit_is_refused(tmp_path):
    path = tmp_path / f"{coder_slug('AS')}.jsonl"
    path.write_text(json.dumps({"evalkit_coding_journal": 99, "coder": "AS"}) + "\n")
    with pytest.raises(StoreError, match="upgrade evalkit"):
        CoderStore(tmp_path, "AS")


def test_unwritable_store_folder_names_the_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(EvalkitError, match="store_dir"):
        CoderStore(blocker / "codes", "AS")


def test_other_coders_codes_leaves_out_the_coder_and_reads_the_rest(tmp_path):
    CoderStore(tmp_path, "AS").tick("R1", Q, "feeling_heard")
    CoderStore(tmp_path, "BT").tick("R1", Q, "safe_spaces")
    others = other_coders_codes(tmp_path, "AS")
    assert list(others) == ["BT"]
    assert others["BT"][("R1", Q)].themes == {"safe_spaces"}


def test_journal_bytes_are_identical_for_identical_clicks(tmp_path):
    for folder in ("a", "b"):
        s = CoderStore(tmp_path / folder, "AS")
        s.tick("R1", Q, "feeling_heard")
        s.set_memo("R1", Q, "ünïcode memo")
        s.set_status("R1", Q, "done")
        s.compact()
    assert (tmp_path / "a" / f"{coder_slug('AS')}.jsonl").read_bytes() == (
        tmp_path / "b" / f"{coder_slug('AS')}.jsonl").read_bytes()


def test_a_long_journal_asks_for_compaction_until_compacted(tmp_path):
    s = CoderStore(tmp_path, "AS")
    assert not s.needs_compaction
    for _ in range(110):
        s.tick("R1", Q, "feeling_heard")
        s.untick("R1", Q, "feeling_heard")
    assert CoderStore(tmp_path, "AS").needs_compaction
    s.compact()
    assert not CoderStore(tmp_path, "AS").needs_compaction


# ---- themes a coder adds ---------------------------------------------------------------------

BST = timezone(timedelta(hours=1))


def test_an_added_theme_is_saved_with_coder_and_utc_time_and_survives_reopening(tmp_path):
    s = CoderStore(tmp_path, "AS")
    added = s.add_theme("peer_support", "  Peer   support ", "Help from others who have been there.",
                        when=datetime(2024, 5, 1, 11, 22, 33, 987654, tzinfo=BST))
    assert added.when == "2024-05-01T10:22:33+00:00"
    s.tick("R1", Q, "peer_support")
    frame = CoderStore(tmp_path, "AS").themes_added()
    assert list(frame.columns) == ["theme_id", "name", "definition", "coder", "when"]
    assert frame.values.tolist() == [["peer_support", "Peer support", "Help from others who have been there.",
                                      "AS", "2024-05-01T10:22:33+00:00"]]
    codes = CoderStore(tmp_path, "AS").codes_frame()
    assert codes["theme_id"].tolist() == ["peer_support"]
    assert "when" not in codes.columns and "2024" not in codes.to_csv()


def test_the_time_defaults_to_now_in_utc(tmp_path):
    before = datetime.now(timezone.utc).replace(microsecond=0)
    when = datetime.fromisoformat(CoderStore(tmp_path, "AS").add_theme("a", "A", "Means A.").when)
    assert when.utcoffset() == timedelta(0)
    assert before <= when <= datetime.now(timezone.utc)


@pytest.mark.parametrize(
    "theme_id, name, definition, message",
    [
        ("peer_support", "Peer support", "Again.", "already added the theme “Peer support”"),
        ("other_id", "PEER  support", "Same name.", "already added the theme “Peer support”"),
        ("new_one", "New one", "   ", "has no definition"),
        ("new_one", "  ", "Means something.", "has no name"),
        ("New-One", "New one", "Means something.", "lower-case letters"),
    ],
)
def test_a_duplicate_blank_or_malformed_added_theme_is_refused(tmp_path, theme_id, name, definition, message):
    s = CoderStore(tmp_path, "AS")
    s.add_theme("peer_support", "Peer support", "Help from peers.")
    size = s.path.stat().st_size
    with pytest.raises(ConfigError, match=message):
        s.add_theme(theme_id, name, definition)
    assert s.path.stat().st_size == size


def test_two_panels_of_one_coder_cannot_add_the_same_theme_twice(tmp_path):
    first, second = CoderStore(tmp_path, "AS"), CoderStore(tmp_path, "AS")
    first.add_theme("peer_support", "Peer support", "Help from peers.")
    with pytest.raises(ConfigError, match="already added"):
        second.add_theme("peer_support", "Peer support", "Help from peers, said again.")
    assert [t.definition for t in second.added_themes()] == ["Help from peers."]


def test_compaction_keeps_added_themes(tmp_path):
    s = CoderStore(tmp_path, "AS")
    s.add_theme("peer_support", "Peer support", "Help from peers.", when=datetime(2024, 5, 1, tzinfo=timezone.utc))
    s.tick("R1", Q, "peer_support")
    before = s.themes_added()
    s.compact()
    pd.testing.assert_frame_equal(CoderStore(tmp_path, "AS").themes_added(), before)
    assert CoderStore(tmp_path, "AS").codes("R1", Q).themes == {"peer_support"}


def test_a_format_1_journal_is_still_read_and_new_journals_say_format_2(tmp_path):
    path = tmp_path / f"{coder_slug('AS')}.jsonl"
    path.write_text(json.dumps({"evalkit_coding_journal": 1, "coder": "AS"}) + "\n"
                    + json.dumps({"op": "tick", "response_id": "R1", "question": Q, "theme": "x"}) + "\n")
    s = CoderStore(tmp_path, "AS")
    assert s.codes("R1", Q).themes == {"x"}
    s.add_theme("y_theme", "Y", "Means y.")
    assert CoderStore(tmp_path, "AS").added_themes()[0].id == "y_theme"
    CoderStore(tmp_path / "new", "AS").tick("R1", Q, "x")
    header = json.loads((tmp_path / "new" / path.name).read_text().splitlines()[0])
    assert header["evalkit_coding_journal"] == 2


def test_other_coders_journals_with_added_themes_read_cleanly(tmp_path):
    other = CoderStore(tmp_path, "BT")
    other.add_theme("peer_support", "Peer support", "Help from peers.")
    other.tick("R1", Q, "peer_support")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = other_coders_codes(tmp_path, "AS")
    assert found["BT"][("R1", Q)].themes == {"peer_support"}
