"""`planner roads ...`: build the road data for travel times from an OpenStreetMap extract.

planner roads build almaty.osm.pbf --out roads/almaty
planner roads info roads/almaty
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from planner.roads.dataset import RoadsError, RoadsInfo, read_roads

app = typer.Typer(
    help="Road data for travel times: build it from an OpenStreetMap extract, inspect it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)


def _print_info(info: RoadsInfo) -> None:
    lon0, lat0, lon1, lat1 = info.bbox
    date = info.osm_timestamp or "unknown"
    console.print(f"[bold]{escape(str(info.directory))}[/bold]")
    console.print(
        f"  extract   {escape(info.source_file)} ({info.source_bytes:,} bytes, "
        f"sha256 {info.source_sha256[:12]}…)"
    )
    console.print(f"  OSM data  {date} (from the {info.osm_timestamp_from})", highlight=False)
    console.print(f"  extent    {lon0:.3f}–{lon1:.3f} E, {lat0:.3f}–{lat1:.3f} N", highlight=False)
    console.print(
        f"  built     {info.built_at} with OSRM {info.osrm_version} ({info.algorithm}, "
        f"profile {escape(info.profile)}) in {info.build_seconds:.1f} s",
        highlight=False,
    )
    if info.closures:
        console.print(
            f"  closed    {len(info.closures)} road(s), from {escape(str(info.closed_from))}"
        )


@app.command()
def build(
    extract: Annotated[Path, typer.Argument(help="OpenStreetMap extract (.osm.pbf).")],
    out: Annotated[
        Path,
        typer.Option("--out", help="Roads directory to write (new, empty, or a roads directory)."),
    ],
    profile: Annotated[
        str, typer.Option(help="OSRM profile: car, foot, bicycle, or a .lua file.")
    ] = "car",
    threads: Annotated[
        int | None, typer.Option(help="Threads for the OSRM tools (default: all cores).")
    ] = None,
) -> None:
    """Build the road graph of an extract with OSRM (extract, partition, customize)."""
    from planner.roads.build import build_roads

    started = time.perf_counter()
    current: list[tuple[str, float]] = []  # the running step and when it started

    def finish_step() -> None:
        if current:
            name, since = current.pop()
            console.print(f"  {name}: {time.perf_counter() - since:.1f} s", highlight=False)

    try:
        with console.status("starting…") as status:

            def on_step(name: str, number: int, total: int) -> None:
                finish_step()
                current.append((name, time.perf_counter()))
                status.update(f"[{number}/{total}] {name}…")

            info = build_roads(extract, out, profile=profile, threads=threads, on_step=on_step)
            finish_step()
    except RoadsError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    console.print(f"Roads written in {time.perf_counter() - started:.1f} s")
    _print_info(info)


@app.command()
def info(
    roads_dir: Annotated[Path, typer.Argument(help="A roads directory.")],
) -> None:
    """Show what a roads directory was built from: extract, date, extent, profile."""
    try:
        _print_info(read_roads(roads_dir))
    except RoadsError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
