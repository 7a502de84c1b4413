//! Builds one Verilator model per core variant and per chip under test and links them into
//! this crate.
//!
//! A variant is a network (a TOML under `networks/`, or the embedded default network) and the
//! [`CoreOptions`] its core is built with ([`variants`]); a chip adds the UART's clock cycles
//! per bit ([`chips`]). For each: generate the Verilog with
//! `spikeforge_hdl::generate::generate_with` (a core: ports of the host interface) or
//! `generate_chip` (a chip: `clock`, `reset`, `uart_rx`, `uart_tx`, `active`), run `verilator --cc` on
//! it (with the waivers of `hdl/verilator/waivers.vlt`, and the behavioural model
//! `verilog/SB_SPRAM256KA.v` when the Verilog instantiates the iCE40 SPRAM), read the class
//! lists of the generated `V<name>_classes.mk`, and compile the classes with the `cc` crate as
//! one translation unit per model; Verilator's runtime, `src/shim.cpp` (cores) and
//! `src/chip_shim.cpp` (chips) are compiled once, and everything is archived into one static
//! library. `$OUT_DIR/models.rs` declares the shims' functions, one [`CoreKind`](src/model.rs)
//! per core variant and one [`ChipKind`](src/model.rs) per chip for `src/model.rs`;
//! `$OUT_DIR/build-times.txt` records how long each part took.
//!
//! A gate-level chip ([`Source::Gates`]) is synthesised before it is verilated: the board
//! flow's Yosys script of a board (`spikeforge_hdl::board::flow::synth_script_of`) and
//! `write_verilog -noattr` make its netlist, which Verilator reads with Yosys's `cells_sim.v`
//! of the family as a library, this crate's models of the primitives Yosys does not model
//! ([`GATE_MODELS`]) and the gate-level waivers ([`GATE_WAIVERS`]). [`Source::Mutant`] is such
//! a netlist with one LUT changed ([`mutate`]). A missing `yosys` fails the build.
//!
//! The `VERILATOR` environment variable names the binary (default `verilator`). A missing
//! Verilator fails the build; it is installed by `scripts/install-tools.sh`.
//!
//! Under Clippy ([`checked_only`]) the crate is only checked, never linked: `models.rs`
//! declares every model as above, and nothing is generated, synthesised, verilated or
//! compiled.
//!
//! `SPIKEFORGE_WAVES=vcd` or `SPIKEFORGE_WAVES=fst` at build time verilates with `--trace` or
//! `--trace-fst` and compiles the shim with a waveform writer (FST links zlib); every model
//! instance then writes a waveform under `build/waves/` (see `src/model.rs`). Unset or empty,
//! the models carry no tracing code at all.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use spikeforge_hdl::board::flow::synth_script_of;
use spikeforge_hdl::board::{Board, BoardFamily};
use spikeforge_hdl::generate::{generate_chip, generate_with};
use spikeforge_hdl::lint::{VERILATOR_ENV, WAIVERS};
use spikeforge_hdl::top::CoreOptions;
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::wire::line::clocks_per_bit;

/// Environment variable that turns on waveform dumps: `vcd`, `fst`, or unset.
const WAVES_ENV: &str = "SPIKEFORGE_WAVES";

/// Behavioural models of vendor primitives the generated Verilog may instantiate (module
/// name, file under the crate); each is given to Verilator only for Verilog that names it.
const PRIMITIVE_MODELS: &[(&str, &str)] = &[("SB_SPRAM256KA", "verilog/SB_SPRAM256KA.v")];

/// Models of the primitives of a gate-level netlist that Yosys 0.23's `cells_sim.v` leaves
/// without behaviour (family, module name, file under the crate): ECP5's `DP16KD` (declared,
/// outputs undriven) and `MULT18X18D` (a blackbox in `cells_bb.v`). Each is given to
/// Verilator before `cells_sim.v`, which is read as a library (`-v`), so that this module is
/// the one used.
const GATE_MODELS: &[(BoardFamily, &str, &str)] = &[
    (BoardFamily::Ecp5, "DP16KD", "verilog/DP16KD.v"),
    (BoardFamily::Ecp5, "MULT18X18D", "verilog/MULT18X18D.v"),
];

/// The `-O` level of a gate-level model's C++, by family. The small chip's netlist is some
/// 5 MB of C++ that takes 45 to 90 s to compile at `-O2`, 5 s at `-O0` and 10 to 20 s at
/// `-O1`. At `-O0` the iCE40 chip's session runs as fast as at `-O2` (about 1 s), the ECP5
/// chip's (LUT RAMs and `DP16KD.v`) 25 s instead of 1 s at `-O1`.
fn gate_opt_level(family: BoardFamily) -> u32 {
    match family {
        BoardFamily::Ice40 => 0,
        BoardFamily::Ecp5 => 1,
    }
}

/// The Verilator configuration that makes the state registers of an RTL chip public, for the
/// chip shim's `tb_<name>_state` and `tb_<name>_force_state`.
const CHIP_STATES: &str = "verilog/chip_states.vlt";

/// The lint waivers of the gate-level models (netlists and Yosys's primitive models) alone.
const GATE_WAIVERS: &str = "verilog/gate_waivers.vlt";

/// A core under test.
struct Variant {
    /// Model name, a C identifier: the Verilated class is `V<name>`, the Rust static
    /// `model::<NAME>`.
    name: &'static str,
    /// The network's TOML relative to this crate, `None` for the embedded default network.
    network: Option<&'static str>,
    /// How the core is built.
    options: CoreOptions,
    /// A core at its host interface, or the whole chip at its UART pins.
    top: Top,
    /// The generated Verilog itself, or a netlist of it.
    source: Source,
}

/// What Verilog a model simulates.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The generated Verilog (RTL).
    Rtl,
    /// Yosys's gate-level netlist of the generated Verilog, synthesised with the Yosys script
    /// of the board flow for `board` (`spikeforge_hdl::board::flow::synth_script_of`: its
    /// family, device and DSPs), simulated with Yosys's models of the family's primitives
    /// (`cells_sim.v`) and this crate's where Yosys has none ([`GATE_MODELS`]).
    Gates { board: &'static str },
    /// The netlist of the gate-level model `of` with one LUT changed ([`mutate`]): the
    /// negative control, which must fail the tests `of` passes.
    Mutant { of: &'static str },
}

/// What a model's Verilog is the top of.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Top {
    /// The learning core (`generate_with`), driven over its host interface.
    Core,
    /// The chip (`generate_chip`) with a UART of this many clock cycles per bit.
    Chip { clocks_per_bit: u16 },
}

