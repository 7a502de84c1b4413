//! The learning core against the golden model in rust-hdl's simulator: random networks and
//! states, every phase, all state compared every step; and its synthesis.
use super::*;
use crate::memory::RamStyle;
use crate::synth::{synthesize_text, Family};
use crate::top::host_interface::{
    layer_parameter_writes, memory_address, state_probes, state_writes, LayerField, Op, ShapeError,
    StepCommand, CLASSIFIER_PARAMETERS, HIDDEN_PARAMETERS,
};
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::core_interface::{draw, random_state};
use spikeforge_sim::model::{Learn, Polarity};
use spikeforge_sim::network::Network;
use spikeforge_sim::rng::Xorshift32;

/// Passes of rust-hdl's simulator allowed per clock edge.
const SETTLE_PASSES: usize = 1_000;

/// The core driven like a host: one command per cycle, reads pipelined.
struct Host {
    core: LearningCore,
}

impl Host {
    fn new(cfg: &NetworkConfig, options: CoreOptions) -> Self {
        Self::tampered(cfg, options, |_| {})
    }

    /// The core of `cfg` built as `options` say, then changed by `tamper` (a negative
    /// control's broken core).
    fn tampered(cfg: &NetworkConfig, options: CoreOptions, tamper: fn(&mut LearningCore)) -> Self {
        let mut core = LearningCore::with_options(cfg, options)
            .unwrap_or_else(|err| panic!("{}: {err}", cfg.name));
        tamper(&mut core);
        core.connect_all();
        let mut host = Self { core };
        host.tick();
        host
    }

    /// One clock cycle with the inputs already set: they settle through the core's logic
    /// (its sub-blocks included) before the rising edge, as they would in the hardware.
    fn tick(&mut self) {
        assert!(
            simulate(&mut self.core, SETTLE_PASSES),
            "the core did not settle after its inputs changed"
        );
        self.core.clock.next = Clock { clk: true };
        assert!(
            simulate(&mut self.core, SETTLE_PASSES),
            "the core did not settle after a rising edge"
        );
        self.core.clock.next = Clock { clk: false };
        assert!(
            simulate(&mut self.core, SETTLE_PASSES),
            "the core did not settle after a falling edge"
        );
    }

    fn present(&mut self, op: Op, addr: u32, data: u32) {
        self.core.cmd_valid.next = true;
        self.core.cmd_op.next = u64::from(op.code()).into();
        self.core.cmd_addr.next = u64::from(addr).into();
        self.core.cmd_data.next = u64::from(data).into();
    }

    fn quiet(&mut self) {
        self.core.cmd_valid.next = false;
        self.core.cmd_op.next = 0u64.into();
    }

    /// A command without response (a write).
    fn write(&mut self, op: Op, addr: u32, data: u32) {
        assert!(!self.core.busy.val(), "{op:?} to {addr} while busy");
        self.present(op, addr, data);
        self.tick();
        self.quiet();
    }

    /// Reads issued back to back; each answer arrives two cycles after its command.
    fn reads(&mut self, requests: &[(Op, u32)]) -> Vec<u32> {
        assert!(!self.core.busy.val(), "reads while busy");
        let mut answers = Vec::with_capacity(requests.len());
        for i in 0..=requests.len() {
            match requests.get(i) {
                Some(&(op, addr)) => self.present(op, addr, 0),
                None => self.quiet(),
            }
            self.tick();
            // Now in the cycle after command i: the answer to command i - 1 is out.
            let valid = self.core.rsp_valid.val();
            assert_eq!(valid, i > 0, "rsp_valid one cycle after read {i}");
            if valid {
                answers.push(self.core.rsp_data.val().to_u32());
            }
        }
        self.quiet();
        answers
    }

    /// `PHASE_RESET` or `STEP`: the cycles `busy` stays high.
    fn run(&mut self, op: Op, data: u32) -> u64 {
        self.write(op, 0, data);
        let mut cycles = 0;
        while self.core.busy.val() {
            self.tick();
            cycles += 1;
            assert!(cycles < 10_000_000, "{op:?} never finished");
        }
        cycles
    }
}

