//! [`Bench`]: a core and the golden model loaded with the same random state through the host
//! interface, stepped together phase by phase and compared on all state after every step
//! (the approach of `run_against_golden` in `hdl/src/top/learning_core/tests.rs`).

use spikeforge_hdl::top::host_interface::{state_writes, Op, StepCommand};
use spikeforge_hdl::top::{cycles_per_step, phase_reset_cycles, CoreOptions};
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::core_interface::random_state;
use spikeforge_sim::model::{Learn, Polarity};
use spikeforge_sim::network::Network;
use spikeforge_sim::rng::Xorshift32;

use crate::chip::step_command;
use crate::compare::{address, compare, Mismatch};
use crate::host::Host;
use crate::model::CoreKind;

pub use spikeforge_sim::core_interface::draw;

/// One phase: what the host sends with every `STEP` and what the golden model learns.
#[derive(Debug, Clone, Copy)]
pub struct Phase {
    /// Name used in mismatch reports.
    pub name: &'static str,
    /// The `STEP` command word's fields.
    pub command: StepCommand,
    /// The golden model's learning switches (the same meaning).
    pub learn: Learn,
}

impl Phase {
    /// Any phase: the label input `label_input` and the learning switches `learn`, named
    /// `positive` / `negative` by the CSDP polarity, else `classify` when the classifier
    /// learns, else `inference`.
    pub fn new(label_input: Option<u8>, learn: Learn) -> Self {
        let name = match (learn.csdp, learn.classifier) {
            (Some(Polarity::Positive), _) => "positive",
            (Some(Polarity::Negative), _) => "negative",
            (None, Some(_)) => "classify",
            (None, None) => "inference",
        };
        Self {
            name,
            command: step_command(label_input.map(usize::from), learn),
            learn,
        }
    }

    /// Positive CSDP toward `label`, with the label input in supervised networks, and the
    /// classifier learning `label`.
    pub fn positive(label: u8, supervised: bool) -> Self {
        Self {
            name: "positive",
            command: StepCommand {
                csdp: Some(true),
                classifier_label: Some(label),
                label_input: supervised.then_some(label),
            },
            learn: Learn {
                csdp: Some(Polarity::Positive),
                classifier: Some(usize::from(label)),
            },
        }
    }

    /// Classifier learning only: the delta rule toward `label`, no label input, no CSDP.
    pub fn classify(label: u8) -> Self {
        Self {
            name: "classify",
            command: StepCommand {
                csdp: None,
                classifier_label: Some(label),
                label_input: None,
            },
            learn: Learn {
                csdp: None,
                classifier: Some(usize::from(label)),
            },
        }
    }

    /// Negative CSDP with the wrong label `wrong` as input (supervised networks).
    pub fn negative(wrong: u8, supervised: bool) -> Self {
        Self {
            name: "negative",
            command: StepCommand {
                csdp: Some(false),
                classifier_label: None,
                label_input: supervised.then_some(wrong),
            },
            learn: Learn {
                csdp: Some(Polarity::Negative),
                classifier: None,
            },
        }
    }

    /// Inference: nothing learns.
    pub fn inference() -> Self {
        Self {
            name: "inference",
            command: StepCommand::default(),
            learn: Learn::OFF,
        }
    }
}

/// A core and the golden model holding the same state.
#[derive(Debug)]
pub struct Bench {
    /// The network of both.
    pub cfg: NetworkConfig,
    /// The golden model.
    pub net: Network,
    /// The core.
    pub host: Host,
    /// The image both encode.
    pub pixels: Vec<u8>,
    /// The generator the random state was drawn from (labels are drawn from it too).
    pub rng: Xorshift32,
    /// Spiking pixels and hidden spikes seen so far over all steps.
    pub activity: [u64; 2],
    /// How the core is built (its cycle counts depend on the lanes and the weight memory).
    pub options: CoreOptions,
}

impl Bench {
    /// A core of `kind` and its golden model, loaded through the host interface with random
    /// neuron state, threshold offsets and goodness drawn from `seed`, the model's initial
    /// weights, every parameter, anneal 1 and the generator seeds; pixels are read back and
    /// all state compared before returning.
    pub fn new(kind: &'static CoreKind, seed: u32) -> Result<Self, Mismatch> {
        let cfg = kind
            .config()
            .unwrap_or_else(|err| panic!("network of core {}: {err}", kind.name()));
        let mut rng = Xorshift32::new(seed);
        let (net, pixels) = random_state(&cfg, &mut rng);
        Self::with_state(kind, cfg, net, pixels, rng)
    }

