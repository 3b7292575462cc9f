"""`planner init`: a mission package from a country's own polling-station list.

`build` infers the mission (columns, hierarchy, positions, defaults, areas, teams,
targets) and `write_package` writes it with its flags, the district -> area table and a
report of everything inferred.
"""

from planner.init.build import InitOptions, InitResult, build, suggest_targets
from planner.init.estimate import InitSettings
from planner.init.package import write_package

__all__ = [
    "InitOptions",
    "InitResult",
    "InitSettings",
    "build",
    "suggest_targets",
    "write_package",
]