/// The cores under test. Keep each network tiny except the default one: every model costs 2-3
/// seconds of C++ (see `build-times.txt`), and the tests read back all state every step.
fn variants() -> Vec<Variant> {
    let variant = |name, network, options| Variant {
        name,
        network,
        options,
        top: Top::Core,
        source: Source::Rtl,
    };
    let block_ram = CoreOptions::default();
    let spram = CoreOptions {
        weights_in_spram: true,
        ..CoreOptions::default()
    };
    vec![
        // Supervised 10-7-3, 8-bit weights, the classifier sees the input.
        variant("small", Some("networks/small.toml"), block_ram),
        // The default network (networks/digits.toml), 64-256-10.
        variant("default", None, block_ram),
        // Self-supervised 9-6-2, 16-bit weights, the classifier sees the hidden layer only.
        variant("selfsup", Some("networks/selfsup.toml"), block_ram),
        // Supervised 16-12-4, 4-bit weights, the classifier sees the hidden layer only.
        variant("wide", Some("networks/wide.toml"), block_ram),
        // Self-supervised 1100-64-4, 8-bit weights: W of 70,400 words, past 16-bit addresses.
        variant("large", Some("networks/large.toml"), block_ram),
        // Supervised 3-1-2, 2-bit weights (w_max 1), the classifier sees the input.
        variant("tiny", Some("networks/tiny.toml"), block_ram),
        // W in one SPRAM: the small network (8-bit weights in 16-bit words).
        variant("small_spram", Some("networks/small.toml"), spram),
        // W in one SPRAM: self-supervised 13-5-4, 16-bit weights, the classifier sees the
        // input; the rounding over two stages (as the iCEBreaker's build).
        variant(
            "mixed_spram",
            Some("networks/mixed.toml"),
            split_rounding(spram),
        ),
        // W in two SPRAMs (18,944 words): the default network's supervised variant, whose
        // label rows lie in the second SPRAM.
        variant(
            "default_spram",
            Some("../networks/digits-supervised.toml"),
            spram,
        ),
        // Lanes: rows of 7 and 3 synapses in 4 banks; 12 and 4 in 2 banks; 5 and 4 in 2
        // SPRAM banks; the default network with 4 lanes, two neuron data stages and the
        // rounding over two stages (the OrangeCrab's and the ULX3S's builds).
        variant(
            "small_lanes4",
            Some("networks/small.toml"),
            lanes(block_ram, 4),
        ),
        variant(
            "wide_lanes2",
            Some("networks/wide.toml"),
            lanes(block_ram, 2),
        ),
        variant(
            "mixed_spram_lanes2",
            Some("networks/mixed.toml"),
            lanes(spram, 2),
        ),
        variant("default_lanes4", None, split(lanes(block_ram, 4))),
        // The default network with 16 lanes, two neuron data stages and the rounding over two
        // stages: the ULX3S's build with `--lanes 16`. Rows of 12 and 4 synapses in 16 banks.
        variant("default_lanes16", None, split(lanes(block_ram, 16))),
        variant(
            "wide_lanes16",
            Some("networks/wide.toml"),
            split(lanes(block_ram, 16)),
        ),
        // The networks and datapaths of the boards that do not build the default network
        // with one of the cores above (the throughput bench): the iCEBreaker's default
        // network with its weights in paired SPRAM banks, both splits and its parameters
        // fixed, the Alchitry Cu's 64 hidden neurons with both splits; the MNIST network as
        // the ULX3S builds it (4 lanes, both splits).
        variant("digits_spram", None, fixed(split(paired(spram)))),
        variant("hx8k", Some("../networks/hx8k.toml"), split(block_ram)),
        variant(
            "mnist_lanes4",
            Some("../networks/mnist.toml"),
            split(lanes(block_ram, 4)),
        ),
        // Stacked hidden layers: supervised 10-7-5-3 (each hidden layer sees the label input)
        // with 1 lane, and with 8 lanes and both splits; self-supervised
        // 9-6-5-4-2 with W (three layers' weights) in SPRAM and 2 lanes.
        variant("deep", Some("networks/deep.toml"), block_ram),
        variant(
            "deep_lanes8",
            Some("networks/deep.toml"),
            split(lanes(block_ram, 8)),
        ),
        variant(
            "deep3_spram_lanes2",
            Some("networks/deep3.toml"),
            lanes(spram, 2),
        ),
        // Paired SPRAM banks (one learning cycle per synapse): the mixed network (5 hidden
        // neurons, odd: a cycle more after each learning row; 4 classes, even: none) with the
        // rounding over two stages, and the three hidden layers of 6, 5 and 4 and 2 classes.
        variant(
            "mixed_spram_paired",
            Some("networks/mixed.toml"),
            split_rounding(paired(spram)),
        ),
        variant(
            "deep3_spram_paired",
            Some("networks/deep3.toml"),
            paired(spram),
        ),
        // Gate level: the small network's core with W and C in paired SPRAM banks and its
        // parameters fixed, synthesised as the iCEBreaker's build synthesises (iCE40 UP5K,
        // DSPs). Its layers (7 hidden neurons, 3 classes) take the extra cycle between rows.
        Variant {
            source: Source::Gates {
                board: "icebreaker",
            },
            ..variant(
                "gate_core_ice40",
                Some("networks/small.toml"),
                fixed(paired(spram)),
            )
        },
    ]
}

