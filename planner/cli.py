"""`planner` command line: validate data, plan election day, check a plan.

Every command turns bad input into a plain message and a non-zero exit; a traceback is a
bug.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import sys
import threading
import time as clock
from collections.abc import Callable
from functools import partial, wraps
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup

from planner.datasets import get_path
from planner.errors import MissionDataError, Problem
from planner.execution import SCHEDULER_ENV
from planner.exports.command import export as export_command

# Command groups whose modules are loaded only when used (the store and road data take
# seconds to import, which would count against `planner plan`'s time limit): name ->
# (module with a Typer `app`, help).
LAZY_GROUPS = {
    "users": ("planner.store.command", "Accounts and roles of the mission store."),
    "roads": ("planner.roads.command", "Road data for travel times (OpenStreetMap, OSRM)."),
}


class _LazyGroups(TyperGroup):
    """The top-level commands, with `LAZY_GROUPS` imported on first use."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in LAZY_GROUPS if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in LAZY_GROUPS and cmd_name not in self.commands:
            module, help_text = LAZY_GROUPS[cmd_name]
            group = typer.main.get_command(importlib.import_module(module).app)
            group.name, group.help = cmd_name, help_text
            self.commands[cmd_name] = group
        return super().get_command(ctx, cmd_name)


app = typer.Typer(
    cls=_LazyGroups,
    help="Deployment planner for election observation missions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)

EXIT_DATA = 1
EXIT_FAILED = 2

ROADS_OPTION = typer.Option(
    "--roads",
    help="Road data (a directory written by `planner roads build`) for travel times; "
    "default: [travel] roads in mission.toml, else the straight-line model.",
)


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
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(EXIT_DATA) from None
        except typer.Exit:
            raise
        except Exception as exc:  # the last line of defence against a traceback
            err.print(f"[red]error:[/red] {escape(f'{type(exc).__name__}: {exc}')}")
            raise typer.Exit(EXIT_FAILED) from None

    return wrapper


# A run longer than a week is a typo; more worker processes than this only cost memory
# (one process per area at most, and no mission has more areas).
MAX_TIME_LIMIT_S = 7 * 24 * 3600.0
MAX_WORKERS = 256


def run_option_problems(
    *, time_limit: float, workers: int | None = None, seed: int | None = None
) -> list[str]:
    """What is wrong with a command's solver options, every problem at once."""
    problems = []
    if not (math.isfinite(time_limit) and 0 < time_limit <= MAX_TIME_LIMIT_S):
        problems.append(
            f"--time-limit {time_limit:g} must be more than 0 and at most "
            f"{MAX_TIME_LIMIT_S:,.0f} seconds"
        )
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        problems.append(f"--workers {workers} must be from 1 to {MAX_WORKERS}")
    if seed is not None and seed < 0:
        problems.append(f"--seed {seed} must be 0 or more")
    return problems


def _check_run_options(**options: Any) -> None:
    problems = run_option_problems(**options)
    for problem in problems:
        err.print(f"[red]error:[/red] {escape(problem)}")
    if problems:
        raise typer.Exit(EXIT_DATA)


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
    country: Annotated[
        str | None,
        typer.Option(
            help="Check standalone files against this country's outline instead (a name or "
            "ISO code; coarse Natural Earth outlines, widened by 25 km)."
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
    from planner.problem_groups import describe
    from planner.target_limits import target_limits

    packages = [p for p in paths if _looks_like_package(p)]
    files = [(p, _file_kind(p, kind)) for p in paths if p not in packages]
    context = load_mission(mission if mission is not None else get_path()) if files else None
    outline = context.outline if context is not None else None
    tecs = list(context.commissions) if context is not None and mission is not None else None
    checked_against = _outline_label(context, mission)
    if country is not None and files:
        outline, checked_against = _country_outline(country)
    failures = 0

    def report(path: Path, action: Callable[[], list[Problem]]) -> None:
        nonlocal failures
        try:
            _print_warnings(action())
        except MissionDataError as exc:
            failures += 1
            err.print(f"[red]{escape(str(path))}: {len(exc.problems):,} problem(s)[/red]")
            for line in describe(exc.problems, country=checked_against):
                err.print(f"  {escape(line)}", soft_wrap=True)
            if any(p.message.startswith("missing required column") for p in exc.problems):
                err.print(
                    "  A country's own station list in another layout? "
                    "`planner init` reads it and infers the rest."
                )

    def package(path: Path) -> list[Problem]:
        from planner.capacity import target_warnings

        loaded = load_mission(path)
        _print_summary(summarize(loaded).as_dict(), path)
        notes = target_warnings(loaded)
        for note in notes:
            console.print(f"[yellow]target:[/yellow] {escape(note)}")
        # The teams' and commissions' limits are in the notes above (phase by phase);
        # the visits a day holds, from the rules alone, only here.
        spoken = {note.split(" ", 1)[0] for note in notes}
        for limit in target_limits(loaded):
            voting = limit.phase == "voting" and "voting" in loaded.phases.names
            if voting and "voting" not in spoken:
                console.print(f"[yellow]warning[/yellow] {escape(str(limit))}")
        unlocated = sum(s.unlocated for s in loaded.stations)
        if unlocated:
            routed = loaded.rules.route_unlocated_stations
            console.print(
                f"{unlocated:,} stations without coordinates stand at their commission "
                + ("and may be routed" if routed else "and are left out of routes")
                + f" (rules.route_unlocated_stations = {str(routed).lower()})"
            )
        return mission_warnings(loaded)

    def commissions_file(path: Path) -> list[Problem]:
        nonlocal tecs
        loaded, warnings = load_commissions(path, outline=outline)
        tecs = [*(tecs or []), *loaded]
        console.print(f"[bold]{escape(str(path))}[/bold]: {len(loaded)} commissions, no problems")
        return warnings

    def stations_file(path: Path) -> list[Problem]:
        stations, warnings = load_stations(path, outline=outline, commissions=tecs)
        voters = sum(s.voters for s in stations)
        console.print(
            f"[bold]{escape(str(path))}[/bold]: {len(stations):,} stations, {voters:,} voters, "
            "no problems"
        )
        return warnings

    for path in packages:
        report(path, partial(package, path))
    # Commissions first, so stations given alongside are checked against their TECs.
    for path, file_kind in sorted(files, key=lambda f: f[1] != "commissions"):
        action = commissions_file if file_kind == "commissions" else stations_file
        report(path, partial(action, path))
    if failures:
        raise typer.Exit(EXIT_DATA)


def _outline_label(context: Any, mission: Path | None) -> str:
    """How to name the outline standalone files are checked against."""
    from planner.countries import find_country

    if context is None:
        return "the mission country"
    found = find_country(context.country) if context.country else None
    name = found.name if found is not None else (context.country or context.name)
    return f"{name} (the default)" if mission is None else f"{name} (mission {mission})"


def _country_outline(country: str) -> tuple[Any, str]:
    from planner.countries import find_country, outline_of

    found = find_country(country)
    if found is None:
        raise ValueError(f"--country: unknown country '{country}'; give a name or ISO code")
    return outline_of(found), found.name


def _print_summary(summary: dict[str, Any], path: Path) -> None:
    console.print(f"[bold]{escape(summary['name'])}[/bold] ({escape(str(path))})")
    console.print(
        f"{summary['regions']} regions, {summary['districts']} districts, "
        f"{summary['commissions']} TECs, {summary['stations']:,} stations, "
        f"{summary['voters']:,} voters, {summary['areas']} areas, {summary['teams']} teams"
    )
    levels = ", ".join(f"{k} {v}" for k, v in summary["commissions_by_level"].items())
    kinds = " / ".join(f"{k} {v:,}" for k, v in summary["stations_by_kind"].items())
    settings = " / ".join(f"{k} {v:,}" for k, v in summary["stations_by_setting"].items())
    teams = ", ".join(f"{k} {v}" for k, v in summary["teams_by_kind"].items())
    console.print(f"TECs by level: {escape(levels)}")
    console.print(f"Stations by kind: {escape(kinds)}")
    console.print(f"Stations by setting: {escape(settings)}")
    console.print(f"Teams: {escape(teams)}")
    table = Table(title="Stations by region")
    table.add_column("region")
    table.add_column("stations", justify="right")
    table.add_column("voters", justify="right")
    for region, n in summary["stations_by_region"].items():
        table.add_row(
            escape(str(region)), f"{n:,}", f"{summary['voters_by_region'].get(region, 0):,}"
        )
    console.print(table)


def _print_warnings(warnings: list[Problem]) -> None:
    """Warnings grouped by what they say, a few examples each: they never block."""
    if not warnings:
        return
    groups: dict[str, list[Problem]] = {}
    for w in warnings:
        key = w.message.split(":")[0] if ":" in w.message else w.message
        if "km from its TEC" in w.message:  # "<km> km from its TEC '<id>' (<why>)"
            key = "far from its TEC: " + w.message.rsplit("(", 1)[-1].rstrip(")")
        groups.setdefault(key, []).append(w)
    console.print(f"[yellow]{len(warnings)} warning(s)[/yellow] (not blocking):")
    for key, items in groups.items():
        examples = ", ".join(str(w.row) for w in items[:5])
        more = f" and {len(items) - 5} more" if len(items) > 5 else ""
        console.print(f"  {len(items)} x {escape(key)} (e.g. {escape(examples)}{more})")


def _parse_polls(text: str) -> tuple[Any, Any]:
    from datetime import time

    try:
        start, _, end = text.partition("-")
        opens, closes = time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError:
        raise ValueError(f"--polls {text!r} is not a range such as 07:00-20:00") from None
    if closes <= opens:
        raise ValueError(f"--polls {text!r}: polls must close after they open")
    return opens, closes


@app.command()
@friendly
def init(
    stations: Annotated[
        list[Path],
        typer.Argument(
            help="Station lists: CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile, "
            "or folders of them."
        ),
    ],
    out: Annotated[Path, typer.Option(help="New directory for the mission package.")],
    name: Annotated[str, typer.Option(help="Mission name.")],
    election_date: Annotated[str, typer.Option(help="Election day, YYYY-MM-DD.")],
    commissions: Annotated[
        Path | None, typer.Option(help="Commission positions (id or name + coordinates).")
    ] = None,
    boundaries: Annotated[
        Path | None,
        typer.Option(
            help="Region or district polygons (GeoJSON, GeoPackage, zipped Shapefile), "
            "matched by name or by the stations inside; derived shapes otherwise."
        ),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            help="Override the column mapping: role=column,... (roles: station_id, "
            "number, name, address, region, district, subdistrict, commission, voters, lat, lon, "
            "coordinates, kind, setting, settlement, tz, name_<lang>)."
        ),
    ] = None,
    teams: Annotated[
        int | None,
        typer.Option(
            help="STO teams (default: the default mission's density, one per ~67 stations)."
        ),
    ] = None,
    areas: Annotated[
        int | None, typer.Option(help="Areas of responsibility (default: one per 10 STO teams).")
    ] = None,
    areas_from: Annotated[
        Path | None, typer.Option(help="A district -> area table (the areas.csv of a run).")
    ] = None,
    voters_default: Annotated[
        int | None, typer.Option(help="Voters of a station that lists none (default 1000).")
    ] = None,
    voters_total: Annotated[
        int | None, typer.Option(help="Total voters, shared among stations that list none.")
    ] = None,
    polls: Annotated[str, typer.Option(help="Polling hours, HH:MM-HH:MM.")] = "07:00-20:00",
    country: Annotated[
        str | None,
        typer.Option(
            help="Country (name or ISO code) for the outline; default: derived from the stations."
        ),
    ] = None,
    crs: Annotated[
        str | None, typer.Option(help="CRS of x/y columns in projected units (e.g. EPSG:32646).")
    ] = None,
    seed: Annotated[int, typer.Option(help="The mission's random seed.")] = 0,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a non-empty directory the planner did not write before: "
            "its own files are replaced, every other file stays.",
        ),
    ] = False,
) -> None:
    """Make a mission package from a country's polling-station list, and a report of
    everything inferred (init-report.md in the package directory)."""
    from datetime import date

    from planner.fileio import check_output_dir
    from planner.init import InitOptions, build, write_package
    from planner.init.package import OWN_FILES

    try:
        day = date.fromisoformat(election_date)
    except ValueError:
        raise ValueError(
            f"--election-date {election_date!r} is not a date such as 2025-06-01"
        ) from None
    if voters_default is not None and voters_total is not None:
        raise ValueError("give --voters-default or --voters-total, not both")
    for label, value in (("--teams", teams), ("--areas", areas)):
        if value is not None and value < 1:
            raise ValueError(f"{label} must be at least 1")
    for label, value in (("--voters-default", voters_default), ("--voters-total", voters_total)):
        if value is not None and value < 0:
            raise ValueError(f"{label} must not be negative")
    opens, closes = _parse_polls(polls)
    check_output_dir(out, OWN_FILES, force=force)  # refuse a directory that is not ours early
    options = InitOptions(
        stations=tuple(stations),
        name=name,
        election_date=day,
        polls_open=opens,
        polls_close=closes,
        columns=columns,
        commissions=commissions,
        boundaries=boundaries,
        teams=teams,
        areas=areas,
        areas_from=areas_from,
        voters_default=voters_default,
        voters_total=voters_total,
        country=country,
        crs=crs,
        seed=seed,
    )
    result = build(options)
    write_package(result, out, force=force)
    report: dict[str, Any] = result.report
    counts = report["counts"]
    console.print(
        f"[bold]{escape(name)}[/bold]: {counts['stations']:,} stations, {counts['regions']} "
        f"regions, {counts['districts']} districts, {counts['commissions']:,} commissions, "
        f"{report['areas']['count']} areas, {report['teams']['sto']} STO + "
        f"{report['teams']['lto']} LTO teams"
    )
    for line in _init_highlights(report):
        console.print(f"  {escape(line)}")
    console.print(f"Package written to [bold]{out}[/bold]; read {out / 'init-report.md'}")


