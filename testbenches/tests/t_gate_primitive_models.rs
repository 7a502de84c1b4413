//! The models of the ECP5 primitives that Yosys does not model, `verilated/verilog/DP16KD.v`
//! and `MULT18X18D.v`, each against its self-checking test bench in `verilated/verilog/test/`
//! (built with `verilator --binary`, run to its end): DP16KD at every width and write mode
//! (READBEFOREWRITE at 9 and 18 bits, where the block offers it) against a plain memory, MULT18X18D against the integer product in every signedness. The
//! gate-level chip `gate_ecp5` uses only some of it (9-bit ports, READBEFOREWRITE, unsigned
//! products); this covers the rest the models claim.

use std::path::{Path, PathBuf};
use std::process::Command;

use spikeforge_hdl::lint::VERILATOR_ENV;

/// The directory of the models.
fn models() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../verilated/verilog")
}

/// Build the test bench of `model` with `verilator --binary` in a fresh directory, run it and
/// return what it printed; a failure to build or a failing run panics with the output.
fn run_bench(model: &str) -> String {
    let dir = std::env::temp_dir().join(format!(
        "spikeforge-gate-models-{}-{model}",
        std::process::id()
    ));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot clear {}: {e}", dir.display()));
    }
    let verilator = std::env::var(VERILATOR_ENV).unwrap_or_else(|_| "verilator".to_string());
    let top = format!("{model}_tb");
    let bench = models().join(format!("test/{top}.v"));
    let source = models().join(format!("{model}.v"));
    let built = Command::new(&verilator)
        .args(["--binary", "-j", "2", "--top-module", &top, "-Mdir"])
        .arg(&dir)
        .arg(&bench)
        .arg(&source)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {verilator} ({e}); install it with scripts/install-tools.sh")
        });
    assert!(
        built.status.success(),
        "{verilator} --binary {} {} failed with {}:\n{}{}",
        bench.display(),
        source.display(),
        built.status,
        String::from_utf8_lossy(&built.stdout),
        String::from_utf8_lossy(&built.stderr)
    );
    let binary = dir.join(format!("V{top}"));
    let ran = Command::new(&binary)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&ran.stdout),
        String::from_utf8_lossy(&ran.stderr)
    );
    assert!(
        ran.status.success() && !output.contains("%Error"),
        "{} failed with {}:\n{output}",
        binary.display(),
        ran.status
    );
    // The build is large and each run makes a new one.
    let _ = std::fs::remove_dir_all(&dir);
    output
}

/// The number of checks on the line of `output` that starts with `prefix` (`<prefix><n>
/// checks`), or a panic naming the prefix and the output.
fn checks(output: &str, prefix: &str) -> u64 {
    output
        .lines()
        .find_map(|line| line.strip_prefix(prefix)?.strip_suffix(" checks"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no line \"{prefix}<n> checks\" in:\n{output}"))
}

#[test]
fn t_gate_primitive_dp16kd() {
    let output = run_bench("DP16KD");
    for width in [1, 2, 4, 9, 18] {
        // READBEFOREWRITE only at the widths that offer it.
        let modes: &[&str] = if width < 9 {
            &["NORMAL", "WRITETHROUGH"]
        } else {
            &["NORMAL", "WRITETHROUGH", "READBEFOREWRITE"]
        };
        for mode in modes {
            let n = checks(&output, &format!("DP16KD width {width} {mode}: "));
            assert!(n > 0, "DP16KD width {width} {mode}: no checks");
        }
    }
}

#[test]
fn t_gate_primitive_mult18x18d() {
    let output = run_bench("MULT18X18D");
    let n = checks(&output, "MULT18X18D: ");
    assert!(n > 0, "MULT18X18D: no checks");
}
