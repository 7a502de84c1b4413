//! From a network to Verilog: build the learning core, run rust-hdl's connection checks, emit
//! the Verilog and a JSON description (ports, memories, registers, cycles per step, the
//! resolved network) for tools and for `gen-verilog`.

use rust_hdl::prelude::*;
use serde_json::{json, Value};
use spikeforge_sim::config::NetworkConfig;

use crate::sync_reset::{thread_reset, ResetError};
use crate::top::host_interface::{CoreShape, StepCommand};
use crate::top::{
    cycles_per_step, phase_reset_cycles, ChipTop, CoreError, CoreOptions, LearningCore,
};

/// The generated core.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Verilog of the core; the top module is `top`.
    pub verilog: String,
    /// What `spikeforge.json` holds.
    pub description: Value,
}

/// Why no Verilog was generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The network does not fit the learning core.
    #[error("network {name:?} cannot be generated: {cause}")]
    Core {
        /// Network name.
        name: String,
        /// The limit it exceeds.
        cause: CoreError,
    },
    /// rust-hdl's connection checks failed.
    #[error("rust-hdl's connection checks failed for network {name:?}: {message}")]
    Connections {
        /// Network name.
        name: String,
        /// What the checks reported.
        message: String,
    },
    /// The chip's reset could not be threaded into the Verilog rust-hdl emitted.
    #[error("network {name:?}: the chip's reset: {cause}")]
    Reset {
        /// Network name.
        name: String,
        /// The module it could not reach.
        cause: ResetError,
    },
}

/// The cycle count of one time step as a formula (see [`cycles_per_step`]).
pub const CYCLES_FORMULA: &str = "2*N_in + L + sum over hidden layers l of ([E_l*(G(N_l)+2) + \
     N_l + 3 + s] + csdp*[E_l*(u*G(N_l)+2+g(N_l)) + 2]) + [E_c*(G(K)+2) + K + 3 + s] + \
     classifier_learn*[E_c*(u*G(K)+2+g(K)) + 1] + (2+r)*(csdp or classifier_learn)";

/// Verilog of one LIF lane (the `LifUpdate` next-state block), for its resource figure.
pub fn lif_lane_verilog() -> String {
    let mut lane = crate::neuron::LifUpdate::new();
    lane.connect_all();
    generate_verilog(&lane)
}

/// Build the core for `cfg` with every memory in block RAM, check its connections and emit
/// Verilog and description.
pub fn generate(cfg: &NetworkConfig) -> Result<Generated, GenerateError> {
    generate_with(cfg, CoreOptions::default())
}

/// [`generate`] with the core built as `options` say (e.g. the hidden weights in iCE40
/// UltraPlus SPRAM); the description records the options.
pub fn generate_with(
    cfg: &NetworkConfig,
    options: CoreOptions,
) -> Result<Generated, GenerateError> {
    let mut core =
        LearningCore::with_options(cfg, options).map_err(|cause| GenerateError::Core {
            name: cfg.name.clone(),
            cause,
        })?;
    core.connect_all();
    check_all(&core).map_err(|e| GenerateError::Connections {
        name: cfg.name.clone(),
        message: format!("{e:?}"),
    })?;
    let verilog = generate_verilog(&core);
    Ok(Generated {
        verilog,
        description: describe(cfg, options, &core),
    })
}

/// The whole chip for `cfg` at its pins ([`ChipTop`]: UART, receive FIFO, frame engine,
/// learning core built as `options` say) with `clocks_per_bit` cycles per UART bit: Verilog
/// (top module `top`, ports `clock`, `uart_rx`, `uart_tx`, `active` and the synchronous
/// `reset` that [`thread_reset`] threads into every register) and the core's description
/// with the UART's bit time added.
pub fn generate_chip(
    cfg: &NetworkConfig,
    options: CoreOptions,
    clocks_per_bit: u16,
) -> Result<Generated, GenerateError> {
    let core_error = |cause| GenerateError::Core {
        name: cfg.name.clone(),
        cause,
    };
    let mut chip = ChipTop::new(cfg, options, clocks_per_bit).map_err(core_error)?;
    chip.connect_all();
    check_all(&chip).map_err(|e| GenerateError::Connections {
        name: cfg.name.clone(),
        message: format!("{e:?}"),
    })?;
    let threaded = thread_reset(&generate_verilog(&chip)).map_err(|e| GenerateError::Reset {
        name: cfg.name.clone(),
        cause: e,
    })?;
    let verilog = threaded.verilog;
    let core = LearningCore::with_options(cfg, options).map_err(core_error)?;
    let mut description = describe(cfg, options, &core);
    description["chip"] = json!({
        "ports": ["clock", "reset", "uart_rx", "uart_tx", "active"],
        "reset": {
            "registers": threaded.registers,
            "memories_kept": threaded.memories,
        },
        "clocks_per_bit": clocks_per_bit,
        "rx_fifo_bytes": spikeforge_sim::wire::RX_FIFO_BYTES,
        "protocol_version": spikeforge_sim::wire::PROTOCOL_VERSION,
    });
    Ok(Generated {
        verilog,
        description,
    })
}

