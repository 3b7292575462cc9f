"""Accounts and sign-in: Argon2 hashes of NFKC passwords, a one-time bootstrap password,
the same answer and work for every name, throttling that nobody outside can turn into a
lock-out, passwords checked against common ones, sessions and their tickets, and an
audit trail that never holds what was typed."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from planner.passwords import PasswordRejected
from planner.store import (
    AccessDenied,
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
    check_session,
    get_user,
    has_users,
    issue_ticket,
    load_plan,
    open_store,
    publish,
    redeem_ticket,
    reset_password,
    save_plan,
    session_user,
    sign_in_external,
    sign_out,
    unlock,
    users_add,
    users_list,
    users_remove,
)
from planner.store import models as m
from planner.store.auth import UNKNOWN_ACCOUNT
from planner.store.throttle import RULES, ThrottleRules
from tests.support.store import PASSWORD

HOME = "203.0.113.5"  # the coordinator's office
OUTSIDE = "198.51.100.7"  # someone guessing
WAIT = "too many failed sign-ins from this connection"
WRONG = "wrong username or password"


class CountingHasher(PasswordHasher):
    """The tests' cheap Argon2id hasher, counting the verifications it does."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.verifications = 0

    def verify(self, hash, password):  # type: ignore[no-untyped-def]
        self.verifications += 1
        return super().verify(hash, password)


def _hash_of(store, username):
    with store.read() as session:
        return session.query(m.User).filter_by(username=username).one().password_hash


def _message(store, name, password, client, **kw) -> str:
    try:
        authenticate(store, name, password, client=client, **kw)
    except AuthError as exc:
        return str(exc)
    return "signed in"


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


# --- the same answer and the same work for every name -------------------------------------


def test_unknown_and_known_names_get_the_same_answers(store, people):
    """Seven wrong passwords for a known and for an unknown name (each from its own
    address) get the same messages, including the wait after the fifth."""
    known = [_message(store, "lto-a1", "wrong password 1", "192.0.2.1") for _ in range(7)]
    unknown = [_message(store, "nobody", "wrong password 1", "192.0.2.2") for _ in range(7)]
    sso_only = "sso@example.org"
    users_add(store, sso_only, role="coordinator", user=people.coordinator, local_password=False)
    no_password = [_message(store, sso_only, "wrong password 1", "192.0.2.3") for _ in range(7)]
    assert known == unknown == no_password
    assert known[0] == "wrong username or password"
    assert WAIT in known[4] and WAIT in known[6]


@pytest.mark.parametrize(
    "case", ["unknown", "known wrong", "known right", "waiting", "no password"]
)
def test_every_attempt_verifies_exactly_one_hash(database, clock, admin, case):
    """One Argon2 verification per attempt, whatever the name and the throttle say: no
    answer comes back faster for a name that does not exist or has to wait."""
    hasher = CountingHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with open_store(database, clock=clock, hasher=hasher) as store:
        users_add(store, "coord", role="coordinator", user=admin, password=PASSWORD)
        users_add(store, "sso", role="coordinator", user=admin, local_password=False)
        name, password = {
            "unknown": ("ghost", PASSWORD),
            "known wrong": ("coord", "not the password"),
            "known right": ("coord", PASSWORD),
            "waiting": ("coord", PASSWORD),
            "no password": ("sso", PASSWORD),
        }[case]
        if case == "waiting":
            for _ in range(RULES.pair_free):
                _message(store, "coord", "not the password", OUTSIDE)
        hasher.verifications = 0
        _message(store, name, password, OUTSIDE)
        assert hasher.verifications == 1