def _init_highlights(report: dict[str, Any]) -> list[str]:
    roles = report["columns"]["roles"]
    mapping = ", ".join(f"{role}={col}" for role, col in roles.items())
    levels = " > ".join(lv["column"] for lv in report["hierarchy"]["levels"])
    lines = [f"columns: {mapping}", f"hierarchy: {levels}"]
    ignored = report["columns"]["ignored"]
    if ignored:
        lines.append(f"not used: {', '.join(ignored)}")
    for fieldname, d in report["defaults"].items():
        if d["rows"]:
            lines.append(f"estimated {fieldname}: {d['rows']:,} rows ({d['rule']})")
    if report["unlocated"]["count"]:
        lines.append(
            f"without coordinates: {report['unlocated']['count']:,} stations (placed at their "
            "commission, kept out of routes)"
        )
    b = report["areas"]["balance"]
    lines.append(
        f"areas: voters per area {b['min_over_mean']:.2f}..{b['max_over_mean']:.2f} x mean, "
        f"contiguous: {'yes' if b['contiguous'] else 'no'}"
    )
    t = report["targets"]
    lines.append(
        f"targets: opening {t['opening']}, voting {t['voting']}, counting {t['counting']}, "
        f"tabulation {t['tabulation']}"
    )
    return lines


