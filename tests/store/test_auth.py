"""Accounts and sign-in: Argon2 hashes, a one-time bootstrap password, throttled wrong
passwords, sessions that expire, and an audit trail of it all."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from planner.store import (
    Action,
    AuthError,
    FieldReport,
    NotFound,
    Role,
    StoreError,
    add_field_update,
    audit,
    audit_log,
    authenticate,
    bootstrap_coordinator,
    change_password,
    get_user,
    has_users,
    load_plan,
    open_store,
    publish,
    reset_password,
    save_plan,
    session_user,
    sign_in_external,
    sign_out,
    users_add,
    users_list,
    users_remove,
)
from planner.store import models as m
from planner.store.auth import LOCK_BASE, MAX_FAILURES, lock_duration

from .helpers import PASSWORD


def _hash_of(store, username):
    with store.read() as session:
        return session.query(m.User).filter_by(username=username).one().password_hash


def test_bootstrap_once_with_a_one_time_password(database, clock):
    """The first coordinator gets a random password that must be changed; a second
    bootstrap is refused; the hash is Argon2id with the library's default cost."""
    with open_store(database, clock=clock) as store:
        assert not has_users(store)
        password = bootstrap_coordinator(store)
        assert len(password) >= 16
        with pytest.raises(StoreError, match="exist already"):
            bootstrap_coordinator(store, "second")
        assert _hash_of(store, "coordinator").startswith("$argon2id$")
        assert password not in _hash_of(store, "coordinator")
        signed = authenticate(store, "coordinator", password)
        assert signed.must_change_password and signed.user.role is Role.COORDINATOR
        change_password(store, user=signed.user, old=password, new="a much longer secret")
        with pytest.raises(AuthError):
            session_user(store, signed.token)  # other sessions end with the change
        again = authenticate(store, "coordinator", "a much longer secret")
        assert not again.must_change_password
        assert not PasswordHasher().check_needs_rehash(_hash_of(store, "coordinator"))


def test_generated_passwords_differ(store, admin):
    """Every new account gets its own generated password; none is a default."""
    a = users_add(store, "a", role="coordinator", user=admin)
    b = users_add(store, "b", role="coordinator", user=admin)
    assert a and b and a != b
    assert authenticate(store, "a", a).must_change_password


def test_wrong_passwords_are_throttled(store, people, clock):
    """After MAX_FAILURES wrong passwords the account is locked (the right password is
    refused too); the lock ends after its time and doubles with each further failure."""
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AuthError, match="wrong username or password"):
            authenticate(store, "lto-a1", "nope")
    with pytest.raises(AuthError, match="locked for 1 minute"):
        authenticate(store, "lto-a1", "nope")
    with pytest.raises(AuthError, match="locked"):
        authenticate(store, "lto-a1", PASSWORD)
    clock.advance(minutes=1, seconds=1)
    with pytest.raises(AuthError, match="locked for 2 minute"):
        authenticate(store, "lto-a1", "still wrong")
    clock.advance(minutes=2, seconds=1)
    assert authenticate(store, "lto-a1", PASSWORD).user.username == "lto-a1"
    # A success resets the count.
    with pytest.raises(AuthError, match=r"^wrong username or password$"):
        authenticate(store, "lto-a1", "nope")


def test_lock_grows_and_is_capped():
    assert lock_duration(MAX_FAILURES - 1).total_seconds() == 0
    assert lock_duration(MAX_FAILURES) == LOCK_BASE
    assert lock_duration(MAX_FAILURES + 3) == LOCK_BASE * 8
    assert lock_duration(MAX_FAILURES + 40).total_seconds() == 3600


def test_unknown_user_gets_the_same_answer(store, people):
    """A wrong username is indistinguishable from a wrong password."""
    with pytest.raises(AuthError, match=r"^wrong username or password$"):
        authenticate(store, "nobody", PASSWORD)


def test_sessions_expire(store, people, clock):
    """A session token works until its time is up, then never again."""
    token = authenticate(store, "coord", PASSWORD).token
    assert session_user(store, token).username == "coord"
    clock.advance(hours=11, minutes=59)
    assert session_user(store, token).username == "coord"
    clock.advance(minutes=2)
    with pytest.raises(AuthError, match="expired"):
        session_user(store, token)
    with pytest.raises(AuthError, match="not signed in"):
        session_user(store, token)
    with pytest.raises(AuthError):
        session_user(store, "made-up-token")
    with pytest.raises(AuthError):
        session_user(store, None)


