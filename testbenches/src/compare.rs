//! Read back all of a core's state over the host interface and compare it with the golden
//! model, with zero tolerance.

use std::fmt;

use spikeforge_hdl::top::host_interface::{state_probes, Op};
use spikeforge_sim::network::Network;

use crate::host::Host;

/// The first value in which the core and the golden model differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The variable, e.g. `W`, `hidden.tr`, `classifier.goodness`, `prediction`.
    pub variable: String,
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

/// A memory address as the `cmd_addr` (the core refuses larger memories).
pub use spikeforge_sim::core_interface::memory_address as address;

/// Read all state back from the core (every W and C word, every neuron-state field of both
/// layers, registers 0..=6 and, with `prediction`, the prediction) and compare it with `net`;
/// the first mismatch names the variable, its index, `step` and both values.
pub fn compare(
    host: &mut Host,
    net: &Network,
    prediction: bool,
    step: &str,
) -> Result<(), Mismatch> {
    let probes = state_probes(net, prediction);
    let requests: Vec<(Op, u32)> = probes.iter().map(|p| (p.op, p.addr)).collect();
    let answers = host.reads(&requests);
    let mut mismatches = probes.iter().zip(&answers).filter_map(|(probe, &word)| {
        let rtl = probe.value(word);
        (rtl != probe.want).then_some((probe, rtl))
    });
    match mismatches.next() {
        None => Ok(()),
        Some((first, rtl)) => Err(Mismatch {
            variable: first.variable.clone(),
            index: first.index,
            step: step.to_string(),
            rtl,
            model: first.want,
            others: mismatches.count(),
        }),
    }
}