/// The chips under test, at their UART pins. Each costs about as much C++ as its core.
fn chips() -> BuildResult<Vec<Variant>> {
    // 12 MHz at 3 Mbaud: 4 cycles per bit, the fastest bit time the UART takes.
    let clocks_per_bit =
        clocks_per_bit(12_000_000, 3_000_000).map_err(|e| format!("12 MHz at 3 Mbaud: {e}"))?;
    let chip = |name, network| Variant {
        name,
        network,
        options: CoreOptions::default(),
        top: Top::Chip { clocks_per_bit },
        source: Source::Rtl,
    };
    let gates = |name, options, source| Variant {
        name,
        network: Some("networks/small.toml"),
        options,
        top: Top::Chip { clocks_per_bit },
        source,
    };
    let spram = CoreOptions {
        weights_in_spram: true,
        ..CoreOptions::default()
    };
    Ok(vec![
        // The small network (supervised 10-7-3): the random-frame tests.
        chip("chip_small", Some("networks/small.toml")),
        // The default network (64-256-10), W in block RAM: the session tests and throughput.
        chip("chip_default", None),
        // Two hidden layers (supervised 10-7-5-3): the random-frame tests of the stacked
        // spaces, state addresses and register ids.
        chip("chip_deep", Some("networks/deep.toml")),
        // The MNIST network (784-384-10, W of 301,056 words) as the ULX3S builds it: 4 lanes,
        // both splits. Its W reaches past the wire's 16-bit addresses: the host's MNIST
        // training over the UART (`--port cosim`).
        Variant {
            options: split(lanes(CoreOptions::default(), 4)),
            ..chip("chip_mnist", Some("../networks/mnist.toml"))
        },
        // Gate level: the small network's chip synthesised as the iCEBreaker's build
        // synthesises (iCE40 UP5K, DSPs, W and C in paired SPRAM banks, parameters fixed)
        // and as the ULX3S's
        // (ECP5, parameters in registers), and the
        // iCE40 netlist with one LUT changed. Each costs a Yosys run (about 40 s) and about
        // 45 s of C++.
        gates(
            "gate_ice40",
            fixed(paired(spram)),
            Source::Gates {
                board: "icebreaker",
            },
        ),
        gates(
            "gate_ecp5",
            CoreOptions::default(),
            Source::Gates { board: "ulx3s-85f" },
        ),
        gates(
            "gate_ice40_mutant",
            fixed(paired(spram)),
            Source::Mutant { of: "gate_ice40" },
        ),
    ])
}

/// `options` with the layers' parameters fixed at the network's values (as the iCEBreaker).
fn fixed(options: CoreOptions) -> CoreOptions {
    CoreOptions {
        fixed_parameters: true,
        ..options
    }
}

/// `options` with the weights in paired banks (as the iCEBreaker).
fn paired(options: CoreOptions) -> CoreOptions {
    CoreOptions {
        paired_banks: true,
        ..options
    }
}

/// `options` with `n` lanes.
fn lanes(options: CoreOptions, n: usize) -> CoreOptions {
    CoreOptions {
        lanes: n,
        ..options
    }
}

/// `options` with two neuron data stages and the rounding over two stages (as the ULX3S).
fn split(options: CoreOptions) -> CoreOptions {
    CoreOptions {
        split_neuron: true,
        ..split_rounding(options)
    }
}

/// `options` with the rounding over two stages (as the iCEBreaker).
fn split_rounding(options: CoreOptions) -> CoreOptions {
    CoreOptions {
        split_rounding: true,
        ..options
    }
}

/// Which waveform writer the models are built with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Waves {
    Off,
    Vcd,
    Fst,
}

impl Waves {
    fn from_env() -> BuildResult<Self> {
        match std::env::var(WAVES_ENV).unwrap_or_default().as_str() {
            "" => Ok(Waves::Off),
            "vcd" => Ok(Waves::Vcd),
            "fst" => Ok(Waves::Fst),
            other => Err(format!(
                "{WAVES_ENV}={other:?}: expected \"vcd\", \"fst\", or unset for no waveforms"
            )),
        }
    }

    /// The Verilator option that adds the tracing code.
    fn verilator_option(self) -> Option<&'static str> {
        match self {
            Waves::Off => None,
            Waves::Vcd => Some("--trace"),
            Waves::Fst => Some("--trace-fst"),
        }
    }

    /// `SPIKEFORGE_WAVES` for `src/shim.cpp`: 0 off, 1 VCD, 2 FST.
    fn code(self) -> &'static str {
        match self {
            Waves::Off => "0",
            Waves::Vcd => "1",
            Waves::Fst => "2",
        }
    }

    /// The file extension, as the Rust side's `WAVES` constant.
    fn rust(self) -> &'static str {
        match self {
            Waves::Off => "None",
            Waves::Vcd => "Some(\"vcd\")",
            Waves::Fst => "Some(\"fst\")",
        }
    }
}

type BuildResult<T> = Result<T, String>;

