"""Mission stores for the app tests: built once per test session as templates, copied into
each test's own data directory, with accounts of every role that have known passwords."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from streamlit.testing.v1 import AppTest

from planner.datasets import get_path
from planner.escaping import WORD_JOINER
from planner.geodata import load_mission
from planner.model import Mission
from planner.plan import solve
from planner.schedule import Plan
from planner.store import (
    Role,
    authenticate,
    import_mission,
    open_store,
    publish,
    save_plan,
    system_user,
    users_add,
)
from planner.store.db import DB_FILE as DB_FILE_NAME
from tests.support.missions import multi_area_mission, small_mission, small_plan

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
TOKEN_KEY = "auth_token"


@dataclass(frozen=True)
class Seeded:
    """A template store: its folder, its mission and (if any) its plan version."""

    folder: Path
    mission_id: int
    version_id: int | None = None


@cache
def two_area_mission() -> Mission:
    """Areas A1 (teams STO-01, STO-03) and A2 (STO-02, STO-04), 40 and 60 stations."""
    return multi_area_mission(stations=(40, 60), teams=4, seed=3)


@cache
def two_area_plan() -> Plan:
    return solve(two_area_mission(), time_limit_s=60, seed=5, workers=1)


def _accounts(store, accounts: dict[str, dict]) -> None:
    admin = system_user("test-admin")
    for name, kw in accounts.items():
        users_add(store, name, user=admin, password=PASSWORD, **kw)


def build(folder: Path, mission: Mission, accounts: dict[str, dict], plan: Plan | None = None,
          *, published: bool = True) -> Seeded:  # fmt: skip
    """Store `mission`, the accounts and (if given) `plan` as version 1, then close."""
    folder.mkdir(parents=True, exist_ok=True)
    store = open_store(data_dir=folder)
    try:
        admin = system_user("test-admin")
        mission_id = import_mission(store, mission, user=admin)
        _accounts(store, accounts)
        version = None
        if plan is not None:
            version = save_plan(store, mission_id, plan, user=admin)
            if published:
                publish(store, version, user=admin)
    finally:
        store.close()
    return Seeded(folder, mission_id, version)


class Templates:
    """Template stores, made on first use and copied for each test."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._made: dict[str, Seeded] = {}

    def _get(self, name: str) -> Seeded:
        if name not in self._made:
            self._made[name] = getattr(self, f"_make_{name}")(self.root / name)
        return self._made[name]

    def _make_two_areas(self, folder: Path) -> Seeded:
        return build(
            folder,
            two_area_mission(),
            {
                "coord": {"role": Role.COORDINATOR},
                "lto-a1": {"role": Role.LTO, "area_ids": ["A1"]},
                "team-01": {"role": Role.TEAM, "team_id": "STO-01"},
                "team-02": {"role": Role.TEAM, "team_id": "STO-02"},
            },
            two_area_plan(),
        )

    def _make_two_areas_unpublished(self, folder: Path) -> Seeded:
        return build(
            folder,
            two_area_mission(),
            {
                "coord": {"role": Role.COORDINATOR},
                "lto-a1": {"role": Role.LTO, "area_ids": ["A1"]},
                "team-01": {"role": Role.TEAM, "team_id": "STO-01"},
            },
            two_area_plan(),
            published=False,
        )

    def _make_two_areas_no_plan(self, folder: Path) -> Seeded:
        return build(
            folder,
            two_area_mission(),
            {
                "coord": {"role": Role.COORDINATOR},
                "lto-a1": {"role": Role.LTO, "area_ids": ["A1"]},
            },
        )

    def _make_ulytau(self, folder: Path) -> Seeded:
        return build(folder, small_mission(), {"coord": {"role": Role.COORDINATOR}})

    def _make_ulytau_planned(self, folder: Path) -> Seeded:
        return build(
            folder,
            small_mission(),
            {
                "coord": {"role": Role.COORDINATOR},
                "lto-01": {"role": Role.LTO, "area_ids": ["AOR-01"]},
            },
            small_plan(),
            published=False,
        )

    def _make_kazakhstan(self, folder: Path) -> Seeded:
        return build(folder, load_mission(get_path()), {"coord": {"role": Role.COORDINATOR}})

    def copy(self, name: str, into: Path) -> Seeded:
        """A private copy of template `name` in `into`."""
        seeded = self._get(name)
        into.mkdir(parents=True, exist_ok=True)
        shutil.copy2(seeded.folder / DB_FILE_NAME, into / DB_FILE_NAME)
        return Seeded(into, seeded.mission_id, seeded.version_id)


def sign_in_token(folder: Path, username: str, password: str = PASSWORD) -> str:
    store = open_store(data_dir=folder)
    try:
        return authenticate(store, username, password).token
    finally:
        store.close()


def app(folder: Path, username: str | None = None, *, timeout: float = 60) -> AppTest:
    """The whole app (navigation, sidebar) on the store in `folder`, signed in as
    `username` (not signed in when None). Set `PLANNER_DATA_DIR` to `folder` first."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if username is not None:
        at.session_state[TOKEN_KEY] = sign_in_token(folder, username)
    return at


def shown(markdown: str) -> str:
    """Markdown source as the page shows its text: the escapes and word joiners that
    `markdown_text` adds are removed (the emphasis markers of the page's own text stay)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


def texts(elements) -> str:
    return "\n".join(shown(str(e.value)) for e in elements)


def button(at: AppTest, label: str):
    return next(b for b in at.button if shown(b.label) == label)