/// Read every probe back from the core; the first mismatch names the variable, its index,
/// the moment and both values.
fn assert_state_matches(host: &mut Host, net: &Network, prediction: bool, when: &str) {
    let probes = state_probes(net, prediction);
    let requests: Vec<(Op, u32)> = probes.iter().map(|p| (p.op, p.addr)).collect();
    let answers = host.reads(&requests);
    let mut mismatches = probes.iter().zip(&answers).filter_map(|(probe, &word)| {
        let got = probe.value(word);
        (got != probe.want).then_some((probe, got))
    });
    if let Some((first, got)) = mismatches.next() {
        panic!(
            "{when}: {}[{}] is {got} in the core, {} in the golden model \
             ({} more mismatches)",
            first.variable,
            first.index,
            first.want,
            mismatches.count()
        );
    }
}

/// Load random state into the model and through the interface into the core, reset the
/// phase, then run a positive, a negative and an inference phase, comparing all state
/// after every step. With W in SPRAM, the RAM model also panics on a cycle that reads and
/// writes W, and makes a read of W after a write of it undefined.
fn run_against_golden(toml: &str, seed: u32, options: CoreOptions) {
    run_against_golden_after(toml, seed, options, options.fixed_parameters, |_| {});
}

/// [`run_against_golden`], with every layer's parameter then written with another value
/// (its lowest bit flipped) if `overwrite_parameters`: a core whose parameters are fixed
/// ignores those writes, so the golden model keeps the network's values.
fn run_against_golden_after(
    toml: &str,
    seed: u32,
    options: CoreOptions,
    overwrite_parameters: bool,
    tamper: fn(&mut LearningCore),
) {
    let cfg = NetworkConfig::from_toml_str(toml, "<test network>")
        .unwrap_or_else(|err| panic!("test network: {err}"));
    let mut rng = Xorshift32::new(seed);
    let (mut net, pixels) = random_state(&cfg, &mut rng);

    let mut host = Host::tampered(&cfg, options, tamper);
    for (op, addr, data) in state_writes(&cfg, &net, &pixels) {
        host.write(op, addr, data);
    }
    if overwrite_parameters {
        for (id, value) in layer_parameter_writes(&cfg) {
            host.write(Op::WriteRegister, u32::from(id), value ^ 1);
        }
    }
    let requests: Vec<(Op, u32)> = (0..cfg.inputs)
        .map(|i| (Op::ReadPixel, memory_address(i)))
        .collect();
    let want: Vec<u32> = pixels.iter().map(|&p| p.into()).collect();
    assert_eq!(host.reads(&requests), want, "pixels read back");
    assert_state_matches(&mut host, &net, false, "after loading");

    let classes = u8::try_from(cfg.classes)
        .unwrap_or_else(|_| panic!("{} classes exceed 8 bits", cfg.classes));
    let label: u8 = draw(&mut rng, 0, i64::from(classes) - 1);
    let wrong = (label + 1) % classes;
    let supervised = cfg.label_inputs() > 0;
    let phases = [
        (
            "positive",
            StepCommand {
                csdp: Some(true),
                classifier_label: Some(label),
                label_input: supervised.then_some(label),
            },
            Learn {
                csdp: Some(Polarity::Positive),
                classifier: Some(usize::from(label)),
            },
        ),
        (
            "negative",
            StepCommand {
                csdp: Some(false),
                classifier_label: None,
                label_input: supervised.then_some(wrong),
            },
            Learn {
                csdp: Some(Polarity::Negative),
                classifier: None,
            },
        ),
        ("inference", StepCommand::default(), Learn::OFF),
    ];
    let mut activity = [0usize; 2];
    for (phase, command, learn) in phases {
        net.reset_phase();
        let cycles = host.run(Op::PhaseReset, 0);
        assert_eq!(
            cycles,
            phase_reset_cycles(&cfg, options.lanes),
            "PHASE_RESET cycles"
        );
        assert_state_matches(
            &mut host,
            &net,
            true,
            &format!("{phase} phase, after PHASE_RESET"),
        );
        for step in 0..cfg.steps {
            net.encode(&pixels, command.label_input.map(usize::from));
            net.step(learn);
            let cycles = host.run(Op::Step, command.word());
            let input_events = net.input_spikes[..cfg.inputs]
                .iter()
                .filter(|&&s| s)
                .count();
            let hidden_events: Vec<u64> =
                net.hidden.iter().map(|l| l.spike_total().into()).collect();
            activity[0] += input_events;
            let last = hidden_events.last().copied().unwrap_or(0);
            activity[1] += usize::try_from(last).unwrap_or(0);
            let want = cycles_per_step(
                &cfg,
                options,
                u64::try_from(input_events).unwrap_or(0),
                &hidden_events,
                &command,
            );
            assert_eq!(cycles, want, "{phase} phase, step {step}: STEP cycles");
            assert_state_matches(
                &mut host,
                &net,
                true,
                &format!("{phase} phase, step {step}"),
            );
        }
    }
    // The comparison means something only if the network was active.
    assert!(
        activity[0] > 0 && activity[1] > 0,
        "{}: no spikes ({activity:?})",
        cfg.name
    );
}

