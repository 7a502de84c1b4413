//! Pure next-state functions, one per rule of the chip. Each is the specification of one RTL
//! widget: the RTL tests call them one by one with the same inputs and compare every output bit.
//!
//! Formats (see `docs/spec.md`, "Number formats"):
//! - weight `w`: signed `weight_bits`-bit integer, stored in `i16`, range `-w_max..=w_max`,
//!   `w_max = 2^(weight_bits-1) - 1`; one LSB is the unit of membrane and threshold;
//! - input current `j`: the exact sum of weights of spiking presynaptic neurons, saturated to
//!   16-bit signed (`i16`);
//! - membrane `v`: 16-bit signed (`i16`), same unit as `j`;
//! - trace `tr`: unsigned Q0.8 (`u8`), 255 on a spike;
//! - goodness `G`: unsigned sum of `tr^2`, Q16.16 with 1.0 = 65536 (`u32`);
//! - sigmoid output `p`: unsigned Q0.8 (`u8`);
//! - contrastive error `e = p - 256*label`: signed 10-bit (`i16`).

/// Trace value written on a spike: Q0.8 for 255/256.
pub const TRACE_MAX: u8 = 255;

/// Shift from the goodness scale (Q16.16) to the sigmoid ROM's input step of 1/16.
pub const SIGMOID_INPUT_SHIFT: u32 = 12;

/// Sigmoid ROM: `SIGMOID_ROM[i] = min(255, round(256 * sigmoid((i - 128) / 16)))`.
/// The table is the specification; a test re-derives it from the formula.
pub const SIGMOID_ROM: [u8; 256] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, //
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, //
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, //
    2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, //
    5, 5, 5, 6, 6, 6, 7, 7, 8, 8, 8, 9, 10, 10, 11, 11, //
    12, 13, 14, 15, 15, 16, 17, 18, 19, 21, 22, 23, 24, 26, 27, 29, //
    31, 32, 34, 36, 38, 40, 42, 44, 47, 49, 52, 54, 57, 60, 63, 66, //
    69, 72, 75, 79, 82, 86, 89, 93, 97, 100, 104, 108, 112, 116, 120, 124, //
    128, 132, 136, 140, 144, 148, 152, 156, 159, 163, 167, 170, 174, 177, 181, 184, //
    187, 190, 193, 196, 199, 202, 204, 207, 209, 212, 214, 216, 218, 220, 222, 224, //
    225, 227, 229, 230, 232, 233, 234, 235, 237, 238, 239, 240, 241, 241, 242, 243, //
    244, 245, 245, 246, 246, 247, 248, 248, 248, 249, 249, 250, 250, 250, 251, 251, //
    251, 252, 252, 252, 252, 253, 253, 253, 253, 253, 254, 254, 254, 254, 254, 254, //
    254, 254, 254, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, //
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, //
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, //
];

/// Saturate to the 16-bit signed range.
pub fn sat_i16(x: i64) -> i16 {
    // The clamp makes the conversion lossless.
    x.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16
}

/// Largest weight magnitude for `bits`-bit weights (`2 <= bits <= 16`).
pub fn weight_max(bits: u8) -> i16 {
    sat_i16((1i64 << (bits - 1)) - 1)
}

/// Parameters of one LIF population (from the network config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifParams {
    /// Leak as a shift: `dt/tau_m = 2^-leak_shift`.
    pub leak_shift: u8,
    /// Steps a neuron stays silent (membrane held at 0) after a spike.
    pub refractory: u8,
}

/// One neuron's state across time steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NeuronState {
    /// Membrane potential, 16-bit signed.
    pub v: i16,
    /// Remaining refractory steps.
    pub refractory: u8,
}

/// LIF next-state: returns the new state and whether the neuron spikes.
///
/// If refractory, count down and hold `v = 0`. Otherwise `v' = v + ((j - v) >>> leak_shift)`
/// (arithmetic shift, rounding toward minus infinity; `v'` lies between `v` and `j`, so it needs
/// no saturation); spike when `v' > threshold`, then `v' = 0` and the refractory counter is set.
pub fn lif_step(
    state: NeuronState,
    j: i16,
    threshold: i32,
    params: LifParams,
) -> (NeuronState, bool) {
    if state.refractory > 0 {
        return (
            NeuronState {
                v: 0,
                refractory: state.refractory - 1,
            },
            false,
        );
    }
    let delta = (i32::from(j) - i32::from(state.v)) >> params.leak_shift;
    let v = i32::from(state.v) + delta;
    if v > threshold {
        (
            NeuronState {
                v: 0,
                refractory: params.refractory,
            },
            true,
        )
    } else {
        (
            NeuronState {
                v: sat_i16(i64::from(v)),
                refractory: 0,
            },
            false,
        )
    }
}

