//! `gen-verilog`: emit the learning core of a network as Verilog plus a JSON description, after
//! rust-hdl's connection checks; `--report` synthesises it for iCE40 and ECP5 with Yosys and
//! lints it with Verilator. `--spram` keeps the weights in iCE40 UltraPlus SPRAM (the
//! report then synthesises for iCE40 only). `--lanes N` processes N synapses per clock.
//! With `--board`, `--lanes` and `--core-hz` replace the board file's lanes and core clock,
//! and `--spram`, `--split-neuron` and `--split-rounding` turn its options on.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use spikeforge_hdl::board::flow::{board_verilog, build_bitstream, check_fit, core_options};
use spikeforge_hdl::board::{mhz, Board, BOARDS};
use spikeforge_hdl::generate::{generate_chip, generate_with, lif_lane_verilog, Generated};
use spikeforge_hdl::lint::lint;
use spikeforge_hdl::synth::{synthesize, Family};
use spikeforge_hdl::top::{check_lanes, CoreOptions};
use spikeforge_hdl::uart::clocks_per_bit;
use spikeforge_sim::config::NetworkConfig;

/// Generate the Verilog of the spikeforge learning core, or a board's bitstream.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(subcommand)]
    command: Option<Subcommand>,
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
    /// Place the weights (hidden and classifier) in iCE40 UltraPlus SPRAM (iCE40 UP5K/UP3K
    /// only): each memory, each lane's bank of it, in whole SPRAMs of 16,384 words, at most 4
    /// in all; learning then takes two cycles per group (one with `--paired-banks`);
    /// `--report` then skips ECP5. With `--board`, turns the board's option on.
    #[arg(long)]
    spram: bool,
    /// With `--spram`: split each lane's weights over two banks (each a whole number of
    /// SPRAMs), so that learning reads one while it writes back the other: one cycle per group
    /// of synapses instead of two. With `--board`, turns the board's option on.
    #[arg(long)]
    paired_banks: bool,
    /// Synapses processed per clock in integration and learning: 1, 2, 4, 8 or 16. More lanes
    /// take fewer cycles per time step and more logic; the results are the same. 1 when left
    /// out; with `--board`, the board file's lanes when left out, else replacing them.
    #[arg(long)]
    lanes: Option<usize>,
    /// Register the neuron's words after their reads, and the LIF leak and homeostatic decay
    /// before the firing, and the threshold adaptation's change: three more cycles per layer
    /// and a shorter critical path (every board builds it). With `--board`, turns
    /// the board's option on.
    #[arg(long)]
    split_neuron: bool,
    /// Register the stochastic rounding of learning halfway and, with the hidden weights in
    /// block RAM, the next weights before their route to the banks (one more cycle after
    /// learning): a shorter critical path, about 50 more flip-flops per lane (every board
    /// builds it). With `--board`, turns the board's option on.
    #[arg(long)]
    split_rounding: bool,
    /// Fix the layers' parameters at the network's values, as constants in the logic (the
    /// iCEBreaker's build: about 900 logic cells fewer on the UP5K). The chip then takes only
    /// networks with those parameters: it refuses writes of them, its identity ends with
    /// their hash, and the host loads no other network onto it. With `--board`, turns the
    /// board's option on.
    #[arg(long)]
    fixed_parameters: bool,
    /// Emit the whole chip at its pins (UART, receive FIFO, frame engine and the core; ports
    /// `clock`, `reset`, `uart_rx`, `uart_tx`, `active`) instead of the core alone (a board
    /// build always emits the chip).
    #[arg(long, conflicts_with = "board")]
    chip: bool,
    /// Clock of the chip in Hz (with `--chip`): sets the UART's cycles per bit (a board's
    /// clock is its file's `core_hz`).
    #[arg(long, default_value_t = 12_000_000, conflicts_with = "board")]
    clock_hz: u64,
    /// UART baud rate (with `--chip`; a board's is its file's `baud`).
    #[arg(long, default_value_t = 3_000_000, conflicts_with = "board")]
    baud: u64,
    /// Build for a board of `boards/` (icebreaker, ulx3s-85f, orangecrab-25f, alchitry-cu):
    /// the chip at the board's clock and baud, its top level and constraints, written to
    /// `OUT/<board>/`; the network is the board's profile (embedded in the binary) unless
    /// `--network` is given.
    #[arg(long)]
    board: Option<String>,
    /// With `--board`: clock the core at this many Hz instead of the board file's `core_hz`
    /// (a network whose chip does not meet the board's clock, say): the PLL, nextpnr's target
    /// and the UART's cycles per bit follow it. The PLL must make it from the board's
    /// oscillator, and the board's baud rate divide it into whole cycles per bit.
    #[arg(long, requires = "board")]
    core_hz: Option<u64>,
    /// With `--board`: synthesise, place and route and pack the bitstream, and write
    /// `OUT/<board>/report.json`.
    #[arg(long, requires = "board")]
    bitstream: bool,
    /// Write the pin constraints of every board to `constraints/` and exit.
    #[arg(long)]
    write_constraints: bool,
}

