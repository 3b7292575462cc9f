"""Signing in to the app (Streamlit AppTest on a mission store of its own): wrong passwords,
throttling, one-time passwords, expired and closed sessions, the first start, and which
pages each role's navigation holds."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from planner.store import (
    Role,
    get_user,
    open_store,
    session_user,
    sign_out,
    system_user,
    users_add,
    users_remove,
)
from planner.store import models as m
from planner.store.errors import AuthError
from planner.ui.session import bootstrap
from tests.support.app import PASSWORD, ROOT, TOKEN_KEY, app, button, shown, sign_in_token, texts

COORDINATOR_PAGES = [
    "mission", "teams", "plan", "map", "my_area", "coverage", "export", "accounts",
]  # fmt: skip


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    """Sign in through the form; a browser then swaps its ticket for the cookie and loads
    the page again, which a second run stands in for."""
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    button(at, "Sign in").click().run()
    if TOKEN_KEY in at.session_state:
        assert "Signing in…" in texts(at.info)
        (link,) = [m.value for m in at.markdown if "/auth/session?ticket=" in str(m.value)]
        assert link.startswith("[Continue](/auth/session?ticket=")
        at.run()
    return at


def test_signed_out_app_shows_only_the_sign_in_page(app_store) -> None:
    """Before sign-in: the sign-in form, no mission data, no other page."""
    seeded = app_store("two_areas")
    at = app(seeded.folder).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in"]
    assert "Multi-area" not in texts(at.markdown) + texts(at.caption)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/map.py")


def test_wrong_password_gets_a_plain_message(app_store) -> None:
    seeded = app_store("two_areas")
    at = sign_in(app(seeded.folder).run(), "coord", "not the password")
    assert not at.exception
    assert texts(at.error) == "Wrong username or password."
    assert TOKEN_KEY not in at.session_state
    # An unknown account gets the same answer.
    sign_in(at, "nobody", "not the password")
    assert texts(at.error) == "Wrong username or password."


def test_repeated_wrong_passwords_make_this_connection_wait(app_store) -> None:
    """Five wrong passwords: the message says this connection must wait and for how long
    (the same for an unknown name); the right password is then refused too."""
    seeded = app_store("two_areas")
    at = app(seeded.folder).run()
    for _ in range(5):
        sign_in(at, "coord", "not the password")
    expected = (
        "Wrong username or password; too many failed sign-ins from this connection: try "
        "again in 1 minute(s), or ask a coordinator to unlock it."
    )
    assert texts(at.error) == expected
    sign_in(at, "coord", PASSWORD)
    assert "Too many failed sign-ins from this connection" in texts(at.error)
    assert TOKEN_KEY not in at.session_state
    for _ in range(5):
        sign_in(at, "nobody-here", "not the password")
    assert texts(at.error) == expected


def test_sign_in_through_the_form_opens_the_role_start_page(app_store) -> None:
    seeded = app_store("two_areas")
    at = sign_in(app(seeded.folder).run(), "coord", PASSWORD)
    assert not at.exception
    assert shown(at.title[0].value) == "Multi-area test mission"  # the Mission page
    assert "Signed in as **coord** (coordinator)" in texts(at.sidebar.caption)

    at = sign_in(app(seeded.folder).run(), "LTO-A1", PASSWORD)  # names are case-blind
    assert at.title[0].value == "My area"
    assert "(LTO · A1)" in texts(at.sidebar.caption)


def test_one_time_password_must_be_changed_before_anything_else(app_store) -> None:
    seeded = app_store("two_areas")
    with open_store(data_dir=seeded.folder) as store:
        one_time = users_add(
            store, "newcomer", role=Role.LTO, area_ids=["A2"], user=system_user("t")
        )
    at = sign_in(app(seeded.folder).run(), "newcomer", one_time)
    assert at.title[0].value == "Choose your password"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/my_area.py")

    at.text_input(key="pw_old").input(one_time)
    at.text_input(key="pw_new").input("a new password 2022")
    at.text_input(key="pw_again").input("a different one 2022")
    button(at, "Change password").click().run()
    assert "differ" in texts(at.error)
    at.text_input(key="pw_old").input(one_time)
    at.text_input(key="pw_new").input("short")
    at.text_input(key="pw_again").input("short")
    button(at, "Change password").click().run()
    assert "at least 12 characters" in texts(at.error)
    at.text_input(key="pw_old").input(one_time)
    at.text_input(key="pw_new").input("aaaaaaaaaaaa")
    at.text_input(key="pw_again").input("aaaaaaaaaaaa")
    button(at, "Change password").click().run()
    assert "most common breached passwords" in texts(at.error)

    at.text_input(key="pw_old").input(one_time)
    at.text_input(key="pw_new").input("a new password 2022")
    at.text_input(key="pw_again").input("a new password 2022")
    button(at, "Change password").click().run()
    assert not at.exception
    assert at.title[0].value == "My area"  # the LTO's start page, in the same session
    with open_store(data_dir=seeded.folder) as store:
        assert session_user(store, at.session_state[TOKEN_KEY]).username == "newcomer"
    at = sign_in(app(seeded.folder).run(), "newcomer", one_time)
    assert texts(at.error) == "Wrong username or password."


def test_expired_session_goes_back_to_sign_in(app_store) -> None:
    """The session is checked on every rerun: once it has expired, the next click shows the
    sign-in page and says why."""
    seeded = app_store("two_areas")
    at = app(seeded.folder, "coord").run()
    assert shown(at.title[0].value) == "Multi-area test mission"
    with open_store(data_dir=seeded.folder) as store, store.write() as session:
        session.execute(update(m.UserSession).values(expires_at=store.now().replace(year=2000)))
    at.run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert "Your session has expired; sign in again" in texts(at.info)
    assert TOKEN_KEY not in at.session_state


def test_removed_account_is_signed_out_at_once(app_store) -> None:
    seeded = app_store("two_areas")
    at = app(seeded.folder, "lto-a1").run()
    assert at.title[0].value == "My area"
    with open_store(data_dir=seeded.folder) as store:
        users_remove(store, "lto-a1", user=system_user("t"))
    at.switch_page("app_pages/map.py").run()
    assert [t.value for t in at.title] == ["Sign in"]


def test_sign_out_closes_the_session(app_store) -> None:
    seeded = app_store("two_areas")
    at = app(seeded.folder, "coord").run()
    token = at.session_state[TOKEN_KEY]
    button(at, "Sign out").click().run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert "You are signed out." in texts(at.info)
    with open_store(data_dir=seeded.folder) as store, pytest.raises(AuthError):
        session_user(store, token)


def test_coordinator_navigation_has_every_page(app_store) -> None:
    seeded = app_store("two_areas")
    at = app(seeded.folder, "coord").run()
    for name in COORDINATOR_PAGES:
        at.switch_page(f"app_pages/{name}.py").run()
        assert not at.exception, name
        assert not at.error, (name, texts(at.error))
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/my_schedule.py")


def test_lto_navigation_lacks_coordinator_pages(app_store) -> None:
    """An LTO starts on My area, may open Map, Coverage and Export, and the coordinators'
    pages are not in its navigation at all."""
    seeded = app_store("two_areas")
    at = app(seeded.folder, "lto-a1").run()
    assert at.title[0].value == "My area"
    for name in ("map", "coverage", "export", "my_area"):
        at.switch_page(f"app_pages/{name}.py").run()
        assert not at.exception and not at.error, name
    for name in ("mission", "teams", "plan", "my_schedule"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"app_pages/{name}.py")


def test_team_navigation_is_only_its_schedule(app_store) -> None:
    seeded = app_store("two_areas")
    at = app(seeded.folder, "team-01").run()
    assert [t.value for t in at.title] == ["My schedule"]
    for name in COORDINATOR_PAGES:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"app_pages/{name}.py")


def test_page_opened_directly_checks_the_role(app_store) -> None:
    """A page run on its own (as a crafted request would) still checks who is asking."""
    seeded = app_store("two_areas")
    page = AppTest.from_file(str(ROOT / "app_pages" / "plan.py"), default_timeout=60)
    page.session_state[TOKEN_KEY] = sign_in_token(seeded.folder, "lto-a1")
    page.run()
    assert "This page is not available to your account." in texts(page.error)
    assert not page.title


def test_first_start_stores_the_default_mission_and_prints_the_password(
    tmp_path, monkeypatch, capsys
) -> None:
    """On an empty store the app stores the default mission and creates the coordinator;
    the one-time password goes to the server console only, and the sign-in page says where
    it is and how to reset it."""
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path / "fresh"))
    at = app(tmp_path / "fresh").run()
    assert not at.exception
    console = capsys.readouterr().err
    assert "FIRST START" in console
    password = next(
        line.split(":", 1)[1].strip()
        for line in console.splitlines()
        if "one-time password" in line
    )
    assert len(password) == 16
    hint = texts(at.info)
    assert "printed in the terminal that started the app" in hint
    assert "planner users reset-password coordinator" in hint
    everything = "\n".join(
        texts(getattr(at, kind)) for kind in ("markdown", "info", "caption", "error", "title")
    )
    assert password not in everything

    at = sign_in(at, "coordinator", password)
    assert at.title[0].value == "Choose your password"
    with open_store(data_dir=tmp_path / "fresh") as store:
        assert get_user(store, "coordinator").role is Role.COORDINATOR


def test_bootstrap_leaves_a_used_store_alone(tmp_path) -> None:
    """A second start prints nothing and creates nothing; never a default password."""
    from planner.datasets import SMALL_MISSION, get_path

    with open_store(data_dir=tmp_path) as store:
        out = io.StringIO()
        first = bootstrap(store, mission_path=get_path(SMALL_MISSION), out=out)
        assert first.coordinator == "coordinator" and first.mission_id is not None
        assert "one-time password" in out.getvalue()
        again = io.StringIO()
        second = bootstrap(store, mission_path=get_path(SMALL_MISSION), out=again)
        assert second.coordinator is None and second.mission_id is None
        assert again.getvalue() == ""


AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32}


def test_single_sign_on_is_offered_only_when_configured(app_store) -> None:
    seeded = app_store("two_areas")
    at = app(seeded.folder).run()
    assert not [b for b in at.button if "organisation" in b.label]
    at = app(seeded.folder)
    at.secrets["auth"] = AUTH
    at.run()
    assert not at.exception
    assert button(at, "Sign in with your organisation account")


def test_single_sign_on_maps_the_email_to_an_account(app_store) -> None:
    """The identity provider's e-mail must be an account here; its role comes from here.
    Signing out also ends the identity provider's session in this browser."""
    seeded = app_store("two_areas")
    with open_store(data_dir=seeded.folder) as store:
        users_add(
            store,
            "aigerim@example.org",
            role=Role.LTO,
            area_ids=["A1"],
            user=system_user("t"),
            local_password=False,
        )
    at = app(seeded.folder)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "Aigerim@example.org"}
    at.run()
    assert "Signing in…" in texts(at.info)
    at.run()
    assert not at.exception
    assert at.title[0].value == "My area"
    assert "Signed in as **aigerim@example.org** (LTO · A1)" in texts(at.sidebar.caption)

    button(at, "Sign out").click().run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert TOKEN_KEY not in at.session_state
    stranger = app(seeded.folder)
    stranger.secrets["auth"] = AUTH
    stranger.user = {"is_logged_in": True, "email": "stranger@example.org"}
    stranger.run()
    assert "No account for stranger@example.org; ask a coordinator." in texts(stranger.error)
    assert button(stranger, "Sign out of the organisation account")
    assert TOKEN_KEY not in stranger.session_state


