"""Pieces several pages draw: the plan map with click details, and team schedules."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import streamlit as st
from streamlit_folium import st_folium

from planner.escaping import markdown_text
from planner.maps.render import plan_map
from planner.maps.selection import MapView, area_stations, stops_by_team, visible_teams
from planner.model import Mission, Station
from planner.route_lines import TeamLine
from planner.schedule import Plan
from planner.ui.downloads import Download, ExportSource, deliver, kept_file
from planner.ui.filters import clicked_site
from planner.ui.tables import schedule_table, site_details

CLICK_OBJECTS = ["last_object_clicked", "last_object_clicked_tooltip"]
ROW_PX = 35  # st.dataframe's row height


def map_with_details(
    mission: Mission,
    plan: Plan | None,
    view: MapView,
    *,
    key: str,
    height: int = 600,
    statuses: Mapping[str, str] | None = None,
    lines: Mapping[str, TeamLine] | None = None,
) -> tuple[str, str] | None:
    """Draw the map (routes along `lines`, the version's route lines); below it, what the
    last click landed on. Returns (kind, site id)."""
    fmap = plan_map(mission, plan, view, lines=lines)
    state = st_folium(
        fmap,
        height=height,
        use_container_width=True,
        returned_objects=CLICK_OBJECTS,
        key=key,
    )
    site = clicked_site(state, mission, area_stations(mission, view.area_id))
    if site is None:
        st.caption("Click a station or TEC on the map for its details and planned visits.")
        return None
    kind, obj = site
    site_id = obj.station_id if isinstance(obj, Station) else obj.tec_id
    title, facts, visits = site_details(mission, plan, kind, site_id, statuses)
    with st.container(border=True):
        st.markdown(f"**{markdown_text(title)}**")
        cols = st.columns(min(4, len(facts)))
        for index, (label, value) in enumerate(facts.items()):
            cols[index % len(cols)].markdown(
                f"**{markdown_text(label)}**  \n{markdown_text(value)}"
            )
        if len(visits):
            st.dataframe(visits, hide_index=True, width="stretch")
        elif plan is not None:
            st.caption("No team visits this site in the current plan.")
    return kind, site_id


def schedules(mission: Mission, plan: Plan, area_id: str | None, *, columns: int = 1) -> None:
    """Every team of an area: its day as a table, in route order, full width by default
    (place and address readable on a laptop screen)."""
    teams = visible_teams(plan, MapView(area_id=area_id))
    if not teams:
        st.info("No team of this area has a route in the current plan.")
        return
    routes = stops_by_team(plan, teams)
    bases = {t.team_id: t.base_name for t in mission.teams}
    cols = st.columns(columns)
    for index, team in enumerate(teams):
        stops = routes.get(team, [])
        voting = sum(1 for s in stops if s.phase == "voting")
        with cols[index % columns]:
            st.markdown(
                f"**{markdown_text(team)}** · base {markdown_text(bases.get(team, '?'))} · "
                f"{voting} voting visit(s) · "
                f"leaves {stops[0].depart:%H:%M}"
            )
            table = schedule_table(stops, mission).drop(columns=["site_id"])
            st.dataframe(
                table,
                hide_index=True,
                width="stretch",
                height=ROW_PX * (len(table) + 1) + 3,  # the whole day, no inner scrolling
                column_config={
                    "stop": st.column_config.NumberColumn("#", width=40),
                    "phase": st.column_config.TextColumn(width=85),
                    "arrive": st.column_config.TextColumn(width=70),
                    "depart": st.column_config.TextColumn(width=70),
                },
            )


def download_buttons(
    downloads: Sequence[Download],
    source: ExportSource,
    record: Callable[[dict], None],
    *,
    key: str = "download",
) -> None:
    """One bordered row per format with its button. Quick files are built when clicked
    (no rerun); slow ones (`Download.keep`) are made in the background as soon as they are
    offered, with their progress shown until the button can hand them over. Every file is
    written to the audit log by `record` before it is handed over."""
    for download in downloads:
        name = download.name_for(source)
        with st.container(border=True):
            left, right = st.columns([3, 1], vertical_alignment="center")
            left.markdown(
                f"**{markdown_text(download.label)}** — {markdown_text(name)}  \n"
                f"{markdown_text(download.description)}"
            )
            with right:
                if download.keep and source.team_id is None:  # one team's file is quick
                    _kept_download(download, source, record, f"{key}_{download.key}")
                else:
                    _download_button(download, source, record, f"{key}_{download.key}")


def _download_button(
    download: Download, source: ExportSource, record: Callable[[dict], None], key: str
) -> None:
    name = download.name_for(source)
    st.download_button(
        f"Download {markdown_text(name)}",
        data=deliver(download, source, record),
        file_name=name,
        mime=download.mime,
        key=key,
        on_click="ignore",
        width="stretch",
    )


BUILD_POLL_S = 2.0


def _kept_download(
    download: Download, source: ExportSource, record: Callable[[dict], None], key: str
) -> None:
    """The button once the file is made; until then how far its build has got, looked at
    again every `BUILD_POLL_S` (the whole page reruns once it is ready, which stops the
    looking)."""
    status = kept_file(download, source)
    if status.state == "ready":
        _download_button(download, source, record, key)
        return
    if status.state == "failed":
        st.caption(f"Made when clicked ({markdown_text(status.error)})")
        _download_button(download, source, record, key)
        return

    @st.fragment(run_every=BUILD_POLL_S)
    def progress() -> None:
        now = kept_file(download, source)
        if now.state != "building":
            st.rerun()
        share = now.done / now.total if now.total else 0.0
        told = f"{now.done} of {now.total} teams" if now.total else "starting"
        st.progress(share, text=f"Preparing… {told}")

    progress()
