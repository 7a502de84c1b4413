//! `--port cosim`: the Verilated chip at its UART pins in this process. It trains like the
//! golden chip (`--port sim`), is chosen by the network, and keeps time in its own clock
//! cycles: it returns at once when nothing more can come, and a deadline bounds a request in
//! the chip's time.
#![cfg(feature = "cosim")]

mod common;

use common::{spikeforge, text, DIGITS};

use std::path::Path;
use std::time::{Duration, Instant};

use spikeforge_host::transport::{Cosim, Transport, TransportError};
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::core_interface::{CoreShape, Datapath, StepCommand};
use spikeforge_sim::network::Network;
use spikeforge_sim::wire::{decode_response, Command as Request, Status, DELIMITER};

const CLOCK_HZ: u64 = 12_000_000;

/// `train` on `port` with 6 training and 4 test samples of the digits: the report.
fn train(port: &str) -> serde_json::Value {
    let dataset = format!("digits:{DIGITS}");
    train_on(port, None, &dataset, 6, 4).0
}

/// `train` on `port` of `network` (the default when `None`) with the first `train_samples`
/// and `test_samples` of `dataset`, one epoch: the report and the learned weights (one matrix
/// per layer, the golden model's order).
fn train_on(
    port: &str,
    network: Option<&str>,
    dataset: &str,
    train_samples: usize,
    test_samples: usize,
) -> (serde_json::Value, Vec<Vec<i64>>) {
    let name = format!("t_cosim_{port}_{}", network.map_or("default", stem));
    let report = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.json"));
    let weights = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-weights.json"));
    let (train_samples, test_samples) = (train_samples.to_string(), test_samples.to_string());
    let mut args = vec![
        "train",
        "--port",
        port,
        "--dataset",
        dataset,
        "--epochs",
        "1",
        "--train-samples",
        &train_samples,
        "--test-samples",
        &test_samples,
        "--report",
        report.to_str().expect("path"),
        "--save-weights",
        weights.to_str().expect("path"),
    ];
    if let Some(network) = network {
        args.extend(["--network", network]);
    }
    let out = spikeforge(&args);
    assert!(out.status.success(), "{port}: {}", text(&out.stderr));
    let read = |path: &Path| -> serde_json::Value {
        let json = std::fs::read_to_string(path).expect("train's output");
        serde_json::from_str(&json).expect("JSON")
    };
    let learned = read(&weights);
    let matrices = learned["weights"]
        .as_array()
        .expect("weights")
        .iter()
        .map(|m| {
            let m = m.as_array().expect("a matrix");
            m.iter().map(|w| w.as_i64().expect("a weight")).collect()
        })
        .collect();
    (read(&report), matrices)
}

/// The file name of `path` without its extension.
fn stem(path: &str) -> &str {
    Path::new(path)
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a file name")
}

#[test]
fn t_cosim_port_trains_like_the_golden_chip() {
    let cosim = train("cosim");
    let sim = train("sim");
    assert_eq!(cosim["weights_digest"], sim["weights_digest"]);
    assert_eq!(cosim["test_accuracy"], sim["test_accuracy"]);
    assert_eq!(cosim["train_accuracy"], sim["train_accuracy"]);
    assert_eq!(cosim["link"]["requests"], sim["link"]["requests"]);
    assert_eq!(cosim["link"]["retransmissions"], 0, "{}", cosim["link"]);
    assert_eq!(
        cosim["port"],
        "cosim (Verilated chip_default of network \"digits\", 4 clock cycles per bit)"
    );
}

/// The MNIST network (784-384-10, W of 301,056 words: past the wire's 16-bit starts) on the
/// Verilated chip the ULX3S builds (4 lanes, both splits), trained over its UART by the host
/// on 3 samples of `data/mnist-excerpt`, learns what the golden chip learns, word for word;
/// every layer learned, W also past word 65,535.
#[test]
fn t_cosim_port_trains_mnist_like_the_golden_chip() {
    let network = concat!(env!("CARGO_MANIFEST_DIR"), "/../networks/mnist.toml");
    let dataset = concat!(
        "mnist:",
        env!("CARGO_MANIFEST_DIR"),
        "/../data/mnist-excerpt"
    );
    let started = Instant::now();
    let (cosim, cosim_weights) = train_on("cosim", Some(network), dataset, 3, 2);
    let cosim_time = started.elapsed();
    let (sim, sim_weights) = train_on("sim", Some(network), dataset, 3, 2);
    assert_eq!(
        cosim["port"],
        "cosim (Verilated chip_mnist of network \"mnist\", 4 clock cycles per bit)"
    );
    assert_eq!(cosim["link"]["retransmissions"], 0, "{}", cosim["link"]);
    assert_eq!(cosim["link"]["requests"], sim["link"]["requests"]);
    assert_eq!(cosim["test_accuracy"], sim["test_accuracy"]);
    assert_eq!(cosim["train_accuracy"], sim["train_accuracy"]);
    assert_eq!(cosim["weights_digest"], sim["weights_digest"]);
    assert_eq!(cosim_weights.len(), 2, "W and C");
    for (layer, (chip, golden)) in cosim_weights.iter().zip(&sim_weights).enumerate() {
        assert_eq!(chip.len(), golden.len(), "layer {layer}'s size");
        if let Some(i) = chip.iter().zip(golden).position(|(a, b)| a != b) {
            panic!(
                "layer {layer}: word {i} is {} on the chip, {} on the golden chip",
                chip[i], golden[i]
            );
        }
    }
    // Training moved every layer's weights from the network's seeded initial ones, W's also
    // past the wire's 16-bit starts.
    let cfg = NetworkConfig::from_file(Path::new(network)).expect("networks/mnist.toml");
    let initial = Network::new(&cfg);
    let w0: Vec<i64> = initial.hidden[0]
        .weights
        .iter()
        .map(|&w| w.into())
        .collect();
    let c0: Vec<i64> = initial
        .classifier
        .weights
        .iter()
        .map(|&w| w.into())
        .collect();
    assert_eq!(cosim_weights[0].len(), 301_056, "W's words");
    let changed = |now: &[i64], before: &[i64], from: usize| {
        now.iter()
            .zip(before)
            .skip(from)
            .filter(|(a, b)| a != b)
            .count()
    };
    let high = changed(&cosim_weights[0], &w0, 65_536);
    assert!(high > 0, "no weight of W past word 65,535 changed");
    let classifier = changed(&cosim_weights[1], &c0, 0);
    assert!(classifier > 0, "no weight of C changed");
    eprintln!(
        "MNIST on the Verilated chip: 3 training and 2 test samples in {:.1} s; {} weights of \
         W changed past word 65,535, {classifier} of C",
        cosim_time.as_secs_f64(),
        high
    );
}

