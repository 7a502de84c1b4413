//! Quantisation diagnostic: per-layer firing rates of the fixed-point model beside the float
//! reference, and warnings for layers that fall silent or saturate.

use serde::Serialize;

/// A layer whose mean rate is below this (spikes/neuron/step) is reported as silent.
pub const SILENT_RATE: f64 = 0.001;
/// A layer whose mean rate is above this is reported as saturated.
pub const SATURATED_RATE: f64 = 0.9;

/// Name of layer `index` of `count` layers (the last is the classifier).
pub fn layer_name(index: usize, count: usize) -> String {
    if index + 1 == count {
        "classifier".to_string()
    } else {
        format!("hidden[{index}]")
    }
}

/// Warnings for silent or saturated layers, given per-layer rates (classifier last).
pub fn rate_warnings(rates: &[f64]) -> Vec<String> {
    rates
        .iter()
        .enumerate()
        .filter_map(|(i, &r)| {
            let name = layer_name(i, rates.len());
            if r < SILENT_RATE {
                Some(format!(
                    "{name} is silent: {r:.5} spikes/neuron/step (below {SILENT_RATE})"
                ))
            } else if r > SATURATED_RATE {
                Some(format!(
                    "{name} saturates: {r:.3} spikes/neuron/step (above {SATURATED_RATE})"
                ))
            } else {
                None
            }
        })
        .collect()
}

/// One layer's rates in both models.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerRates {
    /// Layer name.
    pub layer: String,
    /// Fixed-point rate (spikes/neuron/step).
    pub fixed: f64,
    /// Float rate.
    pub float: f64,
}

/// Pair the rates of both models by layer.
pub fn compare_rates(fixed: &[f64], float: &[f64]) -> Vec<LayerRates> {
    fixed
        .iter()
        .zip(float)
        .enumerate()
        .map(|(i, (&a, &b))| LayerRates {
            layer: layer_name(i, fixed.len()),
            fixed: a,
            float: b,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_on_silent_and_saturated_layers() {
        let w = rate_warnings(&[0.0, 0.95, 0.2]);
        assert_eq!(w.len(), 2);
        assert!(w[0].starts_with("hidden[0] is silent"), "{}", w[0]);
        assert!(w[1].starts_with("hidden[1] saturates"), "{}", w[1]);
        assert!(rate_warnings(&[0.1, 0.5]).is_empty());
    }
}
