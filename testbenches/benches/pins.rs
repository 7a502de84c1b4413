//! Throughput at the UART pins: the default network's chip (`chip_default`, 12 MHz at
//! 3 Mbaud, 4 cycles per bit) trains on and classifies digits samples in frames, stop-and-wait
//! with no host turnaround, and the clock cycles from the first bit of each request to the
//! last byte of its response are counted (`cargo bench -p spikeforge-testbenches --bench
//! pins`).
//!
//! Reported per training sample (WRITE of the pixels, RUN_PHASE per phase) and per inference
//! sample (WRITE, RUN_PHASE, READ_PREDICTION): the cycles and samples/s at 12 MHz, split into
//! the core's cycles (`cycles_per_step` of every step with the activity the golden model
//! shows, plus `PHASE_RESET`), the wire time of the bytes, and the rest (UART latency and the
//! frame engine, against the `C_exec` budget of docs/spec.md §7.9); then the §7.9 cost model's
//! figures for its assumed activity (16 spiking pixels, the label input and 5 hidden spikes per
//! step) and the difference; the cycles beyond wire time and core cycles of single requests,
//! against the `C_exec` budget; and the simulated cycles per second of the chip model.

use std::path::Path;

use spikeforge_hdl::top::{cycles_per_step, phase_reset_cycles};
use spikeforge_sim::data::{load_digits, Sample};
use spikeforge_sim::model::Learn;
use spikeforge_sim::network::Network;
use spikeforge_sim::rng::{Stream, Xorshift32};
use spikeforge_sim::wire::{Command, Space, BITS_PER_BYTE};
use spikeforge_testbenches::chip::step_command;
use spikeforge_testbenches::model::CHIP_DEFAULT;
use spikeforge_testbenches::session::Phase;
use spikeforge_testbenches::Session;

/// Training samples, then test samples, measured.
const TRAIN: usize = 10;
const TEST: usize = 10;
/// The chip's clock.
const CLOCK_HZ: f64 = 12e6;
/// The cost model's figures (docs/spec.md §7.9): core cycles, wire bytes and requests of a
/// training and an inference sample, and their time at 12 MHz and 3 Mbaud.
const MODEL_TRAINING: (u64, u64, u64, f64) = (926_918, 153, 4, 77.8e-3);
const MODEL_INFERENCE: (u64, u64, u64, f64) = (184_186, 125, 3, 15.8e-3);
/// The executor's budget after a request's delimiter: cycles per request, and per value of
/// `width` bytes, `width + 3` (§7.9).
const EXEC_PER_REQUEST: u64 = 32;

/// A count as a signed number, for differences.
fn signed(x: u64) -> i64 {
    i64::try_from(x).unwrap_or(i64::MAX)
}

/// What one kind of sample cost, summed over the samples.
#[derive(Debug, Default)]
struct Tally {
    samples: u64,
    requests: u64,
    /// Cycles the host waited (first bit of each request to its last response byte).
    cycles: u64,
    /// Core cycles from the golden model's activity.
    core: u64,
    /// Bytes both ways.
    bytes: u64,
    /// The executor's budget: 32 per request, 4 per pixel written.
    budget: u64,
    /// Steps, spiking input rows (pixels and label input) and hidden spikes over them.
    steps: u64,
    input_rows: u64,
    hidden_spikes: u64,
}

