//! Test support: generate a widget's Verilog and check it with Yosys.
//!
//! The check runs rust-hdl's connection checks, writes the Verilog to a fresh directory under
//! the system temporary directory and runs Yosys there:
//!
//! ```text
//! yosys -q -l yosys.log -p "read_verilog <name>.v; synth -flatten -top top; check -assert;
//!     select -assert-none <latch cells>; select -assert-none <flip-flop cells>;
//!     eval -set <inputs> -show <outputs>; ..."
//! ```
//!
//! The exit status is checked, the log must hold no warning and no inferred latch, and the
//! synthesized netlist is evaluated (`eval`) on a sample of the operation test's vectors and
//! compared with the golden model: this checks the generated Verilog itself, where rust-hdl's
//! simulator and its Verilog could disagree. When a check fails, the directory (Verilog, Yosys
//! script and log) is kept and named in the message; when all pass, it is removed. A missing
//! `yosys` is a test failure that tells how to install it, never a skip.
use crate::test_vectors::{GoldenCase, Mismatches};
use rust_hdl::prelude::*;
use std::collections::HashMap;
use std::process::Command;

/// rust-hdl names the top module of generated Verilog `top`.
const TOP: &str = "top";

/// Vectors evaluated on the synthesized netlist (Yosys's `eval` is slow per call).
pub(crate) const NETLIST_VECTORS: usize = 300;

/// Yosys cell types of latches, before and after technology mapping.
const LATCH_CELLS: &str = "t:$dlatch t:$adlatch t:$dlatchsr t:$_DLATCH* t:$_SR_*";

/// Yosys cell types of flip-flops after technology mapping.
const FLIP_FLOP_CELLS: &str = "t:$_*DFF*";

/// Check that `uut` (already `connect_all`ed) generates Verilog that Yosys synthesizes to
/// purely combinational logic (no latch, no flip-flop, `check -assert` clean) and that the
/// netlist computes the golden model's outputs for the first [`NETLIST_VECTORS`] of `cases`.
/// `name` is unique per test: it names the work directory and the Verilog file.
pub(crate) fn assert_synthesizes_combinational<C: GoldenCase>(
    name: &'static str,
    uut: &C::Widget,
    cases: &[C],
) {
    if let Err(err) = check_all(uut) {
        panic!("{name}: rust-hdl's connection checks failed: {err:?}");
    }
    let verilog = generate_verilog(uut);
    let dir = std::env::temp_dir().join(format!(
        "spikeforge-hdl-synth-{}-{name}",
        std::process::id()
    ));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .unwrap_or_else(|err| panic!("{name}: cannot clear {}: {err}", dir.display()));
    }
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|err| panic!("{name}: cannot create {}: {err}", dir.display()));
    let file = format!("{name}.v");
    let path = dir.join(&file);
    std::fs::write(&path, &verilog)
        .unwrap_or_else(|err| panic!("{name}: cannot write {}: {err}", path.display()));

    let cases = &cases[..cases.len().min(NETLIST_VECTORS)];
    let mut script = format!(
        "read_verilog {file}; synth -flatten -top {TOP}; check -assert; \
         select -assert-none {LATCH_CELLS}; select -assert-none {FLIP_FLOP_CELLS};"
    );
    for case in cases {
        script.push_str(&eval_command(case));
    }
    let script_path = dir.join("check.ys");
    std::fs::write(&script_path, &script)
        .unwrap_or_else(|err| panic!("{name}: cannot write {}: {err}", script_path.display()));

    let output = match Command::new("yosys")
        .current_dir(&dir)
        .args(["-q", "-l", "yosys.log", "-s", "check.ys"])
        .output()
    {
        Ok(output) => output,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => panic!(
            "{name}: `yosys` is not on PATH; install it with `bash scripts/install-tools.sh` \
             (Debian packages yosys and verilator)"
        ),
        Err(err) => panic!("{name}: cannot run yosys: {err}"),
    };
    let log_path = dir.join("yosys.log");
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    assert!(
        output.status.success(),
        "{name}: yosys exited with {} on {}\nstderr:\n{}\nlog tail:\n{}",
        output.status,
        script_path.display(),
        String::from_utf8_lossy(&output.stderr),
        tail(&log, 30)
    );
    let suspicious: Vec<&str> = log
        .lines()
        .filter(|line| line.starts_with("Latch inferred") || line.starts_with("Warning:"))
        .collect();
    assert!(
        suspicious.is_empty(),
        "{name}: yosys log {} has latches or warnings:\n{}",
        log_path.display(),
        suspicious.join("\n")
    );

    let results = eval_results(&log);
    assert_eq!(
        results.len(),
        cases.len(),
        "{name}: {} holds {} eval results for {} vectors",
        log_path.display(),
        results.len(),
        cases.len()
    );
    let mut bad = Mismatches::new(format!("{name} netlist in {}", dir.display()));
    for (case, got) in cases.iter().zip(&results) {
        let golden = case.golden();
        for (port, want) in golden {
            let (width, bits) = got.get(port).copied().unwrap_or_else(|| {
                panic!(
                    "{name}: no eval result for port {port} in {}",
                    log_path.display()
                )
            });
            // Compared as bit patterns of the port's width, shown as sized binary constants.
            let want = two_complement(want, width);
            bad.check(port, case, sized(width, bits), sized(width, want));
        }
    }
    bad.assert_none(cases.len());
    // Passed: nothing to inspect. A failure above leaves the directory for inspection.
    if let Err(err) = std::fs::remove_dir_all(&dir) {
        panic!("{name}: cannot remove {}: {err}", dir.display());
    }
}