fn describe(cfg: &NetworkConfig, options: CoreOptions, core: &LearningCore) -> Value {
    let info = core.info();
    let shape = CoreShape::of(cfg);
    let hidden: Vec<u64> = shape.hidden.iter().map(|&n| n as u64).collect();
    let learning = StepCommand {
        csdp: Some(true),
        classifier_label: Some(0),
        label_input: (shape.label_inputs > 0).then_some(0),
    };
    let inference = StepCommand {
        csdp: None,
        classifier_label: None,
        label_input: None,
    };
    let all_inputs = shape.inputs as u64;
    json!({
        "generator": format!("spikeforge-hdl {}", env!("CARGO_PKG_VERSION")),
        "top": "top",
        "lanes": options.lanes,
        "options": {
            "weights_in_spram": options.weights_in_spram,
            "paired_banks": options.paired_banks,
            "lanes": options.lanes,
            "split_neuron": options.split_neuron,
            "split_rounding": options.split_rounding,
            "fixed_parameters": options.fixed_parameters,
        },
        "ports": info.ports.iter().map(|p| json!({
            "name": p.name, "direction": p.direction, "width": p.width
        })).collect::<Vec<_>>(),
        "memories": info.memories.iter().map(|m| json!({
            "name": m.name, "words": m.words, "banks": m.banks, "width": m.width,
            "bits": m.words * m.width,
            "storage": m.storage.name(),
        })).collect::<Vec<_>>(),
        "memory_bits": info.memories.iter().map(|m| m.words * m.width).sum::<usize>(),
        "registers": info.parameters.iter().map(|p| json!({
            "id": p.id, "name": p.name, "width": p.width, "access": p.access
        })).collect::<Vec<_>>(),
        "cycles": {
            "per_step_formula": CYCLES_FORMULA,
            "symbols": "G(n) = ceil(n / lanes); u = 2 with the weights in SPRAM without paired \
                        banks, else 1; g(n) = 1 with paired banks if n is not a multiple of \
                        2 lanes, else 0; \
                        s = 3 with the neuron's words registered, two neuron data stages and two \
                        adaptation cycles (split_neuron), else 0; r = 1 with learning's \
                        write-back in a stage of its own (split_rounding with block RAM \
                        weights), else 0; \
                        N_in inputs, L label inputs, N_l neurons of hidden layer l, K classes, \
                        E_l event rows of hidden layer l (spiking rows of the layer before it, \
                        then the label input), E_c spiking classifier rows",
            "phase_reset": phase_reset_cycles(cfg, options.lanes),
            "inference_step_no_spikes": cycles_per_step(cfg, options, 0, &[], &inference),
            "learning_step_worst_case": cycles_per_step(cfg, options, all_inputs, &hidden, &learning),
        },
        "network": cfg,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_network_generates_with_description() {
        let cfg = NetworkConfig::default_network().expect("default network");
        let generated = generate(&cfg).expect("default network generates");
        assert!(generated.verilog.contains("module top("));
        let d = &generated.description;
        assert_eq!(d["network"]["name"], "digits");
        assert_eq!(d["lanes"], 1);
        let weights = d["memories"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["name"] == "hidden_weights"))
            .expect("hidden_weights memory");
        // 64 pixel rows (self-supervised: no label rows) of 256 neurons.
        assert_eq!(weights["words"], 64 * 256);
        assert_eq!(weights["storage"], "inferred");
        assert_eq!(d["options"]["weights_in_spram"], false);
        assert!(d["cycles"]["learning_step_worst_case"].as_u64() > Some(0));
    }

    const SPRAM: CoreOptions = CoreOptions {
        weights_in_spram: true,
        paired_banks: false,
        lanes: 1,
        split_neuron: false,
        split_rounding: false,
        fixed_parameters: false,
    };

    #[test]
    fn default_network_generates_with_weights_in_spram() {
        let cfg = NetworkConfig::default_network().expect("default network");
        let generated = generate_with(&cfg, SPRAM).expect("default network generates");
        // 64 x 256 hidden weights: one SPRAM of 16,384 words; 256 x 10 classifier weights in
        // a second.
        assert_eq!(generated.verilog.matches("SB_SPRAM256KA spram_").count(), 2);
        let d = &generated.description;
        assert_eq!(d["options"]["weights_in_spram"], true);
        let storage: Vec<(&str, &str)> = d["memories"]
            .as_array()
            .expect("memories")
            .iter()
            .filter_map(|m| Some((m["name"].as_str()?, m["storage"].as_str()?)))
            .filter(|&(_, storage)| storage != "inferred")
            .collect();
        assert_eq!(
            storage,
            [
                ("hidden_weights", "ice40_spram"),
                ("classifier_weights", "ice40_spram")
            ]
        );
    }

    #[test]
    fn refuses_weights_beyond_four_sprams() {
        let cfg = NetworkConfig::default_network().expect("default network");
        // Two lanes: two banks of W and two of C, one SPRAM each.
        generate_with(&cfg, CoreOptions { lanes: 2, ..SPRAM }).expect("two lanes fit");
        let options = CoreOptions { lanes: 4, ..SPRAM };
        let err = generate_with(&cfg, options).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "network \"digits\" cannot be generated: the weights would need 8 SPRAMs: \
                 hidden_weights 16384 and classifier_weights 2560 words of 10 bits, each in 4 \
                 bank(s) of whole SPRAMs; an iCE40 UltraPlus has 4 SPRAMs of 16384 x 16 bits"
            )
        );
    }

    #[test]
    fn paired_banks_take_twice_the_sprams_and_need_them() {
        let cfg = NetworkConfig::default_network().expect("default network");
        let paired = CoreOptions {
            paired_banks: true,
            ..SPRAM
        };
        // W in two banks of 8,192 words, C in two of 1,280: one SPRAM each.
        let generated = generate_with(&cfg, paired).expect("paired banks fit with one lane");
        assert_eq!(generated.verilog.matches("SB_SPRAM256KA spram_").count(), 4);
        let d = &generated.description;
        assert_eq!(d["options"]["paired_banks"], true);
        let weights = d["memories"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["name"] == "hidden_weights"))
            .expect("hidden_weights memory");
        assert_eq!(weights["banks"], 2);
        // Learning takes one cycle per group: the worst step is the dual-port one's.
        let dual = generate_with(&cfg, CoreOptions::default()).expect("block RAM");
        assert_eq!(
            d["cycles"]["learning_step_worst_case"],
            dual.description["cycles"]["learning_step_worst_case"]
        );
        let err = generate_with(&cfg, CoreOptions { lanes: 2, ..paired })
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(
                |e| e.contains("would need 8 SPRAMs") && e.contains("each in 4 bank(s)")
            ),
            "{err:?}"
        );
        let err = generate_with(
            &cfg,
            CoreOptions {
                weights_in_spram: false,
                ..paired
            },
        )
        .err()
        .map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("paired_banks needs the weights in SPRAM")),
            "{err:?}"
        );
    }

    #[test]
    fn default_core_passes_verilator_lint() {
        assert_lints_clean(CoreOptions::default(), "block-ram");
    }

    #[test]
    fn default_core_with_weights_in_spram_passes_verilator_lint() {
        assert_lints_clean(SPRAM, "spram");
    }

    #[test]
    fn default_core_with_paired_banks_passes_verilator_lint() {
        assert_lints_clean(
            CoreOptions {
                paired_banks: true,
                split_rounding: true,
                split_neuron: true,
                fixed_parameters: true,
                ..SPRAM
            },
            "paired-banks",
        );
    }

    #[test]
    fn four_lane_core_passes_verilator_lint() {
        assert_lints_clean(
            CoreOptions {
                lanes: 4,
                ..CoreOptions::default()
            },
            "lanes-4",
        );
    }

    fn assert_lints_clean(options: CoreOptions, name: &str) {
        let cfg = NetworkConfig::default_network().expect("default network");
        let generated = generate_with(&cfg, options).expect("default network generates");
        assert_verilog_lints_clean(&generated.verilog, name);
    }

    /// Verilator's lint of `verilog` (top module `top`) passes; `name` tells the runs apart.
    fn assert_verilog_lints_clean(verilog: &str, name: &str) {
        let dir =
            std::env::temp_dir().join(format!("spikeforge-gen-lint-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("spikeforge.v");
        std::fs::write(&path, verilog).expect("write verilog");
        let result = crate::lint::lint(&path, "top");
        std::fs::remove_dir_all(&dir).expect("clean up");
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
    }

    /// The core of 2 and 3 hidden layers generates lint-clean Verilog with every layer's
    /// registers, and so does the chip at its pins.
    #[test]
    fn generates_cores_and_chips_of_stacked_hidden_layers() {
        let default = NetworkConfig::default_network().expect("default network");
        for layers in [2, 3] {
            let mut cfg = default.clone();
            cfg.hidden = vec![default.hidden[0].clone(); layers];
            for (layer, size) in cfg.hidden.iter_mut().zip([16, 12, 8]) {
                layer.size = size;
            }
            let generated = generate(&cfg).unwrap_or_else(|e| panic!("{layers} layers: {e}"));
            let names: Vec<&str> = generated.description["registers"]
                .as_array()
                .expect("registers")
                .iter()
                .filter_map(|r| r["name"].as_str())
                .collect();
            let last = format!("hidden[{}].learn_shift", layers - 1);
            assert!(names.contains(&last.as_str()), "{last} in {names:?}");
            assert_verilog_lints_clean(&generated.verilog, &format!("{layers}-hidden-layers"));
            let chip = generate_chip(&cfg, CoreOptions::default(), 4)
                .unwrap_or_else(|e| panic!("the chip of {layers} layers: {e}"));
            assert_eq!(chip.description["network"]["hidden"], json!(cfg.hidden));
            assert_verilog_lints_clean(&chip.verilog, &format!("{layers}-hidden-layers-chip"));
        }
    }
}
