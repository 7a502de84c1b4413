//! The PCIe link of spec §8 over a file: a device thread serves the rings with the golden
//! chip, the host trains through them in lockstep with the golden model, and everything the
//! chip holds afterwards equals the golden model's state.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use spikeforge_host::chip_model::ChipModel;
use spikeforge_host::client::{Client, Timing};
use spikeforge_host::lockstep::Lockstep;
use spikeforge_host::transport::pcie_file::{Device, DEFAULT_RING_BYTES};
use spikeforge_host::transport::{PcieFile, Transport};
use spikeforge_sim::chip::Chip;
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::data::load_digits;
use spikeforge_sim::network::Network;
use spikeforge_sim::train::{train, TrainOptions};

fn region(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.pcie"))
}

#[test]
fn t_pcie_file_trains_like_the_golden_model() {
    let cfg = NetworkConfig::default_network().expect("default network");
    let path = region("t_pcie_file_trains");
    let mut device = Device::create(&path, DEFAULT_RING_BYTES).expect("region");
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let stop = Arc::clone(&stop);
        let mut chip = Chip::new(&cfg).expect("chip");
        std::thread::spawn(move || device.serve(&mut chip, &stop).map(|()| chip))
    };
    let link = PcieFile::open(&path).expect("open the region");
    assert_eq!(link.baud(), None);
    let client = Client::connect(Box::new(link), Timing::default()).expect("IDENTIFY");
    assert_eq!(client.identity().hidden, 256);
    let net = Network::new(&cfg);
    let chip = ChipModel::load(client, &cfg, &net).expect("load");
    let mut both = Lockstep::new(chip, net);
    let data = load_digits(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/digits.csv.gz"
    )))
    .expect("digits");
    let opts = TrainOptions {
        epochs: 1,
        train_samples: Some(8),
        test_samples: Some(8),
    };
    let outcome = train(&mut both, &data, &opts, &mut |_| {});
    assert!(both.chip.take_failure().is_none());
    let state = both
        .chip
        .snapshot()
        .expect("snapshot")
        .diff(&both.golden_snapshot());
    let stats = both.chip.client().stats();
    stop.store(true, Ordering::Relaxed);
    let served = server.join().expect("device thread").expect("device loop");
    assert_eq!(both.diffs().total, 0, "{:?}", both.diffs().first);
    assert_eq!(both.diffs().phases, 8 * 3 + 8 + 8);
    assert_eq!(state.total, 0, "{:?}", state.first);
    assert_eq!(outcome.test_samples, 8);
    assert_eq!(stats.retransmissions, 0, "{stats}");
    assert_eq!(served.link_status().link_errors, 0);
    assert_eq!(
        served.core().network().hidden[0].weights,
        both.golden.hidden[0].weights
    );
}

#[test]
fn t_pcie_file_refuses_a_region_without_a_device() {
    let path = region("t_pcie_file_refuses");
    std::fs::write(&path, vec![0u8; 8192]).expect("plain file");
    let err = PcieFile::open(&path).expect_err("no device");
    assert!(
        err.to_string().contains("ID register is 0x00000000"),
        "{err}"
    );
    let small = region("t_pcie_file_small_ring");
    let err = Device::create(&small, 512).expect_err("ring below the minimum");
    assert!(err.to_string().contains("ring size 512"), "{err}");
}
