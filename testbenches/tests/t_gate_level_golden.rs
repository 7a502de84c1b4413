//! Yosys's gate-level netlists of the chip learn at their pins byte for byte like the golden
//! `Chip`, and a netlist with one LUT changed does not; the netlist of the core runs the core
//! golden sequence.
//!
//! The chips (`verilated/build.rs`, `Source::Gates`) are the small network's (supervised
//! 10-7-3, 8-bit weights) at 4 clock cycles per bit, synthesised with the board flow's Yosys
//! script (`spikeforge_hdl::board::flow::synth_script_of`) and simulated with Yosys's models
//! of the primitives:
//! - `gate_ice40`: the iCEBreaker's script (iCE40 UP5K, ABC9, DSPs), the hidden weights in
//!   SPRAM (Yosys's own `SB_SPRAM256KA` model, not this project's) and the layers' parameters
//!   fixed (so the session's load writes none of them, as a host does);
//! - `gate_ecp5`: the ULX3S's script (ECP5), with `verilated/verilog/DP16KD.v` and
//!   `MULT18X18D.v` for the block RAMs and multipliers Yosys does not model;
//! - `gate_ice40_mutant`: `gate_ice40`'s netlist with one bit of one LUT flipped (build.rs's
//!   `mutate`: the LUT of the transmitter's next line level, in the row of a 1 data bit, so
//!   that a 1 goes out as 0), which must fail the same session with a byte that differs.
//!
//! The session is `epoch::learn_one_epoch`'s: `IDENTIFY`, the initial network loaded in
//! WRITEs, one epoch of [`TRAIN`] samples of `epoch::stripes` (a WRITE and a `RUN_PHASE` per
//! phase of `train::learn_sample`), every layer's weights read back, [`TEST`] samples
//! classified, `LINK_STATUS`; every response byte equal to the golden `Chip`'s, then the
//! weights and the accuracy equal to `train::train`'s and every layer's weights changed.
//!
//! `gate_core_ice40` is the small network's core with W in SPRAM and its parameters fixed,
//! synthesised with the iCEBreaker's script: random state loaded through the host interface, then the phases of
//! one sample (positive with the label input, classifier, negative, inference), all state and
//! the cycles compared with the golden model after every step (`golden::Bench`).

use spikeforge_testbenches::epoch::{learn_one_epoch, stripes};
use spikeforge_testbenches::golden::Bench;
use spikeforge_testbenches::model::{
    ChipKind, GATE_CORE_ICE40, GATE_ECP5, GATE_ICE40, GATE_ICE40_MUTANT,
};

/// Training samples learned at the gate level (one epoch): few, for the CI's time.
const TRAIN: usize = 6;
/// Test samples classified.
const TEST: usize = 3;
/// Seed of the `epoch::stripes` samples.
const STRIPES_SEED: u32 = 0x6A7E_5EED;

/// The session on the chip of `kind`.
fn session(kind: &'static ChipKind) {
    let data = stripes(STRIPES_SEED, TRAIN, TEST);
    learn_one_epoch(kind, &data, TRAIN, TEST);
}

#[test]
fn t_gate_level_golden_ice40() {
    session(&GATE_ICE40);
}

#[test]
fn t_gate_level_golden_ecp5() {
    session(&GATE_ECP5);
}

#[test]
fn t_gate_level_core_golden_ice40() {
    let kind = &GATE_CORE_ICE40;
    let mut bench =
        Bench::new(kind, 0x6A7E_C0DE).unwrap_or_else(|m| panic!("{}: {m}", kind.name()));
    // The comparison means something only if the network was active (`run_sample` checks it)
    // and learned.
    let before = bench.run_sample(kind.name());
    assert_ne!(
        before[0],
        bench.net.hidden[0].weights,
        "{}: W never changed",
        kind.name()
    );
}

/// The negative control: the mutant must fail the session with a response byte that differs
/// from the golden `Chip`'s.
#[test]
fn t_gate_level_mutant_bad() {
    let outcome = std::panic::catch_unwind(|| session(&GATE_ICE40_MUTANT));
    let payload = match outcome {
        Ok(()) => panic!(
            "{} passed the session: the gate-level test cannot tell a changed LUT",
            GATE_ICE40_MUTANT.name()
        ),
        Err(payload) => payload,
    };
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(
        message.starts_with("exchange ")
            && message.contains("response byte")
            && message.contains("from the golden Chip"),
        "{} failed, but not with a response byte that differs from the golden Chip's: \
         {message:?}",
        GATE_ICE40_MUTANT.name()
    );
    println!("{} failed as it must: {message}", GATE_ICE40_MUTANT.name());
}