/// One `eval` command: inputs as sized binary constants, every golden output shown.
fn eval_command<C: GoldenCase>(case: &C) -> String {
    let mut command = String::from(" eval");
    for (port, width, value) in case.ports() {
        let constant = sized(width, two_complement(value, width));
        command.push_str(&format!(" -set {port} {constant}"));
    }
    for (port, _) in case.golden() {
        command.push_str(&format!(" -show {port}"));
    }
    command.push(';');
    command
}

/// A `width`-bit pattern as a Verilog binary constant.
fn sized(width: usize, bits: u128) -> String {
    format!("{width}'b{bits:0width$b}")
}

/// `value` as an unsigned `width`-bit two's complement pattern.
fn two_complement(value: i64, width: usize) -> u128 {
    assert!(width <= 64, "port width {width} exceeds 64 bits");
    let mask = (1u128 << width) - 1;
    // Reinterpreting the sign-extended value as unsigned is the two's complement pattern.
    (i128::from(value) as u128) & mask
}

/// Parse `Eval result: \port = W'bits.` lines of the log, one map per `eval` command
/// (each command starts with an "Executing EVAL pass" line).
fn eval_results(log: &str) -> Vec<HashMap<String, (usize, u128)>> {
    let mut results: Vec<HashMap<String, (usize, u128)>> = Vec::new();
    for line in log.lines() {
        if line.contains("Executing EVAL pass") {
            results.push(HashMap::new());
        } else if let Some(rest) = line.trim().strip_prefix("Eval result: \\") {
            let parsed = rest
                .trim_end_matches('.')
                .split_once(" = ")
                .and_then(|(port, value)| Some((port.to_string(), parse_constant(value)?)));
            let (port, value) =
                parsed.unwrap_or_else(|| panic!("cannot parse yosys eval line `{line}`"));
            if let Some(current) = results.last_mut() {
                current.insert(port, value);
            }
        }
    }
    results
}

/// A Yosys constant as (width, bits): `W'0101...`, or a plain decimal for a fully defined
/// 32-bit value (Yosys prints those as integers, possibly negative).
fn parse_constant(text: &str) -> Option<(usize, u128)> {
    match text.split_once('\'') {
        Some((width, bits)) => Some((width.parse().ok()?, u128::from_str_radix(bits, 2).ok()?)),
        None => {
            let value: i64 = text.parse().ok()?;
            Some((32, two_complement(value, 32)))
        }
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
