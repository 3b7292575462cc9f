"""Slow files built once per plan version and scope, then handed out again."""

from __future__ import annotations

import dataclasses
import threading
import time

from planner.ui import built_files
from planner.ui.built_files import BuiltFiles, file_key
from planner.ui.downloads import DOWNLOADS, ExportSource, deliver
from tests.support.app import two_area_mission, two_area_plan


def test_least_recently_used_files_go_first_beyond_the_limit() -> None:
    files = BuiltFiles(limit=10)
    files.put("a", b"1234")
    files.put("b", b"1234")
    assert files.get("a") == b"1234"  # a is now the most recent
    files.put("c", b"1234")
    assert files.get("b") is None and files.get("a") and files.get("c")
    assert files.size == 8
    files.put("huge", b"x" * 11)  # larger than the limit: never kept
    assert files.get("huge") is None and len(files) == 2


def test_two_users_asking_at_once_build_the_file_once() -> None:
    files = BuiltFiles(limit=1 << 20)
    calls = []

    def build() -> bytes:
        calls.append(1)
        time.sleep(0.2)
        return b"pack"

    got: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: got.append(files.get_or_build("k", build)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [b"pack"] * 4 and len(calls) == 1


def test_a_kept_download_is_built_once_per_version_and_scope(monkeypatch) -> None:
    monkeypatch.setattr(built_files, "_shared", BuiltFiles(limit=1 << 28))
    mission, plan = two_area_mission(), two_area_plan()
    pack = next(d for d in DOWNLOADS if d.key == "xlsx")
    assert pack.keep
    builds = []

    def counted(source: ExportSource) -> bytes:
        builds.append(source.version_id)
        return pack.build(source)

    counting = dataclasses.replace(pack, build=counted)
    audit: list[dict] = []
    whole = ExportSource(plan, mission, version_id=7)
    first = deliver(counting, whole, audit.append)()
    again = deliver(counting, ExportSource(plan, mission, version_id=7), audit.append)()
    assert first == again and builds == [7]
    assert len(audit) == 2  # every hand-over is still audited

    one_team = next(iter({s.team_id for s in plan.stops}))
    part = dataclasses.replace(plan, stops=tuple(s for s in plan.stops if s.team_id == one_team))
    deliver(counting, ExportSource(part, mission, version_id=7), audit.append)()
    deliver(counting, ExportSource(plan, mission, version_id=8), audit.append)()
    assert builds == [7, 7, 8]  # another scope, another version: built again


def test_the_key_follows_what_the_file_is_built_from() -> None:
    mission, plan = two_area_mission(), two_area_plan()
    key = file_key("pdf", 1, None, plan, mission)
    assert key == file_key("pdf", 1, None, plan, mission)
    renamed = dataclasses.replace(
        mission,
        teams=(dataclasses.replace(mission.teams[0], base_name="Elsewhere"), *mission.teams[1:]),
    )
    assert file_key("pdf", 1, None, plan, renamed) != key
    assert file_key("pdf", 1, "STO-01", plan, mission) != key
    assert file_key("zip", 1, None, plan, mission) != key


def _wait_while_building(files: BuiltFiles, key: str) -> built_files.BuildStatus:
    deadline = time.monotonic() + 30
    while (status := files.status(key)).state == "building":
        assert time.monotonic() < deadline, "the build did not end"
        time.sleep(0.01)
    return status


def test_a_background_build_reports_its_steps_then_the_file_is_kept() -> None:
    files = BuiltFiles(limit=1 << 20)
    step, seen, calls = threading.Event(), [], []

    def build(progress) -> bytes:
        calls.append(1)
        progress(1, 3)
        step.wait(5)
        progress(3, 3)
        return b"pack"

    assert files.status("k").state == "absent"
    files.start("k", build)
    files.start("k", build)  # already building: not started twice
    deadline = time.monotonic() + 5
    while (status := files.status("k")).done == 0:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    seen.append(status)
    step.set()
    assert _wait_while_building(files, "k").state == "ready"
    assert seen == [built_files.BuildStatus("building", 1, 3)]
    assert files.get("k") == b"pack"
    files.start("k", build)  # kept: nothing to do
    assert calls == [1]
    # A click while it builds waits for the same build rather than making a second one.
    release = threading.Event()

    def slow(progress) -> bytes:
        progress(0, 1)  # the build is under way
        release.wait(5)
        return b"slow"

    files.start("slow", slow)
    while files.status("slow").total == 0:
        time.sleep(0.01)
    clicked = threading.Thread(target=lambda: seen.append(files.get_or_build("slow", bytes)))
    clicked.start()
    release.set()
    clicked.join(5)
    assert seen[-1] == b"slow"


def test_a_failed_or_oversized_build_says_so_and_is_not_retried() -> None:
    files = BuiltFiles(limit=10)
    calls = []

    def broken(progress) -> bytes:
        calls.append(1)
        raise OSError("disk full")

    files.start("bad", broken)
    assert _wait_while_building(files, "bad") == built_files.BuildStatus(
        "failed", error="OSError: disk full"
    )
    files.start("bad", broken)
    assert calls == [1]
    files.start("big", lambda progress: b"x" * 11)
    status = _wait_while_building(files, "big")
    assert status.state == "failed" and "too large to keep" in status.error
    assert [s.state for s in files.statuses()] == ["failed", "failed"]
