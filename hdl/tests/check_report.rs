//! `scripts/check-report.py`, which CI runs on every board build's `report.json`: it passes a
//! report that meets timing and its board's targets, and refuses one that misses any of them
//! (the iCEBreaker's logic above 85 % of the UP5K or its core clock below 12 MHz, the ULX3S's
//! below 50 MHz, timing not met) with the figure named.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A report of `board` with `logic_used` of `logic_total` cells, timed for `target_mhz` and
/// reaching `fmax_mhz`, and its bitstream, in `dir`.
fn report(
    dir: &Path,
    board: &str,
    (logic_used, logic_total): (u32, u32),
    target_mhz: f64,
    fmax_mhz: f64,
) -> PathBuf {
    std::fs::create_dir_all(dir).expect("create the report's directory");
    let bitstream = dir.join("board.bin");
    std::fs::write(&bitstream, [0u8; 100]).expect("write the bitstream");
    let json = format!(
        r#"{{"board": "{board}", "device": "d", "logic_used": {logic_used},
            "logic_total": {logic_total}, "ff_used": 1, "ram_blocks_used": 1,
            "ram_blocks_total": 30, "spram_used": 0, "dsp_used": 0, "fmax_mhz": {fmax_mhz:?},
            "target_mhz": {target_mhz:?}, "timing_met": {}, "critical_path": "a -> b",
            "bitstream": {:?}, "bitstream_bytes": 100}}"#,
        fmax_mhz >= target_mhz,
        bitstream.display().to_string()
    );
    let path = dir.join("report.json");
    std::fs::write(&path, json).expect("write the report");
    path
}

/// The script's exit status and its output (stdout, then stderr).
fn check(path: &Path) -> (bool, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/check-report.py");
    let output = Command::new("python3")
        .arg(&script)
        .arg(path)
        .output()
        .expect("run python3 scripts/check-report.py");
    let text = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

#[test]
fn check_report_enforces_timing_and_the_boards_targets() {
    let root = std::env::temp_dir().join(format!("spikeforge-check-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let case = |name: &str, board: &str, logic, target, fmax| {
        check(&report(&root.join(name), board, logic, target, fmax))
    };
    let passing = [
        case("icebreaker", "icebreaker", (4_288, 5_280), 18.0, 20.02),
        case("icebreaker-85", "icebreaker", (4_488, 5_280), 12.0, 12.5),
        case("ulx3s", "ulx3s-85f", (10_517, 83_640), 50.0, 58.89),
        case("alchitry", "alchitry-cu", (7_000, 7_680), 30.0, 38.0),
    ];
    for (ok, text) in &passing {
        assert!(ok, "{text}");
        assert!(text.ends_with(": ok\n"), "{text}");
    }
    let refused = [
        (
            case("full", "icebreaker", (4_489, 5_280), 18.0, 20.0),
            "logic 4489/5280 (85.0 %) is above the board's target of 85 %",
        ),
        (
            case("slow", "icebreaker", (4_288, 5_280), 6.0, 9.0),
            "target_mhz 6.0 is below the board's target of 12 MHz",
        ),
        (
            case("ulx3s-slow", "ulx3s-85f", (10_517, 83_640), 48.0, 58.0),
            "target_mhz 48.0 is below the board's target of 50 MHz",
        ),
        (
            case("late", "alchitry-cu", (6_042, 7_680), 30.0, 29.9),
            "timing not met: fmax 29.9 MHz < 30.0 MHz",
        ),
    ];
    for ((ok, text), want) in &refused {
        assert!(!ok, "passed: {text}");
        assert!(text.contains(want), "{text}");
    }
    let _ = std::fs::remove_dir_all(&root);
}
