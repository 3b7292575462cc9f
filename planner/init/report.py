"""`init-report.md`: everything `planner init` inferred, for a person to read and check."""

from __future__ import annotations

from typing import Any

MAX_LISTED = 200


def _table(headers: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        cells = [str(c).replace("|", "\\|").replace("\n", " ") for c in row]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: mapping, hierarchy, counts, defaults, flags, areas, teams."""
    out: list[str] = ["# What planner init inferred", ""]
    out.append(f"Inputs: {', '.join(report['inputs'])} ({report['rows']:,} rows)")
    if report.get("polygons_as_points"):
        out.append(
            f"{report['polygons_as_points']:,} polygons or lines stand for a point inside them."
        )
    out += ["", "## Columns", ""]
    cols = report["columns"]
    how = cols["how"]
    rows = [[role, f"`{column}`", how.get(column, "")] for role, column in cols["roles"].items()]
    rows += [["hierarchy", f"`{c}`", how.get(c, "")] for c in cols["hierarchy"]]
    rows += [[f"name_{lang}", f"`{c}`", how.get(c, "")] for lang, c in cols["names"].items()]
    out += _table(["meaning", "column", "recognised by"], rows)
    ignored = ", ".join(f"`{c}`" for c in cols["ignored"]) or "none"
    out += [
        "",
        f"Columns not used: {ignored}",
        f"Coordinates: {report['coordinates']}",
        f"Station ids: {report['station_ids']}",
    ]
    h = report["hierarchy"]
    out += ["", "## Hierarchy", ""]
    out += _table(
        ["rank", "column", "also labelled by", "units"],
        [
            [lv["rank"], f"`{lv['column']}`", ", ".join(lv["aliases"]), f"{lv['units']:,}"]
            for lv in h["levels"]
        ],
    )
    out += [
        "",
        f"Regions: `{h['region_level']}`; districts: `{h['district_level']}`; commissions: "
        f"`{h['commission_level']}` ({h['commissions_from']}).",
    ]
    for item in report.get("hierarchy_dropped", []):
        out.append(f"Not a level: `{item['column']}` ({item['why']}).")
    if h["rows_missing_a_level"]:
        missing = ", ".join(f"`{k}` {v:,}" for k, v in h["rows_missing_a_level"].items())
        out.append(f"Rows without a value (kept as their own unit): {missing}.")
    c = report["counts"]
    out += ["", "## Counts", ""]
    out += _table(
        ["regions", "districts", "commissions", "stations", "voters", "urban", "rural"],
        [
            [
                c["regions"],
                c["districts"],
                c["commissions"],
                f"{c['stations']:,}",
                f"{c['voters']:,}",
                f"{c['urban']:,}",
                f"{c['rural']:,}",
            ]
        ],
    )
    zones = ", ".join(f"{k} {v:,}" for k, v in c["time_zones"].items())
    kinds = ", ".join(f"{k} {v:,}" for k, v in c["kinds"].items())
    out += ["", f"Time zones: {zones}", f"Kinds: {kinds}"]
    out += ["", "## Defaults used (flagged `estimated` in the package)", ""]
    out += _table(
        ["field", "rule", "rows"],
        [[k, v["rule"], f"{v['rows']:,}"] for k, v in report["defaults"].items()],
    )
    if "commission_positions_file" in report:
        info = report["commission_positions_file"]
        out.append(
            f"\nCommission positions from {info['file']}: {info['matched']} matched, "
            f"{info['unmatched_rows']} rows unmatched."
        )
    out += ["", f"Outline: {report['outline']}", f"Boundaries: {report['boundaries']}"]
    check = report.get("boundaries_check") or {}
    if check.get("unmatched_polygons"):
        features = ", ".join(map(str, check["unmatched_polygons"][:MAX_LISTED]))
        out.append(f"\nPolygons that matched no region or district (feature numbers): {features}")
    if check.get("stations_outside"):
        outside = check["stations_outside"]
        out += ["", f"Located stations outside their given boundary ({len(outside):,}):", ""]
        out += _table(
            ["station", "file", "row"],
            [[s["station_id"], s["file"], s["row"]] for s in outside[:MAX_LISTED]],
        )
        if len(outside) > MAX_LISTED:
            out.append(f"\n... and {len(outside) - MAX_LISTED:,} more (all in init-report.json)")
    u = report["unlocated"]
    out += ["", f"## Stations without coordinates ({u['count']:,})", "", u["rule"], ""]
    if u["stations"]:
        listed = u["stations"][:MAX_LISTED]
        out += _table(
            ["station", "file", "row", "why", "placed at"],
            [[s["station_id"], s["file"], s["row"], s["why"], s["placed_at"]] for s in listed],
        )
        if u["count"] > MAX_LISTED:
            out.append(f"\n... and {u['count'] - MAX_LISTED:,} more (all in init-report.json)")
    a = report["areas"]
    b = a["balance"]
    out += ["", f"## Areas of responsibility ({a['count']})", ""]
    out.append(
        f"Method: {a['method']}, whole districts. Voters per area: mean {b['mean']:,.0f}, "
        f"largest {b['max_over_mean']:.2f} x mean, smallest {b['min_over_mean']:.2f} x mean; "
        f"every area in one piece: {'yes' if b['contiguous'] else 'NO'}"
        + (f" ({b['bridged_links']} island links added)" if b["bridged_links"] else "")
        + f". The largest district alone is {a['largest_district_over_mean']:.2f} x the mean."
    )
    out.append(
        "Edit `areas.csv` (district -> area) and run `planner init ... --areas-from "
        "areas.csv` to move districts between areas."
    )
    t = report["teams"]
    out += [
        "",
        "## Teams",
        "",
        f"{t['sto']} STO teams ({t['sto_rule']}), {t['lto']} LTO teams (one per area). "
        f"Bases: {t['bases']}.",
    ]
    out += _table(["area", "STO teams"], [[k, v] for k, v in sorted(t["per_area"].items())])
    g = report["targets"]
    out += ["", "## Targets", "", g["rule"], ""]
    out += _table(
        ["opening", "voting", "counting", "tabulation"],
        [[g["opening"], g["voting"], g["counting"], g["tabulation"]]],
    )
    if "package_check" in report:
        p = report["package_check"]
        out += [
            "",
            f"The package loads: {p['stations']:,} stations, {p['commissions']:,} "
            f"commissions, {p['areas']} areas, {p['teams']} teams.",
        ]
    return "\n".join(out) + "\n"
