"""`planner users ...`: first-run setup and local accounts.

    planner users init                       # create the store; first coordinator + password
    planner users add aigerim --role lto --area AOR-03 --mission 1
    planner users add sto-017 --role team --team STO-017 --mission 1
    planner users list
    planner users unlock aigerim             # lift sign-in waits (or --client ADDRESS)
    planner users reset-password aigerim
    planner users set-mission aigerim --mission 2
    planner users remove aigerim

LTO and team accounts belong to one mission: `--mission` may be left out only while the
store holds a single mission, which the command then names.

These act as the local administrator (whoever can run them can read the database file
anyway); every change is written to the audit log under the operating-system user.
Generated passwords are shown once and must be changed at first sign-in.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

app = typer.Typer(
    help="Accounts of the mission store: first-run setup, add, remove and list users.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Database URL (default: $PLANNER_DATABASE_URL, else SQLite in $PLANNER_DATA_DIR).",
        show_default=False,
    ),
]


def _operator() -> Any:
    from planner.store import system_user

    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = os.environ.get("USER", "local")
    return system_user(f"cli:{name}")


def _friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from planner.errors import MissionDataError
        from planner.store import AccessDenied, StoreError

        try:
            return func(*args, **kwargs)
        except MissionDataError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(1) from None
        except (StoreError, AccessDenied, ValueError) as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(1) from None

    return wrapper


def _show_password(username: str, password: str) -> None:
    console.print(f"One-time password for [bold]{escape(username)}[/bold] (shown only now):")
    console.print(f"  {password}", highlight=False)
    console.print("Pass it on privately; it must be changed at the first sign-in.")


@app.command("init")
@_friendly
def init(
    username: Annotated[str, typer.Option(help="Name of the first coordinator.")] = "coordinator",
    mission: Annotated[
        Path | None,
        typer.Option(help="Also import this mission package if no mission of its name is stored."),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Create or migrate the store; on first run, create the first coordinator."""
    from planner.store import bootstrap_coordinator, has_users, open_store

    with open_store(database) as store:
        console.print(f"store: {escape(store.url)} (schema up to date)")
        if has_users(store):
            console.print("accounts exist already; add more with `planner users add`")
        else:
            _show_password(username.strip().lower(), bootstrap_coordinator(store, username))
        if mission is not None:
            _import(store, mission)


def _import(store: Any, path: Path) -> None:
    from planner.geodata import load_mission
    from planner.store import import_mission, list_missions

    loaded = load_mission(path)
    operator = _operator()
    stored = [m for m in list_missions(store, user=operator) if m.name == loaded.name]
    if stored:
        console.print(f"mission {escape(loaded.name)!r} is stored already (id {stored[0].id})")
        return
    mission_id = import_mission(store, loaded, user=operator)
    console.print(
        f"imported {escape(loaded.name)!r} as mission {mission_id}: "
        f"{len(loaded.stations)} stations, {len(loaded.teams)} teams"
    )


