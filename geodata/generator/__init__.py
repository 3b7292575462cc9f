"""The generator of the shipped mission packages (run it with `geodata/build_default.py`).

From the real source layers in `geodata/sources/kz/` it builds, in this order:

- `sources`: the boundaries, settlements and regional population table;
- `admin`: regions, districts and their election-day time zones;
- `settlements`: the population model, voters per region and settlement;
- `stations`: how many stations each settlement gets, where, and their voters;
- `addresses`: station numbers, names and synthetic addresses;
- `commissions`: the 239 TECs (five small rayons merged into a neighbour);
- `abroad`: the 68 stations abroad;
- `teams`: the areas of responsibility and the STO/LTO teams;
- `checks`: the published figures, asserted;
- `package`: the layers as a `Mission`, written by `planner.geodata.write_mission`;
- `demo`: the Ulytau demo cut from the default mission;
- `report`: the printed summary.

`figures` holds the published figures and model parameters, `apportion` and `geometry` the
bounded apportionments and random point placement the stages share. The method is
described in `geodata/README.md`.
"""
