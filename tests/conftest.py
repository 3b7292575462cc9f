"""Shared fixtures: the fixture-file folder, a coarse country outline, a tiny mission."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
import shapely
from hypothesis import settings

from planner.model import (
    Area,
    Commission,
    CommissionLevel,
    District,
    Mission,
    Region,
    Rules,
    Setting,
    Station,
    StationKind,
    Targets,
    Team,
    TeamKind,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"


# Hypothesis judges an example by what it does, not how long it takes: with two workers on
# two cores any wall-clock deadline fails at random.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Two pytest-xdist workers share the tests file by file, the largest share first:
    the browser tests, all on one worker, one after the other in file order (they share
    the app server and the store it serves, some share a tab, and chromium with a
    Streamlit server is a machine's worth of work on two cores). A scheduler of our own,
    because `--dist loadgroup` no longer groups on this pytest."""
    from xdist.scheduler import LoadScopeScheduling

    class BrowserTestsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "tests/browser" if path.startswith("tests/browser/") else path

    return BrowserTestsTogether(config, log)


# Kazakhstan, coarsely (about 40 km accuracy): enough to tell Almaty from Novosibirsk.
KZ_OUTLINE = shapely.Polygon(
    [
        (46.5, 48.4), (47.0, 50.4), (48.7, 51.6), (50.8, 51.7), (53.4, 51.5), (55.6, 50.6),
        (59.5, 50.5), (61.5, 51.2), (60.3, 53.9), (65.2, 54.6), (69.2, 55.4), (73.4, 54.1),
        (76.6, 54.3), (78.0, 53.0), (80.0, 50.9), (83.4, 51.0), (85.2, 49.5), (87.3, 49.1),
        (85.6, 47.2), (83.0, 47.2), (82.3, 45.5), (80.0, 44.9), (80.3, 42.2), (75.0, 42.8),
        (71.0, 42.5), (69.0, 41.2), (68.0, 40.9), (66.0, 42.4), (61.0, 44.2), (58.5, 45.5),
        (56.0, 45.0), (56.0, 41.3), (53.0, 42.1), (52.4, 43.8), (50.8, 44.4), (51.3, 45.3),
        (49.0, 46.4),
    ]
)  # fmt: skip


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def kz_outline() -> shapely.Polygon:
    return KZ_OUTLINE


def _station(sid: str, tec: str, district: str, voters: int, lon: float, lat: float, **kw):
    fields = {
        "number": sid[-1],
        "name": f"Школа № {sid[-1]}",
        "address": f"ул. Абая, {sid[-1]}",
        "region": "75",
        "kind": StationKind.REGULAR,
        "setting": Setting.URBAN,
        "tz": "Asia/Almaty",
    } | kw
    return Station(
        sid, fields["number"], fields["name"], fields["address"], fields["region"], district,
        tec, voters, fields["kind"], fields["setting"], fields["tz"], lon, lat,
    )  # fmt: skip


@pytest.fixture
def small_mission() -> Mission:
    """One city (Almaty) with two districts, three TECs, six stations (one abroad),
    one area and two teams (one without a base position)."""
    city = shapely.box(76.80, 43.15, 77.05, 43.35)
    west, east = shapely.box(76.80, 43.15, 76.93, 43.35), shapely.box(76.93, 43.15, 77.05, 43.35)
    almaty = "Asia/Almaty"
    return Mission(
        name="Almaty test mission",
        country="Kazakhstan",
        regions=(Region("75", "Almaty", "Алматы", "Алматы", almaty, city),),
        districts=(
            District("7511", "75", "Almaly", "Алмалы", "Алмалинский", west),
            District("7513", "75", "Medeu", "Медеу", "Медеуский", east),
        ),
        commissions=(
            Commission(
                "TEC-75",
                "Almaty city TEC",
                CommissionLevel.CITY,
                None,
                "75",
                almaty,
                76.8897,
                43.2389,
            ),
            Commission(
                "TEC-7511",
                "Almaly TEC",
                CommissionLevel.CITY_DISTRICT,
                "TEC-75",
                "75",
                almaty,
                76.9100,
                43.2520,
                "7511",
            ),
            Commission(
                "TEC-7513",
                "Medeu TEC",
                CommissionLevel.CITY_DISTRICT,
                "TEC-75",
                "75",
                almaty,
                76.9600,
                43.2500,
                "7513",
            ),
        ),
        stations=(
            _station("PS-1", "TEC-7511", "7511", 1820, 76.90, 43.24),
            _station("PS-2", "TEC-7511", "7511", 2104, 76.88, 43.21, setting=Setting.URBAN),
            _station("PS-3", "TEC-7511", "7511", 96, 76.86, 43.26, kind=StationKind.SPECIAL),
            _station("PS-4", "TEC-7513", "7513", 1400, 76.97, 43.23),
            _station("PS-5", "TEC-7513", "7513", 0, 77.01, 43.30, setting=Setting.RURAL),
            _station(
                "PS-6",
                "TEC-75",
                "",
                1250,
                37.6433,
                55.7601,
                region="ABROAD",
                kind=StationKind.ABROAD,
                tz="Europe/Moscow",
            ),
        ),
        areas=(Area("AOR-01", "Almaty city", ("75",), city),),
        teams=(
            Team("STO-01", TeamKind.STO, "AOR-01", "Hotel Kazakhstan", 76.9456, 43.2436),
            Team("LTO-01", TeamKind.LTO, "AOR-01", "Office", None, None),
        ),
        rules=Rules(voting_stay_min=40, polls_open=time(8, 0), expected_turnout=0.65),
        targets=Targets(opening=2, voting=5, counting=1, tabulation=1),
        seed=2022,
        outline=KZ_OUTLINE,
    )


# --- The app on a mission store -----------------------------------------------------------


@pytest.fixture(scope="session")
def app_templates(tmp_path_factory):
    """Template mission stores for the app tests (see `tests.support.app.Templates`)."""
    from tests.support.app import Templates

    return Templates(tmp_path_factory.mktemp("app-stores"))


@pytest.fixture
def app_store(app_templates, tmp_path, monkeypatch):
    """`app_store(name)`: a private copy of a template store, which the app then opens
    (`PLANNER_DATA_DIR` points at it)."""

    def make(name: str):
        seeded = app_templates.copy(name, tmp_path / "data")
        monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
        monkeypatch.setenv("PLANNER_DATA_DIR", str(seeded.folder))
        return seeded

    return make