const SUPERVISED: &str = r#"
    name = "tiny-supervised"
    inputs = 10
    classes = 3
    steps = 4
    negatives = "supervised"
    seed = 11
    weight_bits = 8
    classifier_sees_input = true
    anneal_every = 1

    [[hidden]]
    size = 7
    init_range = 127
    leak_shift = 1
    threshold = 0
    refractory = 1
    adapt_step = 3
    adapt_target = 2
    adapt_min = -30
    adapt_max = 30
    homeostasis_step = 7
    homeostasis_decay_shift = 2
    homeostasis_max = 60
    trace_shift = 2
    goodness_threshold = 131072
    learn_shift = 9
    decay_shift = 5

    [classifier]
    init_range = 90
    leak_shift = 2
    threshold = 20
    refractory = 2
    adapt_step = 2
    adapt_target = 1
    adapt_min = -10
    adapt_max = 10
    homeostasis_step = 3
    homeostasis_decay_shift = 1
    homeostasis_max = 9
    trace_shift = 1
    learn_shift = 7
    decay_shift = 3
"#;

const SELF_SUPERVISED: &str = r#"
    name = "tiny-self-supervised"
    inputs = 9
    classes = 2
    steps = 3
    negatives = "self-supervised"
    seed = 5
    weight_bits = 16
    anneal_every = 0

    [[hidden]]
    size = 6
    init_range = 30000
    leak_shift = 0
    threshold = 0
    trace_shift = 3
    goodness_threshold = 70000
    learn_shift = 8

    [classifier]
    init_range = 20000
    leak_shift = 0
    threshold = 0
    trace_shift = 2
    learn_shift = 10
"#;

const SPRAM: CoreOptions = CoreOptions {
    weights_in_spram: true,
    paired_banks: false,
    lanes: 1,
    split_neuron: false,
    split_rounding: false,
    fixed_parameters: false,
};

fn lanes(lanes: usize) -> CoreOptions {
    CoreOptions {
        lanes,
        ..CoreOptions::default()
    }
}

/// A hidden layer after the first of the test networks: its own size and parameters.
fn with_hidden_layer(toml: &str, size: usize, threshold: i32, trace_shift: u8) -> String {
    format!(
        "{toml}
        [[hidden]]
        size = {size}
        init_range = 100
        leak_shift = 1
        threshold = {threshold}
        refractory = 1
        adapt_step = 2
        adapt_target = 1
        adapt_min = -20
        adapt_max = 20
        homeostasis_step = 5
        homeostasis_decay_shift = 1
        homeostasis_max = 40
        trace_shift = {trace_shift}
        goodness_threshold = 90000
        learn_shift = 7
        decay_shift = 4
        "
    )
}

#[test]
fn supervised_core_with_two_hidden_layers_matches_golden_model() {
    let toml = with_hidden_layer(SUPERVISED, 5, 0, 1);
    run_against_golden(&toml, 0x2_1A7E, CoreOptions::default());
    run_against_golden(&toml, 0x2_1A7F, lanes(4));
}

#[test]
fn supervised_core_with_two_hidden_layers_in_spram_matches_golden_model() {
    let toml = with_hidden_layer(SUPERVISED, 6, 0, 2);
    run_against_golden(&toml, 0x2_5B4A, SPRAM);
    run_against_golden(&toml, 0x2_5B4B, CoreOptions { lanes: 2, ..SPRAM });
}

