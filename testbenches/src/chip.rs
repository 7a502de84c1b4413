//! [`Chip`]: a core behind [`spikeforge_sim::model::Model`], so that the training loop of
//! `spikeforge_sim::train` (`learn_sample`, `evaluate`) drives it over the host interface
//! exactly as it drives the golden model.

use std::cell::RefCell;

use spikeforge_hdl::top::host_interface::{
    CoreShape, LayerId, Op, Register, StateField, StepCommand,
};
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::model::{Fnv1a, Learn, Model, PhaseResult, Polarity};
use spikeforge_sim::network::Network;

use crate::compare::address;
use crate::golden::load;
use crate::host::Host;
use crate::model::CoreKind;

/// A core loaded as a fresh [`Network`] of its config (weights from the WeightInit stream,
/// every parameter at anneal 0, the chip generators' seeds), driven phase by phase.
#[derive(Debug)]
pub struct Chip {
    /// The core (in a cell: [`Model::weights_digest`] reads it through `&self`).
    pub host: RefCell<Host>,
    cfg: NetworkConfig,
    pixels: Vec<u8>,
    steps: u64,
}

impl Chip {
    /// A core of `kind` holding the initial state of `Network::new` of its network.
    pub fn new(kind: &'static CoreKind) -> Self {
        let cfg = kind
            .config()
            .unwrap_or_else(|err| panic!("network of core {}: {err}", kind.name()));
        let net = Network::new(&cfg);
        let pixels = vec![0u8; cfg.inputs];
        let mut host = Host::new(kind);
        load(&mut host, &cfg, &net, &pixels);
        Self {
            host: RefCell::new(host),
            cfg,
            pixels,
            steps: 0,
        }
    }

    /// `STEP` commands issued so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The hidden weights W, then the classifier weights C, read back from the core.
    pub fn weights(&self) -> (Vec<i16>, Vec<i16>) {
        let words = |host: &mut Host, op: Op, n: usize| -> Vec<i16> {
            let requests: Vec<(Op, u32)> = (0..n).map(|i| (op, address(i))).collect();
            host.reads(&requests)
                .into_iter()
                // Weights arrive sign-extended to 32 bits: the low half is the value.
                .map(|w| i16::from_ne_bytes((w as u16).to_ne_bytes()))
                .collect()
        };
        let cfg = &self.cfg;
        let shape = CoreShape::of(cfg);
        let w_words = shape.weight_words(LayerId::hidden(0));
        let c_words = shape.weight_words(LayerId::CLASSIFIER);
        let host = &mut *self.host.borrow_mut();
        let w = words(host, Op::ReadWeight(LayerId::hidden(0)), w_words);
        let c = words(host, Op::ReadWeight(LayerId::CLASSIFIER), c_words);
        (w, c)
    }
}

/// The `STEP` word for one phase's label input and learning switches.
pub fn step_command(label_input: Option<usize>, learn: Learn) -> StepCommand {
    let label = |k: usize| u8::try_from(k).unwrap_or_else(|_| panic!("label {k} exceeds 8 bits"));
    StepCommand {
        csdp: learn.csdp.map(|p| p == Polarity::Positive),
        classifier_label: learn.classifier.map(label),
        label_input: label_input.map(label),
    }
}

impl Model for Chip {
    fn config(&self) -> &NetworkConfig {
        &self.cfg
    }

    /// Write the pixels that changed, `PHASE_RESET`, `steps` × `STEP`, then `READ_PREDICTION`;
    /// the spikes per layer are the sums of the neurons' phase counts read back.
    fn run_phase(
        &mut self,
        pixels: &[u8],
        label_input: Option<usize>,
        learn: Learn,
    ) -> PhaseResult {
        let host = self.host.get_mut();
        for (i, (old, &new)) in self.pixels.iter_mut().zip(pixels).enumerate() {
            if *old != new {
                host.write(Op::WritePixel, address(i), new.into());
                *old = new;
            }
        }
        host.run(Op::PhaseReset, 0);
        let word = step_command(label_input, learn).word();
        for _ in 0..self.cfg.steps {
            host.run(Op::Step, word);
        }
        self.steps += u64::from(self.cfg.steps);
        let prediction = host.read(Op::ReadPrediction, 0) as usize;
        let shape = CoreShape::of(&self.cfg);
        let layer_spikes = shape
            .layers()
            .map(|layer| {
                let requests: Vec<(Op, u32)> = (0..shape.size(layer))
                    .map(|n| {
                        (
                            Op::ReadState,
                            shape.state_address(layer, StateField::Count, n).into(),
                        )
                    })
                    .collect();
                host.reads(&requests).into_iter().map(u64::from).sum()
            })
            .collect();
        PhaseResult {
            prediction,
            layer_spikes,
        }
    }

    fn weights_digest(&self) -> u64 {
        let (w, c) = self.weights();
        let mut hash = Fnv1a::new();
        for x in w.iter().chain(&c) {
            hash.write(&x.to_le_bytes());
        }
        hash.finish()
    }

    fn layer_sizes(&self) -> Vec<usize> {
        vec![self.cfg.hidden[0].size, self.cfg.classes]
    }

    fn set_anneal(&mut self, halvings: u8) {
        self.host.get_mut().write(
            Op::WriteRegister,
            Register::Anneal.id().into(),
            halvings.into(),
        );
    }
}
