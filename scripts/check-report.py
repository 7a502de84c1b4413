#!/usr/bin/env python3
"""Checks a board build's report.json (gen-verilog --board NAME --bitstream): every key the
report promises is present, timing is met and the bitstream it names exists with its size.

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
