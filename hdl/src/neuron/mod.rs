//! Per-neuron and per-layer state rules: membrane, trace, thresholds.
mod adapt_threshold;
mod homeostasis_update;
mod lif_update;
mod trace_update;

pub use adapt_threshold::AdaptThreshold;
pub use homeostasis_update::HomeostasisUpdate;
pub use lif_update::LifUpdate;
pub use trace_update::TraceUpdate;