#[test]
fn cores_with_two_neuron_data_stages_match_golden_model() {
    let split = |options: CoreOptions| CoreOptions {
        split_neuron: true,
        ..options
    };
    run_against_golden(SUPERVISED, 0x5B17_0001, split(CoreOptions::default()));
    run_against_golden(SELF_SUPERVISED, 0x5B17_0002, split(lanes(4)));
    let toml = with_hidden_layer(SUPERVISED, 5, 0, 1);
    run_against_golden(&toml, 0x5B17_0003, split(SPRAM));
}

/// Parameters fixed at the network's values: the supervised network uses every feature
/// (adaptive thresholds, homeostasis, refractory periods, weight decay, every shift), with one
/// and two hidden layers, lanes, SPRAM and both splits; writes of other values to every
/// parameter id change nothing. Negative control: a core with its parameters in registers
/// takes those writes and so differs from the golden model.
#[test]
fn cores_with_fixed_parameters_ignore_their_writes_and_match_golden_model() {
    let fixed = |options: CoreOptions| CoreOptions {
        fixed_parameters: true,
        ..options
    };
    let both_splits = CoreOptions {
        split_neuron: true,
        split_rounding: true,
        ..SPRAM
    };
    run_against_golden(SUPERVISED, 0xF1ED_0001, fixed(CoreOptions::default()));
    run_against_golden(SELF_SUPERVISED, 0xF1ED_0002, fixed(lanes(4)));
    let toml = with_hidden_layer(SUPERVISED, 5, 0, 1);
    run_against_golden(&toml, 0xF1ED_0003, fixed(both_splits));
    let registers = std::panic::catch_unwind(|| {
        run_against_golden_after(
            SUPERVISED,
            0xF1ED_0001,
            CoreOptions::default(),
            true,
            |_| {},
        );
    });
    assert!(
        registers.is_err(),
        "a core with its parameters in registers ignored writes of other values"
    );
}

/// The rounding over stages 3 and 4: one lane and eight, block RAM (with the write-back in a
/// stage 5 of its own) and single-port SPRAM (in stage 4), with one and two hidden layers.
#[test]
fn cores_with_split_rounding_match_golden_model() {
    let split = |options: CoreOptions| CoreOptions {
        split_rounding: true,
        ..options
    };
    run_against_golden(SUPERVISED, 0x5B17_0011, split(CoreOptions::default()));
    run_against_golden(SELF_SUPERVISED, 0x5B17_0012, split(lanes(8)));
    let toml = with_hidden_layer(SUPERVISED, 5, 0, 1);
    run_against_golden(&toml, 0x5B17_0013, split(SPRAM));
    run_against_golden(&toml, 0x5B17_0014, split(lanes(2)));
}

#[test]
fn self_supervised_core_with_three_hidden_layers_matches_golden_model() {
    let two = with_hidden_layer(SELF_SUPERVISED, 7, 0, 2);
    let toml = with_hidden_layer(&two, 4, 0, 1);
    run_against_golden(&toml, 0x3_1A7E, CoreOptions::default());
    run_against_golden(&toml, 0x3_1A7F, lanes(8));
}

#[test]
fn supervised_core_matches_golden_model() {
    run_against_golden(SUPERVISED, 0x5EED_C0DE, CoreOptions::default());
}

#[test]
fn self_supervised_core_matches_golden_model() {
    run_against_golden(SELF_SUPERVISED, 0x5EED_F00D, CoreOptions::default());
}

#[test]
fn supervised_core_with_weights_in_spram_matches_golden_model() {
    run_against_golden(SUPERVISED, 0x5EED_C0DE, SPRAM);
}

#[test]
fn self_supervised_core_with_weights_in_spram_matches_golden_model() {
    run_against_golden(SELF_SUPERVISED, 0x5EED_F00D, SPRAM);
}

// Lanes: rows of 7 hidden and 3 classifier synapses start anywhere in the weight banks,
// end in partial groups, and 8 lanes are wider than either layer.
#[test]
fn supervised_core_with_2_lanes_matches_golden_model() {
    run_against_golden(SUPERVISED, 0x5EED_0002, lanes(2));
}

