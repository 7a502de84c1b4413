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
use spikeforge_sim::wire::{decode_response, Command as Request, Status, DELIMITER};

const CLOCK_HZ: u64 = 12_000_000;

/// `train` on `port` with 6 training and 4 test samples: the report.
fn train(port: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("t_cosim_{port}.json"));
    let dataset = format!("digits:{DIGITS}");
    let out = spikeforge(&[
        "train",
        "--port",
        port,
        "--dataset",
        &dataset,
        "--epochs",
        "1",
        "--train-samples",
        "6",
        "--test-samples",
        "4",
        "--report",
        path.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{port}: {}", text(&out.stderr));
    let report = std::fs::read_to_string(&path).expect("report");
    serde_json::from_str(&report).expect("JSON report")
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