/// Trace next-state: 255 on a spike, else `tr - ceil(tr / 2^shift)` (reaches 0, never wraps).
pub fn trace_step(tr: u8, spike: bool, shift: u8) -> u8 {
    if spike {
        TRACE_MAX
    } else {
        let t = u32::from(tr);
        let dec = (t + (1u32 << shift) - 1) >> shift;
        // dec <= t, so the difference fits the trace width.
        (t - dec) as u8
    }
}

/// Adaptive threshold offset of a layer after a step with `spikes` spikes:
/// `clamp(offset + step * (spikes - target), min, max)`.
///
/// The clamp compares with `min` first: a sum below `min` gives `min`, else a sum above `max`
/// gives `max`. That is the usual clamp when `min <= max` (as every config has) and stays
/// defined, as in the RTL, when a host writes crossed bounds into the core's registers.
pub fn adapt_step(offset: i16, spikes: u32, step: i16, target: u16, min: i16, max: i16) -> i16 {
    let change = i64::from(step) * (i64::from(spikes) - i64::from(target));
    let sum = i64::from(offset) + change;
    if sum < i64::from(min) {
        min
    } else if sum > i64::from(max) {
        max
    } else {
        sat_i16(sum)
    }
}

/// Per-neuron homeostatic threshold after a learning step: decay by `ceil(h / 2^decay_shift)`
/// (no decay when `decay_shift == 0`), add `step` on a spike, then clamp to `max`.
pub fn homeostasis_step(h: u16, spike: bool, step: u16, decay_shift: u8, max: u16) -> u16 {
    let h = u32::from(h);
    let decayed = if decay_shift == 0 {
        h
    } else {
        h - ((h + (1u32 << decay_shift) - 1) >> decay_shift)
    };
    let raised = decayed + if spike { u32::from(step) } else { 0 };
    // The clamp to a u16 bound makes the conversion lossless.
    raised.min(u32::from(max)) as u16
}

/// Goodness contribution of one trace: `tr^2` in Q16.16.
pub fn goodness_term(tr: u8) -> u32 {
    u32::from(tr) * u32::from(tr)
}

/// Sigmoid ROM address for goodness `g` against threshold `theta`:
/// `clamp(((g - theta) >> 12) + 128, 0, 255)`.
pub fn sigmoid_index(g: u32, theta: u32) -> u8 {
    let d = (i64::from(g) - i64::from(theta)) >> SIGMOID_INPUT_SHIFT;
    // The clamp makes the conversion lossless.
    (d + 128).clamp(0, 255) as u8
}

/// Contrastive error of a layer: `p - 256 * label` with `p = SIGMOID_ROM[index]`.
pub fn contrastive_error(g: u32, theta: u32, positive: bool) -> i16 {
    let p = i16::from(SIGMOID_ROM[usize::from(sigmoid_index(g, theta))]);
    if positive {
        p - 256
    } else {
        p
    }
}

/// Learning-rate shifts of one plastic weight matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LearnParams {
    /// `eta = 2^-learn_shift` (in weight LSB per unit of `e * tr` in Q8.8 x Q0.8 = Q.16).
    pub learn_shift: u8,
    /// Weight decay `w * 2^-decay_shift` per update of the weight; 0 disables it.
    pub decay_shift: u8,
    /// Weights saturate to `-w_max..=w_max`.
    pub w_max: i16,
}

impl LearnParams {
    /// Fraction bits of an update before rounding: `max(learn_shift, decay_shift)`.
    pub fn frac_bits(&self) -> u8 {
        self.learn_shift.max(self.decay_shift)
    }
}