#[test]
fn t_cosim_port_is_chosen_by_the_network() {
    let small = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../verilated/networks/small.toml"
    );
    let out = spikeforge(&["identify", "--port", "cosim", "--network", small]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("Verilated chip_small"), "{stdout}");
    assert!(stdout.contains("network: 10 inputs"), "{stdout}");

    let hx8k = concat!(env!("CARGO_MANIFEST_DIR"), "/../networks/hx8k.toml");
    let out = spikeforge(&["identify", "--port", "cosim", "--network", hx8k]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    assert!(
        stderr.contains("no Verilated chip is built for network \"digits-hx8k\"")
            && stderr.contains("chip_default (network \"digits\")")
            && stderr.contains("chip_small (network \"small\")"),
        "{stderr}"
    );
}

fn cosim() -> Cosim {
    let cfg = NetworkConfig::default_network().expect("default network");
    Cosim::new(&cfg, CLOCK_HZ).expect("the default chip")
}

/// Everything `link` sends until it is quiet, waiting at most `limit` of the chip's time.
fn drain(link: &mut Cosim, limit: Duration) -> Vec<u8> {
    let deadline = Instant::now() + limit;
    let mut bytes = Vec::new();
    let mut buf = [0u8; 64];
    loop {
        let n = link.recv(&mut buf, deadline).expect("recv");
        if n == 0 {
            return bytes;
        }
        bytes.extend_from_slice(&buf[..n]);
    }
}

#[test]
fn t_cosim_returns_at_once_when_nothing_more_can_come() {
    let mut link = cosim();
    assert_eq!(link.baud(), Some(3_000_000));
    // A frame without its delimiter: the chip waits for the rest, silently.
    link.send(&[0x05, 0x11, 0x22]).expect("send");
    let wall = Instant::now();
    assert!(drain(&mut link, Duration::from_secs(3600)).is_empty());
    assert!(
        wall.elapsed() < Duration::from_secs(5),
        "{:?}",
        wall.elapsed()
    );
    // Three characters and 20 quiet bit times, at 4 cycles per bit.
    assert!(link.cycles() < 200, "{} cycles", link.cycles());
    assert!(link.quiet());
    // Its delimiter: a link-error response (COBS), then quiet again.
    link.send(&[DELIMITER]).expect("send");
    let answer = drain(&mut link, Duration::from_secs(3600));
    let frame = answer.strip_suffix(&[DELIMITER]).expect("one frame");
    let response = decode_response(frame).expect("a response");
    assert!(response.is_link_error(), "{response:?}");
    assert_eq!(response.status, Status::Cobs);
}

#[test]
fn t_cosim_deadline_counts_in_chip_cycles() -> Result<(), TransportError> {
    let mut link = cosim();
    let phase = Request::RunPhase {
        word: 0,
        steps: 400,
    }
    .request(1)
    .encode()
    .expect("frame");
    link.send(&phase)?;
    // 10 ms of the chip's time: 120,000 cycles, less than a phase of 400 steps (over 160,000
    // without a spike).
    // The receive turns the time left into cycles when it starts: the bounds allow this
    // thread to lose up to 1.6 ms before it does.
    let mut buf = [0u8; 64];
    let n = link.recv(&mut buf, Instant::now() + Duration::from_millis(10))?;
    assert_eq!(n, 0, "{:02x?}", &buf[..n]);
    let cycles = link.cycles();
    assert!((100_000..=120_000).contains(&cycles), "{cycles} cycles");
    assert!(!link.quiet());
    // A second of the chip's time is enough, however slow the simulation.
    let answer = drain(&mut link, Duration::from_secs(1));
    let frame = answer.strip_suffix(&[DELIMITER]).expect("one frame");
    let response = decode_response(frame).expect("a response");
    assert_eq!((response.seq, response.status), (1, Status::Ok));
    // The 400 steps ran: at least their cycles without a spike.
    let cfg = NetworkConfig::default_network().expect("default network");
    let step =
        CoreShape::of(&cfg).cycles_per_step(Datapath::lanes(1), 0, &[], &StepCommand::default());
    assert!(link.cycles() > 400 * step, "{} cycles", link.cycles());
    Ok(())
}
