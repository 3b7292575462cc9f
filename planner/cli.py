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
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from planner.datasets import get_path
from planner.errors import MissionDataError, Problem

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
    table = Table(title=title, show_lines=False)
    for column in ("file", "row", "field", "message"):
        table.add_column(column, overflow="fold")
    for p in problems:
        table.add_row(p.file, "" if p.row is None else str(p.row), p.field or "", p.message)
    err.print(table)


def friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Report data problems and unexpected failures as messages, never as tracebacks."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MissionDataError as exc:
            _print_problems(exc.problems, title=f"{len(exc.problems)} problem(s) found")
            raise typer.Exit(EXIT_DATA) from None
        except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
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
        str, typer.Option(help="For single files: stations, commissions or auto.")
    ] = "auto",
) -> None:
    """Check mission data and print a summary, or every problem found."""
    from planner.geodata import (
        load_commissions,
        load_mission,
        load_stations,
        mission_warnings,
        summarize,
    )

    failures = 0
    for path in paths:
        try:
            if _looks_like_package(path):
                mission = load_mission(path)
                _print_summary(summarize(mission).as_dict(), path)
                _print_warnings(mission_warnings(mission))
                continue
            file_kind = _file_kind(path, kind)
            if file_kind == "commissions":
                commissions, warnings = load_commissions(path)
                console.print(f"[bold]{path}[/bold]: {len(commissions)} commissions, no problems")
            else:
                stations, warnings = load_stations(path)
                voters = sum(s.voters for s in stations)
                console.print(
                    f"[bold]{path}[/bold]: {len(stations)} stations, {voters:,} voters, no problems"
                )
            _print_warnings(warnings)
        except MissionDataError as exc:
            failures += 1
            _print_problems(exc.problems, title=f"{path}: {len(exc.problems)} problem(s)")
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
    if not warnings:
        return
    console.print(f"[yellow]{len(warnings)} warning(s)[/yellow] (not blocking):")
    for w in warnings[:20]:
        console.print(f"  {w}")
    if len(warnings) > 20:
        console.print(f"  ... and {len(warnings) - 20} more")


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
) -> None:
    """Plan every team's election day and write visits, coverage, routes and a summary."""
    from planner.geodata import load_mission
    from planner.outputs import write_plan
    from planner.plan import solve

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
    write_plan(result, loaded, out, mission_path=path)
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
    plan_dir: Annotated[Path, typer.Argument(help="Directory written by `planner plan`.")],
    mission: Annotated[
        Path | None, typer.Option(help="Mission package (default: the one the plan names).")
    ] = None,
) -> None:
    """Re-verify a plan from its files: windows, travel, uniqueness, areas."""
    from planner.check import check_plan_dir
    from planner.geodata import load_mission

    if not (plan_dir / "visits.csv").is_file():
        raise FileNotFoundError(f"{plan_dir}: no visits.csv (is this a plan directory?)")
    if mission is None:
        meta_file = plan_dir / "plan.json"
        meta = json.loads(meta_file.read_text("utf-8")) if meta_file.is_file() else {}
        mission = Path(meta["mission_path"]) if meta.get("mission_path") else get_path()
    report = check_plan_dir(plan_dir, load_mission(mission))
    for w in report.warnings:
        console.print(f"[yellow]warning[/yellow] {w}")
    if not report.ok:
        for v in report.violations:
            err.print(f"[red]violation[/red] {v}")
        err.print(f"{len(report.violations)} violation(s) in {report.teams} team(s)")
        raise typer.Exit(EXIT_DATA)
    console.print(f"OK: {report.teams} teams, {report.stops} stops, no violations")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