#[test]
fn supervised_core_with_4_lanes_matches_golden_model() {
    run_against_golden(SUPERVISED, 0x5EED_0004, lanes(4));
}

#[test]
fn supervised_core_with_8_lanes_matches_golden_model() {
    run_against_golden(SUPERVISED, 0x5EED_0008, lanes(8));
}

#[test]
fn self_supervised_core_with_4_lanes_matches_golden_model() {
    run_against_golden(SELF_SUPERVISED, 0x5EED_F004, lanes(4));
}

/// The iCEBreaker's weights: W and C each in two SPRAM banks by the parity of the word, so
/// that learning reads one bank while it writes back the other, one cycle per synapse. The
/// self-supervised network's layers (6 hidden neurons, 2 classes) need no extra cycle between
/// rows; the supervised network's (7 and 3) and a second hidden layer of 6 after 7 one each,
/// in the layers of odd size. The SPRAM model panics on a read and a write of one bank in a
/// cycle. Negative control: without the extra cycle the supervised network's rows meet (a
/// row's last write-back and the next row's first read in one bank).
#[test]
fn cores_with_paired_banks_match_golden_model() {
    let paired = CoreOptions {
        paired_banks: true,
        ..SPRAM
    };
    run_against_golden(SELF_SUPERVISED, 0x9A1E_0001, paired);
    run_against_golden(SUPERVISED, 0x9A1E_0002, paired);
    let icebreaker = CoreOptions {
        split_neuron: true,
        split_rounding: true,
        fixed_parameters: true,
        ..paired
    };
    let toml = with_hidden_layer(SUPERVISED, 6, 0, 2);
    run_against_golden(&toml, 0x9A1E_0003, icebreaker);
    run_against_golden(
        &with_hidden_layer(SELF_SUPERVISED, 5, 0, 1),
        0x9A1E_0004,
        paired,
    );
    let without_gaps = std::panic::catch_unwind(|| {
        run_against_golden_after(SUPERVISED, 0x9A1E_0002, paired, false, |core| {
            core.sequencer.without_row_gaps();
        });
    });
    let message = without_gaps
        .err()
        .and_then(|payload| payload.downcast::<String>().ok())
        .map(|message| *message);
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.contains("at the same clock edge")),
        "paired banks without the row gaps: {message:?}"
    );
}

#[test]
fn supervised_core_with_2_lanes_and_weights_in_spram_matches_golden_model() {
    run_against_golden(SUPERVISED, 0x5EED_C002, CoreOptions { lanes: 2, ..SPRAM });
}

/// A network whose hidden layer sums 10 weights of 4 bits: its current accumulators take
/// `4 + ceil(log2 10) = 8` bits, and the extreme sums (`10 x -8 = -80`, `10 x 7 = 70`) need
/// all of them (7 bits hold -64 to 63).
const EXTREME_SUMS: &str = r#"
    name = "extreme-sums"
    inputs = 10
    classes = 2
    steps = 2
    negatives = "self-supervised"
    seed = 3
    weight_bits = 4
    anneal_every = 0

    [[hidden]]
    size = 3
    init_range = 7
    leak_shift = 0
    threshold = 100
    trace_shift = 1
    goodness_threshold = 100
    learn_shift = 8

    [classifier]
    init_range = 7
    leak_shift = 0
    threshold = 100
    trace_shift = 1
    learn_shift = 8
"#;

