#!/usr/bin/env python3
"""Checks a board build's report.json (gen-verilog --board NAME --bitstream): every key the
report promises is present, timing is met, the bitstream it names exists with its size, and
the board's targets below hold.

    python3 scripts/check-report.py build/<board>/report.json
"""
import json
import os
import sys

KEYS = {
    "board": str,
    "device": str,
    "logic_used": int,
    "logic_total": int,
    "ff_used": int,
    "ram_blocks_used": int,
    "ram_blocks_total": int,
    "spram_used": int,
    "dsp_used": int,
    "fmax_mhz": (int, float),
    "target_mhz": (int, float),
    "timing_met": bool,
    "critical_path": str,
    "bitstream": str,
    "bitstream_bytes": int,
}

# The targets of the learning core v2 per board: the most logic it may use, in percent of the
# device, and the least core clock the build must be timed for (its board file's core_hz).
TARGETS = {
    "icebreaker": {"max_logic_percent": 85, "min_target_mhz": 12},
    "ulx3s-85f": {"min_target_mhz": 50},
}


def main(path):
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    problems = []
    for key, kind in KEYS.items():
        if key not in report:
            problems.append(f"key {key} is missing")
        elif not isinstance(report[key], kind) or (kind is int and isinstance(report[key], bool)):
            problems.append(f"{key} = {report[key]!r} is not a {kind}")
    if not problems:
        if not report["timing_met"] or report["fmax_mhz"] < report["target_mhz"]:
            problems.append(
                f"timing not met: fmax {report['fmax_mhz']} MHz < {report['target_mhz']} MHz"
            )
        if not 0 < report["logic_used"] <= report["logic_total"]:
            problems.append(f"logic_used {report['logic_used']} of {report['logic_total']}")
        target = TARGETS.get(report["board"], {})
        most = target.get("max_logic_percent")
        if most is not None and report["logic_used"] * 100 > most * report["logic_total"]:
            percent = 100 * report["logic_used"] / report["logic_total"]
            problems.append(
                f"logic {report['logic_used']}/{report['logic_total']} ({percent:.1f} %) is above "
                f"the board's target of {most} %"
            )
        least = target.get("min_target_mhz")
        if least is not None and report["target_mhz"] < least:
            problems.append(
                f"target_mhz {report['target_mhz']} is below the board's target of {least} MHz"
            )
        size = os.path.getsize(report["bitstream"]) if os.path.exists(report["bitstream"]) else -1
        if size != report["bitstream_bytes"] or size <= 0:
            problems.append(
                f"bitstream {report['bitstream']}: {size} bytes on disk, "
                f"{report['bitstream_bytes']} in the report"
            )
    if problems:
        for p in problems:
            print(f"check-report: {path}: {p}", file=sys.stderr)
        return 1
    print(
        f"check-report: {report['board']}: logic {report['logic_used']}/{report['logic_total']}, "
        f"fmax {report['fmax_mhz']} MHz (target {report['target_mhz']} MHz), "
        f"bitstream {report['bitstream_bytes']} bytes: ok"
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: check-report.py build/<board>/report.json", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