def test_single_sign_on_does_not_undo_a_sign_out_elsewhere(app_store) -> None:
    """A session ended in another tab (or by a coordinator) is not reopened behind the
    user's back by the identity provider's sign-in: continuing is a click."""
    seeded = app_store("two_areas")
    with open_store(data_dir=seeded.folder) as store:
        users_add(store, "aigerim@example.org", role=Role.LTO, area_ids=["A1"],
                  user=system_user("t"), local_password=False)  # fmt: skip
    at = app(seeded.folder)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "aigerim@example.org"}
    at.run()
    at.run()
    assert at.title[0].value == "My area"
    with open_store(data_dir=seeded.folder) as store:
        sign_out(store, at.session_state[TOKEN_KEY])
    at.run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert TOKEN_KEY not in at.session_state
    button(at, "Continue as aigerim@example.org").click().run()
    assert "Signing in…" in texts(at.info)


def test_every_role_may_change_its_password(app_store) -> None:
    """A team account (one page in its menu) opens Change password from the sidebar;
    the change keeps this session and ends the account's others."""
    seeded = app_store("two_areas")
    other = sign_in_token(seeded.folder, "team-01")
    at = app(seeded.folder, "team-01").run()
    assert [t.value for t in at.title] == ["My schedule"]
    at.switch_page("app_pages/change_password.py").run()
    assert [t.value for t in at.title] == ["Change password"]
    at.text_input(key="pw_old").input(PASSWORD)
    at.text_input(key="pw_new").input("team one goes north")
    at.text_input(key="pw_again").input("team one goes north")
    button(at, "Change password").click().run()
    assert not at.exception and not at.error, texts(at.error)
    with open_store(data_dir=seeded.folder) as store:
        assert session_user(store, at.session_state[TOKEN_KEY]).username == "team-01"
        with pytest.raises(AuthError):
            session_user(store, other)
    at = sign_in(app(seeded.folder).run(), "team-01", "team one goes north")
    assert [t.value for t in at.title] == ["My schedule"]


def test_coordinator_lifts_a_wait_on_the_accounts_page(app_store) -> None:
    seeded = app_store("two_areas")
    stranger = app(seeded.folder).run()
    for _ in range(5):
        sign_in(stranger, "lto-a1", "not the password")
    at = app(seeded.folder, "coord").run()
    at.switch_page("app_pages/accounts.py").run()
    assert not at.exception and [t.value for t in at.title] == ["Accounts"]
    table = at.dataframe[0].value
    row = table[table["user"] == "lto-a1"].iloc[0]
    assert row["wrong passwords (24 h)"] == 5 and row["waiting addresses"] == "local"
    at.selectbox(key="unlock_account").select("lto-a1")
    button(at, "Unlock this account").click().run()
    assert "lto-a1: 2 count(s) of wrong passwords cleared." in texts(at.success)
    assert sign_in(stranger, "lto-a1", PASSWORD).title[0].value == "My area"

    lto = app(seeded.folder, "lto-a1").run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        lto.switch_page("app_pages/accounts.py")
