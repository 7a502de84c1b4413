//! Read back all of a core's state over the host interface and compare it with the golden
//! model, with zero tolerance.

use std::fmt;

use spikeforge_hdl::top::host_interface::{state_address, Op, Register, StateField};
use spikeforge_sim::network::Network;

use crate::host::Host;

/// The first value in which the core and the golden model differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The variable, e.g. `W`, `hidden.tr`, `classifier.goodness`, `prediction`.
    pub variable: &'static str,
    /// Neuron or word index (0 for registers).
    pub index: usize,
    /// When it was seen, e.g. `positive phase, step 2`.
    pub step: String,
    /// The value read from the core (signed values sign-extended).
    pub rtl: i64,
    /// The golden model's value.
    pub model: i64,
    /// How many further values differ.
    pub others: usize,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}[{}] is {} in the RTL, {} in the golden model ({} more mismatches)",
            self.step, self.variable, self.index, self.rtl, self.model, self.others
        )
    }
}

impl std::error::Error for Mismatch {}

/// One value of the chip's state and where the host reads it.
#[derive(Debug)]
struct Probe {
    variable: &'static str,
    index: usize,
    op: Op,
    addr: u16,
    signed: bool,
    want: i64,
}

/// A memory address as the 16-bit `cmd_addr` (the core refuses larger memories).
pub fn address(x: usize) -> u16 {
    u16::try_from(x).unwrap_or_else(|_| panic!("address {x} exceeds 16 bits"))
}

const HIDDEN_FIELDS: [&str; 5] = [
    "hidden.v",
    "hidden.r",
    "hidden.tr",
    "hidden.h",
    "hidden.count",
];
const CLASSIFIER_FIELDS: [&str; 5] = [
    "classifier.v",
    "classifier.r",
    "classifier.tr",
    "classifier.h",
    "classifier.count",
];

/// Every piece of state the golden model holds that the chip keeps; the prediction only
/// when a step has computed it (it does not follow host writes).
fn probes(net: &Network, prediction: bool) -> Vec<Probe> {
    let mut probes = Vec::new();
    let mut add = |variable, index, op, addr, signed, want: i64| {
        probes.push(Probe {
            variable,
            index,
            op,
            addr,
            signed,
            want,
        });
    };
    for (classifier, layer) in [(false, &net.hidden[0]), (true, &net.classifier)] {
        let names = if classifier {
            CLASSIFIER_FIELDS
        } else {
            HIDDEN_FIELDS
        };
        for n in 0..layer.size() {
            let values = [
                (StateField::Membrane, true, i64::from(layer.neurons[n].v)),
                (
                    StateField::Refractory,
                    false,
                    i64::from(layer.neurons[n].refractory),
                ),
                (StateField::Trace, false, i64::from(layer.trace[n])),
                (
                    StateField::Homeostasis,
                    false,
                    i64::from(layer.homeostasis[n]),
                ),
                (StateField::Count, false, i64::from(layer.counts[n])),
            ];
            for (name, (field, signed, want)) in names.into_iter().zip(values) {
                let addr = state_address(classifier, field, n);
                add(name, n, Op::ReadState, addr, signed, want);
            }
        }
    }
    let registers = [
        (
            "hidden.theta_offset",
            Register::HiddenThetaOffset,
            true,
            i64::from(net.hidden[0].theta_offset),
        ),
        (
            "hidden.goodness",
            Register::HiddenGoodness,
            false,
            i64::from(net.hidden[0].goodness),
        ),
        (
            "classifier.theta_offset",
            Register::ClassifierThetaOffset,
            true,
            i64::from(net.classifier.theta_offset),
        ),
        (
            "classifier.goodness",
            Register::ClassifierGoodness,
            false,
            i64::from(net.classifier.goodness),
        ),
        (
            "encoder_state",
            Register::EncoderState,
            false,
            i64::from(net.encoder.state()),
        ),
        (
            "learn_state",
            Register::LearnState,
            false,
            i64::from(net.learn_rng[0].state()),
        ),
        (
            "classifier_state",
            Register::ClassifierState,
            false,
            i64::from(net.classifier_rng.state()),
        ),
    ];
    for (name, register, signed, want) in registers {
        add(name, 0, Op::ReadRegister, register as u16, signed, want);
    }
    for (i, &w) in net.hidden[0].weights.iter().enumerate() {
        add("W", i, Op::ReadHiddenWeight, address(i), true, i64::from(w));
    }
    for (i, &w) in net.classifier.weights.iter().enumerate() {
        let addr = address(i);
        add("C", i, Op::ReadClassifierWeight, addr, true, i64::from(w));
    }
    if prediction {
        let class = i64::try_from(net.prediction()).unwrap_or(i64::MAX);
        add("prediction", 0, Op::ReadPrediction, 0, false, class);
    }
    probes
}

/// Read all state back from the core (every W and C word, every neuron-state field of both
/// layers, registers 0..=6 and, with `prediction`, the prediction) and compare it with `net`;
/// the first mismatch names the variable, its index, `step` and both values.
pub fn compare(
    host: &mut Host,
    net: &Network,
    prediction: bool,
    step: &str,
) -> Result<(), Mismatch> {
    let probes = probes(net, prediction);
    let requests: Vec<(Op, u16)> = probes.iter().map(|p| (p.op, p.addr)).collect();
    let answers = host.reads(&requests);
    let mut mismatches = probes.iter().zip(&answers).filter_map(|(probe, &word)| {
        // Signed values arrive sign-extended to 32 bits.
        let rtl = if probe.signed {
            i64::from(i32::from_ne_bytes(word.to_ne_bytes()))
        } else {
            i64::from(word)
        };
        (rtl != probe.want).then_some((probe, rtl))
    });
    match mismatches.next() {
        None => Ok(()),
        Some((first, rtl)) => Err(Mismatch {
            variable: first.variable,
            index: first.index,
            step: step.to_string(),
            rtl,
            model: first.want,
            others: mismatches.count(),
        }),
    }
}