#[test]
fn current_accumulators_hold_the_extreme_sums_of_a_layer() {
    let cfg = NetworkConfig::from_toml_str(EXTREME_SUMS, "<test network>")
        .unwrap_or_else(|err| panic!("test network: {err}"));
    for options in [CoreOptions::default(), lanes(4)] {
        let core = LearningCore::with_options(&cfg, options)
            .unwrap_or_else(|err| panic!("{}: {err}", cfg.name));
        let bits = core.neuron_memories.current_bits();
        assert_eq!(bits, 8, "current accumulator bits");
        for weight in [-8i16, 7] {
            // The sum needs every bit: it does not fit one bit fewer.
            let sum = 10 * i64::from(weight);
            let half = 1i64 << (bits - 2);
            assert!(sum < -half || sum >= half, "{sum} fits {} bits", bits - 1);

            let (mut net, _) = random_state(&cfg, &mut Xorshift32::new(0x5EED));
            net.hidden[0].weights.fill(weight);
            let pixels = vec![255u8; cfg.inputs];
            let mut host = Host::new(&cfg, options);
            for (op, addr, data) in state_writes(&cfg, &net, &pixels) {
                host.write(op, addr, data);
            }
            net.reset_phase();
            host.run(Op::PhaseReset, 0);
            for step in 0..cfg.steps {
                net.encode(&pixels, None);
                net.step(Learn::OFF);
                host.run(Op::Step, StepCommand::default().word());
                let when = format!("weights {weight}, {} lanes, step {step}", options.lanes);
                assert_state_matches(&mut host, &net, true, &when);
            }
            // Every pixel spiked, so the hidden currents were the extreme sums.
            assert!(
                net.input_spikes[..cfg.inputs].iter().all(|&s| s),
                "weights {weight}: not every pixel spiked"
            );
        }
    }
}

#[test]
fn refuses_lane_counts_other_than_powers_of_two_up_to_16() {
    let cfg = default_network();
    for bad in [0, 3, 12, 32] {
        let err = LearningCore::with_options(&cfg, lanes(bad)).err();
        assert_eq!(err, Some(CoreError::Lanes { lanes: bad }));
    }
    assert_eq!(
        CoreError::Lanes { lanes: 3 }.to_string(),
        "lanes = 3 is not supported: the learning core takes 1, 2, 4, 8 or 16 lanes"
    );
}

fn default_network() -> NetworkConfig {
    NetworkConfig::default_network().unwrap_or_else(|err| panic!("default network: {err}"))
}

/// The default network with supervised negatives: 10 label rows after the 64 pixel rows.
fn supervised_network() -> NetworkConfig {
    let mut cfg = default_network();
    cfg.negatives = spikeforge_sim::config::NegativeMode::Supervised;
    cfg
}

#[test]
fn default_core_synthesizes_for_ice40_and_ecp5() {
    let mut core = LearningCore::new(&default_network())
        .unwrap_or_else(|err| panic!("default network: {err}"));
    core.connect_all();
    if let Err(err) = check_all(&core) {
        panic!("rust-hdl's connection checks failed: {err:?}");
    }
    let verilog = generate_verilog(&core);
    let ice40 = synthesize_text("learning_core_ice40", &verilog, Family::Ice40);
    println!("{ice40}");
    let ecp5 = synthesize_text("learning_core_ecp5", &verilog, Family::Ecp5);
    println!("{ecp5}");
    // The weight and state memories are in block RAM, not in flip-flops (the registers and
    // counters of the sequencer take about 800).
    assert!(ice40.cells("SB_RAM40_4K") >= 42, "{ice40}");
    assert!(ice40.cells_starting("SB_DFF") < 1_500, "{ice40}");
    assert!(ecp5.cells("DP16KD") >= 10, "{ecp5}");
    assert!(ecp5.cells("TRELLIS_FF") < 1_500, "{ecp5}");
}

#[test]
fn default_core_with_weights_in_spram_fits_an_ice40_up5k() {
    let mut core = LearningCore::with_options(&default_network(), SPRAM)
        .unwrap_or_else(|err| panic!("default network: {err}"));
    core.connect_all();
    if let Err(err) = check_all(&core) {
        panic!("rust-hdl's connection checks failed: {err:?}");
    }
    let verilog = generate_verilog(&core);
    let ice40 = synthesize_text("learning_core_spram_ice40", &verilog, Family::Ice40);
    println!("{ice40}");
    // W (16,384 x 10 bits) and C (2,560 x 10 bits) in two of the UP5K's 4 SPRAMs; the other
    // memories in at most its 30 block RAMs; the logic within its 5,280 LUTs and 8 DSPs.
    assert_eq!(ice40.cells("SB_SPRAM256KA"), 2, "{ice40}");
    assert!(ice40.cells("SB_RAM40_4K") <= 30, "{ice40}");
    assert!(ice40.luts <= 5_280, "{ice40}");
    assert!(ice40.dsps <= 8, "{ice40}");
}

