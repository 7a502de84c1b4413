//! Training and inference throughput of the chip on each board, next to the golden model on
//! one CPU core, measured in the same run (`cargo bench -p spikeforge-testbenches --bench
//! throughput`).
//!
//! For each board file, the Verilated core built with the board's network, lanes and weight
//! memory trains `SAMPLES` digits samples with the training loop of `spikeforge_sim::train`
//! and then classifies `SAMPLES` test samples; its cycles per sample (every cycle of the
//! core's command port: pixel writes, `PHASE_RESET`, `STEP`, reads; the UART is not counted)
//! at the board's core clock give its samples per second. The golden model of the same
//! network trains and classifies `GOLDEN_SAMPLES` samples on this machine's CPU, one thread.
//! After the chip's samples the golden model, trained on the same samples, must hold the
//! same weights: the throughput is that of a chip that learns exactly what the model learns.
//!
//! Beside the board files, [`OTHER_BUILDS`] lists builds that differ from a board file, as
//! `gen-verilog --board NAME --lanes N --network FILE --core-hz HZ --bitstream` makes them:
//! the ULX3S with 16 lanes, at the board's core clock, which that build meets (`report.json`;
//! the board file keeps 4 lanes, the build that the test command checks), and the ULX3S with
//! the MNIST network (`networks/mnist.toml`, 4 lanes) at the 35 MHz its build meets, which
//! learns MNIST digits from `../shared/datasets/mnist-dev` (the bench stops before its first
//! row, naming the directory, if that is missing).

use std::path::{Path, PathBuf};
use std::time::Instant;

use spikeforge_hdl::board::flow::core_options;
use spikeforge_hdl::board::{Board, BOARDS};
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::data::{load_digits, load_mnist, Sample};
use spikeforge_sim::model::Model;
use spikeforge_sim::network::Network;
use spikeforge_sim::rng::{Stream, Xorshift32};
use spikeforge_sim::train::{evaluate, learn_sample};
use spikeforge_testbenches::chip::Chip;
use spikeforge_testbenches::model::{CoreKind, ALL};

/// Samples the chip trains on, then classifies, per board.
const SAMPLES: usize = 20;
/// Samples the golden model trains on, then classifies, per board.
const GOLDEN_SAMPLES: usize = 300;

/// The samples a build learns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Samples {
    /// `data/digits.csv.gz`.
    Digits,
    /// [`MNIST_DIR`].
    Mnist,
}

/// A build that differs from its board file.
#[derive(Debug, Clone, Copy)]
struct OtherBuild {
    /// The board file.
    board: &'static str,
    /// Its lanes, if not the board file's.
    lanes: Option<usize>,
    /// Its network (a path from the repository root), if not the board file's.
    network: Option<&'static str>,
    /// Its core clock in Hz, if not the board file's.
    core_hz: Option<u64>,
    /// What it learns.
    samples: Samples,
}

/// Builds that differ from their board files.
const OTHER_BUILDS: &[OtherBuild] = &[
    OtherBuild {
        board: "ulx3s-85f",
        lanes: Some(16),
        network: None,
        core_hz: None,
        samples: Samples::Digits,
    },
    OtherBuild {
        board: "ulx3s-85f",
        lanes: None,
        network: Some("networks/mnist.toml"),
        core_hz: Some(35_000_000),
        samples: Samples::Mnist,
    },
];

/// The MNIST digits of the MNIST build (not in the repository: the shared development set).
const MNIST_DIR: &str = "../shared/datasets/mnist-dev";

/// Cycles or seconds per training and per inference sample.
#[derive(Debug, Clone, Copy)]
struct Cost {
    train: f64,
    infer: f64,
}

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The core built with `board`'s network and datapath.
fn core_of(board: &Board, cfg: &NetworkConfig) -> &'static CoreKind {
    let options = core_options(board);
    let same = |kind: &&&CoreKind| {
        let mut built = kind
            .config()
            .unwrap_or_else(|e| panic!("network of core {}: {e}", kind.name()));
        built.name.clone_from(&cfg.name);
        kind.options() == options && built == *cfg
    };
    ALL.iter().find(same).copied().unwrap_or_else(|| {
        panic!(
            "board {}: no co-simulated core of {} with {options:?}; add one to \
             verilated/build.rs",
            board.name, board.network
        )
    })
}

/// The chip's cycles per sample, and its weights digest after training.
fn chip_cycles(kind: &'static CoreKind, train: &[Sample], test: &[Sample]) -> (Cost, u64) {
    let mut chip = Chip::new(kind);
    let mut rng = Xorshift32::for_stream(chip.config().seed, Stream::Negative);
    let start = chip.host.get_mut().cycles();
    for sample in train {
        learn_sample(&mut chip, sample, train, &mut rng);
    }
    let trained = chip.host.get_mut().cycles();
    let digest = chip.weights_digest();
    evaluate(&mut chip, test);
    let done = chip.host.get_mut().cycles();
    let cost = Cost {
        train: (trained - start) as f64 / train.len() as f64,
        infer: (done - trained) as f64 / test.len() as f64,
    };
    (cost, digest)
}

