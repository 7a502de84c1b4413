//! The link at a byte error rate of 1e-3 in both directions (flips, drops and insertions
//! from a fixed seed): training completes with results identical to an undamaged link, and
//! the retransmissions that made it so are counted.

use std::path::Path;
use std::time::Instant;

use spikeforge_host::chip_model::ChipModel;
use spikeforge_host::client::{Client, LinkStats, Timing};
use spikeforge_host::snapshot::Snapshot;
use spikeforge_host::transport::{Corrupt, SimChip, Transport, TransportError};
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::data::load_digits;
use spikeforge_sim::network::Network;
use spikeforge_sim::train::{train, TrainOptions, TrainOutcome};
use spikeforge_sim::wire::LinkStatus;

const RATE: f64 = 1e-3;

/// A link that sends every byte straight back.
#[derive(Debug, Default)]
struct Echo(Vec<u8>);

impl Transport for Echo {
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], _deadline: Instant) -> Result<usize, TransportError> {
        let n = buf.len().min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0.drain(..n);
        Ok(n)
    }

    fn baud(&self) -> Option<u32> {
        None
    }

    fn describe(&self) -> String {
        "echo".to_string()
    }
}

/// 100,000 bytes through an echo link damaged with `seed`: what came back and the damage.
fn echo(seed: u64) -> (Vec<u8>, u64, u64) {
    let sent: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let mut link = Corrupt::new(Echo::default(), RATE, seed).expect("rate in range");
    for chunk in sent.chunks(777) {
        link.send(chunk).expect("send");
    }
    let mut back = Vec::new();
    let mut buf = [0u8; 300];
    loop {
        let n = link.recv(&mut buf, Instant::now()).expect("recv");
        if n == 0 {
            break;
        }
        back.extend_from_slice(&buf[..n]);
    }
    let (out, inn) = link.stats();
    assert_eq!(out.bytes, 100_000);
    (back, out.damaged(), inn.damaged())
}

#[test]
fn t_corrupt_damages_both_directions_at_the_rate_from_the_seed() {
    let (first, out, inn) = echo(7);
    // About 100 damaged bytes each way (binomial, standard deviation 10).
    for damaged in [out, inn] {
        assert!((60..=140).contains(&damaged), "{damaged} damaged bytes");
    }
    assert_ne!(
        first,
        (0..100_000u32).map(|i| (i % 251) as u8).collect::<Vec<_>>()
    );
    assert_eq!(echo(7).0, first, "the same seed damages the same bytes");
    assert_ne!(echo(8).0, first, "another seed damages others");
    let err = Corrupt::new(Echo::default(), 1.5, 1).expect_err("rate above 1");
    assert!(
        err.to_string()
            .contains("corruption rate 1.5 is outside 0..=1"),
        "{err}"
    );
}

/// Train on the golden chip behind `link`: outcome, everything the chip holds, the
/// counters of both ends.
fn run(link: Box<dyn Transport>) -> (TrainOutcome, Snapshot, LinkStats, LinkStatus) {
    let cfg = NetworkConfig::default_network().expect("default network");
    let data = load_digits(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/digits.csv.gz"
    )))
    .expect("digits");
    let client = Client::connect(link, Timing::default()).expect("IDENTIFY");
    let mut chip = ChipModel::load(client, &cfg, &Network::new(&cfg)).expect("load");
    let opts = TrainOptions {
        epochs: 2,
        train_samples: Some(30),
        test_samples: Some(20),
    };
    let outcome = train(&mut chip, &data, &opts, &mut |_| {});
    if let Some(err) = chip.take_failure() {
        panic!("training stopped: {err}");
    }
    let snapshot = chip.snapshot().expect("snapshot");
    let chip_status = chip.client().link_status().expect("LINK_STATUS");
    let stats = chip.client().stats();
    (outcome, snapshot, stats, chip_status)
}

#[test]
fn t_corrupt_link_training_matches_an_undamaged_link() {
    let cfg = NetworkConfig::default_network().expect("default network");
    let clean = run(Box::new(SimChip::new(&cfg).expect("chip")));
    assert_eq!(clean.2.retransmissions, 0);
    let damaged_link = Corrupt::new(SimChip::new(&cfg).expect("chip"), RATE, 1).expect("rate");
    let damaged = run(Box::new(damaged_link));
    assert_eq!(damaged.0, clean.0, "training outcome");
    let diff = damaged.1.diff(&clean.1);
    assert_eq!(diff.total, 0, "{:?}", diff.first);
    let (stats, chip) = (damaged.2, damaged.3);
    eprintln!("at {RATE} per byte: {stats}; chip: {chip:?}");
    assert_eq!(stats.requests, clean.2.requests, "one request per command");
    assert!(stats.retransmissions > 0, "{stats}");
    // Both directions were damaged: the chip answered damaged requests with link errors,
    // and damaged responses reached the host.
    assert!(
        chip.link_errors > 0 && stats.link_errors > 0,
        "{chip:?} {stats}"
    );
    assert!(stats.damaged_responses > 0, "{stats}");
    assert!(chip.replays > 0, "{chip:?}");
}