/// Every 16-bit layer field has one slot, the 32-bit goodness threshold two, the narrow
/// fields none; the fields read together (one group) are in different slots.
#[test]
fn parameter_layout_gives_each_group_distinct_slots() {
    for field in LayerField::ALL {
        let entries = PARAMETER_LAYOUT.iter().filter(|e| e.0 == field).count();
        let expected = match field.width() {
            32 => 2,
            16 => 1,
            _ => 0,
        };
        assert_eq!(entries, expected, "{field:?} of {} bits", field.width());
    }
    for (i, a) in PARAMETER_LAYOUT.iter().enumerate() {
        assert!(a.1 < PARAMETER_SLOTS, "{a:?}: slot out of range");
        assert!(
            usize::try_from(a.2).is_ok_and(|group| group < PARAMETER_GROUPS),
            "{a:?}: group out of range"
        );
        for b in &PARAMETER_LAYOUT[i + 1..] {
            assert!((a.1, a.2) != (b.1, b.2), "{a:?} and {b:?} share a word");
        }
    }
}

/// The core takes 1 to 4 hidden layers and refuses more, naming the count.
#[test]
fn takes_up_to_four_hidden_layers() {
    let mut cfg = default_network();
    cfg.hidden.push(cfg.hidden[0].clone());
    cfg.hidden[1].size = 40;
    assert!(LearningCore::new(&cfg).is_ok());
    cfg.hidden = vec![cfg.hidden[1].clone(); 5];
    let err = LearningCore::new(&cfg).err();
    assert_eq!(
        err,
        Some(CoreError::Shape(ShapeError::HiddenLayers { count: 5 }))
    );
    assert_eq!(
        err.map(|e| e.to_string()).unwrap_or_default(),
        "the network has 5 hidden layers; the learning core's interface addresses 1 to 4"
    );
}

#[test]
fn refuses_weight_memories_beyond_20_bit_addresses() {
    let mut cfg = supervised_network();
    cfg.inputs = 300;
    cfg.hidden[0].size = 4096;
    // (300 pixels + 10 labels) x 4,096 = 1,269,760 words.
    let err = LearningCore::new(&cfg).err();
    assert_eq!(
        err.map(|e| e.to_string()).unwrap_or_default(),
        "hidden_weights words = 1269760 is above the learning core's limit of 1048576"
    );
    // Two hidden layers whose weights fit 20-bit addresses each but not together in W:
    // (1,000 + 10) x 1,024 + (1,024 + 10) x 40 = 1,075,600 words.
    cfg.inputs = 1000;
    cfg.hidden[0].size = 1024;
    cfg.hidden.push(cfg.hidden[0].clone());
    cfg.hidden[1].size = 40;
    assert_eq!(
        LearningCore::new(&cfg).err(),
        Some(CoreError::MemoryTooLarge {
            memory: "hidden_weights",
            words: 1_075_600,
            limit: 1 << 20,
        })
    );
    // The event lists take 16-bit addresses: 65,530 pixels and 10 label inputs are 65,540
    // rows of hidden layer 0.
    let mut wide = supervised_network();
    wide.inputs = 65_530;
    wide.hidden[0].size = 8;
    let err = LearningCore::new(&wide).err();
    assert_eq!(
        err.map(|e| e.to_string()).unwrap_or_default(),
        "hidden_events would need 65540 words; the learning core's 16-bit addresses of it \
         reach 65536"
    );
    // Past 16-bit addresses, within 20: (64 + 10) x 600 + (600 + 10) x 40 = 68,800 words
    // build in block RAM, not in the UP5K's SPRAMs.
    cfg.inputs = 64;
    cfg.hidden[0].size = 600;
    let core = LearningCore::new(&cfg).unwrap_or_else(|err| panic!("68,800 weights: {err}"));
    let w = core
        .info()
        .memories
        .into_iter()
        .find(|m| m.name == "hidden_weights");
    assert_eq!(w.map(|m| m.words), Some(68_800));
    let err = LearningCore::with_options(&cfg, SPRAM).err();
    assert_eq!(
        err,
        Some(CoreError::SpramTooSmall {
            hidden_words: 68_800,
            classifier_words: 6_400,
            bits: 10,
            sprams: 6,
            banks: 1,
        })
    );
    assert_eq!(
        err.map(|e| e.to_string()).unwrap_or_default(),
        "the weights would need 6 SPRAMs: hidden_weights 68800 and classifier_weights 6400 \
         words of 10 bits, each in 1 bank(s) of whole SPRAMs; an iCE40 UltraPlus has 4 SPRAMs \
         of 16384 x 16 bits"
    );
    // Each lane's bank is a whole number of SPRAMs: 8 lanes of the supervised network's
    // 18,944 hidden and 2,560 classifier weights would take 16.
    let err =
        LearningCore::with_options(&supervised_network(), CoreOptions { lanes: 8, ..SPRAM }).err();
    assert_eq!(
        err,
        Some(CoreError::SpramTooSmall {
            hidden_words: 18_944,
            classifier_words: 2_560,
            bits: 10,
            sprams: 16,
            banks: 8,
        })
    );
}

