"""The default mission's published figures and geography, asserted before it is written."""

from __future__ import annotations

import geopandas as gpd
import shapely

from planner.schema import OUTLINE_LAYER

from .abroad import ABROAD_POSTS
from .figures import (
    MIN_STO_PER_AREA,
    N_ABROAD,
    N_ABROAD_COUNTRIES,
    N_AREAS,
    N_DISTRICTS,
    N_REGIONS,
    N_REGULAR,
    N_SPECIAL,
    N_STATIONS,
    N_STO_TEAMS,
    N_TECS,
    TOTAL_VOTERS,
    VOTERS_MAX,
    VOTERS_MIN,
)


def check_default(
    layers: dict[str, gpd.GeoDataFrame], districts: gpd.GeoDataFrame, merged: dict[str, str]
) -> None:
    """Every headline figure, every station inside its district and the country, every
    station reporting to a TEC of its region (merged rayons to their neighbour's)."""
    st = layers["stations"]
    tecs = layers["commissions"]
    assert len(layers["regions"]) == N_REGIONS
    assert len(layers["districts"]) == N_DISTRICTS
    assert len(tecs) == N_TECS and tecs["tec_id"].is_unique
    assert (tecs["level"] == "regional").sum() == N_REGIONS
    assert len(st) == N_STATIONS and st["station_id"].is_unique
    counts = st["kind"].value_counts()
    assert (counts["regular"], counts["special"], counts["abroad"]) == (
        N_REGULAR,
        N_SPECIAL,
        N_ABROAD,
    )
    assert int(st["voters"].sum()) == TOTAL_VOTERS
    assert st["voters"].between(VOTERS_MIN, VOTERS_MAX).all()
    assert not st.duplicated(["region", "number"]).any()
    assert set(st["tec_id"]) <= set(tecs["tec_id"])
    assert len({post[0] for post in ABROAD_POSTS}) == N_ABROAD_COUNTRIES
    assert sum(post[-1] for post in ABROAD_POSTS) == N_ABROAD
    home = st[st["kind"] != "abroad"]
    dgeom = districts.set_index("district_id").geometry
    inside = shapely.contains_xy(
        dgeom.reindex(home["district"]).values, home.geometry.x, home.geometry.y
    )
    assert inside.all(), "station outside its district"
    country = layers[OUTLINE_LAYER].geometry.iloc[0]
    assert shapely.contains_xy(country, home.geometry.x, home.geometry.y).all()
    dreg = districts.set_index("district_id")["region_id"]
    assert (home["district"].map(dreg) == home["region"]).all()
    tec_of = tecs.set_index("tec_id")
    assert (home["tec_id"].map(tec_of["region"]) == home["region"]).all()
    lower = tecs[tecs["level"] != "regional"]
    assert set(lower["tec_id"]) <= set(home["tec_id"]), "lower TEC without stations"
    for small, target in merged.items():
        assert (home.loc[home["district"] == small, "tec_id"] == f"TEC-{target}").all()
    abroad = st[st["kind"] == "abroad"]
    assert (
        tecs.set_index("tec_id").loc[abroad["tec_id"].unique(), "level"] == "city_district"
    ).all()
    teams = layers["teams"]
    assert (teams["kind"] == "sto").sum() == N_STO_TEAMS
    assert (teams["kind"] == "lto").sum() == N_AREAS
    assert teams[teams["kind"] == "sto"].groupby("area_id").size().min() >= MIN_STO_PER_AREA
