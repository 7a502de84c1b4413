//! The client's timeouts (spec §7.9): the worst-case core cycles it derives from a chip's
//! identity equal the learning core's own cycle formula, computed from the network, with one
//! lane, the hidden weights in single-port SPRAM, two neuron stages and every neuron spiking,
//! and bound it for every lane count and memory. The formula is `sim`'s
//! `CoreShape::cycles_per_step`, which the RTL's `hdl::top::cycles_per_step` is and the test
//! benches hold the Verilated cores' `busy` cycles to.

use std::time::Duration;

use spikeforge_host::client::{max_phase_reset_cycles, max_step_cycles, request_time, Timing};
use spikeforge_sim::config::{NegativeMode, NetworkConfig};
use spikeforge_sim::core_interface::{CoreShape, Datapath, StepCommand};
use spikeforge_sim::wire::{Command, Identity, Space};

fn networks() -> Vec<NetworkConfig> {
    let default = NetworkConfig::default_network().expect("default network");
    let mut sees_input = default.clone();
    sees_input.classifier_sees_input = true;
    let mut self_supervised = default.clone();
    self_supervised.negatives = NegativeMode::SelfSupervised;
    let mut small = default.clone();
    small.hidden[0].size = 37;
    vec![default, sees_input, self_supervised, small]
}

#[test]
fn t_timing_bounds_match_the_core_cycle_formula() {
    for cfg in networks() {
        let id = Identity::of(&cfg);
        let hidden: Vec<u64> = cfg.hidden.iter().map(|layer| layer.size as u64).collect();
        let worst = StepCommand {
            csdp: Some(true),
            classifier_label: Some(0),
            label_input: (cfg.label_inputs() > 0).then_some(0),
        };
        let core = CoreShape::of(&cfg);
        let cycles = |lanes, single_port_weights, paired_banks, split_neuron, late_write| {
            let datapath = Datapath {
                lanes,
                single_port_weights,
                paired_banks,
                split_neuron,
                late_write,
            };
            core.cycles_per_step(datapath, cfg.inputs as u64, &hidden, &worst)
        };
        assert_eq!(
            max_step_cycles(&id),
            cycles(1, true, false, true, true),
            "{cfg:?}"
        );
        for lanes in [1, 2, 4, 8, 16] {
            for (spram, split) in [(false, false), (true, false), (false, true), (true, true)] {
                // A late write-back needs dual-port weights.
                for late in [false, !spram] {
                    for paired in [false, spram] {
                        assert!(
                            max_step_cycles(&id) >= cycles(lanes, spram, paired, split, late),
                            "{lanes} lanes, SPRAM {spram}, paired banks {paired}, split neuron \
                             {split}, late write {late}"
                        );
                    }
                }
            }
            assert!(max_phase_reset_cycles(&id) >= core.phase_reset_cycles(lanes));
        }
    }
}

#[test]
fn t_timing_request_time_adds_wire_exec_and_turnaround() {
    let cfg = NetworkConfig::default_network().expect("default network");
    let id = Identity::of(&cfg);
    let timing = Timing::default();
    let read = Command::Read {
        space: Space::HIDDEN_WEIGHT,
        start: 0,
        count: 128,
    };
    // 13 + 266 bytes (256 + 9, + 1 from 247 payload bytes, spec §7.8) at 3 Mbaud, 32 + 128 x 5 executor cycles at 12 MHz, 1 ms.
    let want = 279.0 * 10.0 / 3e6 + 672.0 / 12e6 + 1e-3;
    let got = request_time(&id, &read, 13, Some(3_000_000), &timing).as_secs_f64();
    assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    // Without a line only the chip's work and the turnaround count.
    let phase = Command::RunPhase { word: 0, steps: 40 };
    let cycles = 32 + max_phase_reset_cycles(&id) + 40 * max_step_cycles(&id);
    let want = Duration::from_secs_f64(cycles as f64 / 12e6) + timing.turnaround;
    let got = request_time(&id, &phase, 14, None, &timing);
    assert!(
        got.abs_diff(want) < Duration::from_micros(1),
        "{got:?} vs {want:?}"
    );
}