def test_answers_take_as_long_for_unknown_names_and_waiting_clients(database, clock, admin):
    """Measured with the production Argon2 cost, interleaved, median of eleven: an
    attempt on an unknown name takes as long as a wrong password (within 25 %, or 25 ms
    on a busy machine), and an address that must wait is not answered faster than a
    verification (before, a locked account answered in about 1 ms against 300 ms)."""
    with open_store(database, clock=clock, hasher=PasswordHasher()) as store:
        users_add(store, "coord", role="coordinator", user=admin, password=PASSWORD)
        for _ in range(RULES.pair_free):
            _message(store, "coord", "not the password", "192.0.2.9")
        kinds = {
            "unknown": ("ghost", "not the password", "192.0.2.7"),
            "wrong": ("coord", "not the password", "192.0.2.8"),
            "waiting": ("coord", PASSWORD, "192.0.2.9"),
        }
        measured = ThrottleRules(pair_free=99, account_soft=999)
        times: dict[str, list[float]] = {k: [] for k in kinds}
        for _ in range(11):
            for kind, (name, password, client) in kinds.items():
                start = time.perf_counter()
                answer = _message(store, name, password, client, rules=measured)
                times[kind].append(time.perf_counter() - start)
                assert (WAIT in answer) if kind == "waiting" else answer == WRONG
        median = {k: statistics.median(v) for k, v in times.items()}
        tolerance = max(0.25 * median["wrong"], 0.025)
        assert abs(median["unknown"] - median["wrong"]) <= tolerance, median
        assert median["waiting"] >= median["wrong"] - tolerance, median


# --- throttling ------------------------------------------------------------------------------


def test_an_outsider_cannot_lock_out_the_coordinator(store, people, clock):
    """A hundred wrong passwords for the coordinator from one address, spread over two
    days, make that address wait; the coordinator, from the office, signs in at once."""
    for _ in range(100):
        _message(store, "coord", "guess", OUTSIDE, pause=lambda s: None)
        clock.advance(minutes=30)
    assert WAIT in _message(store, "coord", PASSWORD, OUTSIDE, pause=lambda s: None)
    paused: list[float] = []
    signed = authenticate(store, "coord", PASSWORD, client=HOME, pause=paused.append)
    assert signed.user.username == "coord"
    assert sum(paused) <= RULES.slowest_s


def test_guesses_from_many_addresses_only_slow_down(store, people):
    """The account's soft limit: after `account_soft` failures from anywhere each attempt
    waits 1 s, then 2 s, 4 s ... at most `slowest_s`; the right password still works."""
    paused: list[float] = []
    for i in range(RULES.account_soft + 5):
        _message(store, "lto-a1", "guess", f"192.0.2.{i + 10}", pause=paused.append)
    assert paused == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert _message(store, "lto-a1", PASSWORD, "192.0.2.200", pause=lambda s: None) == "signed in"


def test_pair_waits_grow_and_end(store, people, clock):
    """After `pair_free` wrong passwords a name waits a minute at that address (the right
    password too), doubling with each further failure; waiting it out works; a success
    starts afresh."""
    for _ in range(RULES.pair_free - 1):
        assert _message(store, "lto-a1", "nope", OUTSIDE) == "wrong username or password"
    assert "try again in 1 minute(s)" in _message(store, "lto-a1", "nope", OUTSIDE)
    assert "try again in 1 minute(s)" in _message(store, "lto-a1", PASSWORD, OUTSIDE)
    clock.advance(minutes=1, seconds=1)
    assert "try again in 2 minute(s)" in _message(store, "lto-a1", "still wrong", OUTSIDE)
    clock.advance(minutes=2, seconds=1)
    assert _message(store, "lto-a1", PASSWORD, OUTSIDE) == "signed in"
    assert _message(store, "lto-a1", "nope", OUTSIDE) == "wrong username or password"


def test_one_address_guessing_many_names_waits(store, people):
    """`client_free` wrong passwords from one address, for any names, make the address
    wait for every name; other addresses are not affected."""
    for i in range(RULES.client_free):
        _message(store, f"name{i}", "guess", OUTSIDE)
    assert WAIT in _message(store, "coord", PASSWORD, OUTSIDE)
    assert _message(store, "coord", PASSWORD, HOME) == "signed in"


def test_wait_rules():
    rules = ThrottleRules()
    assert rules.wait(rules.pair_free - 1, rules.pair_free) == timedelta(0)
    assert rules.wait(rules.pair_free, rules.pair_free) == rules.first_wait
    assert rules.wait(rules.pair_free + 3, rules.pair_free) == rules.first_wait * 8
    assert rules.wait(rules.pair_free + 400, rules.pair_free) == rules.longest_wait
    assert rules.delay_s(rules.account_soft - 1) == 0
    assert rules.delay_s(rules.account_soft + 400) == rules.slowest_s


def test_failures_are_forgotten_after_a_day(store, people, clock):
    for _ in range(RULES.pair_free - 1):
        _message(store, "lto-a1", "nope", OUTSIDE)
    clock.advance(hours=25)
    assert _message(store, "lto-a1", "nope", OUTSIDE) == "wrong username or password"


