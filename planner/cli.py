"""`planner` command line: validate data, plan election day, check a plan.

Every command turns bad input into a plain message and a non-zero exit; a traceback is a
bug.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from planner.datasets import get_path
from planner.errors import MissionDataError, Problem
from planner.exports.command import export as export_command
from planner.roads.command import app as roads_app
from planner.store.command import app as users_app

app = typer.Typer(
    help="Deployment planner for election observation missions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)

EXIT_DATA = 1
EXIT_FAILED = 2


def _print_problems(problems: list[Problem], *, title: str) -> None:
    """One line per problem (file, row, field, message): readable in logs and greppable."""
    err.print(f"[red]{escape(title)}[/red]")
    for p in problems:
        err.print(f"  {escape(str(p))}", soft_wrap=True)


def friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Report data problems and unexpected failures as messages, never as tracebacks."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MissionDataError as exc:
            _print_problems(exc.problems, title=f"{len(exc.problems)} problem(s) found")
            raise typer.Exit(EXIT_DATA) from None
        except (FileNotFoundError, PermissionError, IsADirectoryError, ValueError) as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(EXIT_DATA) from None
        except typer.Exit:
            raise
        except Exception as exc:  # the last line of defence against a traceback
            err.print(f"[red]error:[/red] {type(exc).__name__}: {exc}")
            raise typer.Exit(EXIT_FAILED) from None

    return wrapper


def _mission_path(mission: Path | None) -> Path:
    return mission if mission is not None else get_path()


def _looks_like_package(path: Path) -> bool:
    return path.is_dir() or (path.suffix.lower() == ".gpkg" and path.with_suffix(".toml").exists())


def _file_kind(path: Path, kind: str) -> str:
    """stations or commissions: as given, or guessed from the file name."""
    if kind != "auto":
        if kind not in ("stations", "commissions"):
            raise typer.BadParameter("--kind must be stations, commissions or auto")
        return kind
    name = path.name.lower()
    return "commissions" if "commission" in name or "tec" in name else "stations"


@app.command()
@friendly
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Mission packages or station/TEC files.")],
    kind: Annotated[
        str, typer.Option(help="For single files: stations, commissions or auto (by name).")
    ] = "auto",
    mission: Annotated[
        Path | None,
        typer.Option(
            help="Check standalone files against this mission's country outline and TECs "
            "(default: the Kazakhstan outline; TECs from a commissions file given alongside)."
        ),
    ] = None,
) -> None:
    """Check mission data and print a summary, or every problem found."""
    from planner.geodata import (
        load_commissions,
        load_mission,
        load_stations,
        mission_warnings,
        summarize,
    )

    packages = [p for p in paths if _looks_like_package(p)]
    files = [(p, _file_kind(p, kind)) for p in paths if p not in packages]
    context = load_mission(mission if mission is not None else get_path()) if files else None
    outline = context.outline if context is not None else None
    tecs = list(context.commissions) if context is not None and mission is not None else None
    failures = 0

    def report(path: Path, action: Callable[[], list[Problem]]) -> None:
        nonlocal failures
        try:
            _print_warnings(action())
        except MissionDataError as exc:
            failures += 1
            _print_problems(exc.problems, title=f"{path}: {len(exc.problems)} problem(s)")

    def package(path: Path) -> list[Problem]:
        loaded = load_mission(path)
        _print_summary(summarize(loaded).as_dict(), path)
        return mission_warnings(loaded)

    def commissions_file(path: Path) -> list[Problem]:
        nonlocal tecs
        loaded, warnings = load_commissions(path, outline=outline)
        tecs = [*(tecs or []), *loaded]
        console.print(f"[bold]{path}[/bold]: {len(loaded)} commissions, no problems")
        return warnings

    def stations_file(path: Path) -> list[Problem]:
        stations, warnings = load_stations(path, outline=outline, commissions=tecs)
        voters = sum(s.voters for s in stations)
        console.print(
            f"[bold]{path}[/bold]: {len(stations):,} stations, {voters:,} voters, no problems"
        )
        return warnings

    for path in packages:
        report(path, lambda path=path: package(path))
    # Commissions first, so stations given alongside are checked against their TECs.
    for path, file_kind in sorted(files, key=lambda f: f[1] != "commissions"):
        action = commissions_file if file_kind == "commissions" else stations_file
        report(path, lambda path=path, action=action: action(path))
    if failures:
        raise typer.Exit(EXIT_DATA)


def _print_summary(summary: dict[str, Any], path: Path) -> None:
    console.print(f"[bold]{summary['name']}[/bold] ({path})")
    console.print(
        f"{summary['regions']} regions, {summary['districts']} districts, "
        f"{summary['commissions']} TECs, {summary['stations']:,} stations, "
        f"{summary['voters']:,} voters, {summary['areas']} areas, {summary['teams']} teams"
    )
    levels = ", ".join(f"{k} {v}" for k, v in summary["commissions_by_level"].items())
    kinds = " / ".join(f"{k} {v:,}" for k, v in summary["stations_by_kind"].items())
    settings = " / ".join(f"{k} {v:,}" for k, v in summary["stations_by_setting"].items())
    teams = ", ".join(f"{k} {v}" for k, v in summary["teams_by_kind"].items())
    console.print(f"TECs by level: {levels}")
    console.print(f"Stations by kind: {kinds}")
    console.print(f"Stations by setting: {settings}")
    console.print(f"Teams: {teams}")
    table = Table(title="Stations by region")
    table.add_column("region")
    table.add_column("stations", justify="right")
    table.add_column("voters", justify="right")
    for region, n in summary["stations_by_region"].items():
        table.add_row(region, f"{n:,}", f"{summary['voters_by_region'].get(region, 0):,}")
    console.print(table)


def _print_warnings(warnings: list[Problem]) -> None:
    """Warnings grouped by what they say, a few examples each: they never block."""
    if not warnings:
        return
    groups: dict[str, list[Problem]] = {}
    for w in warnings:
        key = w.message.split(":")[0] if ":" in w.message else w.message
        key = "more than 100 km from its TEC" if "km from its TEC" in w.message else key
        groups.setdefault(key, []).append(w)
    console.print(f"[yellow]{len(warnings)} warning(s)[/yellow] (not blocking):")
    for key, items in groups.items():
        examples = ", ".join(str(w.row) for w in items[:5])
        more = f" and {len(items) - 5} more" if len(items) > 5 else ""
        console.print(f"  {len(items)} x {key} (e.g. {examples}{more})")


@app.command()
@friendly
def plan(
    mission: Annotated[
        Path | None, typer.Argument(help="Mission package (default: Kazakhstan 2022).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Directory for the plan files.")] = Path("plan"),
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the mission's).")] = None,
    time_limit: Annotated[float, typer.Option(help="Wall-time limit of the run, seconds.")] = 60.0,
    workers: Annotated[int, typer.Option(help="Parallel worker processes.")] = 2,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a non-empty directory the planner did not write before: "
            "its own files are replaced, every other file stays.",
        ),
    ] = False,
) -> None:
    """Plan every team's election day and write visits, coverage, routes and a summary."""
    from planner.fileio import check_output_dir
    from planner.geodata import load_mission
    from planner.outputs import write_plan
    from planner.plan import solve

    check_output_dir(out, force=force)  # refuse a directory that is not ours before solving
    path = _mission_path(mission)
    loaded = load_mission(path)
    chosen_seed = loaded.seed if seed is None else seed
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as progress:
        task = progress.add_task("Planning areas", total=None)

        def on_progress(area_id: str, done: int, total: int) -> None:
            progress.update(task, total=total, completed=done, description=f"Planned {area_id}")

        result = solve(
            loaded,
            time_limit_s=time_limit,
            seed=chosen_seed,
            workers=workers,
            on_progress=on_progress,
        )
    write_plan(result, loaded, out, mission_path=path, force=force)
    _print_coverage(result)
    console.print(
        f"Plan written to [bold]{out}[/bold] (seed {chosen_seed}, {result.stats['wall_s']} s)"
    )