/// The golden model's seconds per sample on one CPU core, and the weights digest after
/// `check` training samples.
fn golden_seconds(
    cfg: &NetworkConfig,
    train: &[Sample],
    test: &[Sample],
    check: usize,
) -> (Cost, u64) {
    let mut net = Network::new(cfg);
    let mut rng = Xorshift32::for_stream(cfg.seed, Stream::Negative);
    let checked = &train[..check];
    for sample in checked {
        learn_sample(&mut net, sample, checked, &mut rng);
    }
    let digest = net.weights_digest();
    let started = Instant::now();
    for sample in train {
        learn_sample(&mut net, sample, train, &mut rng);
    }
    let trained = started.elapsed().as_secs_f64();
    let started = Instant::now();
    evaluate(&mut net, test);
    let inferred = started.elapsed().as_secs_f64();
    let cost = Cost {
        train: trained / train.len() as f64,
        infer: inferred / test.len() as f64,
    };
    (cost, digest)
}

fn main() {
    let data = load_digits(&repository().join("data/digits.csv.gz"))
        .unwrap_or_else(|e| panic!("digits: {e}"));
    let mnist_dir = repository().join(MNIST_DIR);
    let mnist = load_mnist(&mnist_dir).unwrap_or_else(|e| {
        panic!(
            "the MNIST build learns from {} ({e}); it is the shared development set",
            mnist_dir.display()
        )
    });
    for (name, set) in [("digits", &data), ("mnist", &mnist)] {
        assert!(
            set.train.len() >= GOLDEN_SAMPLES && set.test.len() >= SAMPLES,
            "{name}: {} training and {} test samples, need {GOLDEN_SAMPLES} and {SAMPLES}",
            set.train.len(),
            set.test.len()
        );
    }
    println!(
        "| board | network | lanes | W | core clock | chip train cycles/sample | chip train \
         samples/s | chip inference cycles/sample | chip inference samples/s | golden train \
         samples/s | golden inference samples/s | chip / golden, training |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let files = BOARDS.iter().map(|(name, _)| OtherBuild {
        board: name,
        lanes: None,
        network: None,
        core_hz: None,
        samples: Samples::Digits,
    });
    for build in files.chain(OTHER_BUILDS.iter().copied()) {
        let mut board = Board::named(build.board).unwrap_or_else(|e| panic!("{e}"));
        let mut label = build.board.to_string();
        if let Some(lanes) = build.lanes {
            board.lanes = lanes;
            label = format!("{label} --lanes {lanes}");
        }
        let mut cfg = board.network_config().unwrap_or_else(|e| panic!("{e}"));
        let mut network = board.network.clone();
        if let Some(path) = build.network {
            cfg = NetworkConfig::from_file(&repository().join(path))
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            network = path.to_string();
            label = format!("{label} --network {path}");
        }
        let set = match build.samples {
            Samples::Digits => &data,
            Samples::Mnist => &mnist,
        };
        assert_eq!(
            cfg.inputs,
            set.width * set.height,
            "board {label}: network {network} takes {} pixels, its {:?} samples have {}",
            cfg.inputs,
            build.samples,
            set.width * set.height
        );
        if let Some(hz) = build.core_hz {
            board = board.with_core_hz(hz).unwrap_or_else(|e| panic!("{e}"));
            label = format!("{label} --core-hz {hz}");
        }
        let kind = core_of(&board, &cfg);
        let (chip, chip_digest) = chip_cycles(kind, &set.train[..SAMPLES], &set.test[..SAMPLES]);
        let (golden, golden_digest) = golden_seconds(
            &cfg,
            &set.train[..GOLDEN_SAMPLES],
            &set.test[..GOLDEN_SAMPLES.min(set.test.len())],
            SAMPLES,
        );
        assert_eq!(
            chip_digest, golden_digest,
            "board {label}: the chip's weights after {SAMPLES} samples differ from the golden model's"
        );
        let hz = board.core_hz as f64;
        let chip_train = hz / chip.train;
        println!(
            "| {label} | {network} | {} | {} | {:.3} MHz | {:.0} | {:.1} | {:.0} | {:.1} | {:.0} | {:.0} | {:.3} |",
            board.lanes,
            match (board.spram, board.paired_banks) {
                (true, true) => "SPRAM, paired banks",
                (true, false) => "SPRAM",
                (false, _) => "block RAM",
            },
            hz / 1e6,
            chip.train,
            chip_train,
            chip.infer,
            hz / chip.infer,
            1.0 / golden.train,
            1.0 / golden.infer,
            chip_train * golden.train,
        );
    }
}