fn main() {
    if let Err(message) = run() {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run() -> BuildResult<()> {
    println!("cargo:rerun-if-changed=build.rs");
    for shim in ["src/shim.cpp", "src/chip_shim.cpp", "src/harness.h"] {
        println!("cargo:rerun-if-changed={shim}");
    }
    println!("cargo:rerun-if-env-changed={VERILATOR_ENV}");
    println!("cargo:rerun-if-env-changed={WAVES_ENV}");
    let out_dir = PathBuf::from(env("OUT_DIR")?);
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let verilator = std::env::var(VERILATOR_ENV).unwrap_or_else(|_| "verilator".to_string());
    let waves = Waves::from_env()?;
    let mut models_rs = format!(
        "/// The waveform format the models were built with (`SPIKEFORGE_WAVES`), `None` for \
         none.\npub const WAVES: Option<&str> = {};\n",
        waves.rust()
    );
    let all: Vec<Variant> = variants().into_iter().chain(chips()?).collect();
    if checked_only() {
        let (mut core_statics, mut chip_statics) = (Vec::new(), Vec::new());
        for variant in &all {
            let (cfg, toml_path) = network(variant, &manifest_dir)?;
            models_rs.push_str(&declarations(
                variant,
                &cfg.name,
                toml_path.as_deref(),
                "not built: the crate was only checked (cargo clippy)",
            ));
            match variant.top {
                Top::Core => core_statics.push(static_of(variant.name)),
                Top::Chip { .. } => chip_statics.push(static_of(variant.name)),
            }
        }
        models_rs.push_str(&model_lists(&core_statics, &chip_statics));
        return write(&out_dir.join("models.rs"), &models_rs);
    }
    let root = verilator_root(&verilator)?;
    let include = root.join("include");

    let waivers = out_dir.join("waivers.vlt");
    write(&waivers, WAIVERS)?;

    let mut jobs = Vec::new();
    let mut runtime = Vec::new();
    let mut times = String::new();
    // Per shim: the model directories on its include path, its `.inc` and the statics.
    let mut cores = Shim::default();
    let mut chips_shim = Shim::default();
    // The gate-level models' netlists so far: model name, family, file.
    let mut netlists: Vec<(&str, BoardFamily, PathBuf)> = Vec::new();
    // Every synthesis starts first: Yosys runs beside the verilation of the models before its
    // own, on a core of its own.
    let mut syntheses = Vec::new();
    for variant in &all {
        if let Source::Gates { board } = variant.source {
            let name = variant.name;
            let (cfg, _) = network(variant, &manifest_dir)?;
            let board = Board::named(board).map_err(|e| format!("model {name}: {e}"))?;
            let dir = out_dir.join(format!("{name}-yosys"));
            let synthesis = Synthesis::start(board, &generate(variant, &cfg)?, &dir)
                .map_err(|e| format!("model {name}: {e}"))?;
            syntheses.push((name, synthesis));
        }
    }
    for variant in all {
        let name = variant.name;
        let (cfg, toml_path) = network(&variant, &manifest_dir)?;
        let started = Instant::now();
        let generated = generate(&variant, &cfg)?;
        let verilog = out_dir.join(format!("{name}.v"));
        write(&verilog, &generated)?;
        let generated_at = Instant::now();
        let mut yosys_seconds = None;
        let mut gate_family = None;
        let (input, description) = match variant.source {
            Source::Rtl => {
                let mut sources = vec![waivers.clone()];
                if let Top::Chip { .. } = variant.top {
                    let states = manifest_dir.join(CHIP_STATES);
                    println!("cargo:rerun-if-changed={}", states.display());
                    sources.push(states);
                }
                for &(module, file) in PRIMITIVE_MODELS {
                    let path = manifest_dir.join(file);
                    println!("cargo:rerun-if-changed={}", path.display());
                    if generated.contains(&format!("{module} ")) {
                        sources.push(path);
                    }
                }
                sources.push(verilog);
                (
                    VerilatorInput {
                        sources,
                        options: Vec::new(),
                    },
                    "the generated Verilog (RTL)".to_string(),
                )
            }
            Source::Gates { .. } => {
                let at = syntheses
                    .iter()
                    .position(|(started, _)| *started == name)
                    .ok_or_else(|| format!("model {name}: its synthesis was not started"))?;
                let (_, synthesis) = syntheses.swap_remove(at);
                let board = synthesis.board.clone();
                let (netlist, seconds) = synthesis
                    .finish()
                    .map_err(|e| format!("model {name}: {e}"))?;
                yosys_seconds = Some(seconds);
                gate_family = Some(board.family);
                netlists.push((name, board.family, netlist.clone()));
                (
                    gate_input(board.family, &netlist, &manifest_dir)?,
                    format!(
                        "the Yosys netlist of board {}'s synthesis script ({}, {})",
                        board.name,
                        board.family.name(),
                        board.device
                    ),
                )
            }
            Source::Mutant { of } => {
                let (_, family, original) = netlists
                    .iter()
                    .find(|(built, _, _)| *built == of)
                    .ok_or_else(|| {
                        format!(
                            "model {name}: the gate-level model {of} comes after it or is missing"
                        )
                    })?
                    .clone();
                gate_family = Some(family);
                let text = std::fs::read_to_string(&original)
                    .map_err(|e| format!("cannot read {}: {e}", original.display()))?;
                let (mutated, change) = mutate(&text)
                    .map_err(|e| format!("model {name}: {}: {e}", original.display()))?;
                let dir = out_dir.join(format!("{name}-yosys"));
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let netlist = dir.join("netlist.v");
                write(&netlist, &mutated)?;
                (
                    gate_input(family, &netlist, &manifest_dir)?,
                    format!("the netlist of {of} with {change}"),
                )
            }
        };
        let synthesized_at = Instant::now();
        let mdir = out_dir.join(name);
        verilate(&verilator, name, &input, &mdir, waves)?;
        let yosys = match yosys_seconds {
            Some(seconds) => format!(
                ", yosys {seconds:.1} s (from the start, {:.1} s waited for)",
                (synthesized_at - generated_at).as_secs_f64()
            ),
            None => String::new(),
        };
        let _ = writeln!(
            times,
            "{name}: generate {:.1} s{yosys}, verilator --cc {:.1} s",
            (generated_at - started).as_secs_f64(),
            synthesized_at.elapsed().as_secs_f64()
        );
        let model = model_sources(name, &mdir, &include)?;
        for file in model.global {
            if !runtime.contains(&file) {
                runtime.push(file);
            }
        }
        let job = Job {
            label: format!("{name}: C++"),
            files: vec![unity_file(name, &mdir, &model.classes)?],
            includes: vec![mdir.clone()],
            opt_level: gate_family.map_or(2, gate_opt_level),
        };
        // The netlists, the longest compilations, go first so that the others fill the gaps.
        match gate_family {
            None => jobs.push(job),
            Some(_) => jobs.insert(0, job),
        }
        models_rs.push_str(&declarations(
            &variant,
            &cfg.name,
            toml_path.as_deref(),
            &description,
        ));
        let shim = match variant.top {
            Top::Core => &mut cores,
            Top::Chip { .. } => &mut chips_shim,
        };
        shim.add(name, mdir, variant.top, variant.source);
    }
    models_rs.push_str(&model_lists(&cores.statics, &chips_shim.statics));
    write(&out_dir.join("models.rs"), &models_rs)?;
    for (shim, source, inc) in [
        (cores, "src/shim.cpp", "models.inc"),
        (chips_shim, "src/chip_shim.cpp", "chips.inc"),
    ] {
        write(&out_dir.join(inc), &shim.inc)?;
        let mut includes = shim.model_dirs;
        includes.push(out_dir.clone());
        jobs.push(Job {
            label: format!("{source}: C++"),
            files: vec![manifest_dir.join(source)],
            includes,
            opt_level: 2,
        });
    }
    jobs.push(Job {
        label: "Verilator runtime: C++".to_string(),
        files: runtime,
        includes: Vec::new(),
        opt_level: 2,
    });

    let started = Instant::now();
    let compiled = compile_all(&jobs, &include, waves).map_err(|e| match waves {
        Waves::Fst => format!(
            "{e}\nFST waveforms need zlib's header (Debian zlib1g-dev, installed by \
             scripts/install-tools.sh)"
        ),
        Waves::Off | Waves::Vcd => e,
    })?;
    let mut objects = Vec::new();
    for (job, (job_objects, seconds)) in jobs.iter().zip(compiled) {
        let _ = writeln!(times, "{} {seconds:.1} s", job.label);
        objects.extend(job_objects);
    }
    cc::Build::new()
        .cpp(true)
        .objects(&objects)
        .try_compile("spikeforge_verilated")
        .map_err(|e| format!("archiving the Verilated models: {e}"))?;
    if waves == Waves::Fst {
        // Verilator's FST writer compresses with zlib.
        println!("cargo:rustc-link-lib=z");
    }
    let _ = writeln!(
        times,
        "all C++ ({} jobs at a time): {:.1} s",
        parallel_jobs(),
        started.elapsed().as_secs_f64()
    );
    write(&out_dir.join("build-times.txt"), &times)
}

/// Whether the crate is only checked, never linked: under Clippy, which Cargo runs for the
/// workspace's crates as their `RUSTC_WORKSPACE_WRAPPER` (`clippy-driver`) and names to build
/// scripts in that variable. `cargo clippy` then needs `models.rs` only; building the models
/// would repeat about five minutes of Yosys, Verilator and C++ that `cargo build` and
/// `cargo test` do in their own build directory.
fn checked_only() -> bool {
    std::env::var_os("RUSTC_WORKSPACE_WRAPPER").is_some_and(|wrapper| {
        Path::new(&wrapper)
            .file_stem()
            .is_some_and(|stem| stem == "clippy-driver")
    })
}

/// The Rust declarations of `variant`'s model (`models.rs`), whose network is `network` (from
/// `toml`, `None` for the embedded default) and whose Verilog is `description`.
fn declarations(
    variant: &Variant,
    network: &str,
    toml: Option<&Path>,
    description: &str,
) -> String {
    match variant.top {
        Top::Core => rust_declarations(variant.name, network, toml, &variant.options, description),
        Top::Chip { clocks_per_bit } => chip_declarations(
            variant.name,
            network,
            toml,
            &variant.options,
            clocks_per_bit,
            variant.source == Source::Rtl,
            description,
        ),
    }
}

/// The Rust static of model `name`, as `ALL` and `CHIPS` list it.
fn static_of(name: &str) -> String {
    format!("&{}", name.to_uppercase())
}

/// `models.rs`'s lists of every core and every chip, in the order of `build.rs`.
fn model_lists(cores: &[String], chips: &[String]) -> String {
    format!(
        "\n/// Every core built into this crate, in the order of `build.rs`.\n\
         pub static ALL: &[&CoreKind] = &[{}];\n\
         \n/// Every chip built into this crate, in the order of `build.rs`.\n\
         pub static CHIPS: &[&ChipKind] = &[{}];\n",
        cores.join(", "),
        chips.join(", ")
    )
}

/// What one shim is compiled with: the directories of its models, its `.inc` (one
/// `#include "V<name>.h"` and one `SPIKEFORGE_MODEL(<name>)` / `SPIKEFORGE_CHIP(<name>)` per
/// model) and the Rust statics of its models.
#[derive(Default)]
struct Shim {
    model_dirs: Vec<PathBuf>,
    inc: String,
    statics: Vec<String>,
}

impl Shim {
    fn add(&mut self, name: &str, mdir: PathBuf, top: Top, source: Source) {
        let macro_name = match top {
            Top::Core => "SPIKEFORGE_MODEL",
            Top::Chip { .. } => "SPIKEFORGE_CHIP",
        };
        let _ = writeln!(self.inc, "#include \"V{name}.h\"\n{macro_name}({name})");
        // An RTL chip's state registers (`CHIP_STATES`), through its root class.
        if let (Top::Chip { .. }, Source::Rtl) = (top, source) {
            let _ = writeln!(
                self.inc,
                "#include \"V{name}___024root.h\"\nSPIKEFORGE_CHIP_STATES({name})"
            );
        }
        self.model_dirs.push(mdir);
        self.statics.push(static_of(name));
    }
}

/// C++ files compiled together into objects, timed as one entry of `build-times.txt`.
struct Job {
    label: String,
    files: Vec<PathBuf>,
    includes: Vec<PathBuf>,
    /// The compiler's `-O` level.
    opt_level: u32,
}

/// Compilers to run at once: Cargo's `NUM_JOBS` (its `-j`), at least 1.
fn parallel_jobs() -> usize {
    std::env::var("NUM_JOBS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1usize)
        .max(1)
}

/// Compile every job into objects, `parallel_jobs()` jobs at a time; for each job, in order,
/// its objects and the seconds it took.
fn compile_all(
    jobs: &[Job],
    include: &Path,
    waves: Waves,
) -> BuildResult<Vec<(Vec<PathBuf>, f64)>> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(vec![None; jobs.len()]);
    std::thread::scope(|scope| {
        for _ in 0..parallel_jobs().min(jobs.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let started = Instant::now();
                let result = cxx(include, &job.includes, waves, job.opt_level)
                    .files(&job.files)
                    .try_compile_intermediates()
                    .map(|objects| (objects, started.elapsed().as_secs_f64()))
                    .map_err(|e| format!("compiling {}: {e}", job.label));
                if let Ok(mut results) = results.lock() {
                    results[i] = Some(result);
                }
            });
        }
    });
    let results = results
        .into_inner()
        .map_err(|_| "a compiler thread panicked".to_string())?;
    results
        .into_iter()
        .zip(jobs)
        .map(|(result, job)| {
            result.unwrap_or_else(|| Err(format!("{} was not compiled", job.label)))
        })
        .collect()
}

