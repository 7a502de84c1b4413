//! The chip at its UART pins learns in frames, byte for byte like the golden `Chip`.
//!
//! A chip (12 MHz at 3 Mbaud: 4 cycles per bit) is driven bit by bit at `uart_rx` and decoded
//! at `uart_tx`, one request at a time (stop-and-wait). The session: `IDENTIFY`; the initial
//! network loaded in WRITEs as `golden::load` writes it through the core's port (pixels, every
//! layer's weights in chunks and every neuron state field, offsets and goodness, every
//! parameter, the generator seeds); one epoch over the first training samples as
//! `train::train` runs it (anneal, shuffle, then for each sample a WRITE of its pixels and a
//! `RUN_PHASE` per phase of `train::learn_sample`); every layer's weights read back in READs
//! of 128; test samples classified (WRITE, inference `RUN_PHASE`, `READ_PREDICTION`);
//! `LINK_STATUS`. Every response byte must equal `Chip::feed`'s; then the weights and the
//! accuracy must be those of `train::train` itself.
//!
//! `chip_default` learns [`TRAIN`] digits and classifies [`TEST`]; `chip_deep` (two hidden
//! layers) learns [`DEEP_TRAIN`] samples of `epoch::stripes` and classifies [`DEEP_TEST`], every
//! layer's weights changing.

use std::path::Path;

use spikeforge_sim::data::load_digits;
use spikeforge_testbenches::epoch::{learn_one_epoch, stripes};
use spikeforge_testbenches::model::{CHIP_DEEP, CHIP_DEFAULT};

/// Digits training samples learned on `chip_default` (one epoch).
const TRAIN: usize = 50;
/// Digits test samples classified on `chip_default`.
const TEST: usize = 20;
/// Test accuracy `chip_default` must reach (chance is 0.1).
const MIN_ACCURACY: f64 = 0.3;
/// Training and test samples of `epoch::stripes` on `chip_deep`.
const DEEP_TRAIN: usize = 30;
const DEEP_TEST: usize = 15;
/// Seed of the `epoch::stripes` samples.
const STRIPES_SEED: u32 = 0x5791_9E5D;

#[test]
fn t_uart_session_golden() {
    let data = load_digits(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/digits.csv.gz"
    )))
    .unwrap_or_else(|e| panic!("digits: {e}"));
    let accuracy = learn_one_epoch(&CHIP_DEFAULT, &data, TRAIN, TEST);
    // Fifty samples are enough to learn well above chance (10 classes).
    assert!(
        accuracy >= MIN_ACCURACY,
        "test accuracy {accuracy} after {TRAIN} samples"
    );
}

#[test]
fn t_uart_session_golden_deep() {
    let data = stripes(STRIPES_SEED, DEEP_TRAIN, DEEP_TEST);
    learn_one_epoch(&CHIP_DEEP, &data, DEEP_TRAIN, DEEP_TEST);
}