    /// A core of `kind` loaded through the host interface with everything `net` holds
    /// (weights, neuron state, offsets, goodness, anneal, generator states), the run-time
    /// parameters of `cfg` and `pixels`; pixels are read back and all state compared before
    /// returning. `cfg` must have the core's sizes and at most its `weight_bits` (fewer bits
    /// only lower `w_max`); `rng` draws the labels of [`Bench::draw_labels`].
    pub fn with_state(
        kind: &'static CoreKind,
        cfg: NetworkConfig,
        net: Network,
        pixels: Vec<u8>,
        rng: Xorshift32,
    ) -> Result<Self, Mismatch> {
        let core = kind
            .config()
            .unwrap_or_else(|err| panic!("network of core {}: {err}", kind.name()));
        let shape = |c: &NetworkConfig| {
            (
                c.inputs,
                c.label_inputs(),
                c.hidden.iter().map(|l| l.size).collect::<Vec<_>>(),
                c.classes,
                c.classifier_sees_input,
            )
        };
        assert_eq!(
            shape(&cfg),
            shape(&core),
            "network {} (inputs, label inputs, hidden sizes, classes, classifier sees input) \
             differs from core {}",
            cfg.name,
            kind.name()
        );
        assert!(
            cfg.weight_bits <= core.weight_bits,
            "network {} has {}-bit weights, core {} stores {} bits",
            cfg.name,
            cfg.weight_bits,
            kind.name(),
            core.weight_bits
        );
        assert_eq!(pixels.len(), cfg.inputs, "pixels for network {}", cfg.name);
        let mut host = Host::new(kind);
        load(&mut host, &cfg, &net, &pixels);
        let requests: Vec<(Op, u32)> = (0..cfg.inputs)
            .map(|i| (Op::ReadPixel, address(i)))
            .collect();
        let want: Vec<u32> = pixels.iter().map(|&p| p.into()).collect();
        assert_eq!(host.reads(&requests), want, "pixels read back");
        compare(&mut host, &net, false, "after loading")?;
        Ok(Self {
            cfg,
            net,
            host,
            pixels,
            rng,
            activity: [0; 2],
            options: kind.options(),
        })
    }

    /// Whether the network has label inputs.
    pub fn supervised(&self) -> bool {
        self.cfg.label_inputs() > 0
    }

    /// A random label and a different, wrong one.
    pub fn draw_labels(&mut self) -> (u8, u8) {
        let classes = u8::try_from(self.cfg.classes)
            .unwrap_or_else(|_| panic!("{} classes exceed 8 bits", self.cfg.classes));
        let label: u8 = draw(&mut self.rng, 0, i64::from(classes) - 1);
        (label, (label + 1) % classes)
    }

    /// The phases of one learning sample, then inference: positive toward a random label
    /// (with it as the label input in supervised networks), classifier learning of it,
    /// negative with a different label, inference.
    pub fn sample_phases(&mut self) -> [Phase; 4] {
        let (label, wrong) = self.draw_labels();
        let supervised = self.supervised();
        [
            Phase::positive(label, supervised),
            Phase::classify(label),
            Phase::negative(wrong, supervised),
            Phase::inference(),
        ]
    }

    /// One sample of [`Bench::sample_phases`] (positive, classify, negative, inference), every
    /// phase the network's length, all state compared after every step; then it must have
    /// seen input spikes and spikes of the deepest hidden layer. Returns every layer's weights
    /// as they were before the sample (hidden layers first, C last). Panics naming the core
    /// and the first mismatch otherwise.
    pub fn run_sample(&mut self, core: &str) -> Vec<Vec<i16>> {
        let before = self.net.weight_matrices();
        let steps = self.cfg.steps;
        for phase in self.sample_phases() {
            self.run_phase(&phase, steps)
                .unwrap_or_else(|m| panic!("{core}: {m}"));
        }
        let [inputs, hidden] = self.activity;
        assert!(
            inputs > 0 && hidden > 0,
            "{core}: no spikes: {inputs} input, {hidden} hidden"
        );
        before
    }

