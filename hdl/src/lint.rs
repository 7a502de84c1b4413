//! Verilator lint of generated Verilog (`verilator --lint-only -Wall`), with the waivers for
//! rust-hdl's generated patterns kept in one documented file, `hdl/verilator/waivers.vlt`.
//!
//! Vendor primitives the Verilog instantiates are given to Verilator as port-only stubs
//! (`hdl/verilator/<primitive>.v`, lint warnings off inside), added only when the Verilog names
//! the primitive; the generated Verilog itself never carries them (Yosys knows the cells).

use std::path::Path;
use std::process::Command;

/// The waiver file, compiled in so that the binary needs no checkout.
pub const WAIVERS: &str = include_str!("../verilator/waivers.vlt");

/// Port-only stubs of the vendor primitives a generated design may instantiate: (module name,
/// stub file name, stub text).
pub const PRIMITIVE_STUBS: &[(&str, &str, &str)] = &[(
    "SB_SPRAM256KA",
    "SB_SPRAM256KA.v",
    include_str!("../verilator/SB_SPRAM256KA.v"),
)];

/// Environment variable naming the Verilator binary (default `verilator`).
pub const VERILATOR_ENV: &str = "VERILATOR";

/// A lint failure.
#[derive(Debug, thiserror::Error)]
pub enum LintError {
    /// Verilator is not installed or could not start.
    #[error("cannot run {binary} ({cause}); install it with scripts/install-tools.sh")]
    Spawn {
        /// The binary tried.
        binary: String,
        /// The spawn error.
        cause: std::io::Error,
    },
    /// Reading the Verilog, or writing the waivers or a stub, failed.
    #[error("{path}: {cause}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        cause: std::io::Error,
    },
    /// Verilator reported warnings or errors.
    #[error("verilator --lint-only -Wall {verilog} failed with {status}:\n{output}")]
    Failed {
        /// The file linted.
        verilog: String,
        /// Exit status.
        status: String,
        /// What Verilator printed.
        output: String,
    },
}

/// Lint `verilog` with top module `top`; the waivers, and the stubs of the primitives
/// ([`PRIMITIVE_STUBS`]) the Verilog instantiates, are written next to it.
pub fn lint(verilog: &Path, top: &str) -> Result<(), LintError> {
    let dir = verilog.parent().unwrap_or(Path::new("."));
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |cause| LintError::Io { path, cause }
    };
    let waivers = dir.join("waivers.vlt");
    std::fs::write(&waivers, WAIVERS).map_err(io(&waivers))?;
    let text = std::fs::read_to_string(verilog).map_err(io(verilog))?;
    let mut stubs = Vec::new();
    for (module, file, stub) in PRIMITIVE_STUBS {
        if text.contains(&format!("{module} ")) {
            let path = dir.join(file);
            std::fs::write(&path, stub).map_err(io(&path))?;
            stubs.push(path);
        }
    }
    let binary = std::env::var(VERILATOR_ENV).unwrap_or_else(|_| "verilator".to_string());
    let output = Command::new(&binary)
        .args(["--lint-only", "-Wall", "--top-module", top])
        .arg(&waivers)
        .args(&stubs)
        .arg(verilog)
        .output()
        .map_err(|cause| LintError::Spawn {
            binary: binary.clone(),
            cause,
        })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(LintError::Failed {
            verilog: verilog.display().to_string(),
            status: output.status.to_string(),
            output: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learning::SrUpdate;
    use crate::neuron::{AdaptThreshold, LifUpdate};
    use rust_hdl::prelude::*;

    /// Verilator lints the Verilog of `uut` without a warning.
    fn assert_lints_clean<B: Block>(name: &str, mut uut: B) {
        uut.connect_all();
        let dir =
            std::env::temp_dir().join(format!("spikeforge-lint-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let verilog = dir.join(format!("{name}.v"));
        std::fs::write(&verilog, generate_verilog(&uut)).expect("write verilog");
        let result = lint(&verilog, "top");
        std::fs::remove_dir_all(&dir).expect("clean up");
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
    }

    /// The widgets built of two halves a core may register between: their instances must not
    /// hide a signal of the same name.
    #[test]
    fn two_stage_widgets_lint_clean() {
        assert_lints_clean("lif", LifUpdate::new());
        assert_lints_clean("sr_update", SrUpdate::new());
        assert_lints_clean("adapt", AdaptThreshold::new());
    }

    #[test]
    fn a_real_warning_fails_the_lint() {
        let dir = std::env::temp_dir().join(format!("spikeforge-lint-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let verilog = dir.join("bad.v");
        // An input that drives nothing: UNUSEDSIGNAL is not waived.
        std::fs::write(
            &verilog,
            "module top(input [15:0] a, output [7:0] y);\nassign y = 8'd0;\nendmodule\n",
        )
        .expect("write verilog");
        let result = lint(&verilog, "top");
        std::fs::remove_dir_all(&dir).expect("clean up");
        assert!(
            matches!(result, Err(LintError::Failed { .. })),
            "{result:?}"
        );
    }
}