#[derive(Debug, clap::Subcommand)]
enum Subcommand {
    /// Program a board with its bitstream (`openFPGALoader` with the board's settings).
    Flash {
        /// The board.
        #[arg(long)]
        board: String,
        /// The bitstream; `build/<board>/board.bin` (iCE40) or `board.bit` (ECP5) by default.
        #[arg(long)]
        bitstream: Option<PathBuf>,
        /// Print the exact command instead of running it.
        #[arg(long)]
        dry_run: bool,
    },
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
    if let Some(Subcommand::Flash {
        board,
        bitstream,
        dry_run,
    }) = &args.command
    {
        return flash(board, bitstream.as_deref(), *dry_run);
    }
    if args.write_constraints {
        return write_constraints();
    }
    if let Some(name) = &args.board {
        return board_build(&args, name);
    }
    let network = match &args.network {
        Some(path) => NetworkConfig::from_file(path)?,
        None => NetworkConfig::default_network()?,
    };
    let options = CoreOptions {
        weights_in_spram: args.spram,
        paired_banks: args.paired_banks,
        lanes: args.lanes.unwrap_or(1),
        split_neuron: args.split_neuron,
        split_rounding: args.split_rounding,
        fixed_parameters: args.fixed_parameters,
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

/// `board` with the datapath options of the command line: `--lanes` and `--core-hz` replace
/// the board file's lanes and core clock, `--spram`, `--paired-banks`, `--split-neuron`, `--split-rounding` and
/// `--fixed-parameters` turn its options on. Each change
/// is printed, so that a build never differs from its board file unannounced.
fn with_datapath(mut board: Board, args: &Args) -> anyhow::Result<Board> {
    let mut changes = Vec::new();
    if let Some(lanes) = args.lanes {
        check_lanes(lanes).context("--lanes")?;
        if lanes != board.lanes {
            changes.push(format!("{lanes} lanes (the board file: {})", board.lanes));
            board.lanes = lanes;
        }
    }
    if let Some(hz) = args.core_hz {
        if hz != board.core_hz {
            changes.push(format!(
                "the core at {} MHz (the board file: {} MHz)",
                mhz(hz),
                mhz(board.core_hz)
            ));
            board = board.with_core_hz(hz).context("--core-hz")?;
        }
    }
    if args.spram && !board.spram {
        if board.resources.spram_blocks == 0 {
            anyhow::bail!(
                "--spram: board {} ({}) has no SPRAM",
                board.name,
                board.description
            );
        }
        changes.push("the weights in SPRAM (the board file: block RAM)".to_string());
        board.spram = true;
    }
    if args.paired_banks && !board.paired_banks {
        if !board.spram {
            anyhow::bail!(
                "--paired-banks: board {} keeps its weights in block RAM; paired banks need \
                 them in SPRAM (--spram)",
                board.name
            );
        }
        changes.push("--paired-banks (the board file leaves it off)".to_string());
        board.paired_banks = true;
    }
    for (flag, on, field) in [
        ("--split-neuron", args.split_neuron, &mut board.split_neuron),
        (
            "--split-rounding",
            args.split_rounding,
            &mut board.split_rounding,
        ),
        (
            "--fixed-parameters",
            args.fixed_parameters,
            &mut board.fixed_parameters,
        ),
    ] {
        if on && !*field {
            changes.push(format!("{flag} (the board file leaves it off)"));
            *field = true;
        }
    }
    if !changes.is_empty() {
        println!("{}: built with {}", board.name, changes.join(", "));
    }
    Ok(board)
}

/// The repository root, where `constraints/` is (`--write-constraints` works in a checkout).
fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn write_constraints() -> anyhow::Result<()> {
    let dir = repository().join("constraints");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, _) in BOARDS {
        let board = Board::named(name)?;
        let path = dir.join(board.constraints_file());
        write(&path, &board.constraints())?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

fn board_build(args: &Args, name: &str) -> anyhow::Result<()> {
    let board = with_datapath(Board::named(name)?, args)?;
    let network = match &args.network {
        Some(path) => NetworkConfig::from_file(path)?,
        None => board.network_config()?,
    };
    let dir = args.out.join(&board.name);
    if args.bitstream {
        let built = build_bitstream(&board, &network, &dir)?;
        let r = &built.report;
        println!(
            "{}: logic {}/{} ({:.0} %), FF {}, RAM blocks {}/{}, SPRAM {}, DSP {}, fmax {} MHz \
             (target {} MHz, met), bitstream {} ({} bytes)",
            board.name,
            r["logic_used"],
            r["logic_total"],
            100.0 * r["logic_used"].as_f64().unwrap_or(0.0)
                / r["logic_total"].as_f64().unwrap_or(1.0),
            r["ff_used"],
            r["ram_blocks_used"],
            r["ram_blocks_total"],
            r["spram_used"],
            r["dsp_used"],
            r["fmax_mhz"],
            r["target_mhz"],
            r["bitstream"].as_str().unwrap_or(""),
            r["bitstream_bytes"]
        );
        println!("wrote {}", built.path.display());
        return Ok(());
    }
    check_fit(&board, &network)?;
    let clocks = clocks_per_bit(board.core_hz, board.baud)?;
    let generated = generate_chip(&network, core_options(&board), clocks)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write(&dir.join("spikeforge.v"), &generated.verilog)?;
    write(
        &dir.join("board.v"),
        &board_verilog(&board).map_err(anyhow::Error::msg)?,
    )?;
    write(&dir.join(board.constraints_file()), &board.constraints())?;
    println!(
        "wrote {} (spikeforge.v, board.v, {})",
        dir.display(),
        board.constraints_file()
    );
    Ok(())
}

fn flash(name: &str, bitstream: Option<&Path>, dry_run: bool) -> anyhow::Result<()> {
    let board = Board::named(name)?;
    let default = Path::new("build")
        .join(&board.name)
        .join(match board.family {
            spikeforge_hdl::board::BoardFamily::Ice40 => "board.bin",
            spikeforge_hdl::board::BoardFamily::Ecp5 => "board.bit",
        });
    let bitstream = bitstream.unwrap_or(&default);
    let command = board.flash_command(bitstream);
    if dry_run {
        println!("{}", command.join(" "));
        return Ok(());
    }
    if !bitstream.is_file() {
        anyhow::bail!(
            "no bitstream at {}; build it with `gen-verilog --board {} --bitstream`",
            bitstream.display(),
            board.name
        );
    }
    let status = std::process::Command::new(&command[0])
        .args(&command[1..])
        .status()
        .with_context(|| format!("cannot run {}", command[0]))?;
    if !status.success() {
        anyhow::bail!("{} failed with {status}", command.join(" "));
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