def test_a_coordinator_lifts_waits(store, people, admin):
    """`unlock` by account (every address) or by address; only coordinators; audited;
    listed in `users_list` while it holds."""
    for _ in range(RULES.pair_free):
        _message(store, "lto-a1", "nope", OUTSIDE)
    listed = {u.username: u for u in users_list(store, user=people.coordinator)}
    assert listed["lto-a1"].blocked_clients == (OUTSIDE,)
    assert listed["lto-a1"].recent_failures == RULES.pair_free
    with pytest.raises(AccessDenied):
        unlock(store, user=people.lto_a2, username="lto-a1")
    assert unlock(store, user=people.coordinator, username="lto-a1") >= 2
    assert _message(store, "lto-a1", PASSWORD, OUTSIDE) == "signed in"

    for i in range(RULES.client_free):
        _message(store, f"name{i}", "guess", OUTSIDE)
    assert WAIT in _message(store, "coord", PASSWORD, OUTSIDE)
    assert unlock(store, user=admin, client=OUTSIDE) >= 1
    assert _message(store, "coord", PASSWORD, OUTSIDE) == "signed in"
    lifted = audit_log(store, user=admin, action=Action.SIGN_IN_UNLOCKED)
    assert {e.detail.get("username") or e.detail.get("client") for e in lifted} == {
        "lto-a1",
        OUTSIDE,
    }
    with pytest.raises(NotFound):
        unlock(store, user=admin, username="ghost")


def test_reset_password_lifts_the_waits(store, people, admin):
    for _ in range(RULES.pair_free):
        _message(store, "team-a2", "wrong", OUTSIDE)
    fresh = reset_password(store, "team-a2", user=admin)
    assert authenticate(store, "team-a2", fresh, client=OUTSIDE).must_change_password
    with pytest.raises(AuthError):
        authenticate(store, "team-a2", PASSWORD)


# --- passwords -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("aaaaaaaaaaaa", "most common"),
        ("Password1234", "most common"),
        ("abcabcabcabc", "repeated"),
        ("123456789012", "most common"),
        ("98765432109876", "run"),
        ("qwertyuiopasdf", "run"),
        ("short pass", "at least 12"),
        ("x" * 40 + "y" * 217, "at most 256"),
        ("new-aigerim-2022", "username"),
        ("Two-area test 2022!", "mission's name"),
        ("election observer 2022", "mission's name"),
    ],
)
def test_weak_passwords_are_refused(store, people, admin, password, why):
    with pytest.raises(PasswordRejected, match=why) as refused:
        users_add(store, "aigerim", role="coordinator", user=admin, password=password)
    assert password not in str(refused.value)


def test_long_and_unicode_passwords_are_welcome(store, people, admin):
    """Up to 256 characters, any script; NFKC makes full-width letters match plain ones."""
    users_add(store, "long", role="coordinator", user=admin, password="z" * 10 + "ö" * 100 + "y")
    assert authenticate(store, "long", "z" * 10 + "ö" * 100 + "y").user.username == "long"
    wide = "ｃｏｒｒｅｃｔ ｈｏｒｓｅ ｄｉｓｈ"  # full-width letters
    users_add(store, "wide", role="coordinator", user=admin, password=wide)
    assert authenticate(store, "wide", "correct horse dish").user.username == "wide"
    users_add(store, "kaz", role="coordinator", user=admin, password="Сайлау бақылаушысы жол")
    assert authenticate(store, "kaz", "Сайлау бақылаушысы жол").user.username == "kaz"


def test_every_role_changes_its_own_password(store, people):
    """A team changes its password whenever it likes: its other sessions end, the one it
    is using stays; the old password no longer works; weak ones are refused."""
    current = authenticate(store, "team-a1", PASSWORD).token
    other = authenticate(store, "team-a1", PASSWORD).token
    with pytest.raises(PasswordRejected, match="most common"):
        change_password(
            store, user=people.team_a1, old=PASSWORD, new="Password1234", keep_token=current
        )
    with pytest.raises(AuthError, match="current password is wrong"):
        change_password(
            store, user=people.team_a1, old="not it", new="a brand new phrase", keep_token=current
        )
    change_password(
        store, user=people.team_a1, old=PASSWORD, new="a brand new phrase", keep_token=current
    )
    assert session_user(store, current).username == "team-a1"
    with pytest.raises(AuthError):
        session_user(store, other)
    assert _message(store, "team-a1", PASSWORD, HOME) == "wrong username or password"
    assert _message(store, "team-a1", "a brand new phrase", HOME) == "signed in"
    failed = audit_log(store, user=people.coordinator, action=Action.PASSWORD_CHANGE_FAILED)
    assert [e.username for e in failed] == ["team-a1"]