@app.command()
@friendly
def plan(
    mission: Annotated[
        Path | None, typer.Argument(help="Mission package (default: Kazakhstan 2022).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Directory for the plan files.")] = Path("plan"),
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the mission's).")] = None,
    time_limit: Annotated[
        float,
        typer.Option(
            help="Wall-time limit of the whole run (start, loading, solving, writing), "
            "seconds. A safety net: areas stop on counts of work, and a plan the limit cut "
            "says so."
        ),
    ] = 60.0,
    workers: Annotated[
        int,
        typer.Option(
            help="Worker processes of the local Dask cluster; 1 solves in this process, "
            "without Dask."
        ),
    ] = 2,
    scheduler: Annotated[
        str | None,
        typer.Option(
            envvar=SCHEDULER_ENV,
            help="Address of a running Dask scheduler (e.g. tcp://10.0.0.5:8786) whose "
            "workers solve the areas, instead of a local cluster; the same plan either way.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a non-empty directory the planner did not write before: "
            "its own files are replaced, every other file stays.",
        ),
    ] = False,
    roads: Annotated[Path | None, ROADS_OPTION] = None,
) -> None:
    """Plan every team's election day and write visits, coverage, routes and a summary."""
    started = _run_started or clock.time()  # the time limit counts from here
    from planner.execution import Execution, Runner
    from planner.fileio import check_output_dir

    _check_run_options(time_limit=time_limit, workers=workers, seed=seed)
    check_output_dir(out, force=force)  # refuse a directory that is not ours before solving
    # A local cluster's workers start now, while the mission loads.
    runner = Runner(Execution(workers=workers, scheduler=scheduler or None))
    closing: threading.Thread | None = None
    try:
        from planner.geodata import load_mission
        from planner.outputs import write_plan
        from planner.plan import solve, write_reserve_s

        path = _mission_path(mission)
        loaded = load_mission(path)
        chosen_seed = loaded.seed if seed is None else seed
        travel = _plan_travel(loaded, path, roads)
        unlocated = sum(s.unlocated for s in loaded.stations)
        if unlocated and not loaded.rules.route_unlocated_stations:
            console.print(
                f"{unlocated:,} stations without coordinates are left out of the routes "
                "(rules.route_unlocated_stations = false)"
            )
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
                runner=runner,
                deadline=started + time_limit - write_reserve_s(loaded),
                on_progress=on_progress,
                travel=travel,
            )
        # The workers stop while the files are written; a daemon thread, so that a
        # shutdown still going at the time limit does not hold the program (the workers
        # of a LocalCluster end by themselves within seconds of their scheduler's end).
        closing = threading.Thread(target=runner.close, name="planner-close", daemon=True)
        closing.start()
        write_plan(result, loaded, out, mission_path=path, force=force)
    finally:
        if closing is None:
            runner.close()
        else:
            closing.join(timeout=max(0.0, started + time_limit - clock.time()))
    _print_coverage(result)
    _print_cuts(result)
    reproducible = "reproducible" if result.stats["reproducible"] else "NOT reproducible"
    console.print(
        f"Plan written to [bold]{escape(str(out))}[/bold] (seed {chosen_seed}, "
        f"{clock.time() - started:.1f} s, {reproducible})"
    )
    global _exit_at_once
    _exit_at_once = True