/// Stochastically rounded, saturating weight update: the core of both learning engines.
///
/// `drive` is the signed learning signal in Q.16 (already multiplied out); the update in
/// weight LSB before rounding is `drive * 2^-learn_shift - w * 2^-decay_shift`. With
/// `F = frac_bits()` it is computed exactly as the integer `num = (drive << (F - learn_shift))
/// - (w << (F - decay_shift))` and rounded stochastically with the low `F` bits of `rand`:
/// `delta = (num + (rand & (2^F - 1))) >> F` (arithmetic shift), then `w' = clamp(w + delta)`.
pub fn sr_update(w: i16, drive: i32, rand: u32, params: LearnParams) -> i16 {
    let f = u32::from(params.frac_bits());
    let mut num = i64::from(drive) << (f - u32::from(params.learn_shift));
    if params.decay_shift > 0 {
        num -= i64::from(w) << (f - u32::from(params.decay_shift));
    }
    // F <= 24 (config range), so the mask fits 32 bits.
    let r = i64::from(rand & ((1u32 << f) - 1));
    let delta = (num + r) >> f;
    let w_max = i64::from(params.w_max);
    sat_i16((i64::from(w) + delta).clamp(-w_max, w_max))
}

/// CSDP update of `W_ij` for a presynaptic spike: `drive = -(e * tr_j)`, where `e` is the
/// layer's contrastive error and `tr_j` the postsynaptic trace after this step.
pub fn csdp_delta(w: i16, e: i16, tr_post: u8, rand: u32, params: LearnParams) -> i16 {
    sr_update(w, csdp_drive(e, tr_post), rand, params)
}

/// The learning drive of a CSDP update, `d = -(e * tr'_n)` in Q.16 (the input of
/// [`sr_update`] in [`csdp_delta`]).
pub fn csdp_drive(e: i16, tr_post: u8) -> i32 {
    -(i32::from(e) * i32::from(tr_post))
}

/// Classifier delta rule for a presynaptic spike: `drive = (255 * target - tr_k) * 256`
/// (the error of the output trace against the one-hot label, in the same Q.16 as CSDP).
pub fn classifier_delta(w: i16, target: bool, tr_out: u8, rand: u32, params: LearnParams) -> i16 {
    sr_update(w, classifier_drive(target, tr_out), rand, params)
}

/// The learning drive of a classifier update, `d = (255 * target - tr_k) * 256` in Q.16 (the
/// input of [`sr_update`] in [`classifier_delta`]).
pub fn classifier_drive(target: bool, tr_out: u8) -> i32 {
    let err = if target { i32::from(TRACE_MAX) } else { 0 } - i32::from(tr_out);
    err * 256
}