/// The compiler settings of every translation unit: C++17, `-O<opt_level>`, Verilator's
/// headers and `includes` on the include path, the tracing switches of `waves`.
fn cxx(include: &Path, includes: &[PathBuf], waves: Waves, opt_level: u32) -> cc::Build {
    let flag = |on: bool| if on { "1" } else { "0" };
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .std("c++17")
        .opt_level(opt_level)
        .debug(false)
        // Verilated code is not ours to fix; its warnings would drown the build log.
        .warnings(false)
        .include(include)
        .include(include.join("vltstd"))
        .define("VM_COVERAGE", "0")
        .define("VM_SC", "0")
        .define("VM_TRACE", flag(waves != Waves::Off))
        .define("VM_TRACE_FST", flag(waves == Waves::Fst))
        .define("VM_TRACE_VCD", flag(waves == Waves::Vcd))
        .define("SPIKEFORGE_WAVES", waves.code())
        .flag_if_supported("-faligned-new");
    for dir in includes {
        build.include(dir);
    }
    build
}

/// `V<name>__ALL.cpp` in `mdir`: one translation unit that includes every class of the model,
/// as Verilator's own makefile builds it, so that its headers are parsed once, not per class.
fn unity_file(name: &str, mdir: &Path, classes: &[PathBuf]) -> BuildResult<PathBuf> {
    let mut text = String::from("// Generated by build.rs: every class of the model.\n");
    for class in classes {
        let file = class
            .file_name()
            .ok_or_else(|| format!("{} has no file name", class.display()))?;
        let _ = writeln!(text, "#include \"{}\"", file.to_string_lossy());
    }
    let path = mdir.join(format!("V{name}__ALL.cpp"));
    write(&path, &text)?;
    Ok(path)
}

