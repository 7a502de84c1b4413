//! Per-neuron and per-layer state rules: membrane, trace, thresholds, goodness, the argmax.
mod adapt_threshold;
mod argmax_step;
mod goodness_accumulate;
mod homeostasis_update;
mod lif_update;
mod trace_update;

pub use adapt_threshold::{AdaptChange, AdaptClamp, AdaptThreshold, CHANGE_BITS};
pub use argmax_step::ArgmaxStep;
pub use goodness_accumulate::GoodnessAccumulate;
pub use homeostasis_update::{HomeostasisDecay, HomeostasisRaise, HomeostasisUpdate};
pub use lif_update::{LifFire, LifLeak, LifUpdate};
pub use trace_update::TraceUpdate;