def _print_cuts(result: Any) -> None:
    """Which areas the time limit cut, and what that means for the plan."""
    cut = result.stats.get("cut_areas") or []
    if not cut:
        return
    err.print(
        f"[yellow]The time limit cut {len(cut)} area(s): {escape(', '.join(cut))}.[/yellow] "
        "Their searches stopped on the clock instead of their work counts, so this plan "
        "is not reproducible: the same seed may give another plan on another run. Raise "
        "--time-limit (or add workers) for a plan that does not depend on the machine.",
        soft_wrap=True,
    )


def _plan_travel(mission: Any, package: Path, roads: Path | None) -> Any:
    """The mission's travel model (`planner.travel_source`), its warnings printed."""
    from planner.travel_source import describe_travel, package_mission_travel, travel_label

    travel, warnings = package_mission_travel(mission, package, roads=roads)
    for w in warnings:
        err.print(f"[yellow]warning[/yellow] {escape(str(w))}", soft_wrap=True)
    console.print(f"Travel: {escape(travel_label(describe_travel(travel)))}", soft_wrap=True)
    return travel


def _print_coverage(result: Any) -> None:
    from planner.schedule import PHASES

    table = Table(title="Coverage against targets")
    for column in ("phase", "target", "planned", ""):
        table.add_column(column)
    achieved = result.achieved
    short = {s.phase: s for s in result.shortfalls}
    for phase in PHASES:
        target = getattr(result.targets, phase)
        if target == 0 and achieved[phase] == 0:
            continue
        mark = (
            "[green]met[/green]"
            if phase not in short
            else f"[red]short[/red]: {escape(short[phase].reason)}"
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
    roads: Annotated[
        Path | None,
        typer.Option(
            "--roads",
            help="Check travel on this road data (default: the travel source the plan used).",
        ),
    ] = None,
) -> None:
    """Re-verify a plan from its files: windows, stays, travel, hours, uniqueness, areas."""
    from planner.check import check_plan_dir
    from planner.route import check_route_dir, is_route_plan_dir

    if not (plan_dir / "visits.csv").is_file():
        raise FileNotFoundError(f"{plan_dir}: no visits.csv (is this a plan directory?)")
    if is_route_plan_dir(plan_dir):
        report = check_route_dir(plan_dir, roads=roads)
    else:
        from planner.geodata import load_mission
        from planner.travel_source import describe_travel, travel_from_description, travel_label

        meta_file = plan_dir / "plan.json"
        meta = json.loads(meta_file.read_text("utf-8")) if meta_file.is_file() else {}
        if mission is None:
            mission = Path(meta["mission_path"]) if meta.get("mission_path") else get_path()
        loaded = load_mission(mission)
        travel = travel_from_description(meta.get("travel"), loaded.rules, roads=roads)
        console.print(f"Travel: {escape(travel_label(describe_travel(travel)))}", soft_wrap=True)
        report = check_plan_dir(plan_dir, loaded, travel)
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
    out: Annotated[
        Path, typer.Option(help="Directory for visits.csv, unvisited.csv and summary.json.")
    ],
    time_limit: Annotated[float, typer.Option(help="Solver time limit, seconds.")],
    stations: Annotated[Path | None, typer.Argument(help="Stations table (.csv or .xlsx).")] = None,
    teams: Annotated[Path | None, typer.Argument(help="Teams table (.csv or .xlsx).")] = None,
    mission: Annotated[
        Path | None,
        typer.Option(help="Plan an LTO's visits from this mission package (with --area, --days)."),
    ] = None,
    area: Annotated[str | None, typer.Option(help="With --mission: the area's id.")] = None,
    days: Annotated[int | None, typer.Option(help="With --mission: days of visits.")] = None,
    team: Annotated[
        str | None, typer.Option(help="With --mission: the team (default: the area's LTO).")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(help="With --mission: first day, YYYY-MM-DD (default: ends before election)."),
    ] = None,
    opening_hours: Annotated[
        Path | None,
        typer.Option(
            "--opening-hours",
            help="With --mission: a table of id, opening_hours (e.g. 'Mo-Fr 09:00-18:00; "
            "Sa 10:00-14:00') for the commissions and stations that keep hours.",
        ),
    ] = None,
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
    roads: Annotated[
        Path | None,
        typer.Option(
            "--roads",
            help="Road data (from `planner roads build`) for travel times, instead of the "
            "straight line; not with --matrix.",
        ),
    ] = None,
) -> None:
    """Plan visits to weighted stations with time windows (route mode), from two tables or,
    with --mission, --area and --days, for an area's LTO straight from a mission package."""
    if opening_hours is not None and mission is None:
        raise ValueError("--opening-hours goes with --mission")
    if mission is not None:
        from planner.route.from_mission import plan_mission_route

        if stations is not None or teams is not None or matrix is not None:
            raise ValueError("--mission makes its own tables: no stations, teams or --matrix")
        summary, tables = plan_mission_route(
            mission, area, days, out=out, time_limit_s=time_limit, team_id=team, start=start,
            force=force, on_warnings=_print_warnings, roads=roads, seed=seed,
            opening_hours=opening_hours,
        )  # fmt: skip
        if tables.left_out_unlocated:
            console.print(
                f"{tables.left_out_unlocated:,} stations without coordinates are left out "
                "(rules.route_unlocated_stations = false)"
            )
        if tables.closed_all_period:
            console.print(
                f"{len(tables.closed_all_period):,} place(s) closed on every day of the "
                f"visits: {', '.join(tables.closed_all_period[:20])}"
            )
        _print_route_summary(summary, out)
        return
    if stations is None or teams is None:
        raise ValueError("give a stations table and a teams table, or --mission with --area")
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
    _check_run_options(time_limit=time_limit)
    check_output_dir(out, force=force)  # refuse a directory that is not ours before solving
    problem = load_route_problem(
        stations,
        teams,
        matrix_path=matrix,
        day=on_day,
        tz=tz,
        whole_minutes=whole_minutes,
        roads=roads,
    )
    _print_warnings(list(problem.warnings))
    result = solve_route(problem, time_limit_s=time_limit, seed=seed)
    write_route_plan(result, out, force=force)
    _print_route_summary(route_summary(result), out)


