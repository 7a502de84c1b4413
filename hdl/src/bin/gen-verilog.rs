//! `gen-verilog`: emit the learning core of a network as Verilog plus a JSON description, after
//! rust-hdl's connection checks; `--report` synthesises it for iCE40 and ECP5 with Yosys and
//! lints it with Verilator. `--spram` keeps the hidden weights in iCE40 UltraPlus SPRAM (the
//! report then synthesises for iCE40 only). `--lanes N` processes N synapses per clock.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use spikeforge_hdl::generate::{generate_chip, generate_with, lif_lane_verilog, Generated};
use spikeforge_hdl::lint::lint;
use spikeforge_hdl::synth::{synthesize, Family};
use spikeforge_hdl::top::CoreOptions;
use spikeforge_hdl::uart::clocks_per_bit;
use spikeforge_sim::config::NetworkConfig;

/// Generate the Verilog of the spikeforge learning core.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Network TOML; the embedded default (networks/digits.toml) when left out.
    #[arg(long)]
    network: Option<PathBuf>,
    /// Output directory.
    #[arg(long, default_value = "build")]
    out: PathBuf,
    /// Also lint with Verilator and synthesise with Yosys for iCE40 and ECP5, and print the
    /// resource figures from Yosys's statistics.
    #[arg(long)]
    report: bool,
    /// Place the hidden weights in iCE40 UltraPlus SPRAM (iCE40 UP5K/UP3K only): at most
    /// 4 x 16,384 weights; `--report` then skips ECP5.
    #[arg(long)]
    spram: bool,
    /// Synapses processed per clock in integration and learning: 1, 2, 4 or 8. More lanes
    /// take fewer cycles per time step and more logic; the results are the same.
    #[arg(long, default_value_t = 1)]
    lanes: usize,
    /// Emit the whole chip at its pins (UART, receive FIFO, frame engine and the core; ports
    /// `clock`, `uart_rx`, `uart_tx`, `active`) instead of the core alone.
    #[arg(long)]
    chip: bool,
    /// Clock of the chip in Hz (with `--chip`): sets the UART's cycles per bit.
    #[arg(long, default_value_t = 12_000_000)]
    clock_hz: u64,
    /// UART baud rate (with `--chip`).
    #[arg(long, default_value_t = 3_000_000)]
    baud: u64,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let args = Args::parse();
    let network = match &args.network {
        Some(path) => NetworkConfig::from_file(path)?,
        None => NetworkConfig::default_network()?,
    };
    let options = CoreOptions {
        weights_in_spram: args.spram,
        lanes: args.lanes,
    };
    let generated = if args.chip {
        let clocks_per_bit = clocks_per_bit(args.clock_hz, args.baud)?;
        generate_chip(&network, options, clocks_per_bit)?
    } else {
        generate_with(&network, options)?
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let verilog = args.out.join("spikeforge.v");
    let json = args.out.join("spikeforge.json");
    write(&verilog, &generated.verilog)?;
    write(
        &json,
        &(serde_json::to_string_pretty(&generated.description)? + "\n"),
    )?;
    println!("wrote {} and {}", verilog.display(), json.display());
    if args.report {
        report(&verilog, &generated, options)?;
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

fn report(verilog: &Path, generated: &Generated, options: CoreOptions) -> anyhow::Result<()> {
    eprintln!("verilator --lint-only -Wall ...");
    lint(verilog, "top")?;
    println!("verilator lint: clean (waivers: hdl/verilator/waivers.vlt)");
    let families: &[Family] = if options.weights_in_spram {
        println!("ecp5: skipped (--spram instantiates the iCE40 UltraPlus SB_SPRAM256KA)");
        &[Family::Ice40]
    } else {
        &[Family::Ice40, Family::Ecp5]
    };
    let mut rows = Vec::new();
    for &family in families {
        eprintln!("yosys {} ...", family.synth_command("top"));
        let stats = synthesize(verilog, "top", family)?;
        let spram = match stats.cells("SB_SPRAM256KA") {
            0 => String::new(),
            n => format!(" (SPRAM {n})"),
        };
        println!(
            "{:<6} cells {:>6}  LUT4 {:>6}  FF {:>5}  RAM blocks {:>3}{spram}  DSP {:>2}  (log {})",
            family.name(),
            stats.cells,
            stats.luts,
            stats.flip_flops,
            stats.ram_blocks,
            stats.dsps,
            stats.log.display()
        );
        rows.push(stats);
    }
    let lane = verilog.with_file_name("lif_lane.v");
    write(&lane, &lif_lane_verilog())?;
    let lane_stats = synthesize(&lane, "top", Family::Ice40)?;
    println!(
        "LIF lane (LifUpdate) on ice40: LUT4 {}, carry {}",
        lane_stats.luts,
        lane_stats.cells("SB_CARRY")
    );
    let path = verilog.with_file_name("synth_report.json");
    let body = serde_json::json!({
        "network": generated.description["network"],
        "options": generated.description["options"],
        "synthesis": rows,
        "lif_lane_ice40": lane_stats,
    });
    write(&path, &(serde_json::to_string_pretty(&body)? + "\n"))?;
    println!("wrote {}", path.display());
    Ok(())
}