def _print_coverage(result: Any) -> None:
    table = Table(title="Coverage against targets")
    for column in ("phase", "target", "planned", ""):
        table.add_column(column)
    achieved = result.achieved
    short = {s.phase: s for s in result.shortfalls}
    for phase in ("opening", "voting", "counting", "tabulation"):
        target = getattr(result.targets, phase)
        mark = (
            "[green]met[/green]"
            if phase not in short
            else f"[red]short[/red]: {short[phase].reason}"
        )
        table.add_row(phase, str(target), str(achieved[phase]), mark)
    console.print(table)


@app.command()
@friendly
def check(
    plan_dir: Annotated[
        Path, typer.Argument(help="Directory written by `planner plan` or `planner route`.")
    ],
    mission: Annotated[
        Path | None, typer.Option(help="Mission package (default: the one the plan names).")
    ] = None,
) -> None:
    """Re-verify a plan from its files: windows, stays, travel, hours, uniqueness, areas."""
    from planner.check import check_plan_dir
    from planner.route import check_route_dir, is_route_plan_dir

    if not (plan_dir / "visits.csv").is_file():
        raise FileNotFoundError(f"{plan_dir}: no visits.csv (is this a plan directory?)")
    if is_route_plan_dir(plan_dir):
        report = check_route_dir(plan_dir)
    else:
        from planner.geodata import load_mission

        if mission is None:
            meta_file = plan_dir / "plan.json"
            meta = json.loads(meta_file.read_text("utf-8")) if meta_file.is_file() else {}
            mission = Path(meta["mission_path"]) if meta.get("mission_path") else get_path()
        report = check_plan_dir(plan_dir, load_mission(mission))
    for w in report.warnings:
        console.print(f"[yellow]warning[/yellow] {escape(str(w))}", soft_wrap=True)
    if not report.ok:
        for v in report.violations:
            err.print(f"[red]violation[/red] {escape(str(v))}", soft_wrap=True)
        err.print(f"{len(report.violations)} violation(s) in {report.teams} team(s)")
        raise typer.Exit(EXIT_DATA)
    console.print(f"OK: {report.teams} teams, {report.stops} stops, no violations")