#[test]
fn info_lists_ports_memories_and_registers() {
    let cfg = supervised_network();
    let core = LearningCore::new(&cfg).unwrap_or_else(|err| panic!("default network: {err}"));
    let info = core.info();
    assert_eq!(info.ports.len(), 8);
    let w = info.memories.iter().find(|m| m.name == "hidden_weights");
    assert_eq!(
        w,
        Some(&MemoryInfo {
            name: "hidden_weights",
            words: 74 * 256,
            banks: 1,
            width: 10,
            storage: RamStyle::Inferred,
        })
    );
    let spram = LearningCore::with_options(&cfg, SPRAM)
        .unwrap_or_else(|err| panic!("default network: {err}"))
        .info();
    let w = spram.memories.iter().find(|m| m.name == "hidden_weights");
    assert_eq!(w.map(|m| m.storage), Some(RamStyle::Ice40Spram));
    assert_eq!(info.parameters.len(), 7 + 2 + 14 + 13);
    assert!(info
        .parameters
        .iter()
        .any(|p| p.id == HIDDEN_PARAMETERS + 11 && p.name == "hidden.goodness_threshold"));
    assert!(info
        .parameters
        .iter()
        .any(|p| p.id == CLASSIFIER_PARAMETERS && p.name == "classifier.leak_shift"));
    assert!(info.memories.iter().any(|m| m.name == "parameters"));
    // Fixed parameters: neither registers nor RAMs.
    let fixed = LearningCore::with_options(
        &cfg,
        CoreOptions {
            fixed_parameters: true,
            ..SPRAM
        },
    )
    .unwrap_or_else(|err| panic!("default network: {err}"))
    .info();
    assert_eq!(fixed.parameters.len(), 7 + 2);
    assert!(fixed.memories.iter().all(|m| m.name != "parameters"));
}

#[test]
fn step_cycles_of_the_supervised_network_with_label_rows() {
    let cfg = supervised_network();
    let learning = StepCommand {
        csdp: Some(true),
        classifier_label: None,
        label_input: Some(3),
    };
    // 16 spiking pixels + the label row, 5 hidden spikes: one cycle per group, two more
    // per event row; two per group in hidden-layer learning with W in SPRAM; one per
    // neuron and three more per layer.
    let layer_h = 17 * 258 + 256 + 3;
    let layer_c = 5 * 12 + 10 + 3;
    let want = 2 * 64 + 10 + layer_h + layer_c + (17 * 258 + 2) + 2;
    assert_eq!(
        cycles_per_step(&cfg, CoreOptions::default(), 16, &[5], &learning),
        want
    );
    let spram = CoreOptions {
        weights_in_spram: true,
        ..CoreOptions::default()
    };
    let want = want + 17 * 256;
    assert_eq!(cycles_per_step(&cfg, spram, 16, &[5], &learning), want);
    // Four lanes: 64 groups per hidden row, 3 per classifier row.
    let layer_h = 17 * 66 + 256 + 3;
    let layer_c = 5 * 5 + 10 + 3;
    let want = 2 * 64 + 10 + layer_h + layer_c + (17 * 66 + 2) + 2;
    assert_eq!(cycles_per_step(&cfg, lanes(4), 16, &[5], &learning), want);
}
