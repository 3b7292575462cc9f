"""Build the shipped mission packages from the source layers in `geodata/sources/`.

    .venv/bin/python geodata/build_default.py            # rewrite the shipped packages
    .venv/bin/python geodata/build_default.py --out DIR  # write them into DIR instead

Writes `kazakhstan-2022/` (the default mission: Kazakhstan, early presidential election of
20 November 2022, at the published national figures) and `ulytau-small/` (a one-region
demo: Ulytau, 300 stations, 3 STO teams). Boundaries and settlements are real (geokz,
OpenStreetMap); station locations, voter numbers, addresses and the TEC list are synthetic
but reproduce the published totals. The code is in `geodata/generator/`, the method in
`geodata/README.md`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.build import build

from planner.datasets import GEODATA_DIR


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the shipped mission packages.")
    parser.add_argument(
        "--out",
        type=Path,
        default=GEODATA_DIR,
        help="folder for kazakhstan-2022/ and ulytau-small/ (default: %(default)s, shipped)",
    )
    build(parser.parse_args().out)


if __name__ == "__main__":
    main()