/// Bernoulli encoder: spike when the low 8 bits of the generator's next state are below the
/// pixel intensity (0..=255), so the spike probability is `intensity / 256`.
pub fn bernoulli_spike(intensity: u8, rand: u32) -> bool {
    (rand & 0xFF) < u32::from(intensity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_rom_matches_formula() {
        for (i, &p) in SIGMOID_ROM.iter().enumerate() {
            let x = (i as f64 - 128.0) / 16.0;
            let want = (256.0 / (1.0 + (-x).exp())).round().min(255.0);
            assert_eq!(f64::from(p), want, "entry {i}");
        }
    }

    #[test]
    fn lif_leaks_toward_input() {
        let params = LifParams {
            leak_shift: 2,
            refractory: 0,
        };
        let (s, spike) = lif_step(
            NeuronState {
                v: 0,
                refractory: 0,
            },
            100,
            1000,
            params,
        );
        assert_eq!((s.v, spike), (25, false));
        let (s, _) = lif_step(s, 100, 1000, params);
        assert_eq!(s.v, 25 + 18);
        // Floor rounding: a small negative gap still moves the membrane down.
        let (s, _) = lif_step(
            NeuronState {
                v: 3,
                refractory: 0,
            },
            0,
            1000,
            params,
        );
        assert_eq!(s.v, 2);
    }

    #[test]
    fn lif_spikes_resets_and_refracts() {
        let params = LifParams {
            leak_shift: 0,
            refractory: 2,
        };
        let (s, spike) = lif_step(NeuronState::default(), 50, 49, params);
        assert!(spike);
        assert_eq!(
            s,
            NeuronState {
                v: 0,
                refractory: 2
            }
        );
        let (s, spike) = lif_step(s, 500, 0, params);
        assert!(!spike);
        assert_eq!(
            s,
            NeuronState {
                v: 0,
                refractory: 1
            }
        );
        let (s, _) = lif_step(s, 500, 0, params);
        assert_eq!(
            s,
            NeuronState {
                v: 0,
                refractory: 0
            }
        );
        let (_, spike) = lif_step(s, 500, 0, params);
        assert!(spike);
    }

    #[test]
    fn threshold_is_strict() {
        let params = LifParams {
            leak_shift: 0,
            refractory: 0,
        };
        assert!(!lif_step(NeuronState::default(), 40, 40, params).1);
        assert!(lif_step(NeuronState::default(), 41, 40, params).1);
    }

    #[test]
    fn trace_sets_and_decays_to_zero() {
        assert_eq!(trace_step(0, true, 2), 255);
        assert_eq!(trace_step(255, false, 2), 191);
        assert_eq!(trace_step(3, false, 2), 2);
        assert_eq!(trace_step(1, false, 2), 0);
        let mut tr = 255;
        for _ in 0..40 {
            tr = trace_step(tr, false, 2);
        }
        assert_eq!(tr, 0);
    }

    #[test]
    fn adaptive_threshold_tracks_target() {
        assert_eq!(adapt_step(0, 10, 2, 4, -50, 50), 12);
        assert_eq!(adapt_step(0, 0, 2, 4, -5, 50), -5);
        assert_eq!(adapt_step(49, 100, 2, 4, -5, 50), 50);
    }

    #[test]
    fn adaptive_threshold_with_crossed_bounds_takes_min_first() {
        // min = 10 > max = -10: below min gives min, else above max gives max.
        assert_eq!(adapt_step(0, 0, 1, 5, 10, -10), 10);
        assert_eq!(adapt_step(20, 0, 0, 0, 10, -10), -10);
    }

    #[test]
    fn contrastive_error_signs() {
        // Goodness far above threshold: p = 255.
        assert_eq!(contrastive_error(1 << 24, 0, false), 255);
        assert_eq!(contrastive_error(1 << 24, 0, true), -1);
        // At threshold: p = 128.
        assert_eq!(contrastive_error(5 << 16, 5 << 16, true), -128);
        assert_eq!(contrastive_error(0, 1 << 24, false), 0);
    }

    #[test]
    fn csdp_strengthens_positive_and_weakens_negative() {
        let params = LearnParams {
            learn_shift: 10,
            decay_shift: 0,
            w_max: 127,
        };
        // Positive phase, low goodness: e = -256; drive = 256 * 255 -> +63.75 LSB.
        assert_eq!(csdp_delta(0, -256, 255, 0, params), 63);
        assert_eq!(csdp_delta(0, -256, 255, 1023, params), 64);
        // Negative phase, high goodness: e = 255 -> -63.5 LSB, floor then round.
        assert_eq!(csdp_delta(0, 255, 255, 0, params), -64);
        // Saturation.
        assert_eq!(csdp_delta(120, -256, 255, 0, params), 127);
        assert_eq!(csdp_delta(-120, 255, 255, 0, params), -127);
    }

    #[test]
    fn decay_pulls_toward_zero() {
        let params = LearnParams {
            learn_shift: 8,
            decay_shift: 4,
            w_max: 127,
        };
        assert_eq!(sr_update(64, 0, 0, params), 60);
        assert_eq!(sr_update(-64, 0, 0, params), -60);
    }

    #[test]
    fn stochastic_rounding_is_unbiased() {
        let params = LearnParams {
            learn_shift: 8,
            decay_shift: 0,
            w_max: 127,
        };
        // drive = 64 -> 0.25 LSB: over all 256 random values, exactly 64 round up.
        let ups = (0..256u32)
            .filter(|&r| sr_update(0, 64, r, params) == 1)
            .count();
        assert_eq!(ups, 64);
        let downs = (0..256u32)
            .filter(|&r| sr_update(0, -64, r, params) == -1)
            .count();
        assert_eq!(downs, 64);
    }

    #[test]
    fn classifier_targets_full_trace() {
        let params = LearnParams {
            learn_shift: 12,
            decay_shift: 0,
            w_max: 127,
        };
        assert_eq!(classifier_delta(0, true, 0, 0, params), 15);
        assert_eq!(classifier_delta(0, false, 255, 0, params), -16);
        assert_eq!(classifier_delta(0, true, 255, 0, params), 0);
    }

    #[test]
    fn bernoulli_bounds() {
        assert!(!bernoulli_spike(0, 0));
        assert!(bernoulli_spike(255, 254));
        assert!(!bernoulli_spike(255, 255));
        assert!(bernoulli_spike(1, 0x100));
    }
}