impl Tally {
    fn report(&self, name: &str, bit: u64, model: (u64, u64, u64, f64)) {
        let n = self.samples as f64;
        let per = |x: u64| x as f64 / n;
        let wire = self.bytes * u64::from(BITS_PER_BYTE) * bit;
        let rest = signed(self.cycles) - signed(self.core) - signed(wire);
        let seconds = per(self.cycles) / CLOCK_HZ;
        let (model_core, model_bytes, model_requests, model_seconds) = model;
        let model_cycles = model_core + model_bytes * u64::from(BITS_PER_BYTE) * bit;
        println!(
            "{name} sample ({} samples, {:.1} requests each): {:.0} cycles at the pins = {:.2} ms \
             = {:.2} samples/s at 12 MHz\n  core {:.0} cycles ({:.1} spiking input rows and {:.1} \
             hidden spikes per step), wire {:.0} bytes = {:.0} cycles, rest {:.0} cycles = {:.1} \
             per request (executor budget {:.0} per sample)\n  \u{a7}7.9 cost model: {} core \
             cycles (16 pixels, the label input, 5 hidden spikes per step), {model_bytes} bytes, \
             {model_requests} requests: {model_cycles} cycles = {:.1} ms = {:.1} samples/s; \
             measured {:+.1} % time ({:+.1} % core cycles)",
            self.samples,
            per(self.requests),
            per(self.cycles),
            seconds * 1e3,
            1.0 / seconds,
            per(self.core),
            self.input_rows as f64 / self.steps as f64,
            self.hidden_spikes as f64 / self.steps as f64,
            per(self.bytes),
            per(wire),
            rest as f64 / n,
            rest as f64 / self.requests as f64,
            per(self.budget),
            model_core,
            model_seconds * 1e3,
            1.0 / model_seconds,
            (seconds / model_seconds - 1.0) * 100.0,
            (per(self.core) / model_core as f64 - 1.0) * 100.0,
        );
    }
}

/// Run `phases` on the chip and add their cost to `tally`: the core's cycles come from a copy
/// of the golden model stepped alongside, which must end with the golden `Chip`'s weights.
fn run(session: &mut Session, phases: &[Phase], predict: bool, tally: &mut Tally) {
    let cfg = session.config().clone();
    let options = session.chip.options();
    let before = session.chip.stats();
    let mut twin: Network = session.chip.golden().core().network().clone();
    for phase in phases {
        twin.reset_phase();
        tally.core += phase_reset_cycles(&cfg, options.lanes);
        let command = step_command(phase.label_input, phase.learn);
        for _ in 0..cfg.steps {
            twin.encode(&phase.pixels, phase.label_input);
            twin.step(phase.learn);
            let pixels = twin.input_spikes[..cfg.inputs]
                .iter()
                .filter(|&&s| s)
                .count();
            let pixels = pixels as u64;
            let hidden = u64::from(twin.hidden[0].spike_total());
            tally.core += cycles_per_step(&cfg, options, pixels, &[hidden], &command);
            tally.steps += 1;
            tally.input_rows += pixels + u64::from(phase.label_input.is_some());
            tally.hidden_spikes += hidden;
        }
        session.run_phase(&phase.pixels, phase.label_input, phase.learn);
    }
    if predict {
        session.request(&Command::ReadPrediction);
    }
    let golden = session.chip.golden().core().network();
    assert_eq!(twin.hidden[0].weights, golden.hidden[0].weights, "twin W");
    assert_eq!(twin.classifier.weights, golden.classifier.weights, "twin C");
    let after = session.chip.stats();
    let requests = after.exchanges - before.exchanges;
    tally.samples += 1;
    tally.requests += requests;
    tally.cycles += after.exchange_cycles - before.exchange_cycles;
    tally.bytes += (after.bytes.0 - before.bytes.0) + (after.bytes.1 - before.bytes.1);
    let pixel_writes = (requests - phases.len() as u64 - u64::from(predict)) * cfg.inputs as u64;
    tally.budget += EXEC_PER_REQUEST * requests + 4 * pixel_writes;
}