@app.command()
@friendly
def route(
    stations: Annotated[Path, typer.Argument(help="Stations table (.csv or .xlsx).")],
    teams: Annotated[Path, typer.Argument(help="Teams table (.csv or .xlsx).")],
    out: Annotated[
        Path, typer.Option(help="Directory for visits.csv, unvisited.csv and summary.json.")
    ],
    time_limit: Annotated[float, typer.Option(help="Solver time limit, seconds.")],
    matrix: Annotated[
        Path | None,
        typer.Option(help="Travel times in seconds (.csv, or .npy with .keys.txt beside it)."),
    ] = None,
    day: Annotated[
        str, typer.Option("--date", help="The day of HH:MM times (YYYY-MM-DD).")
    ] = "2022-11-20",
    tz: Annotated[str, typer.Option(help="IANA time zone of all times.")] = "Asia/Almaty",
    seed: Annotated[
        int, typer.Option(help="Random seed: the same inputs and seed give the same plan.")
    ] = 0,
    whole_minutes: Annotated[
        bool,
        typer.Option(
            "--whole-minutes",
            help="Plan in whole minutes (stays and travel rounded up, windows inwards) "
            "instead of exact seconds.",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a non-empty directory the planner did not write before: "
            "its own files are replaced, every other file stays.",
        ),
    ] = False,
) -> None:
    """Plan visits to weighted stations with time windows (route mode)."""
    from datetime import date
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from planner.fileio import check_output_dir
    from planner.route import load_route_problem, route_summary, solve_route, write_route_plan

    try:
        on_day = date.fromisoformat(day)
    except ValueError:
        err.print(f"[red]error:[/red] --date {day!r} is not a date such as 2022-11-20")
        raise typer.Exit(EXIT_DATA) from None
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        err.print(f"[red]error:[/red] --tz {tz!r} is not a known IANA time zone")
        raise typer.Exit(EXIT_DATA) from None
    if time_limit <= 0:
        err.print("[red]error:[/red] --time-limit must be positive")
        raise typer.Exit(EXIT_DATA)
    check_output_dir(out, force=force)  # refuse a directory that is not ours before solving
    problem = load_route_problem(
        stations, teams, matrix_path=matrix, day=on_day, tz=tz, whole_minutes=whole_minutes
    )
    _print_warnings(list(problem.warnings))
    result = solve_route(problem, time_limit_s=time_limit, seed=seed)
    write_route_plan(result, out, force=force)
    summary = route_summary(result)
    table = Table(title="Team routes")
    for column in ("team", "stops", "weight", "travel min", "depart", "return"):
        table.add_column(
            column, justify="left" if column in ("team", "depart", "return") else "right"
        )
    for t in summary["teams"]:
        table.add_row(
            t["team_id"],
            str(t["visits"]),
            f"{t['weight']:g}",
            str(t["travel_min"]),
            (t["depart"] or "")[:16].replace("T", " "),
            (t["return"] or "")[:16].replace("T", " "),
        )
    console.print(table)
    console.print(
        f"Visited {summary['stations_visited']} of {summary['stations']} stations, weight "
        f"{summary['weight_visited']:g} of {summary['weight_available']:g}, "
        f"{summary['travel_min']} min of travel (seed {seed}; {summary['solver']['status']})"
    )
    if result.cut_by_time:
        console.print(
            "[yellow]The time limit stopped the search before its work limit: the same "
            "inputs and seed may give another plan on another machine or under load.[/yellow]"
        )
    console.print(f"Route plan written to [bold]{out}[/bold]")


app.command(name="export")(friendly(export_command))
app.add_typer(users_app, name="users", help="Accounts and roles of the mission store.")
app.add_typer(roads_app, name="roads", help="Road data for travel times (OpenStreetMap, OSRM).")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
