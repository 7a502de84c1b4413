//! Co-simulation speed of the default core: simulated cycles per second and time steps per
//! second over a few hundred learning steps on digits samples (`cargo bench -p
//! spikeforge-testbenches --bench cosim`).

use std::path::Path;
use std::time::Instant;

use spikeforge_sim::data::load_digits;
use spikeforge_sim::model::Model;
use spikeforge_sim::rng::{Stream, Xorshift32};
use spikeforge_sim::train::learn_sample;
use spikeforge_testbenches::chip::Chip;
use spikeforge_testbenches::model::DEFAULT;

/// Learning samples to run: three phases of `steps` steps each.
const SAMPLES: usize = 4;

fn main() {
    let data = load_digits(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/digits.csv.gz"
    )))
    .unwrap_or_else(|e| panic!("digits: {e}"));
    let mut chip = Chip::new(&DEFAULT);
    let seed = chip.config().seed;
    let mut negative_rng = Xorshift32::for_stream(seed, Stream::Negative);
    let train = &data.train[..SAMPLES];
    let cycles_before = chip.host.get_mut().cycles();
    let started = Instant::now();
    for sample in train {
        learn_sample(&mut chip, sample, train, &mut negative_rng);
    }
    let seconds = started.elapsed().as_secs_f64();
    let steps = chip.steps();
    let host = chip.host.get_mut();
    let cycles = host.cycles() - cycles_before;
    let (busy_cycles, busy_time) = host.busy_stats();
    println!(
        "cosim default core: {steps} learning steps, {cycles} cycles in {seconds:.2} s: \
         {:.2} M cycles/s, {:.0} steps/s ({:.0} cycles/step); busy only {:.2} M cycles/s",
        cycles as f64 / seconds / 1e6,
        steps as f64 / seconds,
        cycles as f64 / steps as f64,
        busy_cycles as f64 / busy_time.as_secs_f64() / 1e6,
    );
}