def test_guessing_the_current_password_is_throttled(store, people):
    for _ in range(RULES.pair_free):
        with pytest.raises(AuthError):
            change_password(
                store, user=people.lto_a1, old="guess", new="a brand new phrase", client=OUTSIDE
            )
    with pytest.raises(AuthError, match=WAIT):
        change_password(
            store, user=people.lto_a1, old=PASSWORD, new="a brand new phrase", client=OUTSIDE
        )


# --- the audit log ---------------------------------------------------------------------------


def test_the_audit_log_never_holds_what_was_typed(store, people):
    """A password typed into the username field is not written anywhere in the audit
    log (nor in the throttle's counts); a known name is, with the client's address."""
    typed = "MySecret-Passw0rd!"
    with pytest.raises(AuthError):
        authenticate(store, typed, "whatever I typed", client=OUTSIDE)
    with pytest.raises(AuthError):
        authenticate(store, "lto-a1", "another typed secret", client=OUTSIDE)
    with store.read() as session:
        entries = [
            (e.username, e.action, dict(e.detail))
            for e in session.scalars(select(m.AuditEntry).order_by(m.AuditEntry.id))
        ]
        counts = [(c.name_key, c.client) for c in session.scalars(select(m.SignInFailure))]
    dumped = repr(entries) + repr(counts)
    for secret in (typed, typed.lower(), "whatever I typed", "another typed secret"):
        assert secret not in dumped
    failed = [(name, detail) for name, action, detail in entries if action == "sign_in_failed"]
    assert [name for name, _ in failed] == [UNKNOWN_ACCOUNT, "lto-a1"]
    assert failed[0][1]["client"] == OUTSIDE and len(failed[0][1]["name_key"]) == 16


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
    assert get_user(store, "coord").username == "coord"
    added = audit_log(store, user=coord, action="user_added")
    assert any(e.detail["username"] == "lto-a2" for e in added)


# --- sessions --------------------------------------------------------------------------------


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


def test_removed_account_ends_its_sessions(store, people, admin):
    token = authenticate(store, "lto-a2", PASSWORD).token
    users_remove(store, "lto-a2", user=admin)
    with pytest.raises(AuthError):
        session_user(store, token)


def test_a_ticket_is_swapped_once_for_a_new_token(store, people, clock):
    """The browser swaps a one-time ticket for the cookie's token: the token the page saw
    stops working, the ticket cannot be used twice, and it expires within a minute."""
    signed = authenticate(store, "lto-a1", PASSWORD)
    ticket = issue_ticket(store, signed.token)
    handoff = redeem_ticket(store, ticket)
    assert handoff.user.username == "lto-a1" and handoff.token != signed.token
    assert check_session(store, handoff.token).user.username == "lto-a1"
    with pytest.raises(AuthError):
        session_user(store, signed.token)
    with pytest.raises(AuthError, match="used already"):
        redeem_ticket(store, ticket)

    late = issue_ticket(store, authenticate(store, "lto-a1", PASSWORD).token)
    clock.advance(seconds=61)
    with pytest.raises(AuthError, match="expired"):
        redeem_ticket(store, late)

    closed = authenticate(store, "lto-a1", PASSWORD).token
    orphan = issue_ticket(store, closed)
    sign_out(store, closed)
    with pytest.raises(AuthError):
        redeem_ticket(store, orphan)


def test_session_knows_a_pending_password_change(store, people, admin):
    one_time = reset_password(store, "lto-a1", user=admin)
    signed = authenticate(store, "lto-a1", one_time)
    assert check_session(store, signed.token).must_change_password
    change_password(
        store, user=signed.user, old=one_time, new="a brand new phrase", keep_token=signed.token
    )
    assert not check_session(store, signed.token).must_change_password


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
