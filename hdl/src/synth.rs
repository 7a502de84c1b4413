//! Yosys synthesis of generated Verilog for iCE40 and ECP5, with the resource figures read from
//! Yosys's own statistics (`stat -json`). Every run's log is kept beside the Verilog.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

/// Yosys cell types of latches before technology mapping.
const LATCH_CELLS: &str = "t:$dlatch t:$adlatch t:$dlatchsr";

/// A synthesis target family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Lattice iCE40 (`synth_ice40 -dsp`).
    Ice40,
    /// Lattice ECP5 (`synth_ecp5`).
    Ecp5,
}

impl Family {
    /// Short name used in file names.
    pub fn name(self) -> &'static str {
        match self {
            Family::Ice40 => "ice40",
            Family::Ecp5 => "ecp5",
        }
    }

    /// The Yosys synthesis command.
    pub fn synth_command(self, top: &str) -> String {
        match self {
            Family::Ice40 => format!("synth_ice40 -dsp -top {top}"),
            Family::Ecp5 => format!("synth_ecp5 -top {top}"),
        }
    }

    /// Yosys's simulation models of the family's primitives, read as blackboxes before
    /// `hierarchy -check` so that a design may instantiate them (`SB_SPRAM256KA`).
    fn primitives(self) -> &'static str {
        match self {
            Family::Ice40 => "+/ice40/cells_sim.v",
            Family::Ecp5 => "+/ecp5/cells_sim.v",
        }
    }

    fn is_ram(self, cell: &str) -> bool {
        match self {
            Family::Ice40 => cell == "SB_RAM40_4K" || cell == "SB_SPRAM256KA",
            Family::Ecp5 => cell == "DP16KD" || cell == "PDPW16KD",
        }
    }

    fn is_dsp(self, cell: &str) -> bool {
        match self {
            Family::Ice40 => cell == "SB_MAC16",
            Family::Ecp5 => cell.starts_with("MULT18X18") || cell.starts_with("ALU54"),
        }
    }

    fn is_lut(self, cell: &str) -> bool {
        match self {
            Family::Ice40 => cell == "SB_LUT4",
            Family::Ecp5 => cell == "LUT4",
        }
    }

    fn is_ff(self, cell: &str) -> bool {
        match self {
            Family::Ice40 => cell.starts_with("SB_DFF"),
            Family::Ecp5 => cell == "TRELLIS_FF",
        }
    }
}

/// Resource figures of one synthesis run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SynthStats {
    /// Target family.
    pub family: Family,
    /// All cells.
    pub cells: u64,
    /// 4-input LUTs.
    pub luts: u64,
    /// Flip-flops.
    pub flip_flops: u64,
    /// Block RAMs (and SPRAMs on iCE40 UltraPlus).
    pub ram_blocks: u64,
    /// DSP / multiplier blocks.
    pub dsps: u64,
    /// Cells by type, as Yosys counts them.
    pub by_type: BTreeMap<String, u64>,
    /// The Yosys log.
    pub log: PathBuf,
}

/// A synthesis failure: the tool could not run, failed, or produced no statistics.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// Yosys is not installed or could not start.
    #[error("cannot run yosys ({cause}); install it with scripts/install-tools.sh")]
    Spawn {
        /// The spawn error.
        cause: std::io::Error,
    },
    /// Yosys exited with a failure.
    #[error("yosys {family} synthesis of {verilog} failed with {status}; see {log}")]
    Failed {
        /// Target family.
        family: &'static str,
        /// Input file.
        verilog: String,
        /// Exit status.
        status: String,
        /// Log file.
        log: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {cause}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        cause: std::io::Error,
    },
    /// The statistics file was not what `stat -json` writes.
    #[error("{path}: cannot read yosys statistics: {message}")]
    Stats {
        /// The file.
        path: String,
        /// What was wrong.
        message: String,
    },
    /// Latches were inferred (checked after `proc`, before technology mapping).
    #[error("yosys {family} synthesis of {verilog} inferred a latch; see {log}")]
    Latches {
        /// Target family.
        family: &'static str,
        /// Input file.
        verilog: String,
        /// Log file.
        log: String,
    },
    /// Yosys warned.
    #[error(
        "yosys {family} synthesis of {verilog} gave {count} warning(s), first: {first}; see {log}"
    )]
    Warnings {
        /// Target family.
        family: &'static str,
        /// Input file.
        verilog: String,
        /// Log file.
        log: String,
        /// The first warning.
        first: String,
        /// Number of warnings.
        count: usize,
    },
}