@app.command("add")
@_friendly
def add(
    username: Annotated[str, typer.Argument(help="Login name (or e-mail for single sign-on).")],
    role: Annotated[str, typer.Option(help="coordinator | lto | team")],
    area: Annotated[
        list[str] | None, typer.Option(help="An area of responsibility (lto; repeatable).")
    ] = None,
    team: Annotated[str | None, typer.Option(help="The team's id (team accounts).")] = None,
    mission: Annotated[
        int | None,
        typer.Option(
            help="The mission the account belongs to (lto and team: required when the store "
            "holds several; a coordinator without it serves every mission)."
        ),
    ] = None,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="Single sign-on only: no local password.")
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Add an account; prints its one-time password."""
    from planner.store import Role, get_user, mission_info, open_store, users_add

    try:
        chosen = Role(role.strip().lower())
    except ValueError:
        raise ValueError(f"unknown role {role!r}; use coordinator, lto or team") from None
    name = username.strip().lower()
    with open_store(database) as store:
        operator = _operator()
        password = users_add(
            store,
            username,
            role=chosen,
            user=operator,
            area_ids=area or (),
            team_id=team,
            mission_id=mission,
            local_password=not no_password,
        )
        bound = get_user(store, name).mission_id
        inferred = mission is None and bound is not None
        mission_name = ""
        if inferred and bound is not None:
            mission_name = mission_info(store, bound, user=operator).name
    where = "" if bound is None else f", mission {bound}"
    console.print(f"added {escape(name)} ({chosen.value}{where})")
    if inferred:
        console.print(
            f"bound to mission {bound} ({escape(mission_name)!r}), the only stored mission; "
            "give --mission to choose one once the store holds several"
        )
    if password is not None:
        _show_password(name, password)


def _open_for_repair(database: str | None) -> Any:
    """The store, migrated if it can be; else as it is, so that the accounts an upgrade
    cannot bind to a mission by itself can be bound or removed first."""
    from planner.store import AccountsWithoutMission, open_store

    try:
        return open_store(database)
    except AccountsWithoutMission as exc:
        err.print(f"[yellow]note:[/yellow] {escape(str(exc))}")
        return open_store(database, upgrade=False)


@app.command("remove")
@_friendly
def remove(
    username: Annotated[str, typer.Argument(help="Login name.")],
    database: DatabaseOption = None,
) -> None:
    """Remove an account and end its sessions (its audit entries stay)."""
    from planner.store import users_remove

    with _open_for_repair(database) as store:
        users_remove(store, username, user=_operator())
    console.print(f"removed {escape(username.strip().lower())}")


@app.command("reset-password")
@_friendly
def reset(
    username: Annotated[str, typer.Argument(help="Login name.")],
    database: DatabaseOption = None,
) -> None:
    """Give an account a new one-time password (also lifts its sign-in waits)."""
    from planner.store import open_store, reset_password

    with open_store(database) as store:
        password = reset_password(store, username, user=_operator())
    _show_password(username.strip().lower(), password)


@app.command("unlock")
@_friendly
def unlock_command(
    username: Annotated[
        str | None, typer.Argument(help="Login name (lift its waits from every address).")
    ] = None,
    client: Annotated[
        str | None, typer.Option(help="A client address to lift the waits of instead.")
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Lift sign-in waits after wrong passwords: of an account, or of a client address."""
    from planner.store import open_store, unlock

    with open_store(database) as store:
        cleared = unlock(store, user=_operator(), username=username, client=client)
    what = escape(username.strip().lower()) if username else f"client {escape(client or '')}"
    if cleared:
        console.print(f"unlocked {what}: {cleared} count(s) of wrong passwords cleared")
    else:
        console.print(f"{what} had no wrong passwords to clear")


@app.command("set-mission")
@_friendly
def set_mission_command(
    username: Annotated[str, typer.Argument(help="Login name.")],
    mission: Annotated[int, typer.Option(help="The mission the account belongs to.")],
    database: DatabaseOption = None,
) -> None:
    """Bind an account to one mission (its areas or team must exist there); closes its
    sessions. Also works on a store whose upgrade waits for this."""
    from planner.store import set_mission

    with _open_for_repair(database) as store:
        set_mission(store, username, mission, user=_operator())
    console.print(f"{escape(username.strip().lower())} belongs to mission {mission}")


@app.command("list")
@_friendly
def list_users(database: DatabaseOption = None) -> None:
    """List accounts (never their passwords) and their recent wrong passwords."""
    from planner.store import open_store, users_list

    with open_store(database) as store:
        users = users_list(store, user=_operator())
    if not users:
        console.print("no accounts yet; run `planner users init`")
        return
    table = Table(
        "user", "role", "areas", "team", "mission", "password", "wrong passwords", "last sign-in"
    )
    for u in users:
        state = "none (SSO)" if not u.has_password else "set"
        if u.must_change_password:
            state = "one-time"
        failures = str(u.recent_failures) if u.recent_failures else ""
        table.add_row(
            u.username,
            u.role,
            ", ".join(u.area_ids),
            u.team_id or "",
            "all" if u.mission_id is None else str(u.mission_id),
            state,
            failures,
            "" if u.last_sign_in_at is None else f"{u.last_sign_in_at:%Y-%m-%d %H:%M} UTC",
        )
    console.print(table)
    for u in users:
        if u.blocked_clients:
            console.print(
                f"{escape(u.username)} must wait after wrong passwords from: "
                f"{', '.join(u.blocked_clients)} (lift with `planner users unlock {u.username}`)",
                highlight=False,
            )