    /// [`Bench::run_sample`], which must also have changed every hidden layer's weights and C.
    /// Panics naming the core and the first mismatch or the unchanged layer otherwise.
    pub fn run_checked_sample(&mut self, core: &str) {
        let before = self.run_sample(core);
        let (c, w) = before
            .split_last()
            .unwrap_or_else(|| panic!("{core}: a network without a classifier"));
        for (l, (before, layer)) in w.iter().zip(&self.net.hidden).enumerate() {
            assert_ne!(
                before, &layer.weights,
                "{core}: W of hidden[{l}] never changed"
            );
        }
        assert_ne!(c, &self.net.classifier.weights, "{core}: C never changed");
    }

    /// `PHASE_RESET`, then `steps` steps of `phase` in the core and the model; the cycles
    /// `busy` stays high and all state are compared after the reset and after every step.
    pub fn run_phase(&mut self, phase: &Phase, steps: u32) -> Result<(), Mismatch> {
        self.phase_reset(&format!("{} phase, after PHASE_RESET", phase.name))?;
        self.run_steps(phase, steps)
    }

    /// `PHASE_RESET` in the core and the model; the cycles `busy` stays high and all state
    /// are compared afterwards, reported as `when`.
    pub fn phase_reset(&mut self, when: &str) -> Result<(), Mismatch> {
        self.net.reset_phase();
        let cycles = self.host.run(Op::PhaseReset, 0);
        check_cycles(
            cycles,
            phase_reset_cycles(&self.cfg, self.options.lanes),
            when,
        )?;
        compare(&mut self.host, &self.net, true, when)
    }

    /// `steps` steps of `phase` in the core and the model, without `PHASE_RESET`; all state
    /// and the cycles `busy` stays high are compared after every step.
    pub fn run_steps(&mut self, phase: &Phase, steps: u32) -> Result<(), Mismatch> {
        for step in 0..steps {
            let when = format!("{} phase, step {step}", phase.name);
            let label_input = phase.command.label_input.map(usize::from);
            self.net.encode(&self.pixels, label_input);
            self.net.step(phase.learn);
            let cycles = self.host.run(Op::Step, phase.command.word());
            let inputs = self.net.input_spikes[..self.cfg.inputs]
                .iter()
                .filter(|&&s| s)
                .count();
            let inputs = u64::try_from(inputs).unwrap_or(u64::MAX);
            let hidden: Vec<u64> = self
                .net
                .hidden
                .iter()
                .map(|layer| layer.spike_total().into())
                .collect();
            self.activity[0] += inputs;
            // The deepest hidden layer's spikes: the comparison needs activity all through.
            self.activity[1] += hidden.last().copied().unwrap_or(0);
            // State first: a different spike changes the cycle count too, but the state
            // names the neuron.
            compare(&mut self.host, &self.net, true, &when)?;
            let want = cycles_per_step(&self.cfg, self.options, inputs, &hidden, &phase.command);
            check_cycles(cycles, want, &when)?;
        }
        Ok(())
    }

    /// Show the core new `pixels` (host writes of the pixels that changed) and encode them
    /// from the next step on.
    pub fn set_pixels(&mut self, pixels: &[u8]) {
        assert_eq!(
            pixels.len(),
            self.pixels.len(),
            "pixels for network {}",
            self.cfg.name
        );
        for (i, (old, &new)) in self.pixels.iter_mut().zip(pixels).enumerate() {
            if *old != new {
                self.host.write(Op::WritePixel, address(i), new.into());
                *old = new;
            }
        }
    }
}

/// The cycles `busy` stayed high, as a mismatch of the variable `busy cycles`.
fn check_cycles(rtl: u64, model: u64, when: &str) -> Result<(), Mismatch> {
    if rtl == model {
        return Ok(());
    }
    let wide = |x: u64| i64::try_from(x).unwrap_or(i64::MAX);
    Err(Mismatch {
        variable: "busy cycles".to_string(),
        index: 0,
        step: when.to_string(),
        rtl: wide(rtl),
        model: wide(model),
        others: 0,
    })
}

/// Write pixels, W, C, all neuron state, offsets and goodness, every parameter and the
/// generator seeds of `net` into the core.
pub fn load(host: &mut Host, cfg: &NetworkConfig, net: &Network, pixels: &[u8]) {
    for (op, addr, data) in state_writes(cfg, net, pixels) {
        host.write(op, addr, data);
    }
}