/// Single requests on the freshly loaded chip with all pixels 0, where nothing spikes (checked
/// on the golden model): the cycles the host waits beyond
/// the wire time of the bytes and the core's busy cycles, against the executor's budget of
/// 32 cycles per request and `width + 3` per value (§7.9). The rest includes the UART's
/// receive latency (synchronizer, FIFO).
fn overheads(session: &mut Session) {
    let cfg = session.config().clone();
    let bit = u64::from(session.chip.clocks_per_bit());
    let word = step_command(None, Learn::OFF).word();
    let options = session.chip.options();
    let step = cycles_per_step(&cfg, options, 0, &[], &step_command(None, Learn::OFF));
    let reset = phase_reset_cycles(&cfg, options.lanes);
    let requests: Vec<(String, Command, u64, u64)> = vec![
        ("READ_PREDICTION".into(), Command::ReadPrediction, 0, 0),
        ("PHASE_RESET".into(), Command::PhaseReset, reset, 0),
        ("STEP".into(), Command::Step { word }, step, 0),
        (
            "RUN_PHASE 0 steps".into(),
            Command::RunPhase { word, steps: 0 },
            reset,
            0,
        ),
        (
            "RUN_PHASE 40 steps".into(),
            Command::RunPhase { word, steps: 40 },
            reset + 40 * step,
            0,
        ),
        (
            "WRITE 64 pixels".into(),
            Command::Write {
                space: Space::Pixel,
                start: 0,
                values: vec![0; 64],
            },
            0,
            64 * 4,
        ),
        (
            "READ 64 pixels".into(),
            Command::Read {
                space: Space::Pixel,
                start: 0,
                count: 64,
            },
            0,
            64 * 4,
        ),
        (
            "WRITE 126 of W".into(),
            Command::Write {
                space: Space::HIDDEN_WEIGHT,
                start: 0,
                values: session.chip.golden().core().network().hidden[0].weights[..126]
                    .iter()
                    .map(|&w| u32::from(w as u16))
                    .collect(),
            },
            0,
            126 * 5,
        ),
        (
            "READ 128 of W".into(),
            Command::Read {
                space: Space::HIDDEN_WEIGHT,
                start: 0,
                count: 128,
            },
            0,
            128 * 5,
        ),
    ];
    session.write_pixels(&vec![0; cfg.inputs]);
    println!("cycles beyond wire time and core cycles, single requests (no spikes):");
    for (name, command, core, per_values) in requests {
        let before = session.chip.stats();
        session.request(&command);
        let after = session.chip.stats();
        let net = session.chip.golden().core().network();
        let mut counts = net.hidden[0].counts.iter().chain(&net.classifier.counts);
        assert!(counts.all(|&c| c == 0), "{name}: a neuron spiked");
        let bytes = (after.bytes.0 - before.bytes.0) + (after.bytes.1 - before.bytes.1);
        let cycles = after.exchange_cycles - before.exchange_cycles;
        let rest = signed(cycles) - signed(bytes * u64::from(BITS_PER_BYTE) * bit + core);
        let budget = signed(EXEC_PER_REQUEST + per_values);
        let verdict = if rest <= budget {
            "within".to_string()
        } else {
            format!("{} over", rest - budget)
        };
        println!("  {name}: {rest} cycles, budget {budget}: {verdict}");
    }
}

fn main() {
    let data = load_digits(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/digits.csv.gz"
    )))
    .unwrap_or_else(|e| panic!("digits: {e}"));
    let mut session = Session::new(&CHIP_DEFAULT);
    let cfg = session.config().clone();
    session.load(&Network::new(&cfg), &vec![0; cfg.inputs]);
    session.set_anneal(0);
    overheads(&mut session);
    let bit = u64::from(session.chip.clocks_per_bit());
    let start = session.chip.stats();

    let train: &[Sample] = &data.train[..TRAIN];
    let mut negative_rng = Xorshift32::for_stream(cfg.seed, Stream::Negative);
    let mut training = Tally::default();
    for sample in train {
        let phases = session.sample_phases(sample, train, &mut negative_rng);
        run(&mut session, &phases, false, &mut training);
    }
    let mut inference = Tally::default();
    for sample in &data.test[..TEST] {
        let phase = Phase {
            pixels: sample.pixels.clone(),
            label_input: None,
            learn: Learn::OFF,
        };
        run(&mut session, &[phase], true, &mut inference);
    }
    let end = session.chip.stats();
    println!(
        "throughput at the UART pins, chip_default, 12 MHz / 3 Mbaud ({bit} cycles per bit), \
         stop-and-wait, no host turnaround:"
    );
    training.report("training", bit, MODEL_TRAINING);
    inference.report("inference", bit, MODEL_INFERENCE);
    let cycles = end.cycles - start.cycles;
    let wall = (end.wall - start.wall).as_secs_f64();
    println!(
        "chip model: {cycles} cycles in {wall:.1} s: {:.2} M simulated cycles/s ({:.1} x slower \
         than the 12 MHz chip)",
        cycles as f64 / wall / 1e6,
        CLOCK_HZ * wall / cycles as f64,
    );
}