fn env(name: &str) -> BuildResult<String> {
    std::env::var(name).map_err(|e| format!("{name}: {e}"))
}

fn write(path: &Path, text: &str) -> BuildResult<()> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Run `verilator` with `args` and return what it printed (stdout, stderr); that output
/// becomes the error when it fails.
fn verilator_output(verilator: &str, args: &[&std::ffi::OsStr]) -> BuildResult<(String, String)> {
    let output = Command::new(verilator).args(args).output().map_err(|e| {
        format!("cannot run {verilator} ({e}); install Verilator with scripts/install-tools.sh")
    })?;
    if !output.status.success() {
        return Err(format!(
            "{verilator} {} failed with {}:\n{}{}",
            args.iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" "),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok((
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

/// Verilator's installation root (its runtime sources are in `include/`).
fn verilator_root(verilator: &str) -> BuildResult<PathBuf> {
    let (root, _) = verilator_output(verilator, &["--getenv".as_ref(), "VERILATOR_ROOT".as_ref()])?;
    let root = PathBuf::from(root.trim());
    let runtime = root.join("include/verilated.cpp");
    if !runtime.is_file() {
        return Err(format!(
            "{verilator} reports VERILATOR_ROOT {} but {} does not exist",
            root.display(),
            runtime.display()
        ));
    }
    Ok(root)
}

/// What `verilator --cc` reads for one model.
struct VerilatorInput {
    /// Waivers, primitive models, then the Verilog of `top`.
    sources: Vec<PathBuf>,
    /// Options before the sources (a gate-level model's library, include path and defines).
    options: Vec<std::ffi::OsString>,
}

/// The network of `variant` and its TOML (`None` for the embedded default network).
fn network(
    variant: &Variant,
    manifest_dir: &Path,
) -> BuildResult<(NetworkConfig, Option<PathBuf>)> {
    let name = variant.name;
    match variant.network {
        Some(relative) => {
            let path = manifest_dir.join(relative);
            println!("cargo:rerun-if-changed={}", path.display());
            let cfg =
                NetworkConfig::from_file(&path).map_err(|e| format!("network {name}: {e}"))?;
            Ok((cfg, Some(path)))
        }
        None => Ok((
            NetworkConfig::default_network().map_err(|e| format!("default network: {e}"))?,
            None,
        )),
    }
}

/// The Verilog of `variant`'s core or chip for `cfg`.
fn generate(variant: &Variant, cfg: &NetworkConfig) -> BuildResult<String> {
    match variant.top {
        Top::Core => generate_with(cfg, variant.options),
        Top::Chip { clocks_per_bit } => generate_chip(cfg, variant.options, clocks_per_bit),
    }
    .map(|generated| generated.verilog)
    .map_err(|e| format!("model {}: {e}", variant.name))
}

/// A Yosys run making a gate-level netlist, started and not yet waited for.
struct Synthesis {
    board: Board,
    dir: PathBuf,
    child: std::process::Child,
    started: Instant,
}

impl Synthesis {
    /// Start synthesising `verilog` (top module `top`) in `dir` with the board flow's Yosys
    /// script of `board` (`synth_script_of`, the passes `gen-verilog --board` runs before
    /// nextpnr), then `write_verilog -noattr netlist.v`. The script is `dir/synth.ys`, Yosys's
    /// log `dir/yosys.log`.
    fn start(board: Board, verilog: &str, dir: &Path) -> BuildResult<Self> {
        if dir.exists() {
            std::fs::remove_dir_all(dir)
                .map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
        }
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        write(&dir.join("design.v"), verilog)?;
        let script = format!(
            "{}write_verilog -noattr netlist.v\n",
            synth_script_of(&board, &["design.v"], "top", "")
        );
        write(&dir.join("synth.ys"), &script)?;
        let child = Command::new("yosys")
            .args(["-q", "-l", "yosys.log", "synth.ys"])
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| {
                format!("cannot run yosys ({e}); install it with scripts/install-tools.sh")
            })?;
        Ok(Self {
            board,
            dir: dir.to_path_buf(),
            child,
            started: Instant::now(),
        })
    }

    /// Wait for Yosys: the netlist, and the seconds since the start.
    fn finish(mut self) -> BuildResult<(PathBuf, f64)> {
        let status = self
            .child
            .wait()
            .map_err(|e| format!("waiting for yosys in {}: {e}", self.dir.display()))?;
        let log = self.dir.join("yosys.log");
        if !status.success() {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let error = text
                .lines()
                .rev()
                .find(|line| line.contains("ERROR"))
                .unwrap_or("no ERROR line");
            return Err(format!(
                "yosys {}/synth.ys failed with {status}: {error}; see {}",
                self.dir.display(),
                log.display()
            ));
        }
        let netlist = self.dir.join("netlist.v");
        if !netlist.is_file() {
            return Err(format!(
                "yosys {}/synth.ys wrote no netlist; see {}",
                self.dir.display(),
                log.display()
            ));
        }
        Ok((netlist, self.started.elapsed().as_secs_f64()))
    }
}

/// Yosys's data directory (`+/` in its scripts): `share/yosys` beside the `bin/` of the
/// `yosys` on `PATH`, as Yosys finds it itself.
fn yosys_datdir() -> BuildResult<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let binary = std::env::split_paths(&path)
        .map(|dir| dir.join("yosys"))
        .find(|candidate| candidate.is_file())
        .ok_or("no yosys on PATH; install it with scripts/install-tools.sh")?;
    let binary = binary
        .canonicalize()
        .map_err(|e| format!("cannot resolve {}: {e}", binary.display()))?;
    let datdir = binary
        .parent()
        .and_then(Path::parent)
        .map(|prefix| prefix.join("share/yosys"))
        .ok_or_else(|| format!("{} has no installation prefix", binary.display()))?;
    if !datdir.join("ice40/cells_sim.v").is_file() {
        return Err(format!(
            "yosys is {} but {} has no ice40/cells_sim.v",
            binary.display(),
            datdir.display()
        ));
    }
    Ok(datdir)
}

/// What Verilator reads for the gate-level `netlist` of `family`: the gate-level waivers,
/// this crate's models of the family's primitives that Yosys does not model
/// ([`GATE_MODELS`]), the netlist; Yosys's `cells_sim.v` of the family as a library (`-v`:
/// only the modules the netlist instantiates and the models above do not define are taken),
/// its directory on the include path (ECP5's includes `cells_ff.vh`, `cells_io.vh`), the iCE40
/// ports without their default values (`NO_ICE40_DEFAULT_ASSIGNMENTS`: Verilator 5.006 does
/// not parse them, and the netlist connects every input), and a timescale for the netlist,
/// which has none while `cells_sim.v` has one.
fn gate_input(
    family: BoardFamily,
    netlist: &Path,
    manifest_dir: &Path,
) -> BuildResult<VerilatorInput> {
    let datdir = yosys_datdir()?;
    let family_dir = datdir.join(family.name());
    let mut sources = vec![manifest_dir.join(GATE_WAIVERS)];
    println!(
        "cargo:rerun-if-changed={}",
        manifest_dir.join(GATE_WAIVERS).display()
    );
    for &(model_family, _, file) in GATE_MODELS {
        let path = manifest_dir.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        if model_family == family {
            sources.push(path);
        }
    }
    sources.push(netlist.to_path_buf());
    let mut options: Vec<std::ffi::OsString> = vec![
        "--timescale".into(),
        "1ps/1ps".into(),
        format!("-I{}", family_dir.display()).into(),
        "-v".into(),
        family_dir.join("cells_sim.v").into(),
    ];
    if family == BoardFamily::Ice40 {
        options.push("-DNO_ICE40_DEFAULT_ASSIGNMENTS".into());
    }
    Ok(VerilatorInput { sources, options })
}

/// The negative control's change to an iCE40 netlist, and a description of it. The LUT that
/// computes the UART transmitter's next line level (the `D` of the flip-flop whose `Q` is
/// `transmitter.line_low.q`: low for a 0 data bit, high for a 1 and for the stop bit) gets the
/// bit of its `LUT_INIT` flipped for the row where its input `transmitter.shift.q [0]` (the
/// data bit going out) is 1 and its other inputs are 0 or their constant
/// (`O = LUT_INIT[{I3, I2, I1, I0}]`). The mutant then sends a 1 data bit as 0 with the start
/// and stop bits intact: its first answer's first byte arrives with its 1 bits cleared.
/// The cells are found by the registers' names, which come from the RTL, not by Yosys's
/// instance names (a register's output net is `NAME.q` or, where ABC maps the flip-flops
/// too, `NAME$q`); a netlist in which that LUT does not read the data bit fails the build.
fn mutate(netlist: &str) -> BuildResult<(String, String)> {
    // The registers' output nets in the netlist's naming.
    let dollar = netlist.contains(".Q(\\transmitter.line_low$q )");
    let (line, data_bit) = if dollar {
        ("\\transmitter.line_low$q ", "\\transmitter.shift$q [0]")
    } else {
        ("\\transmitter.line_low.q ", "\\transmitter.shift.q [0]")
    };
    // The text of the iCE40 cell around byte `at`: from its type to its closing `);`.
    let cell_around = |at: usize| -> BuildResult<(usize, usize)> {
        let start = netlist[..at]
            .rfind("\n  SB_")
            .map(|i| i + 1)
            .ok_or("no iCE40 cell before the line register")?;
        let end = at + netlist[at..].find(");").ok_or("a cell does not end")?;
        Ok((start, end))
    };
    let q = netlist
        .find(&format!(".Q({line})"))
        .ok_or_else(|| format!("no flip-flop has Q {line}"))?;
    let (start, end) = cell_around(q)?;
    let flip_flop = &netlist[start..end];
    let d = flip_flop
        .find(".D(")
        .map(|i| &flip_flop[i + 3..])
        .and_then(|rest| rest.split_once(')'))
        .map(|(net, _)| net)
        .ok_or_else(|| format!("the flip-flop of {line} has no D: {flip_flop}"))?;
    let o = netlist
        .find(&format!(".O({d})"))
        .ok_or_else(|| format!("no cell drives {d}, the D of {line}"))?;
    let (start, end) = cell_around(o)?;
    let cell = &netlist[start..end];
    let init_at = cell
        .find(".LUT_INIT(16'h")
        .map(|i| i + ".LUT_INIT(16'h".len())
        .ok_or_else(|| format!("{d} is not driven by an SB_LUT4: {cell}"))?;
    let init_text = cell.get(init_at..init_at + 4).unwrap_or("");
    let init = u16::from_str_radix(init_text, 16)
        .map_err(|e| format!("LUT_INIT 16'h{init_text} of the LUT of {d}: {e}"))?;
    let mut row = 0u32;
    let mut reads_data_bit = false;
    for input in 0..4 {
        let pin = format!(".I{input}(");
        let at = cell
            .find(&pin)
            .ok_or_else(|| format!("the LUT of {d} has no input I{input}: {cell}"))?;
        let net = &cell[at + pin.len()..];
        if net.starts_with(data_bit) || net.starts_with("1'h1") {
            reads_data_bit |= net.starts_with(data_bit);
            row |= 1 << input;
        }
    }
    if !reads_data_bit {
        return Err(format!("the LUT of {d} does not read {data_bit}: {cell}"));
    }
    let name = cell
        .split(") ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or("?")
        .to_string();
    let mutated_init = init ^ (1 << row);
    let mutated_cell = cell.replacen(
        &format!(".LUT_INIT(16'h{init_text})"),
        &format!(".LUT_INIT(16'h{mutated_init:04x})"),
        1,
    );
    let text = format!("{}{mutated_cell}{}", &netlist[..start], &netlist[end..]);
    let change = format!(
        "bit {row} of LUT {name} (the transmitter's next line level) flipped: LUT_INIT \
         16'h{init_text} -> 16'h{mutated_init:04x}, a 1 data bit goes out as 0"
    );
    Ok((text, change))
}

/// `verilator --cc` of `input` (its options, then its sources: waivers, primitive models, then
/// the Verilog; top module `top`) into `mdir`, classes prefixed `V<name>`, with tracing code
/// when `waves` is on.
fn verilate(
    verilator: &str,
    name: &str,
    input: &VerilatorInput,
    mdir: &Path,
    waves: Waves,
) -> BuildResult<()> {
    if mdir.exists() {
        std::fs::remove_dir_all(mdir)
            .map_err(|e| format!("cannot clear {}: {e}", mdir.display()))?;
    }
    let prefix = format!("V{name}");
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "--cc".as_ref(),
        "-O2".as_ref(),
        "--top-module".as_ref(),
        "top".as_ref(),
        "--prefix".as_ref(),
        prefix.as_ref(),
        "-Mdir".as_ref(),
        mdir.as_os_str(),
    ];
    if let Some(option) = waves.verilator_option() {
        args.push(option.as_ref());
    }
    args.extend(input.options.iter().map(|o| o.as_os_str()));
    args.extend(input.sources.iter().map(|s| s.as_os_str()));
    let (stdout, stderr) = verilator_output(verilator, &args)?;
    write(&mdir.join("verilator.log"), &format!("{stdout}{stderr}"))
}

/// The C++ files of model `name` from the class lists of `V<name>_classes.mk`: the generated
/// classes (`VM_CLASSES_*`, `VM_SUPPORT_*`, in `mdir`) and the runtime's global classes
/// (`VM_GLOBAL_*`, in Verilator's `include`; linked once however many models list them).
fn model_sources(name: &str, mdir: &Path, include: &Path) -> BuildResult<ModelSources> {
    let classes_mk = mdir.join(format!("V{name}_classes.mk"));
    let text = std::fs::read_to_string(&classes_mk)
        .map_err(|e| format!("cannot read {}: {e}", classes_mk.display()))?;
    let mut sources = ModelSources::default();
    let mut list = None;
    for line in text.lines().map(str::trim) {
        if let Some((variable, _)) = line.split_once("+=") {
            list = match variable.trim() {
                "VM_CLASSES_FAST" | "VM_CLASSES_SLOW" | "VM_SUPPORT_FAST" | "VM_SUPPORT_SLOW" => {
                    Some(false)
                }
                "VM_GLOBAL_FAST" | "VM_GLOBAL_SLOW" => Some(true),
                _ => None,
            };
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            list = None;
            continue;
        }
        let Some(global) = list else { continue };
        let class = line.trim_end_matches('\\').trim();
        if class.is_empty() {
            continue;
        }
        let file = if global { include } else { mdir }.join(format!("{class}.cpp"));
        if !file.is_file() {
            return Err(format!(
                "{} lists {class}, but {} does not exist",
                classes_mk.display(),
                file.display()
            ));
        }
        if global {
            sources.global.push(file);
        } else {
            sources.classes.push(file);
        }
    }
    if sources.classes.is_empty() {
        return Err(format!("{} lists no classes", classes_mk.display()));
    }
    Ok(sources)
}

/// C++ files to compile for one model.
#[derive(Debug, Default)]
struct ModelSources {
    /// Generated classes of the model.
    classes: Vec<PathBuf>,
    /// Verilator runtime files.
    global: Vec<PathBuf>,
}

/// The shim's functions for model `name` and its `CoreKind` constant.
fn rust_declarations(
    name: &str,
    network: &str,
    toml: Option<&Path>,
    options: &CoreOptions,
    description: &str,
) -> String {
    let constant = name.to_uppercase();
    let toml = match toml {
        Some(path) => format!("Some(include_str!({:?}))", path.display().to_string()),
        None => "None".to_string(),
    };
    // `CoreOptions`' `Debug` text is its struct literal (public fields of literal types).
    let options = format!("{options:?}");
    format!(
        r#"
extern "C" {{
    fn tb_{name}_new() -> *mut c_void;
    fn tb_{name}_delete(shim: *mut c_void);
    fn tb_{name}_set_inputs(shim: *mut c_void, clock: u8, cmd_valid: u8, cmd_op: u8, cmd_addr: u32, cmd_data: u32);
    fn tb_{name}_eval(shim: *mut c_void);
    fn tb_{name}_outputs(shim: *const c_void, rsp_valid: *mut u8, rsp_data: *mut u32, busy: *mut u8);
    fn tb_{name}_open_waves(shim: *mut c_void, path: *const c_char) -> u8;
}}

/// The Verilated core of network `{network}`, built with `{options}` (model `V{name}`):
/// {description}.
pub static {constant}: CoreKind = CoreKind {{
    name: "{name}",
    toml: {toml},
    options: {options},
    functions: Functions {{
        new: tb_{name}_new,
        delete: tb_{name}_delete,
        set_inputs: tb_{name}_set_inputs,
        eval: tb_{name}_eval,
        outputs: tb_{name}_outputs,
        open_waves: tb_{name}_open_waves,
    }},
}};
"#
    )
}

/// The chip shim's functions for chip `name` and its `ChipKind` constant.
fn chip_declarations(
    name: &str,
    network: &str,
    toml: Option<&Path>,
    options: &CoreOptions,
    clocks_per_bit: u16,
    states: bool,
    description: &str,
) -> String {
    let constant = name.to_uppercase();
    let (state_functions, states) = if states {
        (
            format!(
                "\n    fn tb_{name}_state(shim: *mut c_void, machine: u8) -> u8;\n    \
                 fn tb_{name}_force_state(shim: *mut c_void, machine: u8, encoding: u8) -> u8;"
            ),
            format!(
                "Some(StateFunctions {{ state: tb_{name}_state, force_state: \
                 tb_{name}_force_state }})"
            ),
        )
    } else {
        (String::new(), "None".to_string())
    };
    let toml = match toml {
        Some(path) => format!("Some(include_str!({:?}))", path.display().to_string()),
        None => "None".to_string(),
    };
    let options = format!("{options:?}");
    format!(
        r#"
extern "C" {{
    fn tb_{name}_new() -> *mut c_void;
    fn tb_{name}_delete(shim: *mut c_void);
    fn tb_{name}_cycle(shim: *mut c_void, uart_rx: u8, reset: u8, uart_tx: *mut u8, active: *mut u8);
    fn tb_{name}_open_waves(shim: *mut c_void, path: *const c_char) -> u8;{state_functions}
}}

/// The Verilated chip of network `{network}` at its UART pins, its core built with
/// `{options}`, {clocks_per_bit} clock cycles per bit (model `V{name}`): {description}.
pub static {constant}: ChipKind = ChipKind {{
    name: "{name}",
    toml: {toml},
    options: {options},
    clocks_per_bit: {clocks_per_bit},
    functions: ChipFunctions {{
        new: tb_{name}_new,
        delete: tb_{name}_delete,
        cycle: tb_{name}_cycle,
        open_waves: tb_{name}_open_waves,
        states: {states},
    }},
}};
"#
    )
}
