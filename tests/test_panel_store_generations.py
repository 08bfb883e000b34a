"""Two panels of one coder compacting in turn lose nothing, whatever inode the file system reuses (issue 13)."""
from __future__ import annotations

import os

import pytest

from evalkit.panel import store as store_module
from evalkit.panel.store import CoderStore


def _in_place(src, dst):
    """os.replace as a file system that hands the old inode to the new file would look to readers."""
    data = open(src, "rb").read()
    with open(dst, "r+b") as fh:
        fh.write(data)
        fh.truncate()
    os.unlink(src)


@pytest.mark.parametrize("reuse_inode", [False, True])
def test_two_panels_compacting_in_turn_keep_every_click(tmp_path, monkeypatch, reuse_inode):
    if reuse_inode:
        monkeypatch.setattr(store_module.os, "replace", _in_place)
    a, b = CoderStore(tmp_path, "AS"), CoderStore(tmp_path, "AS")
    expected = set()
    for round_ in range(10):
        a.tick(f"A{round_}", "Q", "feeling_heard")
        b.tick(f"B{round_}", "Q", "safe_spaces")
        for n in range(round_):  # make the two journals' lengths differ from round to round
            b.set_memo(f"B{round_}", "Q", f"memo {n}")
        expected |= {(f"A{round_}", "feeling_heard"), (f"B{round_}", "safe_spaces")}
        a.compact()
        b.tick(f"C{round_}", "Q", "time_resources")
        expected.add((f"C{round_}", "time_resources"))
        b.compact()
    fresh = CoderStore(tmp_path, "AS")
    got = {(r, t) for r, t in zip(fresh.codes_frame()["response_id"], fresh.codes_frame()["theme_id"])}
    assert got == expected


def test_a_panel_that_last_read_a_short_journal_is_not_fooled_by_a_reused_inode(tmp_path, monkeypatch):
    """B read the journal when it was short; A fills it, compacts (same inode, longer file); B compacts."""
    monkeypatch.setattr(store_module.os, "replace", _in_place)
    a, b = CoderStore(tmp_path, "AS"), CoderStore(tmp_path, "AS")
    for n in range(40):  # many lines about one answer: compaction folds them into one short line
        a.set_memo("first", "Q", f"draft memo number {n}")
    b.refresh()
    for n in range(40):  # answers B has never read
        a.tick(f"R{n:02d}", "Q", "safe_spaces")
    a.compact()
    b.tick("late", "Q", "time_resources")
    b.compact()
    fresh = CoderStore(tmp_path, "AS")
    assert len(fresh.keys()) == 42


def test_killed_compaction_leaves_no_temporary_file(tmp_path):
    store = CoderStore(tmp_path, "AS")
    store.tick("R1", "Q", "feeling_heard")
    left = tmp_path / f".{store.path.name}.12345.tmp"
    left.write_text("half a snapshot")
    CoderStore(tmp_path, "AS")
    assert not left.exists()
    assert CoderStore(tmp_path, "AS").codes("R1", "Q").themes == {"feeling_heard"}