def _print_route_summary(summary: dict[str, Any], out: Path) -> None:
    table = Table(title="Team routes")
    for column in ("team", "stops", "weight", "travel min", "depart", "return"):
        table.add_column(
            column, justify="left" if column in ("team", "depart", "return") else "right"
        )
    for t in summary["teams"]:
        table.add_row(
            escape(t["team_id"]),
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
        f"{summary['travel_min']} min of travel (seed {summary['solver']['seed']}; "
        f"{summary['solver']['status']})"
    )
    if summary["solver"]["cut_by_time"]:
        console.print(
            "[yellow]The time limit stopped the search before its work limit: the same "
            "inputs and seed may give another plan on another machine or under load.[/yellow]"
        )
    console.print(f"Route plan written to [bold]{escape(str(out))}[/bold]")


app.command(name="export")(friendly(export_command))


# When this process started, for a run of the program (`main`); None when the commands are
# called from Python (tests), which count from the command's start.
_run_started: float | None = None
# Set by a command whose work is all done and written: the program ends without tearing
# the interpreter down (seconds under load, with Dask and the solver loaded).
_exit_at_once = False


def main() -> None:  # pragma: no cover - console entry point
    """The `planner` program: a time limit counts from the process's start."""
    from planner.execution import process_started_at

    global _run_started
    _run_started = process_started_at()
    try:
        app()
    except SystemExit as stop:
        if not _exit_at_once:
            raise
        code = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
