"""Synthetic countries, reproducible from a seed, for tests and benchmarks.

Two shapes of the same need (a country the project has never seen, at any size):
`lists` writes station lists as an election administration publishes them, the input of
`planner init`; `missions` builds a checked `Mission` directly, for the planner at
country scale without reading files.
"""

from planner.synthetic.lists import SyntheticCountry, country_outline, generate, write_lists
from planner.synthetic.missions import synthetic_mission

__all__ = ["SyntheticCountry", "country_outline", "generate", "synthetic_mission", "write_lists"]