/// Synthesise `verilog` (top module `top`) for `family`, keeping the log and the statistics
/// next to it, and fail on latches.
pub fn synthesize(verilog: &Path, top: &str, family: Family) -> Result<SynthStats, SynthError> {
    let dir = verilog.parent().unwrap_or(Path::new("."));
    let stem = verilog
        .file_stem()
        .map_or_else(|| "design".into(), |s| s.to_string_lossy().into_owned());
    let log = dir.join(format!("{stem}.{}.yosys.log", family.name()));
    let stats = dir.join(format!("{stem}.{}.stat.json", family.name()));
    let script = format!(
        "read_verilog -lib {lib}; read_verilog {v}; hierarchy -check -top {top}; proc; \
         select -assert-none {LATCH_CELLS}; {synth}; check -assert; tee -q -o {s} stat -json",
        lib = family.primitives(),
        v = verilog.display(),
        synth = family.synth_command(top),
        s = stats.display(),
    );
    let status = Command::new("yosys")
        .args(["-q", "-l"])
        .arg(&log)
        .args(["-p", &script])
        .status()
        .map_err(|cause| SynthError::Spawn { cause })?;
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    if !status.success() {
        if log_text.contains("select -assert-none") && log_text.contains("Assertion failed") {
            return Err(SynthError::Latches {
                family: family.name(),
                verilog: verilog.display().to_string(),
                log: log.display().to_string(),
            });
        }
        return Err(SynthError::Failed {
            family: family.name(),
            verilog: verilog.display().to_string(),
            status: status.to_string(),
            log: log.display().to_string(),
        });
    }
    let warnings: Vec<&str> = log_text
        .lines()
        .filter(|line| line.starts_with("Warning:"))
        .collect();
    if !warnings.is_empty() {
        return Err(SynthError::Warnings {
            family: family.name(),
            verilog: verilog.display().to_string(),
            log: log.display().to_string(),
            first: warnings[0].to_string(),
            count: warnings.len(),
        });
    }
    let text = std::fs::read_to_string(&stats).map_err(|cause| SynthError::Io {
        path: stats.display().to_string(),
        cause,
    })?;
    let by_type = parse_cells_by_type(&text).map_err(|message| SynthError::Stats {
        path: stats.display().to_string(),
        message,
    })?;
    let sum = |pred: &dyn Fn(&str) -> bool| -> u64 {
        by_type
            .iter()
            .filter(|(k, _)| pred(k))
            .map(|(_, v)| v)
            .sum()
    };
    Ok(SynthStats {
        family,
        cells: by_type.values().sum(),
        luts: sum(&|c| family.is_lut(c)),
        flip_flops: sum(&|c| family.is_ff(c)),
        ram_blocks: sum(&|c| family.is_ram(c)),
        dsps: sum(&|c| family.is_dsp(c)),
        by_type,
        log,
    })
}

impl SynthStats {
    /// Cells of type `kind` (0 when there are none).
    pub fn cells(&self, kind: &str) -> u64 {
        self.by_type.get(kind).copied().unwrap_or(0)
    }

    /// Cells whose type starts with `prefix`.
    pub fn cells_starting(&self, prefix: &str) -> u64 {
        self.by_type
            .iter()
            .filter(|(kind, _)| kind.starts_with(prefix))
            .map(|(_, n)| n)
            .sum()
    }
}

