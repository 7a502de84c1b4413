//! What the training loop needs from a model: the fixed-point golden model and the float
//! reference both implement [`Model`], so one loop drives either.

use crate::config::NetworkConfig;

/// Which goodness target the CSDP engines of the hidden layers learn toward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    /// A real sample: raise goodness (label 1).
    Positive,
    /// A negative sample: lower goodness (label 0).
    Negative,
}

/// What a phase learns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Learn {
    /// CSDP in the hidden layers, toward this polarity; `None` leaves them fixed.
    pub csdp: Option<Polarity>,
    /// The classifier's delta rule toward this class; `None` leaves it fixed.
    pub classifier: Option<usize>,
}

impl Learn {
    /// Inference: no weight changes.
    pub const OFF: Learn = Learn {
        csdp: None,
        classifier: None,
    };
}

/// Outcome of one phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseResult {
    /// The classifier's prediction.
    pub prediction: usize,
    /// Spikes per layer during the phase (hidden layers, then the classifier).
    pub layer_spikes: Vec<u64>,
}

/// A network that runs phases of `steps` time steps.
pub trait Model {
    /// The network it runs.
    fn config(&self) -> &NetworkConfig;
    /// Reset neuron state, run one phase on `pixels` (0..=255) with an optional label input.
    fn run_phase(&mut self, pixels: &[u8], label_input: Option<usize>, learn: Learn)
        -> PhaseResult;
    /// A digest of every weight (FNV-1a, 64-bit), to check determinism.
    fn weights_digest(&self) -> u64;
    /// Neurons per layer (hidden layers, then the classifier).
    fn layer_sizes(&self) -> Vec<usize>;
    /// Lower every learning rate by `halvings` factors of two from the configured value.
    fn set_anneal(&mut self, halvings: u8);
}

/// The digest of [`Model::weights_digest`] of a fixed-point model's weight matrices, given in
/// the golden model's order (hidden layers, then the classifier): FNV-1a of every weight's
/// little-endian bytes.
pub fn digest_weights<'a>(matrices: impl IntoIterator<Item = &'a [i16]>) -> u64 {
    let mut hash = Fnv1a::new();
    for &w in matrices.into_iter().flatten() {
        hash.write(&w.to_le_bytes());
    }
    hash.finish()
}

/// 64-bit FNV-1a hash.
#[derive(Debug, Clone)]
pub struct Fnv1a(u64);

impl Fnv1a {
    /// The offset basis.
    pub fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    /// Mix in `bytes`.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// The hash so far.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

impl Default for Fnv1a {
    fn default() -> Self {
        Self::new()
    }
}
