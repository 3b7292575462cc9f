"""Road data in the app: extracts uploaded and built in the background under the data
directory, and the travel source chosen on Teams & rules and shown on the Plan page."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from planner.roads import RoadsInfo
from planner.store import field_updates, open_store, system_user, travel_settings
from planner.travel_source import TravelSettings
from planner.ui import roads as server_roads
from tests.roads.conftest import ALMATY_PBF

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.app import app, button, texts

pytestmark = pytest.mark.roads
ADMIN = system_user("test")


@pytest.fixture(autouse=True)
def own_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds are server-wide: each test sees only its own."""
    monkeypatch.setattr(server_roads, "_BUILDS", {})


@pytest.fixture(autouse=True)
def keep_main_module() -> Iterator[None]:
    """Running the app in this process replaces `__main__`; put it back, so that later
    tests that start worker processes by spawning do not run the app in them."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


def wait(name: str, timeout_s: float = 120) -> server_roads.BuildStatus:
    deadline = time.monotonic() + timeout_s
    while True:
        status = server_roads.build_status(name)
        assert status is not None
        if status.state != server_roads.RUNNING:
            return status
        assert time.monotonic() < deadline, "the build did not finish"
        time.sleep(0.2)


def test_an_uploaded_extract_is_built_under_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path / "data"))
    status = server_roads.start_build("almaty", "almaty_2012.osm.pbf", ALMATY_PBF.read_bytes())
    done = wait("almaty")
    assert done is status and done.state == server_roads.DONE, done.error
    assert done.number == done.total == 4 and done.fraction == 1.0
    found = server_roads.available_roads()
    assert list(found) == ["almaty"]
    assert found["almaty"].osm_date == "2012-03-13"  # type: ignore[attr-defined]
    root = tmp_path / "data" / "roads"
    assert sorted(p.name for p in root.iterdir()) == [".uploads", "almaty"]
    assert list((root / ".uploads").iterdir()) == []  # the upload is gone once built


def test_bad_uploads_are_refused_and_leave_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path / "data"))
    for name in ("../etc", "Almaty", "a/b", "", "x" * 41):
        with pytest.raises(ValueError, match="cannot name road data"):
            server_roads.start_build(name, "a.osm.pbf", b"x")
    with pytest.raises(ValueError, match=r"\.osm\.pbf"):
        server_roads.start_build("ok", "stations.csv", b"x")
    monkeypatch.setattr(server_roads, "MAX_EXTRACT_BYTES", 10)
    with pytest.raises(ValueError, match="planner roads build"):
        server_roads.start_build("ok", "big.osm.pbf", b"x" * 11)
    monkeypatch.setattr(server_roads, "MAX_EXTRACT_BYTES", 10_000)
    server_roads.start_build("broken", "broken.osm.pbf", b"not a protobuf file")
    failed = wait("broken")
    assert failed.state == server_roads.FAILED and failed.error
    root = tmp_path / "data" / "roads"
    assert sorted(p.name for p in root.iterdir()) == [".uploads"]
    assert list((root / ".uploads").iterdir()) == []
    assert server_roads.available_roads() == {}


def test_teams_page_chooses_the_travel_source(app_store, almaty_roads: RoadsInfo) -> None:
    seeded = app_store("ulytau")
    shutil.copytree(almaty_roads.directory, seeded.folder / "roads" / "almaty")
    at = app(seeded.folder, "coord").run()
    at.switch_page("app_pages/teams.py").run()
    assert not at.exception
    assert "Travel times" in texts(at.header)
    source = next(s for s in at.selectbox if s.label == "Travel source")
    assert source.options[1] == "Roads: almaty · almaty_2012.osm.pbf · OSM data of 2012-03-13"
    source.set_value("almaty")
    next(n for n in at.number_input if n.label == "Winter factor").set_value(0.0)
    button(at, "Apply travel settings").click().run()
    assert "winter_factor must be a positive number" in texts(at.error)
    with open_store(data_dir=seeded.folder) as store:
        assert travel_settings(store, 1, user=ADMIN) == TravelSettings()

    next(n for n in at.number_input if n.label == "Winter factor").set_value(1.0)
    button(at, "Apply travel settings").click().run()
    assert not at.exception
    assert "Travel settings saved." in texts(at.success)
    with open_store(data_dir=seeded.folder) as store:
        assert travel_settings(store, 1, user=ADMIN) == TravelSettings(
            "almaty", (("winter_factor", 1.0),)
        )
    at.switch_page("app_pages/plan.py").run()
    assert not at.exception
    assert "Travel times: Roads: OpenStreetMap almaty_2012.osm.pbf" in texts(at.caption)


def test_a_road_report_carries_the_closed_stretch(app_store) -> None:
    """The LTO gives the closed stretch's two ends; they are stored with the report (in
    lon, lat order) and shown in the reports table."""
    seeded = app_store("two_areas")
    at = app(seeded.folder, "lto-a1").run()
    assert at.title[0].value == "My area"
    ends = (51.1001, 71.4002, 51.1051, 71.4102)  # start lat, lon, end lat, lon
    for i, value in enumerate(ends):
        at.number_input(key=f"road_A1_{i}").set_value(value)
    button(at, "Save road report").click().run()
    assert not at.exception
    assert "Report saved: road closed." in texts(at.success)
    with open_store(data_dir=seeded.folder) as store:
        (report,) = field_updates(store, 1, user=ADMIN)
    assert report.kind == "road_closed" and report.area_id == "A1"
    assert report.road_points == ((71.4002, 51.1001), (71.4102, 51.1051))
    assert "closed 51.10010, 71.40020 – 51.10510, 71.41020" in " ".join(
        at.dataframe[-1].value["where"]
    )

    at.number_input(key="road_A1_0").set_value(51.2)
    button(at, "Save road report").click().run()
    assert "four numbers, or none" in texts(at.error)