impl std::fmt::Display for SynthStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} cells (", self.family.name(), self.cells)?;
        for (i, (kind, n)) in self.by_type.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{kind} {n}")?;
        }
        write!(f, "), log {}", self.log.display())
    }
}

/// Test support: synthesise Verilog text in a fresh temporary directory named after `name`,
/// panicking with the error (which names the log) when Yosys fails, warns or infers a latch.
#[cfg(test)]
pub(crate) fn synthesize_text(name: &str, verilog: &str, family: Family) -> SynthStats {
    let dir =
        std::env::temp_dir().join(format!("spikeforge-hdl-fpga-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|err| panic!("{name}: cannot create {}: {err}", dir.display()));
    let path = dir.join(format!("{name}.v"));
    std::fs::write(&path, verilog)
        .unwrap_or_else(|err| panic!("{name}: cannot write {}: {err}", path.display()));
    synthesize(&path, "top", family).unwrap_or_else(|err| panic!("{name}: {err}"))
}

/// Test support: [`synthesize_text`] of a block's Verilog, after rust-hdl's connection checks.
#[cfg(test)]
pub(crate) fn synthesize_block<B: rust_hdl::prelude::Block>(
    name: &str,
    uut: &B,
    family: Family,
) -> SynthStats {
    if let Err(err) = rust_hdl::prelude::check_all(uut) {
        panic!("{name}: rust-hdl's connection checks failed: {err:?}");
    }
    synthesize_text(name, &rust_hdl::prelude::generate_verilog(uut), family)
}

/// The `design` section's `num_cells_by_type` of Yosys's `stat -json` output.
pub fn parse_cells_by_type(text: &str) -> Result<BTreeMap<String, u64>, String> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let cells = json
        .get("design")
        .and_then(|d| d.get("num_cells_by_type"))
        .and_then(|c| c.as_object())
        .ok_or_else(|| "no design.num_cells_by_type".to_string())?;
    cells
        .iter()
        .map(|(k, v)| {
            v.as_u64()
                .map(|n| (k.clone(), n))
                .ok_or_else(|| format!("cell count of {k} is not a number: {v}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cells_by_type_from_stat_json() {
        let text = r#"{"modules": {}, "design": {"num_cells": 3,
            "num_cells_by_type": {"SB_LUT4": 2, "SB_RAM40_4K": 1}}}"#;
        let cells = parse_cells_by_type(text).expect("valid stat -json");
        assert_eq!(cells.get("SB_LUT4"), Some(&2));
        assert_eq!(cells.get("SB_RAM40_4K"), Some(&1));
        assert!(parse_cells_by_type("{}").is_err());
        let bad = r#"{"design": {"num_cells_by_type": {"SB_LUT4": "x"}}}"#;
        assert_eq!(
            parse_cells_by_type(bad),
            Err("cell count of SB_LUT4 is not a number: \"x\"".to_string())
        );
    }

    #[test]
    fn synthesizes_a_small_design_for_both_families() {
        let dir = std::env::temp_dir().join(format!("spikeforge-synth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let verilog = dir.join("mac.v");
        std::fs::write(
            &verilog,
            "module top(input clk, input [7:0] a, input [7:0] b, output reg [15:0] y);\n\
             always @(posedge clk) y <= a * b;\nendmodule\n",
        )
        .expect("write verilog");
        let ice40 = synthesize(&verilog, "top", Family::Ice40).expect("ice40 synthesis");
        assert_eq!(ice40.dsps, 1, "{:?}", ice40.by_type);
        assert!(ice40.log.exists());
        let ecp5 = synthesize(&verilog, "top", Family::Ecp5).expect("ecp5 synthesis");
        assert!(ecp5.cells > 0, "{:?}", ecp5.by_type);
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
