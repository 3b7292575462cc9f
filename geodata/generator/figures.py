"""The published figures the default mission reproduces, and the parameters of its model.

Published figures are targets the build must hit exactly (it asserts them); model
parameters are estimates, explained in `geodata/README.md`. Every random draw comes from
`stage_rng`, one independent stream per build stage seeded from `SEED`.
"""

from __future__ import annotations

import numpy as np

from planner.geodata import WGS84

SEED = 20221120
CRS = WGS84
PRECISION = 1e-5  # degrees, about 1 m

# Published figures of the 20 November 2022 early presidential election (CEC, ODIHR).
N_REGIONS = 20
N_DISTRICTS = 224
N_TECS = 239
N_STATIONS = 10_101
N_REGULAR = 9_556
N_SPECIAL = 477
N_ABROAD = 68
N_ABROAD_COUNTRIES = 53
TOTAL_VOTERS = 11_950_485
N_AREAS = 15
N_STO_TEAMS = 150
MIN_STO_PER_AREA = 5
KARAGANDY_PUBLISHED_STATIONS = 642  # regional akimat, 20 Nov 2022; a check, not a target

# Model parameters (estimates).
ABROAD_VOTERS = 25_000
URBAN_VOTERS_PER_STATION = 1_700
RURAL_VOTERS_PER_STATION = 1_300
HAMLET_MIN_DEMAND = 0.6
MAX_URBAN_SHARE = 0.92
VOTERS_MIN, VOTERS_MAX = 50, 3_000
SPECIAL_VOTERS = (50, 400)
URBAN_RADIUS_KM_PER_SQRT_POP = 0.012
CITY_DISTRICT_DECAY_KM = 3.0
N_MERGED_DISTRICTS = 5
KYZYLORDA_POPULATION = 250_000  # the city has no OSM place node: an estimate
BASE_TOWN_MIN_POP = 10_000

CITY_REGIONS = ("KZ71", "KZ75", "KZ79")  # Astana, Almaty, Shymkent
ABROAD_TEC_DISTRICT = "KZ711210"  # Esil district of Astana (seat of the Foreign Ministry)


def stage_rng(stage: int) -> np.random.Generator:
    """One independent generator per build stage, so stages do not disturb each other."""
    return np.random.default_rng([SEED, stage])