def test_sign_out_ends_the_session(store, people):
    token = authenticate(store, "team-a1", PASSWORD).token
    sign_out(store, token)
    with pytest.raises(AuthError):
        session_user(store, token)


def test_session_reflects_role_changes(store, people, admin):
    """A session of a removed account is gone with it."""
    token = authenticate(store, "lto-a2", PASSWORD).token
    users_remove(store, "lto-a2", user=admin)
    with pytest.raises(AuthError):
        session_user(store, token)


def test_external_sign_in_needs_an_account(store, people, admin):
    """Single sign-on opens a session only for a known account, with the role kept here."""
    users_add(store, "aigerim@example.org", role="lto", area_ids=["A2"], user=admin,
              local_password=False)  # fmt: skip
    signed = sign_in_external(store, "Aigerim@example.org")
    assert signed.user.role is Role.LTO and signed.user.area_ids == {"A2"}
    with pytest.raises(AuthError, match="wrong username or password"):
        authenticate(store, "aigerim@example.org", "")
    with pytest.raises(AuthError, match="no account"):
        sign_in_external(store, "stranger@example.org")


def test_account_rules(store, people, admin):
    """Accounts need what their role needs; names are unique; the last coordinator stays."""
    with pytest.raises(ValueError, match="at least one area"):
        users_add(store, "x1", role="lto", user=admin)
    with pytest.raises(ValueError, match="needs its team"):
        users_add(store, "x2", role="team", user=admin)
    with pytest.raises(ValueError, match="unknown area"):
        users_add(store, "x3", role="lto", area_ids=["A9"], user=admin)
    with pytest.raises(ValueError, match="unknown team"):
        users_add(store, "x4", role="team", team_id="STO-Z", user=admin)
    with pytest.raises(ValueError, match="at least 12"):
        users_add(store, "x5", role="coordinator", password="short", user=admin)
    with pytest.raises(StoreError, match="exists already"):
        users_add(store, "COORD", role="coordinator", user=admin)
    with pytest.raises(StoreError, match="last coordinator"):
        users_remove(store, "coord", user=admin)
    with pytest.raises(NotFound):
        users_remove(store, "ghost", user=admin)
    names = [u.username for u in users_list(store, user=people.coordinator)]
    assert names == sorted(["coord", "lto-a1", "lto-a2", "team-a1", "team-a2"])


def test_reset_password_lifts_a_lock(store, people, admin):
    for _ in range(MAX_FAILURES):
        with pytest.raises(AuthError):
            authenticate(store, "team-a2", "wrong")
    fresh = reset_password(store, "team-a2", user=admin)
    assert authenticate(store, "team-a2", fresh).must_change_password
    with pytest.raises(AuthError):
        authenticate(store, "team-a2", PASSWORD)


def test_audit_trail(store, people, plan):
    """Sign-ins (good and bad), plan saves, views and publication, exports, field
    updates and account changes are all in the audit log, with who and what."""
    coord = authenticate(store, "coord", PASSWORD).user
    with pytest.raises(AuthError):
        authenticate(store, "lto-a1", "wrong")
    version = save_plan(store, people.mission_id, plan, user=coord)
    publish(store, version, user=coord)
    load_plan(store, version, user=people.team_a1)
    audit(
        store, Action.EXPORT_DOWNLOADED, user=people.team_a1, mission_id=people.mission_id,
        detail={"format": "pdf", "version": version},
    )  # fmt: skip
    add_field_update(
        store, people.mission_id, FieldReport("note", note="bridge out"), user=people.lto_a1
    )
    users_remove(store, "lto-a2", user=coord)
    entries = audit_log(store, user=coord)
    seen = {(e.username, e.action) for e in entries}
    assert {
        ("coord", "sign_in"),
        ("lto-a1", "sign_in_failed"),
        ("coord", "plan_saved"),
        ("coord", "plan_published"),
        ("team-a1", "plan_viewed"),
        ("team-a1", "export_downloaded"),
        ("lto-a1", "field_update"),
        ("test-admin", "user_added"),
        ("coord", "user_removed"),
    } <= seen
    viewed = next(e for e in entries if e.action == "plan_viewed")
    assert viewed.detail == {"version": version, "stops": len(plan.stops_of("STO-A1-1"))}
    assert viewed.mission_id == people.mission_id
    assert [e.id for e in entries] == sorted((e.id for e in entries), reverse=True)
    # The removed account's entries stay, under its name.
    assert get_user(store, "coord").username == "coord"
    added = audit_log(store, user=coord, action="user_added")
    assert any(e.detail["username"] == "lto-a2" for e in added)
